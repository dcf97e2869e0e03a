"""The corpus of bad inputs (tests/data/bad/cases.json): every case gives its exact outcome.

For each case of the manifest, maillage runs from tests/data/bad/ with the case's arguments, and:
- the exit code is the one stated (2 usage, 1 data or runtime, 0 a warning with a defined outcome);
- stderr names the file, the line or feature, the offending value and what to do (the manifest's
  `file`, `where`, `value` and `hint` texts; a null one must give its reason in `na`);
- a failing run leaves its output folder exactly as it was: the folder is filled beforehand with
  the files of a previous good run and a sentinel file, and its listing and bytes are compared;
- a run that succeeds with warnings has the stated summary.json figures and output ids.

The expected texts and figures come from the hand-made inputs (tests/data/bad/make_bad.py says
which line or feature of which file is broken, and the populations are the hand-chosen ones), not
from maillage's output.
"""

import json
import os
import pwd
import shutil
import stat
import subprocess
import sys
import unittest

import helpers as h

CORPUS = h.REPO / "tests" / "data" / "bad"
MANIFEST = CORPUS / "cases.json"
NOT_INPUTS = {"cases.json", "make_bad.py", "README.md"}
COMMANDS = {"analyse", "nearest", "info", "report"}
FIELDS = ("file", "where", "value", "hint")

with open(MANIFEST, encoding="utf-8") as f:
    CASES = json.load(f)["cases"]


def texts(value):
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def dotted(doc, path):
    """doc["a"]["b"][0] for "a.b.0"."""
    for key in path.split("."):
        doc = doc[int(key)] if isinstance(doc, list) else doc[key]
    return doc


def layer_ids(path, field):
    return [f["properties"][field] for f in h.load_json(path)["features"]]


class TestBadInputs(h.CliTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The outputs of a previous good run, copied into the output folder of every failing case.
        cls.reference = h.make_tempdir(cls) / "previous-run"
        r = h.run("analyse", "--zones", "../cli/zones_small.geojson", "--sites", "../cli/sites_small.csv",
                  "--grid-m", 500, "--out", cls.reference, "--no-progress", cwd=CORPUS)
        if r.returncode != 0:
            raise AssertionError(f"the good run failed\n{r}")

    def check_case(self, case):
        tmp = h.make_tempdir(self)
        out = tmp / "out"
        failing = case["exit"] != 0
        if failing:
            shutil.copytree(self.reference, out)
            (out / "sentinel.txt").write_text("previous results\n", encoding="utf-8")
        prefix, user = [], pwd.getpwuid(os.geteuid()).pw_name
        if case.get("read_only_out"):
            prefix, user = self.read_only(tmp, out)

        def fill(text):
            return text.replace("{out}", str(out)).replace("{user}", user)

        args = [fill(a) for a in case["args"]]
        if args and args[0] == "analyse":
            # Right after the command, so that a case may end with an option missing its value.
            added = ["--no-progress"]
            if not any("{out}" in a for a in case["args"]):
                added = ["--out", str(out)] + added
            args[1:1] = added

        before = h.snapshot(tmp)
        p = subprocess.run(prefix + [h.BIN] + args, cwd=CORPUS, capture_output=True, text=True,
                           timeout=120)
        r = h.Result(prefix + [h.BIN] + args, p.returncode, p.stdout, p.stderr)
        if case.get("read_only_out") and not prefix:
            os.chmod(out, 0o755)

        self.assertEqual(r.returncode, case["exit"], f"wrong exit code\n{r}")
        self.assertEqual(r.stdout, "", f"stdout must stay empty\n{r}")
        self.assertNotIn("internal error", r.stderr, r)
        command = args[0] if args and args[0] in COMMANDS else None
        if case["exit"] == 1:
            self.assertIn(f"maillage {command}: error: ", r.stderr, r)
        if case["exit"] == 2 and command:
            self.assertIn(f"(see 'maillage {command} --help')", r.stderr, r)
        for field in FIELDS:
            for text in texts(case[field]):
                self.assertIn(fill(text), r.stderr, f"the message lacks the {field} {text!r}\n{r}")
        for text in case.get("also", []):
            self.assertIn(fill(text), r.stderr, f"the message lacks {text!r}\n{r}")
        for pattern in case.get("regex", []):
            self.assertRegex(r.stderr, pattern, r)
        for text in case.get("absent", []):
            self.assertNotIn(text, r.stderr, r)
        if case.get("no_warning"):
            self.assertNotIn("warning", r.stderr, r)

        if failing:
            self.assertEqual(h.snapshot(tmp), before, f"a failing run changed the output folder\n{r}")
            return
        self.assertEqual([p.name for p in out.iterdir() if p.name.startswith(".maillage-staging")], [])
        summary = h.load_json(out / "summary.json")
        for path, expected in case.get("summary", {}).items():
            self.assertEqual(dotted(summary, path), expected, f"summary.json {path}\n{r}")
        for path, wanted in case.get("summary_contains", {}).items():
            for text in wanted:
                self.assertIn(text, dotted(summary, path), f"summary.json {path}\n{r}")
        if "site_ids" in case:
            self.assertCountEqual(layer_ids(out / "sites.geojson", "site_id"), case["site_ids"])
        if "zone_ids" in case:
            self.assertCountEqual(layer_ids(out / "zones.geojson", "zone_id"), case["zone_ids"])
        if "site_names" in case:
            names = {f["properties"]["site_id"]: f["properties"]["name"]
                     for f in h.load_json(out / "sites.geojson")["features"]}
            for sid, name in case["site_names"].items():
                self.assertEqual(names[sid], name)

    def read_only(self, tmp, out):
        """Makes OUT unwritable for the run: chmod for a normal user; as root, whom chmod does not
        stop, the run is made as the user nobody (setpriv) on a folder that root owns."""
        if os.geteuid() != 0:
            os.chmod(out, 0o555)
            if os.access(out, os.W_OK):
                os.chmod(out, 0o755)
                self.skipTest("this user can write into a folder of mode 555 (capabilities?)")
            return [], pwd.getpwuid(os.geteuid()).pw_name
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            self.skipTest("running as root without setpriv: no honest way to make a folder unwritable")
        nobody = pwd.getpwnam("nobody")
        prefix = [setpriv, f"--reuid={nobody.pw_uid}", f"--regid={nobody.pw_gid}", "--clear-groups"]
        probe = subprocess.run(prefix + [h.BIN, "--version"], cwd=CORPUS, capture_output=True, text=True)
        if probe.returncode != 0:
            self.skipTest(f"the user nobody cannot run {h.BIN} from {CORPUS}: {probe.stderr.strip()}")
        # nobody must reach the folder (mkdtemp makes it 700) but not write into it.
        os.chmod(tmp, 0o755)
        for p in [out, *out.rglob("*")]:
            os.chmod(p, 0o755 if p.is_dir() else 0o644)
        self.assertFalse(stat.S_IMODE(out.stat().st_mode) & stat.S_IWOTH)
        return prefix, "nobody"


def _make_test(case):
    def test(self):
        self.check_case(case)
    test.__doc__ = f"{case['name']}: {case['about']}"
    return test


for _case in CASES:
    setattr(TestBadInputs, f"test_{_case['name']}", _make_test(_case))


class TestManifest(unittest.TestCase):
    """The manifest itself: complete, and every committed input is used and regenerated."""

    def test_every_case_states_file_where_value_and_hint(self):
        self.assertGreaterEqual(len(CASES), 40)
        names = [c["name"] for c in CASES]
        self.assertEqual(len(names), len(set(names)), "duplicate case names")
        for c in CASES:
            with self.subTest(case=c["name"]):
                self.assertIn(c["exit"], (0, 1, 2))
                self.assertTrue(c.get("about"))
                for field in FIELDS:
                    self.assertIn(field, c)
                    if c[field] is None:
                        self.assertTrue(c.get("na", {}).get(field),
                                        f"{field} is null without a reason in na")
                    else:
                        self.assertTrue(texts(c[field]), f"{field} is empty")
                if c["exit"] != 0:
                    self.assertIsNotNone(c["value"], "a failing case must name the value")
                    self.assertIsNotNone(c["hint"], "a failing case must say what to do")

    def test_every_input_is_used_by_a_case(self):
        used = {a for c in CASES for a in c["args"]}
        for p in sorted(CORPUS.iterdir()):
            if p.name not in NOT_INPUTS:
                self.assertIn(p.name, used, f"{p.name} is used by no case")

    def test_inputs_are_those_of_the_generator(self):
        tmp = h.make_tempdir(self)
        subprocess.run([sys.executable, str(CORPUS / "make_bad.py"), "--out", str(tmp)], check=True)
        made = {p.name: p.read_bytes() for p in tmp.iterdir()}
        committed = {p.name: p.read_bytes() for p in CORPUS.iterdir() if p.name not in NOT_INPUTS}
        self.assertEqual(sorted(made), sorted(committed))
        for name in made:
            self.assertEqual(made[name], committed[name], f"{name} differs from make_bad.py's")


if __name__ == "__main__":
    unittest.main()
