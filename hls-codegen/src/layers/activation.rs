//! Activations: element-wise `nnet::relu/sigmoid/tanh/linear` (activ_config with a table
//! type), the parametrised `nnet::leaky_relu` (param_t), and `nnet::softmax` (stable
//! implementation, exp/inv tables, hls4ml's table-size fixes).

use super::Ctx;
use crate::model::{ActKind, Op};
use crate::precision;

pub const INCLUDES: &[&str] = &[
    "nnet_utils/nnet_activation.h",
    "nnet_utils/nnet_activation_stream.h",
];

const TABLE_SIZE: u64 = 1024;

fn parts<'a>(c: &'a Ctx) -> (&'a ActKind, &'a str) {
    match &c.l.op {
        Op::Activation { act, config_name } => (act, config_name.as_str()),
        other @ (Op::Input
        | Op::Dense { .. }
        | Op::Conv1D { .. }
        | Op::Conv2D { .. }
        | Op::Pool1D { .. }
        | Op::Pool2D { .. }
        | Op::GlobalPool1D { .. }
        | Op::GlobalPool2D { .. }
        | Op::BatchNorm { .. }
        | Op::Merge { .. }
        | Op::Concatenate { .. }
        | Op::Reshape
        | Op::Clone
        | Op::Dropout
        | Op::FixedPointQuantizer { .. }
        | Op::TimeDistributed { .. }
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
        | Op::Transpose { .. }
        | Op::Dot { .. }
        | Op::GarNet { .. }) => {
            unreachable!("activation on {other:?}")
        }
    }
}

fn type_name<'a>(c: &'a Ctx, key: &str) -> &'a str {
    c.l.extra(key)
        .map(|t| t.name.as_str())
        .unwrap_or("model_default_t")
}

pub fn config(c: &Ctx) -> String {
    let (act, cname) = parts(c);
    let idx = c.index();
    let n_in = c.input(0).size();
    let (io, rf) = (c.iotype(), c.reuse());
    match act {
        ActKind::Plain(_) | ActKind::Param { .. } | ActKind::PReLU => {
            // a parametrised activation's config adds the type of its alpha
            let param = match act {
                ActKind::Param { .. } | ActKind::PReLU => {
                    format!("    typedef {} param_t;\n", type_name(c, "param_t"))
                }
                _ => String::new(),
            };
            format!(
                "struct {cname}_config{idx} : nnet::activ_config {{
    static const unsigned n_in = {n_in};
    static const unsigned table_size = {table_size};
    static const unsigned io_type = nnet::{io};
    static const unsigned reuse_factor = {rf};
    typedef {table} table_t;
{param}}};
",
                table = type_name(c, "table_t"),
                table_size = c.l.table_size.unwrap_or(TABLE_SIZE),
            )
        }
        ActKind::HardSigmoid { .. } | ActKind::QKerasHard(_) => {
            // hard_activ_config_template (backends/vivado/passes/core_templates.py); QKeras's
            // hard quantized_tanh/quantized_sigmoid: slope and shift 0.5
            let (slope, shift) = match act {
                ActKind::HardSigmoid { slope, shift } => (slope, shift),
                _ => (&0.5, &0.5),
            };
            let (slope_t, shift_t) = (type_name(c, "slope_t"), type_name(c, "shift_t"));
            format!(
                "struct {cname}_config{idx} {{
    static const unsigned n_in = {n_in};
    static const {slope_t} slope;
    static const {shift_t} shift;
    static const unsigned io_type = nnet::{io};
    static const unsigned reuse_factor = {rf};
}};
const {slope_t} {cname}_config{idx}::slope = {slope};
const {shift_t} {cname}_config{idx}::shift = {shift};
",
                slope = python_float(*slope),
                shift = python_float(*shift),
            )
        }
        ActKind::Softmax => {
            if let Some(s) = &c.l.bit_exact_softmax {
                return bit_exact_softmax_config(c, s, n_in, idx, io, rf);
            }
            let input = &c.input(0).precision;
            // FixSoftmaxTableSize: at most 2**min(input width, inv table width)
            let table_w = precision::softmax_table_t().width();
            let table = TABLE_SIZE.min(1u64 << input.width().min(table_w).min(62));
            let exp = precision::softmax_exp_table_size(input, table);
            // over the last axis: one slice per position (hls4ml's SoftmaxHandler n_outer)
            let n_slice = c.input(0).shape.last().copied().unwrap_or(n_in).max(1);
            let n_outer = n_in / n_slice;
            format!(
                "struct softmax_config{idx} : nnet::activ_config {{
    static const unsigned n_in = {n_in};
    static const unsigned n_slice = {n_slice};
    static const unsigned n_outer = {n_outer};
    static const unsigned n_inner = 1;
    static const unsigned parallelization_factor = -1;
    static const unsigned exp_table_size = {exp};
    static const unsigned inv_table_size = {table};
    static const unsigned io_type = nnet::{io};
    static const unsigned reuse_factor = {rf};
    static const unsigned axis = -1;
    static const nnet::softmax_implementation implementation = nnet::softmax_implementation::stable;
    static constexpr float exp_scale = 1.0;
    typedef {exp_t} exp_table_t;
    typedef {inv_t} inv_table_t;
    typedef {accum} accum_t;
    typedef {inv_inp} inv_inp_t;
    typedef {norm} inp_norm_t;
}};
",
                exp_t = type_name(c, "exp_table_t"),
                inv_t = type_name(c, "inv_table_t"),
                accum = c.l.accum_t.name,
                inv_inp = type_name(c, "inv_inp_t"),
                norm = precision::softmax_inp_norm(input),
            )
        }
    }
}

pub fn call(c: &Ctx) -> String {
    let (act, cname) = parts(c);
    let idx = c.index();
    let (i, o) = (c.input(0), c.output());
    match act {
        // the function is the activation's own; the config may be named otherwise (ReLU)
        ActKind::Plain(func) => format!(
            "nnet::{func}<{}, {}, {cname}_config{idx}>({}, {});",
            i.type_name, o.type_name, i.name, o.name
        ),
        ActKind::HardSigmoid { .. } | ActKind::QKerasHard(_) => format!(
            "nnet::{cname}<{}, {}, {cname}_config{idx}>({}, {});",
            i.type_name, o.type_name, i.name, o.name
        ),
        ActKind::Param { func, alpha } => format!(
            "nnet::{func}<{}, {}, {}, {cname}_config{idx}>({}, {}, {});",
            i.type_name,
            type_name(c, "param_t"),
            o.type_name,
            i.name,
            python_float(*alpha),
            o.name
        ),
        // hls4ml's PReLUFunctionTemplate: the alpha array in place of the parameter
        ActKind::PReLU => format!(
            "nnet::prelu<{}, {}, {}, {cname}_config{idx}>({}, {}, {});",
            i.type_name,
            type_name(c, "param_t"),
            o.type_name,
            i.name,
            c.l.weights.first().map(|w| w.name.as_str()).unwrap_or("a"),
            o.name
        ),
        ActKind::Softmax => format!(
            "nnet::{}<{}, {}, softmax_config{idx}>({}, {});",
            if i.shape.len() > 1 {
                "softmax_multidim"
            } else {
                "softmax"
            },
            i.type_name,
            o.type_name,
            i.name,
            o.name
        ),
    }
}

/// Python's `str(float)`: shortest round-trip digits, `1.0` for integral values, exponent form
/// (`1e-05`) below 1e-4 and from 1e16.
pub fn python_float(v: f64) -> String {
    if !v.is_finite() {
        return if v.is_nan() {
            "nan".into()
        } else if v > 0.0 {
            "inf".into()
        } else {
            "-inf".into()
        };
    }
    let a = v.abs();
    if a != 0.0 && !(1e-4..1e16).contains(&a) {
        let s = format!("{v:e}"); // e.g. 1e-5, 1.5e-7
        let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
        let e: i32 = exp.parse().unwrap_or(0);
        let sign = if e < 0 { '-' } else { '+' };
        return format!("{mant}e{sign}{:02}", e.abs());
    }
    if v.fract() == 0.0 {
        format!("{v:.1}")
    } else {
        format!("{v}")
    }
}

/// The config of a softmax typed by hls4ml's bit-exact pass (an HGQ2 softmax): the
/// converter's table sizes, parallelization factor, `exp_scale` and implementation.
fn bit_exact_softmax_config(
    c: &Ctx,
    s: &crate::model::BitExactSoftmax,
    n_in: usize,
    idx: usize,
    io: &str,
    rf: u32,
) -> String {
    let n_slice = c.input(0).shape.last().copied().unwrap_or(n_in).max(1);
    let n_outer = n_in / n_slice;
    format!(
                "struct softmax_config{idx} : nnet::activ_config {{
    static const unsigned n_in = {n_in};
    static const unsigned n_slice = {n_slice};
    static const unsigned n_outer = {n_outer};
    static const unsigned n_inner = 1;
    static const unsigned parallelization_factor = {pf};
    static const unsigned exp_table_size = {exp};
    static const unsigned inv_table_size = {inv};
    static const unsigned io_type = nnet::{io};
    static const unsigned reuse_factor = {rf};
    static const unsigned axis = -1;
    static const nnet::softmax_implementation implementation = nnet::softmax_implementation::{implementation};
    static constexpr float exp_scale = {scale};
    typedef {exp_t} exp_table_t;
    typedef {inv_t} inv_table_t;
    typedef {accum} accum_t;
    typedef {inv_inp} inv_inp_t;
{norm}}};
",
                pf = s.parallelization_factor,
                exp = s.exp_table_size,
                inv = s.inv_table_size,
                implementation = if c.l.extra("inp_norm_t").is_some() { "stable" } else { "latency" },
                scale = python_float(s.exp_scale),
                exp_t = type_name(c, "exp_table_t"),
                inv_t = type_name(c, "inv_table_t"),
                accum = c.l.accum_t.name,
                inv_inp = type_name(c, "inv_inp_t"),
                norm = c
                    .l
                    .extra("inp_norm_t")
                    .map(|t| format!("    typedef {} inp_norm_t;\n", t.name))
                    .unwrap_or_default(),
            )
}

#[cfg(test)]
mod tests {
    use super::python_float;
    use crate::layers::{config_cpp, function_cpp};
    use crate::lower::{lower, ProjectOptions};
    use ir::{Activation, Layer, LayerKind, Network};

    #[test]
    fn elu_and_table_activations_are_hls4ml_s() {
        // Truth: hls4ml 1.3.0's parameters.h and myproject.cpp of the harness model
        // mlp_table_acts (target/hls4ml-ref/mlp_table_acts__lat): its Dense fc1 with softplus
        // (layer2, split off as layer3) and, there after selu as layer8, an ELU(alpha=0.5) layer;
        // here the ELU follows the softplus directly, so it is layer4.
        let mut net = Network::new("m");
        let input = LayerKind::Input(ir::ops::Input { shape: vec![12] });
        net.add_layer(Layer::new("input_layer", input), &[])
            .unwrap();
        let mut fc1 = Layer::new(
            "fc1",
            LayerKind::Dense(ir::ops::Dense {
                units: 16,
                use_bias: true,
            }),
        );
        fc1.activation = Activation::Softplus;
        fc1.weights = vec![
            (
                "kernel".into(),
                ir::Tensor::new(vec![12, 16], vec![0.25; 192]),
            ),
            ("bias".into(), ir::Tensor::new(vec![16], vec![0.0; 16])),
        ];
        net.add_layer(fc1, &["input_layer"]).unwrap();
        let elu = LayerKind::Activation(Activation::Elu { alpha: 0.5 });
        net.add_layer(Layer::new("elu", elu), &["fc1"]).unwrap();
        net.default_outputs();
        net.infer_shapes().unwrap();
        let m = lower(&net, &ProjectOptions::default()).unwrap();
        let find = |n: &str| m.layers.iter().find(|l| l.name == n).unwrap();
        let sp = find("fc1_softplus");
        assert_eq!(
            config_cpp(&m, sp).unwrap(),
            "struct softplus_config3 : nnet::activ_config {
    static const unsigned n_in = 16;
    static const unsigned table_size = 1024;
    static const unsigned io_type = nnet::io_parallel;
    static const unsigned reuse_factor = 1;
    typedef fc1_softplus_table_t table_t;
};
"
        );
        assert_eq!(
            function_cpp(&m, sp).unwrap(),
            "nnet::softplus<layer2_t, layer3_t, softplus_config3>(layer2_out, layer3_out);"
        );
        let e = find("elu");
        assert_eq!(
            config_cpp(&m, e).unwrap(),
            "struct elu_config4 : nnet::activ_config {
    static const unsigned n_in = 16;
    static const unsigned table_size = 1024;
    static const unsigned io_type = nnet::io_parallel;
    static const unsigned reuse_factor = 1;
    typedef elu_table_t table_t;
    typedef model_default_t param_t;
};
"
        );
        assert_eq!(
            function_cpp(&m, e).unwrap(),
            "nnet::elu<layer3_t, model_default_t, result_t, elu_config4>(layer3_out, 0.5, layer4_out);"
        );
    }

    #[test]
    fn floats_print_like_python() {
        // python3 -c "print(0.1, 0.3, 1.0, 1e-05, 0.0001, 2.5e-07, 1e16)"
        let got: Vec<String> = [0.1, 0.3, 1.0, 1e-5, 1e-4, 2.5e-7, 1e16]
            .iter()
            .map(|v| python_float(*v))
            .collect();
        assert_eq!(
            got,
            ["0.1", "0.3", "1.0", "1e-05", "0.0001", "2.5e-07", "1e+16"]
        );
    }
}
