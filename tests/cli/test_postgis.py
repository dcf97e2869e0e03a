"""--out PG:... writes the layers into PostGIS tables with a history of runs, against a real
PostgreSQL + PostGIS server that this test starts on a local port and stops afterwards.

Skipped, with the reason, where PostgreSQL or PostGIS is not installed (scripts/test.sh installs
them, so CI runs this test).
"""
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import unittest
from pathlib import Path

import helpers as h

PGBIN = next((p for p in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
              if (p / "initdb").exists()), None) if Path("/usr/lib/postgresql").exists() else None
POSTGIS = bool(list(Path("/usr/share/postgresql").glob("*/extension/postgis.control"))) \
    if Path("/usr/share/postgresql").exists() else False


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@unittest.skipUnless(PGBIN and POSTGIS and shutil.which("psql"),
                     "PostgreSQL/PostGIS is not installed (apt-get install postgresql postgis, "
                     "or run scripts/test.sh)")
class TestPostgis(h.CliTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.dir = Path(tempfile.mkdtemp(prefix="maillage-pg-"))
        cls.port = free_port()
        # PostgreSQL refuses to run as root: the server runs as the postgres user when we are root.
        cls.as_user = "postgres" if os.geteuid() == 0 else None
        if cls.as_user:
            shutil.chown(cls.dir, user=cls.as_user)
        cls.pg(str(PGBIN / "initdb"), "-D", str(cls.dir / "data"), "-A", "trust", "-U", "postgres")
        cls.pg(str(PGBIN / "pg_ctl"), "-D", str(cls.dir / "data"), "-w", "-l", str(cls.dir / "log"),
               "-o", f"-p {cls.port} -k {cls.dir} -c listen_addresses=127.0.0.1", "start")
        cls.addClassCleanup(cls.stop)
        cls.psql("postgres", "CREATE DATABASE maillage")
        cls.psql("maillage", "CREATE EXTENSION postgis")
        cls.conn = f"PG:dbname=maillage host=127.0.0.1 port={cls.port} user=postgres password=s3cret"

    @classmethod
    def pg(cls, *cmd):
        if cls.as_user:
            cmd = ["runuser", "-u", cls.as_user, "--", *cmd]
        subprocess.run(cmd, check=True, capture_output=True, timeout=120)

    @classmethod
    def stop(cls):
        try:
            cls.pg(str(PGBIN / "pg_ctl"), "-D", str(cls.dir / "data"), "-w", "-m", "fast", "stop")
        finally:
            shutil.rmtree(cls.dir, ignore_errors=True)

    @classmethod
    def psql(cls, db, sql):
        p = subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(cls.port), "-U", "postgres", "-d", db,
                            "-At", "-v", "ON_ERROR_STOP=1", "-c", sql],
                           capture_output=True, text=True, timeout=60)
        if p.returncode != 0:
            raise AssertionError(p.stderr)
        return p.stdout.strip()

    def analyse(self, schema, run_id, *extra):
        return h.run("analyse", "--grid-m", 1000, "--out", self.conn, "--pg-schema", schema,
                     "--run-id", run_id, "--no-progress", *extra)

    def test_tables_runs_and_replacement(self):
        r = self.analyse("maillage", "q1")
        self.assertEqual(r.returncode, 0, r)
        self.assertNotIn("s3cret", r.stderr, "the password must not reach the log")
        self.assertEqual(self.psql("maillage", "SELECT count(*) FROM maillage.zones WHERE run_id='q1'"),
                         str(h.AURA_COMMUNES))
        # The sites layer holds the region's sites and, by default, the border sites (issue 11).
        self.assertEqual(self.psql("maillage", "SELECT count(*) FROM maillage.sites WHERE run_id='q1'"),
                         str(h.AURA_SPRO_SITES + h.AURA_BORDER_SITES))
        self.assertEqual(self.psql("maillage", "SELECT count(*) FROM maillage.sites "
                                               "WHERE run_id='q1' AND in_study_area"),
                         str(h.AURA_SPRO_SITES))
        self.assertEqual(self.psql("maillage", "SELECT sum(population) FROM maillage.zones WHERE run_id='q1'"),
                         str(h.AURA_POPULATION))
        self.assertEqual(self.psql("maillage", "SELECT DISTINCT ST_SRID(geom) FROM maillage.zones"), "4326")
        # The same values as a GeoJSON run: a few zones compared.
        out = h.make_tempdir(self) / "out"
        h.run_ok(self, "analyse", "--grid-m", 1000, "--out", out, "--no-progress")
        import json
        zones = json.loads((out / "zones.geojson").read_text(encoding="utf-8"))["features"]
        for f in zones[::500]:
            p = f["properties"]
            got = self.psql("maillage", "SELECT nearest_site_id || '|' || mean_km FROM maillage.zones "
                                        f"WHERE run_id='q1' AND zone_id='{p['zone_id']}'")
            self.assertEqual(got.split("|")[0], p["nearest_site_id"])
            self.assertAlmostEqual(float(got.split("|")[1]), p["mean_km"], places=4)
        # Rerun with the same id: replaced, not added; another id: one more row in the history.
        self.assertEqual(self.analyse("maillage", "q1").returncode, 0)
        self.assertEqual(self.analyse("maillage", "q2", "--threshold-km", 15).returncode, 0)
        self.assertEqual(self.psql("maillage", "SELECT count(*) FROM maillage.zones WHERE run_id='q1'"),
                         str(h.AURA_COMMUNES))
        self.assertEqual(self.psql("maillage", "SELECT string_agg(run_id, ',' ORDER BY run_id) FROM maillage.runs"),
                         "q1,q2")
        history = self.psql("maillage", "SELECT run_id || ':' || population_total FROM maillage.runs ORDER BY run_id")
        self.assertEqual(history.splitlines(), [f"q1:{h.AURA_POPULATION}", f"q2:{h.AURA_POPULATION}"])
        self.assertEqual(self.psql("maillage", "SELECT count(*) FROM maillage.runs WHERE "
                                               "parameters LIKE '%s3cret%' OR inputs LIKE '%s3cret%'"), "0")

    def test_failed_run_leaves_the_tables_untouched(self):
        self.assertEqual(self.analyse("trap", "base").returncode, 0)
        before = self.psql("maillage", "SELECT count(*) || '/' || sum(population) FROM trap.zones")
        # A trigger makes the insertion of the sites fail, after the zones were written in the
        # same transaction.
        self.psql("maillage", "CREATE OR REPLACE FUNCTION trap.refuse() RETURNS trigger AS "
                              "$$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$ LANGUAGE plpgsql")
        self.psql("maillage", "CREATE TRIGGER refuse BEFORE INSERT ON trap.sites FOR EACH ROW "
                              "EXECUTE FUNCTION trap.refuse()")
        r = self.analyse("trap", "base", "--threshold-km", 10)
        self.assertEqual(r.returncode, 1, r)
        self.assertIn("refused by the test", r.stderr)
        self.assertNotIn("s3cret", r.stderr)
        self.assertEqual(self.psql("maillage", "SELECT count(*) || '/' || sum(population) FROM trap.zones"),
                         before)
        self.assertEqual(self.psql("maillage", "SELECT count(*) FROM trap.runs"), "1")
        # The run that failed changed nothing: its threshold is not recorded.
        self.assertIn('"threshold_km":20', self.psql("maillage", "SELECT parameters FROM trap.runs"))


if __name__ == "__main__":
    unittest.main()
