//! surrogate
