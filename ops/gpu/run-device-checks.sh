#!/usr/bin/env bash
# The GPU checks in one command, for a lent device machine (Python + PyTorch + CUDA; no Java, no network):
# unpacks the Java runtime that make-runtime.sh put in .gpu, points DJL at the machine's own libtorch through
# PYTORCH_LIBRARY_PATH with a libdjl_torch.so built against it, then runs DeviceChecks (golden vectors, CPU/GPU
# parity, step benchmark), each in its own JVM under its own time limit. Everything goes to $OUT/gpu-checks.log,
# results to $OUT/*.json. docs/gpu.md says what a device session does before calling this.
#
# Inputs (environment), each with a default for the device machine:
#   OUT                 where results go (the device tool sets it; default .gpu/out)
#   TPO_DJL_JNI         libdjl_torch.so built against this libtorch (default .gpu/djl-jni/libdjl_torch.so)
#   TPO_LIBTORCH_DIR    the folder with libtorch.so (default: python3's torch/lib)
#   PYTORCH_VERSION     what DJL reports as the engine version (default: python3's torch version)
#   PYTORCH_FLAVOR      cuXYZ or cpu (default: from python3's torch.version.cuda)
#   TPO_DEVICE          gpu (default) or cpu; TPO_BUDGET_S total seconds for the checks (default 420)
#   TPO_PARITY_PRESET   (small), TPO_BENCH_PRESETS ("small base"), TPO_BENCH_ARGS (extra bench options)
#   TPO_TORCH_THREADS   intra-op threads of PyTorch (default: its own choice, all cores)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
gpu="$root/.gpu"
out="${OUT:-$gpu/out}"
device="${TPO_DEVICE:-gpu}"
deadline=$((SECONDS + ${TPO_BUDGET_S:-420}))
mkdir -p "$out"
# the JVMs' and the dynamic linker's messages too: the log is what comes back from the device
exec > >(tee -a "$out/gpu-checks.log") 2>&1
tee_pid=$!
work="$(mktemp -d /tmp/tpo-gpu.XXXXXX)"
# let tee write the last lines before the device tool collects $OUT
trap 'rm -rf "$work"; exec >&- 2>&-; wait "$tee_pid"' EXIT

trap 'echo "run-device-checks: line $LINENO failed: $BASH_COMMAND" >&2' ERR
die() {
  echo "run-device-checks: $*" >&2
  exit 1
}

[[ -f "$gpu/jre.tar.xz" && -d "$gpu/lib" && -d "$gpu/golden" ]] ||
  die "no .gpu/jre.tar.xz, .gpu/lib or .gpu/golden: run ops/gpu/make-runtime.sh where there is a JDK and carry .gpu"
# the runtime is Debian's OpenJDK build, which needs glibc 2.34 or newer
glibc="$(getconf GNU_LIBC_VERSION | awk '{print $2}')"
[[ "$(printf '%s\n2.34\n' "$glibc" | sort -V | head -1)" == 2.34 ]] || die "glibc $glibc is older than 2.34, which the carried Java runtime needs"

python3 - "$gpu/jre.tar.xz" "$work" <<'PY'
import sys, tarfile
# 'tar' keeps the runtime's file modes and says so, where this Python knows extraction filters
options = {"filter": "tar"} if hasattr(tarfile, "tar_filter") else {}
tarfile.open(sys.argv[1]).extractall(sys.argv[2], **options)
PY
java="$work/jre/bin/java"
"$java" -version

# What libtorch to load. Defaults come from the machine's PyTorch, whose CUDA libraries live in pip packages
# beside it (site-packages/nvidia/...): torch finds them through RUNPATHs relative to its real folder, which
# do not hold for the symlinks below, so they go on LD_LIBRARY_PATH.
if [[ -z "${TPO_LIBTORCH_DIR:-}" || -z "${PYTORCH_VERSION:-}" || -z "${PYTORCH_FLAVOR:-}" ]]; then
  facts="$(python3 - <<'PY'
import os, torch
lib = os.path.join(os.path.dirname(torch.__file__), "lib")
print(lib)
print(torch.__version__.split("+")[0])
print("cu" + torch.version.cuda.replace(".", "") if torch.version.cuda else "cpu")
nvidia = os.path.join(os.path.dirname(os.path.dirname(torch.__file__)), "nvidia")
print(":".join(sorted({d for d, _, files in os.walk(nvidia) if any(".so" in f for f in files)})))
PY
  )" || die "python3 cannot import torch; set TPO_LIBTORCH_DIR, PYTORCH_VERSION and PYTORCH_FLAVOR instead"
  mapfile -t torch_facts <<<"$facts"
  TPO_LIBTORCH_DIR="${TPO_LIBTORCH_DIR:-${torch_facts[0]}}"
  PYTORCH_VERSION="${PYTORCH_VERSION:-${torch_facts[1]}}"
  PYTORCH_FLAVOR="${PYTORCH_FLAVOR:-${torch_facts[2]}}"
  cuda_libs="${torch_facts[3]:-}"
fi
[[ -f "$TPO_LIBTORCH_DIR/libtorch.so" ]] || die "no libtorch.so in $TPO_LIBTORCH_DIR"
jni="${TPO_DJL_JNI:-$gpu/djl-jni/libdjl_torch.so}"
[[ -f "$jni" ]] || die "no $jni. DJL's JNI library must match the libtorch it loads, so a device session builds it \
from DJL's v0.36.0 source against $TPO_LIBTORCH_DIR before calling this script (docs/gpu.md, 'On a lent device')"

# DJL 0.36 takes PYTORCH_LIBRARY_PATH as a folder holding libtorch.so, loads every library in it, and looks for
# libdjl_torch.so there before anywhere else: a folder of links to this libtorch plus our JNI build. PyTorch's
# test libraries stay out (DJL would load them too), and so does any libdjl_torch.so for another libtorch.
links="$work/libtorch"
mkdir -p "$links"
for f in "$TPO_LIBTORCH_DIR"/*.so*; do
  case "$(basename "$f")" in
  *djl_torch* | *test* | libbackend_with_compiler* | libaoti_custom_ops* | libtorch_python*) ;;
  *) ln -s "$f" "$links/" ;;
  esac
done
ln -s "$(readlink -f "$jni")" "$links/libdjl_torch.so"
export PYTORCH_LIBRARY_PATH="$links" PYTORCH_VERSION PYTORCH_FLAVOR
export LD_LIBRARY_PATH="$links${cuda_libs:+:$cuda_libs}:$TPO_LIBTORCH_DIR${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
# DJL counts GPUs through JNA's dlopen("libcudart.so"); pip's CUDA runtime has only libcudart.so.<major>
jna_path="$work/cudart"
mkdir -p "$jna_path"
cudart="$(IFS=:; for d in $LD_LIBRARY_PATH; do ls "$d"/libcudart.so* 2>/dev/null || true; done | head -1)"
[[ -z "$cudart" ]] || ln -s "$cudart" "$jna_path/libcudart.so"
export DJL_CACHE_DIR="$work/djl-cache" # nothing from an earlier DJL run on this machine takes part

echo "libtorch: $TPO_LIBTORCH_DIR (PYTORCH_VERSION=$PYTORCH_VERSION PYTORCH_FLAVOR=$PYTORCH_FLAVOR); JNI: $jni"
echo "cudart for DJL's GPU count: ${cudart:-none}"
missing="$(ldd "$links/libdjl_torch.so" | grep 'not found' || true)"
[[ -z "$missing" ]] || die "libdjl_torch.so has unresolved libraries under LD_LIBRARY_PATH=$LD_LIBRARY_PATH:
$missing"
if [[ "$device" == gpu* ]] && command -v nvidia-smi >/dev/null; then
  nvidia-smi --query-gpu=name,memory.total,memory.used,driver_version,clocks.sm --format=csv
fi

# a native crash report lands in $OUT, so it comes back with the results
jvm=("$java" -Xms512m -Xmx8g -XX:+ExitOnOutOfMemoryError "-XX:ErrorFile=$out/hs_err_%p.log" -Djava.awt.headless=true
  "-Djna.library.path=$jna_path" -cp "$gpu/lib/*")
[[ -z "${TPO_TORCH_THREADS:-}" ]] || jvm+=("-Dai.djl.pytorch.num_threads=$TPO_TORCH_THREADS")
summary=()
failed=0

# check NAME CAP_SECONDS ARGS...: one DeviceChecks run under min(cap, time left); exit 3 means "does not fit"
check() {
  local name="$1" cap="$2" left=$((deadline - SECONDS)) rc=0
  shift 2
  if ((left < 30)); then
    summary+=("$name: SKIPPED, ${left}s of the budget left") && failed=1
    return
  fi
  local limit=$((cap < left ? cap : left)) start=$SECONDS
  echo "=== $name (limit ${limit}s)"
  timeout --kill-after=10 "$limit" "${jvm[@]}" io.tpostream.ops.gpu.DeviceChecks "$@" || rc=$?
  case $rc in
  0) summary+=("$name: PASSED ($((SECONDS - start))s)") ;;
  3) summary+=("$name: DOES NOT FIT in the device's memory ($((SECONDS - start))s)") ;;
  124 | 137) summary+=("$name: TIMED OUT after ${limit}s") && failed=1 ;;
  *) summary+=("$name: FAILED, exit $rc ($((SECONDS - start))s)") && failed=1 ;;
  esac
}

check golden 120 golden --device "$device" --dir "$gpu/golden" --out "$out/golden.json"
# parity in plain float32: libtorch lets cuDNN run the vision tower's patch convolution in tf32 (errors near
# 3e-4), which would blur a real mismatch; NVIDIA's libraries honour this switch. The benchmark keeps the default.
export NVIDIA_TF32_OVERRIDE=0
check parity 180 parity --device "$device" --preset "${TPO_PARITY_PRESET:-small}" --out "$out/parity.json"
unset NVIDIA_TF32_OVERRIDE
read -r -a bench_args <<<"${TPO_BENCH_ARGS:-}"
for preset in ${TPO_BENCH_PRESETS:-small base}; do
  check "bench $preset" 240 bench --device "$device" --preset "$preset" "${bench_args[@]}" --out "$out/bench-$preset.json"
done

# the JNI library these results came from, so that a later device call can carry it instead of building again
cp "$jni" "$out/libdjl_torch.so"
echo "=== summary (device $device, libtorch $PYTORCH_VERSION $PYTORCH_FLAVOR)"
printf '%s\n' "${summary[@]}" | tee "$out/summary.txt"
exit "$failed"
