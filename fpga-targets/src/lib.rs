//! fpga-targets
