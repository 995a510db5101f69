//! hls4ml's `Transpose` (Keras Permute): the config of `reshaping_templates.py`
//! (`transpose_config_template`, values from `utils/transpose_utils.py`
//! `transpose_config_gen`: the input shape, the output shape, the permutation and the input
//! stride of each output axis) and the call `nnet::transpose<in, out, config{index}>`, one
//! function for io_parallel (`nnet_transpose.h`) and io_stream (`nnet_transpose_stream.h`).

use super::Ctx;
use crate::model::Op;

pub const INCLUDES: &[&str] = &[
    "nnet_utils/nnet_transpose.h",
    "nnet_utils/nnet_transpose_stream.h",
];

fn join(v: &[usize]) -> String {
    v.iter()
        .map(|x| x.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// `transpose_config_gen`: the output shape and, per output axis, the input's stride along it
/// (row-major strides of `shape`, picked by `perm`).
pub fn shapes_and_strides(shape: &[usize], perm: &[usize]) -> (Vec<usize>, Vec<usize>) {
    let mut strides = vec![1usize; shape.len()];
    for i in (0..shape.len().saturating_sub(1)).rev() {
        strides[i] = strides[i + 1].saturating_mul(shape[i + 1]);
    }
    let to: Vec<usize> = perm
        .iter()
        .map(|&p| shape.get(p).copied().unwrap_or(0))
        .collect();
    let st: Vec<usize> = perm
        .iter()
        .map(|&p| strides.get(p).copied().unwrap_or(0))
        .collect();
    (to, st)
}

fn parts<'a>(c: &'a Ctx) -> (&'a [usize], &'a [usize]) {
    if let Op::Transpose { from_shape, perm } = &c.l.op {
        (from_shape, perm)
    } else {
        unreachable!("transpose::config on {:?}", c.l.op)
    }
}

/// hls4ml's transpose config `name` for an array of `shape` permuted by `perm`
/// (`transpose_config_template` filled by `transpose_config_gen`): the Permute layer's config,
/// and the input/output transposes of EinsumDense and Einsum.
pub fn transpose_config(name: &str, shape: &[usize], perm: &[usize]) -> String {
    let (to, strides) = shapes_and_strides(shape, perm);
    let dims = shape.len();
    let n: usize = shape.iter().product();
    format!(
        "struct {name} {{
    static const unsigned dims = {dims};
    static const unsigned N = {n};
    static const unsigned* const from_shape;
    static const unsigned* const to_shape;
    static const unsigned* const perm;
    static const unsigned* const perm_strides;
}};

unsigned {name}_from_shape[{dims}] = {{{from_s}}};
unsigned {name}_to_shape[{dims}] = {{{to_s}}};
unsigned {name}_perm[{dims}] = {{{perm_s}}};
unsigned {name}_perm_strides[{dims}] = {{{strides_s}}};

const unsigned* const {name}::from_shape = {name}_from_shape;
const unsigned* const {name}::to_shape = {name}_to_shape;
const unsigned* const {name}::perm = {name}_perm;
const unsigned* const {name}::perm_strides = {name}_perm_strides;
",
        from_s = join(shape),
        to_s = join(&to),
        perm_s = join(perm),
        strides_s = join(&strides),
    )
}

pub fn config(c: &Ctx) -> String {
    let (from, perm) = parts(c);
    transpose_config(&format!("config{}", c.index()), from, perm)
}

pub fn call(c: &Ctx) -> String {
    let (types, args) = c.io_args();
    format!("nnet::transpose<{types}, config{}>({args});", c.index())
}

#[cfg(test)]
mod tests {
    use super::shapes_and_strides;
    use crate::layers::{config_cpp, function_cpp};
    use crate::lower::{lower, ProjectOptions};
    use ir::{Layer, LayerKind, Network};

    #[test]
    fn strides_are_the_inputs_along_each_output_axis() {
        // transpose_config_gen((2, 3, 5), (2, 0, 1)): to (5, 2, 3); input strides (15, 5, 1)
        // picked by perm: (1, 15, 5)
        assert_eq!(
            shapes_and_strides(&[2, 3, 5], &[2, 0, 1]),
            (vec![5, 2, 3], vec![1, 15, 5])
        );
    }

    #[test]
    fn config_and_call_are_hls4ml_s() {
        // Truth: hls4ml 1.3.0's parameters.h and myproject.cpp of the harness model permute2d
        // (target/hls4ml-ref/permute2d__lat: Dense(4) over (6, 3) then Permute((2, 1)),
        // config3, reading layer7_out); here the Permute reads the (6, 4) input directly, so it
        // is config2 reading input_layer.
        let mut net = Network::new("m");
        net.add_layer(
            Layer::new(
                "input_layer",
                LayerKind::Input(ir::ops::Input { shape: vec![6, 4] }),
            ),
            &[],
        )
        .unwrap();
        net.add_layer(
            Layer::new(
                "permute1",
                LayerKind::Permute(ir::ops::Permute { dims: vec![2, 1] }),
            ),
            &["input_layer"],
        )
        .unwrap();
        net.default_outputs();
        net.infer_shapes().unwrap();
        let m = lower(&net, &ProjectOptions::default()).unwrap();
        let l = &m.layers[1];
        assert_eq!(
            config_cpp(&m, l).unwrap(),
            "struct config2 {
    static const unsigned dims = 2;
    static const unsigned N = 24;
    static const unsigned* const from_shape;
    static const unsigned* const to_shape;
    static const unsigned* const perm;
    static const unsigned* const perm_strides;
};

unsigned config2_from_shape[2] = {6, 4};
unsigned config2_to_shape[2] = {4, 6};
unsigned config2_perm[2] = {1, 0};
unsigned config2_perm_strides[2] = {1, 4};

const unsigned* const config2::from_shape = config2_from_shape;
const unsigned* const config2::to_shape = config2_to_shape;
const unsigned* const config2::perm = config2_perm;
const unsigned* const config2::perm_strides = config2_perm_strides;
"
        );
        assert_eq!(
            function_cpp(&m, l).unwrap(),
            "nnet::transpose<input_t, result_t, config2>(input_layer, layer2_out);"
        );
    }
}
