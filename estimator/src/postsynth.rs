//! Post-synthesis figures of Latency-strategy layers, which the wa-hls4ml calibration data
//! cannot give (it has no post-synthesis Latency rows): the layer's csynth estimate times one
//! ratio per figure, fitted on the real corpus' report pairs (`data/real-projects/`, csynth →
//! Vivado post-synthesis of the same run) by `scripts/bench_real_projects.py --fit-post`, which
//! also prints the leave-one-source-out SMAPE. The bundled ratios are
//! `estimator/calibration/post-synthesis-latency.json`.
//!
//! A layer priced this way reports [`PostBasis::CsynthRatio`]; a layer whose post-synthesis
//! coefficients were fitted on post-synthesis rows [`PostBasis::Fitted`]; one that still copies
//! the csynth coefficients (a custom calibration without them and no ratio)
//! [`PostBasis::CopyOfCsynth`]. `--explain`, the table and the JSON say which.

use crate::resources::Resources;
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

/// Where a layer's post-synthesis figures come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PostBasis {
    /// Post-synthesis coefficients fitted on post-synthesis rows of the layer's strategy.
    Fitted,
    /// The csynth estimate times the ratios of the real corpus ([`ratios`]).
    CsynthRatio,
    /// The csynth coefficients: the figures copy csynth's.
    CopyOfCsynth,
}

impl PostBasis {
    pub fn name(self) -> &'static str {
        match self {
            PostBasis::Fitted => "fitted",
            PostBasis::CsynthRatio => "csynth_ratio",
            PostBasis::CopyOfCsynth => "copy_of_csynth",
        }
    }
}

/// One fitted ratio and how much data is behind it.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
pub struct Ratio {
    pub ratio: f64,
    pub rows: usize,
    pub sources: usize,
}

/// The ratios per figure.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Ratios {
    pub lut: Ratio,
    pub ff: Ratio,
    pub dsp: Ratio,
    pub bram_18k: Ratio,
}

#[derive(Deserialize)]
struct File {
    produced_by: String,
    ratios: Ratios,
}

const BUNDLED: &str = include_str!("../calibration/post-synthesis-latency.json");

/// The bundled ratios and the command that produced them.
pub fn ratios() -> &'static (Ratios, String) {
    static R: OnceLock<(Ratios, String)> = OnceLock::new();
    R.get_or_init(|| {
        // The file is part of the crate (include_str!) and checked by the tests below: a parse
        // failure is a build defect, not bad input.
        let f: File = serde_json::from_str(BUNDLED)
            .expect("estimator/calibration/post-synthesis-latency.json is valid");
        (f.ratios, f.produced_by)
    })
}

/// The post-synthesis figures of a csynth estimate (URAM unchanged).
pub fn apply(csynth: &Resources) -> Resources {
    let r = &ratios().0;
    Resources {
        lut: csynth.lut * r.lut.ratio,
        ff: csynth.ff * r.ff.ratio,
        dsp: csynth.dsp * r.dsp.ratio,
        bram_18k: csynth.bram_18k * r.bram_18k.ratio,
        uram: csynth.uram,
    }
}

/// One line for `--explain`.
pub fn explain() -> String {
    let (r, by) = ratios();
    format!(
        "= csynth × ratio (Latency strategy: no post-synthesis rows in the calibration data): lut {:.3}, ff {:.3}, dsp {:.3}, bram_18k {:.3}, fitted on {} real-project rows from {} sources ({by})",
        r.lut.ratio, r.ff.ratio, r.dsp.ratio, r.bram_18k.ratio, r.lut.rows, r.lut.sources
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_ratios_match_the_corpus_pairs() {
        // Independent truth: the LUT ratio is the median over sources of each source's
        // geometric mean of post/csynth LUT, from the reports in data/real-projects/rows.csv
        // (Latency-strategy rows with post-synthesis figures): hls4ml-tutorial 0.478 (2 rows),
        // Berk-Bilgin 001 299868/609548 = 0.492, thaarres 0.527, astitwlathe 60597/112473 =
        // 0.539, pominiq 0.563 (14 rows), seanlipps 0.570, fastmachinelearning/hls4ml
        // 1526/2532 = 0.603, camillamiao sqrt(1219/1773 · 970/1444) = 0.680 (2 rows): median
        // of the eight (0.539 + 0.563) / 2 = 0.551.
        let (r, by) = ratios();
        assert!((r.lut.ratio - 0.551).abs() < 0.001, "{}", r.lut.ratio);
        assert_eq!((r.lut.rows, r.lut.sources), (24, 8));
        assert!(by.contains("bench_real_projects.py --fit-post"));
        // Every ratio is a shrink or about 1 (Vivado removes logic HLS counted).
        for x in [r.lut, r.ff, r.dsp, r.bram_18k] {
            assert!(x.ratio > 0.3 && x.ratio <= 1.05, "{x:?}");
        }
        let p = apply(&Resources {
            lut: 1000.0,
            ff: 1000.0,
            dsp: 10.0,
            bram_18k: 4.0,
            uram: 1.0,
        });
        assert!((p.lut - 1000.0 * r.lut.ratio).abs() < 1e-9 && p.uram == 1.0);
    }
}
