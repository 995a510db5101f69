//! The grammars of names that travel from an input file into generated code: C identifiers
//! (layer and project names reach `defines.h`, `parameters.h` and the top-level cpp) and FPGA
//! part names (written as `set part "..."` into `project.tcl`, where Tcl would substitute
//! `[...]` and `$...`). Every frontend and every writer checks against these, so a hostile
//! name is refused where it enters, and again before anything is written.

/// Longest part name accepted. The longest in AMD's and Intel's catalogues is about 25
/// characters (`xcvu13p-flga2577-2-e`, `AGFB014R24B2E2V`); 64 leaves room for new families.
pub const MAX_PART_LEN: usize = 64;

/// Whether `s` is a C identifier: ASCII letters, digits and `_`, not starting with a digit.
pub fn is_c_identifier(s: &str) -> bool {
    let mut c = s.chars();
    matches!(c.next(), Some(ch) if ch.is_ascii_alphabetic() || ch == '_')
        && c.all(|ch| ch.is_ascii_alphanumeric() || ch == '_')
}

/// Check an FPGA part name: 1 to [`MAX_PART_LEN`] ASCII letters, digits, `-`, `_` or `.`,
/// starting with a letter or digit. The message says what was expected and quotes the value
/// with its control characters escaped.
pub fn check_part(part: &str) -> Result<(), String> {
    let ok = !part.is_empty()
        && part.len() <= MAX_PART_LEN
        && part.starts_with(|c: char| c.is_ascii_alphanumeric())
        && part
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{} is not an FPGA part name (expected 1 to {MAX_PART_LEN} letters, digits, '-', '_' \
             or '.', such as xcu250-figd2104-2L-e)",
            quoted(part)
        ))
    }
}

/// `s` in double quotes with control characters, quotes and backslashes escaped, for messages
/// that must not reproduce a hostile value verbatim (a newline in a name would split the line).
pub fn quoted(s: &str) -> String {
    format!("{:?}", s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers() {
        for ok in ["fc1", "_x", "dense_1", "Conv2D_3", "a"] {
            assert!(is_c_identifier(ok), "{ok}");
        }
        for bad in [
            "",
            "1fc",
            "fc-1",
            "fc 1",
            "fc\n#error x",
            "a.b",
            "é",
            "fc1;",
        ] {
            assert!(!is_c_identifier(bad), "{bad:?}");
        }
    }

    #[test]
    fn parts() {
        // Real part names: fpga-targets' database and hls4ml's defaults.
        for ok in [
            "xcu250-figd2104-2L-e",
            "xcvu13p-flga2577-2-e",
            "xc7z020clg400-1",
            "AGFB014R24B2E2V",
            "xcvu9p-flgb2104-2-i",
        ] {
            assert!(check_part(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "xcu250\"; exec rm -rf ~; #",
            "[exec touch /tmp/pwned]",
            "xcu250\n#error x",
            "$env(HOME)",
            "x y",
            "-xcu250",
            &"x".repeat(MAX_PART_LEN + 1),
        ] {
            let e = check_part(bad).unwrap_err();
            assert!(e.contains("is not an FPGA part name"), "{e}");
            assert!(!e.contains('\n'), "the message must escape newlines: {e}");
        }
    }
}
