#!/usr/bin/env bash
# Builds .gpu/ for a GPU machine that has Python + PyTorch + CUDA but no Java, no Maven and no network (the lent
# device machines; see docs/gpu.md): a jlink'd Java runtime, only the jars the device checks load, the TPO golden
# vectors and the two JNI headers that building DJL's JNI library there needs. Run it here, on a machine with a
# JDK 17 and the Maven cache; then carry .gpu with the device run. Folders of .gpu that this script does not make
# (the DJL source and the JNI build a device session prepares) are left alone.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
gpu=.gpu
java_home="${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")}"

# -am: the SNAPSHOT jars in ~/.m2 may be older than this checkout's trainer and schemas
mvn -B -o -q -DskipTests -pl ops -am package

rm -rf "$gpu/jre" "$gpu/jre.tar.xz" "$gpu/lib" "$gpu/golden" "$gpu/jdk-include"
mkdir -p "$gpu/lib" "$gpu/golden" "$gpu/jdk-include/linux"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

# Only what DeviceChecks reaches: the trainer and DJL (api, engine, JNA, Gson, HF tokenizers), Jackson for the
# golden files and results, picocli, and logging. Not pytorch-native-cpu (111 MB: the device brings its own
# libtorch) nor pytorch-jni (its libdjl_torch.so is built for libtorch 2.7.1, the device has another version),
# nor Kafka. The checks prove the list complete: a missing class fails them (see rehearse-on-cpu.sh).
jars=(tpo-trainer tpo-schemas api pytorch-engine jna gson tokenizers jackson-databind jackson-core
  jackson-annotations picocli slf4j-api log4j-slf4j2-impl log4j-api log4j-core)
for name in "${jars[@]}"; do
  found=(ops/target/lib/"$name"-[0-9]*.jar)
  [[ ${#found[@]} -eq 1 && -f "${found[0]}" ]] || { echo "make-runtime: expected one $name jar, found: ${found[*]}" >&2; exit 1; }
  cp "${found[0]}" "$gpu/lib/"
done
cp ops/target/tpo-ops.jar "$gpu/lib/"

# JNA and the tokenizers bundle native libraries for up to 30 platforms; the device is linux-x86_64 (saves 15 MB)
drop_foreign_natives() { # JAR PATTERN-OF-NATIVES PATTERN-TO-KEEP
  local entries
  entries="$(unzip -Z1 "$1" | grep -E "$2" | grep -vE "$3" || true)"
  [[ -z "$entries" ]] || zip -q -d "$1" $entries >/dev/null
}
drop_foreign_natives "$gpu"/lib/jna-*.jar '^com/sun/jna/[^/]+/[^/]*jnidispatch' '/linux-x86-64/'
drop_foreign_natives "$gpu"/lib/tokenizers-*.jar '^native/lib/[^/]+/.+[^/]$' '^native/lib/linux-x86_64/'

# Modules: what jdeps finds in those jars, plus jdk.zipfs and jdk.crypto.ec, which only ServiceLoader reaches
# (zip file systems, elliptic-curve keys); java.desktop is for the headless AWT the scene renderer draws with.
modules="$("$java_home/bin/jdeps" --multi-release 17 --ignore-missing-deps --print-module-deps "$gpu"/lib/*.jar)"
modules="$modules,jdk.zipfs,jdk.crypto.ec"
# Uncompressed, then xz over the whole image: 16 MB to carry instead of 46 MB with --compress=2 (measured on
# Debian's OpenJDK 17.0.15; libjvm.so alone is 24 MB). The device unpacks it with Python's tarfile in about 1 s.
"$java_home/bin/jlink" --add-modules "$modules" --compress=0 --strip-debug --no-header-files --no-man-pages \
  --output "$scratch/jre"
echo "$modules" >"$scratch/jre/MODULES"
tar -C "$scratch" -cf - jre | xz -9 -T2 >"$gpu/jre.tar.xz"

# jni.h and jni_md.h: DJL's CMakeLists finds JNI through them (the jlink'd runtime has no headers)
cp "$java_home/include/jni.h" "$gpu/jdk-include/"
cp "$java_home/include/linux/jni_md.h" "$gpu/jdk-include/linux/"
cp trainer/src/test/resources/golden/*.json "$gpu/golden/"

echo "modules: $modules"
du -sh "$gpu/jre.tar.xz" "$gpu/lib" "$gpu/golden" "$gpu/jdk-include"
# what a device run carries: .gpu (with whatever a device session added) plus the tracked files
echo "carry: .gpu $(du -sm "$gpu" | cut -f1) MiB; tracked files $(git ls-files -z | xargs -0 du -cm 2>/dev/null | tail -1 | cut -f1) MiB; limit 64 MiB"
