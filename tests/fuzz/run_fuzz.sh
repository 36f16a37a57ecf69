#!/usr/bin/env bash
# run_fuzz.sh — runs each fuzz target given (build-fuzz/fuzz_<name>) for
# FUZZ_S seconds over its seed corpus, one after another, and prints one line
# per target: executions, new inputs kept, crashes. Exits 1 when any target
# crashed, leaked, hit undefined behaviour, timed out or ran out of memory;
# the input that did it is kept as build-fuzz/artifacts/<name>-crash-… (add
# it to tests/fuzz/corpus/<name>/ under a telling name once fixed).
#
# The seed corpus (tests/fuzz/corpus/<name>/) is only read; what the fuzzer
# finds goes into build-fuzz/corpus/<name>/, kept between runs.
# tests/fuzz/<name>.dict, when present, is libFuzzer's dictionary for it.
# FUZZ_ARGS adds libFuzzer flags to every run (e.g. -runs=100000).
set -u
here=$(cd "$(dirname "$0")" && pwd)
secs=${FUZZ_S:-60}
out=${FUZZ_OUT:-build-fuzz}
# check_printf=0: libvterm 0.1.4 answers an unknown DECRQSS (DCS $ q xyz ST)
# with vsnprintf("0$r%.s", (int)len, cmd): the int lands where "%.s" takes
# its string. glibc reads nothing for a precision of 0, so a host never
# crashes, but ASan's printf check calls strlen on it (found by
# fuzz_screen; tests/fuzz/corpus/screen/libvterm-decrqss-unknown).
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1:check_printf=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
failed=0
for bin in "$@"; do
  name=$(basename "$bin"); name=${name#fuzz_}
  seeds="$here/corpus/$name"
  work="$out/corpus/$name"
  mkdir -p "$work" "$out/artifacts" "$out/logs"
  log="$out/logs/$name.log"
  flags=(-max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
         -artifact_prefix="$out/artifacts/$name-")
  [ -f "$here/$name.dict" ] && flags+=(-dict="$here/$name.dict")
  start=$SECONDS
  # shellcheck disable=SC2086
  "$bin" "${flags[@]}" ${FUZZ_ARGS:-} "$work" "$seeds" >"$log" 2>&1
  rc=$?
  took=$((SECONDS - start))
  execs=$(grep -oE 'stat::number_of_executed_units: [0-9]+' "$log" | grep -oE '[0-9]+$' | tail -1)
  if [ -z "$execs" ]; then  # a crash ends the run before the final stats
    execs=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#')
  fi
  kept=$(find "$work" -type f | wc -l)
  crashes=0
  if [ "$rc" -ne 0 ]; then
    crashes=1; failed=1
  fi
  printf '%-14s %12s executions in %ss, corpus %5s, %d crashes%s\n' "fuzz_$name" "${execs:-0}" "$took" \
    "$kept" "$crashes" "$([ "$rc" -ne 0 ] && echo " (exit $rc; $log)")"
  if [ "$rc" -ne 0 ]; then
    grep -E 'ERROR: |runtime error|SUMMARY|fuzz invariant|Test unit written' "$log" | head -8 | sed 's/^/  | /'
  fi
done
exit "$failed"
