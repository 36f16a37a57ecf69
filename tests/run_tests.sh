#!/usr/bin/env bash
# Runs the test binaries given on the command line, several at a time, and
# sums GoogleTest's per-test results. Why in parallel: the binaries share
# nothing (each test makes its own config dir, runtime dir and tmux socket,
# tests/support/amux_env.cpp), and most of their time is spent waiting on
# sessions, so one after another leaves the cores idle.
#
# - AMUX_TEST_JOBS binaries run at once (default: twice the cores, at least
#   2); the longest ones start first (durations of the last run are kept in
#   .durations next to the binaries; a binary never timed counts as long).
# - Each binary's output is printed as one block when it ends, so blocks
#   never interleave. A binary that crashes or hangs (AMUX_TEST_TIMEOUT, 600 s)
#   counts as one failure on top of what it reported.
# - AMUX_SANITIZE=1 (make BUILD=asan test): every process a binary starts
#   (the test, amux, the supervisor, the hosts) writes sanitizer reports under
#   a directory of that binary's own (ASAN_OPTIONS/UBSAN_OPTIONS log_path);
#   any report there is one more failure, also from a daemon whose stderr
#   goes to a log file, and also from one that ends after its test binary.
# - AMUX_NO_NPM=1 leaves out the real-agent tier (test_real_agents, which
#   runs the npm CLIs); the line before the last one says so.
# The last line is the plain "N passed, N failed" that CI reads.
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
passed=0; failed=0; crashed=(); reported=()
timeout_s=${AMUX_TEST_TIMEOUT:-600}
cores=$(nproc 2>/dev/null || echo 2)
jobs=${AMUX_TEST_JOBS:-$((cores * 2))}
[ "$jobs" -ge 1 ] 2>/dev/null || jobs=2
logdir=$(mktemp -d /tmp/amux-tests.XXXXXX)
sanitize=${AMUX_SANITIZE:-0}
started_at=$(date +%s)

echo "=== layer check"
if bash "$(dirname "$0")/check_layers.sh" >"$logdir/layers.log" 2>&1; then
  passed=$((passed + 1)); echo "    1 passed, 0 failed"
else
  failed=$((failed + 1)); sed 's/^/  | /' "$logdir/layers.log"; echo "    0 passed, 1 failed"
fi

# Longest first: the last run's durations, unknown binaries before all.
durations=""
[ $# -gt 0 ] && durations="$(dirname "$1")/.durations"
declare -A last_s=()
if [ -n "$durations" ] && [ -r "$durations" ]; then
  while read -r n s; do [ -n "$n" ] && last_s[$n]=$s; done <"$durations"
fi
# A binary that took longer than AMUX_TEST_SHARD_S (60 s) last time runs as
# that many GoogleTest shards (at most 4), each its own job.
shard_s=${AMUX_TEST_SHARD_S:-60}
order=()  # "bin shard total"
while read -r _ bin; do
  d=${last_s[$(basename "$bin")]:-0}
  k=$(((d + shard_s - 1) / shard_s)); [ "$k" -lt 1 ] && k=1; [ "$k" -gt 4 ] && k=4
  for ((i = 0; i < k; i++)); do order+=("$bin $i $k"); done
done < <(
  for bin in "$@"; do echo "${last_s[$(basename "$bin")]:-100000} $bin"; done | sort -s -k1,1nr)

# Sanitizer reports of one binary: the files in its directory not counted
# yet; shows each and leaves their number in san_new.
san_new=0
san_collect() {
  local name=$1 f
  san_new=0
  [ "$sanitize" = 1 ] || return 0
  for f in "$logdir/san/$name"/*; do
    [ -e "$f" ] || continue
    case " ${reported[*]+"${reported[*]}"} " in *" $f "*) continue ;; esac
    reported+=("$f")
    san_new=$((san_new + 1))
    echo "  sanitizer report $(basename "$f"):"
    head -n 60 "$f" | sed 's/^/  | /'
  done
}

run_one() {  # bin job shard total: in the background; rc, ms and log in $logdir
  local bin=$1 name=$2 shard=$3 total=$4
  if [ "$sanitize" = 1 ]; then
    mkdir -p "$logdir/san/$name"
    local lp="log_path=$logdir/san/$name/report"
    export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}$lp"
    export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}$lp"
    export LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}$lp"
  fi
  local t0 t1
  t0=$(date +%s%N)
  if [ "$total" -gt 1 ]; then export GTEST_SHARD_INDEX=$shard GTEST_TOTAL_SHARDS=$total; fi
  timeout -k 10 "$timeout_s" "$bin" --gtest_color=no >"$logdir/$name.log" 2>&1
  echo $? >"$logdir/$name.rc"
  t1=$(date +%s%N)
  echo $(((t1 - t0) / 1000000)) >"$logdir/$name.ms"
}

report() {  # job binary: prints the job's block and adds up its results
  local name=$1 bin_name=$2 log="$logdir/$1.log" rc p f ms
  rc=$(cat "$logdir/$name.rc" 2>/dev/null || echo 1)
  ms=$(cat "$logdir/$name.ms" 2>/dev/null || echo 0)
  p=$(grep -E '^\[  PASSED  \] [0-9]+ test' "$log" | grep -oE '[0-9]+' | head -1)
  f=$(grep -E '^\[  FAILED  \] [0-9]+ test' "$log" | grep -oE '[0-9]+' | head -1)
  p=${p:-0}; f=${f:-0}
  printf '=== %s (%d.%d s)\n' "$name" $((ms / 1000)) $((ms % 1000 / 100))
  grep -E '^\[  (FAILED|SKIPPED) +\]|^\[       OK \]' "$log" | grep -v 'listed below' | sed 's/^/  /' | grep -E 'FAILED|SKIPPED' || true
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
    f=1; crashed+=("$name (exit $rc)")
    tail -n 30 "$log" | sed 's/^/  | /'
  elif [ "$f" -ne 0 ]; then
    # Each failed test's own lines, from its RUN to its FAILED.
    awk '/^\[ RUN      \] / { n = 0; delete buf }
         { buf[n++] = $0 }
         /^\[  FAILED  \] .* \([0-9]+ ms\)$/ { m = n < 40 ? n : 40; for (i = 0; i < m; i++) print buf[i];
                                              if (n > m) print "... (" n - m " more lines in the log)" }' \
      "$log" | head -200 | sed 's/^/  | /'
  fi
  san_collect "$name"
  f=$((f + san_new))
  echo "    $p passed, $f failed"
  passed=$((passed + p)); failed=$((failed + f))
  took_ms[$bin_name]=$((${took_ms[$bin_name]:-0} + ms))
}

declare -A running=() running_bin=() took_ms=()  # pid -> job, pid -> binary name
next=0
while [ "$next" -lt "${#order[@]}" ] || [ "${#running[@]}" -gt 0 ]; do
  while [ "$next" -lt "${#order[@]}" ] && [ "${#running[@]}" -lt "$jobs" ]; do
    read -r bin shard total <<<"${order[$next]}"; next=$((next + 1))
    name=$(basename "$bin")
    job=$name; [ "$total" -gt 1 ] && job="$name.shard$((shard + 1))of$total"
    run_one "$bin" "$job" "$shard" "$total" &
    running[$!]=$job; running_bin[$!]=$name
  done
  done_pid=""
  wait -n -p done_pid "${!running[@]}"
  if [ -z "$done_pid" ] || [ -z "${running[$done_pid]+x}" ]; then continue; fi
  report "${running[$done_pid]}" "${running_bin[$done_pid]}"
  unset "running[$done_pid]" "running_bin[$done_pid]"
done

# Sanitized: a daemon or host may end after its test binary did (a
# lingering host, a supervisor on its way out). Wait for every process that
# still writes under this run's report directory, then look again.
if [ "$sanitize" = 1 ]; then
  for _ in $(seq 1 150); do
    left=$(grep -lsF "log_path=$logdir/san/" /proc/[0-9]*/environ 2>/dev/null | wc -l)
    [ "$left" -eq 0 ] && break
    sleep 0.2
  done
  [ "${left:-0}" -gt 0 ] && echo "sanitized processes still running after the suite: $left"
  for d in "$logdir"/san/*/; do
    [ -d "$d" ] || continue
    name=$(basename "$d")
    san_collect "$name" >"$logdir/late.txt"
    if [ "$san_new" -gt 0 ]; then
      echo "=== $name: sanitizer reports from processes that ended after it"
      cat "$logdir/late.txt"
      failed=$((failed + san_new))
    fi
  done
fi

if [ -n "$durations" ]; then
  for n in "${!took_ms[@]}"; do last_s[$n]=$(((${took_ms[$n]} + 999) / 1000)); done
  for n in "${!last_s[@]}"; do echo "$n ${last_s[$n]}"; done >"$durations.tmp" 2>/dev/null &&
    mv "$durations.tmp" "$durations" 2>/dev/null
fi
for c in "${crashed[@]+"${crashed[@]}"}"; do echo "crashed: $c"; done
echo "logs: $logdir"
echo "wall time: $(($(date +%s) - started_at)) s, $jobs binaries at a time"
[ -n "$tier_note" ] && echo "$tier_note"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
