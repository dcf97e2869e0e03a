"""The modules include each other one way only (docs/architecture.md): scripts/include_graph.py reads
every #include of include/maillage/ and src/ and checks them against the layering rule, and that no
public header includes a GDAL, OGR or GEOS C header without a reason recorded there.

The rule is the independent reference here: it is written in the script from the architecture
document, not derived from the code.
"""
import subprocess
import sys
import unittest

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


if __name__ == "__main__":
    unittest.main()
