#!/usr/bin/env bash
# The device run rehearsed here on the CPU: run-device-checks.sh with the carried runtime from .gpu, but DJL's
# own CPU libtorch 2.7.1 (what DJL extracted into ~/.djl.ai) and the CPU libdjl_torch.so from the pytorch-jni jar
# standing in for the device's libtorch and the JNI build. It proves the jlink'd runtime, the jar list, the
# PYTORCH_LIBRARY_PATH override and the checks end to end; small presets, since this machine has 2 cores.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
libtorch="${TPO_LIBTORCH_DIR:-$(ls -d "$HOME"/.djl.ai/pytorch/2.7.1-*-cpu-linux-x86_64 2>/dev/null | head -1)}"
[[ -f "$libtorch/libtorch.so" ]] || { echo "rehearse-on-cpu: no DJL CPU libtorch in ~/.djl.ai/pytorch; run any trainer test once" >&2; exit 1; }
jni_jar="$HOME/.m2/repository/ai/djl/pytorch/pytorch-jni/2.7.1-0.36.0/pytorch-jni-2.7.1-0.36.0.jar"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
unzip -p "$jni_jar" jnilib/linux-x86_64/cpu/libdjl_torch.so >"$scratch/libdjl_torch.so"

export OUT="${OUT:-/tmp/tpo-gpu-rehearsal}" TPO_DEVICE=cpu TPO_LIBTORCH_DIR="$libtorch" TPO_DJL_JNI="$scratch/libdjl_torch.so"
export PYTORCH_VERSION=2.7.1 PYTORCH_FLAVOR=cpu TPO_TORCH_THREADS="${TPO_TORCH_THREADS:-2}"
export TPO_PARITY_PRESET="${TPO_PARITY_PRESET:-tiny}" TPO_BENCH_PRESETS="${TPO_BENCH_PRESETS:-tiny}"
export TPO_BENCH_ARGS="${TPO_BENCH_ARGS:---batch-size 4 --warmup 1 --steps 5 --peak-bf16-tflops 0 --peak-tf32-tflops 0 --peak-fp32-tflops 0}"
rm -rf "$OUT"
"$root/ops/gpu/run-device-checks.sh"
