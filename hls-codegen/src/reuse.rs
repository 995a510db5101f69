//! hls4ml 1.3.0's `set_closest_reuse_factor` for codegen: the RF used and the warning with the
//! reason (the validity rule itself is [`ir::reuse`]), plus the convolution partition split of
//! `init_conv*`.

/// hls4ml's `get_valid_reuse_factors(n_in, n_out)` ([`ir::reuse`]) in codegen's `usize`.
pub fn valid(n_in: usize, n_out: usize) -> Vec<usize> {
    ir::reuse::valid_reuse_factors(n_in as u64, n_out as u64)
        .into_iter()
        .map(|v| v as usize)
        .collect()
}

/// The outcome of `set_closest_reuse_factor` for one layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub requested: usize,
    pub used: usize,
    /// hls4ml's warning text when the requested value was replaced.
    pub warning: Option<String>,
}

/// hls4ml's `set_closest_reuse_factor(layer, n_in, n_out)`, returning the RF used and the
/// warning hls4ml prints (`WARNING: Invalid ReuseFactor=...`) with the reason spelled out.
pub fn choose(layer: &str, n_in: usize, n_out: usize, requested: usize) -> Choice {
    let v = valid(n_in, n_out);
    if v.contains(&requested) {
        return Choice {
            requested,
            used: requested,
            warning: None,
        };
    }
    let used = ir::reuse::closest_in(
        &v.iter().map(|&x| x as u64).collect::<Vec<_>>(),
        requested as u64,
    ) as usize;
    let list = v
        .iter()
        .map(|x| x.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let why = reason(n_in, n_out, requested);
    Choice {
        requested,
        used,
        warning: Some(format!(
            "layer \"{layer}\": ReuseFactor {requested} -> {used} ({why}; multiplications n_in*n_out = {n_in}*{n_out}). Valid ReuseFactor(s): {list}."
        )),
    }
}

/// Why hls4ml rejects `rf` for an `n_in` x `n_out` product.
fn reason(n_in: usize, n_out: usize, rf: usize) -> String {
    if rf == 0 {
        return "a reuse factor must be at least 1".into();
    }
    if rf > n_in * n_out {
        return format!("it exceeds n_in*n_out = {}", n_in * n_out);
    }
    if !(n_in * n_out).is_multiple_of(rf) {
        return format!("{rf} does not divide n_in*n_out = {}", n_in * n_out);
    }
    if rf > n_in && !rf.is_multiple_of(n_in) {
        return format!("{rf} > n_in = {n_in} but is not a multiple of it");
    }
    format!(
        "with {rf} <= n_in the multiplier count ceil({}/{}) is not a multiple of n_out = {n_out}",
        n_in * n_out,
        n_in.min(rf)
    )
}

/// hls4ml's `get_valid_conv_partition_splits(out_height, out_width)`: divisors of the pixel count.
pub fn valid_partition_splits(out_height: usize, out_width: usize) -> Vec<usize> {
    let n = out_height * out_width;
    (1..=n).filter(|d| n.is_multiple_of(*d)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choose_follows_hls4ml() {
        // Printed by hls4ml 1.3.0 while converting the harness MLPs (scripts/hls4ml_reference.py):
        // "Invalid ReuseFactor=4 in layer "fc1". Using ReuseFactor=5 instead."
        let c = choose("fc1", 10, 12, 4);
        assert_eq!(c.used, 5);
        assert!(c.warning.unwrap().contains("ReuseFactor 4 -> 5"));
        assert_eq!(choose("fc2", 12, 8, 20).used, 24);
        // hls4ml docs note: conv 3x3x1 -> 4 filters, RF 4 becomes 3
        assert_eq!(choose("conv", 9, 4, 4).used, 3);
        assert!(choose("conv", 9, 4, 3).warning.is_none());
    }
}
