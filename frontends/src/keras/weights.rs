//! The weights a Keras file holds, by layer, as the HDF5 readers return them (kept apart from the
//! readers so that a build without HDF5 still has the types).

use ir::layer::Tensor;

/// One weight tensor read from a file. `name` is its Keras name (`kernel`, `gamma`, ...) when
/// the file says it (legacy layout), `None` when only its position is known (Keras 3 layout).
#[derive(Debug, Clone)]
pub struct RawWeight {
    pub name: Option<String>,
    pub path: String,
    pub tensor: Tensor,
}

/// The weights of a model by Keras layer name, with the file they came from.
#[derive(Debug, Clone, Default)]
pub struct WeightSet {
    pub file: String,
    pub layers: Vec<(String, Vec<RawWeight>)>,
    /// Every value a layer's group holds, nested groups included (Keras 3 `.keras` weights
    /// only), by layer name: what Keras's `count_params()` counts for the layer, HGQ2's
    /// quantizer state (bit widths, `beta`, `ebops`) included.
    pub stored_values: Vec<(String, u64)>,
    /// HGQ2's quantizer variables (Keras 3 `.keras` weights only), by layer name: per quantizer
    /// group of the layer (`iq`, `kq`, `bq`, `oq`) its `quantizer/vars` datasets in index order.
    pub quantizer_vars: Vec<(String, Vec<QuantizerVars>)>,
}

/// One HGQ2 quantizer group of a layer: its attribute name (`iq`, `kq`, `bq`, `oq`) and its
/// `quantizer/vars` datasets in index order.
pub type QuantizerVars = (String, Vec<Tensor>);

impl WeightSet {
    /// No weights yet, read from `file`.
    pub fn empty(file: impl Into<String>) -> Self {
        WeightSet {
            file: file.into(),
            ..WeightSet::default()
        }
    }

    /// Total number of values, what Keras's `count_params()` counts.
    pub fn value_count(&self) -> usize {
        self.layers
            .iter()
            .flat_map(|(_, w)| w)
            .map(|w| w.tensor.len())
            .sum()
    }
}
