//! Embeds an rpath to libtorch's lib dir in this crate's tests, benches and examples, so they run
//! without LD_LIBRARY_PATH. LIBTORCH comes from .cargo/config.toml (scripts/setup-libtorch.sh
//! lays the folder out); torch-sys reads the same variable to compile and link.
fn main() {
    println!("cargo:rerun-if-env-changed=LIBTORCH");
    if let Ok(dir) = std::env::var("LIBTORCH") {
        println!("cargo:rustc-link-arg=-Wl,-rpath,{dir}/lib");
    }
}
