//! The pass manager: runs a named pipeline of [`Pass`]es over a fresh [`Graph`] and can hand
//! the printed graph after each pass to a trace (the per-pass goldens, `lower --trace`).

use crate::error::Result;
use crate::graph::Graph;
use crate::passes::{Pass, HLS4ML_PIPELINE};
use ir::Network;

/// A pipeline: passes run in order.
#[derive(Clone, Copy)]
pub struct Pipeline {
    pub name: &'static str,
    pub passes: &'static [&'static dyn Pass],
}

/// The graph after one pass.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub pass: &'static str,
    pub changed: bool,
    pub graph: String,
}

impl Pipeline {
    /// hls4ml 1.3.0's Vivado/Vitis flow.
    pub fn hls4ml() -> Pipeline {
        Pipeline {
            name: "hls4ml-1.3.0-vivado",
            passes: HLS4ML_PIPELINE,
        }
    }

    /// The names of the passes, in order.
    pub fn pass_names(&self) -> Vec<&'static str> {
        self.passes.iter().map(|p| p.name()).collect()
    }

    /// Run every pass; `trace` is called after each with the pass and the graph.
    pub fn run_traced(
        &self,
        net: &Network,
        mut trace: impl FnMut(&'static str, bool, &Graph),
    ) -> Result<Graph> {
        let mut g = Graph::new(&net.name, net.config.io_type, net.config.precision.clone());
        for p in self.passes {
            let changed = p.run(net, &mut g)?;
            trace(p.name(), changed, &g);
        }
        Ok(g)
    }

    pub fn run(&self, net: &Network) -> Result<Graph> {
        self.run_traced(net, |_, _, _| {})
    }

    /// The printed graph after each pass.
    pub fn steps(&self, net: &Network) -> Result<Vec<Step>> {
        let mut steps = Vec::new();
        self.run_traced(net, |pass, changed, g| {
            steps.push(Step {
                pass,
                changed,
                graph: g.print(),
            })
        })?;
        Ok(steps)
    }
}
