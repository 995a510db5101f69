//! presynth-ml: the `presynth` command line linked with libtorch, so that it runs the surrogate
//! commands (`train`, `estimate`/`evaluate` with a learned estimator) itself, through the
//! `presynth_ml` library of this crate. `presynth` hands those commands to this binary.

fn main() -> std::process::ExitCode {
    presynth::ml::install(&presynth_ml::Local);
    presynth::app::run()
}
