//! Python's JSON extension tokens `Infinity`, `-Infinity` and `NaN` in Keras configs.
//!
//! Python's `json.dumps` writes non-finite floats as bare `Infinity`, `-Infinity` and `NaN`,
//! which JSON (and serde_json) rejects. HGQ2 models carry them in their quantizer configs
//! (`"i_decay_speed": Infinity`, HGQ2's default: the integer bits of a weight quantizer never
//! decay). serde_json's `Value` cannot hold a non-finite number, so each such token outside a
//! string becomes the JSON string of its name (`"Infinity"`, `"-Infinity"`, `"NaN"`): the value
//! is kept, and a reader that wants a number from that field gets a type error naming the
//! field instead of a silently wrong finite number. The rewrite only runs when the strict parse
//! failed, and never touches text inside strings.

/// The three tokens, longest first so `-Infinity` wins over `Infinity`.
const TOKENS: [&str; 3] = ["-Infinity", "Infinity", "NaN"];

/// The text with every non-finite token outside strings quoted, and where quotes were added:
/// (line, 1-based column of the token in the original text), in order. `None` when the text has
/// no such token.
pub fn quote_non_finite(text: &str) -> Option<(String, Vec<(usize, usize)>)> {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len() + 16);
    let mut inserted = Vec::new();
    let (mut in_string, mut escaped) = (false, false);
    let (mut line, mut line_start) = (1usize, 0usize);
    let mut copied = 0usize;
    let mut i = 0usize;
    while i < bytes.len() {
        let b = bytes[i];
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
        } else if b == b'"' {
            in_string = true;
        } else if b == b'\n' {
            line += 1;
            line_start = i + 1;
        } else if let Some(tok) = TOKENS.iter().find(|t| bytes[i..].starts_with(t.as_bytes())) {
            let end = i + tok.len();
            // a whole token: not part of an identifier such as `Infinityx`
            let boundary = bytes
                .get(end)
                .is_none_or(|c| !(c.is_ascii_alphanumeric() || *c == b'_'));
            if boundary {
                out.push_str(&text[copied..i]);
                out.push('"');
                out.push_str(tok);
                out.push('"');
                inserted.push((line, i - line_start + 1));
                copied = end;
                i = end;
                continue;
            }
        }
        i += 1;
    }
    if inserted.is_empty() {
        return None;
    }
    out.push_str(&text[copied..]);
    Some((out, inserted))
}

/// A column of the rewritten text mapped back to the original text's column on that line
/// (each quoted token before it on the line added two characters).
pub fn original_column(inserted: &[(usize, usize)], line: usize, column: usize) -> usize {
    // the k-th quoted token of the line (from 0) starts at column c + 2k in the rewritten text
    let before = inserted
        .iter()
        .filter(|(l, _)| *l == line)
        .enumerate()
        .filter(|(k, (_, c))| c + 2 * k < column)
        .count();
    column - 2 * before
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_outside_strings_are_quoted_and_strings_untouched() {
        let text =
            r#"{"a": Infinity, "b": [-Infinity, NaN], "c": "Infinity NaN", "d": "x\"Infinity"}"#;
        let (out, ins) = quote_non_finite(text).unwrap();
        assert_eq!(
            out,
            r#"{"a": "Infinity", "b": ["-Infinity", "NaN"], "c": "Infinity NaN", "d": "x\"Infinity"}"#
        );
        assert_eq!(ins, vec![(1, 7), (1, 23), (1, 34)]);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["b"][0], "-Infinity");
    }

    #[test]
    fn multi_byte_text_around_tokens_is_kept() {
        // bytes are compared, never a str sliced inside a character
        let (out, _) = quote_non_finite("[\"é\", Infinity, é NaN]").unwrap();
        assert_eq!(out, "[\"é\", \"Infinity\", é \"NaN\"]");
        assert!(quote_non_finite("[é, ü]").is_none());
    }

    #[test]
    fn nothing_to_do_is_none() {
        assert!(quote_non_finite(r#"{"a": 1.5, "b": "Infinity"}"#).is_none());
        // an identifier that only starts like a token is not one
        assert!(quote_non_finite("[Infinityx]").is_none());
    }

    #[test]
    fn columns_map_back_past_the_added_quotes() {
        // original: `[Infinity, @]`: '@' at column 12; rewritten `["Infinity", @]`: column 14
        let (out, ins) = quote_non_finite("[Infinity, @]").unwrap();
        assert_eq!(out.find('@').unwrap() + 1, 14);
        assert_eq!(original_column(&ins, 1, 14), 12);
        assert_eq!(original_column(&ins, 2, 14), 14);
    }
}
