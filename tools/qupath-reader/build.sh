#!/usr/bin/env bash
# Builds QuPath's object and project readers (qupath-core v0.5.1, the files listed in SOURCES, patched by
# debian-deps.patch for Debian 12's older gson and slf4j) with Tessera's harness into one jar, and prints its path.
# The jar is cached under .build/qupath-reader/<hash of the sources, the patch and the jars' versions>/, so a
# second call only prints the path. Installs its Debian packages first (scripts/install-packages; root or sudo).
# Fails, never skips, when it cannot build.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
packages=(openjdk-17-jdk-headless libgoogle-gson-java libjts-java libslf4j-java libguava-java libcommons-math3-java
  libpicocli-java libij-java)
"$root/scripts/install-packages" "${packages[@]}"
jars=(gson jts-core slf4j-api slf4j-nop guava commons-math3 picocli ij)
classpath=()
for jar in "${jars[@]}"; do
  [ -f "/usr/share/java/$jar.jar" ] || { echo "qupath-reader: /usr/share/java/$jar.jar is missing" >&2; exit 1; }
  classpath+=("/usr/share/java/$(readlink "/usr/share/java/$jar.jar" || echo "$jar.jar")")
done
key="$( { cd "$here" && find qupath-core src -type f | LC_ALL=C sort | xargs sha256sum; sha256sum debian-deps.patch build.sh;
  printf '%s\n' "${classpath[@]}"; javac -version 2>&1; } | sha256sum | cut -c1-16)"
out="$root/.build/qupath-reader/$key"
jar="$out/qupath-reader.jar"
if [ ! -f "$jar" ]; then
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  cp -r "$here/qupath-core/src/main/java" "$work/src"
  cp -r "$here/src/tessera" "$work/src/"
  (cd "$work/src" && patch -s -p1 < "$here/debian-deps.patch")
  mkdir -p "$work/classes"
  cp "$here/qupath-core/src/main/resources/VERSION" "$work/classes/"
  find "$work/src" -name '*.java' > "$work/sources.txt"
  javac --release 17 -nowarn -encoding UTF-8 -d "$work/classes" -cp "$(IFS=:; echo "${classpath[*]}")" \
    -sourcepath "$work/src" @"$work/sources.txt" 2>&1 | grep -v '^Note: ' >&2 || true
  [ -f "$work/classes/tessera/QuPathReaderHarness.class" ] || { echo "qupath-reader: javac failed" >&2; exit 1; }
  printf 'Main-Class: tessera.QuPathReaderHarness\nClass-Path: %s\n' "${classpath[*]}" > "$work/manifest.txt"
  mkdir -p "$out"
  jar --create --file "$work/qupath-reader.jar" --manifest "$work/manifest.txt" -C "$work/classes" .
  mv "$work/qupath-reader.jar" "$jar"
fi
echo "$jar"
