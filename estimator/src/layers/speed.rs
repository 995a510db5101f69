//! Pipeline depth against part and clock: the same logic needs more register stages on a
//! slower family or at a shorter clock period. The timing coefficients were fitted on the
//! wa-hls4ml rows, all at 5 ns on an Alveo U250 (UltraScale+), where the scale is 1; elsewhere
//! the unrolled-stage terms (`latency_stage`, `latency_registered`, `elementwise_stage`) are
//! multiplied by `family factor × 5 ns / clock`.
//!
//! Family factor, read off the corpus (`data/real-projects/`): the hls4ml-tutorial jet tagger
//! (16-64-32-32-5, Latency, RF 1, 5 ns, Vivado HLS 2019.1) reports 13 cycles on xczu3eg
//! (UltraScale+) and 23–31 (median 26.5) on xc7vx690t (Virtex-7) in uw-acme/HLS4ML_VS_MANUAL:
//! about 2 for 7-series. Versal has no row: 1 (a prior).
//!
//! UltraScale (not plus, 20 nm; Vivado HLS prices its operators slower than UltraScale+'s
//! 16 nm ones) paces like a 7-series part at -2: factor 2. Read off four independent sources of
//! the corpus on the xcku115-flvb2104-2 at 5 ns (Vivado HLS 2018.2–2020.1), each against the
//! same network on UltraScale+ at the same clock: the jet tagger at RF 1 takes 21–22 cycles
//! (stbordoni/hls4ml-tutorial nb001, vladov3000/hls4ml-tutorial nb001) and 18
//! (Duchstf/hls4ml-tutorial nb001) against 13 on the xczu3eg and xcu250; the 75 %-pruned
//! QKeras tagger 24–25 (stbordoni nb004, vladov3000 nb004, fastmachinelearning/hls4ml-tutorial
//! nb024) against 15 on the xczu3eg (nb019) and 11 on the xcu250 (LeoSf/hls4ml_tutorial nb004).
//! Factor 1 gives 11 cycles for all of them, factor 2 gives 22; leaving any one source out, the
//! other three still say 2 and not 1 or 4 (the corpus has no other UltraScale Latency row).
//!
//! Speed grade -1 of a 7-series part (the slowest commercial grade: DSP48E1 and carry chains
//! slower than at -2, so Vivado/Vitis HLS's delay model fits fewer operations in a cycle) doubles
//! the 7-series factor again, to 4. Read off four independent sources of the corpus on the
//! xc7z020clg400-1 at 5 ns, each against the same network on a faster part: the jet tagger
//! (yvsim001/hls4ml_tutorial, Vitis HLS 2022.2) 46–50 cycles against 23–31 on the xc7vx690t-2
//! (uw-acme/HLS4ML_VS_MANUAL); Hector-Plata/hls4ml-tutorial's pruned MLP 52–54 cycles against
//! 9–10 on the xcu250-2L; fastmachinelearning/hls4ml's KERAS_3layer io_stream run 10 cycles
//! where the -2 pace gives 5; and at 25 ns (pominiq/DNNonSilicon 009/010, two dense layers and
//! a softmax) 4–5 cycles where the -2 pace gives 3 (the -1 pace 5). Leaving any one of the
//! four sources out, the other three still say about 2. UltraScale+ at -1 keeps 1: the jet
//! tagger takes 13 cycles on the xczu3eg-1 as on the xcu250-2L (hls4ml-tutorial's notebooks).
//!
//! Cycles per input pixel of an io_stream convolution also depend on the tool
//! ([`stream_pixel_cycles`]).

/// The speed grade of a part name (`xc7z020clg400-1` → `1`, `xczu3eg-sbva484-1-e` → `1`,
/// `xcu250-figd2104-2L-e` → `2L`): the first hyphen-separated field after the device and
/// package that starts with a digit.
pub fn speed_grade(part: &str) -> Option<&str> {
    part.split('-')
        .skip(1)
        .find(|f| f.starts_with(|c: char| c.is_ascii_digit()))
}

/// The multiplier of the unrolled-stage timing terms on a part (family and name, for its speed
/// grade) at a clock period.
pub fn depth_scale(family: &str, part: &str, clock_ns: f64) -> f64 {
    let f = family.to_ascii_lowercase();
    let seven_series = ["virtex-7", "kintex-7", "artix-7", "zynq-7000", "spartan-7"]
        .iter()
        .any(|s| f.starts_with(s));
    // "Kintex UltraScale", "Virtex UltraScale" (not "... UltraScale+")
    let ultrascale = f.contains("ultrascale") && !f.contains("ultrascale+");
    let family_factor = match (seven_series, ultrascale, speed_grade(part)) {
        (true, _, Some("1")) => 4.0,
        (true, _, _) | (false, true, _) => 2.0,
        (false, false, _) => 1.0,
    };
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
        assert_eq!(
            depth_scale("Virtex UltraScale+", "xcu250-figd2104-2L-e", 5.0),
            1.0
        );
        assert_eq!(depth_scale("Virtex-7", "xc7vx690tffg1761-2", 5.0), 2.0);
        // Speed grade -1 of 7-series: twice the -2 pace (yvsim001's jet tagger on the
        // xc7z020-1: 46–50 cycles against 23–31 on the xc7vx690t-2).
        assert_eq!(depth_scale("Zynq-7000", "xc7z020clg400-1", 5.0), 4.0);
        assert!((depth_scale("Zynq-7000", "xc7z020clg400-1", 25.0) - 0.8).abs() < 1e-12);
        assert!((depth_scale("Zynq-7000", "xc7z100ffg900-2", 25.0) - 0.4).abs() < 1e-12);
        // UltraScale (20 nm) paces like 7-series at -2 (the jet tagger: 18–22 cycles on the
        // xcku115-2 against 13 on UltraScale+).
        assert_eq!(
            depth_scale("Kintex UltraScale", "xcku115-flvb2104-2-i", 5.0),
            2.0
        );
        assert_eq!(
            depth_scale("Kintex UltraScale+", "xcku15p-ffve1517-1-i", 5.0),
            1.0
        );
        // UltraScale+ at -1 keeps the -2 pace (the jet tagger: 13 cycles on both).
        assert_eq!(
            depth_scale("Zynq UltraScale+ MPSoC", "xczu3eg-sbva484-1-e", 10.0),
            0.5
        );
    }

    #[test]
    fn speed_grades() {
        assert_eq!(speed_grade("xc7z020clg400-1"), Some("1"));
        assert_eq!(speed_grade("xc7vx690t-ffg1761-2"), Some("2"));
        assert_eq!(speed_grade("xczu3eg-sbva484-1-e"), Some("1"));
        assert_eq!(speed_grade("xcu250-figd2104-2L-e"), Some("2L"));
        assert_eq!(speed_grade("xcu250"), None);
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
