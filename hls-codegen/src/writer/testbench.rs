//! The C++ testbench (myproject_test.cpp) and the Python bridge (myproject_bridge.cpp), filled
//! from hls4ml's templates as `VivadoWriter.write_test_bench` / `write_bridge` do.

use crate::model::HlsModel;
use crate::templates::Templates;

fn leading_indent(line: &str) -> &str {
    &line[..line.len() - line.trim_start_matches(' ').len()]
}

pub fn test_cpp(m: &HlsModel, t: &Templates) -> String {
    let ins: Vec<_> = m.inputs.iter().map(|&v| m.var(v)).collect();
    let outs: Vec<_> = m.outputs.iter().map(|&v| m.var(v)).collect();
    // the marker line, then `nnet::print_result` of every output to `sink`
    let print_results = |line: &str, indent: &str, sink: &str| {
        let mut s = line.to_string();
        for v in &outs {
            s.push_str(&format!(
                "{indent}nnet::print_result<{}, {}>({}, {sink});\n",
                v.type_name,
                v.size_cpp(),
                v.name
            ));
        }
        s
    };
    let mut out = String::with_capacity(t.test_cpp.len() * 2);
    for line in t.test_cpp.split_inclusive('\n') {
        let indent = leading_indent(line);
        let new = if line.contains("myproject") {
            line.replace("myproject", &m.project_name)
        } else if line.contains("// hls-fpga-machine-learning insert bram") {
            line.to_string()
        } else if line.contains("// hls-fpga-machine-learning insert data") {
            let mut s = line.to_string();
            let mut offset = 0;
            for v in &ins {
                s.push_str(&format!("      {};\n", m.definition_cpp(v)));
                s.push_str(&format!(
                    "      nnet::copy_data<float, {}, {}, {}>(in, {});\n",
                    v.type_name,
                    offset,
                    v.size_cpp(),
                    v.name
                ));
                offset += v.size();
            }
            for v in &outs {
                s.push_str(&format!("      {};\n", m.definition_cpp(v)));
            }
            s
        } else if line.contains("// hls-fpga-machine-learning insert zero") {
            let mut s = line.to_string();
            for v in &ins {
                s.push_str(&format!("{indent}{};\n", m.definition_cpp(v)));
                s.push_str(&format!(
                    "{indent}nnet::fill_zero<{}, {}>({});\n",
                    v.type_name,
                    v.size_cpp(),
                    v.name
                ));
            }
            for v in &outs {
                s.push_str(&format!("{indent}{};\n", m.definition_cpp(v)));
            }
            s
        } else if line.contains("// hls-fpga-machine-learning insert top-level-function") {
            let names: Vec<&str> = ins.iter().chain(&outs).map(|v| v.name.as_str()).collect();
            format!("{line}{indent}{}({});\n", m.project_name, names.join(","))
        } else if line.contains("// hls-fpga-machine-learning insert predictions") {
            let mut s = line.to_string();
            for v in &outs {
                s.push_str(&format!(
                    "{indent}for(int i = 0; i < {}; i++) {{\n",
                    v.size_cpp()
                ));
                s.push_str(&format!("{indent}  std::cout << pr[i] << \" \";\n"));
                s.push_str(&format!("{indent}}}\n"));
                s.push_str(&format!("{indent}std::cout << std::endl;\n"));
            }
            s
        } else if line.contains("// hls-fpga-machine-learning insert tb-output") {
            print_results(line, indent, "fout")
        } else if line.contains("// hls-fpga-machine-learning insert output")
            || line.contains("// hls-fpga-machine-learning insert quantized")
        {
            print_results(line, indent, "std::cout, true")
        } else if line.contains("// hls-fpga-machine-learning insert namespace") {
            String::new()
        } else {
            line.to_string()
        };
        out.push_str(&new);
    }
    out
}

pub fn bridge_cpp(m: &HlsModel, t: &Templates) -> String {
    let ins: Vec<_> = m.inputs.iter().map(|&v| m.var(v)).collect();
    let outs: Vec<_> = m.outputs.iter().map(|&v| m.var(v)).collect();
    let mut out = String::with_capacity(t.bridge_cpp.len() * 2);
    for line in t.bridge_cpp.split_inclusive('\n') {
        let new = if line.contains("MYPROJECT") {
            line.replace("MYPROJECT", &m.project_name.to_uppercase())
        } else if line.contains("myproject") {
            line.replace("myproject", &m.project_name)
        } else if line.contains("// hls-fpga-machine-learning insert bram") {
            line.to_string()
        } else if line.contains("// hls-fpga-machine-learning insert header") {
            let dtype = line.split_once('#').map(|x| x.1.trim()).unwrap_or("float");
            let i: Vec<String> = ins.iter().map(|v| format!("{dtype} *{}", v.name)).collect();
            let o: Vec<String> = outs
                .iter()
                .map(|v| format!("{dtype} *{}", v.name))
                .collect();
            format!("    {},\n    {}\n", i.join(", "), o.join(", "))
        } else if line.contains("// hls-fpga-machine-learning insert wrapper") {
            let dtype = line.split_once('#').map(|x| x.1.trim()).unwrap_or("float");
            let mut s = String::new();
            for v in &ins {
                s.push_str(&format!("    {};\n", m.suffixed_cpp(v, "_ap")));
                s.push_str(&format!(
                    "    nnet::convert_data<{dtype}, {}, {}>({}, {}_ap);\n",
                    v.type_name,
                    v.size_cpp(),
                    v.name,
                    v.name
                ));
            }
            s.push('\n');
            for v in &outs {
                s.push_str(&format!("    {};\n", m.suffixed_cpp(v, "_ap")));
            }
            s.push('\n');
            let args: Vec<String> = ins
                .iter()
                .chain(&outs)
                .map(|v| format!("{}_ap", v.name))
                .collect();
            s.push_str(&format!("    {}({});\n\n", m.project_name, args.join(",")));
            for v in &outs {
                s.push_str(&format!(
                    "    nnet::convert_data<{}, {dtype}, {}>({}_ap, {});\n",
                    v.type_name,
                    v.size_cpp(),
                    v.name,
                    v.name
                ));
            }
            s
        } else if line.contains("// hls-fpga-machine-learning insert trace_outputs")
            || line.contains("// hls-fpga-machine-learning insert namespace")
        {
            String::new()
        } else {
            line.to_string()
        };
        out.push_str(&new);
    }
    out
}
