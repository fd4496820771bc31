#!/usr/bin/python3
"""The scale benchmark (`make bench`): delegit next to git and Taskwarrior
on the same generated repositories.

usage: bench/bench.py DELEGIT [N ...] [--runs R] [--keep DIR]
       (default sizes 1000 10000 100000, 5 runs)

For each size N, bench/generate.py makes a repository of N tasks (a team of
50, three commits per task), then every command below runs as a whole
process RUNS times; the table gives the median wall time and the peak
resident memory of the runs. The same tasks are imported into Taskwarrior
(`task import`), and git's own commands do the same work on the same
repository. `sync` is measured on two clones of a bare remote, each with
1,000 tasks changed (200 tasks changed on both sides, 100 of them in the
same field): the time of `delegit sync` on one side, which fetches the
other side's 1,000 commits, merges field by field and pushes; its first run
receives the other side's objects, later runs (reset to the same state)
have them already. Below 1,000 tasks (a quick run, as `make test` makes
one) each side changes every task, in the same proportions.
Output: Markdown, as docs/benchmarks.md shows it.
"""
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
NOW = "2026-11-25T10:00:00Z"


def env_for(home):
    env = dict(os.environ)
    for var in ("GIT_DIR", "DELEGIT_FAULT"):
        env.pop(var, None)
    env.update({"HOME": home, "GIT_CONFIG_NOSYSTEM": "1", "NO_COLOR": "1",
                "DELEGIT_NOW": NOW, "LC_ALL": "C.UTF-8",
                "TASKRC": os.path.join(home, "taskrc")})
    return env


def run(cmd, cwd, env, check=True, **kw):
    r = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, **kw)
    if check and r.returncode != 0:
        raise SystemExit("failed (%d): %s\n%s" % (r.returncode, " ".join(cmd),
                                                  r.stderr.decode()[-2000:]))
    return r.stdout


def timed(cmd, cwd, env, runs, setup=None):
    """Median wall time (ms) and peak RSS (MiB) of a command over runs."""
    times, peak = [], 0.0
    for _ in range(runs):
        if setup:
            setup()
        # (stderr to a file: a pipe nobody reads would fill and stop it)
        with tempfile.TemporaryFile() as errf:
            t0 = time.perf_counter()
            p = subprocess.Popen(cmd, cwd=cwd, env=env,
                                 stdout=subprocess.DEVNULL, stderr=errf)
            _, status, usage = os.wait4(p.pid, 0)
            times.append((time.perf_counter() - t0) * 1000)
            errf.seek(0)
            err = errf.read().decode(errors="replace")
        peak = max(peak, usage.ru_maxrss / 1024)
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit("failed: %s\n%s" % (" ".join(cmd), err[-2000:]))
        if times[-1] > 20000 and len(times) >= 1:
            break  # slow: one run says enough
    return statistics.median(times), peak


# ---------------------------------------------------------------------------
# Taskwarrior, with the same tasks

TW_STATUS = {"open": "pending", "in-progress": "pending",
             "blocked": "pending", "review": "pending",
             "done": "completed", "cancelled": "deleted"}
TW_PRIORITY = {"critical": "H", "high": "H", "normal": "M", "low": "L"}


def tw_time(iso):
    return iso.replace("-", "").replace(":", "")


def taskwarrior_setup(repo, home, env, delegit):
    data = os.path.join(home, "taskdata")
    with open(env["TASKRC"], "w") as f:
        f.write("data.location=%s\nconfirmation=off\nverbose=nothing\n"
                "color=off\nhooks=off\ndetection=off\n" % data)
    tasks = json.loads(run([delegit, "list", "--all", "--json"], repo, env))
    out = []
    for t in tasks:
        x = {"uuid": t["id"], "description": t["title"],
             "status": TW_STATUS[t["status"]],
             "entry": tw_time(t["created"]),
             "priority": TW_PRIORITY[t["priority"]],
             "project": t["assignee"] or "none"}
        if t.get("due"):
            x["due"] = tw_time(t["due"]) + "T000000Z"
        if t.get("closed"):
            x["end"] = tw_time(t["closed"])
        if t.get("tags"):
            x["tags"] = t["tags"]
        out.append(x)
    path = os.path.join(home, "tasks.json")
    with open(path, "w") as f:
        json.dump(out, f)
    t0 = time.time()
    run(["task", "import", path], home, env)
    return len(out), time.time() - t0


# ---------------------------------------------------------------------------
# Two sides of a sync, each with 1,000 changed tasks

SYNC_CHANGES = 1000


def sync_changes(n):
    """The tasks changed on each side: 1,000, or all of a smaller size."""
    return min(SYNC_CHANGES, n)


def change(text, field, value, who, when):
    text = re.sub(r"(?m)^%s: .*$" % field, "%s: %s" % (field, value), text)
    text = re.sub(r"(?m)^updated: .*$", "updated: " + when, text)
    return re.sub(r"(?m)^updated_by: .*$", "updated_by: " + who, text)


def fast_import(clone, env, edits, who, start):
    """One commit per edited task on top of main, by git fast-import."""
    stream = []
    for k, (path, text) in enumerate(edits):
        ts = start + k
        ident = b"Person %d <p%d@bench.example> %d +0000" % (who, who, ts)
        msg = b"Update task %s\n" % os.path.basename(path)[:8].encode()
        stream += [b"commit refs/heads/main\n", b"author " + ident + b"\n",
                   b"committer " + ident + b"\n",
                   b"data %d\n" % len(msg), msg]
        if k == 0:
            stream.append(b"from refs/heads/main^0\n")
        body = text.encode()
        stream += [b"M 100644 inline " + path.encode() + b"\n",
                   b"data %d\n" % len(body), body, b"\n"]
    stream.append(b"done\n")
    p = subprocess.run(["git", "fast-import", "--quiet", "--done"], cwd=clone,
                       env=env, input=b"".join(stream))
    if p.returncode:
        raise SystemExit("fast-import failed")
    run(["git", "reset", "-q", "--hard", "main"], clone, env)


def sync_setup(tmp, repo, env, rng, changes):
    remote = os.path.join(tmp, "remote.git")
    a, b = os.path.join(tmp, "a"), os.path.join(tmp, "b")
    run(["git", "clone", "-q", "--bare", repo, remote], tmp, env)
    for side, who in ((a, 1), (b, 2)):
        run(["git", "clone", "-q", remote, side], tmp, env)
        run(["git", "config", "user.email", "p%d@bench.example" % who], side,
            env)
        run(["git", "config", "user.name", "Person %d" % who], side, env)
    paths = sorted(run(["git", "ls-files", "tasks"], a, env).decode().split())
    shared = changes // 5  # changed on both sides; half in the same field
    chosen = rng.sample(paths, changes)
    only_a, both = chosen[:changes - shared], chosen[changes - shared:]
    # (below 1,800 tasks some of B's tasks are A's too, in another field)
    only_b = rng.sample(sorted(set(paths) - set(both)), changes - shared)

    def read(side, path):
        with open(os.path.join(side, path), encoding="utf-8") as f:
            return f.read()

    edits_a = [(p, change(read(a, p), "priority", "critical", "p1",
                          "2026-11-24T10:00:00Z")) for p in only_a + both]
    edits_b = []
    for k, p in enumerate(both + only_b):
        if k < shared // 2:  # the same field both sides: a recorded conflict
            edits_b.append((p, change(read(b, p), "priority", "low", "p2",
                                      "2026-11-24T11:00:00Z")))
        else:
            edits_b.append((p, change(read(b, p), "due", "2026-12-31", "p2",
                                      "2026-11-24T11:00:00Z")))
    fast_import(a, env, edits_a, 1, 1795900000)
    fast_import(b, env, edits_b, 2, 1795910000)
    run(["git", "push", "-q", "origin", "main"], b, env)
    heads = {"a": run(["git", "rev-parse", "HEAD"], a, env).decode().strip(),
             "origin": run(["git", "rev-parse", "origin/main"], a,
                           env).decode().strip(),
             "b": run(["git", "rev-parse", "HEAD"], b, env).decode().strip()}

    def reset():
        run(["git", "reset", "-q", "--hard", heads["a"]], a, env)
        run(["git", "update-ref", "refs/remotes/origin/main",
             heads["origin"]], a, env)
        run(["git", "update-ref", "refs/heads/main", heads["b"]], remote, env)
    return a, reset


# ---------------------------------------------------------------------------

def run_size(delegit, n, runs, keep):
    tmp = tempfile.mkdtemp(prefix="delegit-bench-", dir=keep)
    home = os.path.join(tmp, "home")
    os.makedirs(home)
    env = env_for(home)
    repo = os.path.join(tmp, "repo")
    rows = []

    def row(name, ms, mib, note=""):
        rows.append((name, ms, mib, note))
        print("  %-34s %9.1f ms %7.1f MiB %s" % (name, ms, mib, note),
              file=sys.stderr)

    try:
        t0 = time.time()
        subprocess.run([sys.executable, os.path.join(HERE, "generate.py"),
                        delegit, repo, str(n)], check=True, env=env)
        gen = time.time() - t0
        ncommits = int(run(["git", "rev-list", "--count", "HEAD"], repo, env))
        rng = random.Random(n)
        paths = sorted(run(["git", "ls-files", "tasks"], repo,
                           env).decode().split())
        some = rng.choice(paths)
        tid = os.path.basename(some)[:8]
        ms, mib = timed([delegit, "list"], repo, env, 1)
        row("delegit list, first run (cache built)", ms, mib)
        ms, mib = timed([delegit, "log", tid], repo, env, 1)
        row("delegit log, first run (history index built)", ms, mib)
        vals = iter(["priority=low", "priority=high"] * (runs + 1))
        steps = [
            ("delegit add", [delegit, "add", "Bench task", "--to", "p1"]),
            ("delegit set", None),
            ("delegit show ID", [delegit, "show", tid]),
            ("delegit list (all open)", [delegit, "list"]),
            ("delegit list --to p7 (filtered)",
             [delegit, "list", "--to", "p7"]),
            ("delegit agenda p7", [delegit, "agenda", "p7"]),
            ("delegit log ID", [delegit, "log", tid]),
            ("delegit check", [delegit, "check"]),
            ("delegit report workload", [delegit, "report", "workload"]),
        ]
        for name, cmd in steps:
            if cmd is None:
                times, peak = [], 0
                for _ in range(runs):
                    ms, mib = timed([delegit, "set", tid, next(vals)], repo,
                                    env, 1)
                    times.append(ms)
                    peak = max(peak, mib)
                row(name, statistics.median(times), peak)
                continue
            ms, mib = timed(cmd, repo, env, runs)
            row(name, ms, mib)
        # git's own work on the same repository
        path = os.path.join(repo, some)
        counter = [0]

        def touch():
            with open(path, "a") as f:
                f.write("# %d\n" % counter[0])
            counter[0] += 1
        ms, mib = timed(["sh", "-c", 'git add -- "$0" && git commit -qm x',
                         path], repo, env, runs, setup=touch)
        row("git add FILE && git commit", ms, mib)
        run(["git", "reset", "-q", "--hard", "HEAD~%d" % runs], repo, env)
        ms, mib = timed(["git", "log", "--oneline", "--", some], repo, env,
                        runs)
        row("git log -- FILE", ms, mib)
        ms, mib = timed(["git", "status", "--porcelain"], repo, env, runs)
        row("git status", ms, mib)
        # Taskwarrior with the same tasks
        count, secs = taskwarrior_setup(repo, home, env, delegit)
        ms, mib = timed(["task", "add", "Bench task", "project:p1"], home,
                        env, runs)
        row("task add", ms, mib)
        ms, mib = timed(["task", "list"], home, env, runs)
        row("task list", ms, mib, "(%d tasks imported in %.0f s)"
            % (count, secs))
        # sync
        side, reset = sync_setup(tmp, repo, env, rng, sync_changes(n))
        ms, mib = timed([delegit, "sync"], side, env, 1)
        row("delegit sync, first run (fetch included)", ms, mib)
        # Again from the same state: the other side's objects are here
        # now, so the fetch only negotiates.
        ms, mib = timed([delegit, "sync"], side, env, min(runs, 3),
                        setup=reset)
        row("delegit sync (1,000 changes each side)", ms, mib,
            "" if sync_changes(n) == SYNC_CHANGES
            else "(%d changes each side)" % sync_changes(n))
        return n, gen, ncommits, rows
    finally:
        if not keep:
            shutil.rmtree(tmp, ignore_errors=True)


def ratio(rows, a, b):
    x = {r[0]: r[1] for r in rows}
    return x[a] / x[b] if x.get(b) else float("nan")


def main():
    args = sys.argv[1:]
    runs, keep = 5, None
    if "--runs" in args:
        i = args.index("--runs")
        runs = int(args[i + 1])
        del args[i:i + 2]
    if "--keep" in args:
        i = args.index("--keep")
        keep = os.path.abspath(args[i + 1])
        os.makedirs(keep, exist_ok=True)
        del args[i:i + 2]
    if not args:
        raise SystemExit(__doc__)
    delegit = os.path.abspath(args[0])
    sizes = [int(a) for a in args[1:]] or [1000, 10000, 100000]
    results = []
    for n in sizes:
        print("size %d" % n, file=sys.stderr)
        results.append(run_size(delegit, n, runs, keep))
    names = [r[0] for r in results[0][3]]
    print("| command | " + " | ".join("%d tasks" % n for n, *_ in results)
          + " |")
    print("|---|" + "---|" * len(results))
    for i, name in enumerate(names):
        print("| %s | " % name + " | ".join(
            "%.0f ms, %.0f MiB" % (r[3][i][1], r[3][i][2]) if r[3][i][1] >= 10
            else "%.1f ms, %.0f MiB" % (r[3][i][1], r[3][i][2])
            for r in results) + " |")
    print()
    print("| ratio | " + " | ".join("%d tasks" % n for n, *_ in results)
          + " |")
    print("|---|" + "---|" * len(results))
    for label, a, b in (
            ("task list / delegit list", "task list",
             "delegit list (all open)"),
            ("task add / delegit add", "task add", "delegit add"),
            ("git add+commit / delegit add", "git add FILE && git commit",
             "delegit add"),
            ("git add+commit / delegit set", "git add FILE && git commit",
             "delegit set"),
            ("git log / delegit log", "git log -- FILE", "delegit log ID")):
        print("| %s | " % label + " | ".join(
            "%.1f×" % ratio(r[3], a, b) for r in results) + " |")
    if len(results) > 1:
        print()
        print("| growth, %d → %d tasks | × |" % (results[-2][0],
                                               results[-1][0]))
        print("|---|---|")
        for i, name in enumerate(names):
            print("| %s | %.1f× |" % (name, results[-1][3][i][1] /
                                      results[-2][3][i][1]))
    print()
    for n, gen, ncommits, _ in results:
        print("- %d tasks: %d commits, generated in %.0f s%s"
              % (n, ncommits, gen, "" if sync_changes(n) == SYNC_CHANGES
                 else "; sync with %d changes each side" % sync_changes(n)))


if __name__ == "__main__":
    main()
