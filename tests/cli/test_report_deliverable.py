"""maillage report as a deliverable (issue 13): a title that says the region, the day and the
threshold; departments by name; networks in words and in colour-blind-safe colours; sources,
vintages, licences and limits in the footer, after every section; A4 print and --pdf.

The expected values come from the data themselves (the shipped region and departments files,
run.json, the sites' CSV, geodata/SOURCES.md) and from poppler's pdfinfo/pdftotext for the PDF."""
import csv
import html
import json
import os
import re
import shutil
import subprocess
import unittest

import helpers as h

DEPARTMENTS = h.GEODATA / "departements-aura-adminexpress-2018.geojson"
REGION = h.GEODATA / "region-aura-adminexpress-2018.geojson"
# Okabe & Ito (2008), "Color Universal Design": the 8 colours of the colour-blind-safe palette.
OKABE_ITO = {"#e69f00", "#56b4e9", "#009e73", "#f0e442", "#0072b2", "#d55e00", "#cc79a7",
             "#000000"}
MONTHS_FR = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
             "octobre", "novembre", "décembre"]
THRESHOLD_KM = 15  # not the default 20: the headings must say the run's own threshold


def headings(page):
    """The texts of the page's h1, h2 and h3, unescaped."""
    return [html.unescape(re.sub(r"<[^>]+>", "", m)).strip()
            for m in re.findall(r"<h[123][^>]*>(.*?)</h[123]>", page, re.S)]


def group_cells(page):
    """{code: text} of the first cells of the groups' table."""
    table = page.split('<table id="groups-table">')[1].split("</table>")[0]
    return {html.unescape(code): html.unescape(text)
            for code, text in re.findall(r'<td data-code="([^"]*)">([^<]*)</td>', table)}


class TestReportDeliverable(h.CliTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        tmp = cls.tmp = h.make_tempdir(cls)
        r = h.run("analyse", "--grid-m", 1000, "--threshold-km", THRESHOLD_KM, "--by-type",
                  "--catchments", "--out", tmp / "run", "--no-progress")
        if r.returncode != 0:
            raise AssertionError(f"analyse failed\n{r}")
        for lang in ("fr", "en"):
            r = h.run("report", "--run", tmp / "run", "--out", tmp / lang, "--lang", lang)
            if r.returncode != 0:
                raise AssertionError(f"report failed\n{r}")
        cls.fr = (tmp / "fr" / "index.html").read_text(encoding="utf-8")
        cls.en = (tmp / "en" / "index.html").read_text(encoding="utf-8")
        cls.record = json.loads((tmp / "run" / "run.json").read_text(encoding="utf-8"))

    def test_every_id_is_unique(self):
        """The maps are inlined in the page: their ids and the tables' ids must not collide
        (an anchor or a script would find the wrong element)."""
        for page in (self.fr, self.en):
            ids = re.findall(r'\sid="([^"]+)"', page)
            self.assertEqual(sorted({i for i in ids if ids.count(i) > 1}), [])

    # 1. The title.
    def test_title_says_region_day_and_threshold(self):
        region = json.loads(REGION.read_text(encoding="utf-8"))["properties"]["nom"]
        self.assertEqual(region, "Auvergne-Rhône-Alpes")
        year, month, day = (int(x) for x in self.record["started_utc"][:10].split("-"))
        fr_day = f"{day}{'er' if day == 1 else ''} {MONTHS_FR[month - 1]} {year}"
        title = headings(self.fr)[0]
        self.assertIn(region, title)
        self.assertIn(fr_day, title)
        self.assertIn(f"seuil {THRESHOLD_KM} km", title)
        self.assertIn(f"<title>{html.escape(title, quote=False)}", self.fr.replace("&apos;", "'"))
        en_title = headings(self.en)[0]
        self.assertIn(region, en_title)
        self.assertIn(f"threshold {THRESHOLD_KM} km", en_title)

    def test_every_threshold_heading_says_its_value(self):
        for page, words in ((self.fr, ("Population au-delà", "Part au-delà", "à plus de")),
                            (self.en, ("beyond",))):
            ths = [html.unescape(t) for t in re.findall(r"<th>([^<]*)</th>", page)]
            labels = [html.unescape(t) for t in
                      re.findall(r'<div class="figure" data-key="[^"]*"><b>[^<]*</b>([^<]*)</div>',
                                 page)]
            about_threshold = [t for t in ths + labels if any(w in t for w in words)]
            self.assertGreater(len(about_threshold), 2)
            for text in about_threshold:
                self.assertIn(f"{THRESHOLD_KM} km", text)
            self.assertNotIn("du seuil", " ".join(about_threshold))
        self.assertIn(f"Population au-delà de {THRESHOLD_KM} km", self.fr)

    def test_title_from_option_and_config(self):
        tmp = h.make_tempdir(self)
        h.run_ok(self, "report", "--run", self.tmp / "run", "--out", tmp / "a", "--title",
                 "Maillage <SPRO> 2026")
        page = (tmp / "a" / "index.html").read_text(encoding="utf-8")
        self.assertEqual(headings(page)[0], "Maillage <SPRO> 2026")
        self.assertIn("<h1>Maillage &lt;SPRO&gt; 2026</h1>", page)
        config = tmp / "report.ini"
        config.write_text("title = Rapport trimestriel\n", encoding="utf-8")
        h.run_ok(self, "report", "--run", self.tmp / "run", "--out", tmp / "b", "--config", config)
        page = (tmp / "b" / "index.html").read_text(encoding="utf-8")
        self.assertEqual(headings(page)[0], "Rapport trimestriel")

    # 2. Departments by name.
    def test_departments_by_name_from_the_shipped_file(self):
        names = {f["properties"]["code"]: f["properties"]["nom"]
                 for f in json.loads(DEPARTMENTS.read_text(encoding="utf-8"))["features"]}
        self.assertEqual(names["38"], "Isère")  # geodata/SOURCES.md: department 38
        cells = group_cells(self.fr)
        self.assertEqual(sorted(cells), h.AURA_DEPARTMENTS)
        for code, text in cells.items():
            self.assertEqual(text, names[code])
        self.assertIn("<th>Département</th>", self.fr)
        self.assertIn("<th>Department</th>", self.en)
        self.assertNotIn("<th>Groupe</th>", self.fr)
        md = (self.tmp / "fr" / "report.md").read_text(encoding="utf-8")
        self.assertIn("| Isère |", md)

    def test_group_names_table_and_unknown_codes(self):
        tmp = h.make_tempdir(self)
        table = tmp / "noms.csv"
        table.write_text("code,nom\n38,Isère (38)\n73,Savoie (73)\n", encoding="utf-8")
        h.run_ok(self, "report", "--run", self.tmp / "run", "--out", tmp / "r", "--group-names",
                 table)
        cells = group_cells((tmp / "r" / "index.html").read_text(encoding="utf-8"))
        self.assertEqual(cells["38"], "Isère (38)")
        self.assertEqual(cells["73"], "Savoie (73)")
        self.assertEqual(cells["01"], "01")  # a code the table does not know stays a code
        r = h.run("report", "--run", self.tmp / "run", "--out", tmp / "x", "--group-names",
                  tmp / "missing.csv")
        self.assertEqual(r.returncode, 1, r)
        self.assertIn("missing.csv", r.stderr)

    def test_no_group_section_without_a_group_field(self):
        tmp = h.make_tempdir(self)
        zones = json.loads((h.DATA / "zones_small.geojson").read_text(encoding="utf-8"))
        for f in zones["features"]:
            f["properties"] = {k: v for k, v in f["properties"].items()
                               if k in ("code", "nom", "population")}
        (tmp / "zones.geojson").write_text(json.dumps(zones), encoding="utf-8")
        h.run_ok(self, "analyse", "--zones", tmp / "zones.geojson", "--sites",
                 h.DATA / "sites_small.csv", "--grid-m", 500, "--out", tmp / "run",
                 "--no-progress")
        h.run_ok(self, "report", "--run", tmp / "run", "--out", tmp / "r")
        page = (tmp / "r" / "index.html").read_text(encoding="utf-8")
        self.assertNotIn("Par département", page)
        self.assertNotIn('<table id="groups-table">', page)
        md = (tmp / "r" / "report.md").read_text(encoding="utf-8")
        self.assertNotIn("Par département", md)
        self.assertNotIn("|  |", md)

    # 3. Networks in words and colours.
    def by_type_rows(self, page):
        table = page.split('<table id="by-type">')[1].split("</table>")[0]
        rows = re.findall(r'<tr><td data-code="([^"]*)"><span class="swatch (\w+)" '
                          r'style="background:(#[0-9a-fA-F]{6})"></span>([^<]*)</td>', table)
        return [(code, (colour, shape), text) for code, shape, colour, text in rows]

    def test_networks_in_words_and_colour_blind_colours(self):
        labels = {}
        counts = {}
        with open(h.STRUCTURES_CSV, encoding="utf-8") as f:
            for row in csv.DictReader(f):
                if row["spro_core"] == "1":
                    labels.setdefault(row["type_service"], row["type_label"])
                    counts[row["type_service"]] = counts.get(row["type_service"], 0) + 1
        rows_fr = self.by_type_rows(self.fr)
        self.assertEqual(sorted(code for code, _, _ in rows_fr), sorted(labels))
        # The data's own label; where it is only a known label without its accents and
        # apostrophes (the DILA file's "Pole emploi", "d industrie"), that label as written.
        restored = {"pole_emploi": "Pôle emploi (France Travail)",
                    "cci": "Chambre de commerce et d'industrie",
                    "chambre_metier": "Chambre de métiers et de l'artisanat"}
        for code, _, text in rows_fr:
            self.assertEqual(html.unescape(text), restored.get(code, labels[code]))
        rows_en = self.by_type_rows(self.en)
        english = {code: html.unescape(text) for code, _, text in rows_en}
        self.assertEqual(sorted(english), sorted(labels))
        for code, text in english.items():
            self.assertNotEqual(text, code)
            self.assertNotIn("_", text)
        # In English, not the data's French words.
        self.assertNotEqual(english["chambre_agriculture"], labels["chambre_agriculture"])
        self.assertNotIn("Chambre", english["chambre_agriculture"])
        # Colour-blind-safe colours (Okabe-Ito without black, the outline: 7 colours); the 7
        # largest networks (most sites) get 7 different colours, and every network a different
        # colour and shape.
        colour_of = {code: c[0].lower() for code, c, _ in rows_fr}
        self.assertLessEqual(set(colour_of.values()), OKABE_ITO - {"#000000"})
        largest = sorted(counts, key=lambda c: (-counts[c], c))[:7]
        self.assertEqual(len({colour_of[c] for c in largest}), 7)
        self.assertEqual(len({c for _, c, _ in rows_fr}), len(rows_fr))
        self.assertEqual(summary_labels(self.tmp / "run"), labels)

    def test_older_run_without_type_labels_uses_the_table(self):
        tmp = h.make_tempdir(self)
        shutil.copytree(self.tmp / "run", tmp / "run")
        summary = json.loads((tmp / "run" / "summary.json").read_text(encoding="utf-8"))
        del summary["type_labels"]
        (tmp / "run" / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
        h.run_ok(self, "report", "--run", tmp / "run", "--out", tmp / "r")
        rows = self.by_type_rows((tmp / "r" / "index.html").read_text(encoding="utf-8"))
        for code, _, text in rows:
            self.assertNotEqual(html.unescape(text), code)
            self.assertNotIn("_", text)

    # 4. Footer: sources, vintages, licences, limits, after every section.
    def test_footer_sources_and_limits_after_every_section(self):
        footer = self.fr.split('<footer id="sources">')[1]
        self.assertIn("structures-aura-dila-2017.csv", footer)
        self.assertIn("12 décembre 2017", footer)
        self.assertIn("Licence Ouverte / Open Licence (Etalab) 2.0", footer)
        self.assertIn("communes-aura-cog2026.geojson", footer)
        self.assertIn("millésime 2023", footer)
        limits = self.fr.split('<section class="limits" id="limits">')[1].split("</section>")[0]
        self.assertIn("vol d'oiseau", html.unescape(limits))
        self.assertIn("1 157", html.unescape(limits))
        self.assertIn("répartie uniformément", html.unescape(limits))
        at_limits = self.fr.index('id="limits"')
        for section in ('id="by-type"', 'id="catchments"', 'id="by-group"'):
            self.assertLess(self.fr.index(section), at_limits, section)
        self.assertLess(at_limits, self.fr.index("<footer"))
        self.assertEqual(self.fr.count("<footer"), 1)
        self.assertNotIn("<h2", self.fr.split("</footer>")[1])

    def test_unknown_inputs_are_named_without_a_source(self):
        tmp = h.make_tempdir(self)
        h.run_ok(self, "analyse", "--zones", h.DATA / "zones_small.geojson", "--sites",
                 h.DATA / "sites_small.csv", "--grid-m", 500, "--out", tmp / "run",
                 "--no-progress")
        h.run_ok(self, "report", "--run", tmp / "run", "--out", tmp / "r", "--lang", "en")
        page = html.unescape((tmp / "r" / "index.html").read_text(encoding="utf-8"))
        footer = page.split('<footer id="sources">')[1]
        self.assertIn("sites_small.csv: source, vintage and licence not documented", footer)
        # Not the shipped communes: a neutral title, not the region's name.
        self.assertNotIn("Auvergne", headings(page)[0])
        self.assertIn("Study area", headings(page)[0])


def summary_labels(run):
    return json.loads((run / "summary.json").read_text(encoding="utf-8"))["type_labels"]


@unittest.skipUnless(shutil.which("chromium") and shutil.which("pdfinfo")
                     and shutil.which("pdftotext"), "needs chromium and poppler-utils")
class TestReportPdf(h.CliTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        tmp = cls.tmp = h.make_tempdir(cls)
        r = h.run("analyse", "--grid-m", 1000, "--by-type", "--catchments", "--out", tmp / "run",
                  "--no-progress")
        if r.returncode != 0:
            raise AssertionError(f"analyse failed\n{r}")
        cls.results = {}
        for lang in ("fr", "en"):
            cls.results[lang] = h.run("report", "--run", tmp / "run", "--out", tmp / lang,
                                      "--lang", lang, "--pdf", timeout=600)

    def test_print_css(self):
        page = (self.tmp / "fr" / "index.html").read_text(encoding="utf-8")
        self.assertIn("@page{size:A4", page)
        self.assertRegex(page, r"h1,h2,h3[^{]*\{break-after:avoid")
        self.assertRegex(page, r"figure,svg,table[^{]*\{break-inside:avoid")

    def pages(self, pdf):
        info = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True, check=True).stdout
        return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))

    def test_every_page_is_a4(self):
        for lang in ("fr", "en"):
            self.assertEqual(self.results[lang].returncode, 0, self.results[lang])
            pdf = self.tmp / lang / "report.pdf"
            n = self.pages(pdf)
            self.assertGreater(n, 2)
            info = subprocess.run(["pdfinfo", "-f", "1", "-l", str(n), pdf], capture_output=True,
                                  text=True, check=True).stdout
            sizes = re.findall(r"^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", info, re.M)
            self.assertEqual(len(sizes), n)
            for w, hgt in sizes:
                self.assertAlmostEqual(float(w), 595.28, delta=1.0)
                self.assertAlmostEqual(float(hgt), 841.89, delta=1.0)

    def test_no_page_ends_with_a_heading(self):
        for lang in ("fr", "en"):
            page = (self.tmp / lang / "index.html").read_text(encoding="utf-8")
            heads = [re.sub(r"\s+", " ", t) for t in headings(page)]
            pdf = self.tmp / lang / "report.pdf"
            for i in range(1, self.pages(pdf) + 1):
                text = subprocess.run(["pdftotext", "-layout", "-f", str(i), "-l", str(i), pdf,
                                       "-"], capture_output=True, text=True, check=True).stdout
                lines = [re.sub(r"\s+", " ", l).strip() for l in text.splitlines() if l.strip()]
                if not lines:
                    continue
                last = lines[-1]
                for head in heads:
                    # The heading itself, or the first line of a heading that wraps.
                    self.assertFalse(last == head or (len(last) >= 8 and head.startswith(last)),
                                     f"{lang}: page {i} ends with the heading '{head}'")

    def test_no_browser_exits_1_with_the_html_written(self):
        tmp = h.make_tempdir(self)
        env = dict(os.environ, PATH=str(tmp))  # no chromium, chromium-browser or google-chrome
        p = subprocess.run([h.BIN, "report", "--run", self.tmp / "run", "--out", tmp / "r",
                            "--pdf"], capture_output=True, text=True, env=env, timeout=300)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("chromium", p.stderr)
        self.assertIn("index.html", p.stderr)
        self.assertTrue((tmp / "r" / "index.html").stat().st_size > 1000)
        self.assertFalse((tmp / "r" / "report.pdf").exists())


if __name__ == "__main__":
    unittest.main()
