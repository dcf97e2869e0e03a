"""The progress of `maillage analyse` on a terminal (a pseudo-terminal, python's `pty`) and in a
log (issue 13): on a terminal every phase keeps its own line with its time once the carriage
returns have done their overwriting, the by-type and write phases included; the log of a run
whose stderr is not a terminal keeps its format, one line per phase.
"""

import os
import pty
import re
import subprocess
import unittest

import helpers as h

SMALL = ["--zones", "zones_small.geojson", "--sites", "sites_small.csv"]
PHASES = ["grid", "distances", "underserved", "by type", "catchments", "write"]


def run_on_terminal(args, cwd):
    """Runs maillage with stderr on a pseudo-terminal; returns (exit code, bytes written)."""
    master, slave = pty.openpty()
    p = subprocess.Popen([h.BIN] + [str(a) for a in args], cwd=cwd, stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=slave, close_fds=True)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    return p.wait(timeout=300), b"".join(chunks).decode("utf-8")


def screen(text):
    """What a terminal shows: '\\r' goes back to the start of the line (the next characters
    overwrite it), '\\n' starts a new line."""
    lines, line, col = [], [], 0
    for c in text:
        if c == "\r":
            col = 0
        elif c == "\n":
            lines.append("".join(line))
            line, col = [], 0
        else:
            if col < len(line):
                line[col] = c
            else:
                line.append(c)
            col += 1
    if line:
        lines.append("".join(line))
    return lines


BAR_DONE = re.compile(r"^(\S+(?: \S+)?) +\[#{30}\] 100%  (\d+\.\d\d) s$")


class TestProgressOnTerminal(h.CliTestCase):
    def test_one_line_per_phase_with_its_time(self):
        out = h.make_tempdir(self) / "out"
        code, raw = run_on_terminal(["analyse", *SMALL, "--by-type", "--catchments", "--out", out],
                                    cwd=h.DATA)
        self.assertEqual(code, 0, raw)
        self.assertIn("\r", raw, "a terminal gets a bar")
        lines = screen(raw)
        bars = [BAR_DONE.match(ln) for ln in lines]
        done = [m.group(1) for m in bars if m]
        self.assertEqual(done, PHASES, "\n".join(lines))
        # Nothing else on the screen looks like a bar (no phase left half-drawn, no bar glued
        # to a log line), and the log lines are whole.
        others = [ln for ln, m in zip(lines, bars) if not m]
        self.assertTrue(all(ln.startswith("maillage: ") for ln in others), "\n".join(lines))
        self.assertFalse(any("[" in ln and "%" in ln for ln in others), "\n".join(lines))
        # The phases' times are those of run.json, to the hundredth (rounding apart).
        timings = h.load_json(out / "run.json")["timings_s"]
        for m in filter(None, bars):
            phase = m.group(1)
            self.assertAlmostEqual(float(m.group(2)), timings[phase], delta=0.05, msg=phase)


class TestProgressLog(h.CliTestCase):
    def test_log_format_is_unchanged(self):
        out = h.make_tempdir(self) / "out"
        r = h.run_ok(self, "analyse", *SMALL, "--by-type", "--catchments", "--out", out,
                     cwd=h.DATA)
        self.assertNotIn("\r", r.stderr)
        phase_lines = [ln for ln in r.stderr.splitlines() if ": done in " in ln]
        for ln in phase_lines:
            self.assertRegex(ln, r"^maillage: [a-z ]+: done in \d+\.\d\d s$")
        self.assertEqual([ln.split(": ")[1] for ln in phase_lines], PHASES)


if __name__ == "__main__":
    unittest.main()
