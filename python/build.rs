//! With the `learned` feature the extension links libtorch (through presynth-ml and tch): embed
//! an rpath to libtorch's lib dir, as ml/build.rs does for `presynth-ml`, so the module loads
//! without LD_LIBRARY_PATH where it was built. LIBTORCH comes from .cargo/config.toml
//! (scripts/setup-libtorch.sh lays the folder out); scripts/build-wheel.sh then lets maturin
//! copy the libraries into the wheel (docs/python.md).
fn main() {
    println!("cargo:rerun-if-env-changed=LIBTORCH");
    if std::env::var_os("CARGO_FEATURE_LEARNED").is_none() {
        return;
    }
    if let Ok(dir) = std::env::var("LIBTORCH") {
        println!("cargo:rustc-link-arg=-Wl,-rpath,{dir}/lib");
    }
}
