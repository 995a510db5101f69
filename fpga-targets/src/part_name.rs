//! AMD/Xilinx part names as Vivado and hls4ml spell them: `DEVICE[-]PACKAGE-SPEED[-TEMP][-...]`
//! (`xc7z020clg400-1`, `xc7z020-clg400-1`, `xczu7ev-ffvc1156-2-e`, `xcvc1902-vsva2197-2MP-e-S`),
//! split into their fields once the device is known, and the family/size key of a device
//! (`xczu7ev` → `xczu`, 7) used to suggest parts of the same family and size.

/// A part name split at its device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartName {
    /// Lower case, e.g. `xc7z020`.
    pub device: String,
    pub package: Option<String>,
    pub speed: Option<String>,
    pub temperature: Option<String>,
}

impl PartName {
    /// Split lower-case `name` at `device` (which it must start with, followed by the end, a
    /// hyphen or the package's letters; a digit would continue the device). Fields after the
    /// temperature grade (`-S`, `-es1`) are ignored.
    pub fn split(name: &str, device: &str) -> Option<PartName> {
        let rest = name.strip_prefix(device)?;
        match rest.chars().next() {
            None | Some('-') => {}
            Some(c) if c.is_ascii_alphabetic() => {}
            // `xc7z0201` is not `xc7z020`.
            _ => return None,
        }
        let mut fields = rest
            .trim_start_matches('-')
            .split('-')
            .filter(|f| !f.is_empty());
        let package = fields.next().map(String::from);
        let speed = fields.next().map(String::from);
        let temperature = fields.next().map(String::from);
        Some(PartName {
            device: device.to_string(),
            package,
            speed,
            temperature,
        })
    }

    /// What differs from `other` among the fields this name gives (`package flga2577 →
    /// flga2104`); empty when every given field matches.
    pub fn differences(&self, other: &PartName) -> Vec<String> {
        let mut out = Vec::new();
        for (what, mine, theirs) in [
            ("package", &self.package, &other.package),
            ("speed grade", &self.speed, &other.speed),
            ("temperature grade", &self.temperature, &other.temperature),
        ] {
            if let Some(m) = mine {
                if theirs.as_deref() != Some(m.as_str()) {
                    out.push(format!(
                        "{what} {m} → {}",
                        theirs.as_deref().unwrap_or("none")
                    ));
                }
            }
        }
        out
    }
}

/// Family key and size of a device name: the letters (and, for 7-series `xc7z…`, the series
/// digit and family letter) before the size number. `xc7z020` → (`xc7z`, 20), `xczu7ev` →
/// (`xczu`, 7), `xcvu13p` → (`xcvu`, 13), `xcu280` → (`xcu`, 280), `xcvc1902` → (`xcvc`, 1902).
pub fn family_key(device: &str) -> Option<(String, u64)> {
    let s = device.to_ascii_lowercase();
    let b = s.as_bytes();
    let run = |from: usize, digit: bool| {
        b[from..]
            .iter()
            .take_while(|c| {
                if digit {
                    c.is_ascii_digit()
                } else {
                    c.is_ascii_lowercase()
                }
            })
            .count()
    };
    let l1 = run(0, false);
    let d1 = run(l1, true);
    if l1 == 0 || d1 == 0 {
        return None;
    }
    let l2 = run(l1 + d1, false);
    let d2 = run(l1 + d1 + l2, true);
    if l2 > 0 && d2 > 0 {
        let key = &s[..l1 + d1 + l2];
        return s[l1 + d1 + l2..l1 + d1 + l2 + d2]
            .parse()
            .ok()
            .map(|n| (key.to_string(), n));
    }
    s[l1..l1 + d1]
        .parse()
        .ok()
        .map(|n| (s[..l1].to_string(), n))
}

/// The device part of a name no entry knows, good enough for [`family_key`]: up to the first
/// hyphen when that ends in the size and a short variant suffix (`xczu8ev`, `xcvu9p`), else up
/// to the size (`xc7z025clg400-1` → `xc7z025`).
pub fn guess_device(name: &str) -> String {
    let s = name.to_ascii_lowercase();
    let head = s.split('-').next().unwrap_or(&s).to_string();
    let Some((key, _)) = family_key(&head) else {
        return head;
    };
    let after = &head[key.len()..];
    let digits = after.chars().take_while(|c| c.is_ascii_digit()).count();
    let tail = &after[digits..];
    if tail.len() <= 2 && tail.chars().all(|c| c.is_ascii_lowercase()) {
        head
    } else {
        format!("{key}{}", &after[..digits])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_with_and_without_the_hyphen() {
        let a = PartName::split("xc7z020clg400-1", "xc7z020").unwrap();
        let b = PartName::split("xc7z020-clg400-1", "xc7z020").unwrap();
        assert_eq!(a, b);
        assert_eq!(a.package.as_deref(), Some("clg400"));
        assert_eq!(a.speed.as_deref(), Some("1"));
        let v = PartName::split("xcvc1902-vsva2197-2mp-e-s", "xcvc1902").unwrap();
        assert_eq!(
            (
                v.package.as_deref(),
                v.speed.as_deref(),
                v.temperature.as_deref()
            ),
            (Some("vsva2197"), Some("2mp"), Some("e"))
        );
        assert!(PartName::split("xc7z0201clg400-1", "xc7z020").is_none());
        assert_eq!(
            PartName::split("xc7a35tcsg324-1", "xc7a35t")
                .unwrap()
                .package
                .as_deref(),
            Some("csg324")
        );
        assert_eq!(PartName::split("xcku115", "xcku115").unwrap().package, None);
    }

    #[test]
    fn family_keys() {
        assert_eq!(family_key("xc7z020"), Some(("xc7z".into(), 20)));
        assert_eq!(family_key("xczu7ev"), Some(("xczu".into(), 7)));
        assert_eq!(family_key("xcvu13p"), Some(("xcvu".into(), 13)));
        assert_eq!(family_key("xcu280"), Some(("xcu".into(), 280)));
        assert_eq!(family_key("xc7a200t"), Some(("xc7a".into(), 200)));
        assert_eq!(family_key("pynq"), None);
        assert_eq!(guess_device("xc7z025clg400-1"), "xc7z025");
        assert_eq!(guess_device("xczu8ev-ffvc1156-2-e"), "xczu8ev");
    }
}
