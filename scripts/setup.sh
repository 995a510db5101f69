#!/usr/bin/env bash
# Idempotent set-up for a fresh clone on Debian: system packages the build needs (HDF5 C
# library, pkg-config, g++), Slurm and munge for the real-Slurm test (tests/slurm_real.rs starts
# its own one-node cluster; nothing here starts a daemon), the Python venv used by test
# harnesses (.venv), and libtorch for the surrogate crate (third_party/libtorch). Fast when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
dpkg -s libhdf5-dev >/dev/null 2>&1 || need_apt+=(libhdf5-dev)
command -v pkg-config >/dev/null 2>&1 || need_apt+=(pkg-config)
command -v g++ >/dev/null 2>&1 || need_apt+=(g++)
# slurm-wlm: slurmctld, slurmd, sbatch, squeue, scontrol; munge: its authentication daemon;
# util-linux gives flock(1), used by a lock test.
dpkg -s slurm-wlm >/dev/null 2>&1 || need_apt+=(slurm-wlm)
dpkg -s munge >/dev/null 2>&1 || need_apt+=(munge)
command -v flock >/dev/null 2>&1 || need_apt+=(util-linux)
# Headless Chromium renders `presynth report`'s HTML in tests/cli_report.rs.
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
if [ ${#need_apt[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}"
fi

bash scripts/setup-python.sh
# TensorFlow 2.14 + QKeras + hls4ml in .venv-qkeras, for the QKeras cases of the bit-exact harness
# (tests/cli_codegen_qkeras.rs): about 1 min and 1.5 GB on a fresh machine.
bash scripts/setup-qkeras.sh
if [ -f scripts/setup-libtorch.sh ]; then bash scripts/setup-libtorch.sh; fi
# cargo-fuzz for the short fuzz run of CI (scripts/fuzz.sh); it builds with the pinned toolchain
# and --sanitizer none, so no nightly is needed.
if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked --version 0.13.2
fi
