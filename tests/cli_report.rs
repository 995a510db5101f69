//! `presynth report` renders in a real browser: headless Chromium (installed by
//! scripts/setup.sh) loads the HTML from disk with no network, runs its script, and the
//! screenshot is not blank; the key figures of `estimate --format json` are in the rendered
//! DOM. Under CI=true a missing chromium fails the test; elsewhere the browser part is skipped
//! loudly. With `--project`, the figures of a real synthesised project (the Vivado HLS 2020.1
//! reports in tests/fixtures/vivado-reports) are shown beside the estimate.

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(p)
}

fn presynth(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_presynth"))
        .args(args)
        .output()
        .unwrap()
}

/// The chromium binary, or None (an error under CI=true).
fn chromium(test: &str) -> Option<PathBuf> {
    let found = ["chromium", "chromium-browser"].iter().find_map(|n| {
        std::env::var_os("PATH").and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|d| d.join(n))
                .find(|p| p.is_file())
        })
    });
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "{test}: chromium is missing in CI; scripts/setup.sh installs it (apt package chromium)"
        );
        eprintln!("SKIPPED {test}: chromium is not installed (scripts/setup.sh installs it)");
    }
    found
}

/// Run headless chromium on `html` with a profile of its own; returns (dumped DOM, PNG path).
fn render(browser: &Path, html: &Path, dir: &Path) -> (String, PathBuf) {
    let png = dir.join("shot.png");
    let url = format!("file://{}", html.display());
    let common = |c: &mut Command| {
        c.args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--no-first-run",
            "--window-size=1280,1800",
        ])
        .arg(format!("--user-data-dir={}", dir.join("profile").display()));
    };
    let mut c = Command::new(browser);
    common(&mut c);
    let out = c
        .arg(format!("--screenshot={}", png.display()))
        .arg(&url)
        .output()
        .unwrap();
    assert!(
        png.is_file(),
        "no screenshot: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut c = Command::new(browser);
    common(&mut c);
    let out = c.arg("--dump-dom").arg(&url).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (String::from_utf8_lossy(&out.stdout).into_owned(), png)
}

/// (pixels, pixels that are not near-white, clearly blue pixels) of a PNG.
fn ink(png: &Path) -> (usize, usize, usize) {
    let dec = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(png).unwrap()));
    let mut reader = dec.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let ch = info.color_type.samples();
    assert!(ch >= 3, "{:?}", info.color_type);
    let px = &buf[..info.buffer_size()];
    let (mut n, mut dark, mut blue) = (0, 0, 0);
    for p in px.chunks(ch) {
        let (r, g, b) = (p[0] as i32, p[1] as i32, p[2] as i32);
        n += 1;
        if r < 235 || g < 235 || b < 235 {
            dark += 1;
        }
        if b > r + 60 && b > g + 20 {
            blue += 1;
        }
    }
    (n, dark, blue)
}

#[test]
fn report_renders_in_a_browser_with_the_estimates_figures() {
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("report.html");
    let model = repo("examples/hls4ml-examples/keras/KERAS_3layer.json");
    let cfg = repo("examples/jet_tagger_hls4ml_config.yml");
    let (model, cfg) = (model.to_str().unwrap(), cfg.to_str().unwrap());
    let out = presynth(&[
        "report",
        model,
        "--config",
        cfg,
        "-o",
        html.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&html).unwrap();
    // Self-contained: nothing loaded from elsewhere.
    for bad in ["<script src", "<link", "<img", "@import", "url(http"] {
        assert!(!text.contains(bad), "{bad}");
    }
    let est = presynth(&["estimate", model, "--config", cfg, "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&est.stdout).unwrap();

    let Some(browser) = chromium("report_renders_in_a_browser_with_the_estimates_figures") else {
        return;
    };
    let (dom, png) = render(&browser, &html, dir.path());
    if let Some(keep) = std::env::var_os("PRESYNTH_REPORT_SCREENSHOT") {
        std::fs::copy(&png, keep).unwrap();
    }
    // The script ran (it fills #rendered from the embedded JSON).
    assert!(dom.contains("data-rendered=\"yes\""), "script did not run");
    assert!(dom.contains("rendered from 5 layers, estimator analytic"));
    // The estimate's figures, as the browser has them.
    let total = &v["total"];
    for (id, key) in [("total-lut", "lut"), ("total-dsp", "dsp")] {
        let want = format!("id=\"{id}\">{}<", total[key].as_f64().unwrap() as i64);
        assert!(dom.contains(&want), "{want}");
    }
    let post_lut = v["post_synthesis"]["lut"].as_f64().unwrap() as i64;
    assert!(
        dom.contains(&format!("{post_lut} of ")),
        "post-synthesis LUT {post_lut}"
    );
    assert!(dom.contains("FITS: binding resource LUT at"));
    // The config's per-layer precision (fc2_relu weight ap_fixed<8,3>) and RF 8.
    assert!(dom.contains("8,3 / 16,6 / 16,6"));
    assert!(
        dom.contains("id=\"graph\"")
            && dom.contains("id=\"sweep\"")
            && dom.contains("id=\"pareto\"")
    );
    // Not blank: ink on a good part of the page, and the blue bars and Pareto points.
    let (n, dark, blue) = ink(&png);
    assert!(dark * 20 > n, "{dark} of {n} pixels not white");
    assert!(blue > 500, "{blue} blue pixels");
}

#[test]
fn report_shows_a_synthesised_project_beside_the_estimate() {
    // The fixture reports: Vivado HLS 2020.1, Dense 16 -> 5 + ReLU, io_stream, xc7z020, 5 ns
    // (tests/fixtures/vivado-reports/README.md), laid out as in a project directory.
    let dir = tempfile::tempdir().unwrap();
    let prj = dir.path().join("prj");
    let fx = repo("tests/fixtures/vivado-reports");
    let rep = prj.join("myproject_prj/solution1/syn/report");
    std::fs::create_dir_all(&rep).unwrap();
    std::fs::copy(
        fx.join("myproject_csynth.xml"),
        rep.join("myproject_csynth.xml"),
    )
    .unwrap();
    std::fs::copy(
        fx.join("vivado_hls.app"),
        prj.join("myproject_prj/vivado_hls.app"),
    )
    .unwrap();
    std::fs::copy(fx.join("vivado_synth.rpt"), prj.join("vivado_synth.rpt")).unwrap();
    let psn = dir.path().join("one.psn");
    std::fs::write(
        &psn,
        "network one_layer\nconfig {\n  precision: ap_fixed<16,6>\n  reuse: 1\n  strategy: latency\n  io: io_stream\n  part: xc7z020clg400-1\n  clock: 5\n}\n\ninput(16, name=\"input_1\")\n  -> dense(5, relu, name=\"fc1\")\n",
    )
    .unwrap();
    let html = dir.path().join("r.html");
    let out = presynth(&[
        "report",
        psn.to_str().unwrap(),
        "--project",
        prj.to_str().unwrap(),
        "-o",
        html.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&html).unwrap();
    let actual = &text[text.find("id=\"actual\"").expect("actual table")..];
    // README: csynth LUT 2532, DSP 73, latency 10, II 8; Vivado LUT 1526, DSP 66.
    for want in [
        "csynth LUT</td><td>2532<",
        "csynth DSP</td><td>73<",
        "latency best (cycles)</td><td>10<",
        "II (cycles)</td><td>8<",
        "post-synthesis LUT</td><td>1526<",
        "post-synthesis DSP</td><td>66<",
    ] {
        assert!(actual.contains(want), "{want}");
    }
    // A directory without reports is a clear error, and nothing is written.
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let html2 = dir.path().join("r2.html");
    let out = presynth(&[
        "report",
        psn.to_str().unwrap(),
        "--project",
        empty.to_str().unwrap(),
        "-o",
        html2.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no csynth report"));
    assert!(!html2.exists());
}

/// Copy a directory tree (test fixture into a temporary project).
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_tree(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).unwrap();
        }
    }
}

#[test]
fn report_shows_per_layer_actuals_named_by_parameters_h() {
    // Hector-Plata/hls4ml-tutorial model_1/hls4ml_prj_2 (Vivado HLS 2019.2, jet tagger at RF 2;
    // tests/fixtures/real-projects/README.md): the output dense `config11` reports 80 DSP,
    // 517 FF, 4167 LUT, 0 BRAM and the softmax `config13` 5 DSP, 236 FF, 664 LUT, 4 BRAM_18K.
    // The project's parameters.h is not in the fixture; the test writes the two names the way
    // hls4ml does (a `// <layer name>` comment above each config struct): `output` for 11 and
    // hls4ml's split activation `output_softmax` for 13, which belongs to the model's `output`.
    let dir = tempfile::tempdir().unwrap();
    let prj = dir.path().join("prj");
    copy_tree(
        &repo("tests/fixtures/real-projects/vivado2019.2-parallel-rf2"),
        &prj,
    );
    std::fs::create_dir_all(prj.join("firmware")).unwrap();
    std::fs::write(
        prj.join("firmware/parameters.h"),
        "// output\nstruct config11 : nnet::dense_config {\n    static const unsigned n_in = 32;\n};\n\n// output_softmax\nstruct softmax_config13 : nnet::activ_config {\n    static const unsigned n_in = 5;\n};\n",
    )
    .unwrap();
    let psn = dir.path().join("jet.psn");
    std::fs::write(
        &psn,
        "network jet\nconfig {\n  precision: ap_fixed<16,6>\n  reuse: 2\n  strategy: latency\n  part: xcu250-figd2104-2L-e\n  clock: 5\n}\n\ninput(16, name=\"input_1\")\n  -> dense(64, relu, name=\"fc1\")\n  -> dense(32, relu, name=\"fc2\")\n  -> dense(32, relu, name=\"fc3\")\n  -> dense(5, softmax, name=\"output\")\n",
    )
    .unwrap();
    let html = dir.path().join("r.html");
    let out = presynth(&[
        "report",
        psn.to_str().unwrap(),
        "--project",
        prj.to_str().unwrap(),
        "-o",
        html.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&html).unwrap();
    let table = &text[text.find("id=\"layers\"").expect("layer table")..];
    assert!(table.contains("<th>actual DSP</th>"));
    let row = |name: &str| -> &str {
        let at = table
            .find(&format!("<tr><td class=\"l\">{name}</td>"))
            .unwrap_or_else(|| panic!("row {name}"));
        &table[at..at + table[at..].find("</tr>").unwrap()]
    };
    // actual LUT, FF, DSP, BRAM of output = config11 + config13.
    assert!(
        row("output").ends_with("<td>4831</td><td>753</td><td>85</td><td>4</td>"),
        "{}",
        row("output")
    );
    // fc1's dense module carries no config index in this hls4ml version: no actual figures.
    assert!(row("fc1").ends_with("<td></td><td></td><td></td><td></td>"));
}
