#!/usr/bin/env bash
# Reproducible builds: builds the published modules twice, each from its own copy of the source tree
# (at two different paths, so a build that records where it ran is caught too), and compares every
# published jar (classes, sources, javadoc) byte for byte. Exits non-zero on any difference.
#
# Usage: .ci/check-reproducible.sh            (offline: uses what ~/.m2 already holds)
#        MVN_FLAGS= .ci/check-reproducible.sh (online, for a machine whose ~/.m2 is empty)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

published=(responder-core responder-store-inmemory responder-store-jdbc responder-bitcoind-rpc responder-testkit responder-micrometer)
modules=$(IFS=,; echo "${published[*]}")
flags=${MVN_FLAGS--o}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

build() {
  local dir=$1
  mkdir -p "$dir"
  # The files git would commit (tracked, and new but not ignored), as they are in the work tree now.
  (cd "$root" && git ls-files -z --cached --others --exclude-standard) \
    | (cd "$root" && xargs -0 cp --parents -t "$dir" 2>/dev/null || true)
  (cd "$dir" && ./mvnw -q $flags -pl "$modules" -am package -DskipTests >"$dir.log" 2>&1) || {
    echo "build in $dir failed:" >&2
    tail -n 40 "$dir.log" >&2
    exit 2
  }
}

build "$work/first"
build "$work/second-copy"

compared=0
differ=0
for m in "${published[@]}"; do
  shopt -s nullglob
  jars=("$work/first/$m/target/"*.jar)
  shopt -u nullglob
  if [ ${#jars[@]} -eq 0 ]; then
    echo "no jar built for $m" >&2
    exit 2
  fi
  for a in "${jars[@]}"; do
    name=${a#"$work/first/"}
    b="$work/second-copy/$name"
    compared=$((compared + 1))
    if [ ! -f "$b" ]; then
      echo "DIFFERS: $name (missing from the second build)"
      differ=$((differ + 1))
    elif ! cmp -s "$a" "$b"; then
      echo "DIFFERS: $name"
      # Name the entries that differ, to say what to fix.
      diff <(unzip -lv "$a" | awk 'NR>3 {print $7, $8}') <(unzip -lv "$b" | awk 'NR>3 {print $7, $8}') | head -n 20 || true
      differ=$((differ + 1))
    else
      echo "same: $name $(sha256sum "$a" | cut -c1-16)"
    fi
  done
done

if [ "$differ" -ne 0 ]; then
  echo "reproducible build check: $differ of $compared jars differ" >&2
  exit 1
fi
echo "reproducible build check: all $compared jars identical"
