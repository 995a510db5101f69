//! Shared by the fuzz targets whose reader takes a path: the input is written to a scratch file
//! of this process (under `$TMPDIR`, one folder per process, the file overwritten each run), so
//! the real entry point runs, size limits and file checks included.

use std::path::PathBuf;

/// Write `data` to this process's scratch file `name` and return its path.
pub fn scratch(name: &str, data: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("presynth-fuzz-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("the scratch folder can be created");
    let path = dir.join(name);
    std::fs::write(&path, data).expect("the scratch file can be written");
    path
}

/// Touch what a loaded network offers (totals, order, shapes): none of it may panic.
#[allow(dead_code)]
pub fn exercise(net: &ir::Network) {
    let _ = (net.total_params(), net.total_macs(), net.topo_order());
}
