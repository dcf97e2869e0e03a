#!/usr/bin/env python3
"""maillage's module include graph, read from the sources, and the layering rule it must follow.

    scripts/include_graph.py            the graph (module -> modules it includes), and any violation
    scripts/include_graph.py --check    exit 1 when a module includes one it must not
    scripts/include_graph.py --dot      the graph in Graphviz dot

A module is a folder: include/maillage/<module>/ and src/<module>/ (src/cli/ is the cli module).
The rule (docs/architecture.md):

    cli -> report -> output -> analysis -> index -> geo, model -> core
    io (readers, staging, PostGIS connection) -> geo, model, core
    output, report and cli may use io; analysis, index, geo, model and core never do.

Besides, no public header (include/maillage/) includes a GDAL, OGR or GEOS C header unless it is
in PUBLIC_LIBRARY_HEADERS below, with the reason it needs one.
"""
import re
import sys
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

# What each module may include, besides itself.
ALLOWED = {
    "core": set(),
    "geo": {"core"},
    "model": {"geo", "core"},
    "index": {"geo", "model", "core"},
    "io": {"geo", "model", "core"},
    "analysis": {"index", "geo", "model", "core"},
    "output": {"analysis", "index", "io", "geo", "model", "core"},
    "report": {"output", "analysis", "index", "io", "geo", "model", "core"},
    "cli": {"report", "output", "analysis", "index", "io", "geo", "model", "core"},
}

# Public headers that need a GDAL/OGR/GEOS header, and why.
PUBLIC_LIBRARY_HEADERS = {
    "include/maillage/io/gdal_util.hpp": "GDAL helpers: their API takes and returns GDAL types",
    "include/maillage/geo/geos.hpp": "RAII over the GEOS C API and geometry functions on GEOS types",
}

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]', re.M)
LIBRARY_HEADER = re.compile(r"^(gdal|ogr|cpl_|geos_c|geos/)")


def module_of(path):
    rel = path.relative_to(REPO)
    parts = rel.parts
    if parts[0] == "include":
        return parts[2] if len(parts) > 3 else None
    if parts[0] == "src":
        return parts[1] if len(parts) > 2 else None
    return None


def sources():
    for root in ("include/maillage", "src"):
        for p in sorted((REPO / root).rglob("*")):
            if p.suffix in (".hpp", ".cpp", ".h") and module_of(p):
                yield p


def graph():
    edges = defaultdict(lambda: defaultdict(list))  # module -> module -> [files]
    library = []  # (public header, library header)
    for p in sources():
        mod = module_of(p)
        text = p.read_text(encoding="utf-8")
        for kind, name in INCLUDE.findall(text):
            if kind == '"' and name.startswith("maillage/"):
                parts = name.split("/")
                if len(parts) >= 3:
                    target = parts[1]
                    if target != mod:
                        edges[mod][target].append(str(p.relative_to(REPO)))
            elif kind == "<" and LIBRARY_HEADER.match(name):
                rel = str(p.relative_to(REPO))
                if rel.startswith("include/"):
                    library.append((rel, name))
    return edges, library


def violations(edges, library):
    out = []
    for mod, targets in sorted(edges.items()):
        for target, files in sorted(targets.items()):
            if target not in ALLOWED.get(mod, set()):
                out.append(f"{mod} -> {target}: {', '.join(sorted(set(files)))}")
    for header, name in library:
        if header not in PUBLIC_LIBRARY_HEADERS:
            out.append(f"public header {header} includes <{name}>")
    return out


def main(argv):
    edges, library = graph()
    bad = violations(edges, library)
    if "--dot" in argv:
        print("digraph maillage {")
        for mod, targets in sorted(edges.items()):
            for target in sorted(targets):
                print(f'  "{mod}" -> "{target}";')
        print("}")
        return 0
    if "--check" not in argv:
        for mod, targets in sorted(edges.items()):
            print(f"{mod:9} -> {', '.join(sorted(targets))}")
    for line in bad:
        print("violation: " + line, file=sys.stderr)
    return 1 if bad and "--check" in argv else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
