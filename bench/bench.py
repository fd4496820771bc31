#!/usr/bin/python3
"""The scale benchmark (`make bench`): delegit next to git and Taskwarrior
on the same generated repositories.

usage: bench/bench.py DELEGIT [N ...] [--runs R] [--keep DIR]
       (default sizes 1000 10000 100000, 5 runs)
       bench/bench.py DELEGIT --sync-only REPO [--runs R] [--keep DIR]
       (the sync rows alone, on clones of an existing repository)

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
one) each side changes every task, in the same proportions. The same sync
is measured again with every commit
signed (gpg.format=ssh): an ed25519 key for each side's person (p1, p2),
listed in their team files, `signatures: required` in the policy, each
side's 1,000 commits signed by `ssh-keygen -Y sign` as git signs them
(rewritten after fast-import, which cannot sign; not timed), and the
syncing side signing its merge commit: `delegit sync` then verifies the
other side's 1,000 signatures as it judges them. The two variants take
turns in the timed runs, with git's own fetch, merge (the merge driver
delegit's) and push of the same unsigned commits; their every run's wall
and CPU time are listed below the tables.
Output: Markdown, as docs/benchmarks.md shows it.
"""
import hashlib
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


def timed(cmd, cwd, env, runs, setup=None, check=None):
    """Median wall time (ms) and peak RSS (MiB) of a command over runs."""
    times, peak, _ = timed_runs(cmd, cwd, env, runs, setup, check)
    return statistics.median(times), peak


def timed_runs(cmd, cwd, env, runs, setup=None, check=None):
    """Every run's wall time and CPU time (user and system, ms), and the
    peak RSS (MiB); check(stderr) after each run, when given."""
    times, peak, cpus = [], 0.0, []
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
        cpus.append((usage.ru_utime + usage.ru_stime) * 1000)
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit("failed: %s\n%s" % (" ".join(cmd), err[-2000:]))
        if check:
            check(err)
        if times[-1] > 20000 and len(times) >= 1:
            break  # slow: one run says enough
    return times, peak, cpus


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


# ---------------------------------------------------------------------------
# The same sync with every commit signed (gpg.format=ssh), as git signs them

def make_keys(tmp, env):
    """An ed25519 key (no passphrase) for p1 and for p2: {who: (private key
    file, public key line)}."""
    d = os.path.join(tmp, "keys")
    os.makedirs(d)
    keys = {}
    for who in (1, 2):
        f = os.path.join(d, "p%d" % who)
        run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C",
             "p%d" % who, "-f", f], d, env)
        with open(f + ".pub") as pub:
            keys[who] = (f, pub.read().strip())
    return keys


def signed_base(tmp, repo, env, keys):
    """A clone of repo with one more commit, by the director: p1's and p2's
    keys in their team files, and `signatures: required` in the policy."""
    base = os.path.join(tmp, "repo-signed")
    run(["git", "clone", "-q", repo, base], tmp, env)
    for k, v in (("user.email", "p0@bench.example"),
                 ("user.name", "Person 0")):
        run(["git", "config", k, v], base, env)
    for who, (_, line) in keys.items():
        with open(os.path.join(base, "team", "p%d.yaml" % who), "a") as f:
            f.write('keys: ["%s"]\n' % line)
    path = os.path.join(base, ".delegit", "policy.yaml")
    with open(path) as f:
        text = f.read()
    text, n = re.subn(r"(?m)^(mode: .*\n)", r"\1signatures: required\n", text)
    if n != 1:
        raise SystemExit("no mode line in " + path)
    with open(path, "w") as f:
        f.write(text)
    run(["git", "commit", "-q", "-am", "Keys of p1 and p2; signatures "
         "required"], base, env)
    return base


def sign_commit(content, key, env):
    """content with a gpgsig header as git writes it: ssh-keygen's armored
    signature over the commit without it, after the committer line, each
    line after the first indented by a space."""
    p = subprocess.run(["ssh-keygen", "-q", "-Y", "sign", "-n", "git", "-f",
                        key], input=content, env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    if p.returncode or not p.stdout.startswith(b"-----BEGIN SSH SIGNATURE"):
        raise SystemExit("ssh-keygen -Y sign failed: " + p.stderr.decode())
    header = b"gpgsig " + p.stdout.rstrip(b"\n").replace(b"\n", b"\n ")
    head, body = content.split(b"\n\n", 1)
    lines = head.split(b"\n")
    at = next(i for i, l in enumerate(lines) if l.startswith(b"committer "))
    lines.insert(at + 1, header)
    return b"\n".join(lines) + b"\n\n" + body


def sign_chain(clone, env, key, base):
    """Rewrite the commits base..main of clone, oldest first, each signed
    with key and on its rewritten parent (fast-import cannot sign); main
    moves to the last. The new commits go in one pack of their own, as
    fast-import's commits were in its pack."""
    ids = run(["git", "rev-list", "--reverse", "--topo-order",
               "%s..main" % base], clone, env).decode().split()
    cat = subprocess.run(["git", "cat-file", "--batch"], cwd=clone, env=env,
                         input="\n".join(ids).encode() + b"\n",
                         stdout=subprocess.PIPE, check=True).stdout
    new, pos, out = {}, 0, []
    objdir = tempfile.mkdtemp(dir=clone)
    for old in ids:
        nl = cat.index(b"\n", pos)
        oid, kind, size = cat[pos:nl].split()
        assert oid.decode() == old and kind == b"commit", cat[pos:nl]
        content = cat[nl + 1:nl + 1 + int(size)]
        pos = nl + 1 + int(size) + 1
        m = re.search(rb"(?m)^parent ([0-9a-f]{40})$", content)
        if m and m.group(1).decode() in new:
            content = (content[:m.start(1)] + new[m.group(1).decode()].encode()
                       + content[m.end(1):])
        signed = sign_commit(content, key, env)
        new[old] = hashlib.sha1(b"commit %d\0" % len(signed)
                                + signed).hexdigest()
        f = os.path.join(objdir, new[old])
        with open(f, "wb") as w:
            w.write(signed)
        out.append(f)
    written = run(["git", "hash-object", "-t", "commit", "-w",
                   "--stdin-paths"], clone, env,
                  input="\n".join(out).encode() + b"\n").decode().split()
    shutil.rmtree(objdir)
    if written != [new[i] for i in ids]:
        raise SystemExit("signed commits written under other ids")
    run(["git", "update-ref", "refs/heads/main", new[ids[-1]], ids[-1]],
        clone, env)
    run(["git", "reset", "-q", "--hard", "main"], clone, env)
    run(["git", "repack", "-d", "-q"], clone, env)
    return new[ids[-1]]


def verify_signed(clone, env, keys, who, n):
    """git verify-commit of the first and last of the n commits on main."""
    signers = os.path.join(clone, ".git", "allowed_signers")
    with open(signers, "w") as f:
        f.write('p%d@bench.example namespaces="git" %s\n' % (who, keys[who][1]))
    for rev in ("main", "main~%d" % (n - 1)):
        run(["git", "-c", "gpg.ssh.allowedSignersFile=" + signers,
             "verify-commit", rev], clone, env)


SYNC_CHANGES = 1000


def sync_changes(n):
    """The tasks changed on each side: 1,000, or all of a smaller size."""
    return min(SYNC_CHANGES, n)


def sync_setup(tmp, repo, env, rng, changes, keys=None, prefix=""):
    """Two clones a and b of a bare remote, 1,000 changes on each (b's
    pushed); with keys, every commit signed with its side's key, and a
    signing its own commits. Returns a, and a reset to the first state."""
    remote = os.path.join(tmp, prefix + "remote.git")
    a, b = os.path.join(tmp, prefix + "a"), os.path.join(tmp, prefix + "b")
    run(["git", "clone", "-q", "--bare", repo, remote], tmp, env)
    for side, who in ((a, 1), (b, 2)):
        run(["git", "clone", "-q", remote, side], tmp, env)
        run(["git", "config", "user.email", "p%d@bench.example" % who], side,
            env)
        run(["git", "config", "user.name", "Person %d" % who], side, env)
    if keys:
        for k, v in (("commit.gpgsign", "true"), ("gpg.format", "ssh"),
                     ("user.signingkey", keys[1][0])):
            run(["git", "config", k, v], a, env)
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
    if keys:
        base = run(["git", "rev-parse", "origin/main"], a, env).decode().strip()
        for side, who, n in ((a, 1, len(edits_a)), (b, 2, len(edits_b))):
            sign_chain(side, env, keys[who][0], base)
            verify_signed(side, env, keys, who, n)
    run(["git", "push", "-q", "origin", "main"], b, env)
    heads = {"a": run(["git", "rev-parse", "HEAD"], a, env).decode().strip(),
             "origin": run(["git", "rev-parse", "origin/main"], a,
                           env).decode().strip(),
             "b": run(["git", "rev-parse", "HEAD"], b, env).decode().strip()}

    packdir = os.path.join(remote, "objects", "pack")
    packs = set(os.listdir(packdir))

    def reset():
        run(["git", "reset", "-q", "--hard", heads["a"]], a, env)
        run(["git", "update-ref", "refs/remotes/origin/main",
             heads["origin"]], a, env)
        run(["git", "update-ref", "refs/heads/main", heads["b"]], remote, env)
        # Each run's push leaves a pack in the remote, named by its bytes,
        # which vary between runs: unreferenced once main is back, and no
        # run should look through the packs of the runs before it.
        for f in set(os.listdir(packdir)) - packs:
            os.unlink(os.path.join(packdir, f))
    return a, reset


# git's own sync of a clone: fetch, merge (the merge driver the clone's
# config names), push
GIT_SYNC = ["sh", "-c", "git fetch -q origin && git merge -q --no-edit "
            "origin/main && git push -q origin HEAD:main"]


def sync_turns(variants, env, rounds):
    """Each variant (name: cwd, setup, command, check(name)) once a round,
    in turns (ABC, CBA, ...: a drift in the shared machine's speed falls
    on all): name -> (every run's wall ms, peak MiB, every run's CPU ms)."""
    warm = {v: ([], 0.0, []) for v in variants}
    for k in range(rounds):
        for v in sorted(variants, reverse=k % 2 == 1):
            cwd, setup, cmd, check = variants[v]
            ts, mib, cpu = timed_runs(cmd, cwd, env, 1, setup=setup,
                                      check=check(v))
            warm[v] = (warm[v][0] + ts, max(warm[v][1], mib),
                       warm[v][2] + cpu)
    return warm


def sync_only(delegit, repo, runs, keep):
    """The unsigned sync of 1,000 changes a side and git's own, in turns,
    on a copy of an existing repository (--sync-only): the rows."""
    tmp = tempfile.mkdtemp(prefix="delegit-bench-", dir=keep)
    home = os.path.join(tmp, "home")
    os.makedirs(home)
    env = env_for(home)
    try:
        n = len(run(["git", "ls-files", "tasks"], repo, env).split())
        side, reset = sync_setup(tmp, repo, env, random.Random(n),
                                 sync_changes(n))
        first = timed([delegit, "sync"], side, env, 1)
        warm = sync_turns({"delegit": (side, reset, [delegit, "sync"],
                                       lambda v: None),
                           "git": (side, reset, GIT_SYNC, lambda v: None)},
                          env, runs)
        print("| at %d tasks | median wall | runs (wall) | runs (CPU) "
              "| peak |" % n)
        print("|---|---|---|---|---|")
        print("| delegit sync, first run (fetch included) | %.0f ms | | "
              "| %.0f MiB |" % first)
        for v, name in (("delegit", "delegit sync"),
                        ("git", "git fetch + merge + push")):
            ts, mib, cpu = warm[v]
            print("| %s (%d changes each side) | %.0f ms | %s | %s | "
                  "%.0f MiB |" % (name, sync_changes(n),
                                  statistics.median(ts),
                                  ", ".join("%.0f" % t for t in ts),
                                  ", ".join("%.0f" % t for t in cpu), mib))
    finally:
        if not keep:
            shutil.rmtree(tmp, ignore_errors=True)


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
            ("delegit report delivery", [delegit, "report", "delivery"]),
            ("delegit report sla", [delegit, "report", "sla"]),
            ("delegit report accountability",
             [delegit, "report", "accountability"]),
            ("delegit suggest ID", [delegit, "suggest", tid]),
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
        ms, mib = timed(["git", "log", "--name-only", "--format=%H"], repo,
                        env, 1)
        row("git log --name-only", ms, mib)
        # the first history query of a fresh clone: the history index and
        # the events built, every change read once
        for name in ("delegit-history", "delegit-events"):
            os.remove(os.path.join(repo, ".git", name))
        ms, mib = timed([delegit, "report", "delivery"], repo, env, 1)
        row("delegit report delivery, first run (indexes built)", ms, mib)
        # Taskwarrior with the same tasks
        count, secs = taskwarrior_setup(repo, home, env, delegit)
        ms, mib = timed(["task", "add", "Bench task", "project:p1"], home,
                        env, runs)
        row("task add", ms, mib)
        ms, mib = timed(["task", "list"], home, env, runs)
        row("task list", ms, mib, "(%d tasks imported in %.0f s)"
            % (count, secs))
        # sync; and the same sync with every commit signed, the same
        # changes drawn (the same state of rng)
        drawn = rng.getstate()
        side, reset = sync_setup(tmp, repo, env, rng, sync_changes(n))
        keys = make_keys(tmp, env)
        srng = random.Random()
        srng.setstate(drawn)
        sside, sreset = sync_setup(tmp, signed_base(tmp, repo, env, keys),
                                   env, srng, sync_changes(n), keys=keys,
                                   prefix="signed-")
        judged = {}

        def check(variant):
            def check(err):
                # the signed side's commits all verify: no violation of
                # the signature rule, the others as many as unsigned
                if "(signature)" in err:
                    raise SystemExit("sync: signature violations\n"
                                     + err[-2000:])
                m = re.search(r"delegit: (\d+) changes? the policy", err)
                judged.setdefault(variant, set()).add(int(m.group(1)) if m
                                                      else 0)
                if variant == "signed" and not re.search(
                        rb"(?m)^gpgsig ", run(["git", "cat-file", "commit",
                                                "HEAD"], sside, env)):
                    raise SystemExit("sync: the merge commit is unsigned")
            return check
        variants = {"plain": (side, reset, [delegit, "sync"], check),
                    "signed": (sside, sreset, [delegit, "sync"], check)}
        cold = {}
        for v in ("plain", "signed"):
            cwd, _, cmd, chk = variants[v]
            cold[v] = timed(cmd, cwd, env, 1, check=chk(v))
        # git's own fetch, merge and push of the same commits, the merge
        # driver delegit's (the first sync set it in the clone's config):
        # git runs it for each file both sides changed
        variants["git"] = (side, reset, GIT_SYNC, lambda v: None)
        warm = sync_turns(variants, env, min(runs, 3))
        if judged["plain"] != judged["signed"] or len(judged["plain"]) != 1:
            raise SystemExit("sync: violations differ: %r" % judged)
        spread = {v: ", ".join("%.0f" % t for t in ts)
                  for v, (ts, _, _) in warm.items()}
        cpu = {v: ", ".join("%.0f" % t for t in ts)
               for v, (_, _, ts) in warm.items()}
        row("delegit sync, first run (fetch included)", *cold["plain"])
        row("delegit sync (1,000 changes each side)",
            statistics.median(warm["plain"][0]), warm["plain"][1],
            "(runs: %s ms)" % spread["plain"])
        row("git fetch + merge + push (1,000 changes each side)",
            statistics.median(warm["git"][0]), warm["git"][1],
            "(runs: %s ms)" % spread["git"])
        row("delegit sync, signed and verified, first run", *cold["signed"])
        row("delegit sync, signed and verified (1,000 signed commits each "
            "side)", statistics.median(warm["signed"][0]),
            warm["signed"][1], "(runs: %s ms)" % spread["signed"])
        notes = ["sync runs, in turn: unsigned %s ms; signed %s ms; git "
                 "%s ms" % (spread["plain"], spread["signed"],
                            spread["git"]),
                 "their CPU time (user + system): unsigned %s ms; signed "
                 "%s ms; git %s ms" % (cpu["plain"], cpu["signed"],
                                       cpu["git"])]
        return n, gen, ncommits, rows, notes
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
    only = None
    if "--sync-only" in args:
        i = args.index("--sync-only")
        only = os.path.abspath(args[i + 1])
        del args[i:i + 2]
    if "--keep" in args:
        i = args.index("--keep")
        keep = os.path.abspath(args[i + 1])
        os.makedirs(keep, exist_ok=True)
        del args[i:i + 2]
    if not args:
        raise SystemExit(__doc__)
    delegit = os.path.abspath(args[0])
    if only:
        return sync_only(delegit, only, runs, keep)
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
            ("git log / delegit log", "git log -- FILE", "delegit log ID"),
            ("report delivery / git log --name-only",
             "delegit report delivery", "git log --name-only"),
            ("report accountability / git log --name-only",
             "delegit report accountability", "git log --name-only"),
            ("git status / delegit check", "git status", "delegit check"),
            ("signed sync / sync", "delegit sync, signed and verified "
             "(1,000 signed commits each side)",
             "delegit sync (1,000 changes each side)"),
            ("sync / git fetch + merge + push",
             "delegit sync (1,000 changes each side)",
             "git fetch + merge + push (1,000 changes each side)")):
        print("| %s | " % label + " | ".join(
            ("%.2f×" if label.startswith(("signed", "report", "sync"))
             else "%.1f×")
            % ratio(r[3], a, b) for r in results) + " |")
    if len(results) > 1:
        print()
        print("| growth, %d → %d tasks | × |" % (results[-2][0],
                                               results[-1][0]))
        print("|---|---|")
        for i, name in enumerate(names):
            print("| %s | %.1f× |" % (name, results[-1][3][i][1] /
                                      results[-2][3][i][1]))
    print()
    for n, gen, ncommits, _, notes in results:
        print("- %d tasks: %d commits, generated in %.0f s%s"
              % (n, ncommits, gen, "" if sync_changes(n) == SYNC_CHANGES
                 else "; sync with %d changes each side" % sync_changes(n)))
        for note in notes:
            print("  - " + note)


if __name__ == "__main__":
    main()
