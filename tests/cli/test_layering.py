"""The modules include each other one way only (docs/architecture.md): scripts/include_graph.py reads
every #include of include/maillage/ and src/ and checks them against the layering rule, and that no
public header includes a GDAL, OGR or GEOS C header without a reason recorded there.

The rule is the independent reference here: it is written in the script from the architecture
document, not derived from the code.
"""
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

import helpers as h


class TestLayering(unittest.TestCase):
    def test_includes_follow_the_layers(self):
        r = subprocess.run([sys.executable, str(h.REPO / "scripts" / "include_graph.py"), "--check"],
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, "modules include upwards:\n" + r.stderr)

    def test_the_check_catches_an_upward_include(self):
        # The checker itself: analysis including io is refused.
        sys.path.insert(0, str(h.REPO / "scripts"))
        import include_graph as g
        edges = {"analysis": {"io": ["src/analysis/x.cpp"]}, "cli": {"report": ["src/cli/y.cpp"]}}
        bad = g.violations(edges, [("include/maillage/model/zone.hpp", "geos_c.h")])
        self.assertEqual(len(bad), 2)
        self.assertIn("analysis -> io", bad[0])
        self.assertIn("model/zone.hpp", bad[1])

    def test_the_check_sees_includes_that_escape_it(self):
        # A tree made here, with one include of each kind that the graph would not show.
        sys.path.insert(0, str(h.REPO / "scripts"))
        import include_graph as g
        files = {
            "src/travel/road.cpp": '#include "maillage/core/error.hpp"\n',  # a module unknown
            "src/loose.cpp": "int x;\n",  # no module folder
            "src/analysis/a.cpp": "#include <maillage/report/r.hpp>\n",  # angle brackets
            "src/report/b.cpp": '#include "../analysis/internal.hpp"\n',  # a relative path
            "src/output/c.cpp": '#include "maillage/core/error.hpp"\n',  # allowed
        }
        saved = g.REPO
        with tempfile.TemporaryDirectory() as tmp:
            for rel, text in files.items():
                (Path(tmp) / rel).parent.mkdir(parents=True, exist_ok=True)
                (Path(tmp) / rel).write_text(text, encoding="utf-8")
            (Path(tmp) / "include" / "maillage").mkdir(parents=True)
            try:
                g.REPO = Path(tmp)
                edges, library, problems = g.graph()
                bad = g.violations(edges, library, problems)
            finally:
                g.REPO = saved
        self.assertEqual(len(bad), 5, "\n".join(bad))
        for part in ("src/loose.cpp", "module travel", "<maillage/report/r.hpp>",
                     "../analysis/internal.hpp", "travel -> core"):
            self.assertTrue(any(part in line for line in bad), part)


if __name__ == "__main__":
    unittest.main()
