//! Hostile values in model and config files that would reach generated code: a part holding a
//! Tcl command substitution or a newline, in hls4ml config YAML and in the DSL. Issue 18 found
//! them accepted and written into project.tcl; each frontend must refuse them, naming the file
//! and the field.

use frontends::{apply_config, dsl};

const MLP: &str = "network \"t\"\nx = input(4)\nfc1 = x -> dense(3, relu)\n";

#[test]
fn yaml_part_with_tcl_substitution_is_refused_with_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let y = dir.path().join("cfg.yml");
    for bad in [
        "'[exec touch /tmp/pwned]'",
        "\"xcu250\\n#error x\"",
        "'a\"; exec id; #'",
    ] {
        std::fs::write(&y, format!("Part: {bad}\n")).unwrap();
        let mut net = dsl::parse(MLP).unwrap();
        let e = apply_config(&mut net, &y).unwrap_err().to_string();
        assert!(e.contains("cfg.yml: Part: "), "{e}");
        assert!(e.contains("is not an FPGA part name"), "{e}");
        assert!(!e.contains('\n'), "{e}");
        assert_eq!(net.config.part, ir::HlsConfig::default().part);
    }
    std::fs::write(&y, "Part: xcu250-figd2104-2L-e\n").unwrap();
    let mut net = dsl::parse(MLP).unwrap();
    apply_config(&mut net, &y).unwrap();
    assert_eq!(net.config.part, "xcu250-figd2104-2L-e");
}

#[test]
fn dsl_part_with_tcl_substitution_is_refused_with_the_line() {
    for bad in ["\"[exec touch /tmp/pwned]\"", "\"xcu250\\n#error x\""] {
        let src = format!("network \"t\"\nconfig {{ part: {bad} }}\nx = input(4)\n");
        let e = dsl::parse(&src).unwrap_err().to_string();
        assert!(e.contains("line 2"), "{e}");
        assert!(
            e.contains("setting 'part'") && e.contains("not an FPGA part name"),
            "{e}"
        );
    }
    let ok = dsl::parse("network \"t\"\nconfig { part: xc7z020clg400-1 }\nx = input(4)\n").unwrap();
    assert_eq!(ok.config.part, "xc7z020clg400-1");
}

use std::path::{Path, PathBuf};

fn example(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../examples/hls4ml-examples/keras")
        .join(rel)
}

#[test]
fn model_files_with_non_finite_weights_are_refused() {
    // hls4ml's KERAS_3layer with one bias value of fc2_relu set to NaN, then +inf.
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("m.json");
    std::fs::copy(example("KERAS_3layer.json"), &json).unwrap();
    let w = dir.path().join("m_weights.h5");
    for bad in [f32::NAN, f32::INFINITY] {
        std::fs::copy(example("KERAS_3layer_weights.h5"), &w).unwrap();
        {
            let f = hdf5::File::open_rw(&w).unwrap();
            let ds = f.dataset("fc2_relu/fc2_relu/bias:0").unwrap();
            let mut v: Vec<f32> = ds.read_raw().unwrap();
            v[3] = bad;
            ds.write_raw(&v).unwrap();
        }
        let e = frontends::load_model(&json, None, None)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("layer 'fc2_relu'") && e.contains("non-finite value"),
            "{e}"
        );
        assert!(e.contains("at index 3"), "{e}");
    }
    std::fs::copy(example("KERAS_3layer_weights.h5"), &w).unwrap();
    frontends::load_model(&json, None, None).unwrap();
}

#[test]
fn fifo_and_device_files_are_refused_as_models() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["m.json", "m.h5", "m.keras", "m.psn", "m.yml"] {
        let p = dir.path().join(name);
        assert!(std::process::Command::new("mkfifo")
            .arg(&p)
            .status()
            .unwrap()
            .success());
        // Opening a FIFO nobody writes blocks forever; the model loader must not open it.
        let e = if name == "m.yml" {
            let mut net = dsl::parse(MLP).unwrap();
            apply_config(&mut net, &p).unwrap_err().to_string()
        } else {
            frontends::load_model(&p, None, None)
                .unwrap_err()
                .to_string()
        };
        assert!(e.contains(name) && e.contains("FIFO"), "{e}");
        let z = dir.path().join(format!("zero-{name}"));
        std::os::unix::fs::symlink("/dev/zero", &z).unwrap();
        let e = if name == "m.yml" {
            let mut net = dsl::parse(MLP).unwrap();
            apply_config(&mut net, &z).unwrap_err().to_string()
        } else {
            frontends::load_model(&z, None, None)
                .unwrap_err()
                .to_string()
        };
        assert!(e.contains("a device file"), "{e}");
    }
}

#[test]
fn a_keras_zip_bomb_is_refused_before_inflating() {
    // config.json of 64 MiB of spaces deflates about 1000x: a zip bomb's ratio. The old reader
    // inflated whatever the archive held (a 3 MB bomb took 15 s and 3.1 GB).
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("bomb.keras");
    {
        let f = std::fs::File::create(&p).unwrap();
        let mut z = zip::ZipWriter::new(f);
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        z.start_file("config.json", opts).unwrap();
        let chunk = vec![b' '; 1 << 20];
        for _ in 0..64 {
            z.write_all(&chunk).unwrap();
        }
        z.finish().unwrap();
    }
    assert!(std::fs::metadata(&p).unwrap().len() < 1 << 20);
    let t = std::time::Instant::now();
    let e = frontends::load_model(&p, None, None)
        .unwrap_err()
        .to_string();
    assert!(t.elapsed().as_secs() < 2, "{:?}", t.elapsed());
    assert!(e.contains("bomb.keras") && e.contains("zip bomb"), "{e}");
}

#[test]
fn keras_weight_errors_name_the_archive_not_the_temp_file() {
    // qkeras-v3_3layer.keras with its model.weights.h5 member replaced by bytes that are not
    // HDF5: the error must say archive.keras:model.weights.h5, not /tmp/presynth-keras-XXXX.
    use std::io::{Read, Write};
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("broken.keras");
    {
        let src = std::fs::File::open(example("qkeras-v3_3layer.keras")).unwrap();
        let mut a = zip::ZipArchive::new(src).unwrap();
        let mut z = zip::ZipWriter::new(std::fs::File::create(&p).unwrap());
        let opts = zip::write::SimpleFileOptions::default();
        for i in 0..a.len() {
            let mut m = a.by_index(i).unwrap();
            let name = m.name().to_string();
            let mut data = Vec::new();
            m.read_to_end(&mut data).unwrap();
            if name == "model.weights.h5" {
                data = b"not an hdf5 file".to_vec();
            }
            z.start_file(name, opts).unwrap();
            z.write_all(&data).unwrap();
        }
        z.finish().unwrap();
    }
    let e = frontends::load_model(&p, None, None)
        .unwrap_err()
        .to_string();
    assert!(e.contains("broken.keras:model.weights.h5"), "{e}");
    assert!(!e.contains("presynth-keras-"), "{e}");
    assert!(!e.contains("ErrorStack") && !e.contains("{ "), "{e}");
}

#[test]
fn guard_costs_little() {
    // The forked read of frontends::keras::h5guard, measured: prints the figures the module
    // doc quotes, and bounds them loosely.
    let json = example("KERAS_3layer.json");
    let t = std::time::Instant::now();
    for _ in 0..10 {
        frontends::load_model(&json, None, None).unwrap();
    }
    let guarded = t.elapsed().as_secs_f64() / 10.0;
    let w = example("KERAS_3layer_weights.h5");
    let t = std::time::Instant::now();
    for _ in 0..10 {
        frontends::keras::h5::read_weights(&w, &Default::default()).unwrap();
    }
    let read = t.elapsed().as_secs_f64() / 10.0;
    eprintln!(
        "KERAS_3layer load with guarded weights: {:.2} ms; weights read alone: {:.2} ms",
        guarded * 1e3,
        read * 1e3
    );
    assert!(guarded < 0.5, "{guarded} s");
}
