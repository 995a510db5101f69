#!/usr/bin/env python3
"""Check the C++ goldens of tests/golden_cpp.rs against hls4ml 1.3.0's own projects.

Each golden in tests/golden_cpp.rs names its harness case (`// harness case <model>__<config>:`
just above its `golden!(...)`). After the harness has built its references
(`scripts/hls4ml_reference.py`, into target/hls4ml-ref/<case>/hls4ml), this compares each
snapshot (tests/snapshots/golden_cpp__<test>.snap) with the same extract of hls4ml's
firmware/myproject.cpp (the nnet:: calls) and firmware/parameters.h (the config structs),
`n_zeros` counts aside (they follow the weights, which differ).

Usage: python3 scripts/check_cpp_goldens.py [--refs target/hls4ml-ref]
Exit status 0 when every golden matches, 1 otherwise, 2 when a reference is missing.
"""

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def extract(prj):
    out = []
    for line in (prj / 'firmware/myproject.cpp').read_text().splitlines():
        t = line.strip()
        if t.startswith('nnet::') and not t.startswith('nnet::load_weights'):
            out.append(t)
    inside = False
    for line in (prj / 'firmware/parameters.h').read_text().splitlines():
        if line.startswith('struct '):
            inside = True
            out.append('')
        if inside:
            out.append(line)
        if line == '};':
            inside = False
    return [re.sub(r'n_zeros = \d+', 'n_zeros = N', ln) for ln in out]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--refs', default=str(ROOT / 'target' / 'hls4ml-ref'))
    args = ap.parse_args()
    src = (ROOT / 'tests/golden_cpp.rs').read_text()
    pairs = re.findall(r'// harness case (\S+?):[^\n]*\n\s*golden!\(\s*(\w+)', src)
    if not pairs:
        print('no goldens found in tests/golden_cpp.rs')
        return 2
    bad = 0
    for case, test in pairs:
        ref_dir = Path(args.refs) / case / 'hls4ml'
        if not ref_dir.exists():
            print(f'{test}: no reference {ref_dir} (run scripts/hls4ml_reference.py --reference-only --cases {case})')
            return 2
        snap = (ROOT / f'tests/snapshots/golden_cpp__{test}.snap').read_text().split('---\n', 2)[2]
        got = [re.sub(r'n_zeros = \d+', 'n_zeros = N', ln) for ln in snap.splitlines()]
        want = extract(ref_dir)
        if got == want:
            print(f'{test}: same as hls4ml ({case})')
            continue
        bad += 1
        for i in range(max(len(got), len(want))):
            a = got[i] if i < len(got) else '<end>'
            b = want[i] if i < len(want) else '<end>'
            if a != b:
                print(f'{test}: line {i + 1}: golden `{a}` vs hls4ml `{b}` ({case})')
                break
    print(f'{len(pairs) - bad}/{len(pairs)} goldens match hls4ml')
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
