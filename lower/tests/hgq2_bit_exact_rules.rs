//! The bit-exact forward rules of the encoder ops (`lower::passes::bit_exact::{merge, einsum,
//! einsum_dense, pooling}`) against hls4ml 1.3.0's own `_produce_kif` functions on random
//! inputs: tests/fixtures/hgq2/rules/cases.json, written by
//! scripts/hgq2_bit_exact_rules_reference.py (hls4ml's registered rules called on stand-in
//! nodes; its meta says the versions). Covers what the encoder golden does not exercise:
//! subtract, multiply, the averages (1/n, a power-of-two scale, a scale that is not one),
//! maximum, hls4ml's minimum, dot1d, other einsum equations, an EinsumDense without bias, max
//! pooling and strided, padded 1-D pooling.

use lower::passes::bit_exact::einsum_dense::Constant;
use lower::passes::bit_exact::merge::MergeOp;
use lower::passes::bit_exact::pooling::{PoolOp, Windows};
use lower::passes::bit_exact::{einsum, einsum_dense, merge, pooling, Kif};
use lower::EinsumRecipe;
use serde_json::Value;

mod common;
use common::{floats, ints};

fn cases() -> Vec<Value> {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/hgq2/rules/cases.json");
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
    v["cases"].as_array().unwrap().clone()
}

fn kif(v: &Value) -> Kif {
    Kif {
        k: ints(&v["k"]),
        i: ints(&v["i"]),
        f: ints(&v["f"]),
    }
}

fn shape(v: &Value) -> Vec<usize> {
    ints(v).iter().map(|&n| n as usize).collect()
}

fn recipe(eq: &str, s0: &[usize], s1: &[usize]) -> EinsumRecipe {
    let (lhs, out) = eq.split_once("->").unwrap();
    let (a, b) = lhs.split_once(',').unwrap();
    let c = |s: &str| -> Vec<char> { s.chars().collect() };
    EinsumRecipe::new(&c(a), &c(b), &c(out), s0, s1).unwrap()
}

fn ours(case: &Value) -> Kif {
    match case["kind"].as_str().unwrap() {
        "merge" => {
            let inputs: Vec<Kif> = case["inputs"].as_array().unwrap().iter().map(kif).collect();
            let refs: Vec<&Kif> = inputs.iter().collect();
            let op = match case["op"].as_str().unwrap() {
                "add" => MergeOp::Add,
                "subtract" => MergeOp::Subtract,
                "multiply" => MergeOp::Multiply,
                "average" => MergeOp::Average(case["scale"].as_f64()),
                "maximum" => MergeOp::Maximum,
                "minimum" => MergeOp::Minimum,
                "dot1d" => MergeOp::Dot1d,
                o => panic!("merge op {o}"),
            };
            merge::produce(op, &refs)
        }
        "einsum" => {
            let s = case["shapes"].as_array().unwrap();
            let (s0, s1) = (shape(&s[0]), shape(&s[1]));
            let r = recipe(case["equation"].as_str().unwrap(), &s0, &s1);
            let inp = case["inputs"].as_array().unwrap();
            einsum::produce(&r, &kif(&inp[0]), &s0, &kif(&inp[1]), &s1)
        }
        "einsum_dense" => {
            let (s0, sk) = (shape(&case["in_shape"]), shape(&case["kernel_shape"]));
            let r = recipe(case["equation"].as_str().unwrap(), &s0, &sk);
            let w = floats(&case["kernel"]);
            let b = (!case["bias"].is_null()).then(|| floats(&case["bias"]));
            let sb = (!case["bias_shape"].is_null()).then(|| shape(&case["bias_shape"]));
            einsum_dense::produce(
                &r,
                &kif(&case["input"]),
                &s0,
                Constant {
                    data: &w,
                    shape: &sk,
                },
                b.as_deref().map(|data| Constant {
                    data,
                    shape: sb.as_deref().unwrap(),
                }),
                &shape(&case["out_shape"]),
            )
            .unwrap()
        }
        "pooling" => {
            let s = shape(&case["shape"]);
            let op = match case["op"].as_str().unwrap() {
                "Average" => PoolOp::Average,
                "Max" => PoolOp::Max,
                o => panic!("pool op {o}"),
            };
            let w = if case["class"] == "GlobalPooling1D" {
                Windows::global(&s[..1], s[1])
            } else {
                let n = |k: &str| case[k].as_u64().unwrap() as usize;
                Windows {
                    spatial: vec![s[0]],
                    channels: s[1],
                    size: vec![n("pool_width")],
                    stride: vec![n("stride_width")],
                    pad: vec![(n("pad_left"), n("pad_right"))],
                }
            };
            pooling::produce(op, &kif(&case["input"]), &w)
        }
        k => panic!("case kind {k}"),
    }
}

#[test]
fn forward_rules_equal_hls4mls_produce_kif() {
    let cases = cases();
    let mut differ = Vec::new();
    for (n, case) in cases.iter().enumerate() {
        let theirs = kif(&case["out"]);
        let got = ours(case);
        if got != theirs {
            differ.push(format!(
                "case {n} ({} {}): ours {got:?}, hls4ml {theirs:?}",
                case["kind"],
                case.get("op")
                    .or(case.get("equation"))
                    .unwrap_or(&Value::Null)
            ));
        }
    }
    assert!(differ.is_empty(), "{}", differ.join("\n"));
    assert_eq!(cases.len(), 19, "every kind of case checked");
}
