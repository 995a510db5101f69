//! The layer names hls4ml 1.3.0's ONNX flow gives an ONNX model, so that a `LayerName` config
//! it wrote (`config_from_onnx_model(granularity='name')`) finds presynth's layers. hls4ml's
//! documented preprocessing (QONNX `cleanup_model`, `GemmToMatMul`) renames every node
//! `<OpType>_<k>` (k counting the nodes of that type in graph order), the graph input
//! `global_in` and each node's constant inputs `<node>_param<i>` (GiveUniqueNodeNames,
//! GiveReadableTensorNames); a Gemm becomes `MatMul_k` + `Add_k`, which hls4ml keeps as a Dense
//! and a separate bias layer (ApplyAlpha), where presynth has one Dense: `MatMul_k` gives that
//! Dense its settings, `Add_k` only its result type (the type after the bias). Checked on the
//! configs of the four example ONNX models (tests/fixtures/hls4ml-configs/configs/onnx_*_name.yml).

use ir::{LayerKind, Network, NodeId};
use std::collections::HashMap;

/// ONNX operator types the node(s) of one IR layer have after hls4ml's preprocessing, in order.
fn onnx_ops(layer: &ir::Layer) -> Vec<&'static str> {
    if let LayerKind::Activation(a) = &layer.kind {
        let op = match a.name() {
            "relu" => "Relu",
            "sigmoid" => "Sigmoid",
            "tanh" => "Tanh",
            "softmax" => "Softmax",
            "leaky_relu" => "LeakyRelu",
            "elu" => "Elu",
            "selu" => "Selu",
            "softplus" => "Softplus",
            "softsign" => "Softsign",
            _ => return Vec::new(),
        };
        return vec![op];
    }
    match layer.kind.name() {
        "Dense" if layer.weight("bias").is_some() => vec!["MatMul", "Add"],
        "Dense" => vec!["MatMul"],
        "Conv1D" | "Conv2D" => vec!["Conv"],
        "Flatten" => vec!["Flatten"],
        "Reshape" => vec!["Reshape"],
        "BatchNormalization" => vec!["BatchNormalization"],
        "MaxPooling1D" | "MaxPooling2D" => vec!["MaxPool"],
        "AveragePooling1D" | "AveragePooling2D" => vec!["AveragePool"],
        "GlobalMaxPooling1D" | "GlobalMaxPooling2D" => vec!["GlobalMaxPool"],
        "GlobalAveragePooling1D" | "GlobalAveragePooling2D" => vec!["GlobalAveragePool"],
        "Concatenate" => vec!["Concat"],
        _ => Vec::new(),
    }
}

/// The IR layer an hls4ml ONNX name denotes, and whether the name is a Dense's bias `Add`
/// (whose entry sets only the Dense's result type).
#[derive(Debug, Clone, Copy)]
pub(crate) struct OnnxAlias {
    pub id: NodeId,
    pub result_only: bool,
}

/// hls4ml's name -> the IR layer it denotes (`global_in` for a single-input network).
pub(crate) fn hls4ml_onnx_names(net: &Network) -> HashMap<String, OnnxAlias> {
    let mut names = HashMap::new();
    let Ok(order) = net.topo_order() else {
        return names;
    };
    if let [input] = net.inputs[..] {
        let alias = OnnxAlias {
            id: input,
            result_only: false,
        };
        names.insert("global_in".to_string(), alias);
    }
    let mut count: HashMap<&'static str, usize> = HashMap::new();
    for id in order {
        let layer = net.layer(id);
        for op in onnx_ops(layer) {
            let k = count.entry(op).or_insert(0);
            let result_only = op == "Add" && layer.kind.name() == "Dense";
            names.insert(format!("{op}_{k}"), OnnxAlias { id, result_only });
            *k += 1;
        }
    }
    names
}

/// Whether `name` is a node's constant input as hls4ml names it (`Conv_0_param1`): hls4ml
/// makes it a Constant layer, presynth keeps it as the layer's weights.
pub(crate) fn is_constant_name(names: &HashMap<String, OnnxAlias>, name: &str) -> bool {
    name.rsplit_once("_param")
        .is_some_and(|(node, i)| names.contains_key(node) && i.parse::<u32>().is_ok())
}
