#!/usr/bin/env python3
"""Benchmark `presynth estimate` on the real-project corpus (data/real-projects/rows.csv).

For every row it runs `presynth estimate` on the row's model with the row's settings (the
project's hls4ml_config.yml where there is one; part, clock, io_type, strategy, reuse factor
and precision from the row) and compares the estimate with the reported figures. Prints SMAPE
per target, C synthesis and post-synthesis apart, overall and per source. Rows the estimator
cannot take (QKeras notebook rows: the DSL model has no quantizers; models it fails to load)
are counted and listed, not scored. Not a test: a measurement (issue 13's baseline).

usage: scripts/bench_real_projects.py [--presynth PATH] [--estimator analytic|hybrid] [--csv OUT]
"""
import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
from collections import defaultdict

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
DATA = os.path.join(ROOT, "data", "real-projects")
CS = [("lut", "lut"), ("ff", "ff"), ("dsp", "dsp"), ("bram_18k", "bram_18k"), ("lat_max", "latency"), ("ii_max", "ii")]
PS = [("ps_lut", "lut"), ("ps_ff", "ff"), ("ps_dsp", "dsp"), ("ps_bram_18k", "bram_18k")]


def smape(pairs):
    """Symmetric MAPE in % over (estimate, actual); a pair of zeros counts as exact."""
    if not pairs:
        return None
    s = 0.0
    for e, a in pairs:
        d = abs(e) + abs(a)
        s += 0.0 if d == 0 else 2.0 * abs(e - a) / d
    return 100.0 * s / len(pairs)


# presynth's part names (`presynth targets`); a part it does not know is estimated on a known
# part of the same family (same LUT and DSP primitives), and the output says so.
KNOWN = ["xc7z020clg400-1", "xczu9eg-ffvb1156-2-e", "xcu200-fsgd2104-2-e", "xcvu9p-flga2104-2L-e",
         "xcu250-figd2104-2L-e", "xcvu13p-flga2577-2-e", "xcu280-fsvh2892-2L-e", "xcu55c-fsvh2892-2L-e",
         "xcku115-flvb2104-2-i"]
STAND_IN = [("xczu", "xczu9eg-ffvb1156-2-e"), ("xcku", "xczu9eg-ffvb1156-2-e"), ("xcu50", "xcu280-fsvh2892-2L-e"),
            ("xc7", "xc7z020clg400-1")]


def part_for(part):
    """(part presynth knows, stand-in or None)."""
    flat = part.replace("-", "").lower()
    for k in KNOWN:
        if k.replace("-", "").lower() == flat:
            return k, None
    for prefix, k in STAND_IN:
        if part.lower().startswith(prefix):
            return k, k
    return part, None


def estimate(presynth, row, estimator):
    part, _ = part_for(row["part"])
    cmd = [presynth, "estimate", os.path.join(DATA, row["model_file"]), "--format", "json",
           "--estimator", estimator, "--part", part, "--clock-period", row["clock_ns"],
           "--io-type", row["io_type"], "--strategy", row["strategy"],
           "--reuse-factor", row["reuse_factor"],
           # the HLS tool of the run (a config's Backend may be missing: hls4ml < 0.6 had one)
           "--backend", "Vivado" if row["tool"] == "vivado_hls" else "Vitis"]
    if row["config_file"].endswith(".yml"):
        cmd += ["--config", os.path.join(DATA, row["config_file"])]
    elif row["precision"]:
        p = row["precision"]
        cmd += ["--precision", p if p.startswith("ap_") else "ap_" + p]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        return None, (r.stderr.strip().splitlines() or ["exit %d" % r.returncode])[-1]
    return json.loads(r.stdout), None


def pick(est, target, post):
    """The estimate's figure for a target, from `presynth estimate --format json`."""
    tot = est.get("total", est)
    key = {"lut": "lut", "ff": "ff", "dsp": "dsp", "bram_18k": "bram_18k", "latency": "latency_cycles", "ii": "ii"}[target]
    if post:
        ps = tot.get("post_synthesis") or est.get("post_synthesis")
        if not ps:
            return None
        return ps.get(key)
    return tot.get(key)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--presynth", default=os.path.join(ROOT, "target", "debug", "presynth"))
    ap.add_argument("--estimator", default="analytic")
    ap.add_argument("--csv")
    a = ap.parse_args()
    rows = list(csv.DictReader(open(os.path.join(DATA, "rows.csv"), encoding="utf-8")))
    scored = defaultdict(lambda: defaultdict(list))  # (scope) -> target -> pairs
    skipped = []
    out = []
    stand_ins = defaultdict(int)
    for row in rows:
        if row["layer_overrides"] == "qkeras":
            skipped.append((row["row_id"], "QKeras model: the DSL file has no quantizers"))
            continue
        est, err = estimate(a.presynth, row, a.estimator)
        if est is None:
            skipped.append((row["row_id"], err))
            continue
        rec = {"row_id": row["row_id"]}
        _, si = part_for(row["part"])
        if si:
            stand_ins[(row["part"], si)] += 1
        for col, t in CS:
            e = pick(est, t, False)
            if e is None:
                continue
            pair = (float(e), float(row[col]))
            rec["est_" + col] = e
            for scope in ("all", row["source_id"]):
                scored[("csynth", scope)][t].append(pair)
        if row["post_synth_report"]:
            for col, t in PS:
                e = pick(est, t, True)
                if e is None:
                    continue
                rec["est_" + col] = e
                for scope in ("all", row["source_id"]):
                    scored[("post", scope)][t].append((float(e), float(row[col])))
        out.append(rec)
    targets = ["lut", "ff", "dsp", "bram_18k", "latency", "ii"]
    print(f"estimator: {a.estimator}; rows scored: {len(out)} of {len(rows)}")
    for kind in ("csynth", "post"):
        scopes = sorted({s for (k, s) in scored if k == kind}, key=lambda s: (s != "all", s))
        if not scopes:
            continue
        print(f"\n{kind} SMAPE %")
        print("source".ljust(40) + "".join(t.rjust(10) for t in targets) + "      n")
        for s in scopes:
            d = scored[(kind, s)]
            n = max(len(v) for v in d.values())
            cells = ["-" if smape(d.get(t, [])) is None else f"{smape(d[t]):.1f}" for t in targets]
            print(s[:40].ljust(40) + "".join(c.rjust(10) for c in cells) + str(n).rjust(7))
    for (p, si), n in sorted(stand_ins.items()):
        print(f"\n{n} rows on {p}: estimated on {si} (same family; presynth does not know {p})")
    if skipped:
        print(f"\nnot scored ({len(skipped)}):")
        for rid, why in skipped:
            print(f"  {rid}: {why}")
    if a.csv:
        with open(a.csv, "w", newline="") as f:
            keys = sorted({k for r in out for k in r})
            w = csv.DictWriter(f, fieldnames=keys)
            w.writeheader()
            w.writerows(out)


if __name__ == "__main__":
    sys.exit(main())
