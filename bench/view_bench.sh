#!/usr/bin/env bash
# view_bench.sh — the agent view with 100 sessions, 20 of them printing
# continuously, against the same 100 commands in one tmux window in the
# tiled layout (the view's `make bench` figure).
#
# Why: the view must stay smooth (p99 frame ≤ 16 ms) and cheaper than tmux
# showing the same sessions. The view runs in the grid layout inside a tmux
# pane of 200x50 (that outer tmux is only its terminal, and tmux's own client
# gets the same kind of terminal); the printing sessions come first, so every
# tile on screen is live. Frame times come from the view itself
# (AMUX_VIEW_STATS, microseconds a frame); CPU from /proc over the same
# window, for the view process, and for comparison the session hosts and the
# supervisor (which do the parsing that tmux's server does).
#
#   AMUX_BIN=build/amux bash bench/view_bench.sh [seconds]
#
# Prints progress, then one machine-readable line for run_bench.sh:
#   RESULT view frames=N median_ms=M p99_ms=P max_ms=X view_cpu=% hosts_cpu=%
#          sup_cpu=% tmux_cpu=% tmux_server_cpu=% tmux_client_cpu=% panes=N
# (CPU in % of one core.) Exits non-zero only when it cannot run.
set -u
AMUX=${AMUX_BIN:-$(dirname "$0")/../build/amux}
SECS=${1:-${VIEW_BENCH_SECONDS:-10}}
N=100
PRINTERS=20
PRINT_CMD='i=0; while :; do i=$((i+1)); echo "line $i $RANDOM the quick brown fox jumps over the lazy dog"; sleep 0.02; done'
IDLE_CMD='echo idle session; exec sleep 3600'

[ -x "$AMUX" ] || { echo "view_bench: $AMUX is missing" >&2; exit 1; }
command -v tmux >/dev/null || { echo "view_bench: tmux is not installed" >&2; exit 1; }

work=$(mktemp -d /tmp/amux-viewbench.XXXXXX)
export AMUX_CONFIG_DIR=$work/cfg XDG_RUNTIME_DIR=$work/rt
mkdir -p "$AMUX_CONFIG_DIR" "$XDG_RUNTIME_DIR"; chmod 700 "$XDG_RUNTIME_DIR"
unset TMUX AMUX_SESSION AMUX_JOB_DIR
TSOCK=amux-viewbench-$$ TSOCK_B=amux-viewbench-tmux-$$
TM="tmux -L $TSOCK -f /dev/null"     # the terminal of the view and of tmux's client
TB="tmux -L $TSOCK_B -f /dev/null"   # the tmux being measured
cleanup() {
  $TM kill-server 2>/dev/null
  $TB kill-server 2>/dev/null
  rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$TSOCK" "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$TSOCK_B"
  timeout 20 "$AMUX" daemon stop >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# CPU time of a pid and all its threads, in ns: schedstat when the kernel
# has it, else utime+stime from stat (fields counted after the comm, which
# may hold spaces: tmux's is "tmux: server").
HZ=$(getconf CLK_TCK)
cpu_ns() {
  local t a _ sum=0
  if [ -r "/proc/$1/schedstat" ]; then
    for t in /proc/"$1"/task/*/schedstat; do
      read -r a _ <"$t" 2>/dev/null && sum=$((sum + a))
    done
    echo "$sum"
  else
    awk -v hz="$HZ" '{ sub(/.*\) /, ""); printf "%d\n", ($12 + $13) * 1e9 / hz }' "/proc/$1/stat" 2>/dev/null || echo 0
  fi
}
cpu_ns_sum() { local p s=0; for p in "$@"; do s=$((s + $(cpu_ns "$p"))); done; echo "$s"; }
pct() { awk -v a="$1" -v b="$2" -v t0="$3" -v t1="$4" 'BEGIN { printf "%.1f", (b - a) / 1e9 / (t1 - t0) * 100 }'; }

# ------------------------------------------------------------- the view ----

echo "== view: $N sessions, $PRINTERS printing, grid at 200x50, ${SECS}s" >&2
for i in $(seq 1 $PRINTERS); do
  "$AMUX" --bg --name "print-$i" --exec "$PRINT_CMD" >/dev/null || { echo "view_bench: dispatch failed" >&2; exit 1; }
done
for i in $(seq $((PRINTERS + 1)) $N); do
  "$AMUX" --bg --name "idle-$i" --exec "$IDLE_CMD" >/dev/null || { echo "view_bench: dispatch failed" >&2; exit 1; }
done

stats=$work/frames.txt
$TM new-session -d -x 200 -y 50 "env AMUX_VIEW_STATS=$stats TERM=tmux-256color $AMUX agents"
$TM set-option -g status off >/dev/null
for _ in $(seq 1 100); do $TM capture-pane -p | grep -q "describe a task" && break; sleep 0.1; done
$TM send-keys Tab
for _ in $(seq 1 50); do $TM capture-pane -p | grep -q "· grid" && break; sleep 0.1; done
$TM capture-pane -p | grep -q "· grid" || { echo "view_bench: the view did not switch to the grid" >&2; exit 1; }
sleep 2
vpid=$($TM display-message -p '#{pane_pid}')
hosts=$(cat "$AMUX_CONFIG_DIR"/jobs/*/state.json 2>/dev/null | grep -o '"hostPid": *[0-9]*' | grep -o '[0-9]*$')
live=0; for h in $hosts; do [ -d "/proc/$h" ] && live=$((live + 1)); done
sup=$(grep -o '"pid": *[0-9]*' "$AMUX_CONFIG_DIR/daemon/roster.json" 2>/dev/null | grep -o '[0-9]*$' | head -1)
[ "$live" = "$N" ] || echo "view_bench: only $live of $N session hosts are alive" >&2
: >"$stats"
c0=$(cpu_ns "$vpid"); h0=$(cpu_ns_sum $hosts); s0=$(cpu_ns "${sup:-0}"); t0=$EPOCHREALTIME
sleep "$SECS"
c1=$(cpu_ns "$vpid"); h1=$(cpu_ns_sum $hosts); s1=$(cpu_ns "${sup:-0}"); t1=$EPOCHREALTIME
[ -d "/proc/$vpid" ] || { echo "view_bench: the view (pid $vpid) is gone" >&2; exit 1; }
frames=$(wc -l <"$stats")
read -r med p99 max < <(sort -n "$stats" | awk '{ a[NR] = $1 } END { if (NR == 0) { print "", "", ""; exit }
  p = int(NR * 0.99 + 0.999999); if (p < 1) p = 1; if (p > NR) p = NR
  m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
  printf "%.2f %.2f %.2f\n", m / 1000, a[p] / 1000, a[NR] / 1000 }')
view_cpu=$(pct "$c0" "$c1" "$t0" "$t1")
hosts_cpu=$(pct "$h0" "$h1" "$t0" "$t1")
sup_cpu=$(pct "$s0" "$s1" "$t0" "$t1")
echo "   view: frames=$frames ($(awk -v f="$frames" -v s="$SECS" 'BEGIN { printf "%.0f", f / s }')/s)  median=${med} ms  p99=${p99} ms  max=${max} ms  cpu=${view_cpu}%" >&2
echo "   the $live session hosts (they parse every session's output, as tmux's server does): cpu=${hosts_cpu}%; supervisor: ${sup_cpu}%" >&2
$TM kill-server 2>/dev/null
timeout 20 "$AMUX" daemon stop >/dev/null 2>&1

# ---------------------------------------------------------------- tmux -----

echo "== tmux: the same $N commands as panes of one window, tiled, 200x50, one client attached" >&2
$TB new-session -d -x 200 -y 50 "$PRINT_CMD"
$TB set-option -g status off >/dev/null
for i in $(seq 2 $N); do
  if [ "$i" -le "$PRINTERS" ]; then cmd=$PRINT_CMD; else cmd=$IDLE_CMD; fi
  $TB split-window -t 0 "$cmd" 2>/dev/null || { $TB select-layout -t 0 tiled >/dev/null; $TB split-window -t 0 "$cmd" 2>/dev/null; }
  $TB select-layout -t 0 tiled >/dev/null
done
panes=$($TB list-panes -t 0 | wc -l)
[ "$panes" = "$N" ] || echo "view_bench: tmux has only $panes of $N panes" >&2
spid=$($TB display-message -p '#{pid}')
# A client attached to it, itself inside a detached outer tmux (its terminal).
$TM new-session -d -x 200 -y 50 "env -u TMUX $TB attach -t 0"
$TM set-option -g status off >/dev/null
sleep 2
cpid=$($TM display-message -p '#{pane_pid}')
s0=$(cpu_ns "$spid"); k0=$(cpu_ns "$cpid"); t0=$EPOCHREALTIME
sleep "$SECS"
s1=$(cpu_ns "$spid"); k1=$(cpu_ns "$cpid"); t1=$EPOCHREALTIME
tmux_server_cpu=$(pct "$s0" "$s1" "$t0" "$t1")
tmux_client_cpu=$(pct "$k0" "$k1" "$t0" "$t1")
tmux_cpu=$(awk -v a="$tmux_server_cpu" -v b="$tmux_client_cpu" 'BEGIN { printf "%.1f", a + b }')
echo "   tmux: panes=$panes  cpu: server ${tmux_server_cpu}% + client ${tmux_client_cpu}% = ${tmux_cpu}%" >&2

echo "RESULT view frames=$frames median_ms=$med p99_ms=$p99 max_ms=$max view_cpu=$view_cpu hosts_cpu=$hosts_cpu sup_cpu=$sup_cpu tmux_cpu=$tmux_cpu tmux_server_cpu=$tmux_server_cpu tmux_client_cpu=$tmux_client_cpu panes=$panes"
