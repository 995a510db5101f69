//! C-synthesis FF of io_stream networks by HLS tool and strategy, which the wa-hls4ml
//! calibration data (Vitis HLS 2023.2; io_stream only with the Resource strategy) cannot give:
//! every layer's csynth FF times one factor per (tool, the network's strategy: the config's
//! `Model` section), fitted on the real corpus
//! (`data/real-projects/`) by `scripts/bench_real_projects.py --fit-stream-ff`, which also
//! prints the leave-one-source-out SMAPE. The bundled factors are
//! `estimator/calibration/stream-ff.json`.
//!
//! What the corpus shows (csynth FF report / model, per source the geometric mean over its
//! rows): io_stream projects synthesised by Vivado HLS ≤ 2020.1 with the Resource strategy carry
//! 2.3–5× the registers the Vitis-fitted coefficients give, in five independent projects
//! (Conv1D and Conv2D CNNs: Berk-Bilgin/ML-fpga, kendermag/hls4ml-tutorial,
//! uw-acme/HLS4ML_-NeutDetector, ChiRuiChen's AutoEncoder and Deepcalo); io_stream networks
//! with the Latency strategy about 1.6× in most projects of both tools (pominiq/DNNonSilicon,
//! gflengas/fdf-hls4ml-tutorial, lolbraa/HLS4ML_testbench_KV260, Alezander9/ML_FPGAonPixel,
//! seanlipps/ECE226_CoDesign). A (tool, strategy) pair without corpus rows keeps 1 (the fitted
//! coefficients as they are): Vitis HLS with the Resource strategy, which the wa-hls4ml rows
//! cover. io_parallel networks keep 1.

use crate::layers::Tool;
use ir::Strategy;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// One fitted factor and how much data is behind it.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
pub struct Factor {
    pub factor: f64,
    pub rows: usize,
    pub sources: usize,
}

#[derive(Deserialize)]
struct File {
    produced_by: String,
    /// Keyed `<tool>/<strategy>`: `vivado_hls/Resource`, `vitis_hls/Latency`, ...
    factors: BTreeMap<String, Factor>,
}

const BUNDLED: &str = include_str!("../calibration/stream-ff.json");

fn bundled() -> &'static (BTreeMap<String, Factor>, String) {
    static F: OnceLock<(BTreeMap<String, Factor>, String)> = OnceLock::new();
    F.get_or_init(|| {
        // The file is part of the crate (include_str!) and checked by the tests below: a parse
        // failure is a build defect, not bad input.
        let f: File =
            serde_json::from_str(BUNDLED).expect("estimator/calibration/stream-ff.json is valid");
        (f.factors, f.produced_by)
    })
}

/// The key of a (tool, strategy) pair in the file.
pub fn key(tool: Tool, strategy: Strategy) -> String {
    let t = match tool {
        Tool::VivadoHls => "vivado_hls",
        Tool::VitisHls => "vitis_hls",
    };
    format!("{t}/{strategy}")
}

/// The fitted factor of an io_stream network of this tool and (model-level) strategy, if the corpus has one.
pub fn factor(tool: Tool, strategy: Strategy) -> Option<Factor> {
    bundled().0.get(&key(tool, strategy)).copied()
}

/// The csynth FF multiplier of a network's layers: the fitted factor in io_stream, else 1.
pub fn scale(tool: Tool, strategy: Strategy, io_stream: bool) -> f64 {
    if !io_stream {
        return 1.0;
    }
    factor(tool, strategy).map_or(1.0, |f| f.factor)
}

/// One line for `--explain`.
pub fn explain(tool: Tool, strategy: Strategy) -> Option<String> {
    let f = factor(tool, strategy)?;
    Some(format!(
        "csynth ff × {:.3} (io_stream, {}: fitted on {} real-project rows from {} sources; {})",
        f.factor,
        key(tool, strategy),
        f.rows,
        f.sources,
        bundled().1
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_factors() {
        // The fit (scripts/bench_real_projects.py --fit-stream-ff) keeps a (tool, strategy)
        // only where its leave-one-source-out SMAPE beats the model without it: Vivado HLS
        // Resource (6 sources, csynth FF 118 → 41 %) and Vitis HLS Latency (5 sources, 59 → 36
        // %); Vivado HLS Latency (pominiq's rows at 1.36 against Berk-Bilgin's 4.6) is left out,
        // and so is Vitis HLS Resource (no corpus rows; the wa-hls4ml rows it was fitted on).
        let r = factor(Tool::VivadoHls, Strategy::Resource).unwrap();
        assert!(r.factor > 2.0 && r.factor < 5.0 && r.sources >= 5, "{r:?}");
        let l = factor(Tool::VitisHls, Strategy::Latency).unwrap();
        assert!(l.factor > 1.2 && l.factor < 2.5 && l.sources >= 4, "{l:?}");
        assert!(factor(Tool::VivadoHls, Strategy::Latency).is_none());
        assert!(factor(Tool::VitisHls, Strategy::Resource).is_none());
        // io_parallel and the wa-hls4ml setting keep the fitted coefficients as they are.
        assert_eq!(scale(Tool::VivadoHls, Strategy::Resource, false), 1.0);
        assert_eq!(scale(Tool::VitisHls, Strategy::Resource, true), 1.0);
        assert_eq!(scale(Tool::VivadoHls, Strategy::Resource, true), r.factor);
        assert!(explain(Tool::VitisHls, Strategy::Latency)
            .unwrap()
            .contains("--fit-stream-ff"));
    }
}
