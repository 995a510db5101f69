//! hls4ml's forward rule of the pooling nodes (`Pooling1D/2D`, `GlobalPooling1D/2D`:
//! `produce_kif` over im2col windows) and their `accum_t` (`register_precision`): per output
//! position and channel the maxima of the window's `(k, i, f)` (a padded position counts as
//! `(0, 0, 0)`); an average adds the fractional bits of `1/count` (the window's unpadded
//! elements), and its accumulator gets `ceil(log2(window size))` more integer bits. Requests are
//! hls4ml's default (every bit).

use super::layout::positions;
use super::{minimal_kif, FixedKif, Kif};

/// `pool_op`: max or average.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PoolOp {
    Max,
    Average,
}

/// The windows of a pooling node over a channels-last input of spatial shape `spatial` (one or
/// two axes): window size, stride and padding (before, after) per spatial axis. A global
/// pooling is one window over the whole input ([`Windows::global`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Windows {
    pub spatial: Vec<usize>,
    pub channels: usize,
    pub size: Vec<usize>,
    pub stride: Vec<usize>,
    pub pad: Vec<(usize, usize)>,
}

impl Windows {
    /// One window covering every position (`GlobalPooling1D/2D`).
    pub fn global(spatial: &[usize], channels: usize) -> Windows {
        Windows {
            spatial: spatial.to_vec(),
            channels,
            size: spatial.to_vec(),
            stride: vec![1; spatial.len()],
            pad: vec![(0, 0); spatial.len()],
        }
    }

    /// Output positions per spatial axis.
    pub fn out_spatial(&self) -> Vec<usize> {
        (0..self.spatial.len())
            .map(|d| {
                let (a, b) = self.pad[d];
                (self.spatial[d] + a + b).saturating_sub(self.size[d]) / self.stride[d].max(1) + 1
            })
            .collect()
    }
}

/// `produce_kif` of a pooling node: the output's triples, channels last, flattened (a global
/// pooling's output is its channels alone).
pub fn produce(op: PoolOp, input: &Kif, w: &Windows) -> Kif {
    let outs = positions(&w.out_spatial());
    let window = positions(&w.size);
    let ch = w.channels;
    let mut out = Kif {
        k: Vec::with_capacity(outs.len() * ch),
        i: Vec::with_capacity(outs.len() * ch),
        f: Vec::with_capacity(outs.len() * ch),
    };
    for o in &outs {
        for c in 0..ch {
            let (mut k, mut i, mut f, mut count) = (i32::MIN, i32::MIN, i32::MIN, 0u32);
            for p in &window {
                // the input position under this window element, None when in the padding
                let mut flat = 0usize;
                let mut inside = true;
                for d in 0..w.spatial.len() {
                    let x = (o[d] * w.stride[d] + p[d]) as isize - w.pad[d].0 as isize;
                    if x < 0 || x as usize >= w.spatial[d] {
                        inside = false;
                        break;
                    }
                    flat = flat * w.spatial[d] + x as usize;
                }
                let (ek, ei, ef) = if inside {
                    let e = flat * ch + c;
                    count += 1;
                    (input.k[e], input.i[e], input.f[e])
                } else {
                    (0, 0, 0)
                };
                k = k.max(ek);
                i = i.max(ei);
                f = f.max(ef);
            }
            if op == PoolOp::Average {
                f += minimal_kif(1.0 / f64::from(count)).2;
            }
            out.k.push(k);
            out.i.push(i);
            out.f.push(f);
        }
    }
    out
}

/// `accum_t` of a pooling node: the maxima of what it produces, and for an average
/// `ceil(log2(window size))` more integer bits (the sum before the division).
pub fn accum(op: PoolOp, produced: &Kif, w: &Windows) -> FixedKif {
    let (k, i, f) = produced.max_ints();
    let mut t = FixedKif::from_kif(k, i, f);
    if op == PoolOp::Average {
        let px: usize = w.size.iter().product();
        let add = (px as f64).log2().ceil() as i32;
        t.width += add;
        t.integer += add;
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn global_average_adds_the_bits_of_one_over_count() {
        // 4 positions x 2 channels: maxima per channel, f + 2 for 1/4
        let input = Kif {
            k: vec![1, 0, 0, 0, 1, 0, 0, 0],
            i: vec![1, 2, 3, 0, 0, 5, 2, 1],
            f: vec![2, 1, 0, 4, 3, 3, 1, 0],
        };
        let w = Windows::global(&[4], 2);
        let out = produce(PoolOp::Average, &input, &w);
        assert_eq!((out.k, out.i, out.f), (vec![1, 0], vec![3, 5], vec![5, 6]));
        let max = produce(PoolOp::Max, &input, &w);
        assert_eq!(max.f, vec![3, 4]);
        // (1, 5, 6) -> ap_fixed<12,6>, two more integer bits for the sum of 4
        let a = accum(PoolOp::Average, &produce(PoolOp::Average, &input, &w), &w);
        assert_eq!(a.cpp(), "ap_fixed<14,8>");
    }

    #[test]
    fn padded_window_counts_only_real_elements() {
        // 3 positions, window 2, stride 2, one zero pad after: windows {0,1} and {2,pad}
        let input = Kif {
            k: vec![1, 1, 1],
            i: vec![-2, -3, -1],
            f: vec![4, 4, 4],
        };
        let w = Windows {
            spatial: vec![3],
            channels: 1,
            size: vec![2],
            stride: vec![2],
            pad: vec![(0, 1)],
        };
        let out = produce(PoolOp::Average, &input, &w);
        // second window: max(i=-1, pad 0) = 0, count 1 -> f + 0
        assert_eq!((out.i, out.f), (vec![-2, 0], vec![5, 4]));
    }
}
