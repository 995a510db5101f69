//! `presynth targets`: the part and accelerator database, built-in plus user files.

use std::path::PathBuf;

use anyhow::Context;
use fpga_targets::{Target, TargetKind, Targets};

use super::common::{table, Format};

/// List the FPGA parts and GPUs presynth knows, with their sources
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  presynth targets\n  presynth targets --kind gpu --format json\n  \
presynth targets --file my-parts.toml   # add or override entries (same [[fpga]]/[[gpu]] shape as fpga-targets/data/targets.toml)\n\n\
The environment variable PRESYNTH_TARGETS may also name such a file."
)]
pub struct Args {
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Show only FPGA parts or only GPUs
    #[arg(long, value_enum)]
    pub kind: Option<Kind>,
    /// A TOML file of extra or overriding entries
    #[arg(long)]
    pub file: Option<PathBuf>,
}

#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Fpga,
    Gpu,
}

pub fn run(a: Args) -> anyhow::Result<()> {
    let db = Targets::load_with(a.file.as_deref()).context("loading the part database")?;
    let want = |t: &&Target| match a.kind {
        None => true,
        Some(Kind::Fpga) => t.kind() == TargetKind::Fpga,
        Some(Kind::Gpu) => t.kind() == TargetKind::Gpu,
    };
    let entries: Vec<&Target> = db.iter().filter(want).collect();
    match a.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&entries)?),
        Format::Csv => print_csv(&entries),
        Format::Table => print_tables(&entries),
    }
    Ok(())
}

fn mark(verified: bool) -> &'static str {
    if verified {
        "yes"
    } else {
        "no"
    }
}

/// The "verified" cell: yes/no, and the fields that were not checked when an entry lists them.
fn verified_cell(verified: bool, unverified_fields: &[String]) -> String {
    if unverified_fields.is_empty() {
        mark(verified).to_string()
    } else {
        format!("{} (not: {})", mark(verified), unverified_fields.join(", "))
    }
}

fn print_tables(entries: &[&Target]) {
    let fpgas: Vec<_> = entries
        .iter()
        .filter_map(|t| {
            if let Target::Fpga(p) = t {
                Some(p)
            } else {
                None
            }
        })
        .collect();
    let gpus: Vec<_> = entries
        .iter()
        .filter_map(|t| {
            if let Target::Gpu(g) = t {
                Some(g)
            } else {
                None
            }
        })
        .collect();
    if !fpgas.is_empty() {
        let mut t = table(&[
            "part",
            "aliases",
            "family",
            "LUT",
            "FF",
            "DSP",
            "BRAM_18K",
            "URAM",
            "DSP prim.",
            "clock MHz",
            "off-chip GB/s",
            "kernel region / AI Engine",
            "verified",
        ]);
        for p in fpgas {
            let mut extra: Vec<String> = Vec::new();
            if let Some(sh) = p.shells.first() {
                extra.push(format!(
                    "{}: {} LUT, {} DSP, {} BRAM_18K{}{}",
                    sh.platform,
                    sh.lut,
                    sh.dsp,
                    sh.bram_18k,
                    sh.uram.map_or(String::new(), |u| format!(", {u} URAM")),
                    if sh.verified { "" } else { "*" }
                ));
            }
            if let Some(a) = &p.ai_engine {
                extra.push(format!(
                    "AIE {} tiles x {} MHz (INT8 {} MAC/clk/tile){}",
                    a.tiles,
                    a.clock_mhz,
                    a.int8_macs_per_tile_clk,
                    if a.verified { "" } else { "*" }
                ));
            }
            t.add_row(vec![
                p.name.clone(),
                p.aliases.join(", "),
                p.family.clone(),
                p.lut.to_string(),
                p.ff.to_string(),
                p.dsp.to_string(),
                p.bram_18k.to_string(),
                p.uram.to_string(),
                format!("{:?}", p.dsp_primitive),
                p.clock.as_ref().map_or("-".into(), |c| {
                    format!("{}{}", c.mhz, if c.verified { "" } else { "*" })
                }),
                p.memory.as_ref().map_or("-".into(), |m| {
                    format!(
                        "{} {}{}",
                        m.kind,
                        m.bandwidth_gbps,
                        if m.verified { "" } else { "*" }
                    )
                }),
                if extra.is_empty() {
                    "-".into()
                } else {
                    extra.join("; ")
                },
                verified_cell(p.verified, &p.unverified_fields),
            ]);
        }
        println!("FPGA parts\n{t}");
    }
    if !gpus.is_empty() {
        let mut t = table(&[
            "gpu",
            "aliases",
            "SMs",
            "FP32",
            "TF32",
            "BF16",
            "FP16",
            "FP8",
            "memory",
            "GB/s",
            "L2 KiB",
            "SMEM/SM KiB",
            "verified",
        ]);
        for g in gpus {
            t.add_row(vec![
                g.name.clone(),
                g.aliases.join(", "),
                g.sms.to_string(),
                g.fp32_tflops.map_or("-".into(), |v| v.to_string()),
                g.tf32_tflops.map_or("-".into(), |v| v.to_string()),
                g.bf16_tflops.to_string(),
                g.fp16_tflops.to_string(),
                g.fp8_tflops.map_or("-".into(), |v| v.to_string()),
                format!("{} {} GB", g.memory_kind, g.memory_gb),
                g.bandwidth_gbps.to_string(),
                g.l2_kib.map_or("-".into(), |v| v.to_string()),
                g.smem_per_sm_kib.to_string(),
                verified_cell(g.verified, &g.unverified_fields),
            ]);
        }
        println!("GPUs (dense TFLOP/s)\n{t}");
    }
    println!("* = not verified against its source (see `--format json` for each source)");
}

fn print_csv(entries: &[&Target]) {
    println!("kind,name,lut,ff,dsp,bram_18k,uram,bf16_tflops,bandwidth_gbps,verified,source");
    for t in entries {
        let q = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
        match t {
            Target::Fpga(p) => println!(
                "fpga,{},{},{},{},{},{},,{},{},{}",
                p.name,
                p.lut,
                p.ff,
                p.dsp,
                p.bram_18k,
                p.uram,
                p.memory
                    .as_ref()
                    .map_or(String::new(), |m| m.bandwidth_gbps.to_string()),
                p.verified,
                q(&p.source)
            ),
            Target::Gpu(g) => println!(
                "gpu,{},,,,,,{},{},{},{}",
                g.name,
                g.bf16_tflops,
                g.bandwidth_gbps,
                g.verified,
                q(&g.source)
            ),
        }
    }
}
