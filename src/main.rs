//! presynth: the command-line interface over the IR, codegen, estimator and dataset tools.
//! Each subcommand lives in its own module under `cli/`; this file only dispatches.

mod cli;

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
    /// Per-layer shapes, parameters and MACs of a model
    Inspect(cli::inspect::Args),
    /// Train a surrogate model (GNN or transformer) on labelled synthesis data
    Train(cli::train::Args),
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        // one arm per subcommand: `Command::Name(a) => cli::name::run(a),`
        Command::Inspect(a) => cli::inspect::run(a),
        Command::Train(a) => cli::train::run(a),
    }
}
