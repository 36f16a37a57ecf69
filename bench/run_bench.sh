#!/usr/bin/env bash
# run_bench.sh — `make bench`: amux against tmux (and a bare PTY) on this
# machine, in one run, printed as a table of ratios.
#
# Why: issue A sets amux's speed and size targets relative to tmux 3.3a and
# to the raw PTY measured in the same run, so that a slower or faster machine
# does not change the verdict. This is a report, not a test: a missed target
# prints MISS and the script still exits 0.
#
# Measured (each against a private tmux server and a private amux instance):
#   1. throughput of `cat` of a 64 MiB file inside a session, detached and
#      with a client attached; the raw PTY (bench/pty_raw) as the ceiling
#   2. time from `amux attach` / `tmux attach` to the full screen on the client
#   3. key-to-echo latency through an attached client (bench/term_probe)
#   4. PSS and RSS of one idle host with 10,000 lines of scrollback, and the
#      increment per session for 1, 10 and 30 sessions
#   5. CPU of 10 idle hosts over 10 s (and, on the way, the memory of an
#      idle session that printed nothing)
#
#   AMUX_BIN=build/amux BENCH_DIR=build/bench bash bench/run_bench.sh
#   BENCH_QUICK=1   shorter run (16 MiB, fewer repetitions, 1 and 10 sessions)
#   BENCH_ONLY="tp attach echo mem cpu"   run only these parts
#   BENCH_KEEP=1    keep the work directory (logs, probe output)
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
AMUX=${AMUX_BIN:-$HERE/../build/amux}
BENCH_DIR=${BENCH_DIR:-$HERE/../build/bench}
QUICK=${BENCH_QUICK:-0}
PROBE=$BENCH_DIR/term_probe
RAW=$BENCH_DIR/pty_raw

if [ "$QUICK" = 1 ]; then
  SIZE_MIB=16 TP_REPS=2 RAW_REPS=3 ATTACH_REPS=8 KEYS=100 MEM_COUNTS="1 10"
else
  SIZE_MIB=64 TP_REPS=3 RAW_REPS=5 ATTACH_REPS=20 KEYS=200 MEM_COUNTS="1 10 30"
fi
CPU_SECS=10
ROWS=50 COLS=200
DATA=/tmp/bench-${SIZE_MIB}M.txt

for f in "$AMUX" "$PROBE" "$RAW"; do
  [ -x "$f" ] || { echo "run_bench: $f is missing (run: make bench)" >&2; exit 1; }
done
command -v tmux >/dev/null || { echo "run_bench: tmux is not installed" >&2; exit 1; }

# ---------------------------------------------------------------- set-up ----

work=$(mktemp -d /tmp/amux-bench.XXXXXX)
export AMUX_CONFIG_DIR=$work/cfg
export XDG_RUNTIME_DIR=$work/rt
mkdir -p "$AMUX_CONFIG_DIR" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
unset TMUX AMUX_SESSION AMUX_JOB_DIR

# tmux: private servers, same options for all (no status line, so a 200x50
# client sees a 200x50 pane; 10,000 lines of history like the amux test).
TMUX_CONF=$work/tmux.conf
cat >"$TMUX_CONF" <<'EOF'
set -g status off
set -g history-limit 10000
set -g exit-empty off
EOF
TSOCK=bench-$$              # throughput, attach, echo
TSOCK_MEM=bench-mem-$$      # memory
TSOCK_CPU=bench-cpu-$$      # CPU
tm()     { tmux -L "$TSOCK" -f "$TMUX_CONF" "$@"; }
tm_mem() { tmux -L "$TSOCK_MEM" -f "$TMUX_CONF" "$@"; }
tm_cpu() { tmux -L "$TSOCK_CPU" -f "$TMUX_CONF" "$@"; }

PROBE_PIDS=()
cleanup() {
  local p id f hp
  for p in "${PROBE_PIDS[@]}"; do kill "$p" 2>/dev/null; done
  for s in "$TSOCK" "$TSOCK_MEM" "$TSOCK_CPU"; do
    tmux -L "$s" kill-server 2>/dev/null
    rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$s"
  done
  if [ -d "$AMUX_CONFIG_DIR/jobs" ]; then
    for f in "$AMUX_CONFIG_DIR"/jobs/*/state.json; do
      [ -f "$f" ] || continue
      id=$(basename "$(dirname "$f")")
      case $(json_str "$f" state) in
        done|failed|stopped) ;;
        *) timeout 5 "$AMUX" stop "$id" >/dev/null 2>&1 ;;
      esac
    done
  fi
  timeout 10 "$AMUX" daemon stop >/dev/null 2>&1
  # Any host still alive (ours: its pid is in our private config dir).
  for f in "$AMUX_CONFIG_DIR"/jobs/*/state.json; do
    [ -f "$f" ] || continue
    hp=$(json_num "$f" hostPid)
    if [ -n "$hp" ] && [ "$hp" -gt 0 ] && tr '\0' ' ' <"/proc/$hp/cmdline" 2>/dev/null | grep -q 'amux.* host '; then
      kill -KILL "$hp" 2>/dev/null
    fi
  done
  if [ "${BENCH_KEEP:-0}" = 1 ]; then log "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --------------------------------------------------------------- helpers ----

log() { printf '%s\n' "$*" >&2; }
calc() { awk "BEGIN { printf \"%.${2:-2}f\", $1 }"; }
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) print ""; else printf "%.2f\n", (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

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
  hp=$(json_num "$(state_file "$1")" hostPid)
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

# ------------------------------------------------------------- results ------

want() { [[ " ${BENCH_ONLY:-tp attach echo mem cpu} " == *" $1 "* ]]; }

declare -A R   # results by key; empty when a measurement failed
CLAUDE_NOTE=""

mib_s() { calc "$SIZE_MIB_EXACT / ($2 - $1)"; }   # start end → MiB/s

# --------------------------------------------------------------- the data ---

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
SIZE_BYTES=$(stat -c %s "$DATA")
SIZE_MIB_EXACT=$(calc "$SIZE_BYTES / 1048576" 3)
cat "$DATA" >/dev/null   # in the page cache for everyone

log "amux bench: $(nproc) cores, $(uname -r), $(tmux -V), $("$AMUX" --version 2>/dev/null | head -1)"
log "data: $DATA, $SIZE_MIB_EXACT MiB; PTY ${COLS}x${ROWS}; quick=$QUICK"

# Warm both up: the amux supervisor and the tmux server exist before timing.
tm new-session -d -s warm -x $COLS -y $ROWS 'sleep 1000000'
wid=$(dispatch 'true' warm) && wait_state "$wid" done 20 >/dev/null || log "amux: warm-up session failed"

# ----------------------------------------------------------- throughput ----

CAT_CMD="cat $DATA; printf 'DONE-%s\\n' MARKER"   # the marker text is not in the command

if want tp; then
log "== throughput: raw PTY"
v=""
for i in $(seq 1 "$RAW_REPS"); do
  v+=" $("$RAW" "$DATA" --rows $ROWS --cols $COLS | field mibps)"
done
R[tp_raw]=$(median <<<"$v")
log "   raw: $v MiB/s"

log "== throughput: detached"
va="" vt=""
for i in $(seq 1 "$TP_REPS"); do
  t0=$EPOCHREALTIME
  if id=$(dispatch "$CAT_CMD" "tp-det-$i") && t1=$(wait_state "$id" done 120); then
    va+=" $(mib_s "$t0" "$t1")"
  fi
  t0=$EPOCHREALTIME
  tm new-session -d -s "det$i" -x $COLS -y $ROWS "$CAT_CMD; tmux -L $TSOCK wait-for -S det$i"
  if timeout 120 tmux -L "$TSOCK" wait-for "det$i"; then
    t1=$EPOCHREALTIME
    vt+=" $(mib_s "$t0" "$t1")"
  fi
done
R[tp_det_amux]=$(median <<<"$va")
R[tp_det_tmux]=$(median <<<"$vt")
log "   amux:$va MiB/s"
log "   tmux:$vt MiB/s"

# Attached: the session waits on a fifo; the probe attaches a 200x50 client
# that drains everything; once it has drawn the first screen, the fifo
# releases the cat. The end is the client receiving the marker line (the
# session then waits on a second fifo, so that no multiplexer can skip its
# last frame because the session has gone).
attached_run() {  # $1: amux|tmux  $2: index → sets ATT (MiB/s)
  ATT=""
  local kind=$1 i=$2 go=$work/go-$1-$2 go2=$work/go2-$1-$2 ready=$work/ready-$1-$2 out=$work/drain-$1-$2
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
log "== throughput: one client attached"
va="" vt=""
for i in $(seq 1 "$TP_REPS"); do
  attached_run amux "$i" && va+=" $ATT"
  attached_run tmux "$i" && vt+=" $ATT"
done
R[tp_att_amux]=$(median <<<"$va")
R[tp_att_tmux]=$(median <<<"$vt")
log "   amux:$va MiB/s"
log "   tmux:$vt MiB/s"

# Claude Code's own session host, when it is installed: same job through
# `claude --bg --exec`, its state.json polled the same way.
if command -v claude >/dev/null 2>&1; then
  log "== throughput: Claude Code host ($(command -v claude))"
  cdir=$work/claude
  mkdir -p "$cdir"
  vc=""
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
else
  CLAUDE_NOTE="claude is not installed: the Claude Code host is left out of the throughput table"
fi
fi  # tp

# ------------------------------------------------------------ attach time ---

# The session's screen: 49 full lines and a last row ending in ZQ-END; each
# row starts with a token (no doubled letters, so no renderer can compress
# it) and all 50 must reach the client.
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
T=ABCDEFGH O=abcdefghij
for i in $(seq 1 50); do MARKERS+=(--marker "row${T:$((i / 10)):1}${O:$((i % 10)):1}:"); done
MARKERS+=(--marker ZQ-END)

if want attach; then
log "== attach to full screen ($ATTACH_REPS attaches each)"
if id=$(dispatch "bash $FILL" fill) && wait_live "$id" && wait_amux_screen "$id" 'ZQ-END'; then
  o=$("$PROBE" attach --rows $ROWS --cols $COLS --repeat "$ATTACH_REPS" "${MARKERS[@]}" --detach 1c -- "$AMUX" attach "$id")
  R[attach_amux]=$(field median_ms <<<"$o"); R[attach_amux_p95]=$(field p95_ms <<<"$o")
  log "   amux: $o"
fi
tm new-session -d -s fill -x $COLS -y $ROWS "bash $FILL"
if wait_tmux_screen tm fill 'ZQ-END'; then
  o=$("$PROBE" attach --rows $ROWS --cols $COLS --repeat "$ATTACH_REPS" "${MARKERS[@]}" --detach 0264 -- tmux -L "$TSOCK" attach -t fill)
  R[attach_tmux]=$(field median_ms <<<"$o"); R[attach_tmux_p95]=$(field p95_ms <<<"$o")
  log "   tmux: $o"
fi
fi  # attach

# ------------------------------------------------------------ key to echo ---

ECHO_CMD='clear; stty raw -echo; exec cat'
if want echo; then
log "== key-to-echo latency ($KEYS keys each)"
if id=$(dispatch "$ECHO_CMD" echo) && wait_live "$id"; then
  pause 0.3
  o=$("$PROBE" echo --rows $ROWS --cols $COLS --keys "$KEYS" --detach 1c -- "$AMUX" attach "$id")
  R[echo_amux]=$(field median_ms <<<"$o"); R[echo_amux_p95]=$(field p95_ms <<<"$o")
  log "   amux: $o"
fi
tm new-session -d -s echo -x $COLS -y $ROWS "$ECHO_CMD"
pause 0.3
o=$("$PROBE" echo --rows $ROWS --cols $COLS --keys "$KEYS" --detach 0264 -- tmux -L "$TSOCK" attach -t echo)
R[echo_tmux]=$(field median_ms <<<"$o"); R[echo_tmux_p95]=$(field p95_ms <<<"$o")
log "   tmux: $o"
fi  # echo
tm kill-server 2>/dev/null

# ----------------------------------------------------------------- memory ---

SCROLL_CMD='seq 1 10000; exec sleep 1000000'
host_pid() { json_num "$(state_file "$1")" hostPid; }

SUP_PID=$(json_num "$AMUX_CONFIG_DIR/daemon/roster.json" pid)
if want mem; then
log "== memory: one idle session with 10,000 lines of scrollback"
MEM_IDS=()
if id=$(dispatch "$SCROLL_CMD" mem-0) && wait_live "$id" && wait_amux_screen "$id" '^10000 *$'; then
  MEM_IDS+=("$id")
  pause 2
  read -r R[mem1_amux_rss] R[mem1_amux_pss] <<<"$(rss_pss "$(host_pid "$id")")"
  log "   amux host: RSS ${R[mem1_amux_rss]} kB, PSS ${R[mem1_amux_pss]} kB"
fi
tm_mem new-session -d -s m0 -x $COLS -y $ROWS "$SCROLL_CMD"
TMEM_PID=$(tm_mem display-message -p '#{pid}')
if wait_tmux_screen tm_mem m0 '^10000 *$'; then
  pause 2
  read -r R[mem1_tmux_rss] R[mem1_tmux_pss] <<<"$(rss_pss "$TMEM_PID")"
  log "   tmux server: RSS ${R[mem1_tmux_rss]} kB, PSS ${R[mem1_tmux_pss]} kB"
fi
tbase_rss=${R[mem1_tmux_rss]:-0} tbase_pss=${R[mem1_tmux_pss]:-0}

# Increments: sessions are added to the first one; amux counts the hosts of
# the added sessions, tmux the growth of its server, both divided by n.
EXTRA_IDS=()
have=0
for n in $MEM_COUNTS; do
  log "== memory: $n more idle sessions"
  ok=1
  for ((k = have + 1; k <= n; k++)); do
    id=$(dispatch "$SCROLL_CMD" "mem-$k") && EXTRA_IDS+=("$id") || ok=0
    tm_mem new-session -d -s "m$k" -x $COLS -y $ROWS "$SCROLL_CMD"
  done
  have=$n
  for id in "${EXTRA_IDS[@]}"; do wait_live "$id" && wait_amux_screen "$id" '^10000 *$' || ok=0; done
  for ((k = 1; k <= n; k++)); do wait_tmux_screen tm_mem "m$k" '^10000 *$' || ok=0; done
  pause 2
  if [ "$ok" = 1 ]; then
    srss=0 spss=0
    for id in "${EXTRA_IDS[@]}"; do
      read -r r p <<<"$(rss_pss "$(host_pid "$id")")"
      srss=$((srss + r)) spss=$((spss + p))
    done
    R[inc${n}_amux_rss]=$((srss / n)) R[inc${n}_amux_pss]=$((spss / n))
    read -r r p <<<"$(rss_pss "$TMEM_PID")"
    R[inc${n}_tmux_rss]=$(((r - tbase_rss) / n)) R[inc${n}_tmux_pss]=$(((p - tbase_pss) / n))
    log "   per session: amux RSS ${R[inc${n}_amux_rss]} kB PSS ${R[inc${n}_amux_pss]} kB; tmux RSS ${R[inc${n}_tmux_rss]} kB PSS ${R[inc${n}_tmux_pss]} kB"
  fi
done
[ -n "$SUP_PID" ] && read -r R[sup_rss] R[sup_pss] <<<"$(rss_pss "$SUP_PID")"
for id in "${MEM_IDS[@]}" "${EXTRA_IDS[@]}"; do timeout 5 "$AMUX" stop "$id" >/dev/null 2>&1; done
tm_mem kill-server 2>/dev/null
fi  # mem

# -------------------------------------------------------------------- CPU ---

if want cpu; then
log "== CPU: 10 idle sessions over $CPU_SECS s ($CPU_SOURCE)"
# The tmux server starts with a base session, so that the memory of the 10
# added ones is its growth; the base goes before the CPU is measured.
tm_cpu new-session -d -s c0 -x $COLS -y $ROWS 'exec sleep 1000000'
TCPU_PID=$(tm_cpu display-message -p '#{pid}')
pause 1
read -r tb_rss tb_pss <<<"$(rss_pss "$TCPU_PID")"
CPU_IDS=() CPU_PIDS=()
for k in $(seq 1 10); do
  id=$(dispatch 'exec sleep 1000000' "idle-$k") && CPU_IDS+=("$id")
  tm_cpu new-session -d -s "c$k" -x $COLS -y $ROWS 'exec sleep 1000000'
done
for id in "${CPU_IDS[@]}"; do wait_live "$id" && CPU_PIDS+=("$(host_pid "$id")"); done
pause 2
if [ "${#CPU_PIDS[@]}" = 10 ]; then
  srss=0 spss=0
  for p in "${CPU_PIDS[@]}"; do
    read -r r q <<<"$(rss_pss "$p")"
    srss=$((srss + r)) spss=$((spss + q))
  done
  read -r r q <<<"$(rss_pss "$TCPU_PID")"
  R[idle_amux_rss]=$((srss / 10)) R[idle_amux_pss]=$((spss / 10))
  R[idle_tmux_rss]=$(((r - tb_rss) / 10)) R[idle_tmux_pss]=$(((q - tb_pss) / 10))
  log "   memory per session (no output): amux RSS ${R[idle_amux_rss]} kB PSS ${R[idle_amux_pss]} kB; tmux RSS ${R[idle_tmux_rss]} kB PSS ${R[idle_tmux_pss]} kB"
fi
tm_cpu kill-session -t c0
if [ "${#CPU_PIDS[@]}" = 10 ]; then
  a0=0; for p in "${CPU_PIDS[@]}"; do a0=$((a0 + $(cpu_ns "$p"))); done
  t0=$(cpu_ns "$TCPU_PID")
  s0=$([ -n "$SUP_PID" ] && cpu_ns "$SUP_PID" || echo 0)
  pause "$CPU_SECS"
  a1=0; for p in "${CPU_PIDS[@]}"; do a1=$((a1 + $(cpu_ns "$p"))); done
  t1=$(cpu_ns "$TCPU_PID")
  s1=$([ -n "$SUP_PID" ] && cpu_ns "$SUP_PID" || echo 0)
  R[cpu_amux]=$(calc "($a1 - $a0) / 1e6" 2)
  R[cpu_tmux]=$(calc "($t1 - $t0) / 1e6" 2)
  R[cpu_sup]=$(calc "($s1 - $s0) / 1e6" 2)
  log "   amux hosts: ${R[cpu_amux]} ms, tmux server: ${R[cpu_tmux]} ms, amux supervisor: ${R[cpu_sup]} ms"
else
  log "   amux: only ${#CPU_PIDS[@]} of 10 hosts came up"
fi
tm_cpu kill-server 2>/dev/null
fi  # cpu

# ----------------------------------------------------------------- table ----

# row METRIC AMUX TMUX RAW RATIO TARGET RESULT
row() { printf '%-34s %12s %12s %12s %14s %18s  %s\n' "$@"; }
# verdict VALUE OP LIMIT → PASS / MISS / n/a
verdict() {
  [ -n "$1" ] && [ -n "$3" ] || { echo n/a; return; }
  awk -v v="$1" -v l="$3" -v op="$2" 'BEGIN { ok = (op == ">=") ? (v >= l) : (v <= l); print ok ? "PASS" : "MISS" }'
}
ratio() {  # a b → a/b, or empty
  [ -n "$1" ] && [ -n "$2" ] && awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b }'
}
u() { [ -n "$1" ] && printf '%s %s' "$1" "$2"; }
mib() { [ -n "$1" ] && calc "$1 / 1024" 2; }   # kB → MiB
x() { [ -n "$1" ] && printf '%s×%s' "$1" "${2:+ $2}"; }

echo
echo "amux bench — $(nproc) cores, $(tmux -V), $SIZE_MIB_EXACT MiB file, PTY ${COLS}x${ROWS}$([ "$QUICK" = 1 ] && echo ', quick run')"
echo
row "metric" "amux" "tmux" "raw PTY" "ratio" "target" "result"
row "------" "----" "----" "-------" "-----" "------" "------"

for mode in det att; do
  label=$([ $mode = det ] && echo detached || echo attached)
  a=${R[tp_${mode}_amux]:-} t=${R[tp_${mode}_tmux]:-} r=${R[tp_raw]:-}
  rt=$(ratio "$a" "$t"); rr=$(ratio "$a" "$r")
  row "cat throughput, $label" "$(u "$a" MiB/s)" "$(u "$t" MiB/s)" "$(u "$r" MiB/s)" "$(x "$rt" tmux)" "≥ 3× tmux" "$(verdict "$rt" '>=' 3)"
  row "cat throughput, $label vs raw" "" "" "" "$(x "$rr" raw)" "≥ 0.7× raw" "$(verdict "$rr" '>=' 0.7)"
done
if [ -n "${R[tp_det_claude]:-}" ]; then
  rc=$(ratio "${R[tp_det_amux]:-}" "${R[tp_det_claude]}")
  row "cat throughput, detached vs Claude" "" "" "" "$(x "$rc" claude)" "info" ""
fi

a=${R[attach_amux]:-} t=${R[attach_tmux]:-}; rt=$(ratio "$a" "$t")
row "attach to full screen, median" "$(u "$a" ms)" "$(u "$t" ms)" "" "$(x "$rt")" "≤ tmux" "$(verdict "$rt" '<=' 1)"
row "attach to full screen, p95" "$(u "${R[attach_amux_p95]:-}" ms)" "$(u "${R[attach_tmux_p95]:-}" ms)" "" "$(x "$(ratio "${R[attach_amux_p95]:-}" "${R[attach_tmux_p95]:-}")")" "info" ""
a=${R[echo_amux]:-} t=${R[echo_tmux]:-}; rt=$(ratio "$a" "$t")
row "key to echo, median" "$(u "$a" ms)" "$(u "$t" ms)" "" "$(x "$rt")" "≤ tmux" "$(verdict "$rt" '<=' 1)"
row "key to echo, p95" "$(u "${R[echo_amux_p95]:-}" ms)" "$(u "${R[echo_tmux_p95]:-}" ms)" "" "$(x "$(ratio "${R[echo_amux_p95]:-}" "${R[echo_tmux_p95]:-}")")" "info" ""

a=$(mib "${R[mem1_amux_pss]:-}") t=$(mib "${R[mem1_tmux_pss]:-}")
row "idle host, 10k lines: PSS" "$(u "$a" MiB)" "$(u "$t" MiB)" "" "$(x "$(ratio "$a" "$t")")" "≤ 1.5 MiB" "$(verdict "$a" '<=' 1.5)"
a=$(mib "${R[mem1_amux_rss]:-}") t=$(mib "${R[mem1_tmux_rss]:-}")
row "idle host, 10k lines: RSS" "$(u "$a" MiB)" "$(u "$t" MiB)" "" "$(x "$(ratio "$a" "$t")")" "≤ 4 MiB" "$(verdict "$a" '<=' 4)"
for n in $MEM_COUNTS; do
  a=$(mib "${R[inc${n}_amux_pss]:-}") t=$(mib "${R[inc${n}_tmux_pss]:-}")
  row "per session (+$n): PSS" "$(u "$a" MiB)" "$(u "$t" MiB)" "" "$(x "$(ratio "$a" "$t")")" "info" ""
  a=$(mib "${R[inc${n}_amux_rss]:-}") t=$(mib "${R[inc${n}_tmux_rss]:-}")
  row "per session (+$n): RSS" "$(u "$a" MiB)" "$(u "$t" MiB)" "" "$(x "$(ratio "$a" "$t")")" "info" ""
done
a=$(mib "${R[idle_amux_pss]:-}") t=$(mib "${R[idle_tmux_pss]:-}")
row "per session (+10, no output): PSS" "$(u "$a" MiB)" "$(u "$t" MiB)" "" "$(x "$(ratio "$a" "$t")")" "info" ""
a=$(mib "${R[idle_amux_rss]:-}") t=$(mib "${R[idle_tmux_rss]:-}")
row "per session (+10, no output): RSS" "$(u "$a" MiB)" "$(u "$t" MiB)" "" "$(x "$(ratio "$a" "$t")")" "info" ""

a=${R[cpu_amux]:-} t=${R[cpu_tmux]:-}
row "CPU, 10 idle hosts, ${CPU_SECS} s" "$(u "$a" ms)" "$(u "$t" ms)" "" "$(x "$(ratio "$a" "$t")")" "≤ 10 ms" "$(verdict "$a" '<=' 10)"

echo
echo "notes:"
echo "  throughput: MiB/s = file size / time. Detached: from dispatch (amux --bg, tmux new-session) to the"
echo "    end (state.json 'done' polled every 20 ms; tmux wait-for). Attached: from releasing the cat, with a"
echo "    200x50 client attached and drawing, until the client has received the last line."
echo "  memory: tmux's is its server's (1 session); increments are the server's growth / n, amux's the added"
echo "    hosts' sums / n. Added sessions hold 10,000 lines too (tmux history-limit 10000) except the"
echo "    'no output' row. amux supervisor (not counted): PSS $(u "$(mib "${R[sup_pss]:-}")" MiB), RSS $(u "$(mib "${R[sup_rss]:-}")" MiB)."
echo "  CPU from $CPU_SOURCE; amux supervisor over the same 10 s: $(u "${R[cpu_sup]:-}" ms) (not counted)."
[ -n "${R[tp_det_claude]:-}" ] && echo "  Claude Code's session host, same job detached (claude --bg --exec): ${R[tp_det_claude]} MiB/s."
[ -n "$CLAUDE_NOTE" ] && echo "  $CLAUDE_NOTE"

# The host's parser alone (another helper's bench), when it is built.
if [ -x "$BENCH_DIR/render_throughput" ]; then
  echo
  echo "render layer alone (bench/render_throughput $ROWS $COLS $([ "$QUICK" = 1 ] && echo 8 || echo 32)):"
  timeout 180 "$BENCH_DIR/render_throughput" $ROWS $COLS "$([ "$QUICK" = 1 ] && echo 8 || echo 32)" | sed 's/^/  /' ||
    echo "  (render_throughput failed)"
fi
exit 0
