//! presynth-ml: the same command line as `presynth`, linked with libtorch so that it runs the
//! surrogate commands (`train`, `estimate`/`evaluate` with a learned estimator) itself.
//! `presynth` hands those commands to this binary.

#[path = "../app.rs"]
mod app;
#[path = "../cli/mod.rs"]
mod cli;
#[path = "../ml/mod.rs"]
mod ml;

fn main() -> std::process::ExitCode {
    app::run()
}
