//! The `presynth` command line, shared by both binaries: `presynth` (lean, starts in
//! milliseconds) and `presynth-ml` (links libtorch for the surrogate commands). Each subcommand
//! lives in its own module under `cli/`; this file only parses and dispatches.

use crate::cli;
use clap::{Parser, Subcommand};

/// Pre-synthesis cost estimates and hls4ml-compatible HLS projects for neural networks.
#[derive(Parser)]
#[command(name = "presynth", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    // one variant per subcommand, each `Name(cli::name::Args)`
    /// Batch synthesis datasets: generate, emit, run synthesis, ingest, split, export, stats
    Dataset(cli::dataset::Args),
    /// Per-layer shapes, parameters and MACs of a model
    Inspect(cli::inspect::Args),
    /// The part and accelerator database (FPGA parts, GPUs) with sources
    Targets(cli::targets::Args),
    /// Roofline and I/O-complexity analysis of attention kernels (FLOPs, traffic, tiles, bound)
    Attention(cli::attention::Args),
    /// Write the HLS project hls4ml 1.3.0 would write (bit-exact in C simulation)
    Codegen(cli::codegen::Args),
    /// Analytic estimate of resources, latency and II on an FPGA part (hls4ml + Vitis HLS)
    Estimate(cli::estimate::Args),
    /// One self-contained HTML report of a model: estimate, graph, layers, sweep, warnings
    Report(cli::report::Args),
    /// Estimate every reuse factor / precision / strategy combination; Pareto front and SVG
    Sweep(cli::sweep::Args),
    /// Fit the analytic estimator's coefficients on synthesis data
    Calibrate(cli::calibrate::Args),
    /// Accuracy of an estimator on a dataset (SMAPE, MAPE, R², within 10 %), with plots
    Evaluate(cli::evaluate::Args),
    /// Train a surrogate model (GNN or transformer) on labelled synthesis data
    Train(cli::train::Args),
}

/// Run the command line; print an error as one `error: what: why` line (never a backtrace).
pub fn run() -> std::process::ExitCode {
    match main() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", one_line(&e));
            std::process::ExitCode::FAILURE
        }
    }
}

/// The error and its causes as one line, `what: why: ...`, leaving out a cause whose text the
/// line already holds (an error that prints its source and also returns it as its source would
/// otherwise say "(os error 2): No such file or directory (os error 2)").
pub fn one_line(e: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if line.contains(&text) {
            continue;
        }
        if !line.is_empty() {
            line.push_str(": ");
        }
        line.push_str(&text);
    }
    line
}

fn main() -> anyhow::Result<()> {
    // Behave like other Unix tools when the reader goes away (`presynth ... | head`): exit
    // quietly instead of panicking in println!.
    #[cfg(unix)]
    // SAFETY: resetting SIGPIPE to its default action before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = Cli::parse();
    match cli.command {
        // one arm per subcommand: `Command::Name(a) => cli::name::run(a),`
        Command::Dataset(a) => cli::dataset::run(a),
        Command::Inspect(a) => cli::inspect::run(a),
        Command::Targets(a) => cli::targets::run(a),
        Command::Attention(a) => cli::attention::run(a),
        Command::Codegen(a) => cli::codegen::run(a),
        Command::Estimate(a) => cli::estimate::run(a),
        Command::Sweep(a) => cli::sweep::run(a),
        Command::Report(a) => cli::report::run(a),
        Command::Calibrate(a) => cli::calibrate::run(a),
        Command::Evaluate(a) => cli::evaluate::run(a),
        Command::Train(a) => cli::train::run(a),
    }
}
