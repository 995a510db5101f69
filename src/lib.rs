//! The `presynth` command line as a library: argument parsing and dispatch ([`app`]), one module
//! per subcommand ([`cli`]), and the seam to the learned estimators ([`ml`]), which the
//! `presynth-ml` binary fills in; plus the pieces of the commands that other front ends (the
//! Python package in python/) call too: [`overrides`], [`inspect_report`] and [`codegen_project`]. This crate does
//! not link libtorch.

pub mod app;
pub mod cli;
pub mod codegen_project;
pub mod inspect_report;
pub mod ml;
pub mod overrides;
