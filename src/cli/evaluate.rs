//! `presynth evaluate`: accuracy of an estimator on a dataset — per target and strategy SMAPE,
//! MAPE, R², the fraction within 10 % and exact matches, the will-it-synthesise classification,
//! and a predicted-vs-true SVG per target.

use super::common::{table, Format};
use anyhow::Context;
use estimator::evaluate::{evaluate, Analytic, Predictor};
use estimator::Calibration;
use std::path::PathBuf;

/// Which estimator to evaluate.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum EstimatorKind {
    /// The calibrated analytic model
    Analytic,
    /// A surrogate GNN model (--surrogate, default: the shipped model)
    Gnn,
    /// A surrogate transformer model (--surrogate)
    Transformer,
    /// A hybrid surrogate (analytic model + learned correction; --surrogate, default: the shipped model)
    Hybrid,
    /// A pure surrogate (learned from scratch; --surrogate)
    Pure,
    /// linfa linear regression on log features, fitted on the rows not evaluated
    LinfaLinear,
    /// linfa decision tree on log features, fitted on the rows not evaluated
    LinfaTree,
}

/// Which rows to evaluate.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Split {
    /// Every row
    All,
    /// Rows whose architecture the calibration held out of its fit
    Heldout,
    /// Rows the calibration was fitted on
    Train,
}

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  presynth evaluate data --estimator analytic --split heldout\n  \
presynth evaluate data/wa-hls4ml-search-early-1layer --plots eval-plots --format json"
)]
pub struct Args {
    /// Data: directories or files of the shared CSVs, or dataset JSONL files
    #[arg(required = true)]
    pub data: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = EstimatorKind::Analytic)]
    pub estimator: EstimatorKind,
    /// Surrogate model directory for gnn/transformer/hybrid/pure (default: models/default);
    /// the same option as `estimate --surrogate` (`--model` is kept as an alias)
    #[arg(long, alias = "model")]
    pub surrogate: Option<PathBuf>,
    /// Calibration file of the analytic estimator (default: the bundled one)
    #[arg(long)]
    pub calibration: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = Split::All)]
    pub split: Split,
    /// Directory for the predicted-vs-true SVGs (one per target and strategy)
    #[arg(long, default_value = "eval-plots")]
    pub plots: PathBuf,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Also write every prediction (target, strategy, id, predicted, true) to this CSV
    #[arg(long)]
    pub rows_csv: Option<PathBuf>,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    if args.estimator != EstimatorKind::Analytic {
        crate::ml::require()?;
    }
    let calib = match &args.calibration {
        Some(p) => Calibration::load(p)?,
        None => Calibration::builtin(),
    };
    let loaded = crate::cli::common::load_samples(&args.data)?;
    crate::cli::common::report_skipped(&loaded.skipped);
    let held: std::collections::BTreeSet<&str> = calib
        .holdout_architectures
        .iter()
        .map(String::as_str)
        .collect();
    let (rows, rest): (Vec<_>, Vec<_>) =
        loaded.samples.into_iter().partition(|s| match args.split {
            Split::All => true,
            Split::Heldout => held.contains(s.architecture.as_str()),
            Split::Train => !held.contains(s.architecture.as_str()),
        });
    if rows.is_empty() {
        // A garbage file gave "rows: 0" and exit status 0, as if the evaluation had passed.
        let data: Vec<String> = args.data.iter().map(|p| p.display().to_string()).collect();
        anyhow::bail!(
            "no rows to evaluate in {} ({} skipped{}, {} outside the {:?} split)",
            data.join(", "),
            loaded.skipped.len(),
            loaded
                .skipped
                .first()
                .map(|s| format!("; first: {s}"))
                .unwrap_or_default(),
            rest.len(),
            args.split
        );
    }
    let predictor: Box<dyn Predictor> = match args.estimator {
        EstimatorKind::Analytic => Box::new(Analytic { calib: &calib }),
        k => {
            let name = clap::ValueEnum::to_possible_value(&k).expect("no skipped variants");
            crate::ml::evaluation_predictor(
                name.get_name(),
                args.surrogate.as_deref(),
                &rows,
                &rest,
                &calib,
            )?
        }
    };
    let ev = evaluate(predictor.as_ref(), &rows);
    std::fs::create_dir_all(&args.plots)
        .with_context(|| format!("creating {}", args.plots.display()))?;
    for t in &ev.targets {
        let file = args.plots.join(format!(
            "{}_{}_{}.svg",
            t.target.replace('.', "_"),
            t.family,
            t.strategy.to_lowercase()
        ));
        let title = format!(
            "{} ({} {}): {} rows, SMAPE {:.1}%, R² {:.3}",
            t.target, t.family, t.strategy, t.metrics.n, t.metrics.smape, t.metrics.r2
        );
        estimator::plot::predicted_vs_true(&file, &title, &t.pred, &t.truth)?;
    }
    if let Some(path) = &args.rows_csv {
        let mut out = String::from("target,family,strategy,id,predicted,true\n");
        for t in &ev.targets {
            for ((id, p), v) in t.ids.iter().zip(&t.pred).zip(&t.truth) {
                out.push_str(&format!(
                    "{},{},{},{},{},{}\n",
                    t.target, t.family, t.strategy, id, p, v
                ));
            }
        }
        std::fs::write(path, out).with_context(|| format!("writing {}", path.display()))?;
    }
    match args.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&ev)?),
        Format::Csv => {
            println!("target,family,strategy,n,smape,mape,r2,within_10pct,exact");
            for t in &ev.targets {
                let m = &t.metrics;
                println!(
                    "{},{},{},{},{:.3},{:.3},{:.4},{:.4},{:.4}",
                    t.target,
                    t.family,
                    t.strategy,
                    m.n,
                    m.smape,
                    m.mape,
                    m.r2,
                    m.within_10pct,
                    m.exact
                );
            }
        }
        Format::Table => {
            let mut tb = table(&[
                "target",
                "family",
                "strategy",
                "rows",
                "SMAPE %",
                "MAPE %",
                "R²",
                "within 10 %",
                "exact",
            ]);
            for t in &ev.targets {
                let m = &t.metrics;
                tb.add_row(vec![
                    t.target.clone(),
                    t.family.clone(),
                    t.strategy.clone(),
                    m.n.to_string(),
                    format!("{:.2}", m.smape),
                    format!("{:.2}", m.mape),
                    format!("{:.3}", m.r2),
                    format!("{:.1}%", 100.0 * m.within_10pct),
                    format!("{:.1}%", 100.0 * m.exact),
                ]);
            }
            println!(
                "estimator: {}  rows: {} ({:?} split)\n{tb}",
                ev.estimator, ev.rows, args.split
            );
            let s = ev.synthesis;
            println!(
                "will-it-synthesise: {} ok and predicted ok, {} failed and predicted to fail, {} predicted to fail but synthesised, {} predicted ok but failed",
                s.true_ok, s.true_fail, s.predicted_fail_but_ok, s.predicted_ok_but_failed
            );
            for f in &ev.failed_predictions {
                println!("no prediction: {f}");
            }
            println!("plots: {}", args.plots.display());
        }
    }
    Ok(())
}
