//! Where each element of a C-order array goes under numpy's `transpose` and broadcasting, as
//! index maps, so that the bit-exact rules can move per-element `(k, i, f)` triples and
//! intervals the way hls4ml moves its numpy arrays; and the element-wise maximum hls4ml takes
//! over the requests of several consumers (`requested_kif`).

use super::{Interval, Kif, UNBOUNDED};

/// C-order strides of `shape`.
fn strides(shape: &[usize]) -> Vec<usize> {
    let mut s = vec![1; shape.len()];
    for d in (0..shape.len().saturating_sub(1)).rev() {
        s[d] = s[d + 1] * shape[d + 1];
    }
    s
}

/// Every index of a box of `dims`, in C order.
pub fn positions(dims: &[usize]) -> Vec<Vec<usize>> {
    let n: usize = dims.iter().product();
    let mut out = Vec::with_capacity(n);
    let mut idx = vec![0usize; dims.len()];
    for _ in 0..n {
        out.push(idx.clone());
        for d in (0..idx.len()).rev() {
            idx[d] += 1;
            if idx[d] < dims[d] {
                break;
            }
            idx[d] = 0;
        }
    }
    out
}

/// Per index of a box of `dims` (C order), the flat source index `Σ index·step`.
fn strided(dims: &[usize], step: &[usize]) -> Vec<usize> {
    positions(dims)
        .iter()
        .map(|idx| idx.iter().zip(step).map(|(i, s)| i * s).sum())
        .collect()
}

/// For `np.transpose(x, perm)` of an array of `shape`: per element of the result (C order),
/// the flat index of the element of `x` it is. Output axis `j` is input axis `perm[j]`.
pub fn transpose_sources(shape: &[usize], perm: &[usize]) -> Vec<usize> {
    let src = strides(shape);
    let out_shape: Vec<usize> = perm.iter().map(|&p| shape[p]).collect();
    let step: Vec<usize> = perm.iter().map(|&p| src[p]).collect();
    strided(&out_shape, &step)
}

/// The inverse permutation (`np.argsort(perm)`).
pub fn inverse(perm: &[usize]) -> Vec<usize> {
    let mut inv = vec![0; perm.len()];
    for (j, &p) in perm.iter().enumerate() {
        inv[p] = j;
    }
    inv
}

/// For numpy's broadcast of an array of shape `from` to `to` (shapes aligned at their last
/// axes): per element of the result, the flat index of the element it repeats; `None` when
/// the shapes do not broadcast.
pub fn broadcast_sources(from: &[usize], to: &[usize]) -> Option<Vec<usize>> {
    let lead = to.len().checked_sub(from.len())?;
    let src = strides(from);
    let mut step = vec![0usize; to.len()];
    for (d, &n) in from.iter().enumerate() {
        if n == to[lead + d] {
            step[lead + d] = src[d];
        } else if n != 1 {
            return None;
        }
    }
    Some(strided(to, &step))
}

/// `data` gathered at `sources`.
pub fn gather<T: Copy>(data: &[T], sources: &[usize]) -> Vec<T> {
    sources.iter().map(|&s| data[s]).collect()
}

impl Kif {
    /// The triple of each element at `sources` (a transpose or a broadcast).
    pub fn gather(&self, sources: &[usize]) -> Kif {
        Kif {
            k: gather(&self.k, sources),
            i: gather(&self.i, sources),
            f: gather(&self.f, sources),
        }
    }

    /// Element-wise maximum of two triples (`np.maximum` of each array).
    pub fn max(&self, other: &Kif) -> Kif {
        let [k, i, f] = [
            (&self.k, &other.k),
            (&self.i, &other.i),
            (&self.f, &other.f),
        ]
        .map(|(a, b)| a.iter().zip(b).map(|(x, y)| *x.max(y)).collect());
        Kif { k, i, f }
    }

    /// `requested_kif` of a node of `n` elements whose consumers request `requests`: their
    /// element-wise maximum (from k 0, i and f -127), or the unbounded triple when nothing
    /// consumes it.
    pub fn requested(n: usize, requests: &[&Kif]) -> Kif {
        if requests.is_empty() {
            return Kif::unbounded(n);
        }
        let floor = Kif {
            k: vec![0; n],
            i: vec![-UNBOUNDED - 1; n],
            f: vec![-UNBOUNDED - 1; n],
        };
        requests.iter().fold(floor, |acc, r| acc.max(r))
    }
}

impl Interval {
    /// The interval of each element at `sources` (a transpose or a broadcast).
    pub fn gather(&self, sources: &[usize]) -> Interval {
        Interval {
            min: gather(&self.min, sources),
            max: gather(&self.max, sources),
            delta: gather(&self.delta, sources),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transpose_matches_numpy() {
        // np.arange(6).reshape(2, 3).transpose(1, 0).ravel() == [0, 3, 1, 4, 2, 5]
        assert_eq!(transpose_sources(&[2, 3], &[1, 0]), vec![0, 3, 1, 4, 2, 5]);
        // np.arange(24).reshape(2,3,4).transpose(2,0,1).ravel()[:6] == [0, 4, 8, 12, 16, 20]
        assert_eq!(
            transpose_sources(&[2, 3, 4], &[2, 0, 1])[..6],
            [0, 4, 8, 12, 16, 20]
        );
        assert_eq!(inverse(&[2, 0, 1]), vec![1, 2, 0]);
    }

    #[test]
    fn broadcast_matches_numpy() {
        // np.broadcast_to(np.arange(3), (2, 3)).ravel() == [0, 1, 2, 0, 1, 2]
        assert_eq!(
            broadcast_sources(&[3], &[2, 3]).unwrap(),
            vec![0, 1, 2, 0, 1, 2]
        );
        // np.broadcast_to(np.arange(2).reshape(2, 1), (2, 2)).ravel() == [0, 0, 1, 1]
        assert_eq!(
            broadcast_sources(&[2, 1], &[2, 2]).unwrap(),
            vec![0, 0, 1, 1]
        );
        assert!(broadcast_sources(&[3], &[2, 4]).is_none());
    }

    #[test]
    fn requested_is_the_maximum_or_unbounded() {
        let a = Kif {
            k: vec![1, 0],
            i: vec![3, 5],
            f: vec![2, 7],
        };
        let b = Kif {
            k: vec![0, 0],
            i: vec![4, 1],
            f: vec![1, 8],
        };
        let r = Kif::requested(2, &[&a, &b]);
        assert_eq!((r.k, r.i, r.f), (vec![1, 0], vec![4, 5], vec![2, 8]));
        assert_eq!(Kif::requested(2, &[]), Kif::unbounded(2));
    }
}
