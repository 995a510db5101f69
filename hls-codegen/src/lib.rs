//! hls-codegen
