#!/usr/bin/env bash
# under_load.sh — `make test` RUNS times in a row (5) with two busy loops
# beside it, one per core of a 2-core machine: the suite must hold on a
# loaded machine, as CI's is right after a build.
#
#   bash tests/under_load.sh [RUNS]
#
# Prints each run's last line ("N passed, N failed") and wall time, and a
# summary; exits non-zero when any run failed (its logs are kept: the
# runner prints where).
set -u
runs=${1:-5}
cd "$(dirname "$0")/.." || exit 2
make -s all tests >/dev/null || { echo "under_load: build failed" >&2; exit 2; }
loops=()
for _ in 1 2; do
  bash -c 'while :; do :; done' &
  loops+=($!)
done
trap 'kill "${loops[@]}" 2>/dev/null' EXIT
failed=0
for i in $(seq 1 "$runs"); do
  start=$SECONDS
  out=$(make test 2>&1)
  rc=$?
  took=$((SECONDS - start))
  last=$(printf '%s\n' "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed' | tail -1)
  printf 'run %d: %s in %ds (rc %d)\n' "$i" "${last:-no summary}" "$took" "$rc"
  if [ "$rc" -ne 0 ]; then
    failed=$((failed + 1))
    printf '%s\n' "$out" | grep -E 'logs:|FAILED' | head -10 | sed 's/^/  | /'
  fi
done
echo "under_load: $runs runs with two busy loops, $failed failed"
[ "$failed" -eq 0 ]
