//! dataset-tools
