//! The error type of code generation: layers or settings hls4ml itself does not support, those
//! presynth does not emit yet, and internal errors kept apart; missing weights and templates
//! (with how to get them), and I/O failures naming the path.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum CodegenError {
    /// A layer hls4ml 1.3.0 itself cannot convert with these settings.
    #[error("layer '{layer}' ({kind}): not supported by hls4ml 1.3.0: {message}")]
    NotInHls4ml {
        layer: String,
        kind: String,
        message: String,
    },
    /// A layer hls4ml 1.3.0 converts but presynth does not emit yet (the message says the
    /// work-around).
    #[error("layer '{layer}' ({kind}): not implemented in presynth yet: {message}")]
    NotImplemented {
        layer: String,
        kind: String,
        message: String,
    },
    /// A layer needs a weight the model does not carry.
    #[error(
        "layer '{layer}' ({kind}): weight '{weight}' is missing: codegen needs a model with \
         weights (a Keras file with its weights, or random weights from `presynth dataset \
         generate`)"
    )]
    MissingWeight {
        layer: String,
        kind: String,
        weight: String,
    },
    /// A bug in presynth: an invariant of the lowering did not hold.
    #[error("internal error (please report): {0}")]
    Internal(String),
    /// A name from the model that cannot be written where it would go: layer names become C
    /// type names and comments in `defines.h`, `parameters.h` and the top-level cpp.
    #[error(
        "layer {layer} ({kind}): the name is not a C identifier (letters, digits and '_', not \
         starting with a digit); it would be written into firmware/defines.h, \
         firmware/parameters.h and firmware/{project}.cpp"
    )]
    BadLayerName {
        /// The name quoted with its control characters escaped.
        layer: String,
        kind: String,
        project: String,
    },
    /// A part name that is not one: it is written as `set part "..."` into project.tcl.
    #[error("part: {message}; it would be written into project.tcl")]
    BadPart { message: String },
    /// The network itself is not usable (no input, no output, missing weights, bad shapes).
    #[error("network '{network}': {message}")]
    Network { network: String, message: String },
    /// No hls4ml templates were found.
    #[error(
        "hls4ml templates not found ({tried}). presynth copies nnet_utils/ and ap_types/ from an \
         installed hls4ml 1.3.0: run `pip install hls4ml==1.3.0` (or scripts/setup-python.sh), or \
         pass --templates PATH (the hls4ml package directory or its templates/ directory), or set \
         PRESYNTH_HLS4ML_TEMPLATES"
    )]
    TemplatesNotFound { tried: String },
    /// A template directory exists but lacks an expected file.
    #[error(
        "hls4ml templates at {dir}: missing {file} (expected hls4ml 1.3.0's templates/ layout)"
    )]
    TemplateMissing { dir: PathBuf, file: String },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The output directory exists and overwriting was not requested.
    #[error("output directory {0} already exists (use --force to replace it)")]
    OutputExists(PathBuf),
    /// The output path exists and is not a directory: never replaced, even when overwriting.
    #[error("output {0} exists and is not a directory (--force replaces a project directory, never a file)")]
    OutputNotDirectory(PathBuf),
    /// A command-line setting with an invalid value.
    #[error("{option}: {message}")]
    Option { option: String, message: String },
    #[error(transparent)]
    Ir(#[from] ir::IrError),
}

impl CodegenError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        CodegenError::Io {
            path: path.into(),
            source,
        }
    }
}

pub type Result<T> = std::result::Result<T, CodegenError>;

impl From<lower::LowerError> for CodegenError {
    fn from(e: lower::LowerError) -> Self {
        match e {
            lower::LowerError::NotInHls4ml {
                layer,
                kind,
                message,
            } => CodegenError::NotInHls4ml {
                layer,
                kind,
                message,
            },
            lower::LowerError::NotImplemented {
                layer,
                kind,
                message,
            } => CodegenError::NotImplemented {
                layer,
                kind,
                message,
            },
            lower::LowerError::Network { network, message } => {
                CodegenError::Network { network, message }
            }
            lower::LowerError::Ir(e) => CodegenError::Ir(e),
        }
    }
}
