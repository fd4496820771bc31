#!/usr/bin/python3
"""Generate a realistic delegit repository for the benchmarks.

usage: bench/generate.py DELEGIT DIR N [--seed S]

DIR becomes a git repository made by `delegit init`, then, through
`git fast-import` (git's own bulk writer, so the history is made by git, not
by the code under test):
  - a team of 50 (one director, staff, and an outside provider's people);
  - N tasks, each with several commits of history, one change per commit
    as delegit makes them: created (open), started a few days later with a
    progress note, then finished, reviewed, blocked or left in work. The
    files are delegit's canonical form, with expectations, checkpoints and
    feedback of realistic sizes;
  - a work tree checked out from the last commit.
The same N and seed always give the same repository.
"""
import os
import random
import subprocess
import sys
import uuid

STATUSES = ["open", "in-progress", "blocked", "review", "done", "cancelled"]
PRIORITIES = ["critical", "high", "normal", "low"]
TEAM = 50
DAY = 86400
START = 1765324800  # 2025-12-10T00:00:00Z: the history spans the year before "now"


def iso(ts):
    import time
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def date(ts):
    import time
    return time.strftime("%Y-%m-%d", time.gmtime(ts))


def person(i):
    role = "director" if i == 0 else ("msp" if i % 5 == 0 else "staff")
    org = "msp" if role == "msp" else "acme"
    return ("handle: p%d\nname: Person %d\nemails: [p%d@bench.example]\n"
            "org: %s\nrole: %s\nskills: [s%d]\ncapacity_hours: 30\n"
            % (i, i, i, org, role, i % 7))


def flow(items):
    return "[" + ", ".join(items) + "]" if items else "[]"


def task_text(t, v):
    """The canonical file of task t at version v (1, 2 or 3)."""
    status = ["open", "in-progress", t["final"]][v - 1]
    started = iso(t["t2"]) if v >= 2 else "null"
    closed = iso(t["t3"]) if v == 3 and status in ("done", "cancelled") \
        else "null"
    updated = iso(t["t%d" % v])
    by = ["p%d" % t["by"], "p%d" % t["to"], t["closer"]][v - 1]
    out = ["format: 1",
           "id: " + t["id"],
           "title: " + t["title"],
           "status: " + status,
           "priority: " + t["pri"],
           "core: " + ("true" if t["core"] else "false"),
           "delegator: p%d" % t["by"],
           "assignee: p%d" % t["to"],
           "created: " + iso(t["t1"]),
           "due: " + date(t["due"]),
           "started: " + started,
           "closed: " + closed,
           "updated: " + updated,
           "updated_by: " + by,
           "estimate_hours: %d" % t["est"],
           "tags: " + flow(t["tags"]),
           "skills: " + flow(t["skills"]),
           "why: " + (t["why"] if t["why"] else "null"),
           "expectations:",
           "  outcome: " + t["outcome"]]
    if t["quality"]:
        out.append("  quality:")
        out += ["  - " + q for q in t["quality"]]
    else:
        out.append("  quality: []")
    if t["acceptance"]:
        out.append("  acceptance:")
        for k, a in enumerate(t["acceptance"]):
            out += ["  - id: %s" % a[0], "    text: %s" % a[1],
                    "    met: %s" % ("true" if v == 3 and status == "done"
                                     else "false")]
    else:
        out.append("  acceptance: []")
    out.append("  process: " + (t["process"] or "null"))
    if t["checkpoints"]:
        out.append("checkpoints:")
        for cid, due, what in t["checkpoints"]:
            out += ["- id: " + cid, "  due: " + date(due), "  what: " + what,
                    "  done: " + ("true" if v == 3 and due < t["t3"]
                                  else "false")]
    else:
        out.append("checkpoints: []")
    fb = t["feedback"][:{1: 0, 2: 1, 3: len(t["feedback"])}[v]]
    if fb:
        out.append("feedback:")
        for fid, at, author, kind, text in fb:
            out += ["- id: " + fid, "  at: " + iso(at), "  author: " + author,
                    "  kind: " + kind, "  text: " + text]
    else:
        out.append("feedback: []")
    return "\n".join(out) + "\n"


WORDS = ("backup firewall printer laptop vpn switch mailbox licence "
         "server patch audit restore monitor ticket storage network "
         "onboarding offboarding certificate password").split()


def words(rng, n):
    return " ".join(rng.choice(WORDS) for _ in range(n))


def hexid(rng):
    return "%08x" % rng.getrandbits(32)


def make_task(rng, k, t1):
    by = rng.randrange(6)          # the director and five leads delegate
    to = rng.randrange(TEAM)
    t2 = t1 + rng.randint(1, 5) * DAY
    t3 = t2 + rng.randint(1, 10) * DAY
    final = rng.choices(STATUSES, [1, 3, 1, 2, 8, 1])[0]
    t = {
        "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "title": "%s %s (%d)" % (words(rng, 1).capitalize(),
                                 words(rng, rng.randint(2, 5)), k),
        "final": final, "pri": rng.choices(PRIORITIES, [1, 3, 8, 3])[0],
        "core": rng.random() < 0.2, "by": by, "to": to,
        "t1": t1, "t2": t2, "t3": t3,
        "due": t1 + rng.randint(5, 40) * DAY,
        "est": rng.randint(1, 16),
        "tags": sorted(set(rng.sample(WORDS, rng.randint(0, 3)))),
        "skills": ["s%d" % (to % 7)],
        "why": words(rng, 8).capitalize() + "." if rng.random() < 0.5
        else None,
        "outcome": words(rng, 6).capitalize() + ".",
        "quality": [words(rng, 5).capitalize() + "."
                    for _ in range(rng.randint(0, 2))],
        "acceptance": sorted([(hexid(rng), words(rng, 4).capitalize())
                              for _ in range(rng.randint(0, 2))]),
        "process": words(rng, 6).capitalize() + "." if rng.random() < 0.3
        else None,
        "checkpoints": sorted([(hexid(rng), t1 + rng.randint(2, 30) * DAY,
                                words(rng, 4).capitalize())
                               for _ in range(rng.randint(0, 2))]),
        "closer": "p%d" % (by if final in ("done", "cancelled") else to),
    }
    fb = [(hexid(rng), t2, "p%d" % to, "progress",
           words(rng, 7).capitalize() + ".")]
    if rng.random() < 0.5:
        fb.append((hexid(rng), t3, "p%d" % by,
                   rng.choice(["guidance", "praise", "review", "concern"]),
                   words(rng, 9).capitalize() + "."))
    t["feedback"] = fb
    return t


def path_of(tid):
    return "tasks/%s/%s.yaml" % (tid[:2], tid)


def fast_import_stream(out, n, rng):
    """Commits in time order: every task's three versions, one a commit."""
    w = out.write

    def data(b):
        w(b"data %d\n" % len(b))
        w(b)
        w(b"\n")

    def commit(who, ts, msg, files, first=False):
        ident = b"Person %d <p%d@bench.example> %d +0000" % (who, who, ts)
        w(b"commit refs/heads/main\n")
        w(b"author " + ident + b"\ncommitter " + ident + b"\n")
        data(msg.encode())
        if first:
            w(b"from refs/heads/main^0\n")
        for path, text in files:
            w(b"M 100644 inline " + path.encode() + b"\n")
            data(text.encode())

    commit(0, START, "Team of %d\n" % TEAM,
           [("team/p%d.yaml" % i, person(i)) for i in range(TEAM)], first=True)
    span = 330 * DAY
    events = []
    for k in range(n):
        t = make_task(rng, k, START + DAY + int(span * k / max(n, 1)))
        for v in (1, 2, 3):
            events.append((t["t%d" % v], k, v, t))
    events.sort(key=lambda e: (e[0], e[1], e[2]))
    verbs = {1: "Add", 2: "Start", 3: "Update"}
    for ts, k, v, t in events:
        who = int((["p%d" % t["by"], "p%d" % t["to"], t["closer"]][v - 1])[1:])
        msg = "%s task %s: %s\n\nTask: %s\n" % (verbs[v], t["id"][:8],
                                                 t["title"], t["id"])
        commit(who, ts, msg, [(path_of(t["id"]), task_text(t, v))])
    w(b"done\n")


def main():
    args = sys.argv[1:]
    seed = 1
    if "--seed" in args:
        i = args.index("--seed")
        seed = int(args[i + 1])
        del args[i:i + 2]
    if len(args) != 3:
        raise SystemExit(__doc__)
    delegit, path, n = os.path.abspath(args[0]), args[1], int(args[2])
    env = dict(os.environ, GIT_CONFIG_NOSYSTEM="1",
               GIT_AUTHOR_DATE="%d +0000" % START,
               GIT_COMMITTER_DATE="%d +0000" % START)
    subprocess.run(["git", "init", "-q", "-b", "main", path], check=True)
    for k, v in (("user.email", "p0@bench.example"), ("user.name", "Person 0"),
                 ("gc.auto", "0")):
        subprocess.run(["git", "config", k, v], cwd=path, check=True)
    subprocess.run([delegit, "init", "-q"], cwd=path, env=env, check=True)
    fi = subprocess.Popen(["git", "fast-import", "--quiet", "--done",
                           "--depth=50"], cwd=path, stdin=subprocess.PIPE)
    fast_import_stream(fi.stdin, n, random.Random(seed * 1000003 + n))
    fi.stdin.close()
    if fi.wait() != 0:
        raise SystemExit("git fast-import failed")
    subprocess.run(["git", "reset", "-q", "--hard", "main"], cwd=path,
                   check=True)


if __name__ == "__main__":
    main()
