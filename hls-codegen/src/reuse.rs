//! Reuse-factor validation, exactly as hls4ml 1.3.0's FPGABackend does it
//! (`_validate_reuse_factor`, `get_valid_reuse_factors`, `get_closest_reuse_factor`,
//! `set_closest_reuse_factor`), plus the convolution partition split of `init_conv*`.

/// hls4ml's `_validate_reuse_factor(n_in, n_out, rf)`.
pub fn is_valid(n_in: usize, n_out: usize, rf: usize) -> bool {
    if rf == 0 || n_in == 0 || n_out == 0 {
        return false;
    }
    let multfactor = n_in.min(rf);
    let multiplier_limit = (n_in * n_out).div_ceil(multfactor);
    let mut ok = multiplier_limit.is_multiple_of(n_out) || rf >= n_in;
    ok = ok && (rf.is_multiple_of(n_in) || rf < n_in);
    ok && (n_in * n_out).is_multiple_of(rf)
}

/// hls4ml's `get_valid_reuse_factors(n_in, n_out)`: every valid RF in `1..=n_in*n_out`.
pub fn valid(n_in: usize, n_out: usize) -> Vec<usize> {
    (1..=n_in * n_out)
        .filter(|&rf| is_valid(n_in, n_out, rf))
        .collect()
}

/// hls4ml's `get_closest_reuse_factor`: the closest valid value, the smaller one on a tie.
pub fn closest(valid: &[usize], chosen: usize) -> usize {
    let pos = valid.partition_point(|&v| v < chosen);
    if pos == 0 {
        return valid[0];
    }
    if pos == valid.len() {
        return valid[valid.len() - 1];
    }
    let (before, after) = (valid[pos - 1], valid[pos]);
    if after - chosen < chosen - before {
        after
    } else {
        before
    }
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
    let used = closest(&v, requested);
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
    fn matches_hls4ml_valid_lists() {
        // Printed by hls4ml 1.3.0 while converting the harness MLPs (see scripts/hls4ml_reference.py):
        // "Invalid ReuseFactor=4 in layer "fc1". Using ReuseFactor=5 instead. Valid ReuseFactor(s): 1,2,5,10,20,30,40,60,120."
        assert_eq!(valid(10, 12), vec![1, 2, 5, 10, 20, 30, 40, 60, 120]);
        assert_eq!(choose("fc1", 10, 12, 4).used, 5);
        // "Invalid ReuseFactor=20 in layer "fc2". Using ReuseFactor=24 instead. Valid ReuseFactor(s): 1,2,3,4,6,12,24,48,96."
        assert_eq!(valid(12, 8), vec![1, 2, 3, 4, 6, 12, 24, 48, 96]);
        assert_eq!(choose("fc2", 12, 8, 20).used, 24);
        // "Invalid ReuseFactor=20 ... Valid ReuseFactor(s): 1,2,4,8,24."
        assert_eq!(valid(8, 3), vec![1, 2, 4, 8, 24]);
        assert_eq!(choose("fc3", 8, 3, 20).used, 24);
        // hls4ml docs note: conv 3x3x1 -> 4 filters, RF 4 becomes 3
        assert_eq!(choose("conv", 9, 4, 4).used, 3);
        assert!(choose("conv", 9, 4, 3).warning.is_none());
    }

    #[test]
    fn ties_go_to_the_smaller_value() {
        assert_eq!(closest(&[1, 2, 4, 8], 3), 2);
        assert_eq!(closest(&[1, 2, 4, 8], 6), 4);
        assert_eq!(closest(&[1, 2, 4, 8], 7), 8);
        assert_eq!(closest(&[2, 4], 1), 2);
        assert_eq!(closest(&[2, 4], 100), 4);
    }
}
