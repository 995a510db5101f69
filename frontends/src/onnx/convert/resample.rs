//! ONNX `Pad` and `Resize`/`Upsample` on channels-first image tensors, and the explicit padding
//! of a `Conv`, as hls4ml 1.3.0's ONNX converter reads them (`converters/onnx/reshape.py`:
//! `parse_pad_layer` makes ZeroPadding1D/2D, `parse_resize_layer` its `Resize` layer;
//! `converters/onnx/convolution.py` keeps any `pads` of a Conv, and the Vivado/Vitis pass
//! `InsertZeroPaddingBeforeConv1D/2D` moves them into a ZeroPadding layer named
//! `zp1d_`/`zp2d_` + the convolution's name):
//!
//! - `Pad` (mode `constant`, value 0, pads on the spatial axes only) → IR `ZeroPadding1D/2D`;
//!   hls4ml's reasons are kept for what it refuses (another mode, a non-zero value, the `axes`
//!   input).
//! - `Resize` (opset 10+) and `Upsample` (opset 7–9; hls4ml 1.3.0 has no handler for it, read
//!   here as the same function) with mode `nearest` and integer scales on the spatial axes →
//!   IR `UpSampling1D/2D` (hls4ml's `Resize`, `nnet::resize_nearest`).
//! - A `Conv` whose pads are neither zero nor Keras's "same" split → an IR `ZeroPadding` layer
//!   before a valid convolution (the same function as hls4ml's padded convolution, and the
//!   layers hls4ml writes for io_stream).
//!
//! The tensors stay channels-last in the IR (the module note of `onnx` says how): ONNX pads and
//! scales `[N, C, spatial..]` are read at the spatial positions.
//!
//! hls4ml 1.3.0 itself mis-converts a `Pad` or `Resize` between convolutions of a
//! QONNX-cleaned model: QONNX's channels-last conversion (`ConvertToChannelsLastAndClean`)
//! moves no Transpose through them, so hls4ml reads their pads/scales at channels-last
//! positions of a channels-first tensor. Checked with hls4ml 1.3.0 on Conv → Relu → Pad/Resize →
//! Conv (2×4×4 input): the Pad's io_parallel conversion fails ("array split does not result in
//! an equal division") and its io_stream project pads the wrong axes (outputs off by up to 1.9
//! where onnxruntime's are within 1.5); the Resize fails in both io types ("Could not find the
//! shape for input" with the RoI input omitted, "The truth value of an empty array is
//! ambiguous" with an empty RoI). So these have no hls4ml reference: presynth reads them as the
//! exporter meant (checked by hand-derived shapes), and a Conv with explicit pads, which hls4ml
//! converts, is checked bit-exact in the harness.

use super::{attr_ints, attr_str, Converter, Layout, NodeResult};
use crate::onnx::proto::NodeProto;
use crate::onnx::tensor::attr;
use ir::{Layer, LayerKind};

impl Converter<'_> {
    /// A constant input by position, or `None` when absent or named "" (an omitted input).
    fn optional_const(
        &self,
        node: &NodeProto,
        i: usize,
        what: &str,
    ) -> Result<Option<Vec<f64>>, String> {
        match node.input.get(i).filter(|s| !s.is_empty()) {
            None => Ok(None),
            Some(n) => Ok(Some(self.constant(n, what)?.data.clone())),
        }
    }

    /// ONNX `Pad` → ZeroPadding1D/2D.
    pub(super) fn pad(&mut self, node: &NodeProto) -> NodeResult {
        let mode = attr_str(node, "mode", "constant")?;
        if mode != "constant" {
            // hls4ml's parse_pad_layer: RuntimeError(f'Unsupported padding mode: {mode} ...')
            return Err(format!(
                "unsupported padding mode '{mode}' (hls4ml 1.3.0 pads with zeros only)"
            ));
        }
        if node.input.len() > 3 && !node.input[3].is_empty() {
            return Err(
                "the axes input is not supported (hls4ml 1.3.0: 'Parsing axes input of Pad node is not supported')"
                    .into(),
            );
        }
        if let Some(v) = self.optional_const(node, 2, "constant_value")? {
            if v.iter().any(|&x| x != 0.0) {
                return Err(format!(
                    "constant value {v:?}: hls4ml 1.3.0 supports only a constant value of 0"
                ));
            }
        }
        let pads: Vec<i64> = match self.optional_const(node, 1, "pads")? {
            Some(p) => p.iter().map(|&x| x as i64).collect(),
            None => attr_ints(node, "pads")?.ok_or("no pads (input 1 or attribute)")?,
        };
        let x = self.value(node.input.first().ok_or("no input")?)?;
        let s = self.spatial_input(&x, "Pad")?;
        let rank = s.len() + 1; // with the batch axis
        if pads.len() != 2 * rank || pads.iter().any(|&p| p < 0) {
            return Err(format!(
                "pads {pads:?}: expected {} non-negative values for a rank-{rank} input",
                2 * rank
            ));
        }
        if pads[0] != 0 || pads[1] != 0 || pads[rank] != 0 || pads[rank + 1] != 0 {
            return Err(format!(
                "pads {pads:?} pad the batch or channel axis; ZeroPadding pads only the spatial axes"
            ));
        }
        let sp: Vec<[usize; 2]> = (2..rank)
            .map(|a| [pads[a] as usize, pads[rank + a] as usize])
            .collect();
        let name = self.layer_name(node, "");
        let l = self.add(zero_padding(name, &sp), &[&x.layer])?;
        self.set(node, l, Layout::ChannelsLast);
        Ok(())
    }

    /// ONNX `Resize` (opset 10+: X, roi, scales[, sizes]; opset 10: X, scales) and `Upsample`
    /// (X, scales; opset 7: a `scales` attribute) in nearest mode → UpSampling1D/2D.
    pub(super) fn resize(&mut self, node: &NodeProto) -> NodeResult {
        let mode = attr_str(node, "mode", "nearest")?;
        if mode != "nearest" {
            return Err(format!(
                "mode '{mode}': hls4ml 1.3.0 writes only nearest-neighbour resizing for Vivado/Vitis (its nnet_utils have resize_nearest and no bilinear kernel)"
            ));
        }
        let ctm = attr_str(node, "coordinate_transformation_mode", "half_pixel")?;
        if !matches!(
            ctm.as_str(),
            "half_pixel" | "pytorch_half_pixel" | "asymmetric"
        ) {
            return Err(format!(
                "coordinate_transformation_mode '{ctm}' does not repeat each element (nnet::resize_nearest does)"
            ));
        }
        if ctm == "asymmetric" && attr_str(node, "nearest_mode", "round_prefer_floor")? == "ceil" {
            return Err(
                "nearest_mode 'ceil' with asymmetric coordinates shifts the image; nnet::resize_nearest repeats each element"
                    .into(),
            );
        }
        let x = self.value(node.input.first().ok_or("no input")?)?;
        let s = self.spatial_input(&x, &node.op_type)?;
        let onnx = self.onnx_shape(&x);
        let scale_input = if node.op_type == "Resize" && node.input.len() >= 3 {
            2
        } else {
            1
        };
        let scales: Vec<f64> = match self.optional_const(node, scale_input, "scales")? {
            Some(v) if !v.is_empty() => v,
            _ => match self.optional_const(node, 3, "sizes")? {
                Some(sizes) if sizes.len() == onnx.len() + 1 => {
                    let mut full = vec![1usize];
                    full.extend(&onnx);
                    sizes
                        .iter()
                        .zip(&full)
                        .map(|(&o, &i)| o / i as f64)
                        .collect()
                }
                Some(sizes) => return Err(format!("sizes {sizes:?} do not fit the input")),
                None => match attr(node, "scales") {
                    Some(a) => a.floats.iter().map(|&v| v as f64).collect(),
                    None => return Err("no scales or sizes".into()),
                },
            },
        };
        let rank = s.len() + 1;
        if scales.len() != rank {
            return Err(format!(
                "scales {scales:?}: expected {rank} values for a rank-{rank} input"
            ));
        }
        if scales[0] != 1.0 || scales[1] != 1.0 {
            return Err(format!(
                "scales {scales:?} resize the batch or channel axis; UpSampling resizes only the spatial axes"
            ));
        }
        let mut factors = Vec::new();
        for &f in &scales[2..] {
            if f < 1.0 || f.fract() != 0.0 || f > crate::keras::layers::MAX_DIM as f64 {
                return Err(format!(
                    "scales {scales:?}: nearest upsampling by whole factors of at least 1 only"
                ));
            }
            factors.push(f as usize);
        }
        let kind = match factors[..] {
            [w] => LayerKind::UpSampling1D(ir::ops::UpSampling1D { size: w }),
            [h, w] => LayerKind::UpSampling2D(ir::ops::UpSampling2D { size: [h, w] }),
            _ => unreachable!("spatial_input gives 1 or 2 spatial axes"),
        };
        let name = self.layer_name(node, "");
        let l = self.add(Layer::new(name, kind), &[&x.layer])?;
        self.set(node, l, Layout::ChannelsLast);
        Ok(())
    }

    /// The ZeroPadding layer hls4ml's Vivado/Vitis backend puts before a convolution with
    /// explicit pads (ONNX `[b1, b2.., e1, e2..]`); returns the layer to read.
    pub(super) fn conv_zero_padding(
        &mut self,
        conv_name: &str,
        input: &str,
        pads: &[usize],
    ) -> Result<String, String> {
        let n = pads.len() / 2;
        let sp: Vec<[usize; 2]> = (0..n).map(|i| [pads[i], pads[n + i]]).collect();
        let prefix = if n == 1 { "zp1d_" } else { "zp2d_" };
        let name = self.unique(format!("{prefix}{conv_name}"));
        self.add(zero_padding(name, &sp), &[input])
    }
}

/// A ZeroPadding1D/2D layer of `[before, after]` pads per spatial axis (1 or 2 of them).
fn zero_padding(name: String, sp: &[[usize; 2]]) -> Layer {
    let kind = if sp.len() == 1 {
        LayerKind::ZeroPadding1D(ir::ops::ZeroPadding1D { pad: sp[0] })
    } else {
        LayerKind::ZeroPadding2D(ir::ops::ZeroPadding2D {
            pad: [sp[0], sp[1]],
        })
    };
    Layer::new(name, kind)
}
