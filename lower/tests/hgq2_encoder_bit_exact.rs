//! hls4ml's bit-exact precision flow over the ops of an HGQ2 encoder block
//! (`lower::passes::bit_exact::{einsum, einsum_dense, softmax, merge, pooling}`) against
//! hls4ml 1.3.0's own project: tests/fixtures/hgq2/encoder_noln (QDense -> QMultiHeadAttention
//! -> QAdd -> QEinsumDense FFN -> QAdd -> QGlobalAveragePooling1D -> QDense -> QSoftmax; written
//! by scripts/hgq2_hls4ml_reference.py with hls4ml 1.3.0, Keras 3.12.0, hgq2 0.1.6, as its
//! meta.json records).
//!
//! Everything is derived from the model file alone: the HGQ2 quantizer state and float weights
//! as presynth's frontend reads them from model.keras (`Layer::hgq_quantizers` and
//! `hgq_sub_quantizers`: the attention's projections and softmax, the adds' per-input
//! quantizers, the softmax tables). From them the test quantizes each kernel and bias as HGQ2
//! does (compared with hls4ml's weights/*.txt), runs the forward rules through the graph
//! hls4ml builds (its HGQ2 converter's decomposition of the attention, `converters/keras_v3/
//! hgq2/multi_head_attention.py`), the requests back, and registers every type; each must
//! equal, as text, the typedef hls4ml's defines.h has, and each quantizer's per-element casts
//! the function hls4ml generates. The one typedef of defines.h not derived is `layer34_index`
//! (the head Dense's `ap_uint<1>` weight index type, which hls4ml sets outside the flow).

use lower::passes::bit_exact::einsum_dense::Constant;
use lower::passes::bit_exact::layout::broadcast_sources;
use lower::passes::bit_exact::merge::MergeOp;
use lower::passes::bit_exact::pooling::{PoolOp, Windows};
use lower::passes::bit_exact::softmax::{SoftmaxShape, SoftmaxTables};
use lower::passes::bit_exact::types::{accum, BACKEND_TABLE_T};
use lower::passes::bit_exact::{
    einsum, einsum_dense, merge, minimal_kif_ints, pooling, quantize, register, FixedKif, Kif,
    Quantizer, QuantizerModes, UNBOUNDED,
};
use lower::EinsumRecipe;

mod common;

const CASE: &str = "encoder_noln";

fn network() -> ir::Network {
    frontends::load_model(&common::case_dir(CASE).join("model.keras"), None, None).unwrap()
}

fn layer<'a>(net: &'a ir::Network, name: &str) -> &'a ir::Layer {
    net.layer(net.find(name).unwrap_or_else(|| panic!("no layer {name}")))
}

/// An HGQ2 quantizer's state as a mask over a tensor of `shape` (its stored shape, leading
/// axes of 1 such as an input quantizer's batch axis dropped, broadcast to the tensor's).
fn mask(h: &ir::hgq::HgqQuantizer, shape: &[usize]) -> Quantizer {
    let mut stored: &[usize] = &h.shape;
    while stored.len() > shape.len() && stored[0] == 1 {
        stored = &stored[1..];
    }
    let at = broadcast_sources(stored, shape)
        .unwrap_or_else(|| panic!("quantizer of shape {:?} on {shape:?}", h.shape));
    Quantizer {
        mask: Kif {
            k: at.iter().map(|&s| h.k[s]).collect(),
            i: at.iter().map(|&s| h.i[s]).collect(),
            f: at.iter().map(|&s| h.f[s]).collect(),
        },
        modes: QuantizerModes {
            round: h.round_mode.clone(),
            overflow: h.overflow_mode.clone(),
        },
    }
}

fn own(l: &ir::Layer, role: ir::hgq::QuantizerRole) -> &ir::hgq::HgqQuantizer {
    l.hgq_quantizers
        .iter()
        .find(|q| q.role == role)
        .unwrap_or_else(|| panic!("{}: no {role:?} quantizer", l.name))
}

fn sub<'a>(l: &'a ir::Layer, path: &str) -> &'a ir::hgq::HgqQuantizer {
    &l.hgq_sub_quantizers
        .iter()
        .find(|q| q.path == path)
        .unwrap_or_else(|| panic!("{}: no quantizer {path}", l.name))
        .quantizer
}

/// A data-lane quantizer node after the forward flow: its quantizer and its shrunk mask.
struct QNode {
    name: String,
    q: Quantizer,
    m: Kif,
}

impl QNode {
    fn new(name: &str, h: &ir::hgq::HgqQuantizer, shape: &[usize], input: &Kif) -> QNode {
        let q = mask(h, shape);
        let m = q.produce(input);
        QNode {
            name: name.to_string(),
            q,
            m,
        }
    }
    /// What it requests of its input.
    fn req(&self) -> Kif {
        self.q.request(&self.m)
    }
    fn wraps(&self) -> bool {
        !matches!(self.q.modes.overflow.as_str(), "SAT" | "SAT_SYM")
    }
    /// Its own type: what it keeps, requested in full by the op it feeds.
    fn t(&self) -> FixedKif {
        register(&self.m, &Kif::unbounded(self.m.len()), false)
    }
}

/// The type of a node feeding the quantizers `qs` (all of them requesting, maxima taken).
fn fed(p: &Kif, qs: &[&QNode]) -> FixedKif {
    let reqs: Vec<Kif> = qs.iter().map(|q| q.req()).collect();
    let refs: Vec<&Kif> = reqs.iter().collect();
    let wrap = qs.iter().any(|q| q.wraps());
    register(p, &Kif::requested(p.len(), &refs), wrap)
}

/// An HGQ2 weight quantized as HGQ2 computes it, its values checked against hls4ml's
/// weights file (as a multiset: hls4ml lays an EinsumDense kernel out as it computes).
fn quantized(t: &ir::layer::Tensor, q: &Quantizer, txt: Option<&str>) -> Vec<f64> {
    let out: Vec<f64> = t
        .data
        .iter()
        .enumerate()
        .map(|(e, &x)| {
            let (k, i, f) = (q.mask.k[e], q.mask.i[e], q.mask.f[e]);
            f64::from(quantize(x, k, i, f, &q.modes).unwrap())
        })
        .collect();
    if let Some(name) = txt {
        let sorted = |mut v: Vec<f64>| {
            v.sort_by(f64::total_cmp);
            v
        };
        let theirs = common::weights_txt(CASE, name);
        if theirs.len() == out.len() {
            assert_eq!(sorted(out.clone()), sorted(theirs), "{name}.txt");
        } else {
            // a bias broadcast over the output: the same distinct values
            let distinct = |v: Vec<f64>| {
                let mut v = sorted(v);
                v.dedup();
                v
            };
            assert_eq!(distinct(out.clone()), distinct(theirs), "{name}.txt");
        }
    }
    out
}

fn weight_t(w: &[f64]) -> FixedKif {
    let (k, i, f) = minimal_kif_ints(w);
    FixedKif::from_kif(k, i, f)
}

/// One projection: its input quantizer, kernel, bias, output (and optional output quantizer),
/// with the types hls4ml registers for it.
struct Dense {
    iq: QNode,
    out: Kif,
    kernel_t: FixedKif,
    bias_t: FixedKif,
}

/// The (batch-less) einsum recipe of `in,ker->out` over the shapes.
fn recipe(eq: &str, s0: &[usize], s1: &[usize]) -> EinsumRecipe {
    let (lhs, out) = eq.split_once("->").unwrap();
    let (a, b) = lhs.split_once(',').unwrap();
    let c = |s: &str| -> Vec<char> { s.chars().collect() };
    EinsumRecipe::new(&c(a), &c(b), &c(out), s0, s1).unwrap()
}

#[allow(clippy::too_many_arguments)]
fn dense(
    name: &str,
    iq: &ir::hgq::HgqQuantizer,
    kq: &ir::hgq::HgqQuantizer,
    bq: Option<&ir::hgq::HgqQuantizer>,
    kernel: &ir::layer::Tensor,
    bias: Option<&ir::layer::Tensor>,
    eq: &str,
    in_shape: &[usize],
    input: &Kif,
    out_shape: &[usize],
    txt: (&str, &str),
) -> Dense {
    let iq = QNode::new(&format!("{name}_iq"), iq, in_shape, input);
    let w = quantized(kernel, &mask(kq, &kernel.shape), Some(txt.0));
    let b = match (bias, bq) {
        (Some(b), Some(bq)) => Some(quantized(b, &mask(bq, &b.shape), Some(txt.1))),
        _ => None,
    };
    let r = recipe(eq, in_shape, &kernel.shape);
    let out = einsum_dense::produce(
        &r,
        &iq.m,
        in_shape,
        Constant {
            data: &w,
            shape: &kernel.shape,
        },
        b.as_deref().map(|d| Constant {
            data: d,
            shape: &bias.unwrap().shape,
        }),
        out_shape,
    )
    .unwrap();
    // hls4ml gives a layer without a bias a zero bias of the output's last axis
    let bias_t = match &b {
        Some(b) => weight_t(b),
        None => {
            assert!(
                common::weights_txt(CASE, txt.1).iter().all(|v| *v == 0.0),
                "{}",
                txt.1
            );
            weight_t(&vec![0.0; out_shape[out_shape.len() - 1]])
        }
    };
    Dense {
        iq,
        out,
        kernel_t: weight_t(&w),
        bias_t,
    }
}

/// A QDense or QEinsumDense of `net` with its own input, kernel and bias quantizers.
fn own_dense(
    net: &ir::Network,
    name: &str,
    eq: &str,
    shapes: (&[usize], &[usize]),
    input: &Kif,
    txt: (&str, &str),
) -> Dense {
    use ir::hgq::QuantizerRole::{Bias, Input, Kernel};
    let l = layer(net, name);
    dense(
        name,
        own(l, Input),
        own(l, Kernel),
        Some(own(l, Bias)),
        l.weight("kernel").unwrap(),
        l.weight("bias"),
        eq,
        shapes.0,
        input,
        shapes.1,
        txt,
    )
}

/// A softmax of HGQ2 (`prefix` `` for a QSoftmax, `_softmax/` inside the attention) on `input`
/// of `shape` over its last axis: its tables, input quantizer and output.
struct Softmax {
    iq: QNode,
    tables: SoftmaxTables,
    out: Kif,
    shape: SoftmaxShape,
}

fn softmax(name: &str, l: &ir::Layer, prefix: &str, input: &Kif, shape: &[usize]) -> Softmax {
    let iq_h = if prefix.is_empty() {
        own(l, ir::hgq::QuantizerRole::Input)
    } else {
        sub(l, &format!("{prefix}iq"))
    };
    let iq = QNode::new(&format!("{name}_iq"), iq_h, shape, input);
    let table = |p: &str| mask(sub(l, &format!("{prefix}{p}")), &[1]);
    let tables = SoftmaxTables::from_quantizers(
        &table("exp_table/oq"),
        &table("inv_table/oq"),
        &table("inv_table/iq"),
        Some(&table("exp_table/iq")),
    )
    .unwrap();
    let shape = SoftmaxShape::over_axis(shape, shape.len() - 1);
    let out = tables.produce(shape.n_in);
    Softmax {
        iq,
        tables,
        out,
        shape,
    }
}

#[test]
fn encoder_block_types_equal_hls4mls() {
    use ir::hgq::QuantizerRole::Input;
    let net = network();
    let golden = common::typedefs(CASE);
    let mut ours: Vec<(String, String)> = Vec::new();
    let mut put = |name: &str, t: String| ours.push((name.to_string(), t));
    let mut casts: Vec<(String, Vec<Option<String>>)> = Vec::new();
    let mut cast = |q: &QNode| casts.push((q.name.clone(), q.q.element_types(&q.m)));

    let (seq, d, heads, kd, ff, classes) = (8usize, 16usize, 2usize, 8usize, 32usize, 4usize);
    let x = Kif::unbounded(seq * d);

    // proj: a QDense over positions (hls4ml's Dense rule, row by row)
    let proj = own_dense(
        &net,
        "proj",
        "bc,cd->bd",
        (&[seq, d], &[seq, d]),
        &x,
        ("w37", "b37"),
    );
    put("features_t", fed(&x, &[&proj.iq]).cpp());

    // the attention as hls4ml's HGQ2 converter decomposes it: query/key/value projections
    // (`abc,cde->abde`), the scores as an Einsum of key and query (`aecd,abcd->acbe`), the
    // softmax over the keys, the Einsum of scores and values (`acbe,aecd->abcd`), the output
    // projection (`abcd,cde->abe`); each projection with its input and output quantizer
    let mha = layer(&net, "mha");
    let hd = [seq, heads, kd];
    let proj_qkv = |part: &str, keras: &str, txt: (&str, &str)| {
        let has_bias = mha.weight(&format!("{keras}/bias")).is_some();
        let p = dense(
            &format!("mha_{keras}"),
            sub(mha, &format!("{part}/iq")),
            sub(mha, &format!("{part}/kq")),
            has_bias.then(|| sub(mha, &format!("{part}/bq"))),
            mha.weight(&format!("{keras}/kernel")).unwrap(),
            mha.weight(&format!("{keras}/bias")),
            "bc,cde->bde",
            &[seq, d],
            &proj.out,
            &hd,
            txt,
        );
        let oq = QNode::new(
            &format!("mha_{keras}_oq"),
            sub(mha, &format!("{part}/oq")),
            &hd,
            &p.out,
        );
        (p, oq)
    };
    let (q, q_oq) = proj_qkv("query_dense", "query", ("w5", "b5"));
    let (k, k_oq) = proj_qkv("key_dense", "key", ("w8", "b8"));
    let (v, v_oq) = proj_qkv("value_dense", "value", ("w11", "b11"));
    let scores_shape = [heads, seq, seq];
    let qk = einsum::produce(
        &recipe("ecd,bcd->cbe", &hd, &hd),
        &k_oq.m,
        &hd,
        &q_oq.m,
        &hd,
    );
    let sm = softmax("mha_q_softmax", mha, "_softmax/", &qk, &scores_shape);
    let sm_oq = QNode::new(
        "mha_q_softmax_oq",
        sub(mha, "_softmax/oq"),
        &scores_shape,
        &sm.out,
    );
    let av = einsum::produce(
        &recipe("cbe,ecd->bcd", &scores_shape, &hd),
        &sm_oq.m,
        &scores_shape,
        &v_oq.m,
        &hd,
    );
    let o = dense(
        "mha_attention_output",
        sub(mha, "output_dense/iq"),
        sub(mha, "output_dense/kq"),
        Some(sub(mha, "output_dense/bq")),
        mha.weight("attention_output/kernel").unwrap(),
        mha.weight("attention_output/bias"),
        "bcd,cde->be",
        &hd,
        &av,
        &[seq, d],
        ("w19", "b19"),
    );

    // res1 = proj + attention, each input through the add's own quantizer
    let res1_l = layer(&net, "res1");
    let add_q = |l: &ir::Layer, n: usize, name: &str, input: &Kif| {
        let path = if n == 0 {
            "iq/quantizers/quantizer".to_string()
        } else {
            format!("iq/quantizers/quantizer_{n}")
        };
        QNode::new(name, sub(l, &path), &[seq, d], input)
    };
    let r1a = add_q(res1_l, 0, "quantizer", &proj.out);
    let r1b = add_q(res1_l, 1, "quantizer_1", &o.out);
    let res1 = merge::produce(MergeOp::Add, &[&r1a.m, &r1b.m]);

    // the feed-forward EinsumDenses (`abc,cd->abd`), the first with its relu split off
    let ffn = |name: &str, input: &Kif, n_in: usize, n_out: usize, txt: (&str, &str)| {
        own_dense(
            &net,
            name,
            "bc,cd->bd",
            (&[seq, n_in], &[seq, n_out]),
            input,
            txt,
        )
    };
    let ffn1 = ffn("ffn1", &res1, d, ff, ("w24", "b24"));
    let relu = Kif {
        k: vec![0; ffn1.out.len()],
        ..ffn1.out.clone()
    };
    let ffn2 = ffn("ffn2", &relu, ff, d, ("w27", "b27"));
    let res2_l = layer(&net, "res2");
    let r2a = add_q(res2_l, 0, "quantizer_2", &res1);
    let r2b = add_q(res2_l, 1, "quantizer_3", &ffn2.out);
    let res2 = merge::produce(MergeOp::Add, &[&r2a.m, &r2b.m]);

    // average over the positions, the head, the softmax
    let pool_l = layer(&net, "pool");
    let pool_iq = QNode::new("pool_iq", own(pool_l, Input), &[seq, d], &res2);
    let windows = Windows::global(&[seq], d);
    let pool = pooling::produce(PoolOp::Average, &pool_iq.m, &windows);
    let head = own_dense(
        &net,
        "head",
        "c,cd->d",
        (&[d], &[classes]),
        &pool,
        ("w34", "b34"),
    );
    let prob = softmax("prob", layer(&net, "prob"), "", &head.out, &[classes]);

    // registration: each node's result from what it produces and what its consumers request
    let relu_req = |q: &QNode| {
        let r = q.req();
        Kif {
            k: vec![1; r.len()],
            i: vec![UNBOUNDED; r.len()],
            f: r.f,
        }
    };
    let mut dense_types = |name: &str, p: &Dense, result: FixedKif| {
        put(&format!("{name}_iq_t"), p.iq.t().cpp());
        put(&format!("{name}_accum_t"), accum(&p.out).cpp());
        put(&format!("{name}_t"), result.cpp());
        put(&format!("{name}_weight_t"), p.kernel_t.cpp());
        put(&format!("{name}_bias_t"), p.bias_t.cpp());
    };
    dense_types("proj", &proj, fed(&proj.out, &[&q.iq, &k.iq, &v.iq, &r1a]));
    for (name, p, oq) in [
        ("mha_query", &q, &q_oq),
        ("mha_key", &k, &k_oq),
        ("mha_value", &v, &v_oq),
    ] {
        dense_types(name, p, fed(&p.out, &[oq]));
    }
    dense_types("mha_attention_output", &o, fed(&o.out, &[&r1b]));
    dense_types(
        "ffn1",
        &ffn1,
        register(&ffn1.out, &relu_req(&ffn2.iq), false),
    );
    dense_types("ffn2", &ffn2, fed(&ffn2.out, &[&r2b]));
    dense_types("head", &head, fed(&head.out, &[&prob.iq]));
    for oq in [&q_oq, &k_oq, &v_oq, &sm_oq, &r1a, &r1b, &r2a, &r2b] {
        put(&format!("{}_t", oq.name), oq.t().cpp());
    }
    put("mha_mha_QK_accum_t", accum(&qk).cpp());
    put("mha_mha_QK_t", fed(&qk, &[&sm.iq]).cpp());
    put("mha_mha_aV_accum_t", accum(&av).cpp());
    put("mha_mha_aV_t", fed(&av, &[&o.iq]).cpp());
    put("res1_t", fed(&res1, &[&ffn1.iq, &r2a]).cpp());
    put("ffn1_relu_t", fed(&relu, &[&ffn2.iq]).cpp());
    put("ffn1_relu_table_t", BACKEND_TABLE_T.cpp());
    put("res2_t", fed(&res2, &[&pool_iq]).cpp());
    put("pool_iq_t", pool_iq.t().cpp());
    put(
        "pool_accum_t",
        pooling::accum(PoolOp::Average, &pool, &windows).cpp(),
    );
    put("pool_t", fed(&pool, &[&head.iq]).cpp());
    for (name, s, result) in [
        ("mha_q_softmax", &sm, fed(&sm.out, &[&sm_oq])),
        (
            "prob",
            &prob,
            register(&prob.out, &Kif::unbounded(prob.out.len()), false),
        ),
    ] {
        put(&format!("{name}_iq_t"), s.iq.t().cpp());
        put(&format!("{name}_exp_table_t"), s.tables.exp_table.cpp());
        put(&format!("{name}_inv_table_t"), s.tables.inv_table.cpp());
        put(&format!("{name}_inv_inp_t"), s.tables.inv_inp.cpp());
        put(
            &format!("{name}_inp_norm_t"),
            s.tables.inp_norm.as_ref().unwrap().cpp(),
        );
        put(&format!("{name}_accum_t"), s.tables.accum(s.shape).cpp());
        // the network's output keeps hls4ml's name for it
        let result_name = if name == "prob" {
            "result_t".to_string()
        } else {
            format!("{name}_t")
        };
        put(&result_name, result.cpp());
        put(&format!("{name}_table_t"), BACKEND_TABLE_T.cpp());
    }

    // every quantizer's per-element casts
    for qn in [
        &proj.iq, &q.iq, &q_oq, &k.iq, &k_oq, &v.iq, &v_oq, &sm.iq, &sm_oq, &o.iq, &r1a, &r1b,
        &ffn1.iq, &ffn2.iq, &r2a, &r2b, &pool_iq, &head.iq, &prob.iq,
    ] {
        cast(qn);
    }
    let mut bad_casts = Vec::new();
    for (name, c) in &casts {
        if *c != common::generated_casts(CASE, name) {
            bad_casts.push(name.clone());
        }
    }

    // table sizes and slices hls4ml wrote in parameters.h
    assert_eq!(
        common::config_number(CASE, "softmax_config15", "n_slice"),
        8
    );
    assert_eq!(sm.shape.n_slice() as u64, 8);
    for (cfg, s) in [("softmax_config15", &sm), ("softmax_config36", &prob)] {
        assert_eq!(
            common::config_number(CASE, cfg, "exp_table_size"),
            s.tables.exp_table_size(&s.iq.m),
            "{cfg}"
        );
        assert_eq!(
            common::config_number(CASE, cfg, "inv_table_size"),
            s.tables.inv_table_size(),
            "{cfg}"
        );
        assert_eq!(
            common::config_number(CASE, cfg, "n_slice"),
            s.shape.n_slice() as u64,
            "{cfg}"
        );
    }
    // the relu's table spans every value of its input (`register_precision` of Activation)
    let (rk, ri, rf) = ffn1.out.max_ints();
    assert_eq!(
        common::config_number(CASE, "relu_config25", "table_size"),
        1u64 << (rk + ri + rf)
    );

    // compare
    let (differ, missing) = common::typedef_differences(&golden, &ours);
    let missing: Vec<&String> = missing.iter().filter(|n| *n != "layer34_index").collect();
    eprintln!(
        "{CASE}: {} of {} typedefs reproduced ({} derived; layer34_index not a flow type)",
        ours.len() - differ.len(),
        golden.len(),
        ours.len()
    );
    assert!(
        differ.is_empty() && missing.is_empty() && bad_casts.is_empty(),
        "types that differ:\n{}\nnot derived: {missing:?}\nquantizer casts that differ: {bad_casts:?}",
        differ.join("\n")
    );
    assert_eq!(ours.len() + 1, golden.len());
}

/// The frontend reads every nested quantizer of the attention, the adds and the softmax with
/// the modes of the config entry it came from.
#[test]
fn nested_quantizers_are_read_with_their_modes() {
    let net = network();
    let paths = |name: &str| -> Vec<String> {
        let mut v: Vec<String> = layer(&net, name)
            .hgq_sub_quantizers
            .iter()
            .map(|q| q.path.clone())
            .collect();
        v.sort();
        v
    };
    let mut want_mha: Vec<String> = [
        "_softmax/exp_table/iq",
        "_softmax/exp_table/oq",
        "_softmax/inv_table/iq",
        "_softmax/inv_table/oq",
        "_softmax/iq",
        "_softmax/oq",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for p in ["query_dense", "key_dense", "value_dense", "output_dense"] {
        let attrs: &[&str] = match p {
            "key_dense" => &["iq", "kq", "oq"],
            "output_dense" => &["bq", "iq", "kq"],
            _ => &["bq", "iq", "kq", "oq"],
        };
        for a in attrs {
            want_mha.push(format!("{p}/{a}"));
        }
    }
    want_mha.sort();
    assert_eq!(paths("mha"), want_mha);
    assert_eq!(
        paths("res1"),
        vec!["iq/quantizers/quantizer", "iq/quantizers/quantizer_1"]
    );
    let mha = layer(&net, "mha");
    let t = sub(mha, "_softmax/exp_table/oq");
    assert_eq!(
        (t.round_mode.as_str(), t.overflow_mode.as_str()),
        ("RND_CONV", "SAT")
    );
    assert_eq!(t.role, ir::hgq::QuantizerRole::Output);
    // kbi: b 4, i 2, k 0 -> f 2
    assert_eq!(
        (t.k.clone(), t.i.clone(), t.f.clone()),
        (vec![0], vec![2], vec![2])
    );
    let kq = sub(mha, "query_dense/kq");
    assert_eq!(kq.overflow_mode, "SAT_SYM");
    assert_eq!(kq.shape, vec![16, 2, 8]);
    // the layer's own quantizers are unchanged (none for the attention, which has only sub-layers)
    assert!(mha.hgq_quantizers.is_empty());
    assert_eq!(layer(&net, "prob").hgq_quantizers.len(), 1);
}
