"""Golden outputs: every command, on the shipped data and on the small fixtures, writes exactly the
bytes it wrote when the golden manifest was recorded.

This is the guard of refactorings (issue 12): code that is moved or rewritten must not change one
byte of what the user gets. The manifest (tests/data/golden/manifest.json) holds, per case and per
output file, the SHA-256 of the file after the only normalisation allowed:

- run records (run.json, access_run.json): the keys that say when the run happened and how long it
  took are dropped (started, finished, timings, durations, host details);
- run records: the checksums and sizes of the outputs, which are checked one by one;
- the report's pages (.html, .md): the day of the run in the title is replaced by <day>;
- every file: the absolute paths of the repository and of the output folder are replaced by
  <repo> and <out> (a clone elsewhere writes other paths).

A case that fails, writes nothing, or writes an empty file is a failure, never recorded: its
hashes would agree with a run that fails or writes nothing in the same way.

The expected hashes are not computed by this test: they were recorded from the code as it was
before the refactoring (MAILLAGE_GOLDEN_RECORD=1 rewrites the manifest, which is then reviewed
and committed on purpose). A change of output that is intended updates the manifest in the same
commit, with the reason in the commit message.

Under the sanitizers (MAILLAGE_SANITIZE_BUILD=1) the build uses other optimisation flags; the test
still runs, the outputs must agree as well.
"""
import hashlib
import json
import os
import re
import shutil
import subprocess
import unittest
from pathlib import Path

import helpers as h

MANIFEST = h.REPO / "tests" / "data" / "golden" / "manifest.json"
RECORD = os.environ.get("MAILLAGE_GOLDEN_RECORD") == "1"
# A folder where the normalised outputs are kept, to diff two builds' outputs when a hash differs.
DUMP = os.environ.get("MAILLAGE_GOLDEN_DUMP")
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()

# Keys of the run records that say when and how fast, not what.
VOLATILE_KEYS = {"started_utc", "started", "finished", "started_at", "finished_at", "timings_s", "wall_s",
                 "seconds", "elapsed_s", "duration_s", "host", "hostname", "pid", "user",
                 "peak_rss_mb", "peak_memory_mb", "cpu_s", "generated", "generated_at", "date",
                 "time", "threads_used", "cores"}
RUN_RECORDS = {"run.json", "access_run.json"}
# A day in words, as the report's title writes the day of the run ("3 décembre 2026").
RUN_DAY = re.compile("(?:analyse du|analysis of) \\d{1,2}(?:er)? [^ ,]+ \\d{4}".encode("utf-8"))

ACROSS_ID = "cio-01053-01"  # the CIO of Bourg-en-Bresse: a real site that whatif closes


def cases(tmp):
    """(name, argv, output folder or file, stdout kept?) of every golden case."""
    small = ["--zones", h.DATA / "zones_small.geojson", "--sites", h.DATA / "sites_small.csv"]
    points = tmp / "points.csv"
    return [
        ("analyse_default", ["analyse", "--out", "{out}"], "dir"),
        ("analyse_types_catchments_gpkg",
         ["analyse", "--by-type", "--catchments", "--format", "gpkg", "--out", "{out}"], "dir"),
        ("analyse_no_border_1km",
         ["analyse", "--no-border-sites", "--grid-m", "1000", "--threshold-km", "15",
          "--out", "{out}"], "dir"),
        ("analyse_small", ["analyse", *small, "--grid-m", "500", "--threshold-km", "5",
                           "--by-type", "--catchments", "--out", "{out}"], "dir"),
        ("analyse_population_grid",
         ["analyse", *small, "--population-grid", tmp / "grids" / "grid_4326.tif",
          "--grid-m", "100", "--threshold-km", "5", "--out", "{out}"], "dir"),
        ("access_default", ["access", "--out", "{out}"], "dir"),
        ("access_small", ["access", *small, "--grid-m", "500", "--out", "{out}"], "dir"),
        ("suggest_add5", ["suggest", "--add", "5", "--out", "{out}"], "dir"),
        ("suggest_small_gpkg", ["suggest", *small, "--grid-m", "500", "--threshold-km", "5",
                                "--add", "2", "--format", "gpkg", "--out", "{out}"], "dir"),
        ("whatif_real", ["whatif", "--close", ACROSS_ID, "--open", "3.0,45.5,Nouveau relais",
                         "--out", "{out}"], "dir"),
        ("whatif_small_gpkg", ["whatif", *small, "--grid-m", "500", "--threshold-km", "5",
                               "--close", "a1", "--open", "5.30,45.05,new", "--format", "gpkg",
                               "--out", "{out}"], "dir"),
        ("nearest_csv", ["nearest", "--sites", h.STRUCTURES_CSV, "--points", points, "-k", "3",
                         "--out", "{out}/nearest.csv"], "dir"),
        ("nearest_geojson", ["nearest", "--sites", h.STRUCTURES_CSV, "--points", h.COMMUNES,
                             "--max-km", "20", "--out", "{out}/nearest.geojson"], "dir"),
        ("nearest_gpkg", ["nearest", "--sites", h.STRUCTURES_CSV, "--points", points,
                          "--out", "{out}/nearest.gpkg"], "dir"),
        ("report_fr", ["report", "--run", "@analyse_default", "--out", "{out}"], "dir"),
        ("report_en_previous", ["report", "--run", "@analyse_default", "--previous",
                                "@analyse_no_border_1km", "--lang", "en", "--out", "{out}"],
         "dir"),
        ("report_whatif", ["report", "--run", "@whatif_real", "--out", "{out}"], "dir"),
        ("info_sites", ["info", h.STRUCTURES_CSV], "stdout"),
        ("info_communes_json", ["info", h.COMMUNES, "--population", "population", "--json"],
         "stdout"),
        ("info_zones_small", ["info", h.DATA / "zones_small.geojson"], "stdout"),
    ]


def write_points(path):
    """SYNTHETIC points, a regular lattice over the region, deterministic."""
    with open(path, "w", encoding="utf-8") as f:
        f.write("id,lon,lat\n")
        n = 0
        for i in range(60):
            for j in range(40):
                f.write(f"p{n},{2.0 + i * 0.08:.4f},{44.1 + j * 0.07:.4f}\n")
                n += 1


def strip_volatile(value):
    if isinstance(value, dict):
        return {k: strip_volatile(v) for k, v in value.items() if k not in VOLATILE_KEYS}
    if isinstance(value, list):
        return [strip_volatile(v) for v in value]
    return value


def normalise(path, data, out, tmp):
    text_like = path.suffix in {".json", ".geojson", ".csv", ".md", ".html", ".svg", ".txt",
                                ".qml", ".qgs", ".sql", ".log"}
    if path.name in RUN_RECORDS:
        record = strip_volatile(json.loads(data.decode("utf-8")))
        # The checksums of the outputs are of the files as written, paths included; the outputs
        # themselves are checked, normalised, one by one.
        for entry in record.get("outputs", []):
            entry.pop("sha256", None)
            entry.pop("bytes", None)
        data = json.dumps(record, sort_keys=True, ensure_ascii=False).encode("utf-8")
    if path.suffix in {".html", ".md"}:
        # The report's title says the day of the run (run.json's started_utc).
        data = RUN_DAY.sub(b"<day>", data)
    if text_like or path.suffix == "":
        for old, new in ((str(out), "<out>"), (str(tmp), "<tmp>"), (str(h.REPO), "<repo>")):
            data = data.replace(old.encode("utf-8"), new.encode("utf-8"))
            # JSON escapes the slashes of paths in some writers.
            data = data.replace(old.replace("/", "\\/").encode("utf-8"), new.encode("utf-8"))
    return data


def dump(name, rel, data):
    if DUMP:
        path = Path(DUMP) / name / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def digest_folder(name, folder, tmp):
    out = {}
    for p in sorted(Path(folder).rglob("*")):
        if p.is_dir():
            continue
        rel = str(p.relative_to(folder))
        data = normalise(p, p.read_bytes(), folder, tmp)
        dump(name, rel, data)
        out[rel] = hashlib.sha256(data).hexdigest()
    return out


def case_problems(results):
    """The cases that cannot be compared: failed, no output, an empty output."""
    problems = []
    for name, got in sorted(results.items()):
        if "exit" in got:
            problems.append(f"{name}: exit {got['exit']}\n{got['stderr']}")
        elif not got:
            problems.append(f"{name}: no output written")
        else:
            problems.extend(f"{name}: {f} is empty" for f, d in sorted(got.items())
                            if d == EMPTY_SHA256)
    return problems


class TestGolden(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = h.make_tempdir(cls)
        write_points(cls.tmp / "points.csv")
        grids = cls.tmp / "grids"
        grids.mkdir()
        subprocess.run([os.environ.get("MAILLAGE_PYTHON", "/usr/bin/python3"),
                        str(h.DATA / "make_population_grids.py"), str(grids)], check=True,
                       capture_output=True)
        cls.results = {}
        cls.outs = {}
        for name, argv, kind in cases(cls.tmp):
            out = cls.tmp / "runs" / name
            # nearest writes a file into the folder; info writes nothing; the others create it.
            if argv[0] in ("nearest", "info"):
                out.mkdir(parents=True)
            else:
                out.parent.mkdir(parents=True, exist_ok=True)
            args = []
            for a in argv:
                a = str(a)
                if a.startswith("@"):
                    a = str(cls.outs[a[1:]])
                args.append(a.replace("{out}", str(out)))
            extra = [] if argv[0] in ("info", "report") else ["--no-progress", "--threads", "2"]
            r = h.run(*args, *extra, cwd=cls.tmp, timeout=600)
            cls.outs[name] = out
            if r.returncode != 0:
                cls.results[name] = {"exit": r.returncode, "stderr": r.stderr[-2000:]}
                continue
            if kind == "stdout":
                data = normalise(Path("stdout.txt"), r.stdout.encode("utf-8"), out, cls.tmp)
                dump(name, "stdout.txt", data)
                cls.results[name] = {"stdout": hashlib.sha256(data).hexdigest()}
            else:
                cls.results[name] = digest_folder(name, out, cls.tmp)
        if RECORD:
            bad = case_problems(cls.results)
            if bad:
                raise RuntimeError("not recorded:\n" + "\n".join(bad))
            MANIFEST.parent.mkdir(parents=True, exist_ok=True)
            MANIFEST.write_text(json.dumps(cls.results, indent=1, sort_keys=True) + "\n",
                                encoding="utf-8")

    def test_every_case_matches_the_manifest(self):
        expected = json.loads(MANIFEST.read_text(encoding="utf-8"))
        self.assertEqual(sorted(expected), sorted(self.results), "the list of cases changed")
        problems = case_problems(self.results)
        for name in sorted(expected):
            got, want = self.results[name], expected[name]
            if "exit" in got:
                continue
            for f in sorted(set(got) | set(want)):
                if f not in got:
                    problems.append(f"{name}: {f} is no longer written")
                elif f not in want:
                    problems.append(f"{name}: {f} is new")
                elif got[f] != want[f]:
                    problems.append(f"{name}: {f} differs")
        self.assertEqual(problems, [], "\n".join(problems))


class TestGoldenGuard(unittest.TestCase):
    def test_a_failed_or_empty_case_is_a_problem(self):
        # Hand-made results: each would match a manifest recorded from the same failure.
        results = {"ok": {"a.json": "0" * 64}, "failed": {"exit": 1, "stderr": "boom"},
                   "nothing": {}, "empty": {"a.json": "0" * 64, "b.csv": EMPTY_SHA256}}
        self.assertEqual(case_problems(results),
                         ["empty: b.csv is empty", "failed: exit 1\nboom", "nothing: no output written"])


if __name__ == "__main__":
    unittest.main()
