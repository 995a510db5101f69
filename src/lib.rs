//! The `presynth` command line as a library: argument parsing and dispatch ([`app`]), one module
//! per subcommand ([`cli`]), and the seam to the learned estimators ([`ml`]), which the
//! `presynth-ml` binary fills in. This crate does not link libtorch.

pub mod app;
pub mod cli;
pub mod ml;
