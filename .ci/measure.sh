#!/usr/bin/env bash
# measure.sh — the numbers of docs/performance.md, in one run: the size of
# every function's arm64 bootstrap (and zip), default and with the X-Ray SDK
# (-tags xraysdk), against hello-world baselines built the same way, then
# cold starts of the default build under the local Runtime API harness (host
# build, rounds interleaved with the baselines; MEASURE_XRAY=1 adds the
# xraysdk build's). Writes build/performance.md; copy its tables into
# docs/performance.md with the date and machine it prints.
set -euo pipefail
cd "$(dirname "$0")/.."
out=build/performance.md
mkdir -p build/baselines

make build >/dev/null
# The X-Ray SDK variant, for its size column.
rm -rf build/xraysdk && mkdir -p build/xraysdk
GOOS=linux GOARCH=arm64 CGO_ENABLED=0 go build -tags lambda.norpc,xraysdk -ldflags='-s -w' -trimpath -o build/xraysdk/ ./functions/...

for h in hello hellocfg helloxray; do
  GOOS=linux GOARCH=arm64 CGO_ENABLED=0 go build -tags lambda.norpc -ldflags='-s -w' -trimpath \
    -o "build/baselines/$h/bootstrap" "./local/internal/invoke/testdata/$h"
  # zipped as `make build` zips the functions
  (cd "build/baselines/$h" && rm -f ../"$h".zip &&
    if command -v zip >/dev/null; then zip -q -9 -X ../"$h".zip bootstrap; else python3 -m zipfile -c ../"$h".zip bootstrap; fi)
done

mib() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }
row() { # name bootstrap zip [xraysdk bootstrap]
  local s z x="–"
  s=$(stat -c %s "$2"); z=$(stat -c %s "$3")
  [[ -n "${4:-}" ]] && x=$(mib "$(stat -c %s "$4")")
  echo "| $1 | $s | $(mib "$s") | $z | $(mib "$z") | $x |"
}

{
  echo "Measured $(date -u +%Y-%m-%dT%H:%MZ) on $(uname -sm), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2 | sed 's/^ //' || echo 'unknown CPU'), $(go version | cut -d' ' -f3-)."
  echo "Commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (with local changes)')."
  echo
  echo "### Sizes (linux/arm64, -tags lambda.norpc -ldflags='-s -w' -trimpath, CGO_ENABLED=0)"
  echo
  echo "| program | bootstrap bytes | MiB | zip bytes | MiB | with -tags xraysdk, MiB |"
  echo "|---|---|---|---|---|---|"
  for h in hello hellocfg helloxray; do
    row "(baseline) $h" "build/baselines/$h/bootstrap" "build/baselines/$h.zip"
  done
  for d in build/*/bootstrap; do
    fn=$(basename "$(dirname "$d")")
    [[ "$fn" == baselines || "$fn" == xraysdk ]] && continue
    row "$fn" "$d" "build/$fn.zip" "build/xraysdk/$fn"
  done
  echo
  echo "### Cold starts (host build, local Runtime API)"
  echo
} >"$out"

ONAIR_PERF_OUT="$PWD/build/coldstart.md" go test -tags perf -run TestColdStart -count=1 -timeout 60m ./local/internal/invoke >/dev/null
cat build/coldstart.md >>"$out"
if [[ "${MEASURE_XRAY:-}" == 1 ]]; then
  echo >>"$out"
  ONAIR_PERF_TAGS=xraysdk ONAIR_PERF_OUT="$PWD/build/coldstart-xraysdk.md" go test -tags perf -run TestColdStart -count=1 -timeout 60m ./local/internal/invoke >/dev/null
  cat build/coldstart-xraysdk.md >>"$out"
fi
cat "$out"
