//! hls4ml 1.3.0's HGQ2 bit-exact flow through presynth's lowering pipeline on the encoder block
//! tests/fixtures/hgq2/encoder_noln (QDense -> QMultiHeadAttention -> QAdd -> QEinsumDense FFN
//! -> QAdd -> QGlobalAveragePooling1D -> QDense -> QSoftmax; hls4ml's own project, written by
//! scripts/hgq2_hls4ml_reference.py under hls4ml 1.3.0, Keras 3.12.0, hgq2 0.1.6, as its
//! meta.json records). model.keras is lowered by `lower::lower` as codegen lowers it: the
//! attention decomposed as hls4ml's HGQ2 converter does (its sub-layers' quantizer nodes, its
//! names, no scaling folded into the query), the adds' per-input quantizers, the bit_exact
//! pass typing every node. Required: the graph's nodes are hls4ml's (names, classes, indices,
//! in myproject.cpp's order) and every type the graph carries (each node's result, an
//! accumulator, weight and bias, a softmax's tables and table sizes) is, as text, the typedef
//! or the number hls4ml wrote.

mod common;

const CASE: &str = "encoder_noln";

fn graph() -> lower::Graph {
    let net = frontends::load_model(&common::case_dir(CASE).join("model.keras"), None, None)
        .expect("model.keras reads");
    lower::lower(&net).unwrap_or_else(|e| panic!("{CASE}: {e}"))
}

/// myproject.cpp's calls: (function, layer name, index of its output variable) in order.
fn golden_calls() -> Vec<(String, String, usize)> {
    common::read(CASE, "firmware/myproject.cpp")
        .lines()
        .filter_map(|l| {
            let l = l.trim();
            let (call, name) = l.strip_prefix("nnet::")?.split_once("); // ")?;
            let func = call.split('<').next()?.to_string();
            let out = call
                .rsplit_once("layer")?
                .1
                .split('_')
                .next()?
                .parse()
                .ok()?;
            Some((func, name.trim().to_string(), out))
        })
        .collect()
}

#[test]
fn encoder_nodes_are_hls4mls() {
    let g = graph();
    let ours: Vec<(String, usize)> = g
        .nodes
        .iter()
        .filter(|n| n.op != lower::Op::Input)
        .map(|n| (n.name.clone(), n.var_index))
        .collect();
    let theirs: Vec<(String, usize)> = golden_calls()
        .into_iter()
        .map(|(_, name, i)| (name, i))
        .collect();
    assert_eq!(ours, theirs);
}

#[test]
fn encoder_types_through_the_pipeline_equal_hls4mls() {
    let g = graph();
    let golden = common::typedefs(CASE);
    let types = g.bit_exact.as_ref().expect("the bit_exact pass ran");
    let mut ours: Vec<(String, String)> = Vec::new();
    let last = g.outputs.first().map(|p| p.node);
    for n in &g.nodes {
        let name = if n.op == lower::Op::Input {
            "features".to_string()
        } else {
            n.name.clone()
        };
        let result = if Some(n.key) == last {
            "result_t".to_string()
        } else {
            format!("{name}_t")
        };
        ours.push((result, n.precision.to_string()));
        let p = &n.settings.precision;
        for (suffix, t) in [
            ("accum", &p.accum),
            ("weight", &p.weight),
            ("bias", &p.bias),
        ] {
            if let Some(t) = t {
                ours.push((format!("{name}_{suffix}_t"), t.to_string()));
            }
        }
        if let Some(s) = types.softmax.get(&n.key) {
            let t = &s.tables;
            ours.push((format!("{name}_exp_table_t"), t.exp_table.cpp()));
            ours.push((format!("{name}_inv_table_t"), t.inv_table.cpp()));
            ours.push((format!("{name}_inv_inp_t"), t.inv_inp.cpp()));
            if let Some(i) = &t.inp_norm {
                ours.push((format!("{name}_inp_norm_t"), i.cpp()));
            }
            ours.push((format!("{name}_accum_t"), t.accum(s.shape).cpp()));
            let cfg = format!("softmax_config{}", n.index);
            for (key, v) in [
                ("exp_table_size", s.exp_table_size),
                ("inv_table_size", s.inv_table_size),
                ("n_slice", s.shape.n_slice() as u64),
            ] {
                assert_eq!(common::config_number(CASE, &cfg, key), v, "{cfg} {key}");
            }
        }
    }
    let (differ, missing) = common::typedef_differences(&golden, &ours);
    eprintln!(
        "{CASE}: {} of {} typedefs through the pipeline; not derived: {missing:?}",
        ours.len() - differ.len(),
        golden.len()
    );
    assert!(
        differ.is_empty(),
        "types that differ:\n{}",
        differ.join("\n")
    );
    // the tables the flow leaves at the backend's default and the head's weight index type,
    // which hls4ml sets outside the flow, are the only typedefs not carried by the graph
    assert_eq!(
        missing,
        [
            "ffn1_relu_table_t",
            "layer34_index",
            "mha_q_softmax_table_t",
            "prob_table_t"
        ]
    );
}
