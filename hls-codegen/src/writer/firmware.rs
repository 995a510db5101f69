//! firmware/: myproject.cpp, myproject.h, defines.h, parameters.h and nnet_code_gen.h, made
//! by filling hls4ml's own templates line by line exactly as `VivadoWriter` does (including
//! its quirks, e.g. defines.h repeating the line before `insert headers`).

use crate::layers;
use crate::model::{HlsModel, VarKind, Variable};
use crate::templates::Templates;
use std::collections::BTreeSet;

const INDENT: &str = "    ";

/// Apply hls4ml's line filter: `f(line)` returns the replacement, or None to keep the line.
/// `prev` is the previous replacement (hls4ml reuses it when a branch leaves it unset).
fn fill(template: &str, mut f: impl FnMut(&str, &str) -> Option<String>) -> String {
    let mut out = String::with_capacity(template.len() * 4);
    let mut prev = String::new();
    for line in template.split_inclusive('\n') {
        let new = f(line, &prev).unwrap_or_else(|| line.to_string());
        out.push_str(&new);
        prev = new;
    }
    out
}

/// The `namespace-start`/`namespace-end` markers, which hls4ml blanks without a namespace.
fn is_namespace_marker(line: &str) -> bool {
    line.contains("// hls-fpga-machine-learning insert namespace-start")
        || line.contains("// hls-fpga-machine-learning insert namespace-end")
}

/// A marker line followed by the text of `items`, in order.
fn after(line: &str, items: impl IntoIterator<Item = String>) -> String {
    let mut s = line.to_string();
    for item in items {
        s.push_str(&item);
    }
    s
}

fn project_replace(line: &str, m: &HlsModel) -> Option<String> {
    line.contains("myproject")
        .then(|| line.replace("myproject", &m.project_name))
}

fn io_vars<'a>(m: &'a HlsModel, ids: &[usize]) -> Vec<&'a Variable> {
    ids.iter().map(|&v| m.var(v)).collect()
}

fn header_args(m: &HlsModel) -> String {
    let ins: Vec<String> = io_vars(m, &m.inputs)
        .iter()
        .map(|v| m.reference_cpp(v))
        .collect();
    let outs: Vec<String> = io_vars(m, &m.outputs)
        .iter()
        .map(|v| m.reference_cpp(v))
        .collect();
    format!("{INDENT}{},\n{INDENT}{}\n", ins.join(", "), outs.join(", "))
}

fn weights_loading(m: &HlsModel) -> String {
    let mut s = String::from("#ifndef __SYNTHESIS__\n    static bool loaded_weights = false;\n    if (!loaded_weights) {\n");
    for l in &m.layers {
        for w in &l.weights {
            // hls4ml's ExponentWeightVariable has its own loader
            let loader = if crate::weights::is_exponent(w) {
                "load_exponent_weights_from_txt"
            } else {
                "load_weights_from_txt"
            };
            s.push_str(&format!(
                "{INDENT}    nnet::{loader}<{}, {}>({}, \"{}.txt\");\n",
                w.type_name,
                w.data.len(),
                w.name,
                w.name
            ));
        }
    }
    s.push_str("        loaded_weights = true;    }\n#endif");
    s
}

fn pipeline_pragma(m: &HlsModel) -> &'static str {
    let conv = m.layers.iter().any(crate::layers::forces_dataflow);
    let resource = m
        .layers
        .iter()
        .any(|l| l.strategy == ir::Strategy::Resource);
    if m.is_stream() || conv || resource {
        "    #pragma HLS DATAFLOW\n"
    } else {
        "    #pragma HLS PIPELINE\n"
    }
}

fn io_pragmas(m: &HlsModel) -> String {
    let ins: Vec<&str> = io_vars(m, &m.inputs)
        .iter()
        .map(|v| v.name.as_str())
        .collect();
    let outs: Vec<&str> = io_vars(m, &m.outputs)
        .iter()
        .map(|v| v.name.as_str())
        .collect();
    let mut s = String::new();
    if m.is_stream() {
        s.push_str(&format!(
            "{INDENT}#pragma HLS INTERFACE axis port={},{} \n",
            ins.join(","),
            outs.join(",")
        ));
    } else {
        for &i in &m.inputs {
            s.push_str(&format!("{INDENT}{}\n", m.array_pragma(i, "RESHAPE")));
        }
        for &o in &m.outputs {
            s.push_str(&format!("{INDENT}{}\n", m.array_pragma(o, "PARTITION")));
        }
        s.push_str(&format!(
            "{INDENT}#pragma HLS INTERFACE ap_vld port={},{} \n",
            ins.join(","),
            outs.join(",")
        ));
    }
    s.push_str(pipeline_pragma(m));
    s
}

fn var_pragma(m: &HlsModel, id: usize) -> Option<String> {
    let v = m.var(id);
    match v.kind {
        VarKind::Alias(_) => None,
        VarKind::Owned if m.is_stream() => Some(format!(
            "#pragma HLS STREAM variable={} depth={}",
            v.name, v.depth
        )),
        VarKind::Owned => Some(m.array_pragma(id, "PARTITION")),
    }
}

fn layers_block(m: &HlsModel) -> String {
    let mut s = String::new();
    let io: BTreeSet<usize> = m.inputs.iter().chain(&m.outputs).copied().collect();
    for l in &m.layers {
        for &v in &l.outputs {
            if io.contains(&v) {
                continue;
            }
            let var = m.var(v);
            s.push_str(&format!("    {};\n", m.definition_cpp(var)));
            if let Some(p) = var_pragma(m, v) {
                s.push_str(&format!("    {p}\n\n"));
            }
        }
    }
    for l in &m.layers {
        if let Some(f) = layers::function_cpp(m, l) {
            s.push_str(&format!("    {f} // {}\n\n", l.name));
        }
    }
    s
}

pub fn myproject_cpp(m: &HlsModel, t: &Templates) -> String {
    fill(&t.myproject_cpp, |line, _| {
        if let Some(r) = project_replace(line, m) {
            Some(r)
        } else if line.contains("// hls-fpga-machine-learning insert header") {
            Some(header_args(m))
        } else if is_namespace_marker(line) {
            Some(String::new())
        } else if line.contains("// hls-fpga-machine-learning insert load weights") {
            Some(format!("{line}{}", weights_loading(m)))
        } else if line.contains("// hls-fpga-machine-learning insert IO") {
            Some(format!("{line}{}", io_pragmas(m)))
        } else if line.contains("// hls-fpga-machine-learning insert layers") {
            Some(format!("{line}\n{}", layers_block(m)))
        } else {
            None
        }
    })
}

pub fn myproject_h(m: &HlsModel, t: &Templates) -> String {
    fill(&t.myproject_h, |line, _| {
        if line.contains("MYPROJECT") {
            Some(line.replace("MYPROJECT", &m.project_name.to_uppercase()))
        } else if let Some(r) = project_replace(line, m) {
            Some(r)
        } else if line.contains("// hls-fpga-machine-learning insert header") {
            Some(header_args(m))
        } else if is_namespace_marker(line) {
            Some(String::new())
        } else {
            None
        }
    })
}

pub fn defines_h(m: &HlsModel, t: &Templates) -> String {
    fill(&t.defines_h, |line, prev| {
        if line.contains("// hls-fpga-machine-learning insert headers") {
            // hls4ml leaves `newline` unset here for ap_fixed-only models: the previous line repeats
            Some(prev.to_string())
        } else if line.contains("// hls-fpga-machine-learning insert layer-precision") {
            let mut seen = BTreeSet::new();
            let typedefs = m
                .layers
                .iter()
                .flat_map(|l| &l.types)
                .filter(|ty| seen.insert(ty.name.clone()))
                .map(|ty| format!("typedef {} {};\n", ty.cpp, ty.name));
            Some(after(line, typedefs))
        } else if is_namespace_marker(line) {
            Some(String::new())
        } else {
            None
        }
    })
}

pub fn parameters_h(m: &HlsModel, t: &Templates) -> String {
    fill(&t.parameters_h, |line, _| {
        if line.contains("// hls-fpga-machine-learning insert includes") {
            let set: BTreeSet<&str> = m
                .layers
                .iter()
                .flat_map(|l| layers::includes(l).iter().copied())
                .collect();
            Some(after(
                line,
                set.into_iter().map(|h| format!("#include \"{h}\"\n")),
            ))
        } else if line.contains("// hls-fpga-machine-learning insert weights") {
            let includes = m.layers.iter().flat_map(|l| &l.weights);
            Some(after(
                line,
                includes.map(|w| format!("#include \"weights/{}.h\"\n", w.name)),
            ))
        } else if line.contains("// hls-fpga-machine-learning insert layer-config") {
            let configs = m
                .layers
                .iter()
                .filter_map(|l| layers::config_cpp(m, l).map(|c| format!("// {}\n{c}\n", l.name)));
            Some(after(line, configs))
        } else if is_namespace_marker(line) {
            Some(String::new())
        } else {
            None
        }
    })
}

/// nnet_code_gen.h with the generated im2col classes after `// hls4ml insert code`.
pub fn nnet_code_gen_h(m: &HlsModel, t: &Templates) -> String {
    fill(&t.nnet_code_gen_h, |line, _| {
        if line.contains("// hls4ml insert code") {
            let code = m.layers.iter().filter_map(|l| layers::generated_code(m, l));
            Some(after(line, code))
        } else {
            None
        }
    })
}

/// Whether any layer generates code (else nnet_code_gen.h can be linked unchanged).
pub fn has_generated_code(m: &HlsModel) -> bool {
    m.layers
        .iter()
        .any(|l| layers::generated_code(m, l).is_some())
}
