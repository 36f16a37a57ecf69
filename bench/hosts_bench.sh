#!/usr/bin/env bash
# hosts_bench.sh — amux over another machine, against its baselines, on a
# real sshd on 127.0.0.1 (a private one: own port, keys, config; stopped at
# the end) whose "remote" side is a second amux instance.
#
#   H1  `amux agents --json` with one host over a live ssh master vs local
#       only (--local); goal ≤ 2× local + one ssh round trip over the master
#       (measured too: `ssh host true` through the same master)
#   H2  attach to a remote session to its full screen: `amux attach build:ID`
#       vs `ssh -t host tmux attach` (both over the same master)
#
# Run by run_bench.sh (part "hosts"), or alone:
#   AMUX_BIN=build/amux BENCH_DIR=build/bench bash bench/hosts_bench.sh
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
AMUX=${AMUX_BIN:-$HERE/../build/amux}
BENCH_DIR=${BENCH_DIR:-$HERE/../build/bench}
PROBE=$BENCH_DIR/term_probe
REPS=${HOSTS_REPS:-30}
ATTACH_REPS=${HOSTS_ATTACH_REPS:-15}
ROWS=50 COLS=200
[ -x /usr/sbin/sshd ] || { echo "hosts_bench: /usr/sbin/sshd is missing (make deps: openssh-server)" >&2; exit 1; }
[ -x "$PROBE" ] || { echo "hosts_bench: $PROBE is missing (make bench)" >&2; exit 1; }

work=$(mktemp -d /tmp/amux-hbench.XXXXXX)
chmod 700 "$work"
SSHD_PID=
TSOCK=hbench-$$
cleanup() {
  [ -n "$SSHD_PID" ] && kill "$SSHD_PID" 2>/dev/null
  tmux -L "$TSOCK" kill-server 2>/dev/null
  for side in local remote; do
    AMUX_CONFIG_DIR=$work/$side XDG_RUNTIME_DIR=$work/rt-$side timeout 10 "$AMUX" daemon stop >/dev/null 2>&1
  done
  ssh -F "$work/ssh_config" -o ControlPath="$CTL" -O exit amuxtest >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT
log() { printf '%s\n' "$*" >&2; }
calc() { awk "BEGIN { printf \"%.${2:-2}f\", $1 }"; }
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) print ""; else printf "%.2f\n", (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
field() { sed -n "s/.*[[:space:]]$1=\([^[:space:]]*\).*/\1/p" | head -1; }

# ---- a private sshd
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
ME=$(id -un)
ssh-keygen -q -t ed25519 -N '' -f "$work/host_key" && ssh-keygen -q -t ed25519 -N '' -f "$work/user_key"
cp "$work/user_key.pub" "$work/authorized_keys"
cat >"$work/sshd_config" <<EOF
ListenAddress 127.0.0.1
Port $PORT
HostKey $work/host_key
AuthorizedKeysFile $work/authorized_keys
PidFile $work/sshd.pid
UsePAM no
StrictModes no
PermitRootLogin yes
PasswordAuthentication no
KbdInteractiveAuthentication no
AllowUsers $ME
MaxSessions 100
EOF
cat >"$work/ssh_config" <<EOF
Host amuxtest
  HostName 127.0.0.1
  Port $PORT
  User $ME
  IdentityFile $work/user_key
  IdentitiesOnly yes
  UserKnownHostsFile $work/known_hosts
  StrictHostKeyChecking accept-new
EOF
mkdir -p /run/sshd 2>/dev/null
/usr/sbin/sshd -D -f "$work/sshd_config" -E "$work/sshd.log" &
SSHD_PID=$!
for _ in $(seq 1 100); do (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null && break; sleep 0.05; done

mkdir -p "$work/local" "$work/remote" "$work/rt-local" "$work/rt-remote"
chmod 700 "$work/rt-local" "$work/rt-remote"
REMOTE_PREFIX="AMUX_CONFIG_DIR=$work/remote XDG_RUNTIME_DIR=$work/rt-remote $AMUX"
cat >"$work/local/config.toml" <<EOF
[hosts.build]
ssh = "amuxtest"
ssh_args = ["-F", "$work/ssh_config"]
amux = "$REMOTE_PREFIX"
EOF
export AMUX_CONFIG_DIR=$work/local XDG_RUNTIME_DIR=$work/rt-local
unset TMUX AMUX_SESSION AMUX_JOB_DIR
HASH_DIR=$("$AMUX" daemon status >/dev/null 2>&1; ls -d "$work"/rt-local/amux/*/ 2>/dev/null | head -1)
CTL=${HASH_DIR%/}/ssh-build

# ---- sessions: 5 here, 5 there, and the fill screen there
for i in 1 2 3 4 5; do "$AMUX" --bg --exec 'sleep 100000' --name "near-$i" >/dev/null; done
for i in 1 2 3 4 5; do "$AMUX" --bg --host build --exec 'sleep 100000' --name "far-$i" >/dev/null; done
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
FID=$("$AMUX" --bg --host build --exec "bash $FILL" --name fill | sed -n 's/^backgrounded · build:\([0-9a-f]*\) .*/\1/p')
tmux -L "$TSOCK" -f /dev/null new-session -d -x $COLS -y $ROWS -s fill "bash $FILL"
tmux -L "$TSOCK" set -g status off
for _ in $(seq 1 100); do "$AMUX" capture "build:$FID" 2>/dev/null | grep -q ZQ-END && break; sleep 0.1; done

# ---- H1: agents --json
"$AMUX" agents --json >/dev/null  # the master is up from here on
[ -S "$CTL" ] || log "hosts_bench: no master socket at $CTL"
loc=() rem=() rtt=()
for r in $(seq 1 "$REPS"); do
  t=$EPOCHREALTIME; "$AMUX" agents --json --local >/dev/null; loc+=("$(calc "($EPOCHREALTIME - $t) * 1000" 3)")
  t=$EPOCHREALTIME; "$AMUX" agents --json >"$work/all.json"; rem+=("$(calc "($EPOCHREALTIME - $t) * 1000" 3)")
  t=$EPOCHREALTIME; ssh -F "$work/ssh_config" -o ControlMaster=auto -o ControlPath="$CTL" -T amuxtest true
  rtt+=("$(calc "($EPOCHREALTIME - $t) * 1000" 3)")
done
rows=$(grep -c '"host": "build"' "$work/all.json")
L=$(echo "${loc[*]}" | median) A=$(echo "${rem[*]}" | median) S=$(echo "${rtt[*]}" | median)
GOAL=$(calc "2 * $L + $S")

# ---- H2: attach to full screen
o=$("$PROBE" attach --rows $ROWS --cols $COLS --repeat "$ATTACH_REPS" "${MARKERS[@]}" --detach 1c -- \
    "$AMUX" attach "build:$FID")
log "   amux attach build:ID: $o"
AM=$(field median_ms <<<"$o") AP=$(field p95_ms <<<"$o")
o=$("$PROBE" attach --rows $ROWS --cols $COLS --repeat "$ATTACH_REPS" "${MARKERS[@]}" --detach 0264 -- \
    ssh -F "$work/ssh_config" -o ControlMaster=auto -o ControlPath="$CTL" -t amuxtest tmux -L "$TSOCK" attach -t fill)
log "   ssh -t host tmux attach: $o"
TM=$(field median_ms <<<"$o") TP=$(field p95_ms <<<"$o")

# Per-host cost on this side: the master's memory.
MPID=$(ssh -F "$work/ssh_config" -o ControlPath="$CTL" -O check amuxtest 2>&1 | sed -n 's/.*pid=\([0-9]*\).*/\1/p')
MRSS=$( [ -n "$MPID" ] && awk '/^Rss:/ { print $2 }' "/proc/$MPID/smaps_rollup" 2>/dev/null)

verdict() { [ -n "$1" ] && [ -n "$2" ] && [ "$(calc "($1 <= $2)" 0)" = 1 ] && echo pass || echo miss; }
echo
echo "hosts (one sshd on 127.0.0.1, 5 local + 6 remote sessions, $REPS runs each; medians):"
printf '  %-52s %10s %10s %12s %s\n' "measure" "amux" "baseline" "goal" "verdict"
printf '  %-52s %8s ms %8s ms %12s\n' "H1 agents --json --local (this machine only)" "$L" "" "info"
printf '  %-52s %8s ms %8s ms %9s ms %s\n' "H1 agents --json with 1 host ($rows remote rows)" "$A" "$L" "$GOAL" "$(verdict "$A" "$GOAL")"
printf '  %-52s %8s ms %8s ms %12s\n' "H1 ssh round trip over the master (ssh host true)" "$S" "" "info"
printf '  %-52s %8s ms %8s ms %12s\n' "H2 attach to full screen: amux build:ID vs ssh -t tmux" "${AM:-?}" "${TM:-?}" "info"
printf '  %-52s %8s ms %8s ms %12s\n' "H2 same, p95" "${AP:-?}" "${TP:-?}" "info"
echo "  goal H1: ≤ 2 × local + one ssh round trip = $GOAL ms. ssh master RSS here: ${MRSS:-?} KiB."
