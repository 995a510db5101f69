//! Inputs the `onnx` fuzz target (fuzz/fuzz_targets/onnx.rs) found to panic the ONNX frontend,
//! rebuilt by hand as protobuf: each must now be a clear error naming the file and the node.

use frontends::load_model;
use frontends::onnx::proto::*;
use prost::Message;

fn vi(name: &str, dims: &[i64]) -> ValueInfoProto {
    ValueInfoProto {
        name: name.into(),
        r#type: Some(TypeProto {
            tensor_type: Some(TypeProtoTensor {
                elem_type: data_type::FLOAT,
                shape: Some(TensorShapeProto {
                    dim: dims
                        .iter()
                        .map(|&d| Dimension {
                            value: Some(DimValue::DimValue(d)),
                        })
                        .collect(),
                }),
            }),
        }),
    }
}

#[test]
fn a_node_without_outputs_is_an_error_not_a_panic() {
    // crash-13e5573d: a Transpose (perm 0,2,1) whose output list is empty.
    for op in ["Transpose", "Relu", "Identity", "Flatten"] {
        let dir = tempfile::tempdir().unwrap();
        let g = GraphProto {
            input: vec![vi("x", &[1, 4, 3])],
            output: vec![vi("y", &[1, 3, 4])],
            node: vec![NodeProto {
                op_type: op.into(),
                name: "t".into(),
                input: vec!["x".into()],
                output: vec![],
                attribute: vec![AttributeProto {
                    name: "perm".into(),
                    r#type: attribute_type::INTS,
                    ints: vec![0, 2, 1],
                    ..Default::default()
                }],
                ..Default::default()
            }],
            ..Default::default()
        };
        let m = ModelProto {
            ir_version: 8,
            graph: Some(g),
            ..Default::default()
        };
        let p = dir.path().join("no_output.onnx");
        std::fs::write(&p, m.encode_to_vec()).unwrap();
        let e = load_model(&p, None, None).unwrap_err().to_string();
        assert!(
            e.contains("no_output.onnx") && e.contains("'t'") && e.contains("no output"),
            "{op}: {e}"
        );
    }
}
