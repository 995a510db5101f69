//! The DSL part of the malformed-input table: each bad text gives an error (never a panic) that
//! names the problem and points at the offending text. Lines and columns are counted by hand
//! from the texts below (1-based; columns in characters).

use frontends::dsl::{parse, parse_file, DslError};

struct Case {
    what: &'static str,
    text: &'static str,
    line: usize,
    column: usize,
    /// Every one of these must appear in the message.
    says: &'static [&'static str],
}

const CASES: &[Case] = &[
    Case {
        what: "unknown layer",
        text: "input(16) -> dens(64)",
        line: 1,
        column: 14,
        says: &[
            "expected a layer name such as",
            "found 'dens'",
            "did you mean 'dense'?",
        ],
    },
    Case {
        what: "unclosed parenthesis",
        text: "input(16) -> dense(64, relu\n",
        line: 2,
        column: 1,
        says: &[
            "expected ',' or ')' after the argument",
            "found end of input",
        ],
    },
    Case {
        what: "negative units",
        text: "input(16) -> dense(-3, relu)",
        line: 1,
        column: 20,
        says: &["dense: units must be a positive integer", "found -3"],
    },
    Case {
        what: "zero units",
        text: "x = input(16)\nx -> dense(0)",
        line: 2,
        column: 12,
        says: &["units must be a positive integer", "found 0"],
    },
    Case {
        what: "bad ap_fixed text in a layer setting",
        text: "input(16) -> dense(8) @ {precision: ap_fixed<8>}",
        line: 1,
        column: 37,
        says: &[
            "setting 'precision'",
            "invalid fixed-point type 'ap_fixed<8>'",
            "2 to 5 arguments",
        ],
    },
    Case {
        what: "bad ap_fixed text in the model config",
        text: "config {\n  precision: ap_fixd<16,6>\n}\ninput(4)",
        line: 2,
        column: 14,
        says: &["unknown type 'ap_fixd'"],
    },
    Case {
        what: "reference to an undefined node",
        text: "x = input(4)\ny = add(x, z)",
        line: 2,
        column: 12,
        says: &["unknown node 'z'", "defined so far: x"],
    },
    Case {
        what: "shape mismatch in add",
        text: "x = input(8)\na = x -> dense(4)\ny = add(x, a)",
        line: 3,
        column: 5,
        says: &["layer 'add' (Add)", "shape mismatch", "[8]", "[4]"],
    },
    Case {
        what: "shape mismatch in concat",
        text: "x = input(8, 2)\na = x -> flatten\nconcat(x, a)",
        line: 3,
        column: 1,
        says: &["layer 'concatenate' (Concatenate)", "differ outside axis"],
    },
    Case {
        what: "kernel larger than the input",
        text: "input(4, 4, 1) -> conv2d(2, 5x5)",
        line: 1,
        column: 19,
        says: &[
            "layer 'conv2d' (Conv2D)",
            "kernel [5, 5] is larger than the input [4, 4]",
        ],
    },
    Case {
        what: "conv2d on a flat input",
        text: "input(16)\n  -> conv2d(2, 3x3)",
        line: 2,
        column: 6,
        says: &["expects a rank-3 input"],
    },
    Case {
        what: "dense on nothing",
        text: "dense(8, relu)",
        line: 1,
        column: 1,
        says: &["dense needs an input"],
    },
    Case {
        what: "duplicate layer names",
        text: "x = input(4)\nx -> dense(2, name=\"fc\")\nx -> dense(3, name=\"fc\")",
        line: 3,
        column: 6,
        says: &["duplicate layer name 'fc'", "first used on line 2"],
    },
    Case {
        what: "an explicit name that auto-naming gives again",
        text: "input(4, name=\"dense\") -> dense(2)",
        line: 1,
        column: 27,
        says: &["duplicate layer name 'dense'"],
    },
    Case {
        what: "node defined twice",
        text: "x = input(4)\nx = input(5)",
        line: 2,
        column: 1,
        says: &["node 'x' is already defined on line 1"],
    },
    Case {
        what: "misspelt keyword argument",
        text: "input(8) -> dense(4, activaton=relu)",
        line: 1,
        column: 22,
        says: &["dense has no argument 'activaton'", "'activation'"],
    },
    Case {
        what: "unknown activation",
        text: "input(8) -> dense(4, gelu)",
        line: 1,
        column: 22,
        says: &["activation must be one of", "found gelu"],
    },
    Case {
        what: "zero reuse factor",
        text: "config { reuse: 0 }\ninput(8)",
        line: 1,
        column: 17,
        says: &[
            "setting 'reuse'",
            "positive integer reuse factor",
            "found '0'",
        ],
    },
    Case {
        what: "unknown strategy",
        text: "input(8) -> dense(4) @ {strategy: fast}",
        line: 1,
        column: 35,
        says: &["unknown strategy 'fast'"],
    },
    Case {
        what: "sparsity out of range",
        text: "input(8) -> dense(4) @ {sparsity: 1.5}",
        line: 1,
        column: 35,
        says: &[
            "setting 'sparsity'",
            "fraction of zero weights",
            "found '1.5'",
        ],
    },
    Case {
        what: "unknown model setting",
        text: "config { reuse: 2, speed: 9 }\ninput(8)",
        line: 1,
        column: 20,
        says: &["unknown model setting 'speed'", "precision, reuse"],
    },
    Case {
        what: "unterminated string",
        text: "input(4) -> dense(2, name=\"fc1)",
        line: 1,
        column: 32,
        says: &["a closing '\"'"],
    },
    Case {
        what: "two layers without an arrow",
        text: "input(8) dense(3)",
        line: 1,
        column: 10,
        says: &["expected '->', ';' or a new line", "found 'dense'"],
    },
    Case {
        what: "input after an arrow",
        text: "input(8) -> input(3)",
        line: 1,
        column: 13,
        says: &["input(...) starts a chain"],
    },
    Case {
        what: "no input layer",
        text: "# nothing but a comment\n",
        line: 1,
        column: 1,
        says: &["no input layer"],
    },
    Case {
        what: "reshape to a different size",
        text: "input(10) -> reshape(3, 3)",
        line: 1,
        column: 14,
        says: &["cannot reshape 10 elements"],
    },
    Case {
        what: "dropout rate out of range",
        text: "input(10) -> dropout(1.5)",
        line: 1,
        column: 22,
        says: &["rate must be in [0, 1)", "found 1.5"],
    },
    Case {
        what: "alpha without leaky_relu",
        text: "input(10) -> dense(3, relu, alpha=0.1)",
        line: 1,
        column: 35,
        says: &["alpha applies only to the leaky_relu and elu activations"],
    },
    Case {
        what: "a layer too large to represent",
        text: "input(16000000, 16000000)",
        line: 1,
        column: 1,
        says: &["more than 1099511627776 values"],
    },
    Case {
        what: "column counted in characters after non-ASCII text",
        text: "x = input(4) # entrée\nx -> dense(2) -> dropout(rate=-1)",
        line: 2,
        column: 31,
        says: &["rate must be in [0, 1)"],
    },
];

#[test]
fn every_bad_text_names_the_problem_and_where() {
    for c in CASES {
        let err = match parse(c.text) {
            Ok(_) => panic!("{}: parsed without error:\n{}", c.what, c.text),
            Err(e) => e,
        };
        let msg = err.to_string();
        if std::env::var_os("SHOW_ERRORS").is_some() {
            println!("{:<50} {msg}", c.what);
        }
        assert_eq!(
            (err.line(), err.column()),
            (c.line, c.column),
            "{}: wrong position in: {msg}",
            c.what
        );
        assert!(
            msg.starts_with(&format!("line {}, column {}: ", c.line, c.column)),
            "{}: {msg}",
            c.what
        );
        for s in c.says {
            assert!(msg.contains(s), "{}: message lacks '{s}': {msg}", c.what);
        }
    }
    assert!(CASES.len() >= 10);
}

#[test]
fn file_errors_name_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.psn");
    std::fs::write(&path, "input(16)\n  -> dense(0)\n").unwrap();
    let err = parse_file(&path).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.starts_with(&format!("{}: line 2, column 12: ", path.display())),
        "{msg}"
    );
    assert!(matches!(err, DslError::File { .. }));

    let missing = dir.path().join("missing.psn");
    let err = parse_file(&missing).unwrap_err();
    assert!(matches!(err, DslError::Io { .. }), "{err}");
    assert!(err.to_string().contains("missing.psn"), "{err}");

    // without a `network` statement the network takes the file's name
    let ok = dir.path().join("tiny_net.psn");
    std::fs::write(&ok, "input(3) -> dense(1)").unwrap();
    assert_eq!(parse_file(&ok).unwrap().name, "tiny_net");
}
