//! Keras weights in HDF5: the legacy layout (Keras 2 `save_weights` files and the `model_weights`
//! group of a full-model `.h5`: one group per layer holding datasets named like
//! `layer/kernel:0`) and the Keras 3 layout of `model.weights.h5` (`layers/<path>/vars/0, 1, ...`
//! with the layer name in the `name` attribute of `vars`). Also reads the `model_config`
//! attribute of a full-model `.h5`.

use crate::error::{display, FrontendError};
use hdf5::types::{FixedAscii, FixedUnicode, TypeDescriptor, VarLenAscii, VarLenUnicode};
use ir::layer::Tensor;
use std::collections::HashMap;
use std::path::Path;

pub use super::nested::NestedModel;
pub use super::weights::{RawWeight, WeightSet};

fn h5err(file: &str, what: &str, e: hdf5::Error) -> FrontendError {
    FrontendError::weights(file, format!("{what}: {}", h5_message(&e)))
}

/// Open an HDF5 file, with an error naming it.
pub fn open(path: &Path) -> Result<hdf5::File, FrontendError> {
    open_named(path, &display(path))
}

/// Open an HDF5 file, with errors naming it `shown` (a `.keras` member is read from a
/// temporary file, but the user knows it as `archive.keras:model.weights.h5`).
pub fn open_named(path: &Path, shown: &str) -> Result<hdf5::File, FrontendError> {
    let io = |message: String| FrontendError::Io {
        file: shown.to_string(),
        message,
    };
    if !path.exists() {
        return Err(io("no such file".into()));
    }
    ir::limits::check_regular(path, ir::limits::MAX_MODEL_BYTES).map_err(|e| io(e.to_string()))?;
    hdf5::File::open(path).map_err(|e| io(format!("not a readable HDF5 file ({})", h5_message(&e))))
}

/// The message of an HDF5 error without the library's internals: hdf5-metno prints the
/// innermost description of libhdf5's error stack, or the whole stack as a debug structure
/// when it cannot expand it; keep the first line of text and drop struct dumps.
pub fn h5_message(e: &hdf5::Error) -> String {
    let text = e.to_string();
    let first = text.lines().next().unwrap_or("").trim();
    if first.is_empty() || first.contains("{ ") || first.contains("ErrorStack") {
        "libhdf5 could not read it".to_string()
    } else {
        first.to_string()
    }
}

/// Read a string attribute in any of the encodings h5py writes (variable-length UTF-8/ASCII,
/// or fixed-length bytes as Keras 2 wrote `model_config`). `None` when absent or not a string.
pub fn string_attr(loc: &hdf5::Location, name: &str) -> Option<String> {
    if !loc.attr_names().ok()?.iter().any(|n| n == name) {
        return None;
    }
    let attr = loc.attr(name).ok()?;
    if !attr.is_scalar() {
        return None;
    }
    fn fixed<const N: usize>(attr: &hdf5::Attribute, unicode: bool) -> Option<String> {
        if unicode {
            let v = attr.read_raw::<FixedUnicode<N>>().ok()?;
            v.first().map(|s| s.as_str().to_string())
        } else {
            let v = attr.read_raw::<FixedAscii<N>>().ok()?;
            v.first().map(|s| s.as_str().to_string())
        }
    }
    match attr.dtype().ok()?.to_descriptor().ok()? {
        TypeDescriptor::VarLenUnicode => attr
            .read_scalar::<VarLenUnicode>()
            .ok()
            .map(|s| s.as_str().to_string()),
        TypeDescriptor::VarLenAscii => attr
            .read_scalar::<VarLenAscii>()
            .ok()
            .map(|s| s.as_str().to_string()),
        TypeDescriptor::FixedAscii(n) | TypeDescriptor::FixedUnicode(n) => {
            let unicode = matches!(
                attr.dtype().ok()?.to_descriptor().ok()?,
                TypeDescriptor::FixedUnicode(_)
            );
            if n <= 1 << 10 {
                fixed::<{ 1 << 10 }>(&attr, unicode)
            } else if n <= 1 << 16 {
                fixed::<{ 1 << 16 }>(&attr, unicode)
            } else if n <= 1 << 22 {
                fixed::<{ 1 << 22 }>(&attr, unicode)
            } else {
                None
            }
        }
        _ => None,
    }
}

/// Read one dataset as f32 with its shape.
fn read_tensor(file: &str, ds: &hdf5::Dataset) -> Result<Tensor, FrontendError> {
    let shape = ds.shape();
    let data = match ds.read_raw::<f32>() {
        Ok(d) => d,
        Err(_) => ds
            .read_raw::<f64>()
            .map_err(|e| {
                h5err(
                    file,
                    &format!("dataset {} is not a float array", ds.name()),
                    e,
                )
            })?
            .into_iter()
            .map(|v| v as f32)
            .collect(),
    };
    if data.len() != shape.iter().product::<usize>() {
        return Err(FrontendError::weights(
            file,
            format!("dataset {} has a bad size", ds.name()),
        ));
    }
    Ok(Tensor { shape, data })
}

/// All datasets under a group, depth first, in HDF5's name order.
fn collect_datasets(
    file: &str,
    g: &hdf5::Group,
    out: &mut Vec<hdf5::Dataset>,
) -> Result<(), FrontendError> {
    out.extend(
        g.datasets()
            .map_err(|e| h5err(file, "cannot list datasets", e))?,
    );
    for sub in g
        .groups()
        .map_err(|e| h5err(file, "cannot list groups", e))?
    {
        collect_datasets(file, &sub, out)?;
    }
    Ok(())
}

/// `/fc1/fc1/kernel:0` → `kernel`.
fn keras_weight_name(path: &str) -> String {
    let base = path.rsplit('/').next().unwrap_or(path);
    match base.rsplit_once(':') {
        Some((n, idx)) if idx.chars().all(|c| c.is_ascii_digit()) => n.to_string(),
        _ => base.to_string(),
    }
}

/// The Keras name of a weight of `layer` in the legacy layout: its path inside the layer's own
/// group, `/model_weights/mha/mha/query/kernel` → `query/kernel` (attention keeps its
/// projections' weights in sub-groups), else the last path component as
/// [`keras_weight_name`] reads it.
fn legacy_weight_name(path: &str, layer: &str) -> String {
    if let Some(name) = recurrent_weight_name(path) {
        return name;
    }
    let inner = format!("/{layer}/{layer}/");
    match path.rfind(&inner) {
        Some(i) => {
            let rel = &path[i + inner.len()..];
            match rel.rsplit_once(':') {
                Some((n, idx)) if idx.chars().all(|c| c.is_ascii_digit()) => n.to_string(),
                _ => rel.to_string(),
            }
        }
        None => keras_weight_name(path),
    }
}

/// Whether the file (or its `model_weights` group) uses the Keras 3 layout.
fn is_keras3_layout(root: &hdf5::Group) -> bool {
    (root.link_exists("layers") || root.link_exists(TF_KERAS2_LAYERS))
        && !root
            .attr_names()
            .unwrap_or_default()
            .iter()
            .any(|n| n == "layer_names")
}

/// The layers of a model config as the weights readers map groups to them: the model's own
/// layers `(name, class)` in config order, and its nested models (see [`super::nested`]).
#[derive(Debug, Clone, Default)]
pub struct LayerClasses {
    pub top: Vec<(String, String)>,
    pub nested: Vec<NestedModel>,
}

impl LayerClasses {
    fn nested_model(&self, name: &str) -> Option<&NestedModel> {
        self.nested.iter().find(|m| m.name == name)
    }
}

/// In the legacy layout a nested model's weights lie in its own group, under one group per
/// layer of it (tf.keras 2: `inner/inner_dense/kernel:0`; Keras 3:
/// `inner/outer/inner/inner_dense/kernel`): give each weight to the layer whose group it lies
/// in, the innermost one named by a layer of a nested model.
fn split_nested(
    file: &str,
    set: &mut WeightSet,
    nested: &[NestedModel],
) -> Result<(), FrontendError> {
    if nested.is_empty() {
        return Ok(());
    }
    let models: Vec<&str> = nested.iter().map(|m| m.name.as_str()).collect();
    let leaves: Vec<&str> = nested
        .iter()
        .flat_map(|m| m.children.iter().map(|(n, _)| n.as_str()))
        .filter(|n| !models.contains(n))
        .collect();
    let mut out: Vec<(String, Vec<RawWeight>)> = Vec::new();
    for (layer, ws) in std::mem::take(&mut set.layers) {
        if !models.contains(&layer.as_str()) {
            out.push((layer, ws));
            continue;
        }
        for mut w in ws {
            let parts: Vec<&str> = w.path.split('/').collect();
            let groups = &parts[..parts.len().saturating_sub(1)];
            let Some(i) = groups.iter().rposition(|p| leaves.contains(p)) else {
                return Err(FrontendError::weights(
                    file,
                    format!(
                        "dataset {} of the nested model '{layer}' is in no group named after \
                         one of its layers",
                        w.path
                    ),
                ));
            };
            let sub = parts[i].to_string();
            w.name = Some(recurrent_weight_name(&w.path).unwrap_or_else(|| {
                let rel = parts[i + 1..].join("/");
                match rel.rsplit_once(':') {
                    Some((n, idx)) if idx.chars().all(|c| c.is_ascii_digit()) => n.to_string(),
                    _ => rel,
                }
            }));
            match out.iter_mut().find(|(n, _)| *n == sub) {
                Some((_, v)) => v.push(w),
                None => out.push((sub, vec![w])),
            }
        }
    }
    set.layers = out;
    Ok(())
}

/// Read the weights of a legacy Keras HDF5 file (weights-only or full model).
pub fn read_legacy(
    file: &str,
    f: &hdf5::File,
    nested: &[NestedModel],
) -> Result<WeightSet, FrontendError> {
    let root: hdf5::Group = if f.link_exists("model_weights") {
        f.group("model_weights")
            .map_err(|e| h5err(file, "cannot open group model_weights", e))?
    } else {
        f.group("/")
            .map_err(|e| h5err(file, "cannot open the root group", e))?
    };
    let mut set = WeightSet::empty(file);
    for g in root
        .groups()
        .map_err(|e| h5err(file, "cannot list layer groups", e))?
    {
        let layer = g.name().rsplit('/').next().unwrap_or_default().to_string();
        if layer == "top_level_model_weights" {
            continue;
        }
        let mut ds = Vec::new();
        collect_datasets(file, &g, &mut ds)?;
        let mut weights = Vec::with_capacity(ds.len());
        for d in ds {
            let path = d.name();
            weights.push(RawWeight {
                name: Some(legacy_weight_name(&path, &layer)),
                tensor: read_tensor(file, &d)?,
                path,
            });
        }
        set.layers.push((layer, weights));
    }
    split_nested(file, &mut set, nested)?;
    Ok(set)
}

/// Keras's `to_snake_case` of a class name (`QDense` → `q_dense`, `Conv2D` → `conv2d`,
/// `BatchNormalization` → `batch_normalization`), used for the group names of the Keras 3 layout.
pub fn snake_case(name: &str) -> String {
    let c: Vec<char> = name
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    // re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    let mut a = String::new();
    let mut i = 0;
    while i < c.len() {
        a.push(c[i]);
        if i + 2 < c.len() + 1
            && i + 1 < c.len()
            && c[i + 1].is_ascii_uppercase()
            && c.get(i + 2).is_some_and(|x| x.is_ascii_lowercase())
        {
            a.push('_');
        }
        i += 1;
    }
    // re.sub("([a-z])([A-Z])", r"\1_\2", a).lower()
    let b: Vec<char> = a.chars().collect();
    let mut out = String::new();
    for (j, ch) in b.iter().enumerate() {
        out.push(ch.to_ascii_lowercase());
        if ch.is_ascii_lowercase() && b.get(j + 1).is_some_and(|x| x.is_ascii_uppercase()) {
            out.push('_');
        }
    }
    out
}

/// Read the Keras 3 layout. `layers` lists the model's (name, class) pairs in config order, to
/// map the group paths (`q_dense_1`) to layer names when `vars` has no `name` attribute.
/// The group tf.keras 2.13-2.15 writes a model's layers under in the `.keras` format's
/// `model.weights.h5`: its saving_lib walks the model's attributes in `dir()` order, and
/// `_layer_checkpoint_dependencies` (a dict of the layers by name) comes before `layers`, so each
/// layer is stored once. saving_lib names a container's items by class, not by layer name:
/// `snake_case(class)`, then `_1`, `_2`, ... for later layers of the same class, in the model's
/// layer order with its InputLayer counted (`input_layer`, `conv2d`, `conv2d_1`, `dense`):
/// checked on real tf.keras 2.14 files in data/real-projects/models (gflengas, Lrozzy).
pub const TF_KERAS2_LAYERS: &str = "_layer_checkpoint_dependencies";

pub fn read_keras3(
    file: &str,
    f: &hdf5::File,
    classes: &LayerClasses,
) -> Result<WeightSet, FrontendError> {
    // tf.keras 2.x names each group by its layer's name
    let by_layer_name = !f.link_exists("layers") && f.link_exists(TF_KERAS2_LAYERS);
    let root: hdf5::Group = if by_layer_name {
        f.group(TF_KERAS2_LAYERS)
            .map_err(|e| h5err(file, "cannot open group _layer_checkpoint_dependencies", e))?
    } else if f.link_exists("layers") {
        f.group("layers")
            .map_err(|e| h5err(file, "cannot open group layers", e))?
    } else if f.link_exists("model_weights") {
        let g = f
            .group("model_weights")
            .map_err(|e| h5err(file, "cannot open group model_weights", e))?;
        g.group("layers")
            .map_err(|e| h5err(file, "no group 'layers' in model_weights", e))?
    } else {
        return Err(FrontendError::weights(
            file,
            "no 'layers' group (Keras 3) nor '_layer_checkpoint_dependencies' group (tf.keras 2.13-2.15): not a .keras weights file",
        ));
    };
    let mut set = WeightSet::empty(file);
    read_keras3_layers(file, &root, &classes.top, classes, by_layer_name, &mut set)?;
    Ok(set)
}

/// The layer groups under `root` (`layers`, or a nested model's `layers`), `layers` being the
/// (name, class) pairs of the model whose groups they are; a nested model's group is read
/// recursively (Keras 3: `layers/sequential/layers/dense`; tf.keras 2:
/// `_layer_checkpoint_dependencies/sequential/_layer_checkpoint_dependencies/dense`).
fn read_keras3_layers(
    file: &str,
    root: &hdf5::Group,
    layers: &[(String, String)],
    classes: &LayerClasses,
    by_layer_name: bool,
    set: &mut WeightSet,
) -> Result<(), FrontendError> {
    // The path names saving_lib gives by class in config order: Keras 3 skips InputLayers
    // (its `layers` omits them), tf.keras 2 counts them.
    let mut used: HashMap<String, usize> = HashMap::new();
    let mut by_path: HashMap<String, String> = HashMap::new();
    for (name, class) in layers
        .iter()
        .filter(|(_, c)| by_layer_name || c != "InputLayer")
    {
        let base = snake_case(class);
        let n = used.entry(base.clone()).or_insert(0);
        let path = if *n == 0 {
            base.clone()
        } else {
            format!("{base}_{n}")
        };
        *n += 1;
        by_path.insert(path, name.clone());
    }
    for g in root
        .groups()
        .map_err(|e| h5err(file, "cannot list layer groups", e))?
    {
        let gpath = g.name().rsplit('/').next().unwrap_or_default().to_string();
        if !g.link_exists("vars") {
            continue;
        }
        let vars = g
            .group("vars")
            .map_err(|e| h5err(file, "cannot open vars", e))?;
        let layer = match string_attr(&vars, "name") {
            Some(n) => n,
            None if by_layer_name => match by_path.get(&gpath) {
                Some(name) => name.clone(),
                // Files whose groups carry the layer names themselves.
                None if layers.iter().any(|(n, _)| *n == gpath) => gpath.clone(),
                None => {
                    return Err(FrontendError::weights(
                        file,
                        format!("group {TF_KERAS2_LAYERS}/{gpath} matches no layer of the model"),
                    ))
                }
            },
            None => by_path.get(&gpath).cloned().ok_or_else(|| {
                FrontendError::weights(
                    file,
                    format!("group layers/{gpath} matches no layer of the model"),
                )
            })?,
        };
        if let Some(model) = classes.nested_model(&layer) {
            let sub = if by_layer_name {
                TF_KERAS2_LAYERS
            } else {
                "layers"
            };
            if g.link_exists(sub) {
                let inner = g
                    .group(sub)
                    .map_err(|e| h5err(file, &format!("cannot open {gpath}/{sub}"), e))?;
                read_keras3_layers(file, &inner, &model.children, classes, by_layer_name, set)?;
            }
            continue;
        }
        let mut all = Vec::new();
        collect_datasets(file, &g, &mut all)?;
        let stored = all
            .iter()
            .fold(0u64, |a, d| a.saturating_add(d.size() as u64));
        set.stored_values.push((layer.clone(), stored));
        let mut quantizers = Vec::new();
        for attr in ["iq", "kq", "bq", "oq"] {
            if g.link_exists(&format!("{attr}/quantizer/vars")) {
                quantizers.push((attr.to_string(), quantizer_tensors(file, &g, attr)?));
            }
        }
        nested_quantizers(file, &g, "", &mut quantizers)?;
        if !quantizers.is_empty() {
            set.quantizer_vars.push((layer.clone(), quantizers));
        }
        let ds = vars
            .datasets()
            .map_err(|e| h5err(file, "cannot list vars", e))?;
        // HGQ2's QMultiHeadAttention keeps only its scalar `beta` and `ebops` in its own vars
        if ds.iter().all(|d| d.ndim() == 0) {
            // attention layers keep their weights in their projections' groups
            // (MultiHeadAttention: query_dense, key_dense, value_dense, output_dense;
            // GroupedQueryAttention: the same with a leading underscore)
            let mut parts = attention_parts(file, &g)?;
            parts.extend(recurrent_parts(file, &g)?);
            // TimeDistributed keeps its wrapped layer's weights in `layer/vars`
            if g.link_exists("layer/vars") {
                parts.extend(sub_vars(file, &g, "layer")?);
            }
            if !parts.is_empty() {
                set.layers.push((layer, parts));
                continue;
            }
        }
        let mut ds = by_index(file, ds)?;
        // QKeras's QConv2DBatchnorm keeps its normalisation's weights in `batchnorm/vars`
        // (read after the layer's own, see keras/fold.rs).
        if g.link_exists("batchnorm/vars") {
            let bn = g
                .group("batchnorm/vars")
                .and_then(|v| v.datasets())
                .map_err(|e| h5err(file, "cannot list batchnorm/vars", e))?;
            ds.extend(by_index(file, bn)?);
        }
        let mut weights = Vec::with_capacity(ds.len());
        for d in ds {
            weights.push(RawWeight {
                name: None,
                tensor: read_tensor(file, &d)?,
                path: d.name(),
            });
        }
        set.layers.push((layer, weights));
    }
    Ok(())
}

/// The datasets of an HGQ2 quantizer group `<at>/quantizer/vars` under `g`, in index order.
fn quantizer_tensors(file: &str, g: &hdf5::Group, at: &str) -> Result<Vec<Tensor>, FrontendError> {
    let path = format!("{at}/quantizer/vars");
    let vars = g
        .group(&path)
        .and_then(|v| v.datasets())
        .map_err(|e| h5err(file, &format!("cannot list {path}"), e))?;
    by_index(file, vars)?
        .iter()
        .map(|d| read_tensor(file, d))
        .collect()
}

/// HGQ2's quantizers below a layer's own four: every `quantizer/vars` group deeper in the
/// layer's group (a sub-layer's `query_dense/iq`, `_softmax/exp_table/oq`; a list's
/// `iq/quantizers/quantizer_1`), by its path under the layer, its datasets in index order.
fn nested_quantizers(
    file: &str,
    g: &hdf5::Group,
    prefix: &str,
    out: &mut Vec<super::weights::QuantizerVars>,
) -> Result<(), FrontendError> {
    let subs = g
        .groups()
        .map_err(|e| h5err(file, "cannot list groups", e))?;
    for sub in subs {
        let name = sub
            .name()
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_string();
        // a quantizer's own holder (`quantizer/vars`), not a list entry named `quantizer`
        if name == "vars" || (name == "quantizer" && !sub.link_exists("quantizer/vars")) {
            continue;
        }
        let path = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}/{name}")
        };
        // the layer's own iq/kq/bq/oq are read by name
        if !prefix.is_empty() && sub.link_exists("quantizer/vars") {
            out.push((path.clone(), quantizer_tensors(file, g, &name)?));
        }
        nested_quantizers(file, &sub, &path, out)?;
    }
    Ok(())
}

/// Datasets named by their index (`vars/0`, `vars/1`, ...), in index order.
fn by_index(file: &str, mut v: Vec<hdf5::Dataset>) -> Result<Vec<hdf5::Dataset>, FrontendError> {
    let index = |d: &hdf5::Dataset| {
        d.name()
            .rsplit('/')
            .next()
            .and_then(|s| s.parse::<usize>().ok())
    };
    if let Some(bad) = v.iter().find(|d| index(d).is_none()) {
        return Err(FrontendError::weights(
            file,
            format!(
                "dataset {} is not named by its index (0, 1, ...)",
                bad.name()
            ),
        ));
    }
    v.sort_by_key(|d| index(d));
    Ok(v)
}

/// The projections of a Keras 3 attention layer, in Keras's weight order.
const ATTENTION_PARTS: [[&str; 2]; 4] = [
    ["query_dense", "_query_dense"],
    ["key_dense", "_key_dense"],
    ["value_dense", "_value_dense"],
    ["output_dense", "_output_dense"],
];

/// The weights of an attention layer's projection groups (kernel then bias of each, in the
/// order query, key, value, output), or nothing when the group has none of them.
fn attention_parts(file: &str, g: &hdf5::Group) -> Result<Vec<RawWeight>, FrontendError> {
    let mut out = Vec::new();
    for names in ATTENTION_PARTS {
        let Some(name) = names.iter().find(|n| g.link_exists(&format!("{n}/vars"))) else {
            continue;
        };
        out.extend(sub_vars(file, g, name)?);
    }
    Ok(out)
}

/// The datasets of the group `{sub}/vars` under `g`, in index order, as unnamed weights.
fn sub_vars(file: &str, g: &hdf5::Group, sub: &str) -> Result<Vec<RawWeight>, FrontendError> {
    let vars = g
        .group(&format!("{sub}/vars"))
        .map_err(|e| h5err(file, &format!("cannot open {sub}/vars"), e))?;
    let mut ds = vars
        .datasets()
        .map_err(|e| h5err(file, "cannot list vars", e))?;
    ds.sort_by_key(|d| {
        d.name()
            .rsplit('/')
            .next()
            .and_then(|s| s.parse::<usize>().ok())
    });
    ds.iter()
        .map(|d| {
            Ok(RawWeight {
                name: None,
                tensor: read_tensor(file, d)?,
                path: d.name(),
            })
        })
        .collect()
}

/// The weights of a Keras 3 recurrent layer, kept by its cell (`cell/vars`: kernel,
/// recurrent_kernel, bias), or of a Bidirectional one (`forward_layer/cell/vars` then
/// `backward_layer/cell/vars`); nothing for other layers.
fn recurrent_parts(file: &str, g: &hdf5::Group) -> Result<Vec<RawWeight>, FrontendError> {
    let mut out = Vec::new();
    for sub in ["cell", "forward_layer/cell", "backward_layer/cell"] {
        if g.link_exists(&format!("{sub}/vars")) {
            out.extend(sub_vars(file, g, sub)?);
        }
    }
    Ok(out)
}

/// The Keras name of a recurrent layer's weight in the legacy layout, where it sits in its
/// cell's group (`.../lstm/lstm_cell/kernel:0` → `kernel`), a Bidirectional's under its
/// direction's layer (`.../forward_lstm/lstm_cell/kernel` → `forward_kernel`); `None` for
/// other paths. The cell's group may carry Keras's uniquifying suffix (`qgru_cell_1`: the second
/// cell of that class made in one session).
fn recurrent_weight_name(path: &str) -> Option<String> {
    let parts: Vec<&str> = path.split('/').collect();
    let n = parts.len();
    let is_cell = |g: &str| {
        let base = match g.rsplit_once('_') {
            Some((b, digits))
                if !digits.is_empty() && digits.bytes().all(|c| c.is_ascii_digit()) =>
            {
                b
            }
            _ => g,
        };
        base.ends_with("_cell")
    };
    if n < 3 || !is_cell(parts[n - 2]) {
        return None;
    }
    let base = keras_weight_name(parts[n - 1]);
    let dir = ["forward_", "backward_"]
        .into_iter()
        .find(|d| n >= 4 && parts[n - 3].starts_with(d))
        .unwrap_or("");
    Some(format!("{dir}{base}"))
}

/// Read a weights file in either layout.
pub fn read_weights(path: &Path, classes: &LayerClasses) -> Result<WeightSet, FrontendError> {
    let file = display(path);
    let f = open(path)?;
    let root = f
        .group("/")
        .map_err(|e| h5err(&file, "cannot open the root group", e))?;
    if is_keras3_layout(&root) {
        read_keras3(&file, &f, classes)
    } else {
        read_legacy(&file, &f, &classes.nested)
    }
}

/// The `model_config` JSON of a full-model legacy `.h5`.
pub fn model_config(path: &Path, f: &hdf5::File) -> Result<String, FrontendError> {
    string_attr(f, "model_config").ok_or_else(|| FrontendError::Field {
        file: display(path),
        field: "model_config attribute".into(),
        expected: "the model architecture JSON of a full-model Keras .h5 (model.save)".into(),
        found:
            "nothing (a weights-only file? pass the model JSON and give this file with --weights)"
                .into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_case_matches_keras() {
        // expected values from keras.src.utils.naming.to_snake_case
        for (c, s) in [
            ("QDense", "q_dense"),
            ("Dense", "dense"),
            ("Conv2D", "conv2d"),
            ("BatchNormalization", "batch_normalization"),
            ("MaxPooling2D", "max_pooling2d"),
            ("QActivation", "q_activation"),
            ("GlobalAveragePooling1D", "global_average_pooling1d"),
            ("ReLU", "re_lu"),
            ("LeakyReLU", "leaky_re_lu"),
        ] {
            assert_eq!(snake_case(c), s, "{c}");
        }
        assert_eq!(keras_weight_name("/fc1/fc1/kernel:0"), "kernel");
        assert_eq!(keras_weight_name("/m/d/moving_mean"), "moving_mean");
        assert_eq!(
            legacy_weight_name("/model_weights/mha/mha/query/kernel", "mha"),
            "query/kernel"
        );
        assert_eq!(legacy_weight_name("/fc1/fc1/kernel:0", "fc1"), "kernel");
        assert_eq!(legacy_weight_name("/m/d/moving_mean", "m"), "moving_mean");
    }

    #[test]
    fn recurrent_weight_names_in_the_legacy_layout() {
        // paths as tf.keras 2.14 writes them (QKeras harness qgru: the second QGRU made in one
        // session has its cell group named qgru_cell_1)
        assert_eq!(
            recurrent_weight_name("/model_weights/rnn1/rnn1/qgru_cell_1/kernel:0").as_deref(),
            Some("kernel")
        );
        assert_eq!(
            recurrent_weight_name("/rnn/rnn/lstm_cell/recurrent_kernel:0").as_deref(),
            Some("recurrent_kernel")
        );
        assert_eq!(
            recurrent_weight_name("/bi/bi/forward_lstm/lstm_cell_12/bias:0").as_deref(),
            Some("forward_bias")
        );
        for other in [
            "/fc1/fc1/kernel:0",
            "/x/x/cell_/kernel:0",
            "/x/x/lstm_cell_a/kernel:0",
        ] {
            assert_eq!(recurrent_weight_name(other), None, "{other}");
        }
    }
}
