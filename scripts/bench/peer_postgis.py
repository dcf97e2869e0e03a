#!/usr/bin/python3
"""Peer for `maillage nearest`: PostgreSQL + PostGIS, KNN with a GiST index, then geodesic distance.

What a PostGIS user would write, on a server that scripts/bench.sh starts for the benchmark:
  load    CREATE TABLE sites / points (id, lon, lat, geom geometry(Point, 4326) generated from lon/lat);
          COPY ... FROM STDIN (CSV) for both (sites: the id, lon and lat columns of the sites file);
  index   CREATE INDEX ... USING gist (geom) on the sites; ANALYZE both tables;
  query   CREATE TABLE nearest AS
            SELECT p.id, s.id AS site_id, ST_Distance(p.geom::geography, s.geom::geography) AS dist_m
            FROM points p CROSS JOIN LATERAL
              (SELECT id, geom FROM sites ORDER BY sites.geom <-> p.geom LIMIT 1) s;
          The KNN operator <-> on geometry(Point, 4326) orders by PLANAR distance in degrees (a degree
          of longitude is taken as long as a degree of latitude), so the site it picks is not always
          the geodesic nearest; ST_Distance on geography is the WGS84 spheroid distance (PostGIS's
          default use_spheroid = true);
  export  COPY (SELECT id, site_id, dist_m FROM nearest ORDER BY id) TO STDOUT (CSV) into --out.

--workers sets max_parallel_workers_per_gather for the session (0: one process; the planner decides
whether it uses the workers: their planned count is printed). Tables are dropped and rebuilt on each
run, so every repetition does the same work.

Prints on stderr: "peer_postgis: N points, M sites; KNN ...; parallel workers planned W;
backend peak X MiB; timings (s): connect X, load X, index X, query X, export X; total X".
The backend peak is VmHWM of the server process serving the session (read from /proc: the server
runs on this machine); parallel workers are other processes and are not counted in it.

Writes CSV id,nearest_site_id,nearest_m (metres, full precision).

Usage: peer_postgis.py --host SOCKET_DIR_OR_HOST --port P --user U --db D
                       --sites S.csv --points P.csv --out OUT.csv [--workers 0]
"""
import argparse
import csv
import io
import json
import sys
import time

import psycopg2

LON_NAMES = ("lon", "longitude", "lng", "x")
LAT_NAMES = ("lat", "latitude", "y")

QUERY = """
SELECT p.id, s.id AS site_id, ST_Distance(p.geom::geography, s.geom::geography) AS dist_m
FROM points p CROSS JOIN LATERAL
  (SELECT id, geom FROM sites ORDER BY sites.geom <-> p.geom LIMIT 1) s
"""


def column(header, names, path):
    low = [h.strip().lower() for h in header]
    for n in names:
        if n in low:
            return low.index(n)
    sys.exit(f"peer_postgis.py: {path}: none of the columns {names} in {header}")


def sites_csv(path):
    """id,lon,lat of the sites file, as CSV text for COPY."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    with open(path, newline="", encoding="utf-8") as f:
        r = csv.reader(f)
        header = next(r)
        i_id, i_lon, i_lat = column(header, ("id",), path), column(header, LON_NAMES, path), column(header, LAT_NAMES, path)
        n = 0
        for row in r:
            w.writerow([row[i_id], row[i_lon], row[i_lat]])
            n += 1
    out.seek(0)
    return out, n


def points_columns(path):
    with open(path, encoding="utf-8") as f:
        header = f.readline().strip().split(",")
    if [h.strip().lower() for h in header] != ["id", "lon", "lat"]:
        sys.exit(f"peer_postgis.py: {path}: expected the columns id,lon,lat (the benchmark's points), got {header}")


def peak_mib(pid):
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--host", required=True, help="server host, or the directory of its unix socket")
    ap.add_argument("--port", type=int, default=5432)
    ap.add_argument("--user", default="postgres")
    ap.add_argument("--db", required=True)
    ap.add_argument("--sites", required=True)
    ap.add_argument("--points", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--workers", type=int, default=0, help="max_parallel_workers_per_gather (0: no parallel query)")
    a = ap.parse_args()
    points_columns(a.points)

    t0 = time.perf_counter()
    conn = psycopg2.connect(host=a.host, port=a.port, user=a.user, dbname=a.db)
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute("SELECT pg_backend_pid(), postgis_lib_version()")
    backend, postgis_version = cur.fetchone()
    cur.execute("SET max_parallel_workers_per_gather = %s", (a.workers,))
    cur.execute("DROP TABLE IF EXISTS nearest, points, sites")
    t_connect = time.perf_counter() - t0

    t = time.perf_counter()
    geom = "geom geometry(Point, 4326) GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(lon, lat), 4326)) STORED"
    cur.execute(f"CREATE TABLE sites (id text PRIMARY KEY, lon float8 NOT NULL, lat float8 NOT NULL, {geom})")
    cur.execute(f"CREATE TABLE points (id bigint, lon float8 NOT NULL, lat float8 NOT NULL, {geom})")
    data, n_sites = sites_csv(a.sites)
    cur.copy_expert("COPY sites (id, lon, lat) FROM STDIN WITH (FORMAT csv)", data)
    with open(a.points, encoding="utf-8") as f:
        cur.copy_expert("COPY points (id, lon, lat) FROM STDIN WITH (FORMAT csv, HEADER true)", f)
    n_points = cur.rowcount
    t_load = time.perf_counter() - t

    t = time.perf_counter()
    cur.execute("CREATE INDEX sites_geom ON sites USING gist (geom)")
    cur.execute("ANALYZE sites")
    cur.execute("ANALYZE points")
    t_index = time.perf_counter() - t

    cur.execute("EXPLAIN (FORMAT JSON) CREATE TABLE nearest AS " + QUERY)
    plan = cur.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    workers = 0
    stack = [plan[0]["Plan"]]
    while stack:
        node = stack.pop()
        workers = max(workers, int(node.get("Workers Planned", 0)))
        stack.extend(node.get("Plans", []))

    t = time.perf_counter()
    cur.execute("CREATE TABLE nearest AS " + QUERY)
    t_query = time.perf_counter() - t

    t = time.perf_counter()
    with open(a.out, "w", encoding="utf-8", newline="") as f:
        cur.copy_expert("COPY (SELECT id, site_id AS nearest_site_id, dist_m AS nearest_m FROM nearest ORDER BY id) "
                        "TO STDOUT WITH (FORMAT csv, HEADER true)", f)
    t_export = time.perf_counter() - t
    peak = peak_mib(backend)
    conn.close()

    print(f"peer_postgis: {n_points} points, {n_sites} sites; PostGIS {postgis_version}; KNN geometry(Point, 4326) <-> "
          f"(planar, degrees) then ST_Distance geography (spheroid); parallel workers planned {workers}; "
          f"backend peak {'?' if peak is None else f'{peak:.1f}'} MiB; timings (s): connect {t_connect:.3f}, "
          f"load {t_load:.3f}, index {t_index:.3f}, query {t_query:.3f}, export {t_export:.3f}; "
          f"total {time.perf_counter() - t0:.3f}", file=sys.stderr)


if __name__ == "__main__":
    main()
