#!/usr/bin/env bash
# run_bench.sh — `make bench`: amux against tmux (and a bare PTY) on this
# machine, in one run, printed as a table of ratios.
#
# Why: amux's speed and size targets are set relative to tmux
# 3.3a (and to the raw PTY) measured in the same run, so that a slower or
# faster machine does not change the verdict. This is a report, not a test:
# a missed target prints MISS and the script still exits 0; it exits
# non-zero only when it cannot run at all (a binary or tmux missing).
#
# Parts (BENCH_ONLY names), each against a private tmux server and a private
# amux instance (AMUX_CONFIG_DIR under a temporary directory):
#   tp        A1  throughput of `cat` of a 64 MiB file inside a session,
#                 detached and with a client attached; the raw PTY
#                 (bench/pty_raw) as the ceiling; Claude Code's host if installed.
#                 Two files: ASCII with some colour, and agent-like text
#                 (bench/agent_corpus: 12 % of words UTF-8 with CJK, box
#                 drawing and bullets, 25 % with SGR incl. truecolor)
#   attach    A2  time from `amux attach` / `tmux attach` to the full screen
#   echo      A3  key-to-echo latency through an attached client (bench/term_probe)
#   mem       A4  PSS and RSS of one idle host with 10,000 lines of scrollback,
#                 and the increment per session for 1, 10 and 30 sessions
#   cpu       A5  CPU of 10 idle hosts over 10 s
#   dispatch  B   `amux --bg --exec true` until it returns, and until
#                 `agents --json --all` shows it done, against
#                 `tmux new-session -d true` until it returns and until
#                 `list-sessions` shows its pane dead
#   list      B   `agents --json` with 1 and 100 sessions against
#                 `tmux list-sessions` with 1 and 100 sessions
#   view      D   the agent view with 100 sessions, 20 printing: frame time and
#                 CPU of the view process against a tmux tiled window
#                 (bench/view_bench.sh)
#
#   AMUX_BIN=build/amux BENCH_DIR=build/bench bash bench/run_bench.sh
#   BENCH_QUICK=1   shorter run (16 MiB, fewer repetitions, 1 and 10 sessions, 5 s view)
#   BENCH_ONLY="tp attach echo mem cpu dispatch list view hosts"   run only these parts
#   hosts     H1/H2 another machine over ssh (bench/hosts_bench.sh)
#   BENCH_KEEP=1    keep the work directory (logs, probe output)
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
AMUX=${AMUX_BIN:-$HERE/../build/amux}
BENCH_DIR=${BENCH_DIR:-$HERE/../build/bench}
QUICK=${BENCH_QUICK:-0}
ONLY=${BENCH_ONLY:-tp attach echo mem cpu dispatch list view hosts}
PROBE=$BENCH_DIR/term_probe
RAW=$BENCH_DIR/pty_raw
GEN_MIX=$BENCH_DIR/agent_corpus

if [ "$QUICK" = 1 ]; then
  SIZE_MIB=16 TP_REPS=2 RAW_REPS=3 ATTACH_REPS=8 KEYS=100 MEM_COUNTS="1 10" ROUNDS=3
  DISPATCH_REPS=8 LIST_REPS=10 VIEW_SECS=5
else
  SIZE_MIB=64 TP_REPS=3 RAW_REPS=5 ATTACH_REPS=20 KEYS=200 MEM_COUNTS="1 10 30" ROUNDS=5
  DISPATCH_REPS=20 LIST_REPS=30 VIEW_SECS=10
fi
CPU_SECS=10
LIST_N=100
ROWS=50 COLS=200
DATA=/tmp/bench-${SIZE_MIB}M.txt
DATA_MIX=/tmp/bench-agent-${SIZE_MIB}M.txt

for f in "$AMUX" "$PROBE" "$RAW" "$GEN_MIX"; do
  [ -x "$f" ] || { echo "run_bench: $f is missing (run: make bench)" >&2; exit 1; }
done
[ -f "$HERE/view_bench.sh" ] || { echo "run_bench: $HERE/view_bench.sh is missing" >&2; exit 1; }
command -v tmux >/dev/null || { echo "run_bench: tmux is not installed (make deps)" >&2; exit 1; }

# ---------------------------------------------------------------- set-up ----

work=$(mktemp -d /tmp/amux-bench.XXXXXX)
# Three private amux instances: the host parts (A), dispatch (B) and list
# (B, so that it sees exactly 1 and then 100 sessions).
CFG_MAIN=$work/cfg CFG_DISPATCH=$work/cfg-dispatch CFG_LIST=$work/cfg-list
export AMUX_CONFIG_DIR=$CFG_MAIN
export XDG_RUNTIME_DIR=$work/rt
mkdir -p "$CFG_MAIN" "$CFG_DISPATCH" "$CFG_LIST" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
unset TMUX AMUX_SESSION AMUX_JOB_DIR

# tmux: private servers, same options for all (no status line, so a 200x50
# client sees a 200x50 pane; 10,000 lines of history like the amux test).
# The dispatch server keeps exited panes, so that "done" can be seen.
TMUX_CONF=$work/tmux.conf
cat >"$TMUX_CONF" <<'EOF'
set -g status off
set -g history-limit 10000
set -g exit-empty off
EOF
TMUX_CONF_DISPATCH=$work/tmux-dispatch.conf
{ cat "$TMUX_CONF"; echo 'set -g remain-on-exit on'; } >"$TMUX_CONF_DISPATCH"
TSOCK=bench-$$                  # throughput, attach, echo
TSOCK_MEM=bench-mem-$$          # memory
TSOCK_CPU=bench-cpu-$$          # CPU
TSOCK_DISPATCH=bench-disp-$$    # dispatch
TSOCK_LIST=bench-list-$$        # list
tm()          { tmux -L "$TSOCK" -f "$TMUX_CONF" "$@"; }
tm_mem()      { tmux -L "$TSOCK_MEM" -f "$TMUX_CONF" "$@"; }
tm_cpu()      { tmux -L "$TSOCK_CPU" -f "$TMUX_CONF" "$@"; }
tm_dispatch() { tmux -L "$TSOCK_DISPATCH" -f "$TMUX_CONF_DISPATCH" "$@"; }
tm_list()     { tmux -L "$TSOCK_LIST" -f "$TMUX_CONF" "$@"; }

# Stop everything of one private amux instance: its sessions, its
# supervisor, and any host still alive (its pid is in that config dir).
amux_teardown() {
  local -x AMUX_CONFIG_DIR=$1
  local f id hp
  [ -d "$AMUX_CONFIG_DIR/jobs" ] || return 0
  timeout 20 "$AMUX" daemon stop >/dev/null 2>&1
  for f in "$AMUX_CONFIG_DIR"/jobs/*/state.json; do
    [ -f "$f" ] || continue
    hp=$(json_num "$f" hostPid)
    [ -n "$hp" ] && [ "$hp" -gt 0 ] && [ -r "/proc/$hp/cmdline" ] || continue
    if tr '\0' ' ' <"/proc/$hp/cmdline" | grep -q 'amux.* host '; then
      kill -KILL "$hp" 2>/dev/null
    fi
  done
}

PROBE_PIDS=()
cleanup() {
  local p s d
  for p in "${PROBE_PIDS[@]}"; do kill "$p" 2>/dev/null; done
  for s in "$TSOCK" "$TSOCK_MEM" "$TSOCK_CPU" "$TSOCK_DISPATCH" "$TSOCK_LIST"; do
    tmux -L "$s" kill-server 2>/dev/null
    rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$s"
  done
  for d in "$CFG_MAIN" "$CFG_DISPATCH" "$CFG_LIST"; do amux_teardown "$d"; done
  if [ "${BENCH_KEEP:-0}" = 1 ]; then log "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --------------------------------------------------------------- helpers ----

log() { printf '%s\n' "$*" >&2; }
calc() { awk "BEGIN { printf \"%.${2:-2}f\", $1 }"; }
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) print ""; else printf "%.2f\n", (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
median3() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) print ""; else printf "%.3f\n", (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
# p95 of a list of numbers (nearest rank).
p95() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) print ""; else { k = int(NR * 0.95 + 0.999999); if (k > NR) k = NR; printf "%.2f\n", a[k] } }'; }
ms_since() { calc "($EPOCHREALTIME - $1) * 1000" 3; }   # start → ms until now

# A 20 ms pause without forking sleep(1) fifty times a second.
exec {PAUSE_FD}<> <(:)
pause() { read -r -t "${1:-0.02}" -u "$PAUSE_FD" _ 2>/dev/null; true; }

# Fields of a state.json. json_get sets JV without forking (poll loops use it).
json_get() {
  local s re="\"$2\"[[:space:]]*:[[:space:]]*\"?([^\",}]*)"
  JV=""
  read -r -d '' s <"$1" 2>/dev/null
  [[ $s =~ $re ]] && JV=${BASH_REMATCH[1]}
  true
}
json_str() { json_get "$1" "$2"; [ -n "$JV" ] && printf '%s\n' "$JV"; }
json_num() {
  local s re="\"$2\"[[:space:]]*:[[:space:]]*([0-9]+)"
  read -r -d '' s <"$1" 2>/dev/null
  [[ $s =~ $re ]] && printf '%s\n' "${BASH_REMATCH[1]}"
}
state_file() { printf '%s/jobs/%s/state.json' "$AMUX_CONFIG_DIR" "$1"; }
host_pid() { json_num "$(state_file "$1")" hostPid; }
supervisor_pid() { json_num "$AMUX_CONFIG_DIR/daemon/roster.json" pid; }

# Dispatch a shell job; prints its id.
dispatch() {
  local out id
  out=$("$AMUX" --bg --exec "$1" --name "$2" 2>&1) || { log "amux --bg failed: $out"; return 1; }
  id=$(printf '%s\n' "$out" | grep -m1 '^backgrounded' | grep -oE '\b[0-9a-f]{8}\b' | head -1)
  [ -n "$id" ] || { log "amux --bg: no id in: $out"; return 1; }
  printf '%s\n' "$id"
}

# Wait until the session's state is one of $2 (|-separated), every 20 ms,
# at most $3 seconds. Prints the time it was seen (epoch seconds).
wait_state() {
  local f end s
  f=$(state_file "$1")
  end=$(calc "$EPOCHREALTIME + $3" 6)
  while :; do
    json_get "$f" state
    s=$JV
    if [ -n "$s" ] && [[ "|$2|" == *"|$s|"* ]]; then
      printf '%s\n' "$EPOCHREALTIME"
      return 0
    fi
    case $s in done|failed|stopped)
      log "session $1 ended as $s while waiting for $2"; return 1 ;;
    esac
    [[ ${EPOCHREALTIME/./} -lt ${end/./} ]] || { log "session $1: no state $2 after $3 s (now '$s')"; return 1; }
    pause 0.02
  done
}
# A live session with its host up.
wait_live() {
  wait_state "$1" 'working|idle|blocked' "${2:-10}" >/dev/null || return 1
  local hp
  hp=$(host_pid "$1")
  [ -n "$hp" ] && [ -d "/proc/$hp" ]
}
# Until `capture` (amux) or capture-pane (tmux) shows a line matching $2.
wait_amux_screen() {
  local i
  for i in $(seq 1 150); do
    "$AMUX" capture "$1" 2>/dev/null | grep -qE "$2" && return 0
    pause 0.1
  done
  log "session $1: screen never showed /$2/"
  return 1
}
wait_tmux_screen() {  # $1: tmux function, $2: target, $3: regex
  local i
  for i in $(seq 1 150); do
    "$1" capture-pane -p -t "$2" 2>/dev/null | grep -qE "$3" && return 0
    pause 0.1
  done
  log "tmux $2: screen never showed /$3/"
  return 1
}

# Release a session waiting on a fifo, without hanging if nobody reads.
release() { timeout 10 bash -c 'echo go >"$1"' _ "$1"; }
# Wait for a file to appear, at most $2 seconds.
wait_file() {
  local i n
  n=$(calc "$2 * 50" 0)
  for ((i = 0; i < n; i++)); do [ -e "$1" ] && return 0; pause 0.02; done
  return 1
}

# Memory of a pid in KiB: "RSS PSS".
rss_pss() { awk '/^Rss:/ { r = $2 } /^Pss:/ { p = $2 } END { print r + 0, p + 0 }' "/proc/$1/smaps_rollup" 2>/dev/null; }
# CPU time of a pid (all its threads) in ns: schedstat when the kernel has it
# (ns resolution), else utime+stime from stat (clock ticks).
HZ=$(getconf CLK_TCK)
cpu_ns() {
  local pid=$1 t sum=0 a _
  if [ -r "/proc/$pid/schedstat" ]; then
    for t in /proc/"$pid"/task/*/schedstat; do
      read -r a _ <"$t" 2>/dev/null && sum=$((sum + a))
    done
    echo "$sum"
  else
    awk -v hz="$HZ" '{ sub(/.*\) /, ""); printf "%d\n", ($12 + $13) * 1e9 / hz }' "/proc/$pid/stat" 2>/dev/null || echo 0
  fi
}
CPU_SOURCE=$([ -r /proc/self/schedstat ] && echo "schedstat (ns)" || echo "stat (clock ticks)")

field() { sed -n "s/.*[[:space:]]$1=\([^[:space:]]*\).*/\1/p" | head -1; }

want() { [[ " $ONLY " == *" $1 "* ]]; }

declare -A R   # results by key; empty when a measurement failed
CLAUDE_NOTE=""
NOTES=()       # extra lines for the notes under the table

# ------------------------------------------------------------- A1: throughput

mib_s() { calc "$SIZE_MIB_EXACT / ($2 - $1)"; }   # start end → MiB/s

make_data() {
  if [ ! -s "$DATA" ] || [ "$(stat -c %s "$DATA")" -lt $((SIZE_MIB * 1048576)) ]; then
    log "generating $DATA ($SIZE_MIB MiB of ~80-column text, some of it coloured)"
    awk -v size=$((SIZE_MIB * 1048576)) 'BEGIN {
      srand(1)
      n = split("lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et dolore magna aliqua Ut enim ad minim veniam quis nostrud exercitation ullamco laboris nisi", w, " ")
      total = 0
      while (total < size) {
        i++; line = sprintf("%08d", i); vis = 8
        while (vis < 78) {
          x = w[int(rand() * n) + 1]; vis += length(x) + 1
          if (rand() < 0.08) x = "\033[3" (int(rand() * 7) + 1) "m" x "\033[0m"
          line = line " " x
        }
        print line; total += length(line) + 1
      }
    }' >"$DATA.tmp.$$" && mv "$DATA.tmp.$$" "$DATA"
  fi
  if [ ! -s "$DATA_MIX" ] || [ "$(stat -c %s "$DATA_MIX")" -lt $((SIZE_MIB * 1048576 - 4096)) ]; then
    log "generating $DATA_MIX ($SIZE_MIB MiB of agent-like text: UTF-8, CJK, box drawing, truecolor)"
    "$GEN_MIX" "$DATA_MIX.tmp.$$" "$SIZE_MIB" && mv "$DATA_MIX.tmp.$$" "$DATA_MIX"
  fi
  cat "$DATA" "$DATA_MIX" >/dev/null   # in the page cache for everyone
  use_data ascii
}

# Picks the file of the next runs: ascii (R keys tp_*) or mix (tp_*_mix... keys
# get the suffix _mix: tp_raw_mix, tp_det_mix_amux, ...).
use_data() {
  if [ "$1" = mix ]; then CUR=$DATA_MIX SFX=_mix; else CUR=$DATA SFX=""; fi
  SIZE_BYTES=$(stat -c %s "$CUR")
  SIZE_MIB_EXACT=$(calc "$SIZE_BYTES / 1048576" 3)
  CAT_CMD="cat $CUR; printf 'DONE-%s\\n' MARKER"   # the marker text is not in the command
  log "data: $CUR, $SIZE_MIB_EXACT MiB; PTY ${COLS}x${ROWS}; quick=$QUICK"
}

tp_raw() {
  log "== throughput: raw PTY ($CUR)"
  local v="" i
  for i in $(seq 1 "$RAW_REPS"); do
    v+=" $("$RAW" "$CUR" --rows $ROWS --cols $COLS | field mibps)"
  done
  R[tp_raw$SFX]=$(median <<<"$v")
  log "   raw: $v MiB/s"
}

tp_detached() {
  log "== throughput: detached ($CUR)"
  local va="" vt="" i id t0 t1
  for i in $(seq 1 "$TP_REPS"); do
    t0=$EPOCHREALTIME
    if id=$(dispatch "$CAT_CMD" "tp-det$SFX-$i") && t1=$(wait_state "$id" done 120); then
      va+=" $(mib_s "$t0" "$t1")"
    fi
    t0=$EPOCHREALTIME
    tm new-session -d -s "det$SFX$i" -x $COLS -y $ROWS "$CAT_CMD; tmux -L $TSOCK wait-for -S det$SFX$i"
    if timeout 120 tmux -L "$TSOCK" wait-for "det$SFX$i"; then
      t1=$EPOCHREALTIME
      vt+=" $(mib_s "$t0" "$t1")"
    fi
  done
  R[tp_det${SFX}_amux]=$(median <<<"$va")
  R[tp_det${SFX}_tmux]=$(median <<<"$vt")
  log "   amux:$va MiB/s"
  log "   tmux:$vt MiB/s"
}

# Attached: the session waits on a fifo; the probe attaches a 200x50 client
# that drains everything; once it has drawn the first screen, the fifo
# releases the cat. The end is the client receiving the marker line (the
# session then waits on a second fifo, so that no multiplexer can skip its
# last frame because the session has gone).
attached_run() {  # $1: amux|tmux  $2: index → sets ATT (MiB/s)
  ATT=""
  local kind=$1 i=$SFX$2 go=$work/go-$1$SFX-$2 go2=$work/go2-$1$SFX-$2 ready=$work/ready-$1$SFX-$2 out=$work/drain-$1$SFX-$2
  local id t0 pid marker cmd
  mkfifo "$go" "$go2"
  cmd="read _ <$go; $CAT_CMD; read _ <$go2"
  if [ "$kind" = amux ]; then
    id=$(dispatch "$cmd" "tp-att-$i") && wait_live "$id" || return 1
    "$PROBE" drain --rows $ROWS --cols $COLS --marker DONE-MARKER --ready-file "$ready" \
      --detach 1c --timeout 180 -- "$AMUX" attach "$id" >"$out" 2>"$out.err" &
  else
    tm new-session -d -s "att$i" -x $COLS -y $ROWS "$cmd"
    "$PROBE" drain --rows $ROWS --cols $COLS --marker DONE-MARKER --ready-file "$ready" \
      --detach 0264 --timeout 180 -- tmux -L "$TSOCK" attach -t "att$i" >"$out" 2>"$out.err" &
  fi
  pid=$!
  PROBE_PIDS+=("$pid")
  if ! wait_file "$ready" 15; then
    log "   $kind attached: the client never drew a screen: $(cat "$out.err")"
    kill "$pid" 2>/dev/null
    release "$go"; release "$go2"
    return 1
  fi
  t0=$EPOCHREALTIME
  release "$go" || { log "   $kind attached: the session did not read its fifo"; kill "$pid" 2>/dev/null; return 1; }
  wait "$pid"
  release "$go2"
  [ "$kind" = amux ] && wait_state "$id" done 20 >/dev/null
  marker=$(field marker_epoch <"$out")
  if [ -z "$marker" ] || [ "$marker" = none ]; then
    log "   $kind attached run $i: the client never showed the end marker ($(cat "$out" "$out.err" | tr '\n' ' '))"
    return 1
  fi
  ATT=$(mib_s "$t0" "$marker")
}
tp_attached() {
  log "== throughput: one client attached ($CUR)"
  local va="" vt="" i
  for i in $(seq 1 "$TP_REPS"); do
    attached_run amux "$i" && va+=" $ATT"
    attached_run tmux "$i" && vt+=" $ATT"
  done
  R[tp_att${SFX}_amux]=$(median <<<"$va")
  R[tp_att${SFX}_tmux]=$(median <<<"$vt")
  log "   amux:$va MiB/s"
  log "   tmux:$vt MiB/s"
}

# Claude Code's own session host, when it is installed: same job through
# `claude --bg --exec`, its state.json polled the same way.
tp_claude() {
  if ! command -v claude >/dev/null 2>&1; then
    CLAUDE_NOTE="claude is not installed: the Claude Code host is left out of the throughput table"
    return
  fi
  log "== throughput: Claude Code host ($(command -v claude))"
  local cdir=$work/claude vc="" i t0 t1 out cid f end
  mkdir -p "$cdir"
  for i in $(seq 1 "$TP_REPS"); do
    t0=$EPOCHREALTIME
    out=$(CLAUDE_CONFIG_DIR=$cdir timeout 60 claude --bg --exec "$CAT_CMD" 2>&1)
    cid=$(printf '%s\n' "$out" | grep -m1 '^backgrounded' | grep -oE '\b[0-9a-f]{8}\b' | head -1)
    [ -n "$cid" ] || { CLAUDE_NOTE="claude is installed but 'claude --bg --exec' did not dispatch: $(printf '%s' "$out" | head -1)"; break; }
    f=$cdir/jobs/$cid/state.json
    end=$(calc "$EPOCHREALTIME + 120" 6) t1=""
    while [[ ${EPOCHREALTIME/./} -lt ${end/./} ]]; do
      json_get "$f" state
      [ "$JV" = done ] && { t1=$EPOCHREALTIME; break; }
      pause 0.02
    done
    [ -n "$t1" ] && vc+=" $(mib_s "$t0" "$t1")"
    CLAUDE_CONFIG_DIR=$cdir timeout 10 claude stop "$cid" >/dev/null 2>&1
  done
  R[tp_det_claude]=$(median <<<"$vc")
  [ -z "${R[tp_det_claude]}" ] && [ -z "$CLAUDE_NOTE" ] && CLAUDE_NOTE="claude is installed but its session never reported done"
  CLAUDE_CONFIG_DIR=$cdir timeout 10 claude daemon stop >/dev/null 2>&1
  log "   claude:$vc MiB/s"
}

bench_tp() {
  use_data ascii; tp_raw; tp_detached; tp_attached; tp_claude
  use_data mix; tp_raw; tp_detached; tp_attached
  use_data ascii
}

# ------------------------------------------------------------ A2: attach time

# The session's screen: 49 full lines and a last row ending in ZQ-END; each
# row starts with a token (no doubled letters, so no renderer can compress
# it) and all 50 must reach the client.
write_fill_script() {
  FILL=$work/fill.sh
  cat >"$FILL" <<'EOF'
T=ABCDEFGH O=abcdefghij
for i in $(seq 1 50); do
  tok="row${T:$((i / 10)):1}${O:$((i % 10)):1}:"
  if [ "$i" -lt 50 ]; then
    printf '%s the quick brown fox jumps over the lazy dog %d \033[1;32mpack my box\033[0m with five dozen liquor jugs %d sphinx of black quartz judge my vow\n' "$tok" "$i" "$i"
  else
    printf '%s ZQ-END' "$tok"
  fi
done
exec sleep 1000000
EOF
  MARKERS=()
  local T=ABCDEFGH O=abcdefghij i
  for i in $(seq 1 50); do MARKERS+=(--marker "row${T:$((i / 10)):1}${O:$((i % 10)):1}:"); done
  MARKERS+=(--marker ZQ-END)
}

# Latencies drift with whatever else the machine does, so amux and tmux are
# measured in alternating rounds and each figure is the median of its
# rounds' medians (p95: the median of the rounds' p95).
bench_attach() {
  log "== attach to full screen ($ROUNDS alternating rounds of $ATTACH_REPS attaches each)"
  local id="" o r am=() ap=() tmed=() tp95=()
  write_fill_script
  if id=$(dispatch "bash $FILL" fill) && wait_live "$id" && wait_amux_screen "$id" 'ZQ-END'; then :; else id=""; fi
  tm new-session -d -s fill -x $COLS -y $ROWS "bash $FILL"
  wait_tmux_screen tm fill 'ZQ-END' || true
  for r in $(seq 1 "$ROUNDS"); do
    if [ -n "$id" ]; then
      o=$("$PROBE" attach --rows $ROWS --cols $COLS --repeat "$ATTACH_REPS" "${MARKERS[@]}" --detach 1c -- "$AMUX" attach "$id")
      am+=("$(field median_ms <<<"$o")"); ap+=("$(field p95_ms <<<"$o")")
      log "   amux: $o"
    fi
    o=$("$PROBE" attach --rows $ROWS --cols $COLS --repeat "$ATTACH_REPS" "${MARKERS[@]}" --detach 0264 -- tmux -L "$TSOCK" attach -t fill)
    tmed+=("$(field median_ms <<<"$o")"); tp95+=("$(field p95_ms <<<"$o")")
    log "   tmux: $o"
  done
  R[attach_amux]=$(echo "${am[*]:-}" | median3); R[attach_amux_p95]=$(echo "${ap[*]:-}" | median3)
  R[attach_tmux]=$(echo "${tmed[*]:-}" | median3); R[attach_tmux_p95]=$(echo "${tp95[*]:-}" | median3)
  [ -n "$id" ] && timeout 5 "$AMUX" stop "$id" >/dev/null 2>&1
  tm kill-session -t fill 2>/dev/null
}

# ------------------------------------------------------------ A3: key to echo

bench_echo() {
  log "== key-to-echo latency ($ROUNDS alternating rounds of $KEYS keys each)"
  local echo_cmd='clear; stty raw -echo; exec cat' id="" o r am=() ap=() tmed=() tp95=()
  if id=$(dispatch "$echo_cmd" echo) && wait_live "$id"; then :; else id=""; fi
  tm new-session -d -s echo -x $COLS -y $ROWS "$echo_cmd"
  pause 0.3
  for r in $(seq 1 "$ROUNDS"); do
    if [ -n "$id" ]; then
      o=$("$PROBE" echo --rows $ROWS --cols $COLS --keys "$KEYS" --detach 1c -- "$AMUX" attach "$id")
      am+=("$(field median_ms <<<"$o")"); ap+=("$(field p95_ms <<<"$o")")
      log "   amux: $o"
    fi
    o=$("$PROBE" echo --rows $ROWS --cols $COLS --keys "$KEYS" --detach 0264 -- tmux -L "$TSOCK" attach -t echo)
    tmed+=("$(field median_ms <<<"$o")"); tp95+=("$(field p95_ms <<<"$o")")
    log "   tmux: $o"
  done
  R[echo_amux]=$(echo "${am[*]:-}" | median3); R[echo_amux_p95]=$(echo "${ap[*]:-}" | median3)
  R[echo_tmux]=$(echo "${tmed[*]:-}" | median3); R[echo_tmux_p95]=$(echo "${tp95[*]:-}" | median3)
  [ -n "$id" ] && timeout 5 "$AMUX" stop "$id" >/dev/null 2>&1
  tm kill-session -t echo 2>/dev/null
}

# ----------------------------------------------------------------- A4: memory

SCROLL_CMD='seq 1 10000; exec sleep 1000000'

bench_mem() {
  log "== memory: one idle session with 10,000 lines of scrollback"
  local mem_ids=() extra_ids=() id tmem_pid tbase_rss tbase_pss have=0 n k ok srss spss r p sup
  if id=$(dispatch "$SCROLL_CMD" mem-0) && wait_live "$id" && wait_amux_screen "$id" '^10000 *$'; then
    mem_ids+=("$id")
    pause 2
    read -r R[mem1_amux_rss] R[mem1_amux_pss] <<<"$(rss_pss "$(host_pid "$id")")"
    log "   amux host: RSS ${R[mem1_amux_rss]} kB, PSS ${R[mem1_amux_pss]} kB"
  fi
  tm_mem new-session -d -s m0 -x $COLS -y $ROWS "$SCROLL_CMD"
  tmem_pid=$(tm_mem display-message -p '#{pid}')
  if wait_tmux_screen tm_mem m0 '^10000 *$'; then
    pause 2
    read -r R[mem1_tmux_rss] R[mem1_tmux_pss] <<<"$(rss_pss "$tmem_pid")"
    log "   tmux server: RSS ${R[mem1_tmux_rss]} kB, PSS ${R[mem1_tmux_pss]} kB"
  fi
  tbase_rss=${R[mem1_tmux_rss]:-0} tbase_pss=${R[mem1_tmux_pss]:-0}

  # Increments: sessions are added to the first one; amux counts the hosts of
  # the added sessions, tmux the growth of its server, both divided by n.
  for n in $MEM_COUNTS; do
    log "== memory: $n more idle sessions"
    ok=1
    for ((k = have + 1; k <= n; k++)); do
      id=$(dispatch "$SCROLL_CMD" "mem-$k") && extra_ids+=("$id") || ok=0
      tm_mem new-session -d -s "m$k" -x $COLS -y $ROWS "$SCROLL_CMD"
    done
    have=$n
    for id in "${extra_ids[@]}"; do wait_live "$id" && wait_amux_screen "$id" '^10000 *$' || ok=0; done
    for ((k = 1; k <= n; k++)); do wait_tmux_screen tm_mem "m$k" '^10000 *$' || ok=0; done
    pause 2
    if [ "$ok" = 1 ]; then
      srss=0 spss=0
      for id in "${extra_ids[@]}"; do
        read -r r p <<<"$(rss_pss "$(host_pid "$id")")"
        srss=$((srss + r)) spss=$((spss + p))
      done
      R[inc${n}_amux_rss]=$((srss / n)) R[inc${n}_amux_pss]=$((spss / n))
      read -r r p <<<"$(rss_pss "$tmem_pid")"
      R[inc${n}_tmux_rss]=$(((r - tbase_rss) / n)) R[inc${n}_tmux_pss]=$(((p - tbase_pss) / n))
      log "   per session: amux RSS ${R[inc${n}_amux_rss]} kB PSS ${R[inc${n}_amux_pss]} kB; tmux RSS ${R[inc${n}_tmux_rss]} kB PSS ${R[inc${n}_tmux_pss]} kB"
    fi
  done
  sup=$(supervisor_pid)
  [ -n "$sup" ] && read -r R[sup_rss] R[sup_pss] <<<"$(rss_pss "$sup")"
  for id in "${mem_ids[@]}" "${extra_ids[@]}"; do timeout 5 "$AMUX" stop "$id" >/dev/null 2>&1; done
  tm_mem kill-server 2>/dev/null
}

# -------------------------------------------------------------------- A5: CPU

bench_cpu() {
  log "== CPU: 10 idle sessions over $CPU_SECS s ($CPU_SOURCE)"
  # The tmux server starts with a base session, so that the memory of the 10
  # added ones is its growth; the base goes before the CPU is measured.
  local tcpu_pid tb_rss tb_pss ids=() pids=() k id p r q srss spss a0 a1 t0 t1 s0 s1 sup
  tm_cpu new-session -d -s c0 -x $COLS -y $ROWS 'exec sleep 1000000'
  tcpu_pid=$(tm_cpu display-message -p '#{pid}')
  pause 1
  read -r tb_rss tb_pss <<<"$(rss_pss "$tcpu_pid")"
  for k in $(seq 1 10); do
    id=$(dispatch 'exec sleep 1000000' "idle-$k") && ids+=("$id")
    tm_cpu new-session -d -s "c$k" -x $COLS -y $ROWS 'exec sleep 1000000'
  done
  for id in "${ids[@]}"; do wait_live "$id" && pids+=("$(host_pid "$id")"); done
  pause 2
  if [ "${#pids[@]}" != 10 ]; then
    log "   amux: only ${#pids[@]} of 10 hosts came up"
  else
    srss=0 spss=0
    for p in "${pids[@]}"; do
      read -r r q <<<"$(rss_pss "$p")"
      srss=$((srss + r)) spss=$((spss + q))
    done
    read -r r q <<<"$(rss_pss "$tcpu_pid")"
    R[idle_amux_rss]=$((srss / 10)) R[idle_amux_pss]=$((spss / 10))
    R[idle_tmux_rss]=$(((r - tb_rss) / 10)) R[idle_tmux_pss]=$(((q - tb_pss) / 10))
    log "   memory per session (no output): amux RSS ${R[idle_amux_rss]} kB PSS ${R[idle_amux_pss]} kB; tmux RSS ${R[idle_tmux_rss]} kB PSS ${R[idle_tmux_pss]} kB"
  fi
  tm_cpu kill-session -t c0
  if [ "${#pids[@]}" = 10 ]; then
    sup=$(supervisor_pid)
    [ -n "$sup" ] && [ -d "/proc/$sup" ] || sup=""
    a0=0; for p in "${pids[@]}"; do a0=$((a0 + $(cpu_ns "$p"))); done
    t0=$(cpu_ns "$tcpu_pid")
    s0=$([ -n "$sup" ] && cpu_ns "$sup" || echo 0)
    pause "$CPU_SECS"
    a1=0; for p in "${pids[@]}"; do a1=$((a1 + $(cpu_ns "$p"))); done
    t1=$(cpu_ns "$tcpu_pid")
    s1=$([ -n "$sup" ] && cpu_ns "$sup" || echo 0)
    R[cpu_amux]=$(calc "($a1 - $a0) / 1e6" 2)
    R[cpu_tmux]=$(calc "($t1 - $t0) / 1e6" 2)
    R[cpu_sup]=$(calc "($s1 - $s0) / 1e6" 2)
    log "   amux hosts: ${R[cpu_amux]} ms, tmux server: ${R[cpu_tmux]} ms, amux supervisor (pid ${sup:-?}): ${R[cpu_sup]} ms"
  fi
  for id in "${ids[@]}"; do timeout 5 "$AMUX" stop "$id" >/dev/null 2>&1; done
  tm_cpu kill-server 2>/dev/null
}

# ------------------------------------------------------------- B: dispatch

# `amux --bg --exec true` timed until it returns (it printed the id), then
# `agents --json --all` polled back to back until that id shows state done
# (plain `agents --json` leaves finished sessions out). tmux: `new-session
# -d -P true` until it returns, then `list-sessions` polled until the pane is
# dead (remain-on-exit keeps it listed). Both have a warm server/supervisor
# kept alive by one long-running session, and both captures go through $(…).
bench_dispatch() {
  log "== dispatch: a 'true' job, until the command returns and until it is listed as done ($DISPATCH_REPS each)"
  local -x AMUX_CONFIG_DIR=$CFG_DISPATCH
  local keep i out id t0 t1 t2 end re l ra="" da="" rt="" dt="" fails=0
  keep=$(dispatch 'exec sleep 1000000' keep) && wait_live "$keep" || { log "   amux: the keep-alive session did not start"; return; }
  tm_dispatch new-session -d -s keep -x $COLS -y $ROWS 'exec sleep 1000000'
  for i in $(seq 1 "$DISPATCH_REPS"); do
    # amux
    t0=$EPOCHREALTIME
    out=$("$AMUX" --bg --exec true --name "d$i" 2>&1)
    t1=$EPOCHREALTIME
    re='backgrounded[^0-9a-f]*([0-9a-f]{8})'
    if [[ $out =~ $re ]]; then
      id=${BASH_REMATCH[1]}
      re="\"id\": *\"$id\"[^}]*\"state\": *\"done\""
      end=$(calc "$t0 + 20" 6) t2=""
      while [[ ${EPOCHREALTIME/./} -lt ${end/./} ]]; do
        l=$("$AMUX" agents --json --all 2>/dev/null)
        [[ $l =~ $re ]] && { t2=$EPOCHREALTIME; break; }
      done
      ra+=" $(calc "($t1 - $t0) * 1000" 3)"
      if [ -n "$t2" ]; then da+=" $(calc "($t2 - $t0) * 1000" 3)"; else fails=$((fails + 1)); log "   amux d$i ($id): never listed as done"; fi
    else
      fails=$((fails + 1))
      log "   amux --bg --exec true: no id in: $out"
    fi
    # tmux
    t0=$EPOCHREALTIME
    out=$(tm_dispatch new-session -d -P -F '#{session_name}' -s "d$i" -x $COLS -y $ROWS true 2>&1)
    t1=$EPOCHREALTIME
    if [ "$out" = "d$i" ]; then
      end=$(calc "$t0 + 20" 6) t2=""
      while [[ ${EPOCHREALTIME/./} -lt ${end/./} ]]; do
        l=$(tm_dispatch list-sessions -F '#{session_name} #{pane_dead}' 2>/dev/null)
        [[ $'\n'$l$'\n' == *$'\n'"d$i 1"$'\n'* ]] && { t2=$EPOCHREALTIME; break; }
      done
      rt+=" $(calc "($t1 - $t0) * 1000" 3)"
      [ -n "$t2" ] && dt+=" $(calc "($t2 - $t0) * 1000" 3)"
    else
      log "   tmux new-session: $out"
    fi
  done
  R[disp_ret_amux]=$(median <<<"$ra") R[disp_ret_amux_p95]=$(p95 <<<"$ra")
  R[disp_done_amux]=$(median <<<"$da") R[disp_done_amux_p95]=$(p95 <<<"$da")
  R[disp_ret_tmux]=$(median <<<"$rt") R[disp_ret_tmux_p95]=$(p95 <<<"$rt")
  R[disp_done_tmux]=$(median <<<"$dt") R[disp_done_tmux_p95]=$(p95 <<<"$dt")
  log "   amux returns:$ra ms"
  log "   amux done:   $da ms"
  log "   tmux returns:$rt ms"
  log "   tmux done:   $dt ms"
  [ "$fails" = 0 ] || NOTES+=("dispatch: $fails of $DISPATCH_REPS amux dispatches failed or were never listed as done (see the log above)")
  amux_teardown "$CFG_DISPATCH"
  tm_dispatch kill-server 2>/dev/null
}

# ----------------------------------------------------------------- B: list

# Time a listing command $LIST_REPS times (output captured through $(…));
# sets LIST_MED, LIST_P95 (ms) and LIST_OUT (the last output).
time_listing() {
  local i t0 v=""
  for i in $(seq 1 "$LIST_REPS"); do
    t0=$EPOCHREALTIME
    LIST_OUT=$("$@" 2>&1)
    v+=" $(ms_since "$t0")"
  done
  LIST_MED=$(median <<<"$v") LIST_P95=$(p95 <<<"$v")
}
count_ids() { grep -o '"id": *"[0-9a-f]*"' <<<"$1" | wc -l; }

bench_list() {
  local -x AMUX_CONFIG_DIR=$CFG_LIST
  local n k id ids=() ok=1 got
  for n in 1 "$LIST_N"; do
    log "== list: agents --json / list-sessions with $n live sessions ($LIST_REPS each)"
    for ((k = ${#ids[@]} + 1; k <= n; k++)); do
      id=$(dispatch 'exec sleep 1000000' "list-$k") && ids+=("$id") || ok=0
      tm_list new-session -d -s "l$k" -x $COLS -y $ROWS 'exec sleep 1000000'
    done
    for id in "${ids[@]}"; do wait_live "$id" 20 || ok=0; done
    [ "$ok" = 1 ] || { log "   amux: not all $n sessions came up"; break; }
    pause 1
    time_listing "$AMUX" agents --json
    got=$(count_ids "$LIST_OUT")
    if [ "$got" = "$n" ]; then
      R[list${n}_amux]=$LIST_MED R[list${n}_amux_p95]=$LIST_P95
    else
      log "   amux agents --json listed $got sessions, not $n"
      NOTES+=("list: amux agents --json listed $got sessions with $n live")
    fi
    log "   amux: median $LIST_MED ms, p95 $LIST_P95 ms ($got sessions, $(printf '%s' "$LIST_OUT" | wc -c) bytes)"
    time_listing tm_list list-sessions
    got=$(grep -c . <<<"$LIST_OUT")
    [ "$got" = "$n" ] && R[list${n}_tmux]=$LIST_MED R[list${n}_tmux_p95]=$LIST_P95
    log "   tmux: median $LIST_MED ms, p95 $LIST_P95 ms ($got sessions)"
  done
  amux_teardown "$CFG_LIST"
  tm_list kill-server 2>/dev/null
}

# ----------------------------------------------------------------- D: view

bench_view() {
  local out res
  out=$work/view_bench.out
  AMUX_BIN=$AMUX bash "$HERE/view_bench.sh" "$VIEW_SECS" >"$out" 2>&1
  grep -v '^RESULT' "$out" >&2
  res=$(grep '^RESULT view' "$out" | tail -1)
  [ -n "$res" ] || { NOTES+=("view: bench/view_bench.sh did not finish (see the log above)"); return; }
  local k
  for k in frames median_ms p99_ms max_ms view_cpu hosts_cpu sup_cpu tmux_cpu tmux_server_cpu tmux_client_cpu panes; do
    R[view_$k]=$(field "$k" <<<" $res")
  done
}

# ----------------------------------------------------------------- table ----

# row METRIC AMUX TMUX RAW RATIO TARGET RESULT
row() { printf '%-36s %12s %12s %12s %14s %18s  %s\n' "$@"; }
# verdict VALUE OP LIMIT → OK / MISS / n/a
verdict() {
  [ -n "$1" ] && [ -n "$3" ] || { echo n/a; return; }
  awk -v v="$1" -v l="$3" -v op="$2" 'BEGIN {
    ok = (op == ">=") ? (v >= l) : (op == "<") ? (v < l) : (v <= l); print ok ? "OK" : "MISS" }'
}
ratio() {  # a b → a/b, or empty
  [ -n "$1" ] && [ -n "$2" ] && awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b }'
}
u() { [ -n "$1" ] && printf '%s %s' "$1" "$2"; }
mib() { [ -n "$1" ] && calc "$1 / 1024" 2; }   # kB → MiB
x() { [ -n "$1" ] && printf '%s×%s' "$1" "${2:+ $2}"; }
# cmp_row LABEL AMUX TMUX UNIT OP LIMIT TARGET-TEXT: ratio amux/tmux against a limit
cmp_row() {
  local rt
  rt=$(ratio "$2" "$3")
  row "$1" "$(u "$2" "$4")" "$(u "$3" "$4")" "" "$(x "$rt")" "$7" "$([ "$7" = info ] || verdict "$rt" "$5" "$6")"
}

print_table() {
  local mode label a t r rt rr rc n
  echo
  echo "amux bench — $(nproc) cores, $(tmux -V), PTY ${COLS}x${ROWS}$([ -n "${SIZE_MIB_EXACT:-}" ] && echo ", $SIZE_MIB_EXACT MiB file")$([ "$QUICK" = 1 ] && echo ', quick run'); parts: $ONLY"
  echo "load average at start: $LOAD_START, at end: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine skews the figures)"
  echo
  row "metric" "amux" "tmux" "raw PTY" "ratio" "target" "result"
  row "------" "----" "----" "-------" "-----" "------" "------"

  if want tp; then
    for mode in det att; do
      label=$([ $mode = det ] && echo detached || echo attached)
      a=${R[tp_${mode}_amux]:-} t=${R[tp_${mode}_tmux]:-} r=${R[tp_raw]:-}
      rt=$(ratio "$a" "$t"); rr=$(ratio "$a" "$r")
      row "A1 cat throughput, $label" "$(u "$a" MiB/s)" "$(u "$t" MiB/s)" "$(u "$r" MiB/s)" "$(x "$rt" tmux)" "≥ 3× tmux" "$(verdict "$rt" '>=' 3)"
      row "A1 cat throughput, $label vs raw" "" "" "" "$(x "$rr" raw)" "≥ 0.7× raw" "$(verdict "$rr" '>=' 0.7)"
    done
    for mode in det att; do
      label=$([ $mode = det ] && echo detached || echo attached)
      a=${R[tp_${mode}_mix_amux]:-} t=${R[tp_${mode}_mix_tmux]:-} r=${R[tp_raw_mix]:-}
      rt=$(ratio "$a" "$t"); rr=$(ratio "$a" "$r")
      row "A1 agent-like text, $label" "$(u "$a" MiB/s)" "$(u "$t" MiB/s)" "$(u "$r" MiB/s)" "$(x "$rt" tmux)" "info" ""
      row "A1 agent-like text, $label vs raw" "" "" "" "$(x "$rr" raw)" "≥ 0.8× raw" "$(verdict "$rr" '>=' 0.8)"
      rt=$(ratio "$t" "$r")
      row "A1 agent-like text, $label: tmux vs raw" "" "" "" "$(x "$rt" raw)" "info" ""
    done
    if [ -n "${R[tp_det_claude]:-}" ]; then
      rc=$(ratio "${R[tp_det_amux]:-}" "${R[tp_det_claude]}")
      row "A1 detached, amux vs Claude host" "" "" "" "$(x "$rc" claude)" "info" ""
    fi
  fi
  if want attach; then
    cmp_row "A2 attach to full screen, median" "${R[attach_amux]:-}" "${R[attach_tmux]:-}" ms '<=' 1 "≤ tmux"
    cmp_row "A2 attach to full screen, p95" "${R[attach_amux_p95]:-}" "${R[attach_tmux_p95]:-}" ms '' '' info
  fi
  if want echo; then
    cmp_row "A3 key to echo, median" "${R[echo_amux]:-}" "${R[echo_tmux]:-}" ms '<=' 1 "≤ tmux"
    cmp_row "A3 key to echo, p95" "${R[echo_amux_p95]:-}" "${R[echo_tmux_p95]:-}" ms '' '' info
  fi
  if want mem; then
    a=$(mib "${R[mem1_amux_pss]:-}") t=$(mib "${R[mem1_tmux_pss]:-}")
    row "A4 idle host, 10k lines: PSS" "$(u "$a" MiB)" "$(u "$t" MiB)" "" "$(x "$(ratio "$a" "$t")")" "≤ 1.5 MiB" "$(verdict "$a" '<=' 1.5)"
    a=$(mib "${R[mem1_amux_rss]:-}") t=$(mib "${R[mem1_tmux_rss]:-}")
    row "A4 idle host, 10k lines: RSS" "$(u "$a" MiB)" "$(u "$t" MiB)" "" "$(x "$(ratio "$a" "$t")")" "≤ 4 MiB" "$(verdict "$a" '<=' 4)"
    for n in $MEM_COUNTS; do
      cmp_row "A4 per session (+$n): PSS" "$(mib "${R[inc${n}_amux_pss]:-}")" "$(mib "${R[inc${n}_tmux_pss]:-}")" MiB '' '' info
      cmp_row "A4 per session (+$n): RSS" "$(mib "${R[inc${n}_amux_rss]:-}")" "$(mib "${R[inc${n}_tmux_rss]:-}")" MiB '' '' info
    done
  fi
  if want cpu; then
    cmp_row "A4 per session (+10, no output): PSS" "$(mib "${R[idle_amux_pss]:-}")" "$(mib "${R[idle_tmux_pss]:-}")" MiB '' '' info
    cmp_row "A4 per session (+10, no output): RSS" "$(mib "${R[idle_amux_rss]:-}")" "$(mib "${R[idle_tmux_rss]:-}")" MiB '' '' info
    a=${R[cpu_amux]:-} t=${R[cpu_tmux]:-}
    row "A5 CPU, 10 idle hosts, ${CPU_SECS} s" "$(u "$a" ms)" "$(u "$t" ms)" "" "$(x "$(ratio "$a" "$t")")" "≤ 1 ms" "$(verdict "$a" '<=' 1)"
  fi
  if want dispatch; then
    cmp_row "B dispatch 'true', until it returns" "${R[disp_ret_amux]:-}" "${R[disp_ret_tmux]:-}" ms '<=' 2 "≤ 2× tmux"
    cmp_row "B dispatch 'true', until done" "${R[disp_done_amux]:-}" "${R[disp_done_tmux]:-}" ms '<=' 2 "≤ 2× tmux"
    cmp_row "B dispatch, returns, p95" "${R[disp_ret_amux_p95]:-}" "${R[disp_ret_tmux_p95]:-}" ms '' '' info
    cmp_row "B dispatch, done, p95" "${R[disp_done_amux_p95]:-}" "${R[disp_done_tmux_p95]:-}" ms '' '' info
  fi
  if want list; then
    for n in 1 "$LIST_N"; do
      cmp_row "B agents --json, $n session(s)" "${R[list${n}_amux]:-}" "${R[list${n}_tmux]:-}" ms '<=' 2 "≤ 2× tmux"
    done
  fi
  if want view; then
    a=${R[view_p99_ms]:-}
    row "D view frame time, p99" "$(u "$a" ms)" "" "" "" "≤ 16 ms" "$(verdict "$a" '<=' 16)"
    row "D view frame time, median" "$(u "${R[view_median_ms]:-}" ms)" "" "" "" "info" ""
    cmp_row "D view CPU (% of a core)" "${R[view_view_cpu]:-}" "${R[view_tmux_cpu]:-}" % '<' 1 "< tmux"
    a=${R[view_view_cpu]:-}
    [ -n "$a" ] && a=$(calc "$a + ${R[view_hosts_cpu]:-0} + ${R[view_sup_cpu]:-0}" 1)
    cmp_row "D view + hosts + supervisor CPU" "$a" "${R[view_tmux_cpu]:-}" % '' '' info
  fi

  echo
  echo "notes:"
  if want tp; then
    echo "  A1 throughput: MiB/s = file size / time. Detached: from dispatch (amux --bg, tmux new-session) to the"
    echo "    end (state.json 'done' polled every 20 ms; tmux wait-for). Attached: from releasing the cat, with a"
    echo "    200x50 client attached and drawing, until the client has received the last line."
    echo "    Agent-like text: $DATA_MIX (12 % of words UTF-8 incl. double-width CJK, box drawing, bullets;"
    echo "    25 % with SGR incl. truecolor), the same size."
    [ -n "${R[tp_det_claude]:-}" ] && echo "    Claude Code's session host, same job detached (claude --bg --exec): ${R[tp_det_claude]} MiB/s."
    [ -n "$CLAUDE_NOTE" ] && echo "    $CLAUDE_NOTE"
    # amux reads the same PTY as the raw reader, so the raw figure is its
    # ceiling: say when 3x tmux lies above it in this run.
    for mode in det att; do
      t=${R[tp_${mode}_tmux]:-} r=${R[tp_raw]:-}
      [ -n "$t" ] && [ -n "$r" ] || continue
      if [ "$(calc "($t * 3 > $r)" 0)" = 1 ]; then
        echo "    $([ $mode = det ] && echo Detached || echo Attached): 3× tmux = $(calc "$t * 3" 1) MiB/s is above what the raw PTY reader got"
        echo "      ($r MiB/s): no program reading this PTY can reach it in this run; ceiling = $(calc "$r / $t" 2)× tmux."
      fi
    done
  fi
  if want mem; then
    echo "  A4 memory: tmux's is its server's (1 session); increments are the server's growth / n, amux's the added"
    echo "    hosts' sums / n. Added sessions hold 10,000 lines too (tmux history-limit 10000) except the"
    echo "    'no output' rows. amux supervisor (not counted): PSS $(u "$(mib "${R[sup_pss]:-}")" MiB), RSS $(u "$(mib "${R[sup_rss]:-}")" MiB)."
  fi
  want cpu && echo "  A5 CPU from $CPU_SOURCE; amux supervisor over the same 10 s: $(u "${R[cpu_sup]:-}" ms) (not counted)."
  if want dispatch; then
    echo "  B dispatch: 'until done' polls 'amux agents --json --all' (plain --json hides finished sessions) and"
    echo "    'tmux list-sessions -F' (remain-on-exit on) back to back; both include the forks of the polls."
  fi
  want list && echo "  B list: each command's wall time from bash, output captured; amux's JSON, tmux's default format."
  if want view; then
    echo "  D view: $VIEW_SECS s, frames=${R[view_frames]:-?} (p99 of the view's own draw times, max ${R[view_max_ms]:-?} ms);"
    echo "    CPU: view process vs tmux server ${R[view_tmux_server_cpu]:-?}% + client ${R[view_tmux_client_cpu]:-?}% (${R[view_panes]:-?} panes;"
    echo "    tmux's server writes to the client's terminal itself, so its client process stays near 0);"
    echo "    the amux hosts (${R[view_hosts_cpu]:-?}%) and supervisor (${R[view_sup_cpu]:-?}%) do the parsing tmux's server does."
  fi
  local note
  for note in "${NOTES[@]}"; do echo "  $note"; done

  # The host's parser alone (bench/render_throughput), when it is built.
  if want tp && [ -x "$BENCH_DIR/render_throughput" ]; then
    echo
    echo "render layer alone (bench/render_throughput $ROWS $COLS $([ "$QUICK" = 1 ] && echo 8 || echo 32)):"
    timeout 180 "$BENCH_DIR/render_throughput" $ROWS $COLS "$([ "$QUICK" = 1 ] && echo 8 || echo 32)" | sed 's/^/  /' ||
      echo "  (render_throughput failed)"
  fi
}

# ------------------------------------------------------------------ main ----

LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
log "amux bench: $(nproc) cores, $(uname -r), $(tmux -V), $("$AMUX" --version 2>/dev/null | head -1); parts: $ONLY"
want tp && make_data

# Warm both up: the amux supervisor and the tmux server exist before timing.
tm new-session -d -s warm -x $COLS -y $ROWS 'sleep 1000000'
wid=$(dispatch 'true' warm) && wait_state "$wid" done 20 >/dev/null || log "amux: warm-up session failed"

want tp && bench_tp
want attach && bench_attach
want echo && bench_echo
tm kill-server 2>/dev/null
want mem && bench_mem
want cpu && bench_cpu
want dispatch && bench_dispatch
want list && bench_list
want view && bench_view

print_table
# Other machines (bench/hosts_bench.sh: a private sshd, its own instances).
if want hosts; then
  AMUX_BIN=$AMUX BENCH_DIR=$BENCH_DIR HOSTS_REPS=$([ "$QUICK" = 1 ] && echo 10 || echo 30) \
    HOSTS_ATTACH_REPS=$ATTACH_REPS bash "$HERE/hosts_bench.sh" || echo "  (hosts bench failed)"
fi
exit 0
