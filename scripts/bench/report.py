#!/usr/bin/python3
"""Write bench/results.md from what scripts/bench.sh left in bench/tmp/, and print its main table.

Inputs (in --tmp): runs.tsv (one line per timed run or step), the tools' stderr logs,
accuracy.json (accuracy_nearest.py), raster-<grid>.json (compare_rasters.py), meta.env, free.txt.
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


def median(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def phases(stderr_path):
    """{phase: seconds} from a 'timings (s): a 1.0, b 2.0; total 3.0' line."""
    try:
        with open(stderr_path, encoding="utf-8", errors="replace") as f:
            text = f.read()
    except OSError:
        return {}
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
    for r in runs.values():
        reps = list(r["reps"].values())
        r["n"] = len(reps)
        r["wall"] = median([x["wall"] for x in reps])
        r["rss_mib"] = median([x["rss"] for x in reps]) / 1024.0
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


def size_label(size, cells=None):
    if size == "100k":
        return "100,000 points"
    if size == "1m":
        return "1,000,000 points"
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
    qgis_installed = bool(meta.get("qgis"))

    reps = max((r["n"] for r in runs.values()), default=0)
    header = ["tool", "task", "size", "threads", f"wall s (median of {reps})", "peak MiB", "points/s",
              "ratio to maillage", "max error m", "p99 error m", "wrong nearest"]
    rows = []
    findings = []

    def acc_cols(name):
        t = acc["tools"].get(name)
        if not t:
            return ["—", "—", "—"]
        return [ferr(t["max_error_m"]), ferr(t["p99_error_m"]), f"{t['wrong_nearest']} / {t['n']:,}"]

    # Nearest site.
    names = {"maillage": "maillage nearest", "ckdtree": "scipy cKDTree (ECEF) + pyproj Geod",
             "qgis": "QGIS Distance to nearest hub"}
    for size, n_points in (("100k", 100_000), ("1m", 1_000_000)):
        for th in ("1", nproc):
            ref = runs.get(f"nearest.maillage.{size}.t{th}")
            for tool in ("maillage", "ckdtree", "qgis"):
                r = runs.get(f"nearest.{tool}.{size}.t{th}")
                label = names[tool]
                if tool == "qgis":
                    if size != "100k" or th != "1":
                        continue
                    if not qgis_installed:
                        rows.append([label, "nearest site + distance", size_label(size), "1", "not installed",
                                     "—", "—", "—", "—", "—", "—"])
                        continue
                if r is None:
                    continue
                ratio = r["wall"] / ref["wall"] if ref else None
                rows.append([label, "nearest site + distance", size_label(size), th, fs(r["wall"]),
                             fint(r["rss_mib"]), fint(n_points / r["wall"]), fs(ratio)]
                            + acc_cols(f"{tool}-{size}-t{th}"))

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
                     size_label(g, cells[g]), nproc, fs(d), "—", fint(cells[g] / d if d else None), "1.00",
                     ferr(selfc.get("max_error_m")), ferr(selfc.get("p99_error_m")), "—"])
        pe = rj.get("proximity_vs_maillage", {})
        rows.append(["gdal_rasterize + gdal_proximity.py", "distance raster (planar, site snapped to cell)",
                     size_label(g, cells[g]), "1", fs(p["wall"]), fint(p["rss_mib"]),
                     fint(cells[g] / p["wall"] if cells[g] else None), fs(p["wall"] / d if d else None),
                     ferr(pe.get("max_error_m")), ferr(pe.get("p99_error_m")), "—"])

    # Full analysis.
    for g in grids:
        m = runs.get(f"analyse.maillage.{g}")
        if m is None:
            continue
        selfc = (rasters.get(g) or {}).get("maillage_vs_brute_force", {})
        rows.append(["maillage analyse", "full analysis (shipped data, 470 sites)", size_label(g, cells[g]), nproc,
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
    for size in ("100k", "1m"):
        for th in ("1", nproc):
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

    # Threads scaling (maillage).
    for size in ("100k", "1m"):
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
                         f"{acc['reference_s']:.1f} s). Tools run on 100,000 points are scored on the sampled "
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
    worst = max((r["other_cores_max"] for r in runs.values()), default=0.0)
    load_warning = (f"**Warning: other processes used up to {worst:.2f} of the {nproc} cores during some runs** "
                    f"(table \"Load during the runs\"): those timings are slower and noisier than on an idle machine, "
                    f"and thread scaling is understated."
                    if worst >= 0.25 else
                    f"Other processes used at most {worst:.2f} cores during the runs (table \"Load during the runs\").")

    with open(os.path.join(a.tmp, "free.txt"), encoding="utf-8") as f:
        free = f.read().rstrip()

    md = f"""# maillage benchmark

Produced by `scripts/bench.sh` ({meta.get('date', '?')}, {meta.get('bench_seconds', '?')} s for the whole run).
Every figure is the median of {reps} runs; wall time and peak memory (max RSS) from `/usr/bin/time -f '%e %M'`.
The points are **SYNTHETIC** (random, fixed seed; `scripts/bench/make_points.py`): uniform in lon/lat over the
bounding box of the region's communes, kept inside the region outline. Sites for `nearest`: the 687 real sites
of `geodata/structures-aura-dila-2017.csv` (all of them). `analyse` runs on the shipped data (470 SPRO-type sites).

{load_warning}

## Results

{main_table}

- threads: maillage `--threads 1` / `--threads 0` (all {nproc} cores); cKDTree `workers=1` / `workers=-1`
  (pyproj's geodesics are single-threaded either way); GDAL's proximity is single-threaded.
- points/s: points per second of wall time; for rasters, study-area cells per second.
- ratio to maillage: the peer's wall time over maillage's for the same task, size and threads (above 1:
  maillage is faster). For the distance raster, the reference is maillage's `distances` phase at the same grid
  (not the whole analysis, which also reads, grids, aggregates and writes).
- errors: nearest-site tools against the exact geodesic nearest (brute force on the sampled points): distance
  error |reported − exact| (includes the 4-decimal km rounding of the outputs, ≤ 0.05 m); wrong nearest =
  reported site farther than the true nearest by > 1 mm. Rasters: gdal_proximity against maillage's exact
  distances on every study-area cell; maillage's rows: its own raster against brute force on sampled cells
  (Float32 km storage).
{"- QGIS (`qgis_process.bin`) is not installed on this machine: its row is not measured." if not qgis_installed else "- QGIS: " + meta.get('qgis_version', '') + ", `native:distancetonearesthubpoints` with `--ELLIPSOID=EPSG:7030`, 100,000 points only."}

## Findings (computed by report.py)

{chr(10).join(findings) if findings else "- maillage is at least as fast as every peer in every task measured."}

## Accuracy details

{chr(10).join("- " + x for x in acc_lines)}

## Phase timings: nearest (s, medians)

maillage's own phases (from its stderr line) and the peer's (printed by `peer_ckdtree.py`); the peer's
"query with distances" = ECEF of the points + cKDTree query + pyproj geodesics; I/O ratio = (peer read + write)
/ maillage "read and write points" (the peer's read also covers the sites).

{nphase}

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
- QGIS: {meta.get('qgis_version', 'not installed')}
"""
    with open(a.out, "w", encoding="utf-8") as f:
        f.write(md)
    print(main_table)
    print()
    print("\n".join(findings))
    print(f"\nreport.py: wrote {a.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
