//! hls4ml's bit-exact rules of a `Softmax` node converted from HGQ2's `QSoftmax` (its own or
//! the one inside `QMultiHeadAttention`): the table types the converter takes from the layer's
//! table quantizers (`converters/keras_v3/hgq2/softmax.py`: the exp table's output quantizer
//! gives `exp_table_t`, the inverse table's output and input quantizers `inv_table_t` and
//! `inv_inp_t`, a stable softmax's exp-table input quantizer `inp_norm_t`), the result it
//! produces (unsigned, the integer and fractional bits of the two tables added), its
//! accumulator (`register_precision`: `inv_inp_t` widened by the fractional bits of the exp
//! table and twice `ceil(log2(n_slice))`, truncating) and its table sizes. Its request is
//! hls4ml's default (every bit of the input).

use super::types::ModedFixed;
use super::{Kif, Quantizer};

/// The table types of a bit-exact softmax.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SoftmaxTables {
    pub exp_table: ModedFixed,
    pub inv_table: ModedFixed,
    pub inv_inp: ModedFixed,
    /// A stable softmax's normalised input (`None` for the latency implementation).
    pub inp_norm: Option<ModedFixed>,
}

/// Why a softmax's tables cannot be typed as hls4ml types them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("softmax table quantizer '{0}' is heterogeneous (several bit widths); hls4ml only supports a homogeneous one")]
pub struct HeterogeneousTable(pub &'static str);

/// The layout of the softmax's input: all elements, and the elements before and after the
/// softmax's axes (`n_in`, `n_outer`, `n_inner`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SoftmaxShape {
    pub n_in: usize,
    pub n_outer: usize,
    pub n_inner: usize,
}

impl SoftmaxShape {
    /// hls4ml's HGQ2 converter's layout of a softmax over `axis` of a (batch-less) input of
    /// `shape`: the elements before the axis are `n_outer`, those after it `n_inner`.
    pub fn over_axis(shape: &[usize], axis: usize) -> SoftmaxShape {
        let p = |s: &[usize]| s.iter().product::<usize>();
        SoftmaxShape {
            n_in: p(shape),
            n_outer: p(&shape[..axis.min(shape.len())]),
            n_inner: p(&shape[(axis + 1).min(shape.len())..]),
        }
    }

    /// The elements of one softmax (`n_slice`).
    pub fn n_slice(&self) -> usize {
        self.n_in / self.n_inner.max(1) / self.n_outer.max(1)
    }
}

impl SoftmaxTables {
    /// The converter's types from the table quantizers: the exp table's output (`exp_oq`), the
    /// inverse table's output and input (`inv_oq`, `inv_iq`), and a stable softmax's exp-table
    /// input (`exp_iq`).
    pub fn from_quantizers(
        exp_oq: &Quantizer,
        inv_oq: &Quantizer,
        inv_iq: &Quantizer,
        exp_iq: Option<&Quantizer>,
    ) -> Result<SoftmaxTables, HeterogeneousTable> {
        let t = |q: &Quantizer, name| ModedFixed::from_quantizer(q).ok_or(HeterogeneousTable(name));
        Ok(SoftmaxTables {
            exp_table: t(exp_oq, "exp_table.oq")?,
            inv_table: t(inv_oq, "inv_table.oq")?,
            inv_inp: t(inv_iq, "inv_table.iq")?,
            inp_norm: exp_iq.map(|q| t(q, "exp_table.iq")).transpose()?,
        })
    }

    /// `produce_kif`: every one of `n` outputs unsigned, with the integer bits of both tables
    /// (their `integer`) and the fractional bits of both.
    pub fn produce(&self, n: usize) -> Kif {
        let (e, v) = (&self.exp_table, &self.inv_table);
        Kif {
            k: vec![0; n],
            i: vec![e.integer + v.integer; n],
            f: vec![e.fractional() + v.fractional(); n],
        }
    }

    /// `accum_t`: `inv_inp_t` with `ceil(log2(n_slice))` fractional bits more than the exp
    /// table has, as many again in width, and (a non-WRAP `inv_inp_t`) as many again as integer
    /// bits under WRAP; at least 1 bit wide; truncating.
    pub fn accum(&self, shape: SoftmaxShape) -> ModedFixed {
        let scale = (shape.n_slice() as f64).log2().ceil() as i32;
        let mut t = self.inv_inp.clone();
        let f = self.exp_table.fractional() + scale;
        t.width = f + t.integer + scale;
        if t.overflow != "WRAP" {
            t.overflow = "WRAP".to_string();
            t.width += scale;
            t.integer += scale;
        }
        t.width = t.width.max(1);
        t.round = "TRN".to_string();
        t
    }

    /// `exp_table_size`: `2^` the width of `inp_norm_t` (stable), or of the input's `(k, i, f)`
    /// maxima added (latency).
    pub fn exp_table_size(&self, input: &Kif) -> u64 {
        let bits = match &self.inp_norm {
            Some(t) => t.width,
            None => {
                let (k, i, f) = input.max_ints();
                k + i + f
            }
        };
        1u64 << bits.clamp(0, 63)
    }

    /// `inv_table_size`: `2^` the width of `inv_inp_t`.
    pub fn inv_table_size(&self) -> u64 {
        1u64 << self.inv_inp.width.clamp(0, 63)
    }
}
