#!/usr/bin/python3
"""Write bench/results.md from what scripts/bench.sh left in bench/tmp/, and print its main table.

Inputs (in --tmp): runs.tsv (one line per timed run or step), the tools' stderr logs,
accuracy.json (accuracy_nearest.py), raster-<grid>.json (compare_rasters.py), meta.env, free.txt,
failed.tsv (peers' runs that failed, if any).
Figures are medians over the repetitions; a run made of several steps (the GDAL pipeline) has
the sum of its steps' wall times and the largest of their peak memories.
"""
import argparse
import csv
import json
import os
import re
import statistics
import sys
from collections import OrderedDict, defaultdict

from osgeo import gdal

gdal.UseExceptions()

TIMINGS = re.compile(r"timings \(s\): (.*?); total ([0-9.]+)")
BACKEND_PEAK = re.compile(r"backend peak ([0-9.]+) MiB")
WORKERS_PLANNED = re.compile(r"parallel workers planned ([0-9]+)")


def median(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def read_text(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def phases(stderr_path):
    """{phase: seconds} from a 'timings (s): a 1.0, b 2.0; total 3.0' line."""
    text = read_text(stderr_path)
    m = TIMINGS.search(text)
    if not m:
        return {}
    out = OrderedDict()
    for part in m.group(1).split(","):
        name, _, value = part.strip().rpartition(" ")
        try:
            out[name] = float(value)
        except ValueError:
            pass
    out["total"] = float(m.group(2))
    return out


def load_runs(path):
    runs = OrderedDict()
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            r = runs.setdefault(row["id"], {"tool": row["tool"], "task": row["task"], "size": row["size"],
                                            "threads": row["threads"], "reps": OrderedDict()})
            rep = r["reps"].setdefault(row["rep"], {"wall": 0.0, "rss": 0, "user": 0.0, "sys": 0.0, "other": 0.0,
                                                    "steps": OrderedDict()})
            wall = float(row["wall_s"])
            rep["wall"] += wall
            rep["rss"] = max(rep["rss"], int(row["maxrss_kb"]))
            rep["user"] += float(row["user_s"])
            rep["sys"] += float(row["sys_s"])
            rep["other"] += float(row.get("other_cpu_s") or 0.0)
            rep["steps"][row["step"]] = {"wall": wall, "phases": phases(row["stderr"])}
            # peer_postgis.py: the server process's peak memory and the parallel workers planned.
            text = read_text(row["stderr"]) if row["tool"] == "postgis" else ""
            m = BACKEND_PEAK.search(text)
            rep["backend_peak"] = float(m.group(1)) if m else None
            m = WORKERS_PLANNED.search(text)
            rep["workers_planned"] = int(m.group(1)) if m else None
    for r in runs.values():
        reps = list(r["reps"].values())
        r["n"] = len(reps)
        r["wall"] = median([x["wall"] for x in reps])
        r["rss_mib"] = median([x["rss"] for x in reps]) / 1024.0
        r["backend_peak_mib"] = median([x.get("backend_peak") for x in reps])
        r["workers_planned"] = sorted({x["workers_planned"] for x in reps if x.get("workers_planned") is not None})
        r["cpu"] = median([x["user"] + x["sys"] for x in reps])
        # Cores used on average by other processes during the run.
        r["other_cores"] = median([x["other"] / x["wall"] if x["wall"] > 0 else 0.0 for x in reps])
        r["other_cores_max"] = max((x["other"] / x["wall"] if x["wall"] > 0 else 0.0 for x in reps), default=0.0)
        steps = OrderedDict()
        for x in reps:
            for s, v in x["steps"].items():
                steps.setdefault(s, {"wall": [], "phases": defaultdict(list)})
                steps[s]["wall"].append(v["wall"])
                for p, t in v["phases"].items():
                    steps[s]["phases"][p].append(t)
        r["steps"] = OrderedDict((s, {"wall": median(v["wall"]),
                                      "phases": OrderedDict((p, median(t)) for p, t in v["phases"].items())})
                                 for s, v in steps.items())
        r["phases"] = r["steps"].get("all", {}).get("phases", {})
    return runs


def read_env(path):
    env = {}
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            for line in f:
                if "=" in line:
                    k, _, v = line.rstrip("\n").partition("=")
                    env[k] = v
    return env


def load_json(path):
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    return None


def fs(x, nd=2):
    return "—" if x is None else f"{x:.{nd}f}"


def fint(x):
    return "—" if x is None else f"{x:,.0f}"


def ferr(x):
    if x is None:
        return "—"
    return f"{x:.3f}" if x < 10 else f"{x:.1f}"


def size_points(size):
    """Point count of a nearest size label (10k, 100k, 1m), else None."""
    m = re.fullmatch(r"([0-9]+)([km]?)", size)
    if not m:
        return None
    return int(m.group(1)) * {"": 1, "k": 1_000, "m": 1_000_000}[m.group(2)]


def size_label(size, cells=None, task="nearest"):
    if task == "nearest":
        return f"{size_points(size):,} points"
    return f"{size} m grid ({cells:,} cells)" if cells else f"{size} m grid"


def study_cells(tmp, grid, rasters):
    j = rasters.get(grid)
    if j:
        return j["cells"]
    path = os.path.join(tmp, f"run{grid}", "distance.tif")
    if not os.path.exists(path):
        return None
    ds = gdal.Open(path)
    b = ds.GetRasterBand(1)
    return int((b.ReadAsArray() != b.GetNoDataValue()).sum())


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--tmp", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()

    runs = load_runs(os.path.join(a.tmp, "runs.tsv"))
    meta = read_env(os.path.join(a.tmp, "meta.env"))
    acc = load_json(os.path.join(a.tmp, "accuracy.json")) or {"tools": {}}
    nproc = meta.get("nproc", "?")
    grids = sorted({r["size"] for r in runs.values() if r["task"] == "analyse"}, key=lambda g: -float(g))
    rasters = {g: load_json(os.path.join(a.tmp, f"raster-{g}.json")) for g in grids}
    cells = {g: study_cells(a.tmp, g, rasters) for g in grids}
    reps = max((r["n"] for r in runs.values()), default=0)
    header = ["tool", "task", "size", "threads", f"wall s (median of {reps})", "peak MiB", "points/s",
              "ratio to maillage", "max error m", "p99 error m", "wrong nearest"]
    rows = []
    findings = []
    failed = set()
    for line in read_text(os.path.join(a.tmp, "failed.tsv")).splitlines():
        failed.add(line.split("\t")[0])

    def acc_cols(name):
        t = acc["tools"].get(name)
        if not t:
            return ["—", "—", "—"]
        return [ferr(t["max_error_m"]), ferr(t["p99_error_m"]), f"{t['wrong_nearest']} / {t['n']:,}"]

    def fwall(r, wall=None):
        text = fs(r["wall"] if wall is None else wall)
        if r["n"] < reps:
            text += f" ({r['n']} run{'s' if r['n'] > 1 else ''})"
        return text

    # Nearest site. Sizes in increasing order; threads 1, then all cores.
    sizes = sorted({r["size"] for r in runs.values() if r["task"] == "nearest"}, key=size_points)
    threads = ["1"] + ([nproc] if nproc != "1" else [])
    peers_run = meta.get("peers", "ckdtree postgis qgis").split()
    status = {"ckdtree": "ok" if "ckdtree" in peers_run else "not run (not in BENCH_PEERS)",
              "postgis": meta.get("postgis_status", "not run"),
              "qgis": meta.get("qgis_status", "ok" if meta.get("qgis") else "not installed")}
    qgis_max = int(meta.get("qgis_max_points", "0") or 0)
    names = {"maillage": "maillage nearest", "ckdtree": "scipy cKDTree (ECEF) + pyproj Geod",
             "postgis": "PostGIS: COPY, GiST, KNN <-> (degrees), ST_Distance (geography)",
             "postgis-query": "PostGIS, the KNN query alone",
             "qgis": "QGIS Distance to nearest hub (points)"}
    task = "nearest site + distance"
    empty = ["—"] * 6

    def pg_threads(r):
        """Threads a PostGIS run used: its server process and the parallel workers planned (or "1"
        when the run failed: its "failed" row goes with one thread)."""
        if r is None or not r["workers_planned"]:
            return "1"
        return str(1 + max(r["workers_planned"]))

    for size in sizes:
        n_points = size_points(size)
        for th in threads:
            ref = runs.get(f"nearest.maillage.{size}.t{th}")
            for tool in ("maillage", "ckdtree", "postgis", "qgis"):
                rid = f"nearest.{tool}.{size}.t{th}"
                acc_name = f"{tool}-{size}-t{th}"
                if tool == "postgis":
                    # One run per size, parallel query allowed: its row goes with the threads it used
                    # (1 + the parallel workers the planner planned).
                    rid = f"nearest.postgis.{size}.tauto"
                    acc_name = f"postgis-{size}-tauto"
                    if pg_threads(runs.get(rid)) != th:
                        continue
                r = runs.get(rid)
                label = names[tool]
                if tool == "qgis" and th != "1":
                    continue  # single-threaded
                if tool != "maillage" and status[tool] != "ok":
                    continue  # one row below says why
                if r is None:
                    if rid in failed:
                        rows.append([label, task, size_label(size), th, "failed (see bench/tmp/logs)"] + empty)
                    elif tool == "qgis" and n_points > qgis_max:
                        rows.append([label, task, size_label(size), th,
                                     f"not run (over BENCH_QGIS_MAX_POINTS = {qgis_max:,})"] + empty)
                    continue
                ratio = r["wall"] / ref["wall"] if ref else None
                peak = r["backend_peak_mib"] if tool == "postgis" else r["rss_mib"]
                rows.append([label, task, size_label(size), th, fwall(r), fint(peak), fint(n_points / r["wall"]),
                             fs(ratio)] + acc_cols(acc_name))
                if tool in ("postgis", "qgis") and ref and r["wall"] < ref["wall"]:  # ckdtree: below
                    findings.append(f"- nearest, {size_label(size)}, {th} thread(s): {label} ({r['wall']:.2f} s) is "
                                    f"faster than maillage ({ref['wall']:.2f} s), whole processes.")
                if tool == "postgis":
                    q = r["phases"].get("query")
                    mq = ref["phases"].get("query with distances") if ref else None
                    rows.append([names["postgis-query"], task + ", query only", size_label(size), th,
                                 fwall(r, q), "—", fint(n_points / q if q else None),
                                 fs(q / mq if q and mq else None)] + acc_cols(acc_name))
                    if q and mq and q < mq:
                        findings.append(f"- nearest, {size_label(size)}, {th} thread(s): PostGIS's KNN query "
                                        f"({q:.2f} s) is faster than maillage's query phase ({mq:.2f} s).")
    for tool in ("ckdtree", "postgis", "qgis"):
        if status[tool] != "ok":
            rows.append([names[tool], task, "—", "—", status[tool].split(" (")[0]] + empty)

    # Distance raster: maillage's distances phase vs the GDAL proximity pipeline.
    for g in grids:
        m = runs.get(f"analyse.maillage.{g}")
        p = runs.get(f"proximity.gdal.{g}")
        rj = rasters.get(g) or {}
        if p is None or m is None:
            continue
        d = m["phases"].get("distances")
        selfc = rj.get("maillage_vs_brute_force", {})
        rows.append(["maillage analyse, distances phase", "distance raster (exact geodesic)",
                     size_label(g, cells[g], task="raster"), nproc, fs(d), "—", fint(cells[g] / d if d else None), "1.00",
                     ferr(selfc.get("max_error_m")), ferr(selfc.get("p99_error_m")), "—"])
        pe = rj.get("proximity_vs_maillage", {})
        rows.append(["gdal_rasterize + gdal_proximity.py", "distance raster (planar, site snapped to cell)",
                     size_label(g, cells[g], task="raster"), "1", fs(p["wall"]), fint(p["rss_mib"]),
                     fint(cells[g] / p["wall"] if cells[g] else None), fs(p["wall"] / d if d else None),
                     ferr(pe.get("max_error_m")), ferr(pe.get("p99_error_m")), "—"])

    # Full analysis.
    for g in grids:
        m = runs.get(f"analyse.maillage.{g}")
        if m is None:
            continue
        selfc = (rasters.get(g) or {}).get("maillage_vs_brute_force", {})
        rows.append(["maillage analyse", "full analysis (shipped data, 470 sites)", size_label(g, cells[g], task="raster"), nproc,
                     fs(m["wall"]), fint(m["rss_mib"]), fint(cells[g] / m["wall"] if cells[g] else None), "—",
                     ferr(selfc.get("max_error_m")), ferr(selfc.get("p99_error_m")), "—"])

    def table(hdr, body):
        out = ["| " + " | ".join(hdr) + " |", "|" + "|".join("---" for _ in hdr) + "|"]
        out += ["| " + " | ".join(str(c) for c in row) + " |" for row in body]
        return "\n".join(out)

    main_table = table(header, rows)

    def out_bytes(size, th):
        pm = os.path.join(a.tmp, f"nearest-maillage-{size}-t{th}.csv")
        pc = os.path.join(a.tmp, f"nearest-ckdtree-{size}-t{th}.csv")
        if not (os.path.exists(pm) and os.path.exists(pc)):
            return ""
        bm, bc = os.path.getsize(pm), os.path.getsize(pc)
        return (f"; maillage writes {bm / 1e6:.0f} MB (the input's columns, then site id, name and km) "
                f"where the peer writes {bc / 1e6:.0f} MB (id, site id, km)")

    # Phase timings: nearest.
    nphase_rows = []
    for size in sizes:
        for th in threads:
            m = runs.get(f"nearest.maillage.{size}.t{th}")
            c = runs.get(f"nearest.ckdtree.{size}.t{th}")
            if not m:
                continue
            mp, cp = m["phases"], (c or {}).get("phases", {})
            q_ratio = cp.get("query with distances") / mp["query with distances"] if cp and mp.get("query with distances") else None
            io_c = (cp.get("read", 0) + cp.get("write", 0)) if cp else None
            io_ratio = io_c / mp["read and write points"] if io_c and mp.get("read and write points") else None
            nphase_rows.append([size_label(size), th, fs(mp.get("read sites"), 3), fs(mp.get("index"), 3),
                                fs(mp.get("query with distances"), 3), fs(mp.get("read and write points"), 3),
                                fs(mp.get("total"), 3), fs(cp.get("read"), 3), fs(cp.get("index"), 3),
                                fs(cp.get("query with distances"), 3), fs(cp.get("write"), 3), fs(cp.get("total"), 3),
                                fs(q_ratio), fs(io_ratio)])
            if q_ratio is not None and q_ratio < 1.0:
                findings.append(
                    f"- nearest, {size_label(size)}, {th} thread(s): the peer's query + geodesic phase "
                    f"({cp['query with distances']:.2f} s) beats maillage's query-with-distances phase "
                    f"({mp['query with distances']:.2f} s): maillage is {1 / q_ratio:.2f}× slower there.")
            if io_ratio is not None and io_ratio < 1.0 and mp.get("total"):
                findings.append(
                    f"- nearest, {size_label(size)}, {th} thread(s): maillage's \"read and write points\" phase "
                    f"({mp['read and write points']:.2f} s, {100 * mp['read and write points'] / mp['total']:.0f} % "
                    f"of its run) is {1 / io_ratio:.2f}× the peer's read + write time ({io_c:.2f} s: numpy.loadtxt "
                    f"and a Python string join){out_bytes(size, th)}; its query phase is {q_ratio:.1f}× faster "
                    f"than the peer's.")
            if c and c["wall"] < m["wall"]:
                findings.append(
                    f"- nearest, {size_label(size)}, {th} thread(s): the whole peer process ({c['wall']:.2f} s) is "
                    f"{m['wall'] / c['wall']:.1f}× faster than maillage ({m['wall']:.2f} s); maillage spends "
                    f"{mp.get('read and write points', float('nan')):.2f} s of its {mp.get('total', float('nan')):.2f} s "
                    f"reading and writing the points (the peer: {io_c:.2f} s to read and write).")
    nphase = table(["size", "threads", "maillage read sites", "index", "query with distances",
                    "read and write points", "total", "peer read", "peer index", "peer query with distances",
                    "peer write", "peer total", "query ratio peer/maillage", "I/O ratio peer/maillage"], nphase_rows)

    # Phase timings: PostGIS.
    pg_rows = []
    for size in sizes:
        r = runs.get(f"nearest.postgis.{size}.tauto")
        if r:
            p = r["phases"]
            pg_rows.append([size_label(size), pg_threads(r), ", ".join(str(w) for w in r["workers_planned"]) or "?"]
                           + [fs(p.get(k), 3) for k in ("connect", "load", "index", "query", "export", "total")]
                           + [fs(r["wall"]), fint(r["backend_peak_mib"]), fint(r["rss_mib"])])
    pgphase = table(["size", "threads", "parallel workers planned", "connect", "load (CREATE, COPY)",
                     "index (GiST, ANALYZE)", "query (CREATE TABLE AS)", "export (COPY TO CSV)", "script total",
                     "process wall", "server process peak MiB", "client peak MiB"], pg_rows) if pg_rows else ""

    # Notes under the main table.
    pg_planned = "; ".join(f"{size_label(z)}: {', '.join(str(w) for w in runs[f'nearest.postgis.{z}.tauto']['workers_planned']) or '?'}"
                           for z in sizes if f"nearest.postgis.{z}.tauto" in runs) or "not measured"
    notes = [
        f"threads: maillage `--threads 1` / `--threads 0` (all {nproc} cores); cKDTree `workers=1` / `workers=-1` "
        f"(pyproj's geodesics are single-threaded either way); PostGIS: one run per size, parallel query "
        f"allowed on all cores (`max_parallel_workers_per_gather = {int(nproc) - 1 if nproc.isdigit() else '?'}`), "
        f"its threads = its server process + the parallel workers the planner planned ({pg_planned}); QGIS's "
        f"algorithm is single-threaded (a loop over the points); GDAL's proximity is single-threaded.",
        "points/s: points per second of wall time; for rasters, study-area cells per second.",
        "ratio to maillage: the peer's wall time over maillage's for the same task, size and threads (above 1: "
        "maillage is faster). For \"PostGIS, the KNN query alone\" the reference is maillage's `query with "
        "distances` phase (table \"Phase timings: nearest\"); for the distance raster, maillage's `distances` "
        "phase at the same grid (not the whole analysis, which also reads, grids, aggregates and writes).",
        "errors: nearest-site tools against the exact geodesic nearest (brute force on the sampled points): distance "
        "error |reported − exact| (includes the 4-decimal km rounding of maillage's and cKDTree's outputs, ≤ 0.05 m; "
        "PostGIS and QGIS write full precision); wrong nearest = reported site farther than the true nearest by "
        "> 1 mm. When a tool names a wrong site, its distance error is the extra distance to that site. Rasters: "
        "gdal_proximity against maillage's exact distances on every study-area cell; maillage's rows: its own "
        "raster against brute force on sampled cells (Float32 km storage).",
    ]
    if status["postgis"] == "ok":
        notes.append(
            f"PostGIS: PostgreSQL {meta.get('postgres_version', '?')}, PostGIS {meta.get('postgis_version', '?')}, a "
            "server that `scripts/bench.sh` starts in a temporary directory (initdb's default settings, unix socket) "
            "and stops at the end; `scripts/bench/peer_postgis.py`, each run from empty tables: CREATE TABLE with a "
            "`geometry(Point, 4326)` column generated from lon/lat, COPY FROM STDIN (CSV), GiST index on the sites, "
            "ANALYZE, then `CREATE TABLE nearest AS SELECT p.id, s.id, ST_Distance(p.geom::geography, "
            "s.geom::geography) FROM points p CROSS JOIN LATERAL (SELECT ... FROM sites ORDER BY sites.geom <-> "
            "p.geom LIMIT 1) s`, and COPY TO a CSV. The KNN operator `<->` on geometry 4326 is **planar in "
            "degrees** (a degree of longitude counts as much as a degree of latitude, though it is about 0.7 of it "
            "at 45° N): the site it picks is not always the geodesic nearest. The distance is ST_Distance on "
            "geography, on the WGS84 spheroid (PostGIS's default), exact for the site picked. Wall and points/s: the "
            "whole client process (connect, load, index, query, export); \"the KNN query alone\": the CREATE TABLE AS "
            "statement. Peak MiB: the server process serving the session (VmHWM, with the shared buffers it "
            "touched; parallel workers not counted; the client's own peak is in the PostGIS table).")
    if status["qgis"] == "ok":
        q_reps = meta.get("qgis_reps", "?")
        q_note = (
            f"QGIS: {meta.get('qgis_version', '?')}, `{meta.get('qgis_alg', '?')}` run with `qgis_process` headless "
            "(`QT_QPA_PLATFORM=offscreen`), set up as an analyst would: points as a delimited-text layer (lon/lat, "
            "EPSG:4326), hubs = the sites as a GeoPackage (converted once before the runs, not timed: QGIS fetches "
            "the nearest hub by feature id for every point, faster from a GeoPackage than from a CSV layer), hub "
            "name field `id`, UNIT 0 (metres), `--ELLIPSOID=EPSG:7030` (WGS 84; without an ellipsoid QGIS measures "
            "in degrees). What it measures: the nearest hub from a QgsSpatialIndex in the layer's CRS, i.e. "
            "**planar in degrees** like PostGIS's KNN, then the ellipsoidal distance (QgsDistanceArea on WGS 84) to "
            "that hub. Wall includes qgis_process's start-up (loading QGIS and its providers, a few seconds). "
            f"Repetitions: {q_reps} (BENCH_QGIS_REPS; the wall column says when fewer than the other tools'), "
            f"sizes up to {qgis_max:,} points (BENCH_QGIS_MAX_POINTS).")
        done = [(size_points(s_), runs[f"nearest.qgis.{s_}.t1"]["wall"]) for s_ in sizes
                if f"nearest.qgis.{s_}.t1" in runs]
        skipped = [s_ for s_ in sizes if size_points(s_) > qgis_max]
        if done and skipped:
            done.sort()
            if len(done) >= 2 and done[-1][0] > done[0][0]:
                # A line through the two largest sizes run: a fixed start-up cost plus a cost per point.
                (n0, w0), (n1, w1) = done[-2], done[-1]
                per_point = (w1 - w0) / (n1 - n0)
                how = f"with the cost per point between {n0:,} and {n1:,} points"
            else:
                n1, w1 = done[-1]
                per_point = w1 / n1
                how = f"at the rate measured on {n1:,} points (start-up included)"
            for s_ in skipped:
                est = w1 + per_point * (size_points(s_) - n1)
                q_note += (f" Not run for {size_label(s_)}: {how}, it would take about {est:,.0f} s "
                           f"(an extrapolation, not a measurement).")
        notes.append(q_note)
    for tool in ("ckdtree", "postgis", "qgis"):
        if status[tool] != "ok":
            notes.append(f"{names[tool]}: {status[tool]}: not measured.")

    # Threads scaling (maillage).
    for size in sizes:
        m1, mn = runs.get(f"nearest.maillage.{size}.t1"), runs.get(f"nearest.maillage.{size}.t{nproc}")
        if m1 and mn and nproc != "1":
            q1, qn = m1["phases"].get("query with distances"), mn["phases"].get("query with distances")
            if q1 and qn and q1 / qn < 1.3:
                findings.append(f"- nearest, {size_label(size)}: {nproc} threads barely help the query phase "
                                f"({q1:.2f} s with 1 thread, {qn:.2f} s with {nproc}); whole run {m1['wall']:.2f} s "
                                f"vs {mn['wall']:.2f} s (other processes used up to {mn['other_cores_max']:.2f} "
                                f"cores during the {nproc}-thread runs).")

    # Phase timings: analyse.
    all_phases = []
    for g in grids:
        for p in runs[f"analyse.maillage.{g}"]["phases"]:
            if p not in all_phases:
                all_phases.append(p)
    aphase_rows = [[f"{g} m", fint(cells[g])] + [fs(runs[f"analyse.maillage.{g}"]["phases"].get(p)) for p in all_phases]
                   for g in grids]
    aphase = table(["grid", "cells"] + all_phases, aphase_rows)
    for g in grids:
        p = runs.get(f"proximity.gdal.{g}")
        m = runs[f"analyse.maillage.{g}"]
        d = m["phases"].get("distances")
        if p and d and p["wall"] < d:
            findings.append(
                f"- distance raster at {g} m: GDAL's rasterize + proximity pipeline ({p['wall']:.2f} s, one thread) "
                f"is {d / p['wall']:.1f}× faster than maillage's distances phase ({d:.2f} s, {nproc} threads) and "
                f"{m['wall'] / p['wall']:.1f}× faster than the whole analysis ({m['wall']:.2f} s), at the cost of "
                f"errors up to {(rasters.get(g) or {}).get('proximity_vs_maillage', {}).get('max_error_m', float('nan')):.0f} m.")

    gdal_rows = []
    for g in grids:
        p = runs.get(f"proximity.gdal.{g}")
        if p:
            gdal_rows.append([f"{g} m"] + [fs(s["wall"]) for s in p["steps"].values()] + [fs(p["wall"])])
    gsteps = next((list(p["steps"].keys()) for k, p in runs.items() if k.startswith("proximity.")), [])
    gphase = table(["grid"] + [s.split("-", 1)[-1] for s in gsteps] + ["total"], gdal_rows) if gdal_rows else ""

    # Accuracy details.
    acc_lines = []
    if acc.get("sample"):
        acc_lines.append(f"Reference: exact geodesic nearest by brute force (pyproj Geod.inv from each of "
                         f"{acc['sample']:,} sampled points, seed {acc['seed']}, to all {acc['sites']} sites; "
                         f"{acc['reference_s']:.1f} s). Tools run on fewer points are scored on the sampled "
                         f"points among them (n shown after the slash).")
    pair = acc.get("pair")
    if pair:
        ties = pair["different_site"] - pair["a_farther"] - pair["b_farther"]
        acc_lines.append(
            f"All {pair['points']:,} points, {pair['a']} vs {pair['b']}: they name different sites for "
            f"{pair['different_site']:,} points, of which {ties:,} are ties within 1 mm (the sites file has "
            f"{acc['sites']} sites at {acc.get('distinct_site_positions', '?')} distinct positions); "
            f"{pair['a']} is farther by > 1 mm in "
            f"{pair['a_farther']} cases (max {pair['max_excess_a_m']:.4f} m), {pair['b']} in {pair['b_farther']} "
            f"(max {pair['max_excess_b_m']:.4f} m).")
    for name, t in acc["tools"].items():
        if t.get("wrong_nearest"):
            acc_lines.append(
                f"{name}: names a site farther than the geodesic nearest for {t['wrong_nearest']:,} of {t['n']:,} "
                f"sampled points ({100 * t['wrong_nearest'] / t['n']:.1f} %), up to {t['max_wrong_excess_m']:,.0f} m "
                f"farther" + (f" ({t['missing']} without a site)" if t.get("missing") else "")
                + (": its nearest-site search is planar in degrees." if name.split("-")[0] in ("qgis", "postgis")
                   else "."))
    for g in grids:
        rj = rasters.get(g)
        if rj and "proximity_vs_brute_force_sample" in rj:
            pe, pb = rj["proximity_vs_maillage"], rj["proximity_vs_brute_force_sample"]
            acc_lines.append(
                f"{g} m grid: gdal_proximity vs maillage on all {rj['cells']:,} study-area cells: max "
                f"{pe['max_error_m']:.1f} m, p99 {pe['p99_error_m']:.1f} m, mean {pe['mean_error_m']:.1f} m; "
                f"vs brute force on {rj['maillage_vs_brute_force']['sample']:,} sampled cells: max "
                f"{pb['max_error_m']:.1f} m, p99 {pb['p99_error_m']:.1f} m.")

    load_rows = [[k, fs(r["wall"]), fs(r["cpu"]), fs(r["other_cores"]), fs(r["other_cores_max"])]
                 for k, r in runs.items()]
    load_table = table(["run", "wall s", "CPU s (user+sys)", "other processes, cores (median)",
                        "other processes, cores (max)"], load_rows)
    # The PostGIS runs' "other processes" include the PostgreSQL server, which does their work: left
    # out of the warning (their CPU s column is the client's alone).
    worst = max((r["other_cores_max"] for k, r in runs.items() if ".postgis." not in k), default=0.0)
    pg_note = (" (PostGIS runs left out: their server process, which does the query, counts as another "
               "process there)" if any(".postgis." in k for k in runs) else "")
    load_warning = (f"**Warning: other processes used up to {worst:.2f} of the {nproc} cores during some runs**"
                    f"{pg_note} (table \"Load during the runs\"): those timings are slower and noisier than on an "
                    f"idle machine, and thread scaling is understated."
                    if worst >= 0.25 else
                    f"Other processes used at most {worst:.2f} cores during the runs{pg_note} "
                    f"(table \"Load during the runs\").")

    with open(os.path.join(a.tmp, "free.txt"), encoding="utf-8") as f:
        free = f.read().rstrip()

    quick = ("**QUICK CHECK (`BENCH_QUICK=1`): small sizes, one run; a check of the benchmark itself, not a "
             "result.**\n\n" if meta.get("quick") == "1" else "")
    md = f"""# maillage benchmark

Produced by `scripts/bench.sh` ({meta.get('date', '?')}, {meta.get('bench_seconds', '?')} s for the whole run).
{quick}Every figure is the median of {reps} runs (unless its cell says otherwise); wall time and peak memory (max RSS) from `/usr/bin/time -f '%e %M'`.
The points are **SYNTHETIC** (random, fixed seed; `scripts/bench/make_points.py`): uniform in lon/lat over the
bounding box of the region's communes, kept inside the region outline. Sites for `nearest`: the 687 real sites
of `geodata/structures-aura-dila-2017.csv` (all of them). `analyse` runs on the shipped data (470 SPRO-type sites).

{load_warning}

## Results

{main_table}

{chr(10).join("- " + x for x in notes)}

## Findings (computed by report.py)

{chr(10).join(findings) if findings else "- maillage is at least as fast as every peer in every task measured."}

## Accuracy details

{chr(10).join("- " + x for x in acc_lines)}

## Phase timings: nearest (s, medians)

maillage's own phases (from its stderr line) and the peer's (printed by `peer_ckdtree.py`); the peer's
"query with distances" = ECEF of the points + cKDTree query + pyproj geodesics; I/O ratio = (peer read + write)
/ maillage "read and write points" (the peer's read also covers the sites).

{nphase}

## Phase timings: PostGIS (s, medians)

{pgphase or "PostGIS not measured."}

## Phase timings: maillage analyse (s, medians)

{aphase}

## GDAL proximity pipeline steps (s, medians)

ogr2ogr (sites into the grid's CRS), gdal_rasterize (-burn 1 on the grid of distance.tif: same -te, -tr, CRS),
gdal_proximity.py (-distunits GEO -ot Float32).

{gphase}

## Load during the runs

Other processes' CPU use during each run (machine busy time from /proc/stat minus the run's own user + sys),
in cores on average; CPU s is the run's own user + sys time (medians over the repetitions).

{load_table}

## Machine and versions

- nproc: {nproc}; CPU: {meta.get('cpu', '?')}
- load average at start {meta.get('loadavg_start', '?')}, at end {meta.get('loadavg_end', '?')} (the machine may be
  shared with other work: figures taken under load are slower and noisier)
- memory (`free -g`):

```
{free}
```

- maillage: {meta.get('maillage_version', '?')}, built from the {meta.get('source', '?')}; {meta.get('compiler', '')}, Release
- GDAL: {meta.get('gdal', '?')}; PROJ: {meta.get('proj', '?')}
- {meta.get('python', 'python ?')}: numpy {meta.get('numpy', '?')}, scipy {meta.get('scipy', '?')}, pyproj {meta.get('pyproj', '?')}
- QGIS: {meta.get('qgis_version', status['qgis'])}
- PostgreSQL: {meta.get('postgres_version', status['postgis'])}, PostGIS {meta.get('postgis_version', '—')}
"""
    with open(a.out, "w", encoding="utf-8") as f:
        f.write(md)
    print(main_table)
    print()
    print("\n".join(findings))
    print(f"\nreport.py: wrote {a.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
