//! The free coefficients of the analytic model, the versioned calibration file that stores them
//! (`estimator/calibration/v1.json`), and their least-squares fit on real synthesis rows.
//!
//! What is fitted and what is not:
//! - DSP mapping: the fraction of products HLS/Vivado put on DSPs as a function of the narrower
//!   operand width, `clamp((w − w0)/(w1 − w0), 0, 1)`, per label kind and strategy (grid search).
//! - LUT and FF: linear in the per-layer [`FEATURES`] (weighted least squares, relative error,
//!   non-negative by elimination), per label kind and strategy.
//! - BRAM: `a · weight_bram_formula + b · bram_kernels`, per label kind and strategy.
//! - Timing: the pipeline-depth constants in [`TIMING_FEATURES`] (least squares on relative
//!   cycle error).
//!
//! Three coefficient sets per label kind ([`CoefSet`]): Latency strategy, Resource strategy in
//! io_parallel, and Resource strategy in io_stream (conv models: FIFOs, line buffers, per-pixel
//! activations and the dense head reading a stream), so that fitting the io_stream rows does not
//! move the io_parallel dense fit. Features that the shared data never exercises keep the prior
//! coefficients written in [`Calibration::prior`]; the file marks which coefficients were fitted.

use crate::error::EstimatorError;
use serde::{Deserialize, Serialize};

/// Names of the linear LUT/FF features of one layer, in order.
pub const FEATURES: [&str; NF] = [
    "kernels",            // MAC kernel instances (fixed control overhead)
    "lut_mult_bits",      // Σ LUT-mapped multipliers × a_bits × w_bits
    "dsp_products",       // DSP-mapped multipliers (glue around each DSP)
    "adder_bits",         // instantiated adders × accumulator bits
    "acc_bits",           // n_out × accumulator bits (accumulators, bias init, cast)
    "mux_bits",           // input-selection multiplexer bits of reused multipliers
    "elem_bits",          // element-wise operations × bits (ReLU, Add, pooling compares)
    "table_reads",        // parallel lookup-table reads (sigmoid, tanh, softmax)
    "buffer_bits",        // register arrays of io_stream layers and FIFOs kept in fabric
    "acc_index_bits",     // Resource, RF = k·n_in with k ≥ 3: block_factor × n_out × acc bits
    "line_buffer_bits",   // io_stream conv/pooling line buffers (ap_shift_reg, shift registers)
    "fabric_weight_bits", // weights partitioned into fabric (io_stream pointwise conv): n_in·n_out·w
];
/// Number of LUT/FF features.
pub const NF: usize = 12;

/// Names of the timing features (cycles = Σ RF-driven base + Σ coefficient × feature).
pub const TIMING_FEATURES: [&str; NT] = [
    "resource_stage", // one Resource-strategy MAC stage: pipeline depth after the RF loop
    "latency_stage",  // one Latency-strategy MAC stage: depth of the unrolled tree
    "latency_reused", // one Latency-strategy MAC stage with RF > 1 and DSP-mapped products
    "latency_serial", // DSP fraction × √RF of a Latency-strategy layer with RF > 1
    "elementwise_stage", // one activation / batchnorm / pooling / merge stage
    "dataflow_edge",  // one layer-to-layer channel in DATAFLOW (io_stream or Resource)
    "latency_registered", // one Latency-strategy MAC stage with RF > 1, whatever maps the products
];
pub const NT: usize = 7;

/// A LUT/FF feature: the index of its entry in a `[f64; NF]` feature or coefficient array
/// (`features[Feature::ElemBits]`), named as in [`FEATURES`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Feature {
    Kernels,
    LutMultBits,
    DspProducts,
    AdderBits,
    AccBits,
    MuxBits,
    ElemBits,
    TableReads,
    BufferBits,
    AccIndexBits,
    LineBufferBits,
    FabricWeightBits,
}

/// A timing feature: the index of its entry in a `[f64; NT]` array, named as in
/// [`TIMING_FEATURES`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timing {
    ResourceStage,
    LatencyStage,
    LatencyReused,
    LatencySerial,
    ElementwiseStage,
    DataflowEdge,
    LatencyRegistered,
}

impl std::ops::Index<Feature> for [f64; NF] {
    type Output = f64;
    fn index(&self, f: Feature) -> &f64 {
        &self[f as usize]
    }
}
impl std::ops::IndexMut<Feature> for [f64; NF] {
    fn index_mut(&mut self, f: Feature) -> &mut f64 {
        &mut self[f as usize]
    }
}
impl std::ops::Index<Timing> for [f64; NT] {
    type Output = f64;
    fn index(&self, t: Timing) -> &f64 {
        &self[t as usize]
    }
}
impl std::ops::IndexMut<Timing> for [f64; NT] {
    fn index_mut(&mut self, t: Timing) -> &mut f64 {
        &mut self[t as usize]
    }
}

/// Names of the BRAM terms.
pub const BRAM_FEATURES: [&str; NB] = [
    "weight_bram",  // one memory of depth RF × width block_factor·w_bits (ARRAY_RESHAPE)
    "bram_kernels", // kernels whose weights are in BRAM (fixed offset)
    "banked_bram",  // block_factor memories of depth RF × w_bits (ROM split per multiplier)
    "fifo_bram",    // io_stream FIFOs too large for fabric: BRAM18 of depth × width
];
pub const NB: usize = 4;

/// Which resource figure: the HLS C-synthesis estimate or the Vivado logic-synthesis result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LabelKind {
    Csynth,
    PostSynthesis,
}

impl LabelKind {
    pub fn name(self) -> &'static str {
        match self {
            LabelKind::Csynth => "csynth",
            LabelKind::PostSynthesis => "post_synthesis",
        }
    }
}

/// Fraction of products mapped to DSPs as a function of the narrower operand width.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DspMapping {
    /// At or below this width no product uses a DSP.
    pub w0: f64,
    /// At or above this width every product uses DSPs.
    pub w1: f64,
}

impl DspMapping {
    pub fn fraction(&self, width: u32) -> f64 {
        let w = width as f64;
        if w <= self.w0 {
            0.0
        } else if w >= self.w1 {
            1.0
        } else {
            (w - self.w0) / (self.w1 - self.w0)
        }
    }
}

/// The coefficients of one (label kind, strategy) pair.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Coefficients {
    pub dsp: DspMapping,
    pub lut: [f64; NF],
    pub ff: [f64; NF],
    /// `[a, b, c, d]`: BRAM_18K = a · weight_bram + b · bram_kernels + c · banked_bram
    /// + d · fifo_bram.
    pub bram: [f64; NB],
    /// Which groups were fitted on data (`dsp`, `lut`, `ff`, `bram`) and from which rows.
    pub fitted: Vec<String>,
}

/// Which coefficient set a layer uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CoefSet {
    /// Latency strategy (and Resource with RF = 1, which is fully unrolled).
    Latency,
    /// Resource strategy in io_parallel.
    Resource,
    /// Resource strategy in io_stream.
    Stream,
}

impl CoefSet {
    /// The set of a layer with this (effective) strategy and I/O type.
    pub fn of(strategy: ir::Strategy, io_stream: bool) -> Self {
        match (strategy, io_stream) {
            (ir::Strategy::Latency, _) => CoefSet::Latency,
            (ir::Strategy::Resource, false) => CoefSet::Resource,
            (ir::Strategy::Resource, true) => CoefSet::Stream,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            CoefSet::Latency => "Latency",
            CoefSet::Resource => "Resource",
            CoefSet::Stream => "Resource io_stream",
        }
    }
    pub const ALL: [CoefSet; 3] = [CoefSet::Latency, CoefSet::Resource, CoefSet::Stream];
}

impl From<ir::Strategy> for CoefSet {
    fn from(s: ir::Strategy) -> Self {
        CoefSet::of(s, false)
    }
}

impl std::fmt::Display for CoefSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Coefficients of one label kind, per [`CoefSet`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KindCoefficients {
    pub latency: Coefficients,
    pub resource: Coefficients,
    /// Resource strategy in io_stream.
    pub stream: Coefficients,
}

impl KindCoefficients {
    pub fn get(&self, set: impl Into<CoefSet>) -> &Coefficients {
        match set.into() {
            CoefSet::Latency => &self.latency,
            CoefSet::Resource => &self.resource,
            CoefSet::Stream => &self.stream,
        }
    }
    pub fn get_mut(&mut self, set: impl Into<CoefSet>) -> &mut Coefficients {
        match set.into() {
            CoefSet::Latency => &mut self.latency,
            CoefSet::Resource => &mut self.resource,
            CoefSet::Stream => &mut self.stream,
        }
    }
}

/// Timing constants.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimingCoefficients {
    /// Cycles per timing feature, in [`TIMING_FEATURES`] order.
    pub cycles: [f64; NT],
    /// Worst − best latency per Resource-strategy MAC stage.
    pub worst_extra_per_stage: f64,
    pub fitted: Vec<String>,
}

/// The whole calibration file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    pub version: u32,
    /// The command that produced the file.
    pub produced_by: String,
    /// Data files and row counts used for the fit.
    pub data: Vec<String>,
    /// How rows were split (by architecture) and which architectures were held out.
    pub split: String,
    /// Architecture keys held out of the fit (for `presynth evaluate --split heldout`).
    #[serde(default)]
    pub holdout_architectures: Vec<String>,
    pub features: Vec<String>,
    pub timing_features: Vec<String>,
    pub bram_features: Vec<String>,
    pub csynth: KindCoefficients,
    pub post_synthesis: KindCoefficients,
    pub timing: TimingCoefficients,
}

/// Version of the file format written by this code.
pub const FORMAT_VERSION: u32 = 1;

/// The calibration committed in the repository (`estimator/calibration/v1.json`).
pub const BUILTIN_JSON: &str = include_str!("../calibration/v1.json");

impl Calibration {
    /// Whether a coefficient set's post-synthesis LUT and FF coefficients are csynth's (no
    /// post-synthesis rows of that set were fitted).
    pub fn post_copies_csynth(&self, set: CoefSet) -> bool {
        let (c, p) = (
            self.kind(LabelKind::Csynth).get(set),
            self.kind(LabelKind::PostSynthesis).get(set),
        );
        c.lut == p.lut && c.ff == p.ff
    }

    /// Unfitted starting point, from hls4ml's rules and rough published costs: ~1 LUT per
    /// partial-product bit of a LUT multiplier (hls4ml issue #99: ~411 LUT for 18×18),
    /// 1 LUT + 1 FF per adder/accumulator bit, a 4:1 mux per LUT6 on selection bits, DSP above
    /// 10 bits ([U] folk threshold), BRAM as the weight formula, line buffers in SRL32 shift
    /// registers (32 bits per LUT, no FF), FIFOs in BRAM18 of their depth × width, fabric
    /// weights one FF per bit plus a 4:1 read mux per LUT6.
    pub fn prior() -> Self {
        let coeffs = |w0: f64, w1: f64| Coefficients {
            dsp: DspMapping { w0, w1 },
            lut: [
                50.0, 1.2, 5.0, 1.0, 1.0, 0.3, 1.0, 20.0, 0.1, 0.3, 0.03, 0.5,
            ],
            ff: [50.0, 0.3, 2.0, 1.0, 1.0, 0.0, 1.0, 10.0, 1.0, 0.0, 0.0, 1.0],
            bram: [1.0, 0.0, 0.0, 1.0],
            fitted: Vec::new(),
        };
        let kind = || KindCoefficients {
            latency: coeffs(9.0, 10.0),
            resource: coeffs(9.0, 10.0),
            stream: coeffs(9.0, 10.0),
        };
        Calibration {
            version: FORMAT_VERSION,
            produced_by: "prior (not fitted)".into(),
            data: Vec::new(),
            split: String::new(),
            holdout_architectures: Vec::new(),
            features: FEATURES.iter().map(|s| s.to_string()).collect(),
            timing_features: TIMING_FEATURES.iter().map(|s| s.to_string()).collect(),
            bram_features: BRAM_FEATURES.iter().map(|s| s.to_string()).collect(),
            csynth: kind(),
            post_synthesis: kind(),
            timing: TimingCoefficients {
                cycles: [1.0; NT],
                worst_extra_per_stage: 1.0,
                fitted: Vec::new(),
            },
        }
    }

    /// The calibration bundled with the binary.
    pub fn builtin() -> Self {
        Self::from_json(BUILTIN_JSON, "estimator/calibration/v1.json")
            .expect("the bundled calibration file parses (checked by a unit test)")
    }

    pub fn kind(&self, kind: LabelKind) -> &KindCoefficients {
        match kind {
            LabelKind::Csynth => &self.csynth,
            LabelKind::PostSynthesis => &self.post_synthesis,
        }
    }
    pub fn kind_mut(&mut self, kind: LabelKind) -> &mut KindCoefficients {
        match kind {
            LabelKind::Csynth => &mut self.csynth,
            LabelKind::PostSynthesis => &mut self.post_synthesis,
        }
    }

    /// Parse a calibration file; `path` is used in error messages.
    pub fn from_json(text: &str, path: &str) -> Result<Self, EstimatorError> {
        let c: Calibration =
            serde_json::from_str(text).map_err(|e| EstimatorError::Calibration {
                path: path.to_string(),
                message: format!("line {}, column {}: {e}", e.line(), e.column()),
            })?;
        if c.version != FORMAT_VERSION {
            return Err(EstimatorError::Calibration {
                path: path.to_string(),
                message: format!(
                    "field version: expected {FORMAT_VERSION}, got {}",
                    c.version
                ),
            });
        }
        if c.features != FEATURES
            || c.timing_features != TIMING_FEATURES
            || c.bram_features != BRAM_FEATURES
        {
            return Err(EstimatorError::Calibration {
                path: path.to_string(),
                message: format!(
                    "field features/timing_features: expected {FEATURES:?} and {TIMING_FEATURES:?}"
                ),
            });
        }
        Ok(c)
    }

    pub fn load(path: &std::path::Path) -> Result<Self, EstimatorError> {
        let text = std::fs::read_to_string(path).map_err(|source| EstimatorError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Self::from_json(&text, &path.display().to_string())
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("calibration serialises")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_parses_and_round_trips() {
        let c = Calibration::builtin();
        assert_eq!(Calibration::from_json(&c.to_json(), "x").unwrap(), c);
    }

    #[test]
    fn rejects_wrong_version() {
        let mut c = Calibration::prior();
        c.version = 99;
        let e = Calibration::from_json(&c.to_json(), "cal.json")
            .unwrap_err()
            .to_string();
        assert!(e.contains("cal.json") && e.contains("version"), "{e}");
    }

    #[test]
    fn dsp_fraction_ramp() {
        let m = DspMapping { w0: 6.0, w1: 10.0 };
        assert_eq!(
            (m.fraction(6), m.fraction(8), m.fraction(10), m.fraction(16)),
            (0.0, 0.5, 1.0, 1.0)
        );
    }
}
