//! `presynth-codegen`: the codegen path of `presynth codegen` as a lean binary (no estimator,
//! surrogate or libtorch to load), for batch pipelines and the process-level speed benchmark.
//! Same settings and output as `presynth codegen`; the summary is one line.

use hls_codegen::{emit, Backend, EmitOptions, LinkMode, Overrides, Templates};
use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str =
    "usage: presynth-codegen MODEL -o DIR [--weights FILE] [--config hls4ml_config.yml]
       [--backend Vitis|Vivado] [--part P] [--clock-period NS] [--precision T] [--reuse-factor N]
       [--strategy Latency|Resource] [--io-type io_parallel|io_stream] [--project-name NAME]
       [--templates PATH] [--link copy|hardlink|symlink] [--force]
example: presynth-codegen model.keras -o prj --io-type io_stream";

fn run() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let (mut model, mut out, mut weights, mut config, mut templates) =
        (None, None, None, None, None);
    let mut ov = Overrides::default();
    let mut opts = EmitOptions::default();
    while let Some(a) = args.next() {
        let mut val = |name: &str| {
            args.next()
                .ok_or_else(|| format!("{name} needs a value\n{USAGE}"))
        };
        match a.as_str() {
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            "-o" | "--output" => out = Some(PathBuf::from(val(&a)?)),
            "--weights" => weights = Some(PathBuf::from(val(&a)?)),
            "--config" => config = Some(PathBuf::from(val(&a)?)),
            "--templates" => templates = Some(PathBuf::from(val(&a)?)),
            "--backend" => {
                let v = val(&a)?;
                let b = Backend::parse(&v)
                    .ok_or(format!("--backend '{v}': expected Vitis or Vivado"))?;
                ov.backend = Some(b);
                opts.project.backend = b;
            }
            "--part" => ov.part = Some(val(&a)?),
            "--clock-period" => {
                let v = val(&a)?;
                ov.clock_period = Some(
                    v.parse()
                        .map_err(|_| format!("--clock-period '{v}': not a number"))?,
                );
            }
            "--precision" => ov.precision = Some(val(&a)?),
            "--reuse-factor" => {
                let v = val(&a)?;
                ov.reuse_factor = Some(
                    v.parse()
                        .map_err(|_| format!("--reuse-factor '{v}': not a positive integer"))?,
                );
            }
            "--strategy" => ov.strategy = Some(val(&a)?),
            "--io-type" => ov.io_type = Some(val(&a)?),
            "--project-name" => opts.project.project_name = val(&a)?,
            "--link" => {
                let v = val(&a)?;
                opts.link = LinkMode::parse(&v)
                    .ok_or(format!("--link '{v}': expected copy, hardlink or symlink"))?;
            }
            "--force" => opts.overwrite = true,
            s if s.starts_with('-') => return Err(format!("unknown option {s}\n{USAGE}")),
            _ if model.is_none() => model = Some(PathBuf::from(a)),
            _ => return Err(format!("unexpected argument {a}\n{USAGE}")),
        }
    }
    let (model, out) = match (model, out) {
        (Some(m), Some(o)) => (m, o),
        _ => return Err(USAGE.to_string()),
    };
    ov.backend.get_or_insert(opts.project.backend);
    let mut net = ir::frontend::load_model(&model, weights.as_deref(), config.as_deref())
        .map_err(|e| e.to_string())?;
    ov.apply(&mut net.config).map_err(|e| e.to_string())?;
    let t = Templates::discover(templates.as_deref()).map_err(|e| e.to_string())?;
    let source = model
        .extension()
        .is_some_and(|e| e == "keras")
        .then_some(model.as_path());
    let rep = emit(&net, &out, &t, &opts, source)
        .map_err(|e| format!("writing {}: {e}", out.display()))?;
    for w in &rep.warnings {
        eprintln!("warning: {w}");
    }
    println!(
        "wrote {} ({} layers, {} generated files, {} template files)",
        out.display(),
        rep.layers,
        rep.generated_files,
        rep.template_files
    );
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
