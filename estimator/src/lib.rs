//! estimator
