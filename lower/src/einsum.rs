//! hls4ml's recipe for an einsum of two operands (`utils/einsum_utils.py`, `parse_einsum`),
//! which its `nnet::einsum_dense` and `nnet::einsum` kernels execute: both operands are
//! transposed to (in-place axes, free axes, contracted axes), then for each in-place index `i`
//! and free index `l0` of operand 0 a product of the `C` contracted values with an `L1 × C`
//! block of operand 1 gives `L1` outputs, laid out as (in-place, free of 0, free of 1) and
//! transposed into the output's axis order.
//!
//! Letters are classified as hls4ml does: common to both operands and in the output =
//! in-place; common and not in the output = contracted (both ordered by operand 1's spec);
//! in the output and one operand only = free of that operand (ordered by that operand's spec).
//! A letter in one operand only and not in the output (a direct sum) is refused, as hls4ml
//! asserts.

/// The recipe of one einsum `in0,in1->out` over batch-less shapes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EinsumRecipe {
    /// Operand 0's axes in the order (in-place, free, contracted).
    pub in0_perm: Vec<usize>,
    /// Operand 1's axes in the order (in-place, free, contracted).
    pub in1_perm: Vec<usize>,
    /// The output as computed: (in-place, free of 0, free of 1) sizes.
    pub out_interpret_shape: Vec<usize>,
    /// The permutation from the computed layout to the output's axis order.
    pub out_perm: Vec<usize>,
    /// Free size of operand 0 (`L0`), of operand 1 (`L1`), in-place size (`I`), contracted
    /// size (`C`).
    pub l0: usize,
    pub l1: usize,
    pub inplace: usize,
    pub contract: usize,
}

impl EinsumRecipe {
    /// The recipe of `in0,in1->out` (one letter per axis, no batch, `...` already expanded)
    /// for operands of shapes `shape0` and `shape1`.
    pub fn new(
        in0: &[char],
        in1: &[char],
        out: &[char],
        shape0: &[usize],
        shape1: &[usize],
    ) -> Result<EinsumRecipe, String> {
        if in0.len() != shape0.len() || in1.len() != shape1.len() {
            return Err(format!(
                "einsum specs {in0:?},{in1:?} do not match operand shapes {shape0:?}, {shape1:?}"
            ));
        }
        let pos = |s: &[char], c: char| s.iter().position(|x| *x == c);
        for (s, other, which) in [(in0, in1, 0), (in1, in0, 1)] {
            if let Some(c) = s.iter().find(|c| !out.contains(c) && !other.contains(c)) {
                return Err(format!(
                    "axis '{c}' of operand {which} is summed on its own (a direct sum), which hls4ml's einsum refuses"
                ));
            }
        }
        for &c in in0.iter().filter(|c| in1.contains(c)) {
            let (a, b) = (
                shape0[pos(in0, c).unwrap_or(0)],
                shape1[pos(in1, c).unwrap_or(0)],
            );
            if a != b {
                return Err(format!(
                    "axis '{c}' has size {a} in operand 0 and {b} in operand 1"
                ));
            }
        }
        // common letters, ordered by operand 1's spec
        let common: Vec<char> = in1.iter().copied().filter(|c| in0.contains(c)).collect();
        let contract: Vec<char> = common
            .iter()
            .copied()
            .filter(|c| !out.contains(c))
            .collect();
        let inplace: Vec<char> = common.iter().copied().filter(|c| out.contains(c)).collect();
        let free0: Vec<char> = in0
            .iter()
            .copied()
            .filter(|c| out.contains(c) && !common.contains(c))
            .collect();
        let free1: Vec<char> = in1
            .iter()
            .copied()
            .filter(|c| out.contains(c) && !common.contains(c))
            .collect();
        let idx = |s: &[char], letters: &[&[char]]| -> Vec<usize> {
            letters
                .iter()
                .flat_map(|l| l.iter())
                .filter_map(|&c| pos(s, c))
                .collect()
        };
        let in0_perm = idx(in0, &[&inplace, &free0, &contract]);
        let in1_perm = idx(in1, &[&inplace, &free1, &contract]);
        let size0 = |c: &char| shape0[pos(in0, *c).unwrap_or(0)];
        let size1 = |c: &char| shape1[pos(in1, *c).unwrap_or(0)];
        let out_interpret_shape: Vec<usize> = inplace
            .iter()
            .map(size0)
            .chain(free0.iter().map(size0))
            .chain(free1.iter().map(size1))
            .collect();
        // argsort of each computed axis's place in the output
        let computed: Vec<usize> = inplace
            .iter()
            .chain(&free0)
            .chain(&free1)
            .map(|&c| pos(out, c).ok_or_else(|| format!("output axis '{c}' is in neither operand")))
            .collect::<Result<_, _>>()?;
        if computed.len() != out.len() {
            return Err(format!(
                "the output spec {out:?} names an axis that is in neither operand"
            ));
        }
        let mut out_perm: Vec<usize> = (0..computed.len()).collect();
        out_perm.sort_by_key(|&k| computed[k]);
        Ok(EinsumRecipe {
            in0_perm,
            in1_perm,
            out_interpret_shape,
            out_perm,
            l0: free0.iter().map(size0).product(),
            l1: free1.iter().map(size1).product(),
            inplace: inplace.iter().map(size0).product(),
            contract: contract.iter().map(size0).product(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    #[test]
    fn dense_over_positions() {
        // EinsumDense 'abc,cd->abd', input (8, 16), kernel (16, 12); hls4ml 1.3.0's
        // parse_einsum('bc,cd->bd', (8,16), (16,12)) gives in_transpose_idxs ((0,1),(1,0)),
        // out_interpert_shape (8,12), out_transpose_idxs (0,1), L0 8, L1 12, I 1, C 16
        let r = EinsumRecipe::new(
            &chars("bc"),
            &chars("cd"),
            &chars("bd"),
            &[8, 16],
            &[16, 12],
        )
        .unwrap();
        assert_eq!((r.l0, r.l1, r.contract, r.inplace), (8, 12, 16, 1));
        assert_eq!(r.in0_perm, vec![0, 1]);
        assert_eq!(r.in1_perm, vec![1, 0]);
        assert_eq!(r.out_interpret_shape, vec![8, 12]);
        assert_eq!(r.out_perm, vec![0, 1]);
    }

    #[test]
    fn attention_scores() {
        // Q·Kᵀ per head as HGQ2's attention writes it: 'aecd,abcd->acbe' without the batch,
        // query (T_q=8, H=2, k=4), key (T_v=8, H=2, k=4) -> (H, T_q, T_v).
        // By hand: common {c (head), d (key_dim)}; c in the output -> in-place, d contracted;
        // free of operand 0: e, of operand 1: b; computed layout (c, e, b). hls4ml 1.3.0's
        // parse_einsum gives the same: in_transpose_idxs ((1,0,2),(1,0,2)), out_interpert_shape
        // (2,8,8), out_transpose_idxs (0,2,1), L0 8, L1 8, I 2, C 4.
        let r = EinsumRecipe::new(
            &chars("ecd"),
            &chars("bcd"),
            &chars("cbe"),
            &[8, 2, 4],
            &[8, 2, 4],
        )
        .unwrap();
        assert_eq!((r.inplace, r.l0, r.l1, r.contract), (2, 8, 8, 4));
        assert_eq!(r.in0_perm, vec![1, 0, 2]);
        assert_eq!(r.in1_perm, vec![1, 0, 2]);
        assert_eq!(r.out_interpret_shape, vec![2, 8, 8]);
        // computed (c, e, b) sits at output places (0, 2, 1): argsort = [0, 2, 1]
        assert_eq!(r.out_perm, vec![0, 2, 1]);
    }

    #[test]
    fn attention_weighted_values() {
        // scores (H=2, T_q=8, T_v=8) with values (T_v=8, H=2, v=8): 'acbe,aecd->abcd' without
        // the batch. hls4ml 1.3.0's project of an HGQ2 (0.1.6) attention block, seq 8, 2 heads,
        // key_dim 8 (its mha_mha_aV layer, config17): n_free0 8, n_free1 8, n_contract 8,
        // n_inplace 2, tpose_inp0 perm {0, 1, 2}, tpose_inp1 perm {1, 2, 0} (to {2, 8, 8}),
        // tpose_out from {2, 8, 8} perm {1, 0, 2}.
        let r = EinsumRecipe::new(
            &chars("cbe"),
            &chars("ecd"),
            &chars("bcd"),
            &[2, 8, 8],
            &[8, 2, 8],
        )
        .unwrap();
        assert_eq!((r.l0, r.l1, r.contract, r.inplace), (8, 8, 8, 2));
        assert_eq!(r.in0_perm, vec![0, 1, 2]);
        assert_eq!(r.in1_perm, vec![1, 2, 0]);
        assert_eq!(r.out_interpret_shape, vec![2, 8, 8]);
        assert_eq!(r.out_perm, vec![1, 0, 2]);
    }

    #[test]
    fn direct_sum_is_refused() {
        let e = EinsumRecipe::new(&chars("bc"), &chars("cd"), &chars("d"), &[8, 16], &[16, 12])
            .unwrap_err();
        assert!(e.contains("direct sum"), "{e}");
    }
}
