"""Faults and safe defaults (issue 5, parts 2 and 4).

- Killed runs: a default `maillage analyse` of the shipped data is killed (SIGKILL) at 10 moments
  spread over the run, 6 of them in the write phase. Each time the output folder still holds,
  byte for byte, the outputs of the previous good run, and besides them only maillage's hidden
  staging folder and lock file; the next run succeeds and removes both.
- Killed during the switch: tests/cli/fault_inject.c (LD_PRELOAD) kills a run between two renames
  of its commit, after each of them in turn; the folder is then completed by the next run, never
  left a mix of two runs.
- Full disk: a small tmpfs (when root can mount one here; else a file size limit, RLIMIT_FSIZE)
  makes `analyse` and `nearest` fail with exit 1, a message naming the file and the cause, and the
  folder as it was.
- Two runs on one folder: the second is refused with the PID of the first; a killed run's lock does
  not block the next one.
- A config file's relative paths are taken from its folder (`nearest`, `report`; `analyse` is
  covered by test_analyse_small.py).
- Text of the inputs is data: shell commands and HTML in names run nothing.
- PostgreSQL passwords reach no log (text or JSON), no error message, no record (run.json,
  summary.json, the runs table).
"""
import csv
import hashlib
import json
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import xml.etree.ElementTree as ET
from pathlib import Path

import helpers as h

D = h.DATA
SMALL = ["--zones", D / "zones_small.geojson", "--sites", D / "sites_small.csv", "--grid-m", 100,
         "--no-progress"]
SMALL_POPULATION = 12000 + 25000 + 4000  # the three zones of zones_small.geojson
LOCK = ".maillage.lock"
FAULT_LIB = os.environ.get("MAILLAGE_FAULT_LIB") or str(
    Path(h.BIN).parent / "tests" / "cli" / "libmaillage_fault_inject.so")


def sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def is_run_state(rel):
    """maillage's own state in an output folder: its lock file and staging folders."""
    top = rel.split("/")[0]
    return top == LOCK or top.startswith(".maillage-staging-") or top.startswith(".maillage-new-")


def outputs_of(snapshot):
    return {k: v for k, v in snapshot.items() if not is_run_state(k)}


def run_state_of(snapshot):
    return sorted(k.rstrip("/") for k in snapshot if is_run_state(k) and "/" not in k.rstrip("/"))


def check_record(tc, out, extra=()):
    """OUT holds exactly the outputs listed in its run.json (plus EXTRA), with their SHA-256."""
    record = h.load_json(out / "run.json")
    listed = {o["name"] for o in record["outputs"]}
    tc.assertEqual({p.name for p in out.iterdir()}, listed | {"run.json"} | set(extra))
    for o in record["outputs"]:
        tc.assertEqual(sha256(out / o["name"]), o["sha256"], f"{o['name']} is not the one of run.json")
    return record


class Background:
    """A maillage run in the background; its log (stderr) is read line by line as it comes."""

    def __init__(self, *args, env=None, cwd=None):
        self.cmd = [h.BIN] + [str(a) for a in args]
        self.p = subprocess.Popen(self.cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                  text=True, env=env, cwd=cwd)
        self.lines = []

    def wait_line(self, text):
        """Reads the log up to a line holding TEXT; False if the run ended first."""
        while True:
            line = self.p.stderr.readline()
            if not line:
                return False
            self.lines.append(line)
            if text in line:
                return True

    def finish(self, timeout=300):
        self.lines.append(self.p.stderr.read())
        self.p.stderr.close()
        self.p.wait(timeout)
        return self.p.returncode

    def log(self):
        return "".join(self.lines)


# --- Killed runs ------------------------------------------------------------------------------

class TestKilledRuns(h.CliTestCase):
    def test_default_run_killed_at_ten_moments(self):
        out = h.make_tempdir(self) / "out"
        # The previous good run: the default analysis, timed phase by phase from its log.
        ref = Background("analyse", "--out", out, "--log-format", "json", cwd=h.REPO)
        t = {"start": time.monotonic()}
        for event in ("read ", "grid: done", "distances: done", "underserved: done"):
            self.assertTrue(ref.wait_line(event), f"no {event!r} line in the log\n{ref.log()}")
            t[event] = time.monotonic()
        self.assertEqual(ref.finish(), 0, ref.log())
        write_s = time.monotonic() - t["underserved: done"]
        underserved_s = t["underserved: done"] - t["distances: done"]
        previous = h.snapshot(out)
        self.assertEqual(run_state_of(previous), [])

        # The killed runs use another threshold: their outputs differ from the previous ones.
        # The last kill comes well before the end: it leaves a staging folder for the final run.
        plan = [("underserved: done", f * write_s) for f in (0.02, 0.2, 0.4, 0.6, 0.8, 0.95)]
        plan += [("", 0.2), ("read ", 0.0), ("grid: done", 0.0), ("distances: done", underserved_s / 2)]
        landed = []
        for event, delay in plan:
            where = f"{(event or 'start').split(':')[0].strip()}+{delay:.2f}s"
            # On a loaded machine the write phase's length varies from run to run: a run that
            # finished before its kill is retried with half the delay (twice at most).
            for attempt in range(3):
                run = Background("analyse", "--out", out, "--threshold-km", 15, "--log-format",
                                 "json", cwd=h.REPO)
                if not event or run.wait_line(event):
                    time.sleep(delay / (2 ** attempt))
                run.p.send_signal(signal.SIGKILL)
                code = run.finish()
                snap = h.snapshot(out)
                if code != 0:
                    break
                previous = snap
            if code == 0:
                landed.append(f"{where}: finished before the kill")
                previous = snap
                continue
            self.assertEqual(code, -signal.SIGKILL, run.log())
            staging = [k for k in run_state_of(snap) if k != LOCK]
            self.assertLessEqual(len(staging), 1, f"{where}: staging folders of earlier runs were "
                                                  f"not removed: {staging}")
            if any(k.endswith("/.commit") for k in snap):
                # Killed between two renames of the switch: the next run completes it first.
                r = h.run("analyse", "--out", out, "--sites", "missing.csv", "--no-progress")
                self.assertEqual(r.returncode, 1, r)
                self.assertIn("completed the outputs", r.stderr)
                self.assertEqual(check_record(self, out)["parameters"]["threshold_km"], 15)
                landed.append(f"{where}: during the switch, completed by the next run")
                previous = h.snapshot(out)
                continue
            now = outputs_of(snap)
            if now == outputs_of(previous):
                landed.append(f"{where}: previous outputs intact")
                continue
            # Otherwise the kill came after the switch: every output must then be the new run's.
            record = check_record(self, out, extra=[k for k in run_state_of(snap)])
            self.assertEqual(record["parameters"]["threshold_km"], 15,
                             f"{where}: the folder mixes two runs")
            landed.append(f"{where}: after the switch, new outputs complete")
            previous = snap

        sys.stderr.write("\nkills: " + "; ".join(landed) + "\n")
        killed = [x for x in landed if "finished before" not in x]
        self.assertGreaterEqual(len(killed), 8, landed)
        self.assertGreaterEqual(
            len([x for x in killed if x.startswith("underserved") and "intact" in x]), 3, landed)

        # The next run (a short one) succeeds and removes what the killed ones left.
        self.assertNotEqual(run_state_of(h.snapshot(out)), [], "the last kill left nothing to clean")
        r = h.run("analyse", *SMALL, "--threshold-km", 15, "--out", out)
        self.assertEqual(r.returncode, 0, r)
        self.assertEqual(run_state_of(h.snapshot(out)), [])
        record = check_record(self, out)
        self.assertEqual(record["parameters"]["threshold_km"], 15)
        self.assertEqual(h.load_json(out / "summary.json")["population_total"], SMALL_POPULATION)


@unittest.skipUnless(Path(FAULT_LIB).is_file(), f"fault injection library not built ({FAULT_LIB})")
class TestKilledDuringTheSwitch(h.CliTestCase):
    """The commit renames the outputs one by one: a kill between two renames is completed later."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tmp = h.make_tempdir(cls)
        # The outputs the interrupted run would have written, from a clean run.
        cls.expected = cls.tmp / "expected"
        r = h.run("analyse", *SMALL, "--threshold-km", 8, "--out", cls.expected)
        assert r.returncode == 0, r
        cls.names = sorted(p.name for p in cls.expected.iterdir())
        # The outputs of the run before it.
        cls.previous = cls.tmp / "previous"
        r = h.run("analyse", *SMALL, "--threshold-km", 5, "--out", cls.previous)
        assert r.returncode == 0, r

    def env(self, **faults):
        env = dict(os.environ, LD_PRELOAD=FAULT_LIB,
                   ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "") + ":verify_asan_link_order=0")
        env.update({k: str(v) for k, v in faults.items()})
        return env

    def previous_run(self, out):
        shutil.rmtree(out, ignore_errors=True)
        shutil.copytree(self.previous, out)
        return h.snapshot(out)

    def new_outputs_complete(self, out):
        """OUT holds the interrupted run's outputs, all of them, and nothing else."""
        self.assertEqual(run_state_of(h.snapshot(out)), [])
        self.assertEqual(sorted(p.name for p in out.iterdir()), self.names)
        for name in self.names:
            if name != "run.json":
                self.assertEqual(sha256(out / name), sha256(self.expected / name), name)
        self.assertEqual(check_record(self, out)["parameters"]["threshold_km"], 8)

    def test_killed_after_each_rename(self):
        out = self.tmp / "out"
        moves = self.tmp / "moves.log"
        n = len(self.names)
        for k in range(1, n):
            before = self.previous_run(out)
            moves.unlink(missing_ok=True)
            p = subprocess.run([h.BIN, "analyse", *map(str, SMALL), "--threshold-km", "8",
                                "--out", str(out)], capture_output=True, text=True,
                               env=self.env(MAILLAGE_FAULT_KILL_AFTER_MOVES=k,
                                            MAILLAGE_FAULT_LOG=moves))
            self.assertEqual(p.returncode, -signal.SIGKILL, p.stderr)
            moved = [Path(line.split("\t")[1]).name for line in moves.read_text().splitlines()]
            self.assertEqual(len(moved), k)
            # run.json is moved last: while it is the previous one, the folder is not complete.
            self.assertNotIn("run.json", moved)
            self.assertEqual(sha256(out / "run.json"), before["run.json"])
            snap = h.snapshot(out)
            self.assertTrue(any(x.endswith("/.commit") for x in snap), "no journal before the renames")
            # Files not produced by the run are not touched, and no output is partial.
            for name in self.names:
                self.assertIn(snap[name], (before[name], sha256(self.expected / name)), name)
            # The next run, whatever it does (here it fails on a missing input), completes the
            # switch before anything else.
            r = h.run("analyse", "--out", out, "--sites", "missing.csv", "--no-progress")
            self.assertEqual(r.returncode, 1, r)
            self.assertIn("completed the outputs of an earlier run", r.stderr)
            self.new_outputs_complete(out)

    def test_failed_rename_is_completed_by_the_next_run(self):
        out = self.tmp / "out-fail"
        self.previous_run(out)
        p = subprocess.run([h.BIN, "analyse", *map(str, SMALL), "--threshold-km", "8",
                            "--out", str(out)], capture_output=True, text=True,
                           env=self.env(MAILLAGE_FAULT_FAIL_MOVE=3))
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("cannot move", p.stderr)
        self.assertIn("next maillage run in this folder completes the move", p.stderr)
        r = h.run("analyse", "--out", out, "--sites", "missing.csv", "--no-progress")
        self.assertEqual(r.returncode, 1, r)
        self.new_outputs_complete(out)


# --- Full disk ----------------------------------------------------------------------------------

def mount_tmpfs(tc, kib):
    """A tmpfs of KIB KiB, unmounted at the end of the test; None where it cannot be mounted."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return None
    mnt = h.make_tempdir(tc) / "disk"
    mnt.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={kib}k", "tmpfs", str(mnt)],
                       capture_output=True, text=True)
    if r.returncode != 0:
        return None
    tc.addCleanup(subprocess.run, ["umount", "-l", str(mnt)], capture_output=True)
    return mnt


def fill(folder, leave):
    """A file that fills the file system of FOLDER but LEAVE bytes."""
    st = os.statvfs(folder)
    remaining = max(0, st.f_bavail * st.f_frsize - leave)
    filler = Path(folder) / "filler.bin"
    block = b"\0" * 65536
    with open(filler, "wb") as f:
        while remaining > 0:
            remaining -= f.write(block[:min(remaining, len(block))])
    return filler


def size_limited(limit):
    def preexec():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write beyond the limit fails (EFBIG)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return preexec


class TestFullDisk(h.CliTestCase):
    def setUp(self):
        self.tmp = h.make_tempdir(self)
        self.disk = mount_tmpfs(self, 1024)
        self.root = self.disk or (self.tmp / "limited")
        self.root.mkdir(exist_ok=True)

    def run_short_of_space(self, args, room):
        """Runs maillage with ROOM bytes of room: free space on the tmpfs, else a file size limit."""
        cmd = [h.BIN] + [str(a) for a in args]
        if self.disk:
            filler = fill(self.disk, room)
            try:
                p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
            finally:
                filler.unlink()
            cause = "the disk is full"
        else:
            p = subprocess.run(cmd, capture_output=True, text=True, timeout=120,
                               preexec_fn=size_limited(room))
            cause = "file size limit"
        return h.Result(cmd, p.returncode, p.stdout, p.stderr), cause

    def failed_on(self, r, cause, inside):
        """The failure: exit 1, the file named (inside INSIDE) and the cause; returns the file."""
        self.assertEqual(r.returncode, 1, r)
        self.assertNotIn("internal error", r.stderr)
        self.assertIn(cause, r.stderr, r)
        m = re.search(r"error: (/\S+?): ", r.stderr)
        self.assertTrue(m, f"no file named\n{r}")
        self.assertTrue(m.group(1).startswith(str(inside)), f"{m.group(1)} is not in {inside}")
        return Path(m.group(1)).name

    def test_analyse(self):
        out = self.root / "out"
        h.run_ok(self, "analyse", *SMALL, "--threshold-km", 5, "--out", out)
        previous = h.snapshot(out)
        expected = self.tmp / "expected"
        h.run_ok(self, "analyse", *SMALL, "--threshold-km", 8, "--out", expected)
        files = []
        # Room on the disk for all files together, or for each file under a size limit.
        rooms = (0, 8 << 10, 40 << 10, 96 << 10) if self.disk else (0, 1 << 10, 8 << 10, 40 << 10)
        for room in rooms:
            r, cause = self.run_short_of_space(
                ["analyse", *SMALL, "--threshold-km", 8, "--out", out], room)
            files.append(f"{room >> 10} KiB: {self.failed_on(r, cause, out)}")
            self.assertEqual(h.snapshot(out), previous, f"{room} bytes of room: the folder changed")
        sys.stderr.write(f"\nfull disk ({'tmpfs' if self.disk else 'RLIMIT_FSIZE'}), failed on: "
                         + "; ".join(files) + "\n")
        # With room again, the same run succeeds.
        h.run_ok(self, "analyse", *SMALL, "--threshold-km", 8, "--out", out)
        for p in expected.iterdir():
            if p.name != "run.json":
                self.assertEqual(sha256(out / p.name), sha256(p), p.name)
        self.assertEqual(run_state_of(h.snapshot(out)), [])

    def test_nearest(self):
        # 687 points: each output is well over the room left.
        points = h.STRUCTURES_CSV
        for name in ("near.geojson", "near.csv", "near.gpkg"):
            target = self.root / name
            r, cause = self.run_short_of_space(
                ["nearest", "--sites", points, "--points", points, "--out", target], 16 << 10)
            self.assertEqual(self.failed_on(r, cause, self.root).split(".")[0], "near", r)
            self.assertEqual(sorted(p.name for p in self.root.iterdir()), [],
                             f"{name}: a partial output or a staging folder was left")


# --- Two runs on one folder ---------------------------------------------------------------------

class TestConcurrentRuns(h.CliTestCase):
    def test_second_run_refused_and_a_killed_run_does_not_block(self):
        tmp = h.make_tempdir(self)
        out = tmp / "out"
        first = Background("analyse", *SMALL, "--threshold-km", 5, "--out", out,
                           "--log-format", "json")
        self.assertTrue(first.wait_line("read "), first.log())
        first.p.send_signal(signal.SIGSTOP)  # the first run stays in the middle of its work
        try:
            self.assertEqual((out / LOCK).read_text().strip(), str(first.p.pid))
            second = h.run("analyse", *SMALL, "--threshold-km", 8, "--out", out)
            self.assertEqual(second.returncode, 1, second)
            for text in (f"PID {first.p.pid}", str(out), "another maillage run", "choose another --out"):
                self.assertIn(text, second.stderr)
            js = h.run("analyse", *SMALL, "--out", out, "--log-format", "json")
            error = json.loads(js.stderr.strip().splitlines()[-1])
            self.assertEqual((js.returncode, error["level"], error["kind"]), (1, "error", "error"))
            self.assertIn(f"PID {first.p.pid}", error["message"])
            # A report into that folder is refused the same way.
            rep = h.run("report", "--run", D, "--out", out)
            self.assertEqual(rep.returncode, 1, rep)
            self.assertIn(f"PID {first.p.pid}", rep.stderr)
            # nearest writes one file with one rename: it does not lock the folder.
            h.run_ok(self, "nearest", "--sites", D / "sites_small.csv",
                     "--points", D / "sites_small.csv", "--out", out / "near.csv")
        finally:
            first.p.send_signal(signal.SIGCONT)
        self.assertEqual(first.finish(), 0, first.log())
        # The refused runs touched nothing: the folder holds the first run's outputs.
        self.assertEqual(run_state_of(h.snapshot(out)), [])
        self.assertEqual(check_record(self, out, extra=["near.csv"])["parameters"]["threshold_km"], 5)

        # A run killed while it holds the folder leaves its lock file; the kernel released the
        # lock, so the next run is not blocked.
        third = Background("analyse", *SMALL, "--out", out, "--log-format", "json")
        self.assertTrue(third.wait_line("read "), third.log())
        third.p.send_signal(signal.SIGKILL)
        self.assertEqual(third.finish(), -signal.SIGKILL)
        self.assertEqual((out / LOCK).read_text().strip(), str(third.p.pid))
        h.run_ok(self, "analyse", *SMALL, "--out", out)
        self.assertEqual(run_state_of(h.snapshot(out)), [])
        check_record(self, out, extra=["near.csv"])


# --- Config files -------------------------------------------------------------------------------

class TestConfigPaths(h.CliTestCase):
    def test_nearest_and_report_take_paths_from_the_config_folder(self):
        tmp = h.make_tempdir(self)
        for d in ("inputs", "conf", "elsewhere", "runs"):
            (tmp / d).mkdir()
        shutil.copy(D / "sites_small.csv", tmp / "inputs" / "sites.csv")
        conf = tmp / "conf" / "near.conf"
        conf.write_text("sites = ../inputs/sites.csv\npoints = ../inputs/sites.csv\n"
                        "out = results/near.csv\nquiet = true\n", encoding="utf-8")
        r = h.run("nearest", "--config", conf, cwd=tmp / "elsewhere")
        self.assertEqual(r.returncode, 0, r)
        near = tmp / "conf" / "results" / "near.csv"
        self.assertTrue(near.is_file(), r)
        # Every site's nearest site is itself, at 0 km.
        with near.open(encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
        self.assertEqual([(x["id"], x["nearest_site_id"], x["nearest_km"]) for x in rows],
                         [(i, i, "0.0000") for i in ("a1", "b1", "c1", "x1")])

        h.run_ok(self, "analyse", *SMALL, "--threshold-km", 5, "--out", tmp / "runs" / "a")
        h.run_ok(self, "analyse", *SMALL, "--threshold-km", 8, "--out", tmp / "runs" / "b")
        conf = tmp / "conf" / "report.conf"
        conf.write_text("run = ../runs/b\nprevious = ../runs/a\nout = report\n", encoding="utf-8")
        r = h.run("report", "--config", conf, cwd=tmp / "elsewhere")
        self.assertEqual(r.returncode, 0, r)
        self.assertTrue((tmp / "conf" / "report" / "index.html").is_file(), r)
        self.assertEqual(list((tmp / "elsewhere").iterdir()), [])


# --- Inputs are data ------------------------------------------------------------------------------

class TestInputsAreData(h.CliTestCase):
    """SYNTHETIC inputs, written here: the small fixture with hostile names and types."""

    def test_shell_and_html_in_names_run_nothing(self):
        tmp = h.make_tempdir(self)
        marker = tmp / "pwned"
        hostile = [f"$(touch {marker})", f"`touch {marker}`", f"x; touch {marker} #",
                   "<script>document.title='pwned'</script>", "<img src=x onerror=alert(1)>"]
        zones = h.load_json(D / "zones_small.geojson")
        for f, name in zip(zones["features"], hostile):
            f["properties"]["nom"] = name
        (tmp / "zones.geojson").write_text(json.dumps(zones), encoding="utf-8")
        lines = ["id,nom,type_service,lon,lat"]
        for i, (name, (lon, lat)) in enumerate(zip(hostile, [(5.065, 45.045), (5.2, 45.06),
                                                              (5.33, 45.03), (5.45, 45.2)])):
            lines.append(f'h{i},"{name}","{hostile[-1 - i]}",{lon},{lat}')
        (tmp / "sites.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")

        h.run_ok(self, "analyse", "--zones", "zones.geojson", "--sites", "sites.csv", "--grid-m", 100,
                 "--threshold-km", 5, "--qgis-project", "--out", "out", "--no-progress", cwd=tmp)
        h.run_ok(self, "report", "--run", "out", "--out", "rep", cwd=tmp)
        h.run_ok(self, "nearest", "--sites", "sites.csv", "--points", "sites.csv",
                 "--out", "near.csv", cwd=tmp)
        self.assertFalse(marker.exists(), "a name was run as a command")
        # Kept as data, exactly.
        sites = {f["properties"]["site_id"]: f["properties"]
                 for f in h.load_json(tmp / "out" / "sites.geojson")["features"]}
        self.assertEqual([sites[f"h{i}"]["name"] for i in range(4)], hostile[:4])
        zone_names = [f["properties"]["name"]
                      for f in h.load_json(tmp / "out" / "zones.geojson")["features"]]
        self.assertEqual(zone_names, hostile[:3])
        # Escaped wherever it lands in HTML or XML.
        html = (tmp / "rep" / "index.html").read_text(encoding="utf-8")
        for raw in ("<script>document.title", "<img src=x"):
            self.assertNotIn(raw, html)
        for name in ("out/sites.qml", "out/zones.qml", "out/maillage.qgs", "rep/map.svg"):
            ET.parse(tmp / name)  # well-formed: no name broke out of its attribute
        types = {e.get("value") for e in ET.parse(tmp / "out" / "sites.qml").iter("category")}
        self.assertTrue(set(hostile[1:]) <= types, types)


# --- PostgreSQL passwords ---------------------------------------------------------------------------

SECRET = "Zx9-not-for-logs"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SecretCase(h.CliTestCase):
    def assert_no_secret(self, r=None, files=()):
        for where, text in (("stderr", r.stderr), ("stdout", r.stdout)) if r else ():
            self.assertNotIn(SECRET, text, f"the password is in {where}\n{r}")
        for f in files:
            for p in ([f] if Path(f).is_file() else Path(f).rglob("*")):
                if p.is_file():
                    self.assertNotIn(SECRET.encode(), p.read_bytes(), f"the password is in {p}")

    formats = ("text", "json")

    def run_logged(self, *args, code, cwd=None):
        """Runs ARGS, in turn with each log format; checks the exit code and that no log holds
        SECRET."""
        self.formats = self.formats[1:] + self.formats[:1]
        for fmt in self.formats[:1]:
            r = h.run(*args, "--log-format", fmt, cwd=cwd)
            self.assertEqual(r.returncode, code, r)
            self.assert_no_secret(r)
            if fmt == "json":
                for line in r.stderr.splitlines():
                    json.loads(line)


class TestPasswordsWithoutServer(SecretCase):
    """Connections that fail: the error messages name the connection without its password."""

    def test_failed_connections(self):
        port = free_port()
        conns = [f"PG:dbname=x host=127.0.0.1 port={port} user=u password={SECRET}",
                 f"PG:dbname=x host=127.0.0.1 port={port} user=u password='{SECRET} 2'",
                 f"PG:postgresql://u:{SECRET}@127.0.0.1:{port}/x"]
        tmp = h.make_tempdir(self)
        for conn in conns:
            self.run_logged("analyse", *SMALL, "--out", conn, code=1)
            self.run_logged("analyse", "--sites", conn, "--zones", D / "zones_small.geojson",
                            "--out", tmp / "out", "--no-progress", code=1)
            self.run_logged("nearest", "--sites", D / "sites_small.csv", "--points", conn,
                            "--out", tmp / "near.csv", code=1)
            r = h.run("info", conn)
            self.assertEqual(r.returncode, 1, r)
            self.assert_no_secret(r)
            self.assertIn("***", r.stderr)
        self.assertEqual(list(tmp.iterdir()), [])


PGBIN = next((p for p in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
              if (p / "initdb").exists()), None) if Path("/usr/lib/postgresql").exists() else None
POSTGIS = bool(list(Path("/usr/share/postgresql").glob("*/extension/postgis.control"))) \
    if Path("/usr/share/postgresql").exists() else False


@unittest.skipUnless(PGBIN and POSTGIS and shutil.which("psql"),
                     "PostgreSQL/PostGIS is not installed (scripts/test.sh installs them)")
class TestPasswordsWithServer(SecretCase):
    """A local server that asks for a password (SCRAM), as a production one does."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.dir = h.make_tempdir(cls)
        cls.port = free_port()
        cls.as_user = "postgres" if os.geteuid() == 0 else None
        pwfile = cls.dir / "pw"
        pwfile.write_text(SECRET + "\n")
        if cls.as_user:
            shutil.chown(cls.dir, user=cls.as_user)
            shutil.chown(pwfile, user=cls.as_user)
        cls.pg(str(PGBIN / "initdb"), "-N", "-D", str(cls.dir / "data"), "-A", "scram-sha-256",
               "-U", "postgres", f"--pwfile={pwfile}")
        cls.pg(str(PGBIN / "pg_ctl"), "-D", str(cls.dir / "data"), "-w", "-l", str(cls.dir / "log"),
               "-o", f"-p {cls.port} -k {cls.dir} -c listen_addresses=127.0.0.1", "start")
        cls.addClassCleanup(cls.pg, str(PGBIN / "pg_ctl"), "-D", str(cls.dir / "data"), "-w",
                            "-m", "immediate", "stop")
        cls.psql("postgres", "CREATE DATABASE maillage")
        cls.psql("maillage", "CREATE EXTENSION postgis")
        cls.conn = f"PG:dbname=maillage host=127.0.0.1 port={cls.port} user=postgres password={SECRET}"

    @classmethod
    def pg(cls, *cmd):
        if cls.as_user:
            cmd = ["runuser", "-u", cls.as_user, "--", *cmd]
        subprocess.run(cmd, check=True, capture_output=True, timeout=120)

    @classmethod
    def psql(cls, db, sql):
        p = subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(cls.port), "-U", "postgres", "-d", db,
                            "-At", "-v", "ON_ERROR_STOP=1", "-c", sql], capture_output=True, text=True,
                           timeout=60, env=dict(os.environ, PGPASSWORD=SECRET))
        if p.returncode != 0:
            raise AssertionError(p.stderr)
        return p.stdout.strip()

    def test_logs_messages_and_records(self):
        tmp = h.make_tempdir(self)
        uri = f"PG:postgresql://postgres:{SECRET}@127.0.0.1:{self.port}/maillage"
        # Writing: both connection forms, both log formats.
        self.run_logged("analyse", *SMALL, "--out", self.conn, "--pg-schema", "s1",
                               "--run-id", "r1", code=0)
        self.run_logged("analyse", *SMALL, "--out", uri, "--pg-schema", "s1",
                               "--run-id", "r2", code=0)
        # From a config file too (its values are not in run.json's arguments).
        conf = tmp / "pg.conf"
        conf.write_text(f"out = {self.conn}\npg-schema = s1\nrun-id = r3\n", encoding="utf-8")
        self.run_logged("analyse", *SMALL, "--config", conf, code=0)
        self.assertEqual(self.psql("maillage", "SELECT string_agg(run_id, ',' ORDER BY run_id) FROM s1.runs"),
                         "r1,r2,r3")
        self.assertEqual(self.psql("maillage", f"SELECT count(*) FROM s1.runs WHERE runs::text LIKE '%{SECRET}%'"),
                         "0")
        # A wrong password: the error does not quote it.
        self.run_logged("analyse", *SMALL, "--out", self.conn.replace(SECRET, SECRET + "x"),
                               code=1)
        # Reading the sites from PostGIS: the connection is an input path of summary.json and
        # run.json, and of the log line that says what was read.
        sites = f"{self.conn} tables=s1.sites"
        out = tmp / "out"
        self.run_logged("analyse", "--sites", sites, "--site-id", "site_id",
                               "--site-filter", "run_id = 'r1'", "--zones", D / "zones_small.geojson",
                               "--grid-m", 100, "--out", out, "--no-progress", code=0)
        record = h.load_json(out / "run.json")
        self.assertIn("password=***", record["parameters"]["sites"])
        self.assert_no_secret(files=[out])
        r = h.run("info", sites)
        self.assertEqual(r.returncode, 0, r)
        self.assert_no_secret(r)
        self.assertIn("password=***", r.stdout)
        # The temporary GeoPackage of a PostGIS run (it holds run.json) is removed.
        run = Background("analyse", *SMALL, "--out", self.conn, "--pg-schema", "s1", "--run-id", "r4")
        self.assertEqual(run.finish(), 0, run.log())
        self.assertFalse((Path(tempfile.gettempdir()) / f"maillage-pg-{run.p.pid}").exists())


if __name__ == "__main__":
    unittest.main()
