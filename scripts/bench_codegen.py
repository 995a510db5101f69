#!/usr/bin/env python3
"""Speed of `presynth codegen` against hls4ml 1.3.0 (issue 3), in one run.

Models (built here with seeded weights, saved as .keras under --out): the MLP 16-64-32-5 and a
small Conv2D net (16x16x1 -> Conv2D 4 3x3 relu -> MaxPool 2 -> Conv2D 8 3x3 relu -> MaxPool 2
-> Flatten -> Dense 5 softmax).

(a) end to end, a model file on disk -> a finished project directory:
    `presynth codegen model.keras -o DIR` as a process, against a Python process that imports
    hls4ml, loads the same .keras file, converts and writes (medians).
(b) in process, the project write alone: hls4ml's `write()` (warm, repeated on a converted
    model) against presynth's render + atomic write (`presynth codegen --repeat N`), with template
    files copied (like hls4ml), hard-linked, or symlinked to a shared template directory.
(c) batch: `presynth codegen --batch N --link hardlink|symlink`: projects/s on all cores and
    the peak memory after 10 % and after all projects (flat memory).

Usage:
  .venv/bin/python scripts/bench_codegen.py --presynth target/release/presynth [--batch 10000]
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault('KERAS_BACKEND', 'jax')
os.environ.setdefault('JAX_PLATFORMS', 'cpu')
os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3')

ROOT = Path(__file__).resolve().parent.parent

HLS4ML_PROCESS = r'''
import os, sys
os.environ.setdefault('KERAS_BACKEND', 'jax'); os.environ.setdefault('JAX_PLATFORMS', 'cpu')
import hls4ml, keras
model = keras.models.load_model(sys.argv[1])
cfg = hls4ml.utils.config_from_keras_model(model, granularity='model', backend='Vitis')
h = hls4ml.converters.convert_from_keras_model(model, output_dir=sys.argv[2], backend='Vitis',
                                               io_type='io_parallel', hls_config=cfg)
h.write()
'''


def build_models(out):
    import keras
    import numpy as np

    out.mkdir(parents=True, exist_ok=True)
    paths = {}
    rng = np.random.default_rng(7)

    def seed(model):
        for lay in model.layers:
            ws = lay.get_weights()
            if ws:
                lay.set_weights([rng.uniform(-0.5, 0.5, w.shape).astype('float32') for w in ws])

    i = keras.Input((16,), name='input_layer')
    x = keras.layers.Dense(64, activation='relu', name='fc1')(i)
    x = keras.layers.Dense(32, activation='relu', name='fc2')(x)
    x = keras.layers.Dense(5, activation='softmax', name='fc3')(x)
    m = keras.Model(i, x)
    seed(m)
    paths['mlp_16_64_32_5'] = out / 'mlp_16_64_32_5.keras'
    m.save(paths['mlp_16_64_32_5'])

    i = keras.Input((16, 16, 1), name='input_layer')
    x = keras.layers.Conv2D(4, (3, 3), activation='relu', name='conv1')(i)
    x = keras.layers.MaxPooling2D((2, 2), name='pool1')(x)
    x = keras.layers.Conv2D(8, (3, 3), activation='relu', name='conv2')(x)
    x = keras.layers.MaxPooling2D((2, 2), name='pool2')(x)
    x = keras.layers.Flatten(name='flat')(x)
    x = keras.layers.Dense(5, activation='softmax', name='out')(x)
    m = keras.Model(i, x)
    seed(m)
    paths['conv2d_small'] = out / 'conv2d_small.keras'
    m.save(paths['conv2d_small'])
    return paths


def timed(cmd, **kw):
    t0 = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    dt = time.perf_counter() - t0
    if r.returncode != 0:
        raise RuntimeError(f'{cmd[:3]} failed:\n{r.stderr[-2000:]}')
    return dt, r.stdout


def hls4ml_write_inprocess(path, out_dir, n):
    import hls4ml
    import keras

    model = keras.models.load_model(path)
    cfg = hls4ml.utils.config_from_keras_model(model, granularity='model', backend='Vitis')
    h = hls4ml.converters.convert_from_keras_model(
        model, output_dir=str(out_dir), backend='Vitis', io_type='io_parallel', hls_config=cfg
    )
    h.write()  # first write: creates the directory
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        h.write()
        times.append(time.perf_counter() - t0)
    files = [p for p in Path(out_dir).rglob('*') if p.is_file()]
    return statistics.median(times), len(files), sum(p.stat().st_size for p in files)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--presynth', default=str(ROOT / 'target' / 'release' / 'presynth'))
    ap.add_argument('--out', default=str(ROOT / 'target' / 'bench-codegen'))
    ap.add_argument('--runs', type=int, default=20, help='presynth process runs per model')
    ap.add_argument('--py-runs', type=int, default=3, help='hls4ml process runs per model')
    ap.add_argument('--repeat', type=int, default=30, help='in-process writes per link mode')
    ap.add_argument('--batch', type=int, default=10000)
    ap.add_argument('--json', help='write the results here too')
    args = ap.parse_args()
    out = Path(args.out)
    if out.exists():
        shutil.rmtree(out)
    paths = build_models(out / 'models')
    presynth = str(Path(args.presynth).resolve())
    results = {}
    for name, path in paths.items():
        r = {}
        # (a) processes
        # fresh output directories (nothing to replace), warm page cache
        for label, cmd in [('presynth', [presynth, 'codegen'])]:
            for link in ['copy', 'symlink']:
                pt = []
                for k in range(args.runs + 1):
                    d = out / f'{name}_{label}_{link}_{k}'
                    dt, _ = timed(cmd + [str(path), '-o', str(d), '--link', link])
                    if k:
                        pt.append(dt)
                    shutil.rmtree(d)
                r[f'{label}_process_{link}_s'] = statistics.median(pt)
        r['presynth_process_s'] = r['presynth_process_copy_s']
        ht = []
        for k in range(args.py_runs):
            d = out / f'{name}_hls4ml_proc{k}'
            dt, _ = timed([sys.executable, '-c', HLS4ML_PROCESS, str(path), str(d)])
            ht.append(dt)
        r['hls4ml_process_s'] = statistics.median(ht)
        r['ratio_a'] = r['hls4ml_process_s'] / r['presynth_process_s']
        # (b) in process
        w, nfiles, nbytes = hls4ml_write_inprocess(path, out / f'{name}_hls4ml_write', args.repeat)
        r['hls4ml_write_s'] = w
        r['hls4ml_files'] = nfiles
        r['hls4ml_bytes'] = nbytes
        _, js = timed(
            [presynth, 'codegen', str(path), '-o', str(out / f'{name}_rep'), '--force', '--repeat', str(args.repeat), '--format', 'json']
        )
        rep = json.loads(js)
        for row in rep['repeat']:
            r[f'presynth_write_{row["link"]}_s'] = row['total_ms_median'] / 1e3
            r[f'ratio_b_{row["link"]}'] = w / (row['total_ms_median'] / 1e3)
        r['presynth_generated_files'] = rep['generated_files']
        r['presynth_template_files'] = rep['template_files']
        results[name] = r
    # (c) batch
    batch = {}
    for link in ['hardlink', 'symlink']:
        _, js = timed(
            [
                presynth,
                'codegen',
                str(paths['mlp_16_64_32_5']),
                '-o',
                str(out / f'batch_{link}'),
                '--force',
                '--link',
                link,
                '--batch',
                str(args.batch),
                '--format',
                'json',
            ]
        )
        batch[link] = json.loads(js)['batch']
    results['batch'] = batch

    print('(a) end to end (process, median): model file -> project directory')
    for name in paths:
        r = results[name]
        line = f'  {name:<16} hls4ml (import+load+convert+write) {r["hls4ml_process_s"]:.2f} s'
        for k in ['presynth_process_copy_s', 'presynth_process_symlink_s']:
            if k in r:
                line += f' | {k.replace("_process", "").replace("_s", "")} {r[k] * 1e3:.1f} ms = {r["hls4ml_process_s"] / r[k]:.0f}x'
        print(line)
    print(f'{"model":<16} {"(a) presynth proc":>18} {"hls4ml proc":>12} {"ratio":>7} | {"(b) hls4ml write()":>18} '
          f'{"copy":>9} {"hardlink":>9} {"symlink":>9} | ratios copy/hardlink/symlink')
    for name in paths:
        r = results[name]
        print(
            f'{name:<16} {r["presynth_process_s"] * 1e3:>15.1f} ms {r["hls4ml_process_s"]:>10.2f} s {r["ratio_a"]:>6.0f}x | '
            f'{r["hls4ml_write_s"] * 1e3:>15.1f} ms {r["presynth_write_copy_s"] * 1e3:>6.2f} ms '
            f'{r["presynth_write_hardlink_s"] * 1e3:>6.2f} ms {r["presynth_write_symlink_s"] * 1e3:>6.2f} ms | '
            f'{r["ratio_b_copy"]:.0f}x / {r["ratio_b_hardlink"]:.0f}x / {r["ratio_b_symlink"]:.0f}x'
        )
        print(
            f'{"":<16} hls4ml project: {r["hls4ml_files"]} files, {r["hls4ml_bytes"] / 1e6:.2f} MB; presynth: '
            f'{r["presynth_generated_files"]} generated + {r["presynth_template_files"]} template files'
        )
    for link, b in batch.items():
        print(
            f'batch --link {link}: {b["projects"]} projects ({b["failed"]} failed) on {b["threads"]} threads in '
            f'{b["seconds"]:.1f} s = {b["projects_per_s"]:.0f}/s; peak RSS {b["peak_rss_mib_after_10pct"]:.1f} MiB '
            f'after 10 %, {b["peak_rss_mib_after_all"]:.1f} MiB after all'
        )
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    shutil.rmtree(out, ignore_errors=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
