//! Embeds an rpath to libtorch's lib dir (the surrogate models link libtorch through tch), so
//! `presynth-ml` and its tests run without LD_LIBRARY_PATH. LIBTORCH comes from
//! .cargo/config.toml; scripts/setup-libtorch.sh lays the folder out.
fn main() {
    println!("cargo:rerun-if-env-changed=LIBTORCH");
    if let Ok(dir) = std::env::var("LIBTORCH") {
        println!("cargo:rustc-link-arg=-Wl,-rpath,{dir}/lib");
    }
}
