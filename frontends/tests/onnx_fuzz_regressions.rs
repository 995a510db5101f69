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

#[test]
fn a_bias_add_without_outputs_is_an_error_not_a_panic() {
    // crash-cdd11b55 (10-minute ASan run): a MatMul by a constant read by an Add of a constant
    // whose output list is empty; folding that Add into the MatMul's bias indexed the list.
    let dir = tempfile::tempdir().unwrap();
    let tensor = |name: &str, dims: &[i64], n: usize| TensorProto {
        name: name.into(),
        dims: dims.to_vec(),
        data_type: data_type::FLOAT,
        float_data: vec![0.5; n],
        ..Default::default()
    };
    let g = GraphProto {
        input: vec![vi("x", &[1, 4])],
        output: vec![vi("y", &[1, 3])],
        initializer: vec![tensor("w", &[4, 3], 12), tensor("b", &[3], 3)],
        node: vec![
            NodeProto {
                op_type: "MatMul".into(),
                name: "mm".into(),
                input: vec!["x".into(), "w".into()],
                output: vec!["h".into()],
                ..Default::default()
            },
            NodeProto {
                op_type: "Add".into(),
                name: "bias".into(),
                input: vec!["h".into(), "b".into()],
                output: vec![],
                ..Default::default()
            },
        ],
        ..Default::default()
    };
    let m = ModelProto {
        ir_version: 8,
        graph: Some(g),
        ..Default::default()
    };
    let p = dir.path().join("bias_no_output.onnx");
    std::fs::write(&p, m.encode_to_vec()).unwrap();
    let e = load_model(&p, None, None).unwrap_err().to_string();
    assert!(
        e.contains("bias_no_output.onnx") && e.contains("'bias'") && e.contains("no output"),
        "{e}"
    );
}
