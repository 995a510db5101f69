//! Frontends: build a [`crate::Network`] from the text DSL ([`dsl`]), Keras files ([`keras`])
//! and hls4ml config YAML ([`hls4ml_yaml`]). Each reports errors with the file, the line or
//! field, and what was expected.
