//! Reuse-factor validity exactly as hls4ml checks it (`FPGABackend._validate_reuse_factor`,
//! `get_valid_reuse_factors`, `get_closest_reuse_factor` in
//! `hls4ml/backends/fpga/fpga_backend.py`, hls4ml 1.3.0): the one copy that hls-codegen, the
//! estimator and the dataset generator share. `n_in`/`n_out` are the multiplications' inputs
//! and outputs (Dense: n_in, n_out; Conv: n_chan·kernel, n_filt).
//!
//! hls4ml loops over every RF in `1..=n_in*n_out`; a valid RF always divides `n_in*n_out`, so we
//! enumerate divisors only (O(√n) instead of O(n)), which gives the same list.
//!
//! The arithmetic is checked: a product `n_in*n_out` that overflows `u64` or exceeds
//! [`crate::limits::MAX_REUSE_PRODUCT`] (no real layer comes near it; the frontends refuse such
//! layers) has no valid reuse factor here, so the divisor loop is at most 2^24 steps.

/// hls4ml's `_validate_reuse_factor(n_in, n_out, rf)`.
pub fn is_valid_reuse_factor(n_in: u64, n_out: u64, rf: u64) -> bool {
    if n_in == 0 || n_out == 0 || rf == 0 {
        return false;
    }
    let Some(n) = product(n_in, n_out) else {
        return false;
    };
    let multfactor = n_in.min(rf);
    let multiplier_limit = n.div_ceil(multfactor);
    let functional = (multiplier_limit.is_multiple_of(n_out) || rf >= n_in)
        && (rf.is_multiple_of(n_in) || rf < n_in);
    functional && n.is_multiple_of(rf)
}

/// `n_in*n_out` when it is within [`crate::limits::MAX_REUSE_PRODUCT`].
fn product(n_in: u64, n_out: u64) -> Option<u64> {
    n_in.checked_mul(n_out)
        .filter(|&n| n <= crate::limits::MAX_REUSE_PRODUCT)
}

/// hls4ml's `get_valid_reuse_factors(n_in, n_out)`: every valid RF in `1..=n_in*n_out`, sorted.
pub fn valid_reuse_factors(n_in: u64, n_out: u64) -> Vec<u64> {
    let n = match product(n_in, n_out) {
        Some(n) if n > 0 => n,
        _ => return Vec::new(),
    };
    let mut small = Vec::new();
    let mut large = Vec::new();
    let mut d = 1u64;
    while d <= n / d {
        if n.is_multiple_of(d) {
            small.push(d);
            if d * d != n {
                large.push(n / d);
            }
        }
        d += 1;
    }
    small
        .into_iter()
        .chain(large.into_iter().rev())
        .filter(|&rf| is_valid_reuse_factor(n_in, n_out, rf))
        .collect()
}

/// hls4ml's `get_closest_reuse_factor(valid_rf, chosen_rf)`: the closest valid value, the
/// smaller one on a tie. `valid` must be sorted and non-empty; an empty list gives `chosen`.
pub fn closest_in(valid: &[u64], chosen: u64) -> u64 {
    let pos = valid.partition_point(|&v| v < chosen);
    if valid.is_empty() {
        return chosen;
    }
    if pos == 0 {
        return valid[0];
    }
    if pos == valid.len() {
        return valid[valid.len() - 1];
    }
    let (before, after) = (valid[pos - 1], valid[pos]);
    if valid[pos] == chosen {
        return chosen;
    }
    if after - chosen < chosen - before {
        after
    } else {
        before
    }
}

/// The RF hls4ml uses for a layer of `n_in × n_out` multiplications when `chosen` is requested
/// (`set_closest_reuse_factor`): `chosen` itself when valid, else the closest valid one.
pub fn closest_reuse_factor(n_in: u64, n_out: u64, chosen: u64) -> u64 {
    if is_valid_reuse_factor(n_in, n_out, chosen) {
        return chosen;
    }
    closest_in(&valid_reuse_factors(n_in, n_out), chosen)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// hls4ml's own loop, transcribed, as the oracle for the divisor shortcut.
    fn hls4ml_loop(n_in: u64, n_out: u64) -> Vec<u64> {
        (1..=n_in * n_out)
            .filter(|&rf| is_valid_reuse_factor(n_in, n_out, rf))
            .collect()
    }

    #[test]
    fn divisor_enumeration_matches_hls4ml_loop() {
        for (a, b) in [
            (1, 1),
            (3, 5),
            (16, 10),
            (80, 24),
            (24, 120),
            (57, 13),
            (64, 32),
        ] {
            assert_eq!(valid_reuse_factors(a, b), hls4ml_loop(a, b), "{a}x{b}");
        }
    }

    #[test]
    fn matches_hls4ml_output() {
        // Truth: hls4ml 1.3.0, VivadoBackend().get_valid_reuse_factors(16, 10) run in the venv.
        assert_eq!(
            valid_reuse_factors(16, 10),
            vec![1, 2, 4, 8, 16, 32, 80, 160]
        );
        // Truth: the pilot data (wa-hls4ml-search results_resource.csv) asked for RF 513 and
        // 1025 and hls4ml stored 512 and 1024 for dense_32_64 (n = 2048).
        assert_eq!(closest_reuse_factor(32, 64, 513), 512);
        assert_eq!(closest_reuse_factor(32, 64, 1025), 1024);
        // Tie → the smaller (bisect_left rule): valid 1,2,4,8,16,32,80,160; 56 is 24 from both.
        assert_eq!(closest_reuse_factor(16, 10, 56), 32);
        assert_eq!(closest_reuse_factor(16, 10, 1000), 160);
    }
    #[test]
    fn matches_lists_hls4ml_printed() {
        // Printed by hls4ml 1.3.0 while converting the codegen harness MLPs
        // (scripts/hls4ml_reference.py): "Invalid ReuseFactor=4 in layer "fc1". Using
        // ReuseFactor=5 instead. Valid ReuseFactor(s): 1,2,5,10,20,30,40,60,120."
        assert_eq!(
            valid_reuse_factors(10, 12),
            vec![1, 2, 5, 10, 20, 30, 40, 60, 120]
        );
        assert_eq!(closest_reuse_factor(10, 12, 4), 5);
        // "... Valid ReuseFactor(s): 1,2,3,4,6,12,24,48,96." (fc2, asked 20 → 24)
        assert_eq!(
            valid_reuse_factors(12, 8),
            vec![1, 2, 3, 4, 6, 12, 24, 48, 96]
        );
        assert_eq!(closest_reuse_factor(12, 8, 20), 24);
        // "... Valid ReuseFactor(s): 1,2,4,8,24." (fc3, asked 20 → 24)
        assert_eq!(valid_reuse_factors(8, 3), vec![1, 2, 4, 8, 24]);
        // hls4ml docs: a 3x3x1 → 4 filter conv turns RF 4 into 3.
        assert_eq!(closest_reuse_factor(9, 4, 4), 3);
    }

    #[test]
    fn saturated_products_end_at_once() {
        // Issue 18: a CSV row with model_string 9223372036854775807-48 made n_in*n_out saturate
        // to u64::MAX, and `d * d <= n` wrapped, so the loop never ended.
        let t = std::time::Instant::now();
        assert!(valid_reuse_factors(i64::MAX as u64, 48).is_empty());
        assert!(valid_reuse_factors(u64::MAX, u64::MAX).is_empty());
        assert!(!is_valid_reuse_factor(u64::MAX, 2, 1));
        assert_eq!(closest_reuse_factor(i64::MAX as u64, 48, 7), 7);
        // At the limit the loop is 2^24 steps: 2^48 = 2^24 x 2^24 has divisors 2^0..2^48.
        let at = crate::limits::MAX_REUSE_PRODUCT;
        // rf = 2^k, k < 24: n/rf = 2^(48-k) is a multiple of n_out = 2^24 (24 values); k >= 24: a
        // multiple of n_in (25 values).
        assert_eq!(valid_reuse_factors(1 << 24, at >> 24).len(), 49);
        assert!(valid_reuse_factors(1 << 24, (at >> 24) + 1).is_empty());
        assert!(t.elapsed().as_secs() < 5, "{:?}", t.elapsed());
    }

    #[test]
    fn closest_matches_hand_derived_values() {
        // Dense 16 -> 5 (n = 80): divisors 1,2,4,5,8,10,16,20,40,80. Below n_in, ceil(80/rf)
        // must be a multiple of 5: keeps 1,2,4,8 (5 and 10 give 16 and 8); at or above n_in,
        // rf must be a multiple of 16: keeps 16, 80 (20, 40 are not).
        assert_eq!(valid_reuse_factors(16, 5), vec![1, 2, 4, 8, 16, 80]);
        assert_eq!(closest_reuse_factor(16, 5, 10), 8);
        assert_eq!(closest_reuse_factor(16, 5, 12), 8); // tie 8/16: the smaller
        assert_eq!(closest_reuse_factor(16, 5, 13), 16);
        assert_eq!(closest_reuse_factor(16, 5, 4093), 80);
        assert_eq!(closest_in(&[1, 2, 4, 8], 3), 2);
        assert_eq!(closest_in(&[1, 2, 4, 8], 7), 8);
        assert_eq!(closest_in(&[2, 4], 1), 2);
        assert_eq!(closest_in(&[2, 4], 100), 4);
    }
}
