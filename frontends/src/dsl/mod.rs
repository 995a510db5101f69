//! The text DSL: a network a person can type, and its printer. Grammar and examples:
//! `docs/dsl.md`.
//!
//! ```text
//! network jet_tagger
//! config { precision: ap_fixed<16,6>, reuse: 1, strategy: latency }
//! input(16) -> dense(64, relu) -> dense(32, relu) -> dense(32, relu) -> dense(5, softmax)
//! ```
//!
//! Branches use node names: `x = input(8, 8, 3)`, `a = x -> conv2d(4, 3x3, padding=same)`,
//! `y = add(a, x) -> flatten -> dense(10)`. Layers are named as Keras 3 names them in a fresh
//! session (`dense`, `dense_1`, `conv2d`, `batch_normalization`, ...) unless `name="..."` is
//! given, so a network typed here and the same one built in Keras give equal IRs.
//!
//! Owns: [`parse`], [`parse_file`], [`to_dsl`] and [`DslError`]. Submodules: `syntax` (nom
//! parser to an AST with positions), `kinds` (the layer vocabulary, both directions), `build`
//! (AST to [`Network`], settings, shape inference), `print` (network to text).

mod build;
mod depthwise;
mod garnet;
mod kinds;
mod print;
mod recurrent;
mod spatial;
mod syntax;
mod transformer;

use ir::graph::Network;
use std::path::Path;
use thiserror::Error;

pub use kinds::{keras_prefix, MAX_SIZE};
pub use print::to_dsl;

/// Largest number of values any layer may output ([`ir::limits::MAX_ELEMENTS`]); parsing
/// stops with an error beyond it.
pub const MAX_ELEMENTS: usize = ir::limits::MAX_ELEMENTS as usize;

/// An error in DSL text, with the line and column (1-based, columns in characters) of the
/// offending text.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum DslError {
    /// The text does not follow the grammar.
    #[error("line {line}, column {column}: expected {expected}; found {found}")]
    Syntax {
        line: usize,
        column: usize,
        expected: String,
        found: String,
    },
    /// The text is well-formed but the network is not: unknown node, bad argument, duplicate
    /// name, shape mismatch, ...
    #[error("line {line}, column {column}: {message}")]
    Semantic {
        line: usize,
        column: usize,
        message: String,
    },
    /// An error in a file.
    /// (`inner` is printed in the message, so it is not also reported as a separate cause.)
    #[error("{path}: {inner}")]
    File { path: String, inner: Box<DslError> },
    /// The file could not be read.
    #[error("{path}: cannot read the file: {message}")]
    Io { path: String, message: String },
}

impl DslError {
    /// Line (1-based) of the error; 0 for I/O errors.
    pub fn line(&self) -> usize {
        match self {
            DslError::Syntax { line, .. } | DslError::Semantic { line, .. } => *line,
            DslError::File { inner, .. } => inner.line(),
            DslError::Io { .. } => 0,
        }
    }
    /// Column (1-based, in characters) of the error; 0 for I/O errors.
    pub fn column(&self) -> usize {
        match self {
            DslError::Syntax { column, .. } | DslError::Semantic { column, .. } => *column,
            DslError::File { inner, .. } => inner.column(),
            DslError::Io { .. } => 0,
        }
    }
}

/// Parse DSL text into a network with inferred shapes. Without a `network` statement the
/// network is named `network`.
pub fn parse(text: &str) -> Result<Network, DslError> {
    parse_named(text, "network")
}

/// Parse DSL text; `default_name` names the network when the text has no `network` statement.
pub fn parse_named(text: &str, default_name: &str) -> Result<Network, DslError> {
    let stmts = syntax::program(text, kinds::is_layer, kinds::EXPECTED_LAYER).map_err(|e| {
        let (line, column) = line_col(text, e.at.len());
        let mut found = syntax::found(e.at);
        if e.expected == kinds::EXPECTED_LAYER {
            if let Some(s) = suggestion(e.at) {
                found.push_str(&format!(" (did you mean '{s}'?)"));
            }
        }
        DslError::Syntax {
            line,
            column,
            expected: e.expected.into_owned(),
            found,
        }
    })?;
    build::build(text, stmts, default_name).map_err(|e| {
        let (line, column) = line_col(text, e.tail);
        DslError::Semantic {
            line,
            column,
            message: e.message,
        }
    })
}

/// Parse a DSL file (`.psn`). The network is named after the file stem unless the text has a
/// `network` statement; errors name the file.
pub fn parse_file(path: impl AsRef<Path>) -> Result<Network, DslError> {
    let path = path.as_ref();
    let shown = path.display().to_string();
    let text = ir::limits::read_text(path).map_err(|e| DslError::Io {
        path: shown.clone(),
        message: e.to_string(),
    })?;
    let stem = path
        .file_stem()
        .map_or_else(|| "network".into(), |s| s.to_string_lossy().into_owned());
    parse_named(&text, &stem).map_err(|e| DslError::File {
        path: shown,
        inner: Box::new(e),
    })
}

/// Line and column (1-based; column counted in characters) of the position `tail` bytes
/// before the end of `src`.
pub(crate) fn line_col(src: &str, tail: usize) -> (usize, usize) {
    let mut offset = src.len().saturating_sub(tail);
    while !src.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &src[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

/// The closest layer name to the word at `at`, if it is a likely typo.
fn suggestion(at: &str) -> Option<&'static str> {
    let word: String = at
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .take(40)
        .collect();
    if word.is_empty() {
        return None;
    }
    kinds::SPECS
        .iter()
        .map(|s| (edit_distance(&word, s.name), s.name))
        .filter(|(d, _)| *d <= 2)
        .min()
        .map(|(_, n)| n)
}

pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use ir::layer::{Activation, LayerKind, Padding};

    #[test]
    fn chain_form_names_like_keras() {
        let n = parse("input(16) -> dense(64, relu) -> dense(32, relu) -> dense(32, relu) -> dense(5, softmax)").unwrap();
        let names: Vec<&str> = n.layers().iter().map(|l| l.name.as_str()).collect();
        assert_eq!(
            names,
            ["input_layer", "dense", "dense_1", "dense_2", "dense_3"]
        );
        // 16*64+64 + 64*32+32 + 32*32+32 + 32*5+5, as Keras's count_params() gives for KERAS_3layer
        assert_eq!(n.total_params(), 4389);
        let last = n.layer(n.outputs[0]);
        assert_eq!(last.activation, Activation::Softmax);
        assert_eq!(last.output_shape, vec![5]);
    }

    #[test]
    fn dag_form() {
        let src = "x = input(32, 32, 3)\n\
                   a = x -> conv2d(16, 3x3, relu, padding=same) -> batchnorm\n\
                   b = x -> conv2d(16, 1x1)\n\
                   y = add(a, b) -> flatten -> dense(10, softmax)";
        let n = parse(src).unwrap();
        let names: Vec<&str> = n.layers().iter().map(|l| l.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "input_layer",
                "conv2d",
                "batch_normalization",
                "conv2d_1",
                "add",
                "flatten",
                "dense"
            ]
        );
        let c = n.layer(n.find("conv2d").unwrap());
        assert_eq!(
            c.kind,
            LayerKind::Conv2D(ir::ops::Conv2D {
                filters: 16,
                kernel: [3, 3],
                stride: [1, 1],
                padding: Padding::Same,
                use_bias: true
            })
        );
        assert_eq!(
            n.layer(n.find("flatten").unwrap()).output_shape,
            vec![32 * 32 * 16]
        );
    }

    #[test]
    fn errors_have_positions() {
        let e = parse("input(16)\n-> dense(4)\n-> dens(3)").unwrap_err();
        assert_eq!((e.line(), e.column()), (3, 4), "{e}");
        assert!(
            e.to_string()
                .contains("found 'dens' (did you mean 'dense'?)"),
            "{e}"
        );
        assert_eq!(line_col("ab\ncdé", 0), (2, 4));
    }

    #[test]
    fn printer_round_trips_examples() {
        let src = "network \"t\"\nconfig { reuse: 2, part: xcu250-figd2104-2L-e, clock: 4.5 }\n\
                   x = input(10, 4)\nc = x -> conv1d(6, 3, leaky_relu, alpha=0.1, stride=2, padding=same) @ {precision: ap_fixed<8,3>}\n\
                   g1 = c -> globalavgpool1d\ng2 = c -> globalmaxpool1d(name=\"g\") @ {weight: ap_fixed<4,1>, reuse: 3, strategy: resource}\n\
                   d = concat(g1, g2) -> dropout(0.25) -> dense(3, bias=false)\noutputs g1, d";
        let n = parse(src).unwrap();
        let text = to_dsl(&n);
        let back = parse(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert_eq!(back, n, "{text}");
        let outs: Vec<&str> = n
            .outputs
            .iter()
            .map(|o| n.layer(*o).name.as_str())
            .collect();
        assert_eq!(outs, ["global_average_pooling1d", "dense"]);
        assert_eq!(n.layer(n.find("g").unwrap()).settings.reuse_factor, Some(3));
    }
}
