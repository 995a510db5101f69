//! The DSL's concrete syntax: a nom 7 parser from text to a small AST whose nodes keep their
//! byte offset in the source, so that later (semantic) errors can name the line and column.
//! It knows the statement forms and the layer names, nothing about shapes or layer attributes.

use nom::branch::alt;
use nom::bytes::complete::{take_while, take_while1};
use nom::character::complete::{char, digit1, one_of};
use nom::combinator::{opt, recognize};
use nom::error::{ErrorKind, ParseError};
use nom::sequence::{pair, tuple};
use nom::IResult;
use std::borrow::Cow;

/// A value with the position where its text starts, given as the number of bytes from there
/// to the end of the source (so the parsers need not know the whole source).
#[derive(Debug, Clone, PartialEq)]
pub struct Spanned<T> {
    pub v: T,
    pub tail: usize,
}

/// One statement of a DSL file.
#[derive(Debug, Clone, PartialEq)]
pub enum Stmt<'a> {
    /// `network NAME`: the network's name.
    Network(Spanned<String>),
    /// `config { key: value, ... }`: model-level HLS settings.
    Config(Spanned<Vec<Entry<'a>>>),
    /// `outputs a, b`: the network outputs, in order.
    Outputs(Vec<Spanned<&'a str>>),
    /// `[var =] head -> call -> call ...`.
    Chain {
        var: Option<Spanned<&'a str>>,
        head: Head<'a>,
        calls: Vec<Call<'a>>,
    },
}

/// What a chain starts from: a node defined earlier, or a layer that needs no chained input
/// (`input(...)`, `add(a, b)`, `concat(a, b)`).
#[derive(Debug, Clone, PartialEq)]
pub enum Head<'a> {
    Ref(Spanned<&'a str>),
    Call(Call<'a>),
}

/// A layer: `name(args) @ {settings}`; parentheses and settings are optional.
#[derive(Debug, Clone, PartialEq)]
pub struct Call<'a> {
    pub name: Spanned<&'a str>,
    pub args: Vec<Arg<'a>>,
    pub settings: Option<Spanned<Vec<Entry<'a>>>>,
}

/// A positional (`64`) or keyword (`stride=2`) argument.
#[derive(Debug, Clone, PartialEq)]
pub struct Arg<'a> {
    pub key: Option<Spanned<&'a str>>,
    pub value: Spanned<Value<'a>>,
}

/// An argument value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value<'a> {
    Int(i64),
    Float(f64),
    /// `3x3`: a two-dimensional size.
    Pair(u64, u64),
    Word(&'a str),
    Str(String),
}

impl Value<'_> {
    /// How the value reads in an error message.
    pub fn describe(&self) -> String {
        match self {
            Value::Int(v) => v.to_string(),
            Value::Float(v) => v.to_string(),
            Value::Pair(a, b) => format!("{a}x{b}"),
            Value::Word(w) => (*w).to_string(),
            Value::Str(s) => format!("\"{s}\""),
        }
    }
}

/// `key: value` in a settings block. The value is kept as text (quotes removed) and
/// interpreted by key: a fixed-point type, a number, a strategy, a part name.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry<'a> {
    pub key: Spanned<&'a str>,
    pub value: Spanned<String>,
}

/// Statement keywords; they cannot be used as node names.
pub const KEYWORDS: &[&str] = &["network", "config", "outputs"];

/// A syntax error: where, what was expected, and (optionally) an extra hint.
#[derive(Debug, Clone, PartialEq)]
pub struct PErr<'a> {
    pub at: &'a str,
    pub expected: Cow<'static, str>,
}

impl<'a> ParseError<&'a str> for PErr<'a> {
    fn from_error_kind(input: &'a str, _kind: ErrorKind) -> Self {
        PErr {
            at: input,
            expected: Cow::Borrowed("valid input"),
        }
    }
    fn append(_: &'a str, _: ErrorKind, other: Self) -> Self {
        other
    }
    fn or(self, other: Self) -> Self {
        // keep the error that got furthest
        if other.at.len() < self.at.len() {
            other
        } else {
            self
        }
    }
}

type PResult<'a, T> = IResult<&'a str, T, PErr<'a>>;

fn failure<'a, T>(at: &'a str, expected: impl Into<Cow<'static, str>>) -> PResult<'a, T> {
    Err(nom::Err::Failure(PErr {
        at,
        expected: expected.into(),
    }))
}

/// Run `p`; turn any error it gives into a failure (no backtracking) expecting `what`.
fn expect<'a, T>(
    what: &'static str,
    mut p: impl FnMut(&'a str) -> PResult<'a, T>,
) -> impl FnMut(&'a str) -> PResult<'a, T> {
    move |i| match p(i) {
        Err(nom::Err::Error(_)) => failure(i, what),
        other => other,
    }
}

/// Skip spaces, tabs, carriage returns and `#` comments, not newlines.
fn sp(mut i: &str) -> &str {
    loop {
        let t = i.trim_start_matches([' ', '\t', '\r']);
        if let Some(rest) = t.strip_prefix('#') {
            i = rest.find('\n').map_or("", |n| &rest[n..]);
        } else {
            return t;
        }
    }
}

/// Skip whitespace including newlines, and comments.
fn spnl(mut i: &str) -> &str {
    loop {
        let t = sp(i).trim_start_matches('\n');
        if t.len() == i.len() {
            return t;
        }
        i = t;
    }
}

/// Skip statement separators (`;`, newlines), whitespace and comments.
fn seps(mut i: &str) -> &str {
    loop {
        let t = spnl(i).trim_start_matches(';');
        if t.len() == i.len() {
            return t;
        }
        i = t;
    }
}

fn ident(i: &str) -> PResult<'_, &str> {
    recognize(pair(
        take_while1(|c: char| c.is_ascii_alphabetic() || c == '_'),
        take_while(|c: char| c.is_ascii_alphanumeric() || c == '_'),
    ))(i)
}

/// `"..."` with the escapes `\\ \" \n \t \r \u{HEX}`.
fn string(i: &str) -> PResult<'_, String> {
    let Some(mut rest) = i.strip_prefix('"') else {
        return Err(nom::Err::Error(PErr::from_error_kind(i, ErrorKind::Char)));
    };
    let mut out = String::new();
    loop {
        let mut chars = rest.chars();
        match chars.next() {
            None | Some('\n') => return failure(rest, "a closing '\"' before the end of the line"),
            Some('"') => return Ok((chars.as_str(), out)),
            Some('\\') => {
                let esc = chars.as_str();
                let mut ec = esc.chars();
                match ec.next() {
                    Some('\\') => out.push('\\'),
                    Some('"') => out.push('"'),
                    Some('n') => out.push('\n'),
                    Some('t') => out.push('\t'),
                    Some('r') => out.push('\r'),
                    Some('u') => {
                        let body = ec.as_str();
                        let hex = body
                            .strip_prefix('{')
                            .and_then(|b| b.find('}').map(|e| (&b[..e], &b[e + 1..])));
                        let ch = hex
                            .and_then(|(h, _)| u32::from_str_radix(h, 16).ok())
                            .and_then(char::from_u32);
                        match (ch, hex) {
                            (Some(c), Some((_, after))) => {
                                out.push(c);
                                rest = after;
                                continue;
                            }
                            _ => return failure(esc, "a unicode escape such as \\u{e9}"),
                        }
                    }
                    _ => return failure(esc, "an escape: \\\\, \\\", \\n, \\t, \\r or \\u{...}"),
                }
                rest = ec.as_str();
            }
            Some(c) => {
                out.push(c);
                rest = chars.as_str();
            }
        }
    }
}

/// A number (`64`, `-1`, `0.1`, `1e-3`) or a size pair (`3x3`).
fn number(i: &str) -> PResult<'_, Value<'_>> {
    if let Ok((r, (a, _, b))) = tuple((digit1::<&str, PErr>, char('x'), digit1))(i) {
        if !r.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_') {
            return match (a.parse(), b.parse()) {
                (Ok(a), Ok(b)) => Ok((r, Value::Pair(a, b))),
                _ => failure(i, "a size that fits in 64 bits"),
            };
        }
    }
    let (r, text) = recognize(tuple((
        opt(one_of("+-")),
        digit1,
        opt(pair(char('.'), digit1)),
        opt(tuple((one_of("eE"), opt(one_of("+-")), digit1))),
    )))(i)?;
    if r.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_' || c == '.') {
        return failure(
            i,
            "a number such as 64, -1, 0.5 or 1e-3, or a size such as 3x3",
        );
    }
    if text.contains(['.', 'e', 'E']) {
        match text.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok((r, Value::Float(v))),
            _ => failure(i, "a finite number"),
        }
    } else {
        match text.parse::<i64>() {
            Ok(v) => Ok((r, Value::Int(v))),
            Err(_) => failure(i, "an integer that fits in 64 bits"),
        }
    }
}

fn value(i: &str) -> PResult<'_, Spanned<Value<'_>>> {
    let start = i;
    let (r, v) = expect(
        "a value: a number such as 64 or 0.5, a size such as 3x3, a name such as relu, or a \"string\"",
        alt((
            |i| string(i).map(|(r, s)| (r, Value::Str(s))),
            number,
            |i| ident(i).map(|(r, w)| (r, Value::Word(w))),
        )),
    )(i)?;
    Ok((r, spanned(start, v)))
}

/// Wrap `v` with the position of `start` (its length to the end of the source).
fn spanned<T>(start: &str, v: T) -> Spanned<T> {
    Spanned {
        v,
        tail: start.len(),
    }
}

/// `( [arg (, arg)* [,]] )`; newlines are allowed inside.
fn args(i: &str) -> PResult<'_, Vec<Arg<'_>>> {
    let (mut i, _) = char('(')(i)?;
    let mut out = Vec::new();
    loop {
        i = spnl(i);
        if let Some(r) = i.strip_prefix(')') {
            return Ok((r, out));
        }
        // keyword argument?
        let mut key = None;
        if let Ok((r, k)) = ident(i) {
            if let Some(after) = sp(r).strip_prefix('=') {
                key = Some(spanned(i, k));
                i = spnl(after);
            }
        }
        let (r, v) = value(i)?;
        out.push(Arg { key, value: v });
        i = spnl(r);
        if let Some(r) = i.strip_prefix(',') {
            i = r;
        } else if !i.starts_with(')') {
            return failure(i, "',' or ')' after the argument");
        }
    }
}

/// A settings value: a "string", or a bare word such as `resource`, `5`,
/// `xcu250-figd2104-2L-e`, `ap_fixed<16,6,AP_RND,AP_SAT>` (commas allowed inside `<...>`).
fn setting_value(i: &str) -> PResult<'_, Spanned<String>> {
    if i.starts_with('"') {
        let (r, s) = string(i)?;
        return Ok((r, spanned(i, s)));
    }
    let stop = |c: char| c.is_whitespace() || ",;{}#\"<>".contains(c);
    let (mut r, _) = expect(
        "a value such as ap_fixed<16,6>, 4, resource or a \"string\"",
        take_while1(move |c: char| !stop(c)),
    )(i)?;
    if let Some(inner) = r.strip_prefix('<') {
        match inner.find(['>', '\n']) {
            Some(e) if inner[e..].starts_with('>') => r = &inner[e + 1..],
            _ => return failure(r, "'>' closing the type, e.g. ap_fixed<16,6>"),
        }
    }
    let text = &i[..i.len() - r.len()];
    Ok((r, spanned(i, text.to_string())))
}

/// `{ key: value (,|newline) ... }`.
fn settings_block(i: &str) -> PResult<'_, Spanned<Vec<Entry<'_>>>> {
    let start = i;
    let Some(mut i) = i.strip_prefix('{') else {
        return failure(
            i,
            "'{' opening the settings, e.g. { precision: ap_fixed<16,6>, reuse: 4 }",
        );
    };
    let mut out = Vec::new();
    loop {
        i = spnl(i);
        if let Some(r) = i.strip_prefix('}') {
            return Ok((r, spanned(start, out)));
        }
        let (r, key) = expect("a setting name such as precision, reuse or strategy", ident)(i)?;
        let key = spanned(i, key);
        let r = sp(r);
        let Some(r) = r.strip_prefix(':') else {
            return failure(r, "':' after the setting name");
        };
        let (r, value) = setting_value(sp(r))?;
        out.push(Entry { key, value });
        let r = sp(r);
        if let Some(r) = r.strip_prefix(',') {
            i = r;
        } else if r.starts_with('\n') || r.starts_with('}') {
            i = r;
        } else {
            return failure(r, "',', a new line or '}' after the setting");
        }
    }
}

/// Whether `name` is a layer the DSL knows.
pub type IsLayer = fn(&str) -> bool;

/// `name [(args)] [@ {settings}]`.
fn call<'a>(i: &'a str, is_layer: IsLayer, expected_layer: &'static str) -> PResult<'a, Call<'a>> {
    let (r, name) = expect(expected_layer, ident)(i)?;
    if !is_layer(name) {
        return failure(i, expected_layer);
    }
    let name = spanned(i, name);
    let r2 = sp(r);
    let (r, args) = if r2.starts_with('(') {
        args(r2)?
    } else {
        (r, Vec::new())
    };
    let look = spnl(r);
    let (r, settings) = match look.strip_prefix('@') {
        Some(s) => {
            let (r, b) = settings_block(spnl(s))?;
            (r, Some(b))
        }
        None => (r, None),
    };
    Ok((
        r,
        Call {
            name,
            args,
            settings,
        },
    ))
}

/// `head -> call -> ...`, defining `var` when given.
fn chain<'a>(
    i: &'a str,
    var: Option<Spanned<&'a str>>,
    is_layer: IsLayer,
    expected_layer: &'static str,
) -> PResult<'a, Stmt<'a>> {
    let (r, name) = expect("a node name or a layer such as input(16)", ident)(i)?;
    let after = sp(r);
    let (mut r, head) = if after.starts_with('(') || after.starts_with('@') {
        let (r, c) = call(i, is_layer, expected_layer)?;
        (r, Head::Call(c))
    } else {
        (r, Head::Ref(spanned(i, name)))
    };
    let mut calls = Vec::new();
    loop {
        let look = spnl(r);
        let Some(next) = look.strip_prefix("->") else {
            break;
        };
        let (rest, c) = call(spnl(next), is_layer, expected_layer)?;
        calls.push(c);
        r = rest;
    }
    Ok((r, Stmt::Chain { var, head, calls }))
}

fn statement<'a>(
    i: &'a str,
    is_layer: IsLayer,
    expected_layer: &'static str,
) -> PResult<'a, Stmt<'a>> {
    let (r, word) = expect(
        "a statement: a chain such as input(16) -> dense(8), a definition such as x = input(16), \
         config { ... }, network NAME or outputs a, b",
        ident,
    )(i)?;
    let after = sp(r);
    let assigns = after.starts_with('=') && !after.starts_with("==");
    if !assigns && KEYWORDS.contains(&word) {
        let r = sp(r);
        return match word {
            "network" => {
                let (r2, name) = if r.starts_with('"') {
                    string(r)?
                } else {
                    let (r2, w) = expect(
                        "a network name, e.g. network jet_tagger",
                        take_while1(|c: char| c.is_ascii_alphanumeric() || "_-.".contains(c)),
                    )(r)?;
                    (r2, w.to_string())
                };
                Ok((r2, Stmt::Network(spanned(r, name))))
            }
            "config" => {
                let (r, b) = settings_block(r)?;
                Ok((r, Stmt::Config(b)))
            }
            _ => {
                let mut refs = Vec::new();
                let mut j = r;
                loop {
                    let (r2, n) = expect("a node name", ident)(j)?;
                    refs.push(spanned(j, n));
                    let r2 = sp(r2);
                    match r2.strip_prefix(',') {
                        Some(r3) => j = spnl(r3),
                        None => return Ok((r2, Stmt::Outputs(refs))),
                    }
                }
            }
        };
    }
    if assigns {
        return chain(
            spnl(&after[1..]),
            Some(spanned(i, word)),
            is_layer,
            expected_layer,
        );
    }
    chain(i, None, is_layer, expected_layer)
}

/// Parse a whole DSL text. `is_layer` says which call names are layers; `expected_layer`
/// is the message for a name that is not one.
pub fn program<'a>(
    src: &'a str,
    is_layer: IsLayer,
    expected_layer: &'static str,
) -> Result<Vec<Stmt<'a>>, PErr<'a>> {
    let mut i = src;
    let mut out = Vec::new();
    loop {
        i = seps(i);
        if i.is_empty() {
            return Ok(out);
        }
        let (r, st) = match statement(i, is_layer, expected_layer) {
            Ok(v) => v,
            Err(nom::Err::Error(e)) | Err(nom::Err::Failure(e)) => return Err(e),
            Err(nom::Err::Incomplete(_)) => {
                return Err(PErr {
                    at: "",
                    expected: Cow::Borrowed("more input"),
                })
            }
        };
        out.push(st);
        let r = sp(r);
        if !(r.is_empty() || r.starts_with('\n') || r.starts_with(';')) {
            return Err(PErr {
                at: r,
                expected: Cow::Borrowed("'->', ';' or a new line after the statement"),
            });
        }
        i = r;
    }
}

/// The token at the start of `at`, for "found ..." in messages.
pub fn found(at: &str) -> String {
    let t = at.trim_start_matches([' ', '\t', '\r']);
    if t.is_empty() {
        return "end of input".into();
    }
    if t.starts_with('\n') {
        return "end of line".into();
    }
    let word: String = t
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .take(40)
        .collect();
    if !word.is_empty() {
        return format!("'{word}'");
    }
    if t.starts_with("->") {
        return "'->'".into();
    }
    let c = t.chars().next().unwrap_or(' ');
    format!("'{}'", c.escape_debug())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn any(_: &str) -> bool {
        true
    }

    #[test]
    fn lexes_values() {
        assert_eq!(number("3x3,").unwrap().1, Value::Pair(3, 3));
        assert_eq!(number("-1)").unwrap().1, Value::Int(-1));
        assert_eq!(number("1e-3)").unwrap().1, Value::Float(0.001));
        assert_eq!(
            string(r#""a\"b\u{e9}" x"#).unwrap(),
            (" x", "a\"bé".to_string())
        );
        assert!(matches!(number("3xy"), Err(nom::Err::Failure(_))));
        let (r, v) = setting_value("ap_fixed<18, 8,AP_RND,AP_SAT>, reuse").unwrap();
        assert_eq!(
            (r, v.v.as_str()),
            (", reuse", "ap_fixed<18, 8,AP_RND,AP_SAT>")
        );
    }

    #[test]
    fn parses_statements() {
        let src = "# c\nx = input(8) # c2\n  -> dense(4, relu) @ {reuse: 2}\n; y = add(x, x)\nconfig { clock: 5 }\noutputs y";
        let p = program(src, any, "layer").unwrap();
        assert_eq!(p.len(), 4);
        let Stmt::Chain { var, head, calls } = &p[0] else {
            panic!()
        };
        assert_eq!(var.as_ref().unwrap().v, "x");
        assert!(matches!(head, Head::Call(c) if c.name.v == "input"));
        assert_eq!(calls[0].settings.as_ref().unwrap().v[0].value.v, "2");
        assert_eq!(src.len() - calls[0].name.tail, src.find("dense").unwrap());
    }

    #[test]
    fn reports_where() {
        let src = "input(8) -> dense(4,";
        let e = program(src, any, "layer").unwrap_err();
        assert_eq!(src.len() - e.at.len(), src.len());
        let e = program("input(8) dense", any, "layer").unwrap_err();
        assert_eq!(found(e.at), "'dense'");
    }
}
