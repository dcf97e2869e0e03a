#!/usr/bin/env python3
"""Writes the broken inputs of the bad-input corpus (tests/data/bad/, manifest cases.json).

SYNTHETIC data: every value is chosen by hand here, around the three ~10 km test squares of
tests/data/cli (zones_small.geojson: Z1 lon 5.00-5.13, Z2 5.13-5.26, Z3 5.26-5.39, lat
45.00-45.09). Each file breaks one thing; what is broken, and the line or feature where, is
written beside it. Run with Debian's python3 from anywhere:
    /usr/bin/python3 tests/data/bad/make_bad.py [--out DIR]
The inputs are committed; this script documents and regenerates them (tests/cli/test_bad_inputs.py
regenerates them into a temporary folder and checks that they equal the committed files).
"""

import argparse
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent

LAT0, LAT1 = 45.00, 45.09
ZONES = [  # code, nom, population, lon0, lon1
    ("Z1", "Zone A", 12000, 5.00, 5.13),
    ("Z2", "Zone B", 25000, 5.13, 5.26),
    ("Z3", "Zone C", 4000, 5.26, 5.39),
]
# id, nom, lon, lat: one site inside each square.
SITES = [("a1", "Site A", 5.065, 45.045), ("b1", "Site B", 5.20, 45.06), ("c1", "Site C", 5.33, 45.03)]


def square(lon0, lat0, lon1, lat1):
    """Counter-clockwise lon/lat rectangle."""
    return [[lon0, lat0], [lon1, lat0], [lon1, lat1], [lon0, lat1], [lon0, lat0]]


def write_bytes(name, data):
    (HERE / name).write_bytes(data)


def write_text(name, text, encoding="utf-8"):
    write_bytes(name, text.encode(encoding))


def csv_text(header, rows, sep=","):
    lines = [sep.join(header)] + [sep.join(str(v) for v in r) for r in rows]
    return "\n".join(lines) + "\n"


def write_geojson(name, features):
    body = ",\n".join(json.dumps(f, ensure_ascii=False) for f in features)
    write_text(name, '{"type": "FeatureCollection", "features": [\n' + body + "\n]}\n")


def zone_feature(code, nom, population, geometry, **extra):
    props = {"code": code, "nom": nom, "population": population, **extra}
    return {"type": "Feature", "properties": props, "geometry": geometry}


def polygon(lon0, lon1):
    return {"type": "Polygon", "coordinates": [square(lon0, LAT0, lon1, LAT1)]}


def zones_with(name, change):
    """The three squares; CHANGE(code, feature) may alter the feature of one zone."""
    feats = []
    for code, nom, pop, l0, l1 in ZONES:
        f = zone_feature(code, nom, pop, polygon(l0, l1))
        change(code, f)
        feats.append(f)
    write_geojson(name, feats)


def sites():
    header = ["id", "nom", "lon", "lat"]
    rows = [list(s) for s in SITES]

    write_text("sites_empty.csv", "")                        # 0 bytes
    write_text("sites_header_only.csv", "id,nom,lon,lat\n")  # a header, no row
    # Header separated by spaces, rows by commas.
    write_text("sites_space_header.csv", "id lon lat\ns1,5.065,45.045\ns2,5.20,45.06\n")
    # Pipes, a separator GDAL does not detect: the header reads as one column.
    write_text("sites_pipe.csv", csv_text(header, rows, sep="|"))
    # UTF-8 with a byte-order mark (Excel "CSV UTF-8"): must read as if it had none.
    write_bytes("sites_bom.csv", b"\xef\xbb\xbf" + csv_text(header, rows).encode("utf-8"))
    # Latin-1 accents in the names (an old spreadsheet export).
    latin = [["a1", "Lycée de la Côte", 5.065, 45.045], ["b1", "Mairie annexe", 5.20, 45.06],
             ["c1", "Maison France services Saint-Étienne", 5.33, 45.03]]
    write_text("sites_latin1.csv", csv_text(header, latin), encoding="latin-1")
    # Every site with its longitude and latitude exchanged (lon 45, lat 5: the Indian Ocean).
    write_text("sites_swapped_all.csv", csv_text(header, [[i, n, la, lo] for i, n, lo, la in SITES]))
    # Only c1 (line 4) swapped.
    one = rows[:2] + [["c1", "Site C", 45.03, 5.33]]
    write_text("sites_swapped_one.csv", csv_text(header, one))
    # Line 4: latitude 95, beyond the pole.
    write_text("sites_out_of_range.csv", csv_text(header, rows[:2] + [["c1", "Site C", 5.33, 95.0]]))
    # Line 3: longitude NaN; line 4: empty longitude and latitude.
    nan = [rows[0], ["b1", "Site B", "NaN", 45.06], ["c1", "Site C", "", ""]]
    write_text("sites_nan_empty.csv", csv_text(header, nan))
    # s3 (line 4) without coordinates; the other three are usable.
    write_text("sites_missing_coords.csv", csv_text(header, [
        ["s1", "Site un", 5.065, 45.045], ["s2", "Site deux", 5.20, 45.06],
        ["s3", "Site trois sans coordonnees", "", ""], ["s4", "Site quatre", 5.33, 45.03]]))
    # Line 3: latitude in degrees and minutes, as text.
    dms = [rows[0], ["b1", "Site B", 5.20, "45°03.6'N"], rows[2]]
    write_text("sites_text_coords.csv", csv_text(header, dms))
    # Line 3: a seconds mark written as a double quote in an unquoted value: GDAL would take it
    # as the start of a quoted value and swallow line 4.
    quote = [rows[0], ["b1", "Site B", 5.20, '45°03\'36"N'], rows[2]]
    write_text("sites_stray_quote.csv", csv_text(header, quote))
    # Every row without usable coordinates.
    write_text("sites_all_bad_coords.csv", csv_text(header, [
        ["a1", "Site A", "", ""], ["b1", "Site B", "abc", "def"]]))
    # Line 4 repeats the id a1 of line 2.
    write_text("sites_duplicate_ids.csv", csv_text(header, rows[:2] + [["a1", "Site A bis", 5.33, 45.03]]))
    # Line 4: a site in Paris, 400 km from the study area.
    write_text("sites_far.csv", csv_text(header, rows[:2] + [["p1", "Site Paris", 2.3522, 48.8566]]))
    # No id column.
    write_text("sites_no_id.csv", csv_text(["nom", "lon", "lat"], [r[1:] for r in rows]))
    # Line 3: empty id.
    write_text("sites_empty_id.csv", csv_text(header, [rows[0], ["", "Site B", 5.20, 45.06], rows[2]]))
    # No coordinate columns at all.
    write_text("sites_no_lonlat.csv", csv_text(["id", "nom", "adresse"], [
        ["s1", "Site un", "1 rue A"], ["s2", "Site deux", "2 rue B"]]))
    # Decimal commas in a comma-separated file, unquoted: the row has more fields than the header.
    write_text("sites_decimal_comma.csv", "id,nom,lon,lat\na1,Site A,5,065,45,045\nb1,Site B,5,2,45,06\n")
    # GeoJSON sites; feature 1 (b1) has a null geometry.
    feats = [{"type": "Feature", "properties": {"id": i, "nom": n},
              "geometry": None if i == "b1" else {"type": "Point", "coordinates": [lo, la]}}
             for i, n, lo, la in SITES]
    write_geojson("sites_null_geometry.geojson", feats)
    # GeoJSON sites given as polygons (the zone squares).
    feats = [{"type": "Feature", "properties": {"id": c.lower(), "nom": n}, "geometry": polygon(l0, l1)}
             for c, n, _, l0, l1 in ZONES]
    write_geojson("sites_polygons.geojson", feats)


def zones():
    write_text("zones_empty.geojson", "")  # 0 bytes
    write_text("zones_no_features.geojson", '{"type": "FeatureCollection", "features": []}\n')
    # The first 60 % of a valid file.
    feats = [zone_feature(c, n, p, polygon(l0, l1)) for c, n, p, l0, l1 in ZONES]
    full = '{"type": "FeatureCollection", "features": [\n' + ",\n".join(json.dumps(f) for f in feats) + "\n]}\n"
    write_text("zones_truncated.geojson", full[: len(full) * 6 // 10])
    write_text("not_a_geopackage.gpkg", "This is a text file, not a GeoPackage.\n")
    # 64 bytes of a PNG header and zeros, named .geojson.
    write_bytes("zones_binary.geojson", b"\x89PNG\r\n\x1a\n" + bytes(56))

    write_geojson("zones_no_population.geojson", [
        {"type": "Feature", "properties": {"code": c, "nom": n, "habitants": p}, "geometry": polygon(l0, l1)}
        for c, n, p, l0, l1 in ZONES])
    write_geojson("zones_no_code.geojson", [
        {"type": "Feature", "properties": {"insee": c, "nom": n, "population": p}, "geometry": polygon(l0, l1)}
        for c, n, p, l0, l1 in ZONES])

    def set_pop(value):
        def change(code, f):
            if code == "Z2":
                f["properties"]["population"] = value
        return change

    zones_with("zones_negative_population.geojson", set_pop(-5))       # feature 1 (Z2): -5
    zones_with("zones_null_population.geojson", set_pop(None))         # feature 1 (Z2): null
    zones_with("zones_text_population.geojson", set_pop("25 000"))     # feature 1 (Z2): "25 000"

    def null_geometry(code, f):
        if code == "Z2":
            f["geometry"] = None
    zones_with("zones_null_geometry.geojson", null_geometry)  # feature 1 (Z2)

    def bowtie(code, f):
        # Z2 drawn as a bow-tie: the ring crosses itself at (5.195, 45.045).
        if code == "Z2":
            f["geometry"] = {"type": "Polygon", "coordinates": [[
                [5.13, LAT0], [5.26, LAT1], [5.26, LAT0], [5.13, LAT1], [5.13, LAT0]]]}
    zones_with("zones_bowtie.geojson", bowtie)

    def hole(code, f):
        # Z2 with a 0.03 x 0.03 degree hole (site b1 at 5.20, 45.06 stays outside it) (clockwise inner ring): a valid polygon.
        if code == "Z2":
            inner = list(reversed(square(5.15, 45.02, 5.18, 45.05)))
            f["geometry"]["coordinates"].append(inner)
    zones_with("zones_hole.geojson", hole)

    write_geojson("zones_points.geojson", [
        zone_feature(c, n, p, {"type": "Point", "coordinates": [(l0 + l1) / 2, 45.045]})
        for c, n, p, l0, l1 in ZONES])
    write_geojson("zones_lines.geojson", [
        zone_feature(c, n, p, {"type": "LineString", "coordinates": [[l0, LAT0], [l1, LAT1]]})
        for c, n, p, l0, l1 in ZONES])
    # Zones with their longitude and latitude exchanged.
    write_geojson("zones_swapped.geojson", [
        zone_feature(c, n, p, {"type": "Polygon", "coordinates": [[[y, x] for x, y in square(l0, LAT0, l1, LAT1)][::-1]]})
        for c, n, p, l0, l1 in ZONES])
    # A CSV of zones with WKT; line 3 (Z2) has a truncated WKT polygon.
    lines = ["code,nom,population,wkt"]
    for c, n, p, l0, l1 in ZONES:
        wkt = "POLYGON ((" + ", ".join(f"{x} {y}" for x, y in square(l0, LAT0, l1, LAT1)) + "))"
        if c == "Z2":
            wkt = wkt[:30]
        lines.append(f'{c},{n},{p},"{wkt}"')
    write_text("zones_bad_wkt.csv", "\n".join(lines) + "\n")


def options():
    # A config file with a key that is not an option.
    write_text("bad_key.ini", "threshold-km = 15\nthreshold = 15\n")


def main():
    global HERE
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="folder to write into")
    HERE = parser.parse_args().out
    HERE.mkdir(parents=True, exist_ok=True)
    sites()
    zones()
    options()


if __name__ == "__main__":
    main()
