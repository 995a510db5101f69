//! `presynth estimate --explain`: the formulas and inputs behind every layer's figures, printed
//! after the report. The lines are made while the layers are estimated (each layer's estimate,
//! with its analysis, is dropped once its report row and its lines are made) and spooled to an
//! unlinked temporary file, then copied out after the report: a 100k-layer network never holds
//! its per-layer estimates (issue 18), and a killed run leaves no file behind.

use anyhow::Context;
use estimator::layers::LayerEstimate;
use estimator::Calibration;
use std::fs::File;
use std::io::{self, BufWriter, Seek, Write};

/// The explanation lines so far.
pub struct Spool {
    file: BufWriter<File>,
    /// The first write error (the estimate goes on; [`Spool::finish`] reports it).
    error: Option<io::Error>,
}

impl Spool {
    pub fn new() -> anyhow::Result<Self> {
        let file = tempfile::tempfile().context("a temporary file for the --explain lines")?;
        Ok(Spool {
            file: BufWriter::new(file),
            error: None,
        })
    }

    /// Add the lines of one layer.
    pub fn layer(&mut self, l: &LayerEstimate, calib: &Calibration) {
        if self.error.is_some() {
            return;
        }
        for line in l.explain(calib) {
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
        writeln!(
            out,
            "network: latency = longest path of layer latencies ({}); II = largest layer II",
            if dataflow { "DATAFLOW" } else { "PIPELINE" }
        )?;
        Ok(())
    }
}
