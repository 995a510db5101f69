//! hls4ml's bit-exact rules of the layout nodes: a `Transpose` moves each element's triple
//! forward by its permutation and each requested triple back by the inverse; a `Reshape`
//! keeps the C-order data as it is both ways.

use super::layout::{inverse, transpose_sources};
use super::Kif;

/// `produce_kif` of a `Transpose` by `perm` of an input of `in_shape`.
pub fn produce(input: &Kif, in_shape: &[usize], perm: &[usize]) -> Kif {
    input.gather(&transpose_sources(in_shape, perm))
}

/// `_request_kif` of a `Transpose` by `perm`: what its consumers request of its output (of
/// `out_shape`), moved back to the input's layout.
pub fn request(requested: &Kif, out_shape: &[usize], perm: &[usize]) -> Kif {
    requested.gather(&transpose_sources(out_shape, &inverse(perm)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_undoes_produce() {
        let x = Kif {
            k: vec![1, 0, 1, 0, 1, 0],
            i: vec![0, 1, 2, 3, 4, 5],
            f: vec![5, 4, 3, 2, 1, 0],
        };
        let y = produce(&x, &[2, 3], &[1, 0]);
        assert_eq!(y.i, vec![0, 3, 1, 4, 2, 5]);
        assert_eq!(request(&y, &[3, 2], &[1, 0]), x);
    }
}
