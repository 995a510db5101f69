//! Embedding (Keras `Embedding`, hls4ml `Embedding`, `nnet_embed.h`): each integer token of
//! the input selects a row of an `input_dim × output_dim` table, so a `(T)` input becomes
//! `(T, output_dim)`. Parameters: the table, input_dim·output_dim; no multiplies (a lookup).

use super::util::{first, positive, prod, shape_err, within_cost};
use super::{Arity, Cost, LayerOp, WeightRole, WeightSpec};
use crate::layer::Layer;
use crate::shape::Shape;
use crate::IrError;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Embedding {
    /// Vocabulary size (rows of the table).
    pub input_dim: usize,
    /// Width of one embedding vector.
    pub output_dim: usize,
}

impl LayerOp for Embedding {
    fn name(&self) -> &'static str {
        "Embedding"
    }
    fn keras_classes(&self) -> &'static [&'static str] {
        &["Embedding"]
    }
    fn arity(&self) -> Arity {
        Arity::Exactly(1)
    }
    fn takes_activation(&self) -> bool {
        false
    }
    fn infer(&self, layer: &Layer, inputs: &[Shape]) -> Result<Shape, IrError> {
        positive(layer, self.input_dim, "input_dim")?;
        positive(layer, self.output_dim, "output_dim")?;
        let mut s = first(inputs);
        if s.is_empty() {
            return Err(shape_err(layer, "input has no dimensions".into()));
        }
        s.push(self.output_dim);
        within_cost(layer, self.cost(inputs, &s))?;
        Ok(s)
    }
    fn cost(&self, _inputs: &[Shape], _output: &[usize]) -> Cost {
        Cost {
            params: prod(&[self.input_dim, self.output_dim]),
            macs: 0,
        }
    }
    fn weights(&self, _inputs: &[Shape]) -> Vec<WeightSpec> {
        vec![WeightSpec {
            name: "embeddings",
            role: WeightRole::Embeddings,
            shape: vec![self.input_dim, self.output_dim],
        }]
    }
}
