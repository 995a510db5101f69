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
//!
//! Cycles per input pixel of an io_stream convolution also depend on the tool
//! ([`stream_pixel_cycles`]).

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

/// Cycles of an io_stream convolution kernel per input pixel, given what hls4ml's pragmas ask
/// (`asked`: RF, or fewer for a small Latency kernel). Read off the corpus' reports:
/// - Latency strategy at RF 1: Vivado HLS 2020.1 keeps II 1 per pixel (pominiq/DNNonSilicon
///   008: 788 cycles for 784 pixels); Vitis HLS takes 3 cycles per pixel, in three independent
///   projects and both conv ranks (gflengas/fdf-hls4ml-tutorial, Vitis 2023.2: 2356 for 784;
///   lolbraa/HLS4ML_testbench_KV260, 2025.2: 2352 for 784; seanlipps/ECE226_CoDesign Conv1D,
///   2024.1: 390 for 130).
/// - Resource strategy, Vivado HLS (the pixel loop is not pipelined): RF plus about 7 cycles of
///   kernel depth and buffer shifting per pixel (Berk-Bilgin/ML-fpga, 2020.1: 8 per pixel at
///   RF 2, 6 at RF 1; uw-acme/HLS4ML_-NeutDetector, 2019.2: RF + 9). Vitis HLS: RF per pixel
///   (the wa-hls4ml conv2d rows, Vitis 2023.2, whose latency the model matches to 0.1 %).
pub fn stream_pixel_cycles(strategy: ir::Strategy, tool: super::Tool, rf: u64, asked: f64) -> f64 {
    use super::Tool;
    use ir::Strategy;
    match (strategy, tool) {
        (Strategy::Latency, Tool::VitisHls) if rf == 1 => 3.0,
        (Strategy::Resource, Tool::VivadoHls) => asked + 7.0,
        (Strategy::Latency, _) | (Strategy::Resource, Tool::VitisHls) => asked,
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

    #[test]
    fn stream_pixels_by_tool() {
        use crate::layers::Tool;
        use ir::Strategy;
        // gflengas: 784 pixels at 3 cycles = 2352 (reported II 2356).
        assert_eq!(
            784.0 * stream_pixel_cycles(Strategy::Latency, Tool::VitisHls, 1, 1.0),
            2352.0
        );
        assert_eq!(
            stream_pixel_cycles(Strategy::Latency, Tool::VivadoHls, 1, 1.0),
            1.0
        );
        // Berk-Bilgin config5: RF 2 → 9 cycles per pixel (reported 544–884 for 68 pixels).
        assert_eq!(
            stream_pixel_cycles(Strategy::Resource, Tool::VivadoHls, 2, 2.0),
            9.0
        );
        assert_eq!(
            stream_pixel_cycles(Strategy::Resource, Tool::VitisHls, 8192, 8192.0),
            8192.0
        );
    }
}
