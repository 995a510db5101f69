//! The key vocabulary of hls4ml 1.3.0's configuration files, and what presynth does with each
//! key: read it, or accept it without using it. Collected from hls4ml 1.3.0's
//! `utils/config.py` (`config_from_keras_model`, `config_from_onnx_model`,
//! `config_from_pytorch_model`), `backends/*/..._backend.py` (`create_initial_config`, the
//! `ConfigurableAttribute`s and `TypeAttribute`s each backend registers, in hls4ml's PascalCase /
//! `_t` spellings) and `writer/vivado_writer.py` (`write_yml`). A key in none of these lists is
//! accepted too (hls4ml ignores what it does not know) unless it is one edit or two away from a
//! known key, which is almost surely a typo: that gets an error with "did you mean".

use crate::dsl::edit_distance;

/// Top-level keys of a project's `hls4ml_config.yml` that presynth reads.
pub const TOP_USED: &[&str] = &[
    "Backend",
    "Part",
    "XilinxPart",
    "ClockPeriod",
    "IOType",
    "HLSConfig",
    "KerasModel",
    "KerasJson",
    "KerasH5",
    "OnnxModel",
];

/// Top-level keys hls4ml writes or reads that do not change what presynth estimates.
pub const TOP_UNUSED: &[&str] = &[
    "ClockUncertainty",
    "ProjectName",
    "OutputDir",
    "InputData",
    "OutputPredictions",
    "WriterConfig",
    "Stamp",
    "Version",
    "InputShapes",
    "OutputShapes",
    "InputShape",
    "PytorchModel",
    "OriginalProjectName",
    "StitchedProjectName",
    "Flows",
    "Optimizers",
    "SkipOptimizers",
    "BitExact",
    "Trace",
    "Board",
    "Platform",
    "Interface",
    "Driver",
    "InputType",
    "OutputType",
    "Namespace",
    "WriteTar",
    "WriteWeightsTxt",
    "TBOutputStream",
    "WriteEmulationConstants",
    "MultiGraphConfig",
    "ChannelsLastConversion",
    "TransposeOutputs",
];

/// Keys of an `HLSConfig` mapping (besides `Model`, `LayerType`, `LayerName`).
pub const HLS_USED: &[&str] = &["Model", "LayerType", "LayerName"];
pub const HLS_UNUSED: &[&str] = &["Optimizers", "SkipOptimizers", "Flows"];

/// Keys of a `Model`, `LayerType` or `LayerName` entry that presynth reads.
pub const ENTRY_USED: &[&str] = &["Precision", "ReuseFactor", "Strategy", "Static"];

/// Entry keys hls4ml 1.3.0 knows that presynth accepts and does not use.
pub const ENTRY_UNUSED: &[&str] = &[
    "Trace",
    "TraceOutput",
    "BitExact",
    "BramFactor",
    "TableSize",
    "TableRangePower2",
    "ConvImplementation",
    "ParallelizationFactor",
    "Implementation",
    "Skip",
    "Compression",
    "TargetCycles",
    "PipelineStyle",
    "PipelineInterval",
    "RecurrentReuseFactor",
    "ForwardReuseFactor",
    "BackwardReuseFactor",
    "ForwardRecurrentReuseFactor",
    "BackwardRecurrentReuseFactor",
    "DepthwiseReuseFactor",
    "PointwiseReuseFactor",
    "ChannelsLastConversion",
    "TransposeOutputs",
    "AllowDAFallback",
    // TimeDistributed's loop pragma (hls4ml's default `Off` writes none; presynth writes none)
    "TimeStepLoopParallelism",
    "Quantizer",
    // Legacy snake_case spellings older hls4ml configs carry.
    "table_size",
    "exp_table_t",
    "inv_table_t",
    "accum_t",
    "skip",
    "implementation",
];

/// Precision variables presynth keeps per layer (the recurrent layers' other weights, a
/// separable layer's `depthwise`/`pointwise` kernels and GarNet's internal arrays in
/// `ir::Precision::named`).
pub const PRECISION_USED: &[&str] = &[
    "default",
    "weight",
    "bias",
    "result",
    "accum",
    "scale",
    "recurrent_weight",
    "recurrent_bias",
    "forward_weight",
    "forward_bias",
    "forward_recurrent_weight",
    "forward_recurrent_bias",
    "backward_weight",
    "backward_bias",
    "backward_recurrent_weight",
    "backward_recurrent_bias",
    "depthwise",
    "pointwise",
    "edge_weight",
    "edge_weight_aggr",
    "aggr",
    "norm",
];

/// Precision variables of hls4ml layers that the IR does not keep (tables, explicit
/// depthwise/pointwise accum types, ...).
pub const PRECISION_UNUSED: &[&str] = &[
    "table",
    "exp_table",
    "inv_table",
    "inv_inp",
    "exp_inp",
    "maximum",
    "shift",
    "slope",
    "param",
    "depthwise_accum",
    "pointwise_accum",
    "depthwise_result",
    "dw_output",
    "embeddings",
    "table_t",
    "slope_t",
    "shift_t",
];

/// How a key not read by presynth is classified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyClass {
    /// presynth reads it.
    Used,
    /// hls4ml knows it; presynth does not use it.
    Unused,
    /// Neither knows it, and it is not close to a known key.
    Unknown,
    /// Close to this known key: almost surely a typo.
    Typo(&'static str),
}

/// Classify `key` against the lists for one place in the file.
pub fn classify(key: &str, used: &[&'static str], unused: &[&'static str]) -> KeyClass {
    if used.contains(&key) {
        return KeyClass::Used;
    }
    if unused.contains(&key) {
        return KeyClass::Unused;
    }
    let lower = key.to_ascii_lowercase();
    let near = used
        .iter()
        .chain(unused)
        .map(|k| (edit_distance(&lower, &k.to_ascii_lowercase()), *k))
        .min();
    // A snake_case key beside a CamelCase known key is a key of its own, not a typo: hls4ml
    // ignores it, and real projects carry such keys (`clock_period: 10` beside `ClockPeriod` in
    // tests/fixtures/real-projects/vivado2020.1-stream-resource).
    let snake = key.contains('_') && !key.chars().any(|c| c.is_ascii_uppercase());
    let camel = |k: &str| k.chars().any(|c| c.is_ascii_uppercase());
    match near {
        Some((_, k)) if snake && camel(k) => KeyClass::Unknown,
        // Case-only differences and one or two edits (three for long keys) are typos.
        Some((d, k)) if d <= (key.len() / 6).clamp(2, 3) => KeyClass::Typo(k),
        _ => KeyClass::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_case_keys_beside_camel_case_ones_are_not_typos() {
        assert_eq!(
            classify("clock_period", &["ClockPeriod"], &[]),
            KeyClass::Unknown
        );
        assert_eq!(
            classify("ClokPeriod", &["ClockPeriod"], &[]),
            KeyClass::Typo("ClockPeriod")
        );
    }

    #[test]
    fn typos_are_told_from_new_keys() {
        assert_eq!(
            classify("ReuseFactor", ENTRY_USED, ENTRY_UNUSED),
            KeyClass::Used
        );
        assert_eq!(
            classify("TableSize", ENTRY_USED, ENTRY_UNUSED),
            KeyClass::Unused
        );
        assert_eq!(
            classify("ReuseFacter", ENTRY_USED, ENTRY_UNUSED),
            KeyClass::Typo("ReuseFactor")
        );
        assert_eq!(
            classify("reusefactor", ENTRY_USED, ENTRY_UNUSED),
            KeyClass::Typo("ReuseFactor")
        );
        assert_eq!(
            classify("Precison", ENTRY_USED, ENTRY_UNUSED),
            KeyClass::Typo("Precision")
        );
        assert_eq!(
            classify("MyOwnNote", ENTRY_USED, ENTRY_UNUSED),
            KeyClass::Unknown
        );
        assert_eq!(
            classify("Prt", TOP_USED, TOP_UNUSED),
            KeyClass::Typo("Part")
        );
    }
}
