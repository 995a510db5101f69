#!/usr/bin/env python3
"""Benchmark `presynth estimate` on the real-project corpus (data/real-projects/rows.csv).

For every row it runs `presynth estimate` on the row's model with the row's settings (the
project's hls4ml_config.yml where there is one; part, clock, io_type, strategy, reuse factor
and precision from the row) and compares the estimate with the reported figures. Prints SMAPE
per target, C synthesis and post-synthesis apart, overall and per source. Rows the estimator
cannot take (QKeras or HGQ rows whose model is a DSL file that spells no per-layer precisions; models it fails to load)
are counted and listed, not scored. Not a test: a measurement (issue 13's baseline).

Post-synthesis of the Latency strategy (the wa-hls4ml data has no such rows) is the csynth
estimate times one ratio per figure, fitted here on the corpus' own csynth -> post-synthesis
pairs (the reports' figures, not the estimates): per source the geometric mean of
post/csynth, then the median over sources (one vote per source). `--fit-post FILE` writes the
ratios fitted on every source (the file the estimator bundles,
estimator/calibration/post-synthesis-latency.json); the benchmark always prints the
leave-one-source-out SMAPE: each source's rows priced with ratios fitted on the other sources.
The csynth FF and LUT of io_stream networks are the model's times one factor per (HLS tool,
strategy) and figure, fitted here the same way on the corpus' csynth figures (report / model
without the factor): `--fit-stream-ff FILE` writes them (estimator/calibration/stream-ff.json),
and the benchmark prints the csynth FF and LUT SMAPE with each source's rows priced with factors
fitted on the other sources (exact where the row's layers share the row's strategy; per-layer overrides of the
strategy are the exception). The rest of the csynth model has no coefficient fitted on this
corpus (its rules cite the reports they were read off), so its leave-one-source-out SMAPE is the
plain one.

The csynth DSP of Latency kernels with narrow constant weights and a wide data operand is the
model's plus a share of their non-zero products per weight width (estimator/src/narrowdsp.rs),
fitted here (per source the reports' excess DSPs over the model without the share divided by
those products, the median over sources): `--fit-narrow-dsp FILE` writes the shares
(estimator/calibration/narrow-dsp.json), and the benchmark prints the csynth DSP SMAPE with
each source's rows priced with shares fitted on the other sources.

usage: scripts/bench_real_projects.py [--presynth PATH] [--estimator analytic|hybrid] [--csv OUT]
                                      [--fit-post FILE] [--fit-stream-ff FILE] [--fit-narrow-dsp FILE]
"""
import argparse
import csv
import datetime
import json
import math
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


# A part is estimated as itself when `presynth targets` knows its die (any package or grade);
# otherwise on a known part of the same family (same LUT and DSP primitives), and the output
# says so.
STAND_IN = [("xczu", "xczu9eg-ffvb1156-2-e"), ("xcku", "xczu9eg-ffvb1156-2-e"), ("xcu50", "xcu280-fsvh2892-2L-e"),
            ("xc7", "xc7z020clg400-1")]
DEVICES = []


def load_devices(presynth):
    out = subprocess.run([presynth, "targets", "--kind", "fpga", "--format", "json"],
                         capture_output=True, text=True, check=True).stdout
    # the die is the name's first field (xcku15p-ffva1156-2-e: xcku15p); presynth resolves
    # another package or grade of a known die itself and says so
    DEVICES[:] = sorted({(e.get("device") or e["name"].split("-")[0]).lower() for e in json.loads(out)},
                        key=len, reverse=True)


def part_for(part):
    """(part to pass to presynth, stand-in or None)."""
    flat = part.replace("-", "").lower()
    if any(flat.startswith(d.replace("-", "")) for d in DEVICES):
        return part, None
    for prefix, k in STAND_IN:
        if part.lower().startswith(prefix):
            return k, k
    return part, None


def estimate(presynth, row, estimator):
    part, _ = part_for(row["part"])
    cmd = [presynth, "estimate", os.path.join(DATA, row["model_file"]), "--format", "json",
           "--estimator", estimator, "--part", part, "--clock-period", row["clock_ns"],
           "--io-type", row["io_type"],
           # the HLS tool of the run (a config's Backend may be missing: hls4ml < 0.6 had one)
           "--backend", "Vivado" if row["tool"] == "vivado_hls" else "Vitis"]
    if row["config_file"].endswith(".yml"):
        # The project's own config sets strategy and reuse factor, per layer where it does:
        # `--strategy`/`--reuse-factor` would replace the per-layer ones (uw-acme's Conv1D
        # layers at RF 48/16/12 were estimated at the model-level RF 1).
        cmd += ["--config", os.path.join(DATA, row["config_file"])]
    else:
        cmd += ["--strategy", row["strategy"], "--reuse-factor", row["reuse_factor"]]
    # `--precision` replaces every per-layer precision: a QKeras model's come from its
    # quantizers (layer_overrides `qkeras`), so it is passed only when the model default is not
    # already presynth's (hls4ml's) ap_fixed<16,6>.
    p = row["precision"]
    p = p if p.startswith("ap_") else "ap_" + p
    qkeras_default = row["layer_overrides"] == "qkeras" and p.replace(" ", "") == "ap_fixed<16,6>"
    if not row["config_file"].endswith(".yml") and row["precision"] and not qkeras_default:
        cmd += ["--precision", p]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        return None, (r.stderr.strip().splitlines() or ["exit %d" % r.returncode])[-1]
    return json.loads(r.stdout), None


def dsl_has_precisions(model_file):
    """Whether a DSL model spells per-layer weight precisions (`@ {weight: ...}`): the DSL has no
    quantizers, but a QKeras row's DSL file may carry the precisions hls4ml derived from them."""
    with open(os.path.join(DATA, model_file), encoding="utf-8") as f:
        return any("weight:" in line for line in f if not line.lstrip().startswith("#"))


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


STREAM_FF = os.path.join(ROOT, "estimator", "calibration", "stream-ff.json")


def stream_key(row):
    """The (tool, strategy) key of an io_stream row in stream-ff.json, else None."""
    if row["io_type"] != "io_stream":
        return None
    strategy = "Resource" if row["strategy"].lower() == "resource" else "Latency"
    return f"{row['tool']}/{strategy}"


def median(xs):
    xs = sorted(xs)
    k = len(xs)
    return xs[k // 2] if k % 2 else math.sqrt(xs[k // 2 - 1] * xs[k // 2])


def fit_stream_ff(pairs):
    """pairs: (key, source, model FF without the factor, report FF). Per key: per source the
    geometric mean of report/model, then the median over sources.
    Returns {key: (factor, n_rows, n_sources)}."""
    per = defaultdict(lambda: defaultdict(list))
    for k, src, e, a in pairs:
        if k and e > 0 and a > 0:
            per[k][src].append(math.log(a / e))
    out = {}
    for k, by_src in sorted(per.items()):
        means = [math.exp(sum(v) / len(v)) for v in by_src.values()]
        out[k] = (median(means), sum(len(v) for v in by_src.values()), len(means))
    return out


RATIO_TARGETS = [("lut", "ps_lut"), ("ff", "ps_ff"), ("dsp", "ps_dsp"), ("bram_18k", "ps_bram_18k")]


def fit_ratios(rows):
    """Post/csynth ratio per figure: per source the geometric mean over its rows (pairs with a
    zero skipped), then the median over sources. Returns {figure: (ratio, n_rows, n_sources)}."""
    out = {}
    for cs, ps in RATIO_TARGETS:
        per_source = defaultdict(list)
        for r in rows:
            c, p = float(r[cs]), float(r[ps])
            if c > 0 and p > 0:
                per_source[r["source_id"]].append(math.log(p / c))
        means = sorted(math.exp(sum(v) / len(v)) for v in per_source.values())
        if not means:
            out[cs] = (1.0, 0, 0)
            continue
        k = len(means)
        med = means[k // 2] if k % 2 else math.sqrt(means[k // 2 - 1] * means[k // 2])
        out[cs] = (med, sum(len(v) for v in per_source.values()), k)
    return out


NARROW_DSP = os.path.join(ROOT, "estimator", "calibration", "narrow-dsp.json")


def narrow_layers(est):
    """The `narrow_dsp` entries of an estimate's layers."""
    return [l["narrow_dsp"] for l in est.get("layers", []) if l.get("narrow_dsp")]


def fit_narrow(items):
    """items: (source, weight_bits, model DSP without the share, report DSP, non-zero products
    of that width). Per width: per source (Σ report − model) / Σ products over its rows, clamped
    to [0, 1], then the median over sources. Returns {bits: (share, n_rows, n_sources)}."""
    per = defaultdict(lambda: defaultdict(lambda: [0.0, 0.0, 0]))
    for src, bits, bare, actual, n in items:
        if n > 0:
            acc = per[bits][src]
            acc[0] += actual - bare
            acc[1] += n
            acc[2] += 1
    out = {}
    for bits, by_src in sorted(per.items()):
        shares = sorted(min(1.0, max(0.0, v[0] / v[1])) for v in by_src.values())
        k = len(shares)
        med = shares[k // 2] if k % 2 else 0.5 * (shares[k // 2 - 1] + shares[k // 2])
        out[bits] = (med, sum(v[2] for v in by_src.values()), k)
    return out


def narrow_dsp(layers, shares):
    """DSP-mapped narrow products of an estimate's layers under `shares` ({bits: share})."""
    return sum(min(shares[l["weight_bits"]] * l["nonzero"], l["candidates"],
                   l["dsp_cap"] if l.get("dsp_cap") is not None else float("inf"))
               for l in layers if l["weight_bits"] in shares)


def write_json(path, doc):
    """Write `doc` to `path` (through a temporary file) and say so."""
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")
    os.replace(tmp, path)
    print(f"wrote {path}")


def kept_out_of_sample(fits, pairs, label, digits):
    """The fits {key: (value, rows, sources)} whose rows' leave-one-source-out SMAPE with the fit
    (pairs[key][1]) beats the SMAPE without it (pairs[key][0]); prints each."""
    keep = {}
    for k, v in fits.items():
        before, after = smape(pairs[k][0]), smape(pairs[k][1])
        if after < before:
            keep[k] = v
        print(f"  {label(k)} {v[0]:.{digits}f} ({v[1]} rows, {v[2]} sources): {before:.1f} -> {after:.1f}"
              + ("" if after < before else " (not kept)"))
    return keep


def post_rows(rows):
    """Latency-strategy rows with post-synthesis figures (whatever the estimator can load)."""
    return [r for r in rows if r["post_synth_report"] and r["strategy"].lower() == "latency"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--presynth", default=os.path.join(ROOT, "target", "debug", "presynth"))
    ap.add_argument("--estimator", default="analytic")
    ap.add_argument("--csv")
    ap.add_argument("--fit-post", help="write the post-synthesis Latency ratios fitted on every source")
    ap.add_argument("--fit-stream-ff", help="write the io_stream csynth FF and LUT factors fitted on every source")
    ap.add_argument("--fit-narrow-dsp", help="write the narrow-weight DSP shares fitted on every source")
    a = ap.parse_args()
    # presynth embeds stream-ff.json when it is built: the model's FF without the factor is the
    # estimate divided by the file's factor only if the binary was built after the file changed.
    for f in (STREAM_FF, NARROW_DSP):
        if os.path.getmtime(f) > os.path.getmtime(a.presynth):
            sys.exit(f"{f} is newer than {a.presynth}: rebuild it (cargo build --bin presynth) first")
    stream_doc = json.load(open(STREAM_FF))
    bundled = {field: {k: v["factor"] for k, v in stream_doc.get(field, {}).items()}
               for field in ("factors", "lut_factors")}
    stream_pairs = {"ff": [], "lut": []}
    loso_csynth = {}
    load_devices(a.presynth)
    rows = list(csv.DictReader(open(os.path.join(DATA, "rows.csv"), encoding="utf-8")))
    scored = defaultdict(lambda: defaultdict(list))  # (scope) -> target -> pairs
    skipped = []
    out = []
    stand_ins = defaultdict(int)
    for row in rows:
        if row["layer_overrides"] in ("qkeras", "hgq") and row["model_file"].endswith(".psn") \
                and not dsl_has_precisions(row["model_file"]):
            skipped.append((row["row_id"], "quantized model: the DSL file has no quantizers"))
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
        rec["_csynth_est"] = {t: pick(est, t, False) for _, t in CS}
        k = stream_key(row)
        for metric, field in (("ff", "factors"), ("lut", "lut_factors")):
            if k and rec["_csynth_est"].get(metric) is not None:
                stream_pairs[metric].append((k, row["source_id"],
                                             float(rec["_csynth_est"][metric]) / bundled[field].get(k, 1.0),
                                             float(row[metric])))
        rec["_narrow"] = narrow_layers(est)
        rec["_strategy"] = row["strategy"]
        rec["_source"] = row["source_id"]
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
        # Issue 13's BRAM target: within 2 blocks of the report on at least 80 % of the rows.
        bram = scored[(kind, "all")].get("bram_18k", [])
        if bram:
            near = sum(1 for e, t in bram if abs(e - t) <= 2.0)
            print(f"{kind} BRAM_18K within 2 blocks: {near} of {len(bram)} rows "
                  f"({100.0 * near / len(bram):.0f} %)")
    by_id = {r["row_id"]: r for r in rows}
    # Leave one source out: io_stream csynth FF (and LUT) = the model's figure without its
    # factor times the factor fitted on the other sources (io_parallel rows as estimated).
    # A (tool, strategy) factor is kept only where it helps out of sample: its rows' leave-one-
    # source-out SMAPE with the factor below the SMAPE without (the sources agree on it).
    doc = {
        "what": "csynth report / estimate of io_stream networks per (HLS tool, strategy), FF (`factors`) and LUT (`lut_factors`): per source the geometric mean over its rows, then the median over sources; kept where the leave-one-source-out SMAPE beats no factor",
        "produced_by": "python3 scripts/bench_real_projects.py --fit-stream-ff estimator/calibration/stream-ff.json",
        "data": "data/real-projects/rows.csv (io_stream rows the estimator scores)",
        "date": datetime.date.today().isoformat(),
    }
    for metric, field in (("ff", "factors"), ("lut", "lut_factors")):
        loso_m, per_key = [], defaultdict(lambda: ([], []))
        pairs_m = stream_pairs[metric]
        for rec in out:
            row = by_id[rec["row_id"]]
            e = rec["_csynth_est"].get(metric)
            if e is None:
                continue
            k = stream_key(row)
            if k:
                f = fit_stream_ff([p for p in pairs_m if p[1] != row["source_id"]]).get(k, (1.0, 0, 0))[0]
                bare = float(e) / bundled[field].get(k, 1.0)
                per_key[k][0].append((bare, float(row[metric])))
                per_key[k][1].append((bare * f, float(row[metric])))
                e = bare * f if k in bundled[field] else bare
            rec["_loso_" + metric] = float(e)
            loso_m.append((float(e), float(row[metric])))
        loso_csynth[metric] = loso_m
        stream_fit = fit_stream_ff(pairs_m)
        print(f"\ncsynth {metric.upper()} SMAPE %, leave one source out (the bundled io_stream factors refitted "
              f"without each row's source; {len(loso_m)} rows): {smape(loso_m):.1f}")
        print(f"io_stream csynth {metric.upper()} factors fitted on every source, with their rows' SMAPE without "
              "the factor -> leave one source out with it:")
        keep = kept_out_of_sample(stream_fit, per_key, lambda k: k, 3)
        doc[field] = {k: {"factor": round(v[0], 6), "rows": v[1], "sources": v[2]} for k, v in keep.items()}
    # Leave one source out: csynth DSP = the model's DSP without the narrow-weight share plus
    # the share fitted on the other sources (rows without such kernels as estimated).
    items = []
    for rec in out:
        row = by_id[rec["row_id"]]
        e = rec["_csynth_est"].get("dsp")
        if e is None or not rec["_narrow"]:
            continue
        bare = float(e) - sum(l["dsp_products"] for l in rec["_narrow"])
        rec["_bare_dsp"] = bare
        for bits in sorted({l["weight_bits"] for l in rec["_narrow"]}):
            n = sum(l["nonzero"] for l in rec["_narrow"] if l["weight_bits"] == bits)
            items.append((row["source_id"], bits, bare, float(row["dsp"]), n))
    narrow_fit = fit_narrow(items)
    bundled_narrow = {int(b) for b in json.load(open(NARROW_DSP)).get("shares", {})}
    loso_dsp, per_bits = [], defaultdict(lambda: ([], []))
    for rec in out:
        row = by_id[rec["row_id"]]
        e = rec["_csynth_est"].get("dsp")
        if e is None:
            continue
        e = float(e)
        if rec["_narrow"]:
            fit = fit_narrow([i for i in items if i[0] != row["source_id"]])
            bare = rec["_bare_dsp"]
            for bits in sorted({l["weight_bits"] for l in rec["_narrow"]}):
                if bits in narrow_fit:
                    own = [l for l in rec["_narrow"] if l["weight_bits"] == bits]
                    per_bits[bits][0].append((bare, float(row["dsp"])))
                    per_bits[bits][1].append((bare + narrow_dsp(own, {bits: fit.get(bits, (0.0,))[0]}),
                                              float(row["dsp"])))
            # the widths the bundled file keeps (as shipped), each refitted without this source
            shares = {b: fit.get(b, (0.0,))[0] for b in bundled_narrow}
            e = bare + narrow_dsp(rec["_narrow"], shares)
        rec["_loso_dsp"] = e
        loso_dsp.append((e, float(row["dsp"])))
    loso_csynth["dsp"] = loso_dsp
    print(f"\ncsynth DSP SMAPE %, leave one source out (the narrow-weight DSP shares refitted without each "
          f"row's source; {len(loso_dsp)} rows): {smape(loso_dsp):.1f}")
    print("narrow-weight DSP shares fitted on every source, with their rows' SMAPE without the share -> "
          "leave one source out with it:")
    keep_narrow = kept_out_of_sample(narrow_fit, per_bits, lambda b: f"{b}-bit weights", 4)
    if a.fit_narrow_dsp:
        ndoc = json.load(open(NARROW_DSP))
        ndoc["date"] = datetime.date.today().isoformat()
        ndoc["shares"] = {str(b): {"share": round(v[0], 6), "rows": v[1], "sources": v[2]}
                          for b, v in keep_narrow.items()}
        write_json(a.fit_narrow_dsp, ndoc)
    # The csynth summary scored out of sample: LUT and FF with the io_stream factors refitted
    # without each row's source; the other figures have no coefficient fitted on this corpus.
    cs_all = scored[("csynth", "all")]
    cells = []
    for t in targets:
        pairs = loso_csynth.get(t, cs_all.get(t, []))
        cells.append("-" if not pairs else f"{smape(pairs):.1f}")
    print("\ncsynth SMAPE %, leave one source out")
    print("".ljust(40) + "".join(t.rjust(10) for t in targets))
    print("all".ljust(40) + "".join(c.rjust(10) for c in cells))
    if a.fit_stream_ff:
        write_json(a.fit_stream_ff, doc)
    # Leave one source out: post-synthesis of Latency rows = the csynth estimate times ratios
    # fitted on the other sources' report pairs.
    prows = post_rows(rows)
    loso = defaultdict(list)
    for rec in out:
        row = by_id[rec["row_id"]]
        if not row["post_synth_report"] or row["strategy"].lower() != "latency":
            continue
        ratios = fit_ratios([r for r in prows if r["source_id"] != row["source_id"]])
        for cs, ps in RATIO_TARGETS:
            # the csynth estimate scored out of sample (LUT/FF: io_stream factors without
            # this row's source)
            e = rec.get("_loso_" + cs, rec["_csynth_est"].get(cs))
            if e is None:
                continue
            loso[cs].append((float(e) * ratios[cs][0], float(row[ps])))
    if loso:
        n = max(len(v) for v in loso.values())
        print(f"\npost SMAPE %, leave one source out (Latency rows, ratios fitted on the other sources; {n} rows)")
        print("".ljust(40) + "".join(t.rjust(10) for t, _ in RATIO_TARGETS))
        print("all".ljust(40) + "".join(f"{smape(loso[t]):.1f}".rjust(10) if loso.get(t) else "-".rjust(10) for t, _ in RATIO_TARGETS))
    full = fit_ratios(prows)
    print("\npost/csynth ratios fitted on every source (Latency strategy): " + ", ".join(
        f"{t} {v[0]:.3f} ({v[1]} rows, {v[2]} sources)" for t, v in full.items()))
    if a.fit_post:
        doc = {
            "what": "post-synthesis / csynth ratio per figure for Latency-strategy layers: per source the geometric mean of the reports' post/csynth pairs, then the median over sources",
            "produced_by": "python3 scripts/bench_real_projects.py --fit-post estimator/calibration/post-synthesis-latency.json",
            "data": "data/real-projects/rows.csv (Latency-strategy rows with post-synthesis figures)",
            "date": datetime.date.today().isoformat(),
            "ratios": {t: {"ratio": round(v[0], 6), "rows": v[1], "sources": v[2]} for t, v in full.items()},
        }
        write_json(a.fit_post, doc)
    for rec in out:
        for k in [k for k in rec if k.startswith("_")]:
            del rec[k]
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
