#!/usr/bin/python3
"""Scale benchmark (first step of the performance issue): generate a
delegit repository of N tasks and a team of 50, then time whole delegit
processes on it — median of several runs, with peak memory — next to git's
own add+commit of one file.

usage: bench/scale.py DELEGIT N [N ...]      e.g. bench/scale.py build/delegit 1000 10000
Prints a Markdown table per size.
"""
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid

RUNS = 5
STATUSES = ["open", "in-progress", "blocked", "review", "done", "cancelled"]
PRIORITIES = ["critical", "high", "normal", "low"]


def generate(path, n, rng):
    """A repository as delegit writes it: config, policy, 50 people, n
    tasks (canonical files), in one commit made by git."""
    env = bench_env(path)
    subprocess.run(["git", "init", "-q", "-b", "main", path], check=True,
                   env=env)
    git(path, env, "config", "user.email", "p0@bench.example")
    git(path, env, "config", "user.name", "p0")
    subprocess.run([DELEGIT, "init", "-q"], cwd=path, env=env, check=True)
    os.makedirs(os.path.join(path, "team"), exist_ok=True)
    for i in range(50):
        role = "director" if i == 0 else ("msp" if i % 5 == 0 else "staff")
        with open(os.path.join(path, "team", "p%d.yaml" % i), "w") as f:
            f.write("handle: p%d\nname: Person %d\nemails: [p%d@bench.example]\n"
                    "org: %s\nrole: %s\nskills: [s%d]\ncapacity_hours: 30\n"
                    % (i, i, i, "msp" if role == "msp" else "acme", role,
                       i % 7))
    for k in range(n):
        tid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        d = os.path.join(path, "tasks", tid[:2])
        os.makedirs(d, exist_ok=True)
        status = rng.choice(STATUSES)
        with open(os.path.join(d, tid + ".yaml"), "w") as f:
            f.write(TASK % dict(id=tid, k=k, status=status,
                                pri=rng.choice(PRIORITIES),
                                who=rng.randrange(50), by=rng.randrange(5),
                                day=rng.randint(1, 28)))
    git(path, env, "add", "-A")
    git(path, env, "commit", "-qm", "generated")
    return env


TASK = """format: 1
id: %(id)s
title: Generated task %(k)d
status: %(status)s
priority: %(pri)s
core: false
delegator: p%(by)d
assignee: p%(who)d
created: 2026-10-01T09:00:00Z
due: 2026-12-%(day)02d
started: null
closed: null
updated: 2026-10-01T09:00:00Z
updated_by: p%(by)d
estimate_hours: 3
tags: [bench]
skills: [s1]
why: null
expectations:
  outcome: Done well.
  quality: []
  acceptance: []
  process: null
checkpoints: []
feedback: []
"""


def bench_env(path):
    env = dict(os.environ)
    env.update({"HOME": os.path.dirname(path), "GIT_CONFIG_NOSYSTEM": "1",
                "NO_COLOR": "1", "DELEGIT_NOW": "2026-11-25T10:00:00Z"})
    return env


def git(path, env, *args):
    subprocess.run(["git", *args], cwd=path, env=env, check=True,
                   stdout=subprocess.DEVNULL)


def timed(cmd, cwd, env, runs=RUNS, setup=None):
    """Median wall time (ms) and peak RSS (MiB) of a command."""
    times, peak = [], 0
    for _ in range(runs):
        if setup:
            setup()
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(p.pid, 0)
        times.append((time.perf_counter() - t0) * 1000)
        peak = max(peak, usage.ru_maxrss / 1024)
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit("failed: %s" % " ".join(cmd))
    return statistics.median(times), peak


def run_size(n):
    tmp = tempfile.mkdtemp(prefix="delegit-bench-")
    try:
        path = os.path.join(tmp, "repo")
        rng = random.Random(n)
        t0 = time.time()
        env = generate(path, n, rng)
        gen = time.time() - t0
        some = sorted(os.listdir(os.path.join(path, "tasks")))[0]
        tid = sorted(os.listdir(os.path.join(path, "tasks", some)))[0][:8]
        counter = [0]

        def bump():
            counter[0] += 1

        rows = [
            ("add", [DELEGIT, "add", "Bench task", "--to", "p1"]),
            ("set", [DELEGIT, "set", tid, "priority=low"]),
            ("show", [DELEGIT, "show", tid]),
            ("list (open)", [DELEGIT, "list"]),
            ("list --to p3", [DELEGIT, "list", "--to", "p3"]),
            ("agenda p3", [DELEGIT, "agenda", "p3"]),
            ("log ID", [DELEGIT, "log", tid]),
            ("check", [DELEGIT, "check"]),
            ("report workload", [DELEGIT, "report", "workload"]),
        ]
        out = ["### %d tasks (generated in %.0f s)" % (n, gen), "",
               "| command | median ms | peak MiB |", "|---|---|---|"]
        for name, cmd in rows:
            if name == "set":
                # alternate the value, so that every run is a change
                vals = iter(["priority=low", "priority=high"] * RUNS)
                times, peak = [], 0
                for _ in range(RUNS):
                    ms, mib = timed(cmd[:-1] + [next(vals)], path, env, runs=1)
                    times.append(ms)
                    peak = max(peak, mib)
                ms, mib = statistics.median(times), peak
            else:
                ms, mib = timed(cmd, path, env, setup=bump)
            out.append("| delegit %s | %.1f | %.1f |" % (name, ms, mib))
        # git's own change of one file, for the ratio the targets ask for
        f = os.path.join(path, "tasks", some, os.listdir(os.path.join(path, "tasks", some))[0])

        def touch():
            with open(f, "a") as h:
                h.write("# %d\n" % counter[0])
            counter[0] += 1
        ms, mib = timed(["sh", "-c", "git add -- \"$0\" && git commit -qm x", f],
                        path, env, setup=touch)
        out.append("| git add FILE && git commit | %.1f | %.1f |" % (ms, mib))
        ms, mib = timed(["git", "log", "--oneline", "--", f], path, env)
        out.append("| git log -- FILE | %.1f | %.1f |" % (ms, mib))
        return "\n".join(out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    DELEGIT = os.path.abspath(sys.argv[1])
    for size in sys.argv[2:]:
        print(run_size(int(size)))
        print()
