//! Pipeline depth against part and clock: the same logic needs more register stages on a
//! slower family or at a shorter clock period. The timing coefficients were fitted on the
//! wa-hls4ml rows, all at 5 ns on an Alveo U250 (UltraScale+), where the scale is 1; elsewhere
//! the unrolled-stage terms (`latency_stage`, `latency_registered`, `elementwise_stage`) are
//! multiplied by `family factor × 5 ns / clock`.
//!
//! Family factor, read off the corpus (`data/real-projects/`): the hls4ml-tutorial jet tagger
//! (16-64-32-32-5, Latency, RF 1, 5 ns, Vivado HLS 2019.1) reports 13 cycles on xczu3eg
//! (UltraScale+) and 23–31 (median 26.5) on xc7vx690t (Virtex-7) in uw-acme/HLS4ML_VS_MANUAL:
//! about 2 for 7-series. At 25 ns on a Zynq-7000 (pominiq/DNNonSilicon 009/010: two dense
//! layers and a softmax in 4–5 cycles) the scale is 2 × 5/25 = 0.4. UltraScale (not plus) and
//! Versal have no row: 1 (a prior).

/// The multiplier of the unrolled-stage timing terms on a part family at a clock period.
pub fn depth_scale(family: &str, clock_ns: f64) -> f64 {
    let f = family.to_ascii_lowercase();
    let seven_series = ["virtex-7", "kintex-7", "artix-7", "zynq-7000", "spartan-7"]
        .iter()
        .any(|s| f.starts_with(s));
    let family_factor = if seven_series { 2.0 } else { 1.0 };
    if clock_ns.is_finite() && clock_ns > 0.0 {
        family_factor * 5.0 / clock_ns
    } else {
        family_factor
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scales() {
        // The calibration's own setting is the unit; the corpus' two other settings.
        assert_eq!(depth_scale("Virtex UltraScale+", 5.0), 1.0);
        assert_eq!(depth_scale("Virtex-7", 5.0), 2.0);
        assert!((depth_scale("Zynq-7000", 25.0) - 0.4).abs() < 1e-12);
        assert_eq!(depth_scale("Zynq UltraScale+ MPSoC", 10.0), 0.5);
    }
}
