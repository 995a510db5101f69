"""Random architecture search under a LUT budget with presynth (the Python package).

Samples Dense MLPs for the 16-input, 5-class jet-tagging task (1 to 4 hidden layers, widths,
precision and reuse factor drawn at random), estimates every candidate of a generation at once
with presynth.estimate_many (parallel, no synthesis), keeps those within the LUT budget and
the latency bound that fit the part and synthesise, and reports the one with the most MACs (a
stand-in for model capacity). Runs in a few seconds:

    pip install target/wheels/presynth-*.whl     # scripts/build-wheel.sh --release builds it
    python examples/nas_random_search.py [--lut-budget 60000] [--max-latency-ns 60] [--generations 5]

A real search would train the surviving candidates and score them by accuracy; the MAC count
keeps the example about the hardware side.
"""

import argparse
import random
import time

import presynth

WIDTHS = [8, 16, 32, 64, 128]
RFS = [1, 2, 4, 8, 16, 32]
PRECISIONS = [f"ap_fixed<{w},{i}>" for w, i in [(6, 2), (8, 3), (10, 4), (12, 4), (16, 6)]]


def sample(rng):
    hidden = [rng.choice(WIDTHS) for _ in range(rng.randint(1, 4))]
    layers = " -> ".join(f"dense({h}, relu)" for h in hidden)
    return {
        "model": f"input(16) -> {layers} -> dense(5, softmax)",
        "precision": rng.choice(PRECISIONS),
        "reuse_factor": rng.choice(RFS),
        "strategy": "Resource",
    }


def macs(report):
    return sum(layer["macs"] for layer in report["layers"])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lut-budget", type=float, default=60000)
    ap.add_argument("--max-latency-ns", type=float, default=60)
    ap.add_argument("--generations", type=int, default=5)
    ap.add_argument("--per-gen", type=int, default=400)
    ap.add_argument("--part", default="xcu250")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    best, n, t0 = None, 0, time.perf_counter()
    for gen in range(a.generations):
        cands = [sample(rng) for _ in range(a.per_gen)]
        reports = presynth.estimate_many(cands, part=a.part)
        n += len(cands)
        ok = [(r, c) for r, c in zip(reports, cands)
              if r["post_synthesis"]["lut"] <= a.lut_budget and r["total"]["latency_ns"] <= a.max_latency_ns
              and r["fits"] and r["will_synthesise"]]
        for r, c in ok:
            if best is None or macs(r) > macs(best[0]):
                best = (r, c)
        print(f"generation {gen}: {len(ok)}/{len(cands)} within {a.lut_budget:.0f} LUT and "
              f"{a.max_latency_ns:.0f} ns; best so far {macs(best[0]) if best else 0} MACs")
    dt = time.perf_counter() - t0
    print(f"{n} candidates estimated in {dt:.2f} s ({n / dt:.0f}/s)")
    if best is None:
        print("no candidate fits the budget")
        return
    r, c = best
    print(f"best: {c['model']}  {c['precision']} RF {c['reuse_factor']}, {macs(r)} MACs")
    print(f"  latency {r['total']['latency_cycles']} cycles ({r['total']['latency_ns']:.0f} ns), "
          f"II {r['total']['ii']}, post-synthesis LUT {r['post_synthesis']['lut']:.0f}, "
          f"DSP {r['post_synthesis']['dsp']:.0f}")


if __name__ == "__main__":
    main()
