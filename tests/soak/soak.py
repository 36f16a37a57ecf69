#!/usr/bin/env python3
"""soak.py — `make soak`: many sessions for a long while, with the rough
handling a real machine gives them, in a private amux instance.

Why: the unit and integration tests show each promise once; this shows
they hold together over time. Every session runs tests/soak/soak_writer
(numbered lines at a steady rate, bursts of UTF-8/SGR text). Clients attach
and detach all the while, two of them are frozen (SIGSTOP, their terminal
not read) for 10 s and continued; midway the supervisor is killed with
SIGKILL, and so are three hosts (two while no supervisor runs, one after a
new one took over). At the end:

  - every session's `amux logs` is an unbroken run of numbered lines, each
    with exactly the text that was written (no line lost, doubled or
    garbled) up to what the program last wrote;
  - the killed hosts' rows went `failed` and `amux respawn` brought them
    back; every other session kept its host and its program, and its
    writes were never held up for long (the host kept reading);
  - host and supervisor RSS at the end are within 10 % of their values
    after warm-up;
  - a frozen client never grew its host by more than a fixed bound (the
    host skips frames for it), and once continued it shows the screen as
    it is now (the host redraws for it).

It prints a table and exits 1 when any check fails (2 on bad usage).

  python3 tests/soak/soak.py --amux build/amux --writer build/soak/soak_writer \
      [--seconds 600] [--sessions 50] [--keep]
"""

import argparse
import fcntl
import json
import os
import random
import select
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time

RSS_TOLERANCE = 0.10          # end vs after warm-up
FROZEN_BOUND_KB = 16 * 1024   # a frozen client may grow its host by at most this
FROZEN_FLOOD = 100000         # lines written while the client is frozen
STALL_LIMIT_MS = 5000         # a write held up longer than this is a missed beat
CLIENT_SLOTS = 3              # clients attached at any time
FOLLOWED = 4                  # sessions whose every line is streamed (`logs -f`) all along
ROWS, COLS = 50, 200          # the clients' size (the sessions' own: no resize)


def log(msg):
    print(f"[soak {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def rss_kb(pid, field="VmRSS"):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return -1


def anon_kb(pid):
    """The part of RSS that is the process's own memory: most of a host's
    RSS is the pages of its binary it has run (RssFile), which grow once a
    code path first runs, e.g. after the supervisor was restarted."""
    return rss_kb(pid, "RssAnon")


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


class Instance:
    """A private amux: its own config dir and runtime dir."""

    def __init__(self, amux, root, scrollback):
        self.amux_bin = amux
        self.config = os.path.join(root, "config")
        self.runtime = os.path.join(root, "rt")
        os.makedirs(self.config)
        os.makedirs(self.runtime, mode=0o700)
        with open(os.path.join(self.config, "config.toml"), "w") as f:
            f.write(f"[session]\nscrollback_lines = {scrollback}\nrows = {ROWS}\ncols = {COLS}\n"
                    "[daemon]\nidle_exit = 3600\n")
        self.env = dict(os.environ, AMUX_CONFIG_DIR=self.config, XDG_RUNTIME_DIR=self.runtime,
                        TERM="xterm-256color")
        for k in ("TMUX", "TMUX_PANE", "AMUX_SESSION", "AMUX_ATTACH_RELAY"):
            self.env.pop(k, None)

    def amux(self, *args, timeout=60):
        try:
            return subprocess.run([self.amux_bin, *args], env=self.env, capture_output=True,
                                  text=True, errors="replace", timeout=timeout, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired as e:
            return subprocess.CompletedProcess(e.cmd, 124, e.stdout or "", f"timed out: {args}")

    def record(self, sid):
        try:
            with open(os.path.join(self.config, "jobs", sid, "state.json")) as f:
                return json.load(f)
        except (OSError, ValueError):
            return {}

    def state(self, sid):
        r = self.amux("agents", "--json", "--all")
        try:
            for s in json.loads(r.stdout):
                if s.get("id") == sid:
                    return s
        except ValueError:
            pass
        return {}

    def supervisor_pid(self):
        r = self.amux("daemon", "status", "--json")
        try:
            return json.loads(r.stdout).get("pid", 0) if r.returncode == 0 else 0
        except ValueError:
            return 0


class Client:
    """`amux attach <id>` on a terminal of our own, read by a thread."""

    def __init__(self, inst, sid, relay):
        self.sid = sid
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
        env = dict(inst.env)
        if relay:
            env["AMUX_ATTACH_RELAY"] = "1"
        self.proc = subprocess.Popen([inst.amux_bin, "attach", sid], stdin=slave, stdout=slave,
                                     stderr=slave, env=env, start_new_session=True)
        os.close(slave)
        self.lock = threading.Lock()
        self.received = 0
        self.tail = bytearray()      # the last bytes seen, for markers
        self.reading = threading.Event()
        self.reading.set()
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._drain, daemon=True)
        self.thread.start()

    def _drain(self):
        while not self.done.is_set():
            if not self.reading.wait(0.2):
                continue
            r, _, _ = select.select([self.master], [], [], 0.2)
            if not r:
                continue
            try:
                data = os.read(self.master, 65536)
            except OSError:
                break
            if not data:
                break
            with self.lock:
                self.received += len(data)
                self.tail += data
                if len(self.tail) > (1 << 20):
                    del self.tail[: len(self.tail) - (1 << 20)]

    def seen(self, text):
        with self.lock:
            return self.tail.find(text.encode()) >= 0

    def reset_tail(self):
        with self.lock:
            self.tail.clear()

    def wait_seen(self, text, timeout):
        end = time.time() + timeout
        while time.time() < end:
            if self.seen(text):
                return True
            time.sleep(0.1)
        return False

    def detach(self, timeout=20):
        """C-\\, then the client must end by itself with 0."""
        try:
            os.write(self.master, b"\x1c")
        except OSError:
            pass
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
        self.thread.join(5)  # it ends once the terminal has nothing more ("[detached from ...]" last)
        said = self.seen("[detached from")
        self.close()
        return rc, said

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.done.set()
        self.thread.join(2)
        try:
            os.close(self.master)
        except OSError:
            pass


class Follower:
    """`amux logs -f <id>` for the whole run: every line the session completes."""

    def __init__(self, inst, sid):
        self.sid = sid
        self.proc = subprocess.Popen([inst.amux_bin, "logs", "-f", sid], env=inst.env, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.lines = []
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        for raw in self.proc.stdout:
            self.lines.append(raw.decode("utf-8", "replace").rstrip("\n"))

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.thread.join(10)


class Soak:
    def __init__(self, args):
        self.args = args
        self.seconds = args.seconds
        self.warmup = max(15.0, self.seconds * 0.2, args.burst_every + 5)
        # The ring is full by the end of the warm-up, so RSS after it is the plateau.
        # It holds two bursts too: a burst is read in one go, and `logs -f`
        # can only send lines the ring still holds when the frame comes.
        self.scrollback = max(2 * args.burst_lines, min(2000, int(args.rate * self.warmup * 0.7)))
        self.root = tempfile.mkdtemp(prefix="amux-soak.")
        self.inst = Instance(args.amux, self.root, self.scrollback)
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.sessions = {}       # id -> {"name", "stats", "host", "pid", "kind"}
        self.attached = set()    # ids a churn client is on now
        self.attach_count = {}   # id -> times a churn client came and went
        self.victims = []        # ids whose host was killed
        self.cycles = 0
        self.cycle_failures = []
        self.frozen_results = {}
        self.results = []        # (check, value, ok)
        self.notes = []

    # -- setup -----------------------------------------------------------
    def start_sessions(self):
        n = self.args.sessions
        for i in range(n):
            kind = "frozen-relay" if i == 0 else "frozen-direct" if i == 1 else "steady"
            name = f"soak-{i:02d}-{kind}"
            stats = os.path.join(self.root, f"stats-{i:02d}")
            cmd = [self.args.writer, "--stats", stats, "--seed", str(i), "--rate", str(self.args.rate),
                   "--burst-every", str(self.args.burst_every), "--burst-lines", str(self.args.burst_lines)]
            if kind != "steady":
                cmd.append("--commands")
            r = self.inst.amux("--bg", "--exec", " ".join(cmd), "--name", name)
            if r.returncode != 0 or "backgrounded · " not in r.stdout:
                raise RuntimeError(f"dispatch {name} failed: {r.stderr.strip()}")
            sid = r.stdout.split("backgrounded · ")[1][:8]
            self.sessions[sid] = {"name": name, "stats": stats, "kind": kind}
        end = time.time() + 60
        while time.time() < end:
            if all(self.inst.record(s).get("hostPid") and self.inst.record(s).get("pid") for s in self.sessions):
                break
            time.sleep(0.5)
        for sid, s in self.sessions.items():
            rec = self.inst.record(sid)
            s["host"] = rec.get("hostPid", 0)
            deadline = time.time() + 30
            while not self.stats(sid)[2] and time.time() < deadline:
                time.sleep(0.2)
            s["pid"] = self.stats(sid)[2]
        log(f"{n} sessions running (scrollback {self.scrollback} lines, warm-up {self.warmup:.0f} s)")

    def steady_ids(self):
        return [s for s, v in self.sessions.items() if v["kind"] == "steady"]

    def stats(self, sid):
        """(last line written whole, longest write stall in ms, the writer's pid)."""
        for _ in range(5):
            try:
                with open(self.sessions[sid]["stats"]) as f:
                    n, late, pid = f.read().split()
                    return int(n), int(late), int(pid)
            except (OSError, ValueError):
                time.sleep(0.05)
        return 0, 0, 0

    # -- clients that come and go ------------------------------------------
    def churn(self, slot):
        rnd = random.Random(slot)
        while not self.stop.is_set():
            with self.lock:
                pool = [s for s in self.steady_ids() if s not in self.attached and s not in self.victims]
                if not pool:
                    break
                # Each session once before any twice (the warm-up waits for that), then at random.
                least = min(self.attach_count.get(s, 0) for s in pool)
                if least == 0:
                    pool = [s for s in pool if self.attach_count.get(s, 0) == 0]
                sid = rnd.choice(pool)
                self.attached.add(sid)
            relay = rnd.random() < 0.5
            c = Client(self.inst, sid, relay)
            # It shows the session: a numbered line comes through.
            ok_shown = c.wait_seen(" steady line ", 30) or c.wait_seen(" burst", 5)
            self.stop.wait(rnd.uniform(2, 8))
            rc, said = c.detach()
            with self.lock:
                self.attached.discard(sid)
                self.attach_count[sid] = self.attach_count.get(sid, 0) + 1
                self.cycles += 1
                if not (ok_shown and rc == 0 and said):
                    self.cycle_failures.append(f"{sid} relay={relay} shown={ok_shown} rc={rc} detached-line={said}")

    # -- a frozen client ---------------------------------------------------
    def frozen(self, kind):
        sid = next(s for s, v in self.sessions.items() if v["kind"] == kind)
        res = {"ok": False, "note": ""}
        self.frozen_results[kind] = res
        c = Client(self.inst, sid, relay=(kind == "frozen-relay"))
        try:
            # Fill the ring first, so what the host grows by later is the client's doing.
            first = self.scrollback + ROWS + 100
            self.inst.amux("reply", sid, f"flood {first}")
            if not c.wait_seen("mark ", 60):
                res["note"] = "client never showed the session"
                return
            time.sleep(1)
            host = self.inst.record(sid).get("hostPid", 0)
            before = rss_kb(host)
            c.reading.clear()
            os.kill(c.proc.pid, signal.SIGSTOP)
            n0 = self.stats(sid)[0]
            r = self.inst.amux("reply", sid, f"flood {FROZEN_FLOOD}")
            want = f"mark {n0 + FROZEN_FLOOD}"
            peak = before
            end = time.time() + 10
            while time.time() < end:
                peak = max(peak, rss_kb(host))
                time.sleep(0.2)
            written = self.stats(sid)[0] - n0
            c.reset_tail()
            received_before = c.received
            os.kill(c.proc.pid, signal.SIGCONT)
            c.reading.set()
            # Nothing more is written now: only a redraw can bring the mark.
            redrawn = False
            end = time.time() + 60
            while time.time() < end and not redrawn:
                redrawn = c.seen(want)
                time.sleep(0.2)
            got = c.received - received_before
            res.update(host_growth_kb=peak - before, written=written, flood_ok=r.returncode == 0,
                       redrawn=redrawn, bytes_after=got)
            rc, said = c.detach()
            res["ok"] = (r.returncode == 0 and written == FROZEN_FLOOD and peak - before <= FROZEN_BOUND_KB
                         and redrawn and rc == 0 and said)
            if not res["ok"]:
                res["note"] = f"flood rc={r.returncode} written={written} redrawn={redrawn} detach rc={rc}"
        except Exception as e:  # a soak reports, it does not crash
            res["note"] = f"error: {e}"
        finally:
            c.close()

    # -- the supervisor and three hosts killed -----------------------------
    def kill_phase(self):
        res = {"ok": False}
        self.kill_result = res
        sup = self.inst.supervisor_pid()
        with self.lock:
            followed = {f.sid for f in getattr(self, "followers", [])}
            pool = [s for s in self.steady_ids() if s not in self.attached and s not in followed]
            random.Random(7).shuffle(pool)
            self.victims = pool[:3]
        if sup <= 0 or len(self.victims) < 3:
            res["note"] = f"no supervisor ({sup}) or too few sessions"
            return
        self.sup_warm_first = self.sup_warm
        os.kill(sup, signal.SIGKILL)
        log(f"supervisor {sup} killed")
        for sid in self.victims[:2]:
            os.kill(self.sessions[sid]["host"], signal.SIGKILL)
        log(f"hosts of {self.victims[0]} {self.victims[1]} killed while no supervisor runs")
        deadline = time.time() + 30
        while time.time() < deadline and any(alive(self.sessions[s]["host"]) for s in self.victims[:2]):
            time.sleep(0.1)
        # Any client starts a new supervisor, which finds the dead hosts.
        failed = {}
        deadline = time.time() + 60
        while time.time() < deadline and len(failed) < 2:
            for sid in self.victims[:2]:
                st = self.inst.state(sid)
                if st.get("state") == "failed":
                    failed[sid] = st.get("detail", "")
            time.sleep(0.5)
        new_sup = self.inst.supervisor_pid()
        self.sup_restart_at = time.time()
        log(f"supervisor {new_sup} took over")
        os.kill(self.sessions[self.victims[2]]["host"], signal.SIGKILL)
        log(f"host of {self.victims[2]} killed under the new supervisor")
        deadline = time.time() + 60
        while time.time() < deadline and self.victims[2] not in failed:
            st = self.inst.state(self.victims[2])
            if st.get("state") == "failed":
                failed[self.victims[2]] = st.get("detail", "")
            time.sleep(0.5)
        respawned = 0
        for sid in self.victims:
            r = self.inst.amux("respawn", sid)
            deadline = time.time() + 60
            while time.time() < deadline:
                rec = self.inst.record(sid)
                if (r.returncode == 0 and rec.get("state") == "working" and rec.get("hostPid")
                        and rec.get("hostPid") != self.sessions[sid]["host"] and alive(rec["hostPid"])):
                    respawned += 1
                    self.sessions[sid]["host"] = rec["hostPid"]
                    break
                time.sleep(0.5)
        res.update(failed=len(failed), details=sorted(set(failed.values())), respawned=respawned,
                   new_sup=new_sup, old_sup=sup)
        res["ok"] = len(failed) == 3 and respawned == 3 and new_sup > 0 and new_sup != sup

    # -- checks at the end -------------------------------------------------
    def expected(self, first, last):
        r = subprocess.run([self.args.writer, "--expect", str(first), str(last)], capture_output=True,
                           text=True, check=True)
        out = {}
        for k, line in enumerate(r.stdout.splitlines()):
            out[first + k] = tuple(line.split("\t"))
        return out

    def check_sequence(self, sid):
        """Lines of `amux logs` (its writer stopped): consecutive numbers, each
        with its own text, up to the last line the program wrote."""
        written = self.stats(sid)[0]
        deadline = time.time() + 60
        while True:  # the host may still be reading what was written last
            r = self.inst.amux("logs", sid, timeout=120)
            if r.returncode != 0:
                return False, 0, f"logs failed: {r.stderr.strip()}"
            lines = [l for l in r.stdout.split("\n") if l.strip()]
            nums = [int(l[:7]) for l in lines if l[:7].isdigit()]
            if (nums and nums[-1] >= written) or time.time() > deadline:
                break
            time.sleep(0.5)
        return self.check_lines(lines, written)

    def check_lines(self, lines, written):
        """Numbered lines consecutive, each with its own text, up to `written`."""
        bad = []
        nums = [(int(l[:7]), l) for l in lines if l[:7].isdigit()]
        for l in lines:
            if not l[:7].isdigit() and not l.startswith("mark "):
                bad.append(f"unnumbered line {l[:60]!r}")
        if not nums:
            return False, 0, "no numbered lines"
        exp = self.expected(nums[0][0], nums[-1][0])
        prev = None
        for k, (n, l) in enumerate(nums):
            if prev is not None and n != prev + 1:
                bad.append(f"{'doubled' if n <= prev else 'lost'} around {prev} -> {n}")
            prev = n
            steady, burst = exp.get(n, ("", ""))
            partial = k == len(nums) - 1 and n > written  # stopped in the middle of a write
            if l != steady and l != burst and not (partial and (steady.startswith(l) or burst.startswith(l))):
                bad.append(f"line {n} reads {l[:70]!r}")
        last = nums[-1][0]
        if last < written:
            bad.append(f"the program wrote up to line {written}, the session shows up to {last}")
        return not bad, len(nums), "; ".join(bad[:3])

    # -- the run -----------------------------------------------------------
    def run(self):
        t0 = time.time()
        self.start_sessions()
        # A few sessions are followed (`logs -f`) from start to end: their
        # lines are checked over the whole run, not only the scrollback kept.
        self.followers = [Follower(self.inst, sid) for sid in self.steady_ids()[:FOLLOWED]]
        churn = [threading.Thread(target=self.churn, args=(k,), daemon=True) for k in range(CLIENT_SLOTS)]
        for t in churn:
            t.start()
        # Warm-up: every kind of work has happened once everywhere (a burst in
        # every session, a client on every steady one), so what a host holds
        # from now on is its plateau; RSS after it is the baseline.
        self.stop.wait(max(0, self.warmup - (time.time() - t0)))
        while time.time() - t0 < self.seconds * 0.45:
            with self.lock:
                if all(self.attach_count.get(s, 0) for s in self.steady_ids()):
                    break
            time.sleep(0.5)
        with self.lock:
            unvisited = [s for s in self.steady_ids() if not self.attach_count.get(s)]
        if unvisited:
            self.notes.append(f"warm-up ended with {len(unvisited)} sessions never attached")
        self.warmup_took = time.time() - t0
        self.host_warm = {s: rss_kb(v["host"]) for s, v in self.sessions.items()}
        self.host_warm_anon = {s: anon_kb(v["host"]) for s, v in self.sessions.items()}
        sup = self.inst.supervisor_pid()
        self.sup_warm = rss_kb(sup) if sup > 0 else -1
        log(f"warm after {self.warmup_took:.0f} s: supervisor {self.sup_warm} kB, "
            f"hosts {sum(self.host_warm.values()) / 1024:.1f} MB in all")
        frozen = threading.Thread(target=lambda: (self.frozen("frozen-relay"), self.frozen("frozen-direct")),
                                  daemon=True)
        frozen.start()
        threads = churn + [frozen]
        self.stop.wait(max(0, self.seconds / 2 - (time.time() - t0)))
        self.kill_phase()
        # The new supervisor's own warm-up, then its baseline.
        remaining = self.seconds - (time.time() - t0)
        self.stop.wait(max(5.0, min(self.warmup, remaining / 3)))
        sup2 = self.inst.supervisor_pid()
        self.sup_warm_second = rss_kb(sup2) if sup2 > 0 else -1
        self.stop.wait(max(0, self.seconds - (time.time() - t0)))
        self.stop.set()
        for t in threads:
            t.join(120)
        time.sleep(2)
        self.finish(sup2)

    def finish(self, sup2):
        R = self.results
        survivors = [s for s in self.steady_ids() if s not in self.victims]
        host_end = {s: rss_kb(self.sessions[s]["host"]) for s in survivors}
        anon_end = {s: anon_kb(self.sessions[s]["host"]) for s in survivors}
        sup_end = rss_kb(sup2) if sup2 > 0 else -1
        records = {s: self.inst.record(s) for s in survivors}
        # Stop every writer where it is; what it wrote whole must all be there.
        for sid in self.sessions:
            pid = self.stats(sid)[2]
            if pid > 0:
                try:
                    os.kill(pid, signal.SIGSTOP)
                except OSError:
                    pass
        total, broken = 0, []
        for sid in self.sessions:
            ok, n, why = self.check_sequence(sid)
            total += n
            if not ok:
                broken.append(f"{self.sessions[sid]['name']}: {why}")
        R.append(("lines kept by every session: unbroken, text exact",
                  f"{len(self.sessions) - len(broken)}/{len(self.sessions)} sessions, {total} lines",
                  not broken))
        self.notes += broken
        # The followed sessions: every line of the run, from the first.
        streamed, fbad = 0, []
        for f in self.followers:
            written = self.stats(f.sid)[0]
            deadline = time.time() + 30
            while time.time() < deadline:  # the last completed lines on their way
                nums = [int(l[:7]) for l in f.lines if l[:7].isdigit()]
                if nums and nums[-1] >= written:
                    break
                time.sleep(0.5)
            f.stop()
            ok, n, why = self.check_lines([l for l in f.lines if l.strip()], written)
            if ok and not (f.lines and f.lines[0].startswith("0000001 ")):
                ok, why = False, f"the stream starts with {f.lines[0][:20] if f.lines else 'nothing'!r}"
            streamed += n
            if not ok:
                fbad.append(f"{self.sessions[f.sid]['name']} (logs -f): {why}")
        R.append(("every line of the run (logs -f on a few)",
                  f"{len(self.followers) - len(fbad)}/{len(self.followers)} sessions, {streamed} lines from line 1",
                  bool(self.followers) and not fbad))
        self.notes += fbad
        # Never missed a beat.
        moved, stalls = [], []
        for sid in survivors:
            rec = records[sid]
            n, late, pid = self.stats(sid)
            if rec.get("hostPid") != self.sessions[sid]["host"] or pid != self.sessions[sid]["pid"] \
                    or not alive(rec.get("hostPid", 0)) or rec.get("state") != "working":
                moved.append(f"{self.sessions[sid]['name']}: host {self.sessions[sid]['host']}->{rec.get('hostPid')}"
                             f" program {self.sessions[sid]['pid']}->{pid} state {rec.get('state')}")
            stalls.append(late)
        worst = max(stalls) if stalls else 0
        R.append(("others kept host, program and pace",
                  f"{len(survivors) - len(moved)}/{len(survivors)} untouched, longest write stall {worst} ms",
                  not moved and worst <= STALL_LIMIT_MS))
        self.notes += moved
        # Killed hosts.
        k = getattr(self, "kill_result", {"ok": False, "note": "did not run"})
        R.append(("supervisor + 3 hosts SIGKILLed: rows failed, respawned",
                  f"{k.get('failed', 0)}/3 failed ({', '.join(k.get('details', [])) or '-'}), "
                  f"{k.get('respawned', 0)}/3 respawned, supervisor {k.get('old_sup', '?')} -> {k.get('new_sup', '?')}",
                  k.get("ok", False)))
        if k.get("note"):
            self.notes.append("kill phase: " + k["note"])
        # RSS.
        growth = []
        for sid in survivors:
            w, e = self.host_warm.get(sid, -1), host_end[sid]
            if w > 0 and e > 0:
                growth.append(((e - w) / w, sid, w, e))
        growth.sort(reverse=True)
        total_w = sum(g[2] for g in growth)
        total_e = sum(g[3] for g in growth)
        worst_host = growth[0] if growth else (0, "-", 0, 0)
        anon_w = sum(max(self.host_warm_anon.get(g[1], 0), 0) for g in growth)
        anon_e = sum(max(anon_end.get(g[1], 0), 0) for g in growth)
        R.append(("host RSS end vs warm-up (each within 10 %)",
                  f"{total_w / 1024:.1f} -> {total_e / 1024:.1f} MB in all ({(total_e - total_w) / max(total_w, 1):+.1%}; "
                  f"anonymous {anon_w / 1024:.1f} -> {anon_e / 1024:.1f} MB), "
                  f"worst {worst_host[2]} -> {worst_host[3]} kB ({worst_host[0]:+.1%})",
                  bool(growth) and worst_host[0] <= RSS_TOLERANCE))
        base = getattr(self, "sup_warm_second", -1)
        R.append(("supervisor RSS end vs warm-up (within 10 %)",
                  f"first {self.sup_warm} kB; after restart {base} -> {sup_end} kB"
                  f" ({(sup_end - base) / max(base, 1):+.1%})",
                  base > 0 and sup_end > 0 and abs(sup_end - base) <= RSS_TOLERANCE * base))
        # Clients.
        R.append(("clients attached and detached", f"{self.cycles} cycles, {len(self.cycle_failures)} failed",
                  self.cycles > 0 and not self.cycle_failures))
        self.notes += self.cycle_failures[:5]
        for kind in ("frozen-relay", "frozen-direct"):
            f = self.frozen_results.get(kind, {"ok": False, "note": "did not run"})
            value = (f"host +{f.get('host_growth_kb', '?')} kB (bound {FROZEN_BOUND_KB} kB) while "
                     f"{f.get('written', '?')} lines went by; {f.get('bytes_after', '?')} bytes after resume, "
                     f"redrawn {'yes' if f.get('redrawn') else 'no'}")
            R.append((f"client SIGSTOPped 10 s ({kind.split('-')[1]})", value, f.get("ok", False)))
            if f.get("note"):
                self.notes.append(f"{kind}: {f['note']}")

    def report(self):
        w = max(len(r[0]) for r in self.results)
        print()
        print(f"soak: {self.args.sessions} sessions, {self.seconds:.0f} s, {self.cycles} client cycles")
        print(f"{'check'.ljust(w)}  result  measured")
        for name, value, ok in self.results:
            print(f"{name.ljust(w)}  {'ok    ' if ok else 'FAILED'}  {value}")
        for n in self.notes[:20]:
            print(f"  note: {n}")
        failed = sum(1 for r in self.results if not r[2])
        print(f"{len(self.results) - failed} passed, {failed} failed")
        return failed == 0

    def cleanup(self):
        self.stop.set()
        for f in getattr(self, "followers", []):
            if f.proc.poll() is None:
                f.proc.kill()
        self.inst.amux("daemon", "stop", timeout=60)
        if self.args.keep:
            print(f"kept {self.root}")
        else:
            shutil.rmtree(self.root, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description="amux soak test")
    ap.add_argument("--amux", required=True)
    ap.add_argument("--writer", required=True)
    ap.add_argument("--seconds", type=float, default=600)
    ap.add_argument("--sessions", type=int, default=50)
    ap.add_argument("--rate", type=float, default=10, help="steady lines per second per session")
    ap.add_argument("--burst-every", type=float, default=0, help="seconds (default: 20, less for short runs)")
    ap.add_argument("--burst-lines", type=int, default=300)
    ap.add_argument("--keep", action="store_true", help="keep the instance's directory")
    args = ap.parse_args()
    if args.burst_every <= 0:
        args.burst_every = min(20.0, args.seconds / 6)
    if args.sessions < 8 or args.seconds < 30:
        print("soak: needs at least 8 sessions and 30 seconds", file=sys.stderr)
        return 2
    for p in (args.amux, args.writer):
        if not os.access(p, os.X_OK):
            print(f"soak: {p} is not there (make soak builds it)", file=sys.stderr)
            return 2
    soak = Soak(args)
    ok = False
    try:
        soak.run()
        ok = soak.report()
    except KeyboardInterrupt:
        print("soak: interrupted", file=sys.stderr)
    except Exception as e:
        print(f"soak: {e}", file=sys.stderr)
    finally:
        soak.cleanup()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
