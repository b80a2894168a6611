#!/usr/bin/env bash
# Memory and step time of one TPO step per model preset and training mode, one JVM per configuration (so each peak
# resident size is its own). Prints one JSON line per configuration; docs/models.md holds a measured table.
#   ops/models/footprint.sh                      # tiny and small, full / full-fp16-ref / lora, 2 pairs, 6 steps
#   PRESETS="tiny" MODES="lora" PAIRS=4 STEPS=10 THREADS=1 ops/models/footprint.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
presets="${PRESETS:-tiny small}"
modes="${MODES:-full full-fp16-ref lora}"
pairs="${PAIRS:-2}"
steps="${STEPS:-6}"
threads="${THREADS:-2}"

cd "$root"
mvn -B -o -q -pl trainer compile >&2
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mvn -B -o -q -pl trainer dependency:build-classpath -Dmdep.outputFile="$work/classpath" >&2
cp -r "$root/trainer/target/classes" "$work/classes" # a build running meanwhile cannot pull classes from under us
classpath="$work/classes:$(cat "$work/classpath")"
echo "# $(date -u +%FT%TZ) $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), threads=$threads" >&2
for preset in $presets; do
  for mode in $modes; do
    java -Xmx${XMX:-2g} -Dai.djl.pytorch.num_threads="$threads" -Dai.djl.pytorch.num_interop_threads=1 \
      -Dorg.slf4j.simpleLogger.log.ai.djl.util.cuda.CudaUtils=error \
      -cp "$classpath" io.tpostream.trainer.training.StepFootprint "$preset" "$mode" "$pairs" "$steps" \
      2> >(grep -v -e AutoNonVariableTypeMode -e '^$' >&2)
  done
done
