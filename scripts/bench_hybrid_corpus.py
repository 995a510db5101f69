#!/usr/bin/env python3
"""Out-of-sample accuracy of the hybrid surrogate on the real-project corpus (data/real-projects).

The corpus is converted once (`presynth dataset ingest data/real-projects`); its sources
(repositories) are dealt into K folds (grouped K-fold by source: every row of a source lands in
one fold; `--folds 0` is one fold per source, leave one source out). For each fold a hybrid is
trained on the wa-hls4ml rows (`--wa`, default data/, the wa-hls4ml rows shipped in the repository) plus the corpus rows of the other
folds, and `presynth evaluate` scores it and the analytic estimator on the fold's rows. Prints
per target the SMAPE of both on the same rows (C synthesis LUT/FF/DSP/BRAM, worst latency, II,
and post-synthesis where the rows have it) and the share of rows with BRAM within 2 blocks.
Not a test: a measurement (issue 13.5). libtorch runs one thread (surrogate::init_threads) and
rayon is set to RAYON_NUM_THREADS (default 1 here): the machine is shared.

usage: scripts/bench_hybrid_corpus.py [--presynth PATH] [--wa DIR] [--folds K] [--members N]
                                      [--epochs N] [--out DIR]
"""
import argparse
import csv
import json
import os
import subprocess
import sys
import time
from collections import defaultdict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_real_projects import smape  # noqa: E402  (symmetric MAPE, zeros exact)

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
TARGETS = ["csynth.lut", "csynth.ff", "csynth.dsp", "csynth.bram_18k", "latency_worst", "ii",
           "post_synthesis.lut", "post_synthesis.ff", "post_synthesis.dsp", "post_synthesis.bram_18k"]


def run(cmd, env):
    r = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if r.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({r.returncode}):\n{r.stderr[-3000:]}")
    return r.stdout


def read_preds(path):
    out = {}
    with open(path, encoding="utf-8") as f:
        for row in csv.DictReader(f):
            out[(row["target"], row["id"])] = (float(row["predicted"]), float(row["true"]))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--presynth", default=os.path.join(ROOT, "target", "debug", "presynth"))
    ap.add_argument("--wa", default=os.path.join(ROOT, "data"))  # the wa-hls4ml rows shipped in data/
    ap.add_argument("--folds", type=int, default=6)
    ap.add_argument("--members", type=int, default=5)
    ap.add_argument("--epochs", type=int, default=300)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default="/tmp/bench-hybrid-corpus")
    a = ap.parse_args()
    env = dict(os.environ)
    env.setdefault("RAYON_NUM_THREADS", "1")
    os.makedirs(a.out, exist_ok=True)
    corpus = os.path.join(a.out, "corpus")
    if not os.path.isfile(os.path.join(corpus, "records.jsonl")):
        run([a.presynth, "dataset", "ingest", os.path.join(ROOT, "data", "real-projects"), "-o", corpus], env)
    records = [json.loads(line) for line in open(os.path.join(corpus, "records.jsonl"), encoding="utf-8")]
    by_source = defaultdict(list)
    for r in records:
        by_source[r["id"].split("/")[0]].append(r)
    sources = sorted(by_source, key=lambda s: (-len(by_source[s]), s))
    k = a.folds if a.folds > 0 else len(sources)
    folds = [[] for _ in range(k)]
    # Largest sources first, each to the fold with the fewest rows so far (ties: lowest index).
    sizes = [0] * k
    for s in sources:
        i = min(range(k), key=lambda j: (sizes[j], j))
        folds[i].append(s)
        sizes[i] += len(by_source[s])
    hyb, ana = {}, {}
    t0 = time.time()
    train_secs = []
    for i, fold in enumerate(folds):
        d = os.path.join(a.out, f"fold-{i}")
        os.makedirs(d, exist_ok=True)
        held = set(fold)
        for name, keep in (("train.jsonl", lambda s: s not in held), ("test.jsonl", lambda s: s in held)):
            with open(os.path.join(d, name), "w", encoding="utf-8") as f:
                for r in records:
                    if keep(r["id"].split("/")[0]):
                        f.write(json.dumps(r) + "\n")
        model = os.path.join(d, "model")
        t = time.time()
        run([a.presynth, "train", "--data", a.wa, os.path.join(d, "train.jsonl"), "--arch", "gnn",
             "--mode", "hybrid", "--members", str(a.members), "--epochs", str(a.epochs),
             "--seed", str(a.seed), "-o", model, "--format", "json"], env)
        train_secs.append(time.time() - t)
        for est, sink in (("hybrid", hyb), ("analytic", ana)):
            p = os.path.join(d, f"{est}.csv")
            cmd = [a.presynth, "evaluate", os.path.join(d, "test.jsonl"), "--estimator", est,
                   "--rows-csv", p, "--plots", os.path.join(d, "plots"), "--format", "json"]
            if est == "hybrid":
                cmd += ["--surrogate", model]
            run(cmd, env)
            sink.update(read_preds(p))
        print(f"fold {i}: {sum(len(by_source[s]) for s in fold)} rows of {len(fold)} sources, "
              f"trained in {train_secs[-1]:.0f} s", file=sys.stderr, flush=True)
    n_rows = len(records)
    print(f"corpus rows converted: {n_rows} from {len(sources)} sources; "
          f"{'leave one source out' if a.folds <= 0 else f'{k}-fold grouped by source'}; "
          f"{a.members} members, at most {a.epochs} epochs; training {sum(train_secs):.0f} s "
          f"(mean {sum(train_secs) / len(train_secs):.0f} s per fold), total {time.time() - t0:.0f} s")
    print(f"{'target':28}{'rows':>6}{'analytic':>10}{'hybrid':>10}")
    summary = {}
    for t in TARGETS:
        keys = sorted(kk for kk in hyb if kk[0] == t and kk in ana)
        if not keys:
            continue
        sa = smape([ana[kk] for kk in keys])
        sh = smape([hyb[kk] for kk in keys])
        summary[t] = {"rows": len(keys), "analytic": sa, "hybrid": sh}
        print(f"{t:28}{len(keys):>6}{sa:>10.1f}{sh:>10.1f}")
        if t.endswith("bram_18k"):
            na = sum(1 for kk in keys if abs(ana[kk][0] - ana[kk][1]) <= 2)
            nh = sum(1 for kk in keys if abs(hyb[kk][0] - hyb[kk][1]) <= 2)
            summary[t]["within2"] = {"analytic": na, "hybrid": nh}
            print(f"{t + ' within 2':28}{len(keys):>6}{100 * na / len(keys):>9.0f}%{100 * nh / len(keys):>9.0f}%")
    with open(os.path.join(a.out, "summary.json"), "w") as f:
        json.dump({"folds": folds, "summary": summary, "train_seconds": train_secs}, f, indent=1)
    # Per-row predictions, for the bench of the analytic estimator's own LOSO figures.
    with open(os.path.join(a.out, "rows.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["target", "id", "true", "analytic", "hybrid"])
        for kk in sorted(hyb):
            if kk in ana:
                w.writerow([kk[0], kk[1], hyb[kk][1], ana[kk][0], hyb[kk][0]])


if __name__ == "__main__":
    sys.exit(main())
