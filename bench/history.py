#!/usr/bin/python3
"""The commands that read history, two delegit binaries side by side.

usage: bench/history.py BEFORE AFTER REPO [--runs N] [--before-repo DIR]
       bench/history.py BEFORE AFTER REPO --first-query [--clone DIR]

REPO: a repository of bench/generate.py (its tasks, its team p0..p49).
--before-repo: a copy of it for BEFORE, when the two binaries keep their
caches in different formats (each would write the other's anew). Each
command runs once with each binary to make what the caches hold, then N
times (3 by default) with each in turn, warm, and prints a Markdown row:
the median wall time, the median CPU time (user + system) and the
largest peak RSS. CPU time is the figure to read on a shared machine.
git's own walk of the same history and `git status` close the table.

--first-query: the first history query of a fresh clone (`log ID`: the
history index built from nothing), each binary in turn on one clone of
REPO made by `git clone --no-local` (the pack a server sends: trees as
chains of deltas), its delegit files removed before each run; --clone:
such a clone made before (at 100,000 tasks the clone takes minutes).
"""
import glob
import os
import statistics
import subprocess
import sys
import tempfile
import time


def run(argv, cwd, env):
    t0 = time.time()
    p = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    _, _, ru = os.wait4(p.pid, 0)
    return time.time() - t0, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024


def median(argv, cwd, env, runs):
    r = [run(argv, cwd, env) for _ in range(runs)]
    return (statistics.median(x[0] for x in r),
            statistics.median(x[1] for x in r), max(x[2] for x in r))


def first_query(before, after, repo, clone, runs, env):
    tmp = None
    if not clone:
        tmp = tempfile.mkdtemp(prefix="delegit-first-")
        clone = os.path.join(tmp, "clone")
        subprocess.run(["git", "clone", "-q", "--no-local", repo, clone],
                       check=True)
    shard = sorted(os.listdir(os.path.join(clone, "tasks")))[0]
    tid = sorted(os.listdir(os.path.join(clone, "tasks", shard)))[0][:8]
    res = {before: [], after: []}
    for _ in range(runs):
        for binary in (before, after):
            for f in glob.glob(os.path.join(clone, ".git", "delegit-*")):
                os.remove(f)
            res[binary].append(run([binary, "log", tid], clone, env))
    print("| first query (`log ID`, fresh clone) | wall | CPU | peak |")
    print("|---|---|---|---|")
    for name, binary in (("before", before), ("after", after)):
        r = res[binary]
        print("| delegit log ID, %s | %.2f s | %.2f s | %.0f MiB |"
              % (name, statistics.median(x[0] for x in r),
                 statistics.median(x[1] for x in r), max(x[2] for x in r)),
              flush=True)
    print("| git log --name-only --format=%%H | %.2f s | %.2f s | %.0f MiB |"
          % run(["git", "log", "--name-only", "--format=%H"], clone, env))
    if tmp:
        subprocess.run(["rm", "-rf", tmp], check=True)


def main():
    args = sys.argv[1:]
    runs = 3
    if "--runs" in args:
        i = args.index("--runs")
        runs = int(args[i + 1])
        del args[i:i + 2]
    before_repo = None
    if "--before-repo" in args:
        i = args.index("--before-repo")
        before_repo = os.path.abspath(args[i + 1])
        del args[i:i + 2]
    first, clone = "--first-query" in args, None
    if first:
        args.remove("--first-query")
    if "--clone" in args:
        i = args.index("--clone")
        clone = os.path.abspath(args[i + 1])
        del args[i:i + 2]
    if len(args) != 3:
        raise SystemExit(__doc__)
    before, after, repo = (os.path.abspath(a) for a in args)
    repos = {before: before_repo or repo, after: repo}
    env = dict(os.environ, DELEGIT_NOW="2026-11-30T12:00:00Z",
               DELEGIT_PAGER="cat")
    if first:
        return first_query(before, after, repo, clone, runs, env)
    shard = sorted(os.listdir(os.path.join(repo, "tasks")))[0]
    tid = sorted(os.listdir(os.path.join(repo, "tasks", shard)))[0][:8]
    out = os.path.join(repo, ".git", "bench-report.html")
    commands = [["report", "delivery"], ["report", "sla"],
                ["report", "accountability"], ["suggest", tid],
                ["plate", "p7"], ["check"], ["agenda", "p7"],
                ["report", "--html", out], ["log", "--since", "2026-11-01"],
                ["list"]]
    print("| command | before: wall, CPU, peak | after: wall, CPU, peak |")
    print("|---|---|---|")
    for c in commands:
        cells = []
        for binary in (before, after):
            run([binary] + c, repos[binary], env)  # the caches made
        for binary in (before, after):
            cells.append("%.2f s, %.2f s, %.0f MiB"
                         % median([binary] + c, repos[binary], env, runs))
        name = " ".join(c).replace(tid, "ID").replace(out, "FILE")
        print("| delegit %s | %s | %s |" % (name, *cells), flush=True)
    for c in (["git", "log", "--name-only", "--format=%H"],
              ["git", "status", "--porcelain"]):
        print("| %s | %.2f s, %.2f s, %.0f MiB | |"
              % (" ".join(c), *median(c, repo, env, runs)), flush=True)


if __name__ == "__main__":
    main()
