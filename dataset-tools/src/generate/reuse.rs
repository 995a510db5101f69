//! hls4ml's reuse-factor validity rule for Dense/Conv layers (`FPGABackend._validate_reuse_factor`
//! and `get_closest_reuse_factor` in hls4ml 1.3.0, backends/fpga/fpga_backend.py), computed from
//! the divisors of `n_in * n_out` so that it costs O(sqrt(n)) instead of hls4ml's O(n) scan:
//! the generator calls it for every layer of hundreds of thousands of models.

/// Whether `rf` is a valid reuse factor for a layer with `n_in` inputs and `n_out` outputs per
/// multiplication (Dense: n_in, n_out; Conv: n_chan·kernel, n_filt).
pub fn is_valid(n_in: u64, n_out: u64, rf: u64) -> bool {
    if rf == 0 || n_in == 0 || n_out == 0 {
        return false;
    }
    let multfactor = n_in.min(rf);
    let multiplier_limit = (n_in * n_out).div_ceil(multfactor);
    (multiplier_limit.is_multiple_of(n_out) || rf >= n_in)
        && (rf.is_multiple_of(n_in) || rf < n_in)
        && (n_in * n_out).is_multiple_of(rf)
}

/// The valid reuse factors, ascending (every valid RF divides `n_in * n_out`).
pub fn valid(n_in: u64, n_out: u64) -> Vec<u64> {
    let n = n_in * n_out;
    let mut small = Vec::new();
    let mut large = Vec::new();
    let mut d = 1;
    while d * d <= n {
        if n.is_multiple_of(d) {
            small.push(d);
            if d != n / d {
                large.push(n / d);
            }
        }
        d += 1;
    }
    small
        .into_iter()
        .chain(large.into_iter().rev())
        .filter(|&rf| is_valid(n_in, n_out, rf))
        .collect()
}

/// The valid RF closest to `chosen`; the smaller one on a tie (hls4ml's rule).
pub fn closest(n_in: u64, n_out: u64, chosen: u64) -> u64 {
    let v = valid(n_in, n_out);
    let pos = v.partition_point(|&x| x < chosen);
    if pos == 0 {
        return v[0];
    }
    if pos == v.len() {
        return v[v.len() - 1];
    }
    let (before, after) = (v[pos - 1], v[pos]);
    if after - chosen < chosen - before {
        after
    } else {
        before
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// hls4ml's own O(n) scan (get_valid_reuse_factors), transcribed.
    fn scan(n_in: u64, n_out: u64) -> Vec<u64> {
        (1..=n_in * n_out)
            .filter(|&rf| is_valid(n_in, n_out, rf))
            .collect()
    }

    #[test]
    fn divisor_enumeration_equals_hls4ml_scan() {
        for n_in in [1, 3, 8, 16, 24, 27, 40, 64, 104] {
            for n_out in [1, 5, 8, 10, 16, 48, 120] {
                assert_eq!(valid(n_in, n_out), scan(n_in, n_out), "{n_in}x{n_out}");
            }
        }
    }

    #[test]
    fn closest_matches_hand_derived_values() {
        // Dense 16 -> 5 (n = 80): divisors 1,2,4,5,8,10,16,20,40,80. RFs below 16 must divide
        // evenly into n_out multiples: ceil(80/rf) % 5 == 0 keeps 1,2,4,8; 16, 80 are
        // multiples of 16; 20, 40 are not (rf >= n_in but rf % 16 != 0); 5 and 10 fail
        // (ceil(80/5)=16, ceil(80/10)=8 are not multiples of 5).
        assert_eq!(valid(16, 5), vec![1, 2, 4, 8, 16, 80]);
        assert_eq!(closest(16, 5, 10), 8);
        assert_eq!(closest(16, 5, 12), 8); // tie 8/16: the smaller
        assert_eq!(closest(16, 5, 13), 16);
        assert_eq!(closest(16, 5, 4093), 80);
    }
}
