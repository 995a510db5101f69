//! presynth-ml: the `presynth` command line linked with libtorch, so that it runs the surrogate
//! commands (`train`, `estimate`/`evaluate` with a learned estimator) itself. `presynth` hands
//! those commands to this binary.

mod local;

fn main() -> std::process::ExitCode {
    presynth::ml::install(&local::Local);
    presynth::app::run()
}
