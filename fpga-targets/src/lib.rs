//! # fpga-targets — the part and accelerator database of presynth
//!
//! Owns: plain data about the hardware presynth estimates for — FPGA parts (LUT, FF, DSP,
//! BRAM_18K, URAM, DSP primitive, family, board off-chip memory, default clock) and GPUs (SMs,
//! dense peak FLOP/s per precision, memory bandwidth and size, L2, shared memory per SM). The
//! built-in entries live in `data/targets.toml`, embedded at build time and parsed on first use;
//! every entry names its `source` and says whether its numbers were `verified` against it
//! (`docs/domain-notes.md` §2). Users add or override entries from their own TOML file
//! without recompiling ([`Targets::load_with`], or the `PRESYNTH_TARGETS` environment variable).
//!
//! Must not depend on: anything else in presynth (it is plain data; the IR, codegen, estimator
//! and CLI depend on it).
//!
//! ```
//! use fpga_targets::{Target, Targets};
//! let db = Targets::builtin();
//! let Target::Fpga(part) = db.get("alveo-u250").unwrap() else { panic!() };
//! assert_eq!(part.name, "xcu250-figd2104-2L-e");
//! assert_eq!(part.dsp, 12_288);
//! ```

mod db;
mod error;
mod model;
pub mod part_name;

pub use db::{Resolution, Targets, TARGETS_ENV};
pub use error::TargetError;
pub use model::{
    AiEngineArray, Clock, DspPrimitive, FpgaPart, Gpu, GpuPrecision, OffChipMemory, ShellRegion,
    Target, TargetKind,
};
