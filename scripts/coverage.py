#!/usr/bin/python3
"""Branch and line coverage of a --coverage build's test run (`make
coverage`), read with gcovr.

usage: scripts/coverage.py BUILD [FILE[:FUNC,...] ...]

Prints a Markdown table of the files named (a FILE:FUNC,... entry counts
those functions only, as make mutate takes them), then the totals of all of
cli/, core/, schema/ and sync/. Writes BUILD/coverage.json (gcovr's, every
line), BUILD/coverage.md (the table) and BUILD/uncovered-branches.md (each
line of the files named with a branch no test took, and its text).

Branches are gcc's, as gcov counts them at -O0, less those gcovr finds on
lines without code (--exclude-unreachable-branches: a closing brace).
"""
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mutate import DEFAULT_FILES, TOP, functions, parse_file_arg  # noqa


def count(lines):
    n = c = bn = bc = 0
    for ln in lines:
        if ln.get("gcovr/noncode"):
            continue
        n += 1
        c += ln["count"] > 0
        for b in ln.get("branches", []):
            bn += 1
            bc += b["count"] > 0
    return n, c, bn, bc


def pct(a, b):
    return "%.1f%%" % (100.0 * a / b) if b else "-"


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    build = os.path.abspath(sys.argv[1])
    wanted = [parse_file_arg(a) for a in sys.argv[2:] or DEFAULT_FILES]
    out = os.path.join(build, "coverage.json")
    filters = []
    for d in ("cli", "core", "schema", "sync"):
        filters += ["--filter", re.escape(os.path.join(TOP, d, ""))]
    # A counter gcov prints as negative ("taken -4": the counters of
    # delegit's threads are not atomic) would stop gcovr: that line is
    # skipped, with a warning.
    subprocess.run(["gcovr", "-r", TOP, build, "-j", "2",
                    "--exclude-unreachable-branches",
                    "--gcov-ignore-parse-errors", "--json", out] +
                   filters, check=True)
    with open(out) as f:
        files = {x["file"]: x for x in json.load(f)["files"]}

    rows = ["| file | lines | lines covered | branches | branches taken |",
            "| --- | ---: | ---: | ---: | ---: |"]
    uncovered = []
    for path, funcs in wanted:
        lines = files.get(path, {"lines": []})["lines"]
        with open(os.path.join(TOP, path)) as f:
            text = f.read().split("\n")
        if funcs:
            names = functions(text)
            lines = [ln for ln in lines
                     if names[ln["line_number"] - 1] in funcs]
        n, c, bn, bc = count(lines)
        label = path + (" (%s)" % ", ".join(sorted(funcs)) if funcs else "")
        rows.append("| %s | %d | %s | %d | %s |" % (label, n, pct(c, n), bn,
                                                  pct(bc, bn)))
        for ln in lines:
            br = ln.get("branches", [])
            missed = sum(1 for b in br if b["count"] == 0)
            if missed and not ln.get("gcovr/noncode"):
                uncovered.append("%s:%d: %d of %d branches not taken%s: %s" % (
                    path, ln["line_number"], missed, len(br),
                    " (line never run)" if ln["count"] == 0 else "",
                    text[ln["line_number"] - 1].strip()))
    tot = [0, 0, 0, 0]
    for x in files.values():
        for i, v in enumerate(count(x["lines"])):
            tot[i] += v
    rows.append("| all of cli/, core/, schema/, sync/ | %d | %s | %d | %s |"
                % (tot[0], pct(tot[1], tot[0]), tot[2], pct(tot[3], tot[2])))
    table = "\n".join(rows) + "\n"
    with open(os.path.join(build, "coverage.md"), "w") as f:
        f.write(table)
    with open(os.path.join(build, "uncovered-branches.md"), "w") as f:
        f.write("\n".join(uncovered) + "\n")
    print(table)
    print("%d lines with a branch not taken: %s" % (
        len(uncovered), os.path.join(build, "uncovered-branches.md")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
