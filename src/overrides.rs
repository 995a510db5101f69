//! Settings that override a model's hls4ml settings (part, clock period, io_type, precision,
//! reuse factor, strategy, backend), and the FPGA device of a part name: what `estimate`, `sweep` and
//! `report` apply from their options and the Python package (python/) from its keyword
//! arguments. Error messages name the CLI option, as the CLI prints them.

use anyhow::{anyhow, Context};
use estimator::Device;
use ir::{FixedType, IoType, Network, Strategy};

/// Values that replace the model's settings; `None` keeps the model's.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Overrides {
    /// FPGA part (name, alias or unambiguous prefix from the fpga-targets database).
    pub part: Option<String>,
    pub io_type: Option<IoType>,
    /// Clock period in ns.
    pub clock_period: Option<f64>,
    /// Default precision; replaces every per-layer precision.
    pub precision: Option<FixedType>,
    /// Reuse factor; replaces every per-layer one (invalid values are adjusted the hls4ml way
    /// by the estimator).
    pub reuse_factor: Option<u32>,
    /// Strategy; replaces every per-layer one.
    pub strategy: Option<Strategy>,
    /// hls4ml backend (Vivado, Vitis, VivadoAccelerator), which picks the HLS tool the
    /// estimator models.
    pub backend: Option<String>,
}

impl Overrides {
    /// Apply to a network: model-level values set, the matching per-layer overrides removed.
    pub fn apply(&self, net: &mut Network) -> anyhow::Result<()> {
        if let Some(p) = &self.part {
            net.config.part = p.clone();
        }
        if let Some(c) = self.clock_period {
            if !(c.is_finite() && c > 0.0) {
                return Err(anyhow!(
                    "--clock-period must be a positive number of ns, got {c}"
                ));
            }
            net.config.clock_period_ns = c;
        }
        if let Some(io) = self.io_type {
            net.config.io_type = io;
        }
        if let Some(b) = &self.backend {
            net.config.backend = b.clone();
        }
        let ids: Vec<_> = net.graph.node_indices().collect();
        if let Some(p) = &self.precision {
            net.config.precision = p.clone();
            for &id in &ids {
                net.layer_mut(id).settings.precision = Default::default();
            }
        }
        if let Some(rf) = self.reuse_factor {
            if rf == 0 {
                return Err(anyhow!("--reuse-factor must be at least 1"));
            }
            net.config.reuse_factor = rf;
            for &id in &ids {
                net.layer_mut(id).settings.reuse_factor = None;
            }
        }
        if let Some(s) = self.strategy {
            net.config.strategy = s;
            for &id in &ids {
                net.layer_mut(id).settings.strategy = None;
            }
        }
        Ok(())
    }
}

/// The FPGA device of a part name, with the database's note when it answered with another
/// package or grade of the same device (the CLI prints it on stderr).
pub fn device(part: &str) -> anyhow::Result<(Device, Option<String>)> {
    match fpga_targets::Targets::builtin().resolve(part) {
        Ok(fpga_targets::Resolution {
            target: fpga_targets::Target::Fpga(p),
            note,
        }) => Ok((Device::from_part(p), note)),
        Ok(_) => Err(anyhow!(
            "'{part}' is a GPU; estimate needs an FPGA part (see `presynth targets`)"
        )),
        Err(e) => Err(anyhow!("{e}")).context(format!("part '{part}'")),
    }
}

/// Where the part of a network came from, as errors about it say: `--part` when it was
/// overridden, else the config (which may have taken it from the model), else the model.
pub fn part_origin(overridden: bool, config: Option<&str>, model: &str) -> String {
    match (overridden, config) {
        (true, _) => "--part".to_string(),
        (false, Some(c)) => format!("{c} (or {model})"),
        (false, None) => model.to_string(),
    }
}
