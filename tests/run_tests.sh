#!/usr/bin/env bash
# Runs every test binary given on the command line, one after another, and
# sums GoogleTest's per-test results. A binary that crashes or hangs counts as
# one failure on top of what it reported. The last line is the plain
# "N passed, N failed" that CI reads. With AMUX_NO_NPM=1 the real-agent tier
# (test_real_agents, which runs the npm CLIs) is left out, and the line
# before the last one says so.
set -u
tier_note=""
if [ "${AMUX_NO_NPM:-}" = 1 ]; then
  keep=()
  for bin in "$@"; do
    case "$(basename "$bin")" in test_real_agents) ;; *) keep+=("$bin") ;; esac
  done
  set -- "${keep[@]+"${keep[@]}"}"
  tier_note="real-agent tier SKIPPED (AMUX_NO_NPM=1): the claude, codex and gemini CLIs were not run"
fi
passed=0; failed=0; crashed=()
timeout_s=${AMUX_TEST_TIMEOUT:-600}
logdir=$(mktemp -d /tmp/amux-tests.XXXXXX)
echo "=== layer check"
if bash "$(dirname "$0")/check_layers.sh" >"$logdir/layers.log" 2>&1; then
  passed=$((passed + 1)); echo "    1 passed, 0 failed"
else
  failed=$((failed + 1)); sed 's/^/  | /' "$logdir/layers.log"; echo "    0 passed, 1 failed"
fi
for bin in "$@"; do
  name=$(basename "$bin")
  log="$logdir/$name.log"
  echo "=== $name"
  timeout -k 10 "$timeout_s" "$bin" --gtest_color=no >"$log" 2>&1
  rc=$?
  p=$(grep -E '^\[  PASSED  \] [0-9]+ test' "$log" | grep -oE '[0-9]+' | head -1)
  f=$(grep -E '^\[  FAILED  \] [0-9]+ test' "$log" | grep -oE '[0-9]+' | head -1)
  p=${p:-0}; f=${f:-0}
  grep -E '^\[  (FAILED|SKIPPED) +\]|^\[       OK \]' "$log" | grep -v 'listed below' | sed 's/^/  /' | grep -E 'FAILED|SKIPPED' || true
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
    f=1; crashed+=("$name (exit $rc)")
    tail -n 30 "$log" | sed 's/^/  | /'
  elif [ "$f" -ne 0 ]; then
    grep -B2 -A12 -E '^\[  FAILED  \] [A-Za-z]' "$log" | head -80 | sed 's/^/  | /'
  fi
  echo "    $p passed, $f failed"
  passed=$((passed + p)); failed=$((failed + f))
done
for c in "${crashed[@]+"${crashed[@]}"}"; do echo "crashed: $c"; done
echo "logs: $logdir"
[ -n "$tier_note" ] && echo "$tier_note"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
