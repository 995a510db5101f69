//! The surrogate side of the CLI, linked only into the `presynth-ml` binary and the Python
//! package's `learned` build (it needs libtorch): training (`presynth train`), loading a model
//! for `estimate --estimator ...`, and the surrogate and linfa predictors of `evaluate`. Keeping libtorch out of `presynth` keeps
//! its start-up in milliseconds; `presynth::ml` is the seam, and [`Local`] fills it in.

use anyhow::{anyhow, bail, Context};
use estimator::evaluate::Predictor;
use estimator::samples::Sample as EvalSample;
use estimator::Calibration;
use indicatif::{ProgressBar, ProgressStyle};
use presynth::cli::common::{table, Format};
use presynth::cli::train::{ArchArg, Args, DeviceArg, EstimateWith, ModeArg};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use surrogate::analytic::{training_samples, Precomputed};
use surrogate::baselines::{Baseline, FittedBaseline};
use surrogate::{Arch, Ensemble, Hyper, Mode, TrainConfig};

/// Where the shipped default model lives (a hybrid GNN ensemble trained on data).
pub fn default_model_dir() -> PathBuf {
    std::env::var_os("PRESYNTH_MODEL")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../models/default"))
}

pub fn load_calibration(path: Option<&Path>) -> anyhow::Result<Calibration> {
    Ok(match path {
        Some(p) => Calibration::load(p)?,
        None => Calibration::builtin(),
    })
}

fn device(arg: DeviceArg) -> anyhow::Result<tch::Device> {
    match arg {
        DeviceArg::Cpu => Ok(tch::Device::Cpu),
        DeviceArg::Cuda if surrogate::cuda_available() => Ok(tch::Device::Cuda(0)),
        DeviceArg::Cuda => bail!(
            "--device cuda: this libtorch has no CUDA support (scripts/setup-libtorch.sh lays out the CPU libraries only) or no GPU is visible"
        ),
    }
}

fn train(args: Args) -> anyhow::Result<()> {
    surrogate::init_threads();
    let calib = load_calibration(args.calibration.as_deref())?;
    let loaded = presynth::cli::common::load_samples(&args.data)?;
    let held: BTreeSet<&str> = calib
        .holdout_architectures
        .iter()
        .map(String::as_str)
        .collect();
    let rows: Vec<EvalSample> = loaded
        .samples
        .into_iter()
        .filter(|s| !(args.exclude_heldout && held.contains(s.architecture.as_str())))
        .collect();
    let (train_rows, skipped) = training_samples(&rows, &calib);
    let n_skipped = loaded.skipped.len() + skipped.len();
    if train_rows.is_empty() {
        bail!(
            "no usable labelled rows in {:?} ({n_skipped} skipped)",
            args.data
        );
    }
    let cfg = TrainConfig {
        arch: match args.arch {
            ArchArg::Gnn => Arch::Gnn,
            ArchArg::Transformer => Arch::Transformer,
        },
        mode: match args.mode {
            ModeArg::Hybrid => Mode::Hybrid,
            ModeArg::Pure => Mode::Pure,
        },
        hyper: Hyper {
            hidden: args.hidden,
            layers: args.layers,
            ..Hyper::default()
        },
        epochs: args.epochs,
        patience: args.patience,
        batch_size: args.batch_size,
        learning_rate: args.learning_rate,
        seed: args.seed,
        members: args.members,
        device: device(args.device)?,
        ..TrainConfig::default()
    };
    let bar = ProgressBar::new((cfg.members * cfg.epochs) as u64);
    bar.set_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} epochs  {msg}").expect("valid template"),
    );
    if args.format != Format::Table {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let mut model = surrogate::train(&train_rows, &cfg, &mut |p| {
        bar.set_position((p.member * p.epochs + p.epoch + 1) as u64);
        let val = p
            .val_loss
            .map(|v| format!("{v:.4}"))
            .unwrap_or_else(|| "-".into());
        bar.set_message(format!(
            "member {}/{}  train loss {:.4}  val loss {val}  best epoch {}",
            p.member + 1,
            p.members,
            p.train_loss,
            p.best_epoch + 1
        ));
    })?;
    bar.finish_and_clear();
    let argv: Vec<String> = std::env::args().collect();
    model.meta.training.command = Some(argv.join(" "));
    model.meta.training.data = Some(
        args.data
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(" "),
    );
    model
        .save(&args.output)
        .with_context(|| format!("saving {}", args.output.display()))?;

    let t = &model.meta.training;
    let stopped = |k: usize| t.stopped.get(k).map_or("-".to_string(), |s| s.to_string());
    match args.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&model.meta)?),
        Format::Csv => {
            println!(
                "member,seed,train_rows,epochs,best_epoch,best_loss,first_train_loss,last_train_loss,stopped"
            );
            for k in 0..model.members() {
                println!(
                    "{k},{},{},{},{},{:.6},{:.6},{:.6},{}",
                    model.meta.seeds[k],
                    t.train_rows[k],
                    t.epochs[k],
                    t.best_epoch[k] + 1,
                    t.best_loss[k],
                    t.first_train_loss[k],
                    t.last_train_loss[k],
                    stopped(k)
                );
            }
        }
        Format::Table => {
            let mut tb = table(&[
                "member",
                "seed",
                "train rows",
                "epochs",
                "best epoch",
                "best val loss",
                "train loss first → last",
                "stopped by",
            ]);
            for k in 0..model.members() {
                tb.add_row(vec![
                    k.to_string(),
                    model.meta.seeds[k].to_string(),
                    t.train_rows[k].to_string(),
                    t.epochs[k].to_string(),
                    (t.best_epoch[k] + 1).to_string(),
                    format!("{:.4}", t.best_loss[k]),
                    format!("{:.4} → {:.4}", t.first_train_loss[k], t.last_train_loss[k]),
                    stopped(k),
                ]);
            }
            println!(
                "{} {} model: {} rows; each member validates on its own split by architecture ({} rows over {} architectures held out by at least one member), {} rows skipped\n{tb}\nsaved: {}",
                model.meta.arch,
                model.meta.mode,
                t.rows,
                t.val_rows,
                t.val_architectures.len(),
                n_skipped,
                args.output.display()
            );
        }
    }
    Ok(())
}

/// The surrogate estimators `evaluate` accepts besides `analytic`.
pub const SURROGATE_ESTIMATORS: &[&str] = &[
    "gnn",
    "transformer",
    "hybrid",
    "pure",
    "linfa-linear",
    "linfa-tree",
];

/// Load a model directory (default: the shipped model) and check it is what `name` asks for
/// (`gnn`/`transformer`: that architecture; `hybrid`/`pure`: that mode).
pub fn load_model(name: &str, dir: Option<&Path>) -> anyhow::Result<Ensemble> {
    let dir = dir.map(Path::to_path_buf).unwrap_or_else(default_model_dir);
    surrogate::init_threads();
    let model = Ensemble::load(&dir, tch::Device::Cpu).with_context(|| {
        format!(
            "loading surrogate model {} (train one with `presynth train`)",
            dir.display()
        )
    })?;
    let m = &model.meta;
    let ok = match name {
        "gnn" => m.arch == Arch::Gnn,
        "transformer" => m.arch == Arch::Transformer,
        "hybrid" => m.mode == Mode::Hybrid,
        "pure" => m.mode == Mode::Pure,
        _ => true,
    };
    if !ok {
        bail!(
            "--estimator {name}: the model in {} is a {} {} model",
            dir.display(),
            m.arch,
            m.mode
        );
    }
    Ok(model)
}

/// A predictor for `evaluate`: a surrogate model (`gnn`, `transformer`, `hybrid`, `pure`; from
/// `model` or the default model) or a linfa baseline fitted on `fit_rows` (the rows not being
/// evaluated).
fn evaluation_predictor(
    name: &str,
    model: Option<&Path>,
    eval_rows: &[EvalSample],
    fit_rows: &[EvalSample],
    calib: &Calibration,
) -> anyhow::Result<Box<dyn Predictor>> {
    let baseline = match name {
        "linfa-linear" => Some(Baseline::Linear),
        "linfa-tree" => Some(Baseline::Tree),
        _ => None,
    };
    if let Some(kind) = baseline {
        let (train, _) = training_samples(fit_rows, calib);
        if train.is_empty() {
            bail!("--estimator {name} is fitted on the rows not evaluated, and there are none: use --split heldout");
        }
        let fitted = FittedBaseline::fit(kind, Mode::Pure, &train)?;
        return Ok(Box::new(Precomputed::baseline(
            name, &fitted, eval_rows, calib,
        )?));
    }
    if !SURROGATE_ESTIMATORS.contains(&name) {
        return Err(anyhow!("unknown estimator '{name}'"));
    }
    let m = load_model(name, model)?;
    let label = format!(
        "{name} ({} {}, {} members)",
        m.meta.arch,
        m.meta.mode,
        m.members()
    );
    Ok(Box::new(Precomputed::surrogate(
        &label, &m, eval_rows, calib,
    )?))
}

/// Replace the totals of `report` (the analytic estimate `analytic` of `net`) by the
/// surrogate's prediction, with its interval per figure and its coverage (`model_dir`: the
/// model directory, default [`default_model_dir`]).
pub fn apply_surrogate(
    net: &ir::Network,
    dev: &estimator::Device,
    analytic: &estimator::NetworkEstimate,
    with: EstimateWith,
    model_dir: Option<&Path>,
    report: &mut estimator::EstimateReport,
) -> anyhow::Result<()> {
    use estimator::report::{Coverage, Figures, SurrogateInfo, SurrogatePrediction};
    use surrogate::Target;
    let name = clap::ValueEnum::to_possible_value(&with).expect("no skipped variants");
    let model = load_model(name.get_name(), model_dir)?;
    let a = surrogate::analytic::from_network_estimate(analytic);
    let info = surrogate::analytic::device_info(dev, net.config.clock_period_ns);
    let f = surrogate::extract(net, &info, Some(&a))?;
    let p = model.predict(&[(&f, Some(&a.total))], 1)?.remove(0);
    let figures = |v: &[f64]| {
        let res = |lut: Target, ff: Target, dsp: Target, bram: Target| estimator::Resources {
            lut: v[lut.index()],
            ff: v[ff.index()],
            dsp: v[dsp.index()],
            bram_18k: v[bram.index()],
            uram: 0.0,
        };
        Figures {
            csynth: res(
                Target::CsynthLut,
                Target::CsynthFf,
                Target::CsynthDsp,
                Target::CsynthBram18k,
            ),
            post_synthesis: res(
                Target::PostLut,
                Target::PostFf,
                Target::PostDsp,
                Target::PostBram18k,
            ),
            latency_best: v[Target::LatencyBest.index()],
            latency_worst: v[Target::LatencyWorst.index()],
            ii: v[Target::Ii.index()],
        }
    };
    let dir = model_dir
        .map(Path::to_path_buf)
        .unwrap_or_else(default_model_dir);
    report.apply_surrogate(
        dev,
        SurrogatePrediction {
            estimator: name.get_name().to_string(),
            mean: figures(&p.mean),
            low: figures(&p.low),
            high: figures(&p.high),
            coverage: Coverage {
                covered: p.covered,
                key: surrogate::ensemble::coverage_key(&f),
                trained_on: model.meta.coverage.clone(),
            },
            info: SurrogateInfo {
                model_dir: dir.display().to_string(),
                arch: model.meta.arch.to_string(),
                mode: model.meta.mode.to_string(),
                members: model.members(),
            },
        },
    );
    Ok(())
}

/// The in-process backend of the surrogate commands.
pub struct Local;

impl presynth::ml::Backend for Local {
    fn train(&self, args: Args) -> anyhow::Result<()> {
        train(args)
    }
    fn apply_surrogate(
        &self,
        net: &ir::Network,
        dev: &estimator::Device,
        analytic: &estimator::NetworkEstimate,
        with: EstimateWith,
        model_dir: Option<&Path>,
        report: &mut estimator::EstimateReport,
    ) -> anyhow::Result<()> {
        apply_surrogate(net, dev, analytic, with, model_dir, report)
    }
    fn evaluation_predictor(
        &self,
        name: &str,
        model: Option<&Path>,
        eval_rows: &[EvalSample],
        fit_rows: &[EvalSample],
        calib: &Calibration,
    ) -> anyhow::Result<Box<dyn Predictor>> {
        evaluation_predictor(name, model, eval_rows, fit_rows, calib)
    }
}
