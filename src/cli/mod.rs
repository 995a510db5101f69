//! Subcommands of the `presynth` CLI, one module each, plus shared helpers (model loading,
//! output formats).
pub mod common;
pub mod inspect;
pub mod train;
