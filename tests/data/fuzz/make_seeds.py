#!/usr/bin/env python3
"""Writes the SYNTHETIC seed inputs of the fuzz harnesses (tests/fuzz/) in this folder.

Each seed packs many of the cases the readers handle into one small file, so that the fuzzer
starts next to every branch instead of having to find the syntax first. Values are made up by
hand; they are not data about real places. Run with any python3:
    python3 tests/data/fuzz/make_seeds.py
"""

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent


def square(lon0, lat0, d=0.1):
    return [[lon0, lat0], [lon0 + d, lat0], [lon0 + d, lat0 + d], [lon0, lat0 + d], [lon0, lat0]]


def feature(props, geometry):
    return {"type": "Feature", "properties": props, "geometry": geometry}


def write(name, data):
    with open(HERE / name, "wb") as f:
        f.write(data)


def write_geojson(name, features, extra=None):
    doc = {"type": "FeatureCollection", "name": "SYNTHETIC fuzz seed"}
    doc.update(extra or {})
    doc["features"] = features
    write(name, (json.dumps(doc, ensure_ascii=False) + "\n").encode("utf-8"))


def zone(code, pop, geometry, **more):
    props = {"code": code, "nom": "Zone " + str(code), "population": pop, "departement": "01"}
    props.update(more)
    return feature(props, geometry)


poly = {"type": "Polygon", "coordinates": [square(5.0, 45.0)]}
# Every kind of feature the zone reader meets: kept, repaired, skipped, or stopping the run.
write_geojson("zones_mixed.geojson", [
    zone("A", 1200, poly),
    zone("B", "3400,5", {"type": "Polygon",  # text population, comma decimal; a hole
                         "coordinates": [square(5.2, 45.0), square(5.22, 45.02, 0.02)[::-1]]}),
    zone("C", 0, {"type": "MultiPolygon", "coordinates": [[square(5.4, 45.0)], [square(5.6, 45.0)]]}),
    zone("D", 50, {"type": "Polygon",  # bow tie: repaired by make-valid
                   "coordinates": [[[5.0, 46.0], [5.1, 46.1], [5.1, 46.0], [5.0, 46.1], [5.0, 46.0]]]}),
    zone("E", 60, {"type": "Polygon",  # collinear: repairs to nothing
                   "coordinates": [[[5.0, 47.0], [5.1, 47.0], [5.2, 47.0], [5.0, 47.0]]]}),
    zone("F", 70, None),  # no geometry
    zone("", 80, poly),  # empty id
    zone(None, 90, poly),  # null id
    zone("G", 100, {"type": "LineString", "coordinates": [[5.0, 45.0], [5.1, 45.1]]}),
    zone("H", 110, {"type": "GeometryCollection", "geometries": [poly]}),
    zone("I", 120, {"type": "Polygon", "coordinates": []}),  # empty polygon
    zone("J", 1.5e9, {"type": "Polygon", "coordinates": [square(179.95, -17.0)]}),
])
# The stops: a bad population, a point, coordinates that are not lon/lat, a CRS to transform.
write_geojson("zones_stop_population.geojson", [zone("A", 10, poly), zone("B", -1, poly)])
write_geojson("zones_stop_point.geojson",
              [zone("A", 10, poly), zone("B", 1, {"type": "Point", "coordinates": [5, 45]})])
write_geojson("zones_stop_projected.geojson", [zone("A", 10, {
    "type": "Polygon", "coordinates": [square(850000.0, 6500000.0, 1000.0)]})])
write_geojson("zones_crs_2154.geojson", [zone("A", 10, {
    "type": "Polygon", "coordinates": [square(850000.0, 6500000.0, 1000.0)]})],
    {"crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::2154"}}})

# Sites: every kind of line the CSV readers meet.
write("sites_mixed.csv", (
    "\ufeffid,nom,type_service,lon,lat\r\n"
    "s1,\"Mairie, annexe\",mairie,5.1,45.1\r\n"
    "s2,\"Nom sur\ndeux lignes\",poste,+5.2,45.2\r\n"
    "s3,\"Guillemet \"\"dit\"\"\",mairie, 5.3 , 45.3 \r\n"
    ",Sans id,mairie,5.4,45.4\r\n"
    "s4,Vide,mairie,,\r\n"
    "s1,Doublon,mairie,5.5,45.5\r\n"
    "s5,Inverse,mairie,45.6,5.6\r\n"
    "s6,Hors,mairie,200,95\r\n"
    "s7,Nan,mairie,nan,inf\r\n"
    "s8,Grand,mairie,1e400,45\r\n"
    "s9,Court,mairie,5.9\r\n"
    "s10,Long,mairie,5.1,45.1,extra\r\n"
).encode("utf-8") + b"s11,Cr\xe9teil cp1252,mairie,2.45,48.79\n")
write("sites_semicolon_comma.csv",
      "id;nom;longitude;latitude\ns1;Virgule;5,1;45,1\ns2;Point;5.2;45.2\n".encode("utf-8"))
write("sites_tab_xy.csv", "id\tname\ttype\tx\ty\ns1\tTab\tposte\t5.1\t45.1\n".encode("utf-8"))
write("sites_wkt.csv",
      'id,WKT,lon,lat\ns1,"POINT (5.1 45.1)",5.1,45.1\n'.encode("utf-8"))
write("sites_unterminated_quote.csv", b'id,lon,lat\ns1,"5.1,45.1\n')

# Config files (--config) of every command, every kind of value.
write("config_analyse.conf", """\
# SYNTHETIC seed of the fuzz harness fuzz_config (tests/fuzz): an analyse run, every kind of value.
sites = ../cli/sites_small.csv
sites-crs = EPSG:4326
site-id = id
site-name = nom
site-type = type_service
site-filter = type_service = 'mairie'
zones = ../cli/zones_small.geojson
zones-crs = EPSG:4326
zone-id = code
zone-name = nom
population = population
group-by = none
threshold-km = 12.5
grid-m = 500
format = geojson
out = out-small
strict = true
threads = 1
quiet = true
log-format = text
qgis-project = true
pg-schema = maillage
run-id = 2026-Q1
""".encode("utf-8"))
write("config_nearest.conf", """\
# SYNTHETIC seed of the fuzz harness fuzz_config (tests/fuzz): a nearest run.
sites = ../cli/sites_small.csv
points = /tmp/points.csv
points-crs = EPSG:2154
out = nearest.csv
k = 3
max-km = 40
no-progress = true
""".encode("utf-8"))
write("config_info.conf", """\
# SYNTHETIC seed of the fuzz harness fuzz_config (tests/fuzz): info on a layer.
path = ../cli/zones_small.geojson
population = population
json = true
""".encode("utf-8"))
write("config_report.conf", """\
# SYNTHETIC seed of the fuzz harness fuzz_config (tests/fuzz): a report of a run folder.
run = out-small
out = report-small
previous = out-previous
lang = en
progress = false
""".encode("utf-8"))

write("config_access.conf", """\
# SYNTHETIC seed of the fuzz harness fuzz_config (tests/fuzz): an access run, both decays.
sites = ../cli/sites_small.csv
zones = ../cli/zones_small.geojson
capacity = active
decay = bands
bands = 0-10:1,10-20:0.68,20-30:0.22
below = 0.5
grid-m = 500
format = gpkg
out = out-access
""".encode("utf-8"))
write("config_whatif.conf", """\
# SYNTHETIC seed of the fuzz harness fuzz_config (tests/fuzz): a what-if run.
sites = ../cli/sites_small.csv
zones = ../cli/zones_small.geojson
close = a1,b1
open = 5.1,45.2,Nouveau site
verify = true
threshold-km = 20
out = out-whatif
""".encode("utf-8"))
write("config_suggest.conf", """\
# SYNTHETIC seed of the fuzz harness fuzz_config (tests/fuzz): a suggest run.
sites = ../cli/sites_small.csv
zones = ../cli/zones_small.geojson
add = 3
objective = mean-distance
candidate-grid-m = 5000
threshold-km = 15
out = out-suggest
""".encode("utf-8"))

# Regression inputs: the inputs behind fixed findings, kept as seeds and read by
# tests/unit/io/test_fuzz_regressions.cpp (see docs/fuzzing.md).
# A zone without geometry whose population does not fit in an integer: its skip message converted
# the population to long long (undefined behaviour, UBSan float-cast-overflow).
write_geojson("regression_zone_no_geometry_huge_population.geojson", [
    zone("A", 1200, poly),
    zone("B", 1e300, None),
    zone("C", 70.5, None),
])
