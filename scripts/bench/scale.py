#!/usr/bin/python3
"""Scale benchmark of `maillage analyse`: does the cost grow linearly with the grid cells?

Runs, each once by default (--reps), with /usr/bin/time -f '%e %M %U %S' for wall time and peak
memory, the phase timings from the run's run.json, and the resident memory sampled every 0.1 s
(so that the peak can be placed in a phase):

  1. the SYNTHETIC national dataset (scripts/bench/make_national.py, generated first when missing)
     at three grid sizes, about 3.5, 7 and 14 million cells (400, 283 and 200 m), 2 threads;
  2. --threads 1 against --threads 2 on the shipped data at 200 m (the default analysis) and on
     the national data at the middle size (283 m; its 2-thread run is the one of step 1 when
     both steps run, its 1-thread run comes right after it).

Before each run the script waits (up to --idle-wait s) until other processes use fewer than
--idle-cores cores, and it reports the cores they used during each run: the kernel shares the
CPU between sessions (autogroup), so on a busy machine a run gets the same share whatever its
thread count, and times are several times longer. --notes adds a hand-written markdown file
(default bench/scale-notes.md) to the report.

Then writes a markdown report (default bench/scale.md) from the collected figures, also kept in
WORK/runs.json so that --report-only can rewrite the report without running anything again.

Usage: scale.py [--maillage build/maillage] [--data bench/national] [--work bench/tmp/scale]
                [--out bench/scale.md] [--grids 400,283,200] [--threads-grid 283] [--reps 1]
                [--idle-wait 120] [--idle-cores 0.25] [--only sizes|threads] [--report-only]
                [--notes bench/scale-notes.md]
The runs take about 1.5 minutes on 2 quiet cores (plus the waits for a quiet machine, and about
3 minutes to generate the data the first time); the 200 m run needs about 820 MiB of memory.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

PHASES = ["read", "index", "grid", "zones", "distances", "statistics", "sites", "underserved",
          "write"]
# Phases whose work is per grid cell; the others depend on the zones and sites only.
CELL_PHASES = ["grid", "distances", "statistics", "underserved", "write"]
TARGET_MIB = 3 * 1024
HZ = os.sysconf("SC_CLK_TCK")


def log(msg):
    print(f"scale.py: {msg}", file=sys.stderr, flush=True)


def machine_busy_s():
    """CPU seconds the whole machine has used (user, nice, system, irq, softirq, steal)."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return (v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / HZ


def wait_idle(max_wait, max_cores=0.25):
    """Waits (at most max_wait s) until other processes use less than max_cores cores."""
    waited = 0.0
    while True:
        b0 = machine_busy_s()
        time.sleep(3)
        busy = (machine_busy_s() - b0) / 3
        if busy < max_cores:
            return busy
        if waited >= max_wait:
            log(f"other processes still use {busy:.2f} cores after {waited:.0f} s: measuring anyway")
            return busy
        log(f"other processes use {busy:.2f} cores: waiting ({waited:.0f}/{max_wait} s)")
        time.sleep(10)
        waited += 13


def rss_sampler(time_pid, samples, stop):
    """Samples the resident memory (MiB) of the child of /usr/bin/time every 0.1 s."""
    child = None
    t0 = time.monotonic()
    while not stop.is_set():
        if child is None:
            try:
                with open(f"/proc/{time_pid}/task/{time_pid}/children") as f:
                    kids = f.read().split()
                child = kids[0] if kids else None
            except OSError:
                return
        if child is not None:
            try:
                with open(f"/proc/{child}/status") as f:
                    for line in f:
                        if line.startswith("VmRSS:"):
                            samples.append((time.monotonic() - t0, int(line.split()[1]) / 1024))
                            break
            except OSError:
                return
        stop.wait(0.1)


def timed_run(name, cmd, work):
    """Runs cmd under /usr/bin/time; returns its figures (wall, peak MiB, CPU, others' CPU)."""
    tf = work / f"{name}.time"
    err = work / f"{name}.log"
    log(f"{name}: {' '.join(str(c) for c in cmd)}")
    b0 = machine_busy_s()
    samples, stop = [], threading.Event()
    with open(err, "w") as ef:
        p = subprocess.Popen(["/usr/bin/time", "-f", "%e %M %U %S", "-o", str(tf)] +
                             [str(c) for c in cmd], stderr=ef, stdout=subprocess.DEVNULL)
        sampler = threading.Thread(target=rss_sampler, args=(p.pid, samples, stop))
        sampler.start()
        rc = p.wait()
        stop.set()
        sampler.join()
    busy = machine_busy_s() - b0
    if rc != 0:
        tail = err.read_text(errors="replace")[-3000:]
        tlines = tf.read_text(errors="replace") if tf.exists() else ""
        log(f"{name}: FAILED with exit code {rc}\n{tail}\n{tlines}")
        return {"name": name, "failed": rc, "log": str(err), "stderr_tail": tail,
                "rss_samples": samples}
    wall, maxrss_kb, user, sys_s = tf.read_text().strip().splitlines()[-1].split()
    wall, user, sys_s = float(wall), float(user), float(sys_s)
    return {"name": name, "cmd": [str(c) for c in cmd], "wall_s": wall,
            "peak_mib": int(maxrss_kb) / 1024, "cpu_s": user + sys_s,
            "other_cores": max(0.0, busy - user - sys_s) / wall if wall > 0 else 0.0,
            "log": str(err), "rss_samples": samples}


def analyse_run(name, maillage, out, extra, work):
    cmd = [maillage, "analyse", "--out", out, "--no-progress", "--log-format", "json"] + extra
    r = timed_run(name, cmd, work)
    if "failed" in r:
        return r
    run_json = json.loads((Path(out) / "run.json").read_text())
    summary = json.loads((Path(out) / "summary.json").read_text())
    r["phases"] = {k: v for k, v in run_json["timings_s"].items()}
    r["threads"] = run_json.get("threads")
    g = summary["grid"]
    r["grid_m"] = g["cell_m"]
    r["cells"] = g["cells_in_study_area"]
    r["grid_cells"] = g["width"] * g["height"]
    r["zones"] = summary["zones_count"]
    r["sites"] = summary["sites_count"]
    r["population"] = summary["population_total"]
    r["mean_km"] = summary["distance_km"]["mean"]
    r["share_beyond"] = summary["share_beyond"]
    r["underserved_parts"] = summary["underserved"]["parts"]
    r["phase_peak_mib"] = phase_peaks(r["rss_samples"], r["phases"])
    return r


def phase_peaks(samples, phases):
    """Largest sampled RSS (MiB) within each phase, the phases placed end to end from the start
    (the run's timer starts a few milliseconds after the process)."""
    out, start = {}, 0.0
    for p in PHASES:
        end = start + phases.get(p, 0.0)
        inside = [m for t, m in samples if start <= t < end]
        out[p] = max(inside) if inside else None
        start = end
    return out


def best(runs):
    """Of repeated runs, the one with the median wall time."""
    ok = [r for r in runs if "failed" not in r]
    if not ok:
        return runs[0]
    ok.sort(key=lambda r: r["wall_s"])
    return ok[(len(ok) - 1) // 2]


def machine():
    cpu = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "nproc": os.cpu_count(),
            "cpu": cpu}


def fmt(x, nd=2):
    return "—" if x is None else f"{x:,.{nd}f}"


def slope(xs, ys):
    """Log-log slope of y against x between the smallest and the largest x (1: linear)."""
    import math
    pts = sorted((x, y) for x, y in zip(xs, ys) if x and y and y > 0)
    if len(pts) < 2:
        return None
    (x0, y0), (x1, y1) = pts[0], pts[-1]
    return math.log(y1 / y0) / math.log(x1 / x0)


def linear_fit(xs, ys):
    """Least-squares y = a + b x; returns (a, b)."""
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    if sxx == 0:
        return my, 0.0
    b = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx
    return my - b * mx, b


def report(data, out_path):
    m = data["machine"]
    sizes = [r for r in data.get("sizes", []) if r]
    man = data.get("manifest", {})
    L = []
    L.append("# maillage at national scale (SYNTHETIC data)")
    L.append("")
    L.append(f"Produced by `scripts/bench/scale.py` ({m['date']}, {m['nproc']} cores: {m['cpu']}; "
             f"{data.get('version', 'maillage ?')}, {data.get('source', '')}).")
    L.append("Wall time and peak memory (max RSS) from `/usr/bin/time -f '%e %M'`, phase times from "
             "each run's `run.json`, one run per line (the machine is shared: heavy runs are not "
             "repeated); \"others\" is the CPU that other processes used meanwhile, in cores.")
    L.append("")
    if man:
        zp = man.get("zone_population", {})
        L.append(f"**Data: SYNTHETIC** (`scripts/bench/make_national.py`, seed "
                 f"{man['parameters']['seed']}; not real data): {man['zones']:,} zones (Voronoi "
                 f"cells) tiling an irregular hexagon of {man['area_km2']:,.0f} km² near 46.5N "
                 f"2.5E, in {man['departments']} \"departments\", population "
                 f"{man['population_total']:,} (median zone {zp.get('median', 0):,.0f}, largest "
                 f"{zp.get('max', 0):,}, top 10 zones {100 * zp.get('share_of_top_10', 0):.1f} %), "
                 f"{man['sites']:,} sites, denser where people live.")
        L.append("")
    if sizes:
        L.append("## Cost against the number of cells (national data, 2 threads)")
        L.append("")
        L.append("| grid | cells in study area | raster cells | wall s | s per M cells | CPU s "
                 "| peak MiB | bytes per raster cell | others (cores) | under 3 GB |")
        L.append("|---|---|---|---|---|---|---|---|---|---|")
        for r in sizes:
            if "failed" in r:
                L.append(f"| {r.get('label', r['name'])} | — | — | failed (exit {r['failed']}) "
                         f"| — | — | — | — | — | no |")
                continue
            mc = r["cells"] / 1e6
            L.append(f"| {r['grid_m']:g} m | {r['cells']:,} | {r['grid_cells']:,} | "
                     f"{r['wall_s']:.1f} | {r['wall_s'] / mc:.2f} | {r['cpu_s']:.1f} | "
                     f"{r['peak_mib']:,.0f} | "
                     f"{r['peak_mib'] * 2**20 / r['grid_cells']:.0f} | {r['other_cores']:.2f} | "
                     f"{'yes' if r['peak_mib'] < TARGET_MIB else '**no**'} |")
        L.append("")
        ok = [r for r in sizes if "failed" not in r]
        if ok:
            L.append("### Phases (s), and s per million cells")
            L.append("")
            head = " | ".join(f"{r['grid_m']:g} m s | {r['grid_m']:g} m s/Mcell" for r in ok)
            L.append(f"| phase | {head} | growth exponent | fixed s + s per Mcell (fit) |")
            L.append("|---|" + "---|---|" * len(ok) + "---|---|")
            for p in PHASES + ["total"]:
                ts = [r["phases"].get(p, 0.0) for r in ok]
                cs = [r["cells"] / 1e6 for r in ok]
                cells_txt = " | ".join(f"{t:.2f} | {t / c:.3f}" for t, c in zip(ts, cs))
                e = slope(cs, ts)
                a, b = linear_fit(cs, ts) if len(ok) >= 2 else (None, None)
                fit = "—" if a is None else f"{a:.2f} + {b:.3f} × M"
                L.append(f"| {p} | {cells_txt} | {fmt(e)} | {fit} |")
            L.append("")
            L.append("Growth exponent: log(t₂/t₁)/log(n₂/n₁) between the smallest and the largest "
                     "grid (1: linear in the cells, 0: independent of them). Fit: least squares "
                     "over the grids, t = fixed + slope × million cells.")
            L.append("")
            L.append("### Peak resident memory in each phase (MiB, sampled every 0.1 s)")
            L.append("")
            L.append("| grid | " + " | ".join(PHASES) + " |")
            L.append("|---|" + "---|" * len(PHASES))
            for r in ok:
                pk = r["phase_peak_mib"]
                L.append(f"| {r['grid_m']:g} m | " +
                         " | ".join(fmt(pk.get(p), 0) for p in PHASES) + " |")
            L.append("")
            L.append("Results of the runs (from `summary.json`): " + "; ".join(
                f"{r['grid_m']:g} m: mean {r['mean_km']:.2f} km, {100 * r['share_beyond']:.2f} % "
                f"beyond 20 km, {r['underserved_parts']} underserved parts" for r in ok) + ".")
            L.append("")
    threads = data.get("threads", [])
    if threads:
        L.append("## Threads: speed-up of each phase (1 thread → 2 threads)")
        L.append("")
        for pair in threads:
            t1, t2 = pair["t1"], pair["t2"]
            if "failed" in t1 or "failed" in t2:
                L.append(f"- {pair['label']}: a run failed")
                continue
            L.append(f"**{pair['label']}** ({t2['cells']:,} cells; others used "
                     f"{t1['other_cores']:.2f} and {t2['other_cores']:.2f} cores)")
            L.append("")
            L.append("| phase | 1 thread s | 2 threads s | speed-up |")
            L.append("|---|---|---|---|")
            for p in PHASES + ["total"]:
                a, b = t1["phases"].get(p, 0.0), t2["phases"].get(p, 0.0)
                sp = f"{a / b:.2f}" if b > 0.005 else "—"
                L.append(f"| {p} | {a:.2f} | {b:.2f} | {sp} |")
            L.append(f"| wall (`time`) | {t1['wall_s']:.2f} | {t2['wall_s']:.2f} | "
                     f"{t1['wall_s'] / t2['wall_s']:.2f} |")
            L.append(f"| peak MiB | {t1['peak_mib']:,.0f} | {t2['peak_mib']:,.0f} | |")
            L.append("")
    notes = data.get("notes")
    if notes and Path(notes).exists():
        L.append(Path(notes).read_text().rstrip())
        L.append("")
    L.append("## Commands")
    L.append("")
    L.append("```sh")
    L.append("/usr/bin/python3 scripts/bench/make_national.py bench/national   # SYNTHETIC data")
    done = set()
    for r in sizes + [x for p in threads for x in (p["t1"], p["t2"])]:
        if "cmd" in r and r["name"] not in done:
            done.add(r["name"])
            L.append("/usr/bin/time -f '%e %M' " + " ".join(r["cmd"]))
    L.append("```")
    L.append("")
    Path(out_path).parent.mkdir(parents=True, exist_ok=True)
    Path(out_path).write_text("\n".join(L))
    log(f"wrote {out_path}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--maillage", default="build/maillage")
    ap.add_argument("--data", default="bench/national")
    ap.add_argument("--work", default="bench/tmp/scale")
    ap.add_argument("--out", default="bench/scale.md")
    ap.add_argument("--grids", default="400,283,200")
    ap.add_argument("--threads-grid", type=float, default=283)
    ap.add_argument("--reps", type=int, default=1)
    ap.add_argument("--idle-wait", type=float, default=120,
                    help="seconds to wait at most for a quieter machine before measuring")
    ap.add_argument("--idle-cores", type=float, default=0.25,
                    help="quiet enough: other processes use fewer cores than this")
    ap.add_argument("--only", choices=["sizes", "threads"])
    ap.add_argument("--report-only", action="store_true")
    ap.add_argument("--source", default="", help="what was measured (for the report)")
    ap.add_argument("--notes", default="bench/scale-notes.md",
                    help="markdown added to the report as it is (findings written by hand)")
    a = ap.parse_args()
    work = Path(a.work)
    work.mkdir(parents=True, exist_ok=True)
    runs_path = work / "runs.json"
    if a.report_only:
        data = json.loads(runs_path.read_text())
        data["notes"] = a.notes
        report(data, a.out)
        return
    data = Path(a.data)
    zones, sites = data / "zones-synthetic.gpkg", data / "sites-synthetic.csv"
    if not (zones.exists() and sites.exists()):
        log(f"generating the SYNTHETIC national data into {data}/")
        subprocess.run(["/usr/bin/python3", str(Path(__file__).with_name("make_national.py")),
                        str(data)], check=True)
    maillage = a.maillage
    version = subprocess.run([maillage, "--version"], capture_output=True,
                             text=True).stdout.strip()
    previous = json.loads(runs_path.read_text()) if runs_path.exists() else {}
    source = a.source
    if not source:
        rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                             text=True).stdout.strip() or "unknown"
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "--",
                                "src", "include", "CMakeLists.txt"], capture_output=True,
                               text=True).stdout.split()[1::2]
        source = f"{maillage} built from git {rev}" + (
            f", with uncommitted changes in: {' '.join(dirty)}" if dirty else "")
    result = {"machine": machine(), "version": version, "source": source, "notes": a.notes,
              "manifest": json.loads((data / "manifest.json").read_text()),
              "sizes": previous.get("sizes", []), "threads": previous.get("threads", [])}
    national = ["--zones", zones, "--sites", sites]
    grids = [float(g) for g in a.grids.split(",")]

    waits = []

    def quiet():
        """Before each run: wait for a quieter machine (the first time up to --idle-wait, then up
        to 3 minutes)."""
        wait_idle(a.idle_wait if not waits else min(a.idle_wait, 180), a.idle_cores)
        waits.append(1)

    def national_run(g, threads, rep):
        quiet()
        name = f"national-{g:g}m-t{threads}-r{rep}"
        r = analyse_run(name, maillage, work / f"out-{name}",
                        national + ["--grid-m", f"{g:g}", "--threads", threads], work)
        r["label"] = f"{g:g} m"
        return r

    def real_run(threads, rep):
        quiet()
        return analyse_run(f"real-200m-t{threads}-r{rep}", maillage,
                           work / f"out-real-200m-t{threads}", ["--threads", threads], work)

    reps = range(1, a.reps + 1)
    if a.only in (None, "sizes"):
        # The grid of the thread comparison last, so that its 1-thread run follows at once.
        order = sorted(grids, key=lambda g: g == a.threads_grid)
        runs = {g: best([national_run(g, 2, k) for k in reps]) for g in order}
        result["sizes"] = [runs[g] for g in grids]
        runs_path.write_text(json.dumps(result, indent=1))
    if a.only in (None, "threads"):
        g = a.threads_grid
        n1 = best([national_run(g, 1, k) for k in reps])
        # The 2-thread run of the sizes, when they were measured just before; else a new one.
        n2 = next((r for r in result["sizes"] if r.get("grid_m") == g and "failed" not in r),
                  None) if a.only is None else None
        n2 = n2 or best([national_run(g, 2, k) for k in reps])
        r1 = best([real_run(1, k) for k in reps])
        r2 = best([real_run(2, k) for k in reps])
        result["threads"] = [
            {"label": "shipped data (Auvergne-Rhône-Alpes, 470 sites), 200 m", "t1": r1, "t2": r2},
            {"label": f"SYNTHETIC national data, {g:g} m", "t1": n1, "t2": n2}]
        runs_path.write_text(json.dumps(result, indent=1))
    report(result, a.out)


if __name__ == "__main__":
    main()
