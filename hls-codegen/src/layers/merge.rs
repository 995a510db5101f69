//! Merge layers: element-wise `nnet::add/subtract/multiply/average/maximum/minimum`
//! (merge_config, one template for all; the function is hls4ml's `op` attribute) and `nnet::concatenate{1,2,3}d`
//! (concat_config with per-axis element counts).

use super::Ctx;
use crate::model::Op;

pub const INCLUDES: &[&str] = &["nnet_utils/nnet_merge.h", "nnet_utils/nnet_merge_stream.h"];

pub fn config(c: &Ctx) -> String {
    let (a, b) = (c.input(0), c.input(1));
    match c.l.op {
        Op::Merge { .. } => {
            let (e1, e2) = (a.size_cpp(), b.size_cpp());
            // hls4ml takes max() of the two size strings
            let n = if e1 >= e2 { e1.clone() } else { e2.clone() };
            format!(
                "struct config{idx} : nnet::merge_config {{
    static const unsigned n_elem = {n};
    static const unsigned n_elem1 = {e1};
    static const unsigned n_elem2 = {e2};
    static const unsigned reuse_factor = {rf};
}};
",
                idx = c.index(),
                rf = c.reuse()
            )
        }
        // merge_templates.py dot_config_template (product type `mult` for fixed-point operands)
        Op::Dot { n_in } => format!(
            "struct config{idx} : nnet::dot_config {{
    static const unsigned n_in = {n_in};
    static const unsigned n_out = 1;
    static const unsigned reuse_factor = {rf};
    static const unsigned multiplier_limit = DIV_ROUNDUP(n_in, reuse_factor);
    typedef {accum} accum_t;
    template<class x_T, class y_T>
    using product = nnet::product::mult<x_T, y_T>;
}};
",
            idx = c.index(),
            rf = c.reuse(),
            accum = c.l.accum_t.name,
        ),
        Op::Concatenate { axis } => {
            let dim = |s: &[usize], i: usize| s.get(i).copied().unwrap_or(0);
            // hls4ml stores Keras's positive axis minus one (batch dim), -1 as is
            let axis = if axis > 0 { axis - 1 } else { axis };
            format!(
                "struct config{idx} : nnet::concat_config {{
    static const unsigned n_elem1_0 = {};
    static const unsigned n_elem1_1 = {};
    static const unsigned n_elem1_2 = {};
    static const unsigned n_elem2_0 = {};
    static const unsigned n_elem2_1 = {};
    static const unsigned n_elem2_2 = {};

    static const int axis = {axis};
}};
",
                dim(&a.shape, 0),
                dim(&a.shape, 1),
                dim(&a.shape, 2),
                dim(&b.shape, 0),
                dim(&b.shape, 1),
                dim(&b.shape, 2),
                idx = c.index(),
            )
        }
        Op::Input
        | Op::Dense { .. }
        | Op::Conv1D { .. }
        | Op::Conv2D { .. }
        | Op::Pool1D { .. }
        | Op::Pool2D { .. }
        | Op::GlobalPool1D { .. }
        | Op::GlobalPool2D { .. }
        | Op::BatchNorm { .. }
        | Op::Activation { .. }
        | Op::Reshape
        | Op::Clone
        | Op::Dropout
        | Op::FixedPointQuantizer { .. }
        | Op::SeparableConv { .. }
        | Op::ZeroPadding1D { .. }
        | Op::ZeroPadding2D { .. }
        | Op::Cropping1D { .. }
        | Op::Cropping2D { .. }
        | Op::Resize { .. }
        | Op::LayerNorm { .. }
        | Op::EinsumDense { .. }
        | Op::Einsum { .. }
        | Op::Embedding { .. }
        | Op::Recurrent { .. }
        | Op::Transpose { .. } => {
            unreachable!("merge::config on {:?}", c.l.op)
        }
    }
}

pub fn call(c: &Ctx) -> String {
    let (a, b, o) = (c.input(0), c.input(1), c.output());
    let f = match c.l.op {
        Op::Merge { op } => op.lower().to_string(),
        Op::Concatenate { .. } => format!("concatenate{}d", a.shape.len()),
        Op::Dot { .. } => "dot1d".to_string(),
        Op::Input
        | Op::Dense { .. }
        | Op::Conv1D { .. }
        | Op::Conv2D { .. }
        | Op::Pool1D { .. }
        | Op::Pool2D { .. }
        | Op::GlobalPool1D { .. }
        | Op::GlobalPool2D { .. }
        | Op::BatchNorm { .. }
        | Op::Activation { .. }
        | Op::Reshape
        | Op::Clone
        | Op::Dropout
        | Op::FixedPointQuantizer { .. }
        | Op::SeparableConv { .. }
        | Op::ZeroPadding1D { .. }
        | Op::ZeroPadding2D { .. }
        | Op::Cropping1D { .. }
        | Op::Cropping2D { .. }
        | Op::Resize { .. }
        | Op::LayerNorm { .. }
        | Op::EinsumDense { .. }
        | Op::Einsum { .. }
        | Op::Embedding { .. }
        | Op::Recurrent { .. }
        | Op::Transpose { .. } => {
            unreachable!("merge::call on {:?}", c.l.op)
        }
    };
    format!(
        "nnet::{f}<{}, {}, {}, config{}>({}, {}, {});",
        a.type_name,
        b.type_name,
        o.type_name,
        c.index(),
        a.name,
        b.name,
        o.name
    )
}

#[cfg(test)]
mod tests {
    use crate::layers::{config_cpp, function_cpp};
    use crate::lower::{lower, ProjectOptions};
    use ir::ops::{Merge, MergeOp};
    use ir::{Activation, Layer, LayerKind, Network};

    #[test]
    fn dot_is_hls4ml_s_dot1d() {
        // Truth: hls4ml 1.3.0's parameters.h and myproject.cpp of the harness model dot1d
        // (target/hls4ml-ref/dot1d__lat: Dense a relu, Dense b tanh, Dot, there config6 reading
        // layer3_out and layer5_out, the split activations); here the Denses have no
        // activation, so the Dot is config4 reading layer2_out and layer3_out.
        let mut net = Network::new("m");
        let input = LayerKind::Input(ir::ops::Input { shape: vec![8] });
        net.add_layer(Layer::new("input_layer", input), &[])
            .unwrap();
        for name in ["a", "b"] {
            let dense = LayerKind::Dense(ir::ops::Dense {
                units: 6,
                use_bias: true,
            });
            let mut l = Layer::new(name, dense);
            l.weights = vec![
                ("kernel".into(), ir::Tensor::new(vec![8, 6], vec![0.25; 48])),
                ("bias".into(), ir::Tensor::new(vec![6], vec![0.0; 6])),
            ];
            net.add_layer(l, &["input_layer"]).unwrap();
        }
        net.add_layer(Layer::new("dot", LayerKind::Dot), &["a", "b"])
            .unwrap();
        net.default_outputs();
        net.infer_shapes().unwrap();
        let m = lower(&net, &ProjectOptions::default()).unwrap();
        let l = m.layers.iter().find(|l| l.name == "dot").unwrap();
        assert_eq!(
            config_cpp(&m, l).unwrap(),
            "struct config4 : nnet::dot_config {
    static const unsigned n_in = 6;
    static const unsigned n_out = 1;
    static const unsigned reuse_factor = 1;
    static const unsigned multiplier_limit = DIV_ROUNDUP(n_in, reuse_factor);
    typedef model_default_t accum_t;
    template<class x_T, class y_T>
    using product = nnet::product::mult<x_T, y_T>;
};
"
        );
        assert_eq!(
            function_cpp(&m, l).unwrap(),
            "nnet::dot1d<layer2_t, layer3_t, result_t, config4>(layer2_out, layer3_out, layer4_out);"
        );
    }

    #[test]
    fn every_merge_op_calls_its_nnet_function() {
        // Truth: hls4ml 1.3.0's myproject.cpp and parameters.h of the harness model merge_ops
        // (target/hls4ml-ref/merge_ops__lat: Dense a relu, Dense b tanh, then sub, mul, avg,
        // max, min, Dense out), whose activations hls4ml splits off as layer3 and layer5.
        let mut net = Network::new("m");
        let input = LayerKind::Input(ir::ops::Input { shape: vec![8] });
        net.add_layer(Layer::new("input_layer", input), &[])
            .unwrap();
        for (name, act) in [("a", Activation::Relu), ("b", Activation::Tanh)] {
            let dense = LayerKind::Dense(ir::ops::Dense {
                units: 8,
                use_bias: true,
            });
            let mut l = Layer::new(name, dense);
            l.activation = act;
            l.weights = vec![
                ("kernel".into(), ir::Tensor::new(vec![8, 8], vec![0.25; 64])),
                ("bias".into(), ir::Tensor::new(vec![8], vec![0.0; 8])),
            ];
            net.add_layer(l, &["input_layer"]).unwrap();
        }
        let merges = [
            ("sub", MergeOp::Subtract, ["a", "b"]),
            ("mul", MergeOp::Multiply, ["a", "b"]),
            ("avg", MergeOp::Average, ["sub", "mul"]),
            ("max", MergeOp::Maximum, ["avg", "a"]),
            ("min", MergeOp::Minimum, ["max", "b"]),
        ];
        for (name, op, ins) in merges {
            let l = Layer::new(name, LayerKind::Merge(Merge { op }));
            net.add_layer(l, &ins).unwrap();
        }
        let mut out = Layer::new(
            "out",
            LayerKind::Dense(ir::ops::Dense {
                units: 4,
                use_bias: true,
            }),
        );
        out.weights = vec![
            ("kernel".into(), ir::Tensor::new(vec![8, 4], vec![0.5; 32])),
            ("bias".into(), ir::Tensor::new(vec![4], vec![0.0; 4])),
        ];
        net.add_layer(out, &["min"]).unwrap();
        net.default_outputs();
        net.infer_shapes().unwrap();
        let m = lower(&net, &ProjectOptions::default()).unwrap();
        let calls: Vec<String> = m
            .layers
            .iter()
            .filter(|l| merges.iter().any(|(n, _, _)| *n == l.name))
            .map(|l| function_cpp(&m, l).unwrap())
            .collect();
        assert_eq!(
            calls,
            [
                "nnet::subtract<layer3_t, layer5_t, layer6_t, config6>(layer3_out, layer5_out, layer6_out);",
                "nnet::multiply<layer3_t, layer5_t, layer7_t, config7>(layer3_out, layer5_out, layer7_out);",
                "nnet::average<layer6_t, layer7_t, layer8_t, config8>(layer6_out, layer7_out, layer8_out);",
                "nnet::maximum<layer8_t, layer3_t, layer9_t, config9>(layer8_out, layer3_out, layer9_out);",
                "nnet::minimum<layer9_t, layer5_t, layer10_t, config10>(layer9_out, layer5_out, layer10_out);",
            ]
        );
        let max = m.layers.iter().find(|l| l.name == "max").unwrap();
        assert_eq!(
            config_cpp(&m, max).unwrap(),
            "struct config9 : nnet::merge_config {
    static const unsigned n_elem = 8;
    static const unsigned n_elem1 = 8;
    static const unsigned n_elem2 = 8;
    static const unsigned reuse_factor = 1;
};
"
        );
    }
}
