//! ONNX constant tensors (`TensorProto` initializers and `Constant` node values) decoded to
//! `f64` values with their shape, and the typed reads of node attributes.

use super::proto::{attribute_type, data_type, AttributeProto, NodeProto, TensorProto};

/// A constant tensor: its ONNX shape (batch dimension included where it has one) and values.
#[derive(Debug, Clone, PartialEq)]
pub struct Constant {
    pub shape: Vec<usize>,
    pub data: Vec<f64>,
    /// The fixed-point type of the values when a QONNX `Quant` produced them.
    pub quant: Option<ir::types::FixedType>,
}

impl Constant {
    pub fn len(&self) -> usize {
        self.data.len()
    }
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }
    /// The single value of a one-element tensor.
    pub fn scalar(&self) -> Option<f64> {
        (self.data.len() == 1).then(|| self.data[0])
    }
}

fn chunks<const N: usize>(raw: &[u8]) -> impl Iterator<Item = [u8; N]> + '_ {
    raw.chunks_exact(N).map(|c| {
        let mut a = [0u8; N];
        a.copy_from_slice(c);
        a
    })
}

/// Decode a tensor's values. Errors say what is wrong with it (no file or field: the caller adds
/// them).
pub fn decode(t: &TensorProto) -> Result<Constant, String> {
    if t.data_location == 1 {
        return Err("its values are stored in an external file, which is not supported (save the model with the weights inside)".into());
    }
    let mut shape = Vec::with_capacity(t.dims.len());
    for &d in &t.dims {
        if d < 0 || d as u64 > (1u64 << 32) {
            return Err(format!("dimension {d} out of range"));
        }
        shape.push(d as usize);
    }
    let n = shape
        .iter()
        .try_fold(1usize, |a, &d| a.checked_mul(d))
        .ok_or("too many elements")?;
    let raw = &t.raw_data;
    let data: Vec<f64> = match t.data_type {
        data_type::FLOAT if !raw.is_empty() => chunks::<4>(raw)
            .map(|b| f32::from_le_bytes(b) as f64)
            .collect(),
        data_type::FLOAT => t.float_data.iter().map(|&v| v as f64).collect(),
        data_type::DOUBLE if !raw.is_empty() => chunks::<8>(raw).map(f64::from_le_bytes).collect(),
        data_type::DOUBLE => t.double_data.clone(),
        data_type::INT64 if !raw.is_empty() => chunks::<8>(raw)
            .map(|b| i64::from_le_bytes(b) as f64)
            .collect(),
        data_type::INT64 => t.int64_data.iter().map(|&v| v as f64).collect(),
        data_type::INT32 if !raw.is_empty() => chunks::<4>(raw)
            .map(|b| i32::from_le_bytes(b) as f64)
            .collect(),
        data_type::UINT32 if !raw.is_empty() => chunks::<4>(raw)
            .map(|b| u32::from_le_bytes(b) as f64)
            .collect(),
        data_type::UINT64 if !raw.is_empty() => chunks::<8>(raw)
            .map(|b| u64::from_le_bytes(b) as f64)
            .collect(),
        data_type::UINT64 => t.uint64_data.iter().map(|&v| v as f64).collect(),
        data_type::INT16 if !raw.is_empty() => chunks::<2>(raw)
            .map(|b| i16::from_le_bytes(b) as f64)
            .collect(),
        data_type::UINT16 if !raw.is_empty() => chunks::<2>(raw)
            .map(|b| u16::from_le_bytes(b) as f64)
            .collect(),
        data_type::INT8 if !raw.is_empty() => raw.iter().map(|&b| b as i8 as f64).collect(),
        data_type::UINT8 | data_type::BOOL if !raw.is_empty() => {
            raw.iter().map(|&b| b as f64).collect()
        }
        // int32_data holds every integer type of 32 bits or less when raw_data is not used
        data_type::INT32
        | data_type::INT16
        | data_type::INT8
        | data_type::UINT16
        | data_type::UINT8
        | data_type::BOOL => t.int32_data.iter().map(|&v| v as f64).collect(),
        data_type::UINT32 => t.uint64_data.iter().map(|&v| v as f64).collect(),
        other => {
            return Err(format!(
                "element type {other} is not supported (expected a float or integer type)"
            ))
        }
    };
    if data.len() != n {
        return Err(format!(
            "{} values for shape {shape:?} ({n} expected)",
            data.len()
        ));
    }
    Ok(Constant {
        shape,
        data,
        quant: None,
    })
}

/// A node attribute by name.
pub fn attr<'a>(node: &'a NodeProto, name: &str) -> Option<&'a AttributeProto> {
    node.attribute.iter().find(|a| a.name == name)
}

/// An integer attribute, `default` when absent.
pub fn attr_int(node: &NodeProto, name: &str, default: i64) -> Result<i64, String> {
    match attr(node, name) {
        None => Ok(default),
        Some(a) if a.r#type == attribute_type::INT || a.r#type == 0 => Ok(a.i),
        Some(a) => Err(format!(
            "attribute '{name}' has type {}, expected an integer",
            a.r#type
        )),
    }
}

/// A float attribute, `default` when absent.
pub fn attr_float(node: &NodeProto, name: &str, default: f64) -> Result<f64, String> {
    match attr(node, name) {
        None => Ok(default),
        Some(a) if a.r#type == attribute_type::FLOAT || a.r#type == 0 => Ok(a.f as f64),
        Some(a) => Err(format!(
            "attribute '{name}' has type {}, expected a float",
            a.r#type
        )),
    }
}

/// A list-of-integers attribute, `None` when absent.
pub fn attr_ints(node: &NodeProto, name: &str) -> Result<Option<Vec<i64>>, String> {
    match attr(node, name) {
        None => Ok(None),
        Some(a) if a.r#type == attribute_type::INTS || a.r#type == 0 => Ok(Some(a.ints.clone())),
        Some(a) => Err(format!(
            "attribute '{name}' has type {}, expected a list of integers",
            a.r#type
        )),
    }
}

/// A string attribute, `default` when absent.
pub fn attr_str(node: &NodeProto, name: &str, default: &str) -> Result<String, String> {
    match attr(node, name) {
        None => Ok(default.to_string()),
        Some(a) if a.r#type == attribute_type::STRING || a.r#type == 0 => {
            String::from_utf8(a.s.clone()).map_err(|_| format!("attribute '{name}' is not UTF-8"))
        }
        Some(a) => Err(format!(
            "attribute '{name}' has type {}, expected a string",
            a.r#type
        )),
    }
}

/// A tensor attribute (`Constant`'s `value`), `None` when absent.
pub fn attr_tensor<'a>(node: &'a NodeProto, name: &str) -> Option<&'a TensorProto> {
    attr(node, name)
        .filter(|a| a.r#type == attribute_type::TENSOR || a.r#type == 0)
        .and_then(|a| a.t.as_ref())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_raw_and_typed_fields() {
        let mut t = TensorProto {
            dims: vec![2, 2],
            data_type: data_type::FLOAT,
            ..Default::default()
        };
        t.raw_data = [1.5f32, -2.0, 0.25, 8.0]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        assert_eq!(decode(&t).unwrap().data, vec![1.5, -2.0, 0.25, 8.0]);
        t.raw_data.clear();
        t.float_data = vec![1.0, 2.0, 3.0];
        assert!(decode(&t)
            .unwrap_err()
            .contains("3 values for shape [2, 2]"));
        let t = TensorProto {
            dims: vec![2],
            data_type: data_type::INT64,
            int64_data: vec![-1, 7],
            ..Default::default()
        };
        assert_eq!(decode(&t).unwrap().data, vec![-1.0, 7.0]);
    }
}
