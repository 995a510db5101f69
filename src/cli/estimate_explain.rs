//! `presynth estimate --explain`: the formulas and inputs behind every layer's figures, printed
//! after the report. The lines are made while the layers are estimated (each layer's estimate,
//! with its analysis, is dropped once its report row and its lines are made) and spooled to an
//! unlinked temporary file, then copied out after the report: a 100k-layer network never holds
//! its per-layer estimates (issue 18), and a killed run leaves no file behind. Each row also
//! names the hls4ml layers it prices (the shared lowering's graph, made once and dropped before
//! the estimate: only its names are kept).

use anyhow::Context;
use estimator::layers::LayerEstimate;
use estimator::Calibration;
use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufWriter, Seek, Write};

/// The explanation lines so far.
pub struct Spool {
    file: BufWriter<File>,
    /// The hls4ml layers behind each IR layer, by layer name; `None` when the network has no
    /// hls4ml layer graph.
    hls: Option<HashMap<String, Vec<String>>>,
    /// The first write error (the estimate goes on; [`Spool::finish`] reports it).
    error: Option<io::Error>,
}

impl Spool {
    pub fn new(hls: Option<HashMap<String, Vec<String>>>) -> anyhow::Result<Self> {
        let file = tempfile::tempfile().context("a temporary file for the --explain lines")?;
        Ok(Spool {
            file: BufWriter::new(file),
            hls,
            error: None,
        })
    }

    /// Add the lines of one layer.
    pub fn layer(&mut self, l: &LayerEstimate, calib: &Calibration) {
        if self.error.is_some() {
            return;
        }
        let mut lines = l.explain(calib).into_iter();
        let head = lines.next();
        let hls = self.hls.as_ref().map(|m| match m.get(l.name.as_str()) {
            Some(v) => format!("  hls4ml layers: {}", v.join(", ")),
            None => "  hls4ml layers: none (removed by hls4ml)".to_string(),
        });
        for line in head.into_iter().chain(hls).chain(lines) {
            if let Err(e) = writeln!(self.file, "{line}") {
                self.error = Some(e);
                return;
            }
        }
    }

    /// Write the lines to `out`: a blank line, every layer's lines, the network's line.
    pub fn finish(self, out: &mut impl Write, dataflow: bool) -> anyhow::Result<()> {
        if let Some(e) = self.error {
            return Err(e).context("writing the --explain lines to a temporary file");
        }
        let mut file = self
            .file
            .into_inner()
            .map_err(|e| e.into_error())
            .context("writing the --explain lines to a temporary file")?;
        file.rewind()?;
        writeln!(out)?;
        io::copy(&mut file, out)?;
        if self.hls.is_none() {
            writeln!(
                out,
                "no hls4ml layer graph (hls4ml cannot convert this network, presynth does not lower one of its kinds yet, or it has over {HLS_LAYERS_MAX} layers): each row is priced from the IR alone"
            )?;
        }
        writeln!(
            out,
            "network: latency = longest path of layer latencies ({}); II = largest layer II",
            if dataflow { "DATAFLOW" } else { "PIPELINE" }
        )?;
        Ok(())
    }
}

/// Above this many layers the rows do not list their hls4ml layers: the lowered graph peaks at
/// about 1.2 KiB per layer on top of the estimate's 1.7 KiB (measured by
/// tests/cli_estimate_deep.rs), which would take a 100k-layer `--explain` past 200 MB.
pub const HLS_LAYERS_MAX: usize = 10_000;

/// The hls4ml layers priced in each IR layer's row ([`estimator::lowered::explain_rows`]), by
/// layer name, or `None` when the shared lowering refuses the network or it has more than
/// [`HLS_LAYERS_MAX`] layers.
pub fn hls_layers(net: &ir::Network) -> Option<HashMap<String, Vec<String>>> {
    if net.layers().len() > HLS_LAYERS_MAX {
        return None;
    }
    let g = lower::lower(net).ok()?;
    let rows = estimator::lowered::explain_rows(&g);
    Some(
        rows.into_iter()
            .map(|(id, v)| (net.layer(id).name.clone(), v))
            .collect(),
    )
}
