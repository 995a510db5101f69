"""Throughput of presynth.estimate_many on a NAS-like space, beside rule4ml 0.2.0 on the same
candidates (benchmark, not CI).

Usage:
  python scripts/bench_python.py [--n 10000] [--seed 0] [--out target/bench-python]
      presynth: needs the presynth wheel installed (scripts/build-wheel.sh --release; pip
      install target/wheels/presynth-*.whl). Writes OUT/candidates.jsonl (the candidates) and
      OUT/presynth.json (rates), and prints them.
  .venv-rule4ml/bin/python scripts/bench_python.py --rule4ml [--n 500] [--out ...]
      rule4ml 0.2.0 on the first N of the same candidates (read from OUT/candidates.jsonl):
      each candidate rebuilt as a Keras model, then predicted (a) one call per candidate (the
      first 100), as a NAS loop asks, and (b) in batches of 100 models sharing one config (rule4ml's
      predict is a product of models x configs, so this is its best case). Keras model
      building is timed apart. Writes OUT/rule4ml.json.

The space: Dense MLPs with 16 inputs and 5 outputs (softmax), 1 to 4 hidden layers of widths
8..128 (relu), precision ap_fixed<W,I> with W in 4..16, reuse factor 1..64 (powers of two),
strategy Latency or Resource, on an Alveo U250 (xcu250; rule4ml's board alveo-u250).
Set RAYON_NUM_THREADS=2 (and OMP_NUM_THREADS=2 for rule4ml) to measure on 2 cores.
"""

import argparse
import json
import os
import random
import time

WIDTHS = [8, 16, 24, 32, 48, 64, 96, 128]
RFS = [1, 2, 4, 8, 16, 32, 64]


def candidates(n, seed):
    rng = random.Random(seed)
    out = []
    for i in range(n):
        hidden = [rng.choice(WIDTHS) for _ in range(rng.randint(1, 4))]
        w = rng.randint(4, 16)
        out.append({
            "name": f"cand{i}",
            "hidden": hidden,
            "precision": f"ap_fixed<{w},{rng.randint(1, min(w, 8))}>",
            "reuse_factor": rng.choice(RFS),
            "strategy": rng.choice(["Latency", "Resource"]),
        })
    return out


def dsl(c):
    body = " -> ".join(f"dense({h}, relu)" for h in c["hidden"])
    return f"network {c['name']}\ninput(16) -> {body} -> dense(5, softmax)\n"


def bench_presynth(cands, out):
    import presynth

    items = [{"model": dsl(c), "precision": c["precision"], "reuse_factor": c["reuse_factor"],
              "strategy": c["strategy"]} for c in cands]
    presynth.estimate_many(items[:100], part="xcu250")  # warm-up (pandas imported here)
    presynth.estimate_many(items[:100], part="xcu250", as_frame=True)
    res = {"n": len(items), "rayon_threads": os.environ.get("RAYON_NUM_THREADS", "all cores")}
    for label, kw in [("list", {}), ("frame", {"as_frame": True})]:
        t0, c0 = time.perf_counter(), time.process_time()
        r = presynth.estimate_many(items, part="xcu250", **kw)
        dt, cpu = time.perf_counter() - t0, time.process_time() - c0
        assert len(r) == len(items)
        res[f"{label}_seconds"] = dt
        res[f"{label}_per_s"] = len(items) / dt
        # CPU time of all threads: the rate 2 otherwise idle cores would give (a shared
        # machine's wall time understates it).
        res[f"{label}_cpu_us_per_item"] = cpu / len(items) * 1e6
    # One call per candidate, as a loop of estimate() would do it.
    m = min(len(items), 2000)
    t0, c0 = time.perf_counter(), time.process_time()
    for it in items[:m]:
        presynth.estimate(it["model"], part="xcu250", precision=it["precision"],
                          reuse_factor=it["reuse_factor"], strategy=it["strategy"])
    res["loop_per_s"] = m / (time.perf_counter() - t0)
    res["loop_cpu_us_per_item"] = (time.process_time() - c0) / m * 1e6
    res["load_average_1min"] = os.getloadavg()[0]
    with open(os.path.join(out, "presynth.json"), "w") as f:
        json.dump(res, f, indent=1)
    print(json.dumps(res, indent=1))


def bench_rule4ml(cands, out):
    import torch  # noqa: F401  (before keras, as scripts/bench_rule4ml.py explains)
    import keras
    from rule4ml.models.wrappers import MultiModelWrapper

    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "2")))
    est = MultiModelWrapper()
    est.load_default_models()

    def cfg(c):
        w, i = c["precision"][len("ap_fixed<"):-1].split(",")
        return {"board": "alveo-u250", "model": {"strategy": c["strategy"].lower(),
                "precision": f"ap_fixed<{w}, {i}>", "reuse_factor": c["reuse_factor"]}}

    t0 = time.perf_counter()
    models = []
    for c in cands:
        layers = [keras.Input((16,))] + [keras.layers.Dense(h, activation="relu") for h in c["hidden"]]
        layers.append(keras.layers.Dense(5, activation="softmax"))
        models.append(keras.Sequential(layers, name=c["name"]))
    build = time.perf_counter() - t0
    print(f"rule4ml: {len(models)} Keras models built in {build:.1f} s", flush=True)
    kw = {"hls4ml_versions": "1.1.0", "vivado_versions": "2023.2"}
    est.predict(models[:2], hls_configs=[cfg(cands[0])], **kw)  # warm-up
    m = min(len(cands), 100)
    t0, c0 = time.perf_counter(), time.process_time()
    for mod, c in zip(models[:m], cands[:m]):
        est.predict([mod], hls_configs=[cfg(c)], **kw)
    per_call = m / (time.perf_counter() - t0)
    per_call_cpu = (time.process_time() - c0) / m * 1e6
    print(f"rule4ml: {m} single predictions at {per_call:.1f}/s", flush=True)
    t0, c0 = time.perf_counter(), time.process_time()
    done = 0
    for s in range(0, len(models), 100):
        df = est.predict(models[s:s + 100], hls_configs=[cfg(cands[s])], **kw)
        done += len(df)
    batched = done / (time.perf_counter() - t0)
    batched_cpu = (time.process_time() - c0) / done * 1e6
    res = {"n": len(cands), "keras_build_per_s": len(cands) / build,
           "per_call_n": m, "per_call_per_s": per_call, "per_call_cpu_us_per_item": per_call_cpu,
           "batched_100_per_s": batched, "batched_100_cpu_us_per_item": batched_cpu,
           "load_average_1min": os.getloadavg()[0]}
    with open(os.path.join(out, "rule4ml.json"), "w") as f:
        json.dump(res, f, indent=1)
    print(json.dumps(res, indent=1))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default="target/bench-python")
    ap.add_argument("--rule4ml", action="store_true")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    path = os.path.join(a.out, "candidates.jsonl")
    if a.rule4ml:
        with open(path) as f:
            cands = [json.loads(l) for l in f][: a.n]
        bench_rule4ml(cands, a.out)
        return
    cands = candidates(a.n, a.seed)
    with open(path, "w") as f:
        for c in cands:
            f.write(json.dumps(c) + "\n")
    bench_presynth(cands, a.out)


if __name__ == "__main__":
    main()
