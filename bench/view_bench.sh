#!/usr/bin/env bash
# view_bench.sh — the agent view with 100 sessions, 20 of them printing
# continuously, against the same 100 commands in one tmux window in the
# tiled layout.
#
# Why: the view must stay smooth (p99 frame ≤ 16 ms) and cheaper than tmux
# showing the same sessions. The view runs in the grid layout inside a tmux
# pane of 200x50 (tmux is only its terminal); the printing sessions come
# first, so every tile on screen is live. Frame times come from the view
# itself (AMUX_VIEW_STATS); CPU from /proc/<pid>/stat over the same window.
#
#   AMUX_BIN=build/amux bash bench/view_bench.sh [seconds]
set -u
AMUX=${AMUX_BIN:-$(dirname "$0")/../build/amux}
SECS=${1:-${VIEW_BENCH_SECONDS:-10}}
N=100
PRINTERS=20
PRINT_CMD='i=0; while :; do i=$((i+1)); echo "line $i $RANDOM the quick brown fox jumps over the lazy dog"; sleep 0.02; done'
IDLE_CMD='echo idle session; sleep 3600'
hz=$(getconf CLK_TCK)

work=$(mktemp -d /tmp/amux-viewbench.XXXXXX)
export AMUX_CONFIG_DIR=$work/cfg XDG_RUNTIME_DIR=$work/rt
mkdir -p "$AMUX_CONFIG_DIR" "$XDG_RUNTIME_DIR"; chmod 700 "$XDG_RUNTIME_DIR"
TM="tmux -L amux-viewbench-$$ -f /dev/null"
TB="tmux -L amux-viewbench-tmux-$$ -f /dev/null"
cleanup() {
  $TM kill-server 2>/dev/null
  $TB kill-server 2>/dev/null
  "$AMUX" daemon stop >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT

cpu_ticks() {  # utime+stime of a pid (and its threads)
  awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0
}

echo "== view: $N sessions, $PRINTERS printing, grid at 200x50, ${SECS}s"
for i in $(seq 1 $PRINTERS); do "$AMUX" --bg --name "print-$i" --exec "$PRINT_CMD" >/dev/null || exit 1; done
for i in $(seq $((PRINTERS + 1)) $N); do "$AMUX" --bg --name "idle-$i" --exec "$IDLE_CMD" >/dev/null || exit 1; done

stats=$work/frames.txt
$TM new-session -d -x 200 -y 50 "env AMUX_VIEW_STATS=$stats TERM=tmux-256color $AMUX agents"
$TM set-option -g status off >/dev/null
for _ in $(seq 1 100); do $TM capture-pane -p | grep -q "describe a task" && break; sleep 0.1; done
$TM send-keys Tab
for _ in $(seq 1 50); do $TM capture-pane -p | grep -q "· grid" && break; sleep 0.1; done
$TM capture-pane -p | grep -q "· grid" || { echo "view_bench: the view did not switch to the grid"; exit 1; }
sleep 2
vpid=$($TM display-message -p '#{pane_pid}')
hosts=$(cat "$AMUX_CONFIG_DIR"/jobs/*/state.json 2>/dev/null | grep -o '"hostPid": *[0-9]*' | grep -o '[0-9]*$')
hosts_ticks() { local t=0; for h in $hosts; do t=$((t + $(cpu_ticks "$h"))); done; echo $t; }
: > "$stats"
c0=$(cpu_ticks "$vpid"); h0=$(hosts_ticks); t0=$(date +%s.%N)
sleep "$SECS"
c1=$(cpu_ticks "$vpid"); h1=$(hosts_ticks); t1=$(date +%s.%N)
frames=$(wc -l < "$stats")
read -r med p99 max < <(sort -n "$stats" | awk '{a[NR]=$1} END {if (NR==0) {print 0,0,0; exit}
  m=a[int((NR+1)/2)]; p=a[int(NR*0.99) > 0 ? int(NR*0.99) : 1]; printf "%.2f %.2f %.2f\n", m/1000, p/1000, a[NR]/1000}')
view_cpu=$(awk -v c0="$c0" -v c1="$c1" -v t0="$t0" -v t1="$t1" -v hz="$hz" \
  'BEGIN {printf "%.1f", (c1-c0)/hz/(t1-t0)*100}')
hosts_cpu=$(awk -v c0="$h0" -v c1="$h1" -v t0="$t0" -v t1="$t1" -v hz="$hz" \
  'BEGIN {printf "%.1f", (c1-c0)/hz/(t1-t0)*100}')
echo "view   frames=$frames ($(awk -v f="$frames" -v s="$SECS" 'BEGIN{printf "%.0f", f/s}')/s)  frame median=${med} ms  p99=${p99} ms  max=${max} ms  cpu=${view_cpu}%"
echo "       (the $N session hosts, which parse every session's output as tmux's server does: cpu=${hosts_cpu}%)"
$TM kill-server 2>/dev/null
"$AMUX" daemon stop >/dev/null 2>&1

echo "== tmux: the same $N commands as panes of one window, tiled, 200x50, one client attached"
$TB new-session -d -x 200 -y 50 "$PRINT_CMD"
$TB set-option -g status off >/dev/null
for i in $(seq 2 $N); do
  if [ "$i" -le "$PRINTERS" ]; then cmd=$PRINT_CMD; else cmd=$IDLE_CMD; fi
  $TB split-window -t 0 "$cmd" 2>/dev/null || { $TB select-layout -t 0 tiled >/dev/null; $TB split-window -t 0 "$cmd" 2>/dev/null; }
  $TB select-layout -t 0 tiled >/dev/null
done
panes=$($TB list-panes -t 0 | wc -l)
spid=$($TB display-message -p '#{pid}')
# A client attached to it, itself inside a detached outer tmux (its terminal).
$TM new-session -d -x 200 -y 50 "env -u TMUX $TB attach -t 0"
$TM set-option -g status off >/dev/null
sleep 2
cpid=$($TM display-message -p '#{pane_pid}')
s0=$(cpu_ticks "$spid"); k0=$(cpu_ticks "$cpid"); t0=$(date +%s.%N)
sleep "$SECS"
s1=$(cpu_ticks "$spid"); k1=$(cpu_ticks "$cpid"); t1=$(date +%s.%N)
tmux_cpu=$(awk -v a="$s0" -v b="$s1" -v c="$k0" -v d="$k1" -v t0="$t0" -v t1="$t1" -v hz="$hz" \
  'BEGIN {printf "%.1f", ((b-a)+(d-c))/hz/(t1-t0)*100}')
echo "tmux   panes=$panes  cpu (server+client)=${tmux_cpu}%"
awk -v v="$view_cpu" -v t="$tmux_cpu" -v p="$p99" 'BEGIN {
  printf "view/tmux cpu ratio: %.2f (target < 1)   p99 frame %.2f ms (target <= 16)\n", (t > 0 ? v / t : 0), p }'
