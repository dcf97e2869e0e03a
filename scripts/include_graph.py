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

A file outside a module folder, a module folder the rule does not know, and an include of a
maillage header in angle brackets or by a relative path ("../module/x.hpp") are violations too:
each would let an include escape the check.

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
SOURCE_SUFFIXES = (".hpp", ".cpp", ".h")
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
            if p.suffix in SOURCE_SUFFIXES:
                yield p


def include_problem(rel, mod, kind, name):
    """Why the include `name` of the file `rel` (in module `mod`) escapes the check, or None."""
    if kind == "<" and name.startswith("maillage/"):
        return f'{rel} includes <{name}>: write "{name}"'
    if kind == '"' and name.startswith(".."):
        return f'{rel} includes "{name}" by a relative path: write "maillage/..." or a file of {mod}'
    return None


def graph():
    """(edges, library, problems): module -> module -> [files]; (public header, library header);
    files and includes the layering cannot be checked on."""
    edges = defaultdict(lambda: defaultdict(list))
    library = []
    problems = []
    for p in sources():
        rel = str(p.relative_to(REPO))
        mod = module_of(p)
        if mod is None:
            problems.append(f"{rel} is in no module folder")
            continue
        if mod not in ALLOWED:
            problems.append(f"{rel}: module {mod} is not in the layering rule (ALLOWED)")
        text = p.read_text(encoding="utf-8")
        for kind, name in INCLUDE.findall(text):
            problem = include_problem(rel, mod, kind, name)
            if problem:
                problems.append(problem)
            elif kind == '"' and name.startswith("maillage/"):
                parts = name.split("/")
                target = parts[1] if len(parts) >= 3 else None
                if target is None:
                    problems.append(f'{rel} includes "{name}", in no module folder')
                elif target != mod:
                    edges[mod][target].append(rel)
            elif kind == "<" and LIBRARY_HEADER.match(name) and rel.startswith("include/"):
                library.append((rel, name))
    return edges, library, problems


def violations(edges, library, problems=()):
    out = list(problems)
    for mod, targets in sorted(edges.items()):
        for target, files in sorted(targets.items()):
            if target not in ALLOWED.get(mod, set()):
                out.append(f"{mod} -> {target}: {', '.join(sorted(set(files)))}")
    for header, name in library:
        if header not in PUBLIC_LIBRARY_HEADERS:
            out.append(f"public header {header} includes <{name}>")
    return out


def main(argv):
    edges, library, problems = graph()
    if not edges:
        print(f"no include between modules found under {REPO}: wrong folder?", file=sys.stderr)
        return 1
    bad = violations(edges, library, problems)
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
