//! `qkeras_factorize_alpha` (`model/optimizer/passes/qkeras.py`): hls4ml moves the alpha scale
//! of a QDense/QConv kernel quantizer (`alpha="auto_po2"`) into an `ApplyAlpha` node
//! `<layer>_alpha` right after the layer. The Keras frontend already made that layer (with the
//! factorised kernel, the scale and the moved bias: `frontends/src/keras/alpha.rs`); this pass
//! gives it what hls4ml's pass gives the node it makes:
//!
//! - its index: `make_node` after parsing takes the next free index, so every ApplyAlpha is
//!   numbered after all parsed layers, in graph order (parse leaves it unnumbered);
//! - its config: `Precision: auto` (every type it does not take from a quantizer is inferred:
//!   the result by the BatchNormalization rule, which gives the default for the power-of-two
//!   scale type), the layer's reuse factor, and the layer's bias quantizer type for its bias
//!   (the quantizer moves with the bias).

use super::Pass;
use crate::error::Result;
use crate::graph::Graph;
use ir::Network;

pub struct QKerasFactorizeAlpha;

impl Pass for QKerasFactorizeAlpha {
    fn name(&self) -> &'static str {
        "qkeras_factorize_alpha"
    }

    fn run(&self, net: &Network, g: &mut Graph) -> Result<bool> {
        let positions = g.positions();
        let mut changed = false;
        for i in 0..g.nodes.len() {
            if g.nodes[i].class != "ApplyAlpha" || g.nodes[i].index != 0 {
                continue;
            }
            // the layer whose kernel was factorised (through the Keras 2 parser's linear
            // activation, removed later)
            let mut src = g.nodes[i]
                .inputs
                .first()
                .and_then(|p| positions.get(&p.node));
            while let Some(&j) = src {
                if g.nodes[j].class == "Activation" {
                    src = g.nodes[j]
                        .inputs
                        .first()
                        .and_then(|p| positions.get(&p.node));
                } else {
                    break;
                }
            }
            let producer = src.map(|&j| g.nodes[j].settings.clone());
            let index = g.next_index();
            let n = &mut g.nodes[i];
            n.index = index;
            n.var_index = index;
            let s = &mut n.settings;
            s.auto.result = true;
            if let Some(p) = producer {
                s.reuse_factor = Some(net.config.resolve(&p).reuse_factor);
                if p.quantized.bias && p.precision.bias.is_some() {
                    s.precision.bias = p.precision.bias.clone();
                    s.quantized.bias = true;
                }
            }
            if s.precision.bias.is_none() {
                s.auto.bias = true;
            }
            changed = true;
        }
        Ok(changed)
    }
}

#[cfg(test)]
mod tests {
    use ir::{Layer, LayerKind, Network};

    #[test]
    fn apply_alpha_is_numbered_after_the_parsed_layers() {
        // hls4ml (QKeras harness case qdense_alpha): input 1, fc1 2, fc1_linear 3 (removed),
        // act1 4, out 5, out_linear 6 (removed), fc1_alpha 7 — read here without the linear
        // layers: in 1, fc1 2, out 3, fc1_alpha 4, with fc1's reuse factor and bias type.
        let mut net = Network::new("alpha");
        net.add_layer(
            Layer::new("in", LayerKind::Input(ir::ops::Input { shape: vec![10] })),
            &[],
        )
        .unwrap();
        let mut fc1 = Layer::new(
            "fc1",
            LayerKind::Dense(ir::ops::Dense {
                units: 8,
                use_bias: true,
            }),
        );
        fc1.settings.reuse_factor = Some(2);
        fc1.settings.precision.bias = Some("ap_fixed<6,1>".parse().unwrap());
        fc1.settings.quantized.bias = true;
        net.add_layer(fc1, &["in"]).unwrap();
        net.add_layer(Layer::new("fc1_alpha", LayerKind::ApplyAlpha), &["fc1"])
            .unwrap();
        net.add_layer(
            Layer::new(
                "out",
                LayerKind::Dense(ir::ops::Dense {
                    units: 4,
                    use_bias: true,
                }),
            ),
            &["fc1_alpha"],
        )
        .unwrap();
        net.infer_shapes().unwrap();
        let g = crate::lower(&net).unwrap();
        let got: Vec<(&str, usize, &str)> = g
            .nodes
            .iter()
            .map(|n| (n.name.as_str(), n.index, n.class.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("in", 1, "InputLayer"),
                ("fc1", 2, "Dense"),
                ("fc1_alpha", 4, "ApplyAlpha"),
                ("out", 3, "Dense"),
            ]
        );
        let alpha = &g.nodes[2];
        assert_eq!(alpha.settings.reuse_factor, Some(2));
        assert!(alpha.settings.quantized.bias && alpha.settings.auto.result);
        assert_eq!(
            alpha.settings.precision.bias,
            Some("ap_fixed<6,1>".parse().unwrap())
        );
        // the power-of-two scale: the result is the default, named <layer>_result_t
        assert_eq!(alpha.precision, ir::FixedType::hls4ml_default());
        assert!(crate::passes::renames_result(alpha));
    }
}
