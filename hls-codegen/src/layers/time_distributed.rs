//! hls4ml's `TimeDistributed` (`backends/vivado/passes/recurrent_templates.py`:
//! `time_distributed_config_template`, `time_distributed_loop_start_template`,
//! `time_distributed_loop_end_template`; `nnet_time_distributed.h`). After
//! `expand_time_distributed` a wrapped layer sits between two TimeDistributed nodes: the
//! wrapper's call opens the loop over the time steps and copies one step of its input
//! (`read_time_step_{dim}d`), the wrapped layer's own call follows, and the `<name>_end`
//! marker's call copies its one-step output into the step's slot of the whole output
//! (`write_time_step_{dim}d`) and closes the loop. Both have the same config struct, sized
//! from their input: `dim` is its rank (one more for the marker, whose input has no time axis),
//! `in_height`/`in_width` its third- and second-last axes where it has them, `n_chan` its last.
//! The loop gets no pragma (hls4ml's default `TimeStepLoopParallelism: off`).

use super::Ctx;
use crate::model::Op;

pub const INCLUDES: &[&str] = &["nnet_utils/nnet_time_distributed.h"];

/// (n_time_steps, end marker) of the node.
fn parts(c: &Ctx) -> (usize, bool) {
    if let Op::TimeDistributed {
        n_time_steps, end, ..
    } = &c.l.op
    {
        (*n_time_steps, *end)
    } else {
        unreachable!("time_distributed on {:?}", c.l.op)
    }
}

/// `dim` of the config and the call's `read/write_time_step_{dim}d`.
fn dim(c: &Ctx) -> usize {
    let (_, end) = parts(c);
    c.input(0).shape.len() + usize::from(end)
}

pub fn config(c: &Ctx) -> String {
    let (n_time_steps, _) = parts(c);
    let dim = dim(c);
    let s = &c.input(0).shape;
    let from_end = |k: usize| s.len().checked_sub(k).and_then(|i| s.get(i)).copied();
    let in_height = if dim == 4 { from_end(3) } else { None }.unwrap_or(1);
    let in_width = if dim >= 3 { from_end(2) } else { None }.unwrap_or(1);
    let n_chan = from_end(1).unwrap_or(1);
    format!(
        "struct config{} : nnet::time_distributed_config {{
    static const unsigned dim = {dim};

    static const unsigned n_time_steps = {n_time_steps};
    static const unsigned in_height = {in_height};
    static const unsigned in_width = {in_width};
    static const unsigned n_chan = {n_chan};
}};
",
        c.index()
    )
}

pub fn call(c: &Ctx) -> String {
    let (_, end) = parts(c);
    let (i, o) = (c.input(0), c.output());
    let dim = dim(c);
    let index = c.index();
    if end {
        format!(
            "    nnet::write_time_step_{dim}d<{}, config{index}>(ts, {}, {});\n    }}",
            o.type_name, i.name, o.name
        )
    } else {
        format!(
            "for (int ts = 0; ts < config{index}::n_time_steps; ts++) {{\n        \n        nnet::read_time_step_{dim}d<{}, config{index}>(ts, {}, {});",
            i.type_name, i.name, o.name
        )
    }
}
