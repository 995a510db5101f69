//! HGQ1's FixedPointQuantizer as hls4ml 1.3.0's parser makes it (`converters/keras/
//! hgq_proxy_model.py`): a `FixedPointQuantizer` node, the same class hls4ml's HGQ2 converter
//! makes, so the same bit-exact flow follows (`passes::bit_exact`: `BitExact` is on by default
//! when a FixedPointQuantizer is present, and `fuse_fixed_point_quantizer` folds a uniform one
//! into the type of the node before it). Its mask `(keep_negative, bits, integers)` is HGQ's
//! stored state, `k, i, f = k, I - k, B - I` (the IR's own split); a `fusible` quantizer keeps
//! only its first element (`ravel()[:1]`), so hls4ml's `produce_kif` treats it as one format
//! and shrinks it to the widest of its elements (homogeneous). A non-fusible one keeps its
//! stored shape (batch axis first), which `produce_kif` contracts along its size-1 axes: all of
//! them (one format: homogeneous) or none are lowered; a partly broadcast one is refused.
//! io_stream with a non-fusible quantizer is refused as hls4ml refuses it
//! (`ProcessFixedPointQuantizerLayer`).

use super::{Parse, ParseCx, Parsed};
use crate::error::{LowerError, Result};
use crate::op::Op;
use crate::passes::bit_exact::hgq2::broadcast_index;
use crate::passes::bit_exact::{Kif, Quantizer, QuantizerModes};
use ir::IoType;

impl Parse for ir::ops::FixedPointQuantizer {
    fn parse(&self, cx: &ParseCx) -> Result<Parsed> {
        if cx.io_type == IoType::Stream && !self.fusible {
            return Err(cx.not_in_hls4ml(
                "io_stream: hls4ml 1.3.0 writes heterogeneous quantizers only with \
                 IOType=io_parallel (ProcessFixedPointQuantizerLayer raises NotImplementedError)",
            ));
        }
        let refuse = |message: String| LowerError::NotImplemented {
            layer: cx.layer.name.clone(),
            kind: cx.layer.kind.name().to_string(),
            message,
        };
        if !self.has_state() {
            return Err(refuse(
                "a FixedPointQuantizer read without its weights (its per-element bit widths \
                 are in the weights file)"
                    .into(),
            ));
        }
        let q = &self.quantizer;
        let shape = cx.output();
        // the stored shape without its batch axis, as hls4ml's produce_kif takes `k[0]`
        let stored: &[usize] = q.shape.get(1..).unwrap_or(&[]);
        let one_format = self.fusible || q.k.len() == 1;
        let at: Vec<usize> = if one_format {
            vec![0; shape.iter().product()]
        } else {
            let partly = stored
                .iter()
                .zip(&shape[shape.len().saturating_sub(stored.len())..])
                .any(|(&s, &t)| s == 1 && t != 1);
            if partly {
                return Err(refuse(format!(
                    "a non-fusible FixedPointQuantizer whose bit widths (shape {:?}) are \
                     shared along some axes of its {shape:?} input (hls4ml contracts its mask \
                     along those axes)",
                    q.shape
                )));
            }
            broadcast_index(stored, shape).ok_or_else(|| {
                refuse(format!(
                    "FixedPointQuantizer bit widths of shape {:?} do not broadcast to its \
                     input's {shape:?}",
                    q.shape
                ))
            })?
        };
        let pick = |v: &[i32]| at.iter().map(|&j| v[j]).collect();
        let quantizer = Quantizer {
            mask: Kif {
                k: pick(&q.k),
                i: pick(&q.i),
                f: pick(&q.f),
            },
            modes: QuantizerModes {
                round: q.round_mode.clone(),
                overflow: q.overflow_mode.clone(),
            },
        };
        Ok(Parsed::new(
            "FixedPointQuantizer",
            Op::FixedPointQuantizer {
                quantizer,
                homogeneous: one_format,
            },
        ))
    }
}
