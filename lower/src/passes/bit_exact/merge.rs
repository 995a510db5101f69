//! hls4ml's forward rule of a `Merge` node (`produce_kif` by its `op`) over two or more inputs
//! of the same shape: add, subtract and multiply as interval arithmetic, average as the sum
//! shifted by the power of two of its scale, maximum and minimum as the element-wise maximum of
//! the inputs' triples (hls4ml 1.3.0 takes `np.maximum` for `minimum` too), and `dot1d` as
//! the interval dot product. Requests are hls4ml's default (every bit of every input).

use super::{Interval, Kif, UNBOUNDED};

/// The merge operations hls4ml's bit-exact flow knows (`Merge.attributes['op']`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum MergeOp {
    Add,
    Subtract,
    Multiply,
    /// `average` with its `scale` (HGQ2's QAveragePow2; `1/n` when the layer has none).
    Average(Option<f64>),
    Maximum,
    Minimum,
    Dot1d,
}

impl Interval {
    /// `QIntervalArray + QIntervalArray`: ends added, the finer step.
    pub fn add(&self, o: &Interval) -> Interval {
        let zip = |a: &[f64], b: &[f64], g: fn(f64, f64) -> f64| {
            a.iter().zip(b).map(|(x, y)| g(*x, *y)).collect()
        };
        Interval {
            min: zip(&self.min, &o.min, |x, y| x + y),
            max: zip(&self.max, &o.max, |x, y| x + y),
            delta: zip(&self.delta, &o.delta, f64::min),
        }
    }

    /// `-QIntervalArray`: ends swapped and negated.
    pub fn neg(&self) -> Interval {
        Interval {
            min: self.max.iter().map(|v| -v).collect(),
            max: self.min.iter().map(|v| -v).collect(),
            delta: self.delta.clone(),
        }
    }

    /// `QIntervalArray * QIntervalArray`: the smallest and largest corner product, the product
    /// of the steps.
    pub fn mul(&self, o: &Interval) -> Interval {
        let n = self.min.len();
        let mut out = Interval {
            min: Vec::with_capacity(n),
            max: Vec::with_capacity(n),
            delta: Vec::with_capacity(n),
        };
        for e in 0..n {
            let c = [
                self.min[e] * o.min[e],
                self.min[e] * o.max[e],
                self.max[e] * o.min[e],
                self.max[e] * o.max[e],
            ];
            out.min
                .push(c.iter().copied().fold(f64::INFINITY, f64::min));
            out.max
                .push(c.iter().copied().fold(f64::NEG_INFINITY, f64::max));
            out.delta.push(self.delta[e] * o.delta[e]);
        }
        out
    }
}

/// `produce_kif` of a `Merge` node of `op` over its inputs' triples (all of one shape; at
/// least one input).
pub fn produce(op: MergeOp, inputs: &[&Kif]) -> Kif {
    let q: Vec<Interval> = inputs.iter().map(|k| Interval::from_kif(k)).collect();
    let sum = || q[1..].iter().fold(q[0].clone(), |a, b| a.add(b)).to_kif();
    let elementwise_max = || inputs[1..].iter().fold(inputs[0].clone(), |a, b| a.max(b));
    match op {
        MergeOp::Add => sum(),
        MergeOp::Subtract => q[0].add(&q[1].neg()).to_kif(),
        MergeOp::Multiply => q[1..].iter().fold(q[0].clone(), |a, b| a.mul(b)).to_kif(),
        MergeOp::Average(scale) => {
            let mut out = sum();
            let scale = scale.unwrap_or(1.0 / q.len() as f64);
            let l = scale.log2();
            // python's int(): toward zero
            let shift = -(l.trunc() as i32);
            let exact = l.trunc() == l;
            for e in 0..out.len() {
                out.f[e] = if exact { out.f[e] + shift } else { UNBOUNDED };
                out.i[e] -= shift;
            }
            out
        }
        // hls4ml 1.3.0 maps `minimum` to np.maximum as well
        MergeOp::Maximum | MergeOp::Minimum => elementwise_max(),
        MergeOp::Dot1d => {
            let p = q[0].mul(&q[1]);
            let dot = Interval {
                min: vec![p.min.iter().sum()],
                max: vec![p.max.iter().sum()],
                delta: vec![p.delta.iter().copied().fold(f64::INFINITY, f64::min)],
            };
            dot.to_kif()
        }
    }
}
