#!/usr/bin/python3
"""Merge quality: on the same generated concurrent edits of task files,
count the conflicts git's default line merge leaves for a person, and the
conflict records delegit's field-by-field merge makes (where it had to pick
a winner and kept the other value).

usage: bench/merge_quality.py DELEGIT [TRIALS] [SEED]
Prints a Markdown table (docs/benchmarks.md holds the last run).
"""
import copy
import datetime
import os
import random
import shutil
import subprocess
import sys
import tempfile

import yaml

DELEGIT = sys.argv[1] if len(sys.argv) > 1 else "build/delegit"
TRIALS = int(sys.argv[2]) if len(sys.argv) > 2 else 500
SEED = int(sys.argv[3]) if len(sys.argv) > 3 else 1

BASE = """format: 1
id: 0b9c5e5e-7f0c-4d0a-9a1e-2c3f4d5e6f70
title: Replicate nightly backups offsite
status: in-progress
priority: high
core: false
delegator: dana
assignee: kim
created: 2026-11-25T09:12:00Z
due: 2026-12-15
started: 2026-11-26T08:00:00Z
closed: null
updated: 2026-11-28T16:30:00Z
updated_by: kim
estimate_hours: 6
tags: [backup, infra]
skills: [backup]
why: |
  Backups are on-site only.
  A fire in the server room would lose everything.
  The insurer asks for offsite copies.
expectations:
  outcome: Every nightly backup is replicated offsite within 24 hours.
  quality:
  - Replication is monitored.
  acceptance:
  - id: 4e1a9c20
    text: Restore of three random servers tested
    met: false
  process: Follow runbook RB-12.
checkpoints:
- id: 9d3b7e11
  due: 2026-12-01
  what: Vendor chosen
  done: true
- id: 27c4f0aa
  due: 2026-12-08
  what: First full replica complete
  done: false
feedback: []
"""

KINDS = ["status", "priority", "due", "title", "feedback", "checkpoint",
         "tag", "why-line", "estimate", "outcome"]


def edit(doc, kind, rng, who, n):
    if kind == "status":
        doc["status"] = rng.choice(["blocked", "review", "in-progress"])
    elif kind == "priority":
        doc["priority"] = rng.choice(["critical", "normal", "low"])
    elif kind == "due":
        doc["due"] = datetime.date(2026, 12, rng.randint(16, 28))
    elif kind == "title":
        doc["title"] = "Replicate backups offsite (%s)" % who
    elif kind == "feedback":
        doc["feedback"].append({"id": "%08x" % rng.getrandbits(32),
                                "at": datetime.datetime(2026, 11, 29, 10 + n),
                                "author": who, "kind": "progress",
                                "text": "note from %s" % who})
    elif kind == "checkpoint":
        doc["checkpoints"][1]["done"] = True
    elif kind == "tag":
        doc["tags"] = sorted(set(doc["tags"]) | {who})
    elif kind == "why-line":
        lines = doc["why"].splitlines()
        i = rng.randrange(len(lines))
        lines[i] = lines[i] + " (%s)" % who
        doc["why"] = "\n".join(lines) + "\n"
    elif kind == "estimate":
        doc["estimate_hours"] = rng.randint(7, 20)
    elif kind == "outcome":
        doc["expectations"]["outcome"] += " Checked by %s." % who


def dump(doc):
    class Dumper(yaml.SafeDumper):
        pass

    def str_rep(d, s):
        style = "|" if "\n" in s else None
        return d.represent_scalar("tag:yaml.org,2002:str", s, style=style)
    def date_rep(d, v):
        return d.represent_scalar("tag:yaml.org,2002:timestamp", v.isoformat())

    def time_rep(d, v):
        return d.represent_scalar("tag:yaml.org,2002:timestamp",
                                  v.strftime("%Y-%m-%dT%H:%M:%SZ"))
    Dumper.add_representer(str, str_rep)
    Dumper.add_representer(datetime.date, date_rep)
    Dumper.add_representer(datetime.datetime, time_rep)
    return yaml.dump(doc, Dumper=Dumper, sort_keys=False,
                     default_flow_style=False, width=1000)


def main():
    rng = random.Random(SEED)
    base_doc = yaml.safe_load(BASE)
    tmp = tempfile.mkdtemp(prefix="delegit-bench-")
    paths = {k: os.path.join(tmp, k + ".yaml") for k in ("base", "a", "b")}
    git_files = git_hunks = dlg_records = dlg_failed = same_field = 0
    for t in range(TRIALS):
        sides = []
        chosen = []
        for who, n in (("dana", 1), ("kim", 2)):
            doc = copy.deepcopy(base_doc)
            kinds = rng.sample(KINDS, rng.randint(1, 3))
            chosen.append(set(kinds))
            for k in kinds:
                edit(doc, k, rng, who, n)
            doc["updated"] = datetime.datetime(2026, 11, 29, 10 + n)
            doc["updated_by"] = who
            sides.append(doc)
        if chosen[0] & chosen[1]:
            same_field += 1
        for k, doc in (("base", base_doc), ("a", sides[0]), ("b", sides[1])):
            with open(paths[k], "w") as f:
                f.write(dump(doc))
        r = subprocess.run(["git", "merge-file", "-p", paths["a"],
                            paths["base"], paths["b"]], capture_output=True)
        if r.returncode:
            git_files += 1
            git_hunks += r.returncode
        r = subprocess.run([DELEGIT, "merge-file", paths["base"], paths["a"],
                            paths["b"],
                            "tasks/0b/0b9c5e5e-7f0c-4d0a-9a1e-2c3f4d5e6f70.yaml"],
                           capture_output=True, text=True)
        if r.returncode:
            dlg_failed += 1
            continue
        with open(paths["a"]) as f:
            merged = yaml.safe_load(f)
        dlg_records += len(merged.get("conflicts", []))
    shutil.rmtree(tmp, ignore_errors=True)
    print("| merge | files needing a person | conflicts | files that failed |")
    print("|---|---|---|---|")
    print("| git merge-file (lines) | %d of %d | %d hunks | 0 |"
          % (git_files, TRIALS, git_hunks))
    print("| delegit merge-file (fields) | 0 of %d | %d records, kept in the file | %d |"
          % (TRIALS, dlg_records, dlg_failed))
    print()
    print("%d trials, seed %d; both sides touched a same field in %d trials."
          % (TRIALS, SEED, same_field))


if __name__ == "__main__":
    main()
