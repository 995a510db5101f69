//! `presynth calibrate`: fit the analytic model's free coefficients on synthesis data (the
//! shared wa-hls4ml CSVs or dataset JSONL), holding out a fraction of the architectures of each
//! source, and write the versioned calibration file.

use anyhow::Context;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Example (reproduces the bundled estimator/calibration/v1.json):\n  \
presynth calibrate data/wa-hls4ml-search-early-1layer data/wa-hls4ml-jdweitz-csv-sample \\\n    \
-o estimator/calibration/v1.json\n\n\
Rows are split by architecture: within each source file, architectures are ordered by the FNV-1a\n\
hash of their key and the first --holdout fraction (at least one) is held out of the fit and\n\
listed in the file, so `presynth evaluate --split heldout` measures them."
)]
pub struct Args {
    /// Data: directories or files of the shared CSVs, or dataset JSONL files
    #[arg(required = true)]
    pub data: Vec<PathBuf>,
    /// Output calibration file (JSON)
    #[arg(short, long)]
    pub output: PathBuf,
    /// Fraction of architectures held out per source
    #[arg(long, default_value_t = 0.2)]
    pub holdout: f64,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    if !(0.0..1.0).contains(&args.holdout) {
        anyhow::bail!("--holdout must be in [0, 1), got {}", args.holdout);
    }
    let loaded = crate::cli::common::load_samples(&args.data)?;
    let (cal, log) = estimator::fit::calibrate(&loaded, &args.data, &args.output, args.holdout)?;
    crate::cli::common::report_skipped(&loaded.skipped);
    for l in &log {
        eprintln!("{l}");
    }
    let tmp = args.output.with_extension("json.tmp");
    std::fs::write(&tmp, cal.to_json() + "\n")
        .with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, &args.output)
        .with_context(|| format!("renaming to {}", args.output.display()))?;
    println!(
        "wrote {} ({} held-out architectures)",
        args.output.display(),
        cal.holdout_architectures.len()
    );
    Ok(())
}
