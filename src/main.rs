//! presynth: the command-line interface over the IR, codegen, estimator and dataset tools.
//! This binary does not link libtorch: the surrogate commands (`train`, `estimate`/`evaluate`
//! with a learned estimator) are handed to the `presynth-ml` binary beside it.

fn main() -> std::process::ExitCode {
    presynth::app::run()
}
