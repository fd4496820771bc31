#!/usr/bin/python3
"""Fault injection (docs/testing.md, "Fault injection"): the real binary
with tests/fault/dlgfault.so preloaded, which makes the Nth call of a
named function fail (a read, a write, a rename, flock, fork, pipe, or one
of libgit2's). After every injected failure: no crash, a non-zero exit
with a message, or success; the repository not wedged (the next command
succeeds), nothing lost (HEAD the old commit or one after it, the work
tree HEAD's, git fsck clean, no lock file left).

TestFaults sweeps commands with each function failing at a few of its
calls; TestFaultTargets names the failures docs/testing.md listed as
surviving mutants. DELEGIT_FAULT_DEPTH=N tries N call numbers a function
(2 by default; in a sync, half as many of the C library's and one more
of libgit2's, each call of which is a site of its own; 0: every call).
"""
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import unittest

from helpers import (DELEGIT, VALGRIND, Network, Repo, start_git_http)
from test_trust import SignedTest, TrustTest

SHIM = os.environ.get("DELEGIT_FAULT_SHIM", "")
ASAN = os.environ.get("DELEGIT_FAULT_ASAN", "")
DEPTH = int(os.environ.get("DELEGIT_FAULT_DEPTH", "2"))

LIBC = ["open", "read", "write", "pread", "pwrite", "close", "rename",
        "unlink", "mkdir", "rmdir", "fsync", "ftruncate", "flock", "fork",
        "pipe", "waitpid", "fopen", "opendir", "fdopendir", "mmap", "mkdtemp",
        "posix_spawnp"]


def wrapped(header, macro):
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "..", "fault", header)) as f:
        return re.findall(r"^%s\((?:[^,]+, )?(\w+)," % macro, f.read(), re.M)


def git_functions():
    return wrapped("git_wrappers.h", "WRAP_GIT")


# OpenSSL's, which sync/sshsig.c calls to verify signatures
SSL = wrapped("ssl_wrappers.h", "WRAP_SSL")
ALL = LIBC + git_functions() + SSL
SANITIZER = ("AddressSanitizer", "LeakSanitizer", "runtime error:")


def why_not():
    """Why the shim cannot run here, or None."""
    if VALGRIND:
        return "not under valgrind (it preloads its own)"
    if not SHIM or not os.path.exists(SHIM):
        return "no fault shim (DELEGIT_FAULT_SHIM, built with the tests)"
    if ASAN and not os.path.isabs(ASAN):
        return "the ASan runtime was not found to preload first"
    return None


def points(calls, name, depth):
    """Which calls of a function called `calls` times to fail: the
    first, the last, the middle, the second..., depth of them (0: all).
    With depth 1, one call drawn from the function's name: the same each
    run, and another site for each function."""
    if depth == 0 or calls <= depth:
        return list(range(1, calls + 1))
    if depth == 1:
        return [1 + sum(map(ord, name)) * 7919 % calls]
    chosen = [1, calls, (calls + 1) // 2, 2]
    chosen += list(range(3, calls, max(1, calls // depth)))
    out = []
    for n in chosen:
        if n not in out:
            out.append(n)
    return sorted(out[:depth])


class Result:
    def __init__(self, proc, log):
        self.returncode = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        self.fired = []
        self.calls = {}
        self.leaked = []
        self.sites = []
        self.aborted = False
        for line in log.splitlines():
            word = line.split()
            if word[0] == "site":
                self.sites.append(word[1])
            elif word[0] == "aborted":
                self.aborted = True
            elif word[0] == "fired":
                self.fired.append((word[1], int(word[2])))
            elif word[0] == "calls":
                self.calls[word[1]] = int(word[2])
            elif word[0] == "pipe-fd-leaked":
                self.leaked.append(int(word[1]))


def faulted(repo, spec, *args, cwd=None, env=None):
    """delegit ARGS in repo with DLG_FAULT=spec: a Result."""
    fd, log = tempfile.mkstemp(prefix="delegit-fault-")
    os.close(fd)
    e = dict(env or repo.env)
    e["LD_PRELOAD"] = (ASAN + ":" if ASAN else "") + SHIM
    e["DLG_FAULT"] = spec
    e["DLG_FAULT_LOG"] = log
    # A leak on an error path is reported by the sanitizer build's own
    # e2e classes; here, what matters is what the fault does.
    e["ASAN_OPTIONS"] = "detect_leaks=0:abort_on_error=1"
    try:
        proc = subprocess.run([DELEGIT, *args], cwd=cwd or repo.path, env=e,
                              capture_output=True, text=True, timeout=120,
                              stdin=subprocess.DEVNULL)
        with open(log) as f:
            return Result(proc, f.read())
    finally:
        os.unlink(log)


def count_calls(repo, *args, **kw):
    """The calls each function gets in delegit ARGS: {name: count}."""
    r = faulted(repo, ",".join(n + ":0" for n in ALL), *args, **kw)
    if r.returncode:
        raise AssertionError("delegit %s failed unfaulted:\n%s"
                             % (args, r.stderr))
    return {n: c for n, c in r.calls.items() if c}


def count_calls_any(repo, *args, **kw):
    """count_calls for a command that exits 1 when it finds something
    (an audit): {name: count}."""
    r = faulted(repo, ",".join(n + ":0" for n in ALL), *args, **kw)
    if r.returncode not in (0, 1):
        raise AssertionError("delegit %s failed unfaulted:\n%s"
                             % (args, r.stderr))
    return {n: c for n, c in r.calls.items() if c}


class FaultTest(unittest.TestCase):
    def setUp(self):
        reason = why_not()
        if reason:
            self.skipTest(reason)

    def assert_nothing_lost(self, repo, old_head, where):
        """HEAD is the old commit or one after it; git fsck is clean."""
        head = repo.head()
        if head != old_head:
            repo.git("merge-base", "--is-ancestor", old_head, head)
        fsck = subprocess.run(["git", "fsck", "--no-progress"],
                              cwd=repo.path, env=repo.env,
                              capture_output=True, text=True)
        self.assertEqual(fsck.returncode, 0, fsck.stdout + fsck.stderr +
                         where)

    def assert_survived(self, repo, r, what, old_head, again=None):
        """What must hold after any injected failure. again: the command
        that finishes a sync left half done (.git/delegit-sync-pending,
        as after a kill: docs/sync.md), run before the work tree is
        looked at."""
        where = "%s: %s (exit %d)\n%s" % (what, r.fired, r.returncode,
                                          r.stderr)
        self.assertGreaterEqual(r.returncode, 0, "killed by a signal: " +
                                where)
        for word in SANITIZER:
            self.assertNotIn(word, r.stderr, where)
        self.assertEqual(r.leaked, [], "pipe descriptors left open: " +
                         where)
        if r.returncode:
            self.assertTrue(r.fired, "failed with no fault: " + where)
            self.assertRegex(r.stderr, r"(^|\n)delegit: \S", where)
            self.assertNotIn("(null)", r.stderr, where)
        self.assert_nothing_lost(repo, old_head, where)
        pending = os.path.join(repo.path, ".git", "delegit-sync-pending")
        if os.path.exists(pending):
            self.assertTrue(again, "a sync left half done: " + where)
            done = repo.run(*again)
            self.assertEqual(done.returncode, 0, done.stderr + where)
            self.assertFalse(os.path.exists(pending), where)
        # the work tree is HEAD's, and nothing was left half done
        self.assertEqual(repo.git("status", "--porcelain", "--ignored",
                                  "--untracked-files=all"), "", where)
        gitdir = os.path.join(repo.path, ".git")
        # (delegit.lock stays, by design; so may delegit-held, a record
        # of git's locks the next command reads, when its unlink failed;
        # and a temporary file under objects/ whose unlink failed: its
        # name is never taken again)
        locks = []
        for root, _dirs, names in os.walk(gitdir):
            if os.path.relpath(root, gitdir).startswith("objects"):
                continue
            locks += [os.path.relpath(os.path.join(root, n), gitdir)
                      for n in names if n.endswith(".lock") and
                      n != "delegit.lock"]
        self.assertEqual(locks, [], where)
        # not wedged (after a success, the sweep's next command says so)
        if r.returncode:
            after = repo.run("check")
            self.assertEqual(after.returncode, 0, after.stderr + where)

    def from_here(self):
        """before(i) for a sweep of the director's sync, in a test with
        TrustTest's replicas (self.dana, self.kim, self.net): the
        director's branch (and its record of the remote's) put back where
        it is now, the remote's where kim's is now."""
        dana, theirs, ours = self.dana, self.kim.head(), self.dana.head()

        def before(i):
            dana.git("reset", "-q", "--hard", ours)
            dana.git("update-ref", "refs/remotes/origin/main", ours)
            dana.git("update-ref", "refs/heads/main", theirs,
                     cwd=self.net.bare)
        return before

    def sweep(self, repo, args_of, before=None, after=None, only=None,
              again=None, depth=DEPTH, git_depth=None):
        """For each function the command calls, fail it at a few of its
        calls (points()), then assert_survived. args_of(i): the command's
        arguments for the i-th run; before(i) prepares each run;
        after(i, result) checks it further. Returns the number of runs."""
        if before:
            before(0)
        calls = count_calls(repo, *args_of(0))
        if after:
            after(0, None)
        runs = 0
        for name in sorted(calls):
            if only and name not in only:
                continue
            d = git_depth if git_depth is not None and \
                name.startswith("git_") else depth
            for n in points(calls[name], name, d):
                runs += 1
                if before:
                    before(runs)
                old = repo.head()
                t0 = time.time()
                r = faulted(repo, "%s:%d" % (name, n), *args_of(runs))
                if os.environ.get("DELEGIT_FAULT_VERBOSE") and \
                        time.time() - t0 > 1:
                    print("slow: %s:%d %.1f s" % (name, n, time.time() - t0))
                self.assert_survived(repo, r, "%s:%d of %s" %
                                     (name, n, args_of(runs)), old, again)
                if after:
                    after(runs, r)
        if os.environ.get("DELEGIT_FAULT_VERBOSE"):
            print("%d runs: %s" % (runs, calls))
        return runs


class TestFaults(FaultTest):
    """Each command with each function it calls failing at a few of its
    calls."""

    def test_add(self):
        repo = Repo()
        self.addCleanup(repo.close)

        def after(i, r):
            # the task is there and committed, or not there at all
            out = repo.git("log", "--format=%s", "-1")
            if r is None or r.returncode == 0:
                self.assertIn("task %d" % i, repo.ok("list", "--all"))
            else:
                self.assertNotIn("task %d" % i, out)
        self.sweep(repo, lambda i: ["add", "--to", "sam", "--",
                                    "task %d" % i], after=after)

    def test_set_on_a_task(self):
        repo = Repo()
        self.addCleanup(repo.close)
        tid = repo.add("the task", "--to", "sam")["id"]

        def after(i, r):
            title = repo.load(tid)["title"]
            if r is None or r.returncode == 0:
                self.assertEqual(title, "title %d" % i)
            else:
                self.assertNotEqual(title, "title %d" % i)
        self.sweep(repo, lambda i: ["set", tid[:8], "title=title %d" % i],
                   after=after)

    def test_clone(self):
        net = Network(1)
        self.addCleanup(net.close)
        a = net.replicas[0]
        a.add("a task", "--to", "kim")
        a.ok("sync", "-q")
        where = os.path.join(net.tmp, "clones")
        os.mkdir(where)
        calls = count_calls(a, "clone", "-q", net.bare,
                            os.path.join(where, "c0"), cwd=where)
        i = 0
        for name in sorted(calls):
            for n in points(calls[name], name, DEPTH):
                i += 1
                dest = os.path.join(where, "c%d" % i)
                r = faulted(a, "%s:%d" % (name, n), "clone", "-q", net.bare,
                            dest, cwd=where)
                what = "%s:%d of clone: %s (exit %d)\n%s" % (
                    name, n, r.fired, r.returncode, r.stderr)
                self.assertGreaterEqual(r.returncode, 0, what)
                for word in SANITIZER:
                    self.assertNotIn(word, r.stderr, what)
                if r.returncode:
                    self.assertRegex(r.stderr, r"(^|\n)delegit: \S", what)
                    # a failed clone leaves no half-made folder that the
                    # next clone into the same path would refuse (but its
                    # removal may be what failed); a clone made, whose
                    # merge driver was not set up, is a sound repository
                    if os.path.exists(dest) and \
                            name not in ("unlink", "rmdir"):
                        out = subprocess.run(
                            [DELEGIT, "list", "--all"], cwd=dest, env=a.env,
                            capture_output=True, text=True)
                        self.assertEqual(out.returncode, 0,
                                         "a half-made clone: " + what)
                        self.assertIn("a task", out.stdout, what)
                    shutil.rmtree(dest, ignore_errors=True)
                    continue
                out = subprocess.run([DELEGIT, "list", "--all"], cwd=dest,
                                     env=a.env, capture_output=True,
                                     text=True)
                self.assertEqual(out.returncode, 0, out.stderr + what)
                self.assertIn("a task", out.stdout, what)
                shutil.rmtree(dest)

    def test_signed_commits(self):
        """Signing through ssh-keygen (user.signingkey, commit.gpgsign):
        the folder, the files, the pipe and the program each failing."""
        if not shutil.which("ssh-keygen"):
            self.skipTest("ssh-keygen is not installed")
        repo = Repo()
        self.addCleanup(repo.close)
        key = os.path.join(repo.tmp, "key")
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "",
                        "-C", "dana", "-f", key], check=True)
        for k, v in (("gpg.format", "ssh"), ("user.signingkey", key),
                     ("commit.gpgsign", "true")):
            repo.git("config", k, v)
        # ssh-keygen's temporary folder: removed, unless removing it was
        # what failed
        tmp = os.path.join(repo.tmp, "tmpdir")
        os.mkdir(tmp)
        repo.env["TMPDIR"] = tmp

        def after(i, r):
            if r is None or not {n for n, _ in r.fired} & {
                    "unlink", "rmdir", "opendir"}:
                self.assertEqual(os.listdir(tmp), [], r and r.fired)
            for name in os.listdir(tmp):
                shutil.rmtree(os.path.join(tmp, name))
        self.sweep(repo, lambda i: ["add", "--", "signed %d" % i],
                   after=after,
                   only=("mkdtemp", "pipe", "posix_spawnp", "waitpid",
                         "open", "write", "read", "close", "unlink",
                         "rmdir", "opendir",
                         "git_commit_create_with_signature",
                         "git_commit_create_buffer"))
        repo.git("verify-commit", "HEAD", check=False)
        self.assertIn("gpgsig", repo.git("cat-file", "commit", "HEAD"))



class TestFaultsSync(FaultTest):
    """delegit sync, bringing in and sending out, with each function it
    calls failing at a few of its calls."""

    def test_sync_both_ways(self):
        net = Network(2)
        self.addCleanup(net.close)
        a, b = net.replicas

        def before(i):
            a.add("from a %d" % i, "--to", "kim")
            a.ok("sync", "-q")
            b.add("from b %d" % i, "--to", "kim")

        def after(i, r):
            if r is not None and r.returncode:
                # nothing lost: the next sync sends and brings it all
                b.ok("sync", "-q")
            listed = b.ok("list", "--all")
            self.assertIn("from a %d" % i, listed)
            self.assertIn("from b %d" % i, listed)
        runs = self.sweep(b, lambda i: ["sync", "-q"], before=before,
                          after=after, again=["sync", "-q"],
                          depth=(DEPTH + 1) // 2,
                          git_depth=DEPTH and DEPTH + 1)
        a.ok("sync", "-q")
        self.assertEqual(a.files(), b.files())
        self.assertGreater(runs, 20)


class TestFaultTargets(FaultTest):
    """The failures of the system docs/testing.md listed as surviving
    mutants, each provoked on purpose."""

    def setUp(self):
        super().setUp()
        self.repo = Repo()
        self.addCleanup(self.repo.close)

    def refused(self, r, *words):
        """r failed with exit 1 and a message holding words."""
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertTrue(r.fired, r.stderr)
        for w in words:
            self.assertIn(w, r.stderr)

    def test_a_lock_flock_refuses_is_an_error(self):
        # sync/repo.c: flock failing with another error than EWOULDBLOCK
        # (ENOLCK on some network file systems) is not the lock taken
        old = self.repo.head()
        r = faulted(self.repo, "flock:1", "add", "--", "not added")
        self.refused(r, "cannot lock", "delegit.lock", "No locks available")
        self.assertEqual(self.repo.head(), old)
        self.assert_survived(self.repo, r, "flock", old)

    def test_a_lock_file_that_cannot_be_opened(self):
        old = self.repo.head()
        r = faulted(self.repo, "open@delegit.lock:1:EROFS", "add", "--",
                    "not added")
        self.refused(r, "cannot open", "delegit.lock",
                     "Read-only file system")
        self.assertEqual(self.repo.head(), old)

    def test_a_remote_that_cannot_be_read_is_not_a_usage_error(self):
        # sync/remote.c: git_remote_lookup failing otherwise than "no such
        # remote" (the configuration unreadable) is an error (exit 1), not
        # a mistake of the command line (exit 2)
        net = Network(1)
        self.addCleanup(net.close)
        a = net.replicas[0]
        r = faulted(a, "git_remote_lookup:1+", "sync", "-q")
        self.refused(r, "cannot read the remote")
        self.assertNotIn("no remote", r.stderr)

    def test_a_task_file_that_cannot_be_read(self):
        # core/store.c: read() failing after open() succeeded
        tid = self.repo.add("a task", "--to", "sam")["id"]
        old = self.repo.head()
        r = faulted(self.repo, "read@/tasks/:1:EIO", "set", tid[:8],
                    "title=x")
        self.refused(r, "tasks/%s/%s.yaml: Input/output error"
                     % (tid[:2], tid))
        self.assertEqual(self.repo.head(), old)

    def test_the_index_failing_after_the_commit_commits_nothing(self):
        # the commit made, then the index cannot be written: the branch
        # is put back, so that the task file put back agrees with HEAD
        tid = self.repo.add("a task", "--to", "sam")["id"]
        for spec in ("close@index.lock:1", "rename@index.lock:1",
                     "write@index.lock:1"):
            old = self.repo.head()
            r = faulted(self.repo, spec, "set", tid[:8], "title=" + spec)
            self.refused(r, "index")
            self.assertEqual(self.repo.head(), old, spec)
            self.assert_survived(self.repo, r, spec, old)
            self.assertEqual(self.repo.load(tid)["title"], "a task")
        r = faulted(self.repo, "close@index.lock:1", "add", "--", "new one")
        self.refused(r, "index")
        self.assert_survived(self.repo, r, "add", old)
        self.assertNotIn("new one", self.repo.ok("list", "--all"))

    def test_the_merge_driver_that_cannot_be_configured(self):
        # sync/remote.c: writing git's configuration failing (with no
        # merge.delegit.name either, whose write would succeed after it)
        self.repo.git("config", "--remove-section", "merge.delegit")
        old = self.repo.head()
        r = faulted(self.repo, "git_config_set_string:1", "add", "--",
                    "not added")
        self.refused(r, "cannot write git configuration",
                     "injected fault")
        self.assertEqual(self.repo.head(), old)
        self.assertEqual(self.repo.git("config", "--get-regexp",
                                       "^merge[.]delegit", check=False), "")

    def test_a_shard_that_cannot_be_listed_for_a_short_id(self):
        # core/store.c: dlg_store_short_id's stand-in for a shard it
        # could not list was a compound literal out of scope (a crash)
        r = faulted(self.repo, "opendir@/tasks/:1", "add", "--", "added")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.fired, [("opendir", 1)])
        self.assertIn("added", self.repo.ok("list", "--all"))


    def test_the_store_failing_at_each_step(self):
        # core/store.c: writing a task file beside it and renaming it,
        # reading one, making its shard's folder: each failure told with
        # the file and the reason, nothing committed, no temporary file
        tid = self.repo.add("a task", "--to", "sam")["id"]
        for args in (["set", tid[:8], "title=changed"],
                     ["add", "--", "another"]):
            for spec, words in (
                    ("open@.delegit-tmp-:1", "Permission denied"),
                    ("write@.delegit-tmp-:1", "No space left on device"),
                    ("close@.delegit-tmp-:1", "Input/output error"),
                    ("rename@.delegit-tmp-:1", "Input/output error"),
                    ("open@/tasks/:1+", "Permission denied"),
                    ("mkdir@/tasks/:1+", "No space left on device")):
                old = self.repo.head()
                r = faulted(self.repo, spec, *args)
                what = "%s of %s" % (spec, args)
                if spec.startswith("mkdir") and not r.fired:
                    self.repo.git("reset", "-q", "--hard", old)
                    continue        # a shard already there
                self.refused(r, words)
                self.assertNotIn("(null)", r.stderr)
                self.assertEqual(self.repo.head(), old, what)
                self.assert_survived(self.repo, r, what, old)
        self.assertEqual(self.repo.load(tid)["title"], "a task")
        self.assertNotIn("another", self.repo.ok("list", "--all"))
        # the commit fails, and so does putting the file back: told
        old = self.repo.head()
        r = faulted(self.repo, "git_commit_create:1,unlink@/tasks/:1",
                    "add", "--", "stays")
        self.refused(r, "cannot commit", "the new version stays in tasks/",
                     "not committed")
        self.assertEqual(self.repo.head(), old)

    def test_a_failed_clone_leaves_nothing_behind(self):
        # sync/remote.c, dlg_repo_clone: libgit2 left the half-made
        # folder, which the next clone into the same path refused
        net = Network(1)
        self.addCleanup(net.close)
        where = os.path.join(net.tmp, "c")
        for spec in ("write:5", "rename:1", "mkdir:3"):
            r = faulted(self.repo, spec, "clone", "-q", net.bare, where,
                        cwd=net.tmp)
            self.refused(r, "cannot clone")
            self.assertFalse(os.path.exists(where), spec)
        os.mkdir(where)             # an empty folder given stays, empty
        r = faulted(self.repo, "write:5", "clone", "-q", net.bare, where,
                    cwd=net.tmp)
        self.refused(r, "cannot clone")
        self.assertEqual(os.listdir(where), [])
        self.repo.run_in(net.tmp, "clone", "-q", net.bare, where)
        self.assertTrue(os.path.exists(os.path.join(where, ".delegit")))

    def test_the_pending_file_of_a_sync_that_cannot_be_written(self):
        # sync/remote.c, move_head: the record of the move (written and
        # synced before the work tree is touched) failing stops the sync
        # before anything changed here
        net = Network(2)
        self.addCleanup(net.close)
        a, b = net.replicas
        for spec, words in (
                ("fopen@delegit-sync-pending:1+", "Permission denied"),
                ("fsync@delegit-sync-pending:1", "Input/output error")):
            tid = a.add("from a " + spec, "--to", "kim")["id"]
            a.ok("sync", "-q")
            old = b.head()
            r = faulted(b, spec, "sync", "-q")
            self.refused(r, "cannot write", "delegit-sync-pending", words)
            self.assertEqual(b.head(), old, spec)
            self.assertFalse(os.path.exists(b.task_file(tid)), spec)
            self.assert_survived(b, r, spec, old)
            b.ok("sync", "-q")
            self.assertEqual(b.load(tid)["title"], "from a " + spec)

    def test_a_merge_commits_parents_that_cannot_be_read(self):
        # sync/policy.c, merge_trees_of: an incoming merge commit whose
        # parents libgit2 cannot read stops the sync with that reason
        net = Network(2)
        self.addCleanup(net.close)
        a, b = net.replicas
        a.add("from a", "--to", "kim")
        a.ok("sync", "-q")
        b.add("from b", "--to", "kim")
        b.ok("sync", "-q")          # a merge commit, pushed
        self.assertEqual(len(b.git("log", "-1", "--format=%P").split()), 2)
        old = a.head()
        calls = count_calls(a, "sync", "-q").get("git_commit_parent", 0)
        a.git("reset", "-q", "--hard", old)
        said = []
        for n in range(1, calls + 1):
            r = faulted(a, "git_commit_parent:%d" % n, "sync", "-q")
            self.assert_survived(a, r, "git_commit_parent:%d" % n, old)
            if "cannot read a merge commit's parents" in r.stderr:
                said.append(n)
                self.assertEqual(r.returncode, 1, r.stderr)
                self.assertEqual(a.head(), old)
            if a.head() != old:
                a.git("reset", "-q", "--hard", old)
        self.assertTrue(said, "no call of git_commit_parent was the merge "
                        "commit's (%d calls)" % calls)

    def test_the_rows_cache_failing_never_hides_a_task(self):
        # core/rows.c: a shard's folder that cannot be listed, the cache
        # that cannot be renamed into place; sync/repo.c: flock
        # interrupted (EINTR) is tried again
        for i in range(6):
            self.repo.add("task %d" % i, "--to", "sam")
        want = self.repo.ok("list", "--all")
        cache = os.path.join(self.repo.path, ".git", "delegit-rows")
        for spec in ("fdopendir@/tasks/:1", "fdopendir@/tasks:1+",
                     "rename@delegit-rows:1"):
            if os.path.exists(cache):
                os.unlink(cache)
            r = faulted(self.repo, spec, "list", "--all")
            self.assertTrue(r.fired, spec)
            if spec.startswith("fdopendir"):
                # a folder that cannot be listed is said, not taken for
                # an empty one
                self.assertRegex(r.stderr, r"tasks(/[0-9a-f]{2})?: cannot "
                                 r"list this folder: Cannot allocate",
                                 spec)
            else:
                self.assertEqual(r.returncode, 0, spec + r.stderr)
                self.assertEqual(r.stdout, want, spec)
            self.assertEqual(self.repo.ok("list", "--all"), want, spec)
        r = faulted(self.repo, "flock@delegit.lock:1:EINTR", "add", "--",
                    "after an interrupted flock")
        self.assertEqual((r.returncode, r.fired), (0, [("flock", 1)]),
                         r.stderr)

    def test_mmap_failing_reads_the_slow_way(self):
        # core/store.c, dlg_path_map: a failed mmap is no map (NULL), not
        # MAP_FAILED; the git index and the rows cache are then read
        # another way, or built again
        self.repo.add("first", "--to", "sam")
        for args in (["add", "--", "second"], ["list", "--all"],
                     ["set", "--help"]):
            r = faulted(self.repo, "mmap:1+", *args)
            self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("second", self.repo.ok("list", "--all"))
        r = faulted(self.repo, "mmap:1+", "list", "--all")
        self.assertTrue(r.fired)
        self.assertIn("first", r.stdout)
        self.assertEqual(self.repo.git("status", "--porcelain"), "")

    def test_signing_failing_at_each_step(self):
        # sync/sshsig.c, dlg_sshsig_sign: each step failing is told, with
        # nothing committed and no temporary folder left
        if not shutil.which("ssh-keygen"):
            self.skipTest("ssh-keygen is not installed")
        repo = self.repo
        key = os.path.join(repo.tmp, "key")
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "",
                        "-C", "dana", "-f", key], check=True)
        for k, v in (("gpg.format", "ssh"), ("user.signingkey", key),
                     ("commit.gpgsign", "true")):
            repo.git("config", k, v)
        tmp = os.path.join(repo.tmp, "tmpdir")
        os.mkdir(tmp)
        env = dict(repo.env, TMPDIR=tmp)
        for spec, words in (
                ("mkdtemp:1", "cannot create a temporary folder"),
                ("open@delegit-sshsig-:1", "cannot write"),
                ("write@delegit-sshsig-:1", "No space left on device"),
                ("close@delegit-sshsig-:1", "cannot write"),
                ("pipe:1", "cannot create a pipe"),
                ("posix_spawnp:1", "cannot run 'ssh-keygen'"),
                ("read@data.sig:1", "wrote no signature"),
                ("waitpid:1", "cannot wait for 'ssh-keygen'")):
            old = repo.head()
            r = faulted(repo, spec, "add", "--", "signed", env=env)
            self.refused(r, "cannot sign the commit with", words)
            self.assertEqual(repo.head(), old, spec)
            self.assertEqual(os.listdir(tmp), [], spec)
            self.assert_survived(repo, r, spec, old)
        r = faulted(repo, "open:0", "add", "--", "signed", env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("gpgsig", repo.git("cat-file", "commit", "HEAD"))
        self.assertEqual(os.listdir(tmp), [])


@unittest.skipUnless(shutil.which("lighttpd"), "lighttpd is not installed")
class TestFaultsCredentials(FaultTest):
    """git's credential helper asked over a pipe and a fork (sync/remote.c,
    credential_fill) with each failing: the login is not had, the sync
    fails as without one, and no descriptor is left open."""

    def test_pipe_and_fork_failing_for_a_login(self):
        net = Network(2)
        self.addCleanup(net.close)
        b = net.replicas[1]
        url = start_git_http(self, net.tmp, net.bare, password="kim:s3cret")
        b.git("remote", "set-url", "origin", url)
        helper = os.path.join(net.tmp, "helper.sh")
        with open(helper, "w") as f:
            f.write("#!/bin/sh\necho username=kim\necho password=s3cret\n")
        os.chmod(helper, 0o755)
        b.git("config", "credential.helper", helper)
        b.add("over a login", "--to", "kim")
        for spec in ("pipe:1", "pipe:2", "fork:1"):
            old = b.head()
            r = faulted(b, spec + "+", "sync", "--timeout", "20")
            self.assertNotEqual(r.returncode, 0, spec + r.stderr)
            self.assertIn("authentication", r.stderr, spec)
            self.assert_survived(b, r, spec, old)
        self.assertIn("pushed", b.ok("sync", "--timeout", "20"))



class TestFaultsRemote(FaultTest):
    """sync/remote.c's libgit2 calls the other sweeps do not reach (issue
    20): a sync whose merge git makes (a task deleted on one side and
    changed on the other: settle_conflicts, keep_modified), and a clone
    that adopts the remote's only branch (adopt_branch), each function
    failing at each of its calls; the login from git's credential helper
    not made. After each: what assert_survived asks, and what the sync
    was to do is there after the next sync, or the clone is whole or not
    there at all."""

    # remote.c's calls in a merge git makes (e2e_FaultsSync's merges are
    # delegit's own, sync/merge.c)
    MERGE = ("git_annotated_commit_lookup", "git_merge_analysis",
             "git_merge_commits", "git_index_conflict_iterator_new",
             "git_index_conflict_next", "git_index_conflict_remove",
             "git_index_add", "git_index_write_tree_to", "git_signature_new",
             "git_checkout_tree", "git_reference_set_target",
             "git_merge_base", "git_tree_entry_bypath", "git_commit_tree")
    # called all through a sync: the call of remote.c's merge, found
    # from the last one back by what it says
    LATE = (("git_tree_lookup", "cannot write the merged tree"),
            ("git_commit_lookup", "cannot read the merge commit"))

    def test_a_merge_git_makes_failing_at_each_call(self):
        net = Network(2)
        self.addCleanup(net.close)
        a, b = net.replicas
        tid = a.add("Deleted there", "--to", "kim")["id"]
        a.ok("sync", "-q")
        b.ok("sync", "-q")
        a.git("rm", "-q", a.task_file(tid))
        a.git("commit", "-qm", "gone there")
        new = a.add("Comes in", "--to", "kim")["id"]
        a.ok("sync", "-q")
        b.ok("set", tid[:8], "title=Changed here")
        old = b.head()
        tracking = b.git("rev-parse", "origin/main")
        remote = a.head()

        def reset(i):
            b.git("reset", "-q", "--hard", old)
            b.git("update-ref", "refs/remotes/origin/main", tracking)
            subprocess.run(["git", "update-ref", "refs/heads/main", remote],
                           cwd=net.bare, check=True)

        def after(i, r):
            if r is not None and r.returncode:
                b.ok("sync", "-q")
            # the merge made: the changed task kept, theirs brought in,
            # and the remote has it
            what = r and "%s\n%s" % (r.fired, r.stderr)
            self.assertEqual(b.load(tid)["title"], "Changed here", what)
            self.assertEqual(b.load(new)["title"], "Comes in", what)
            self.assertEqual(len(b.git("log", "-1", "--format=%P").split()),
                             2, what)
            self.assertEqual(b.head(), subprocess.run(
                ["git", "rev-parse", "main"], cwd=net.bare, check=True,
                capture_output=True, text=True).stdout.strip(), what)
        runs = self.sweep(b, lambda i: ["sync", "-q"], before=reset,
                          after=after, again=["sync", "-q"], only=self.MERGE,
                          depth=0)
        self.assertGreater(runs, 15)
        reset(0)
        calls = count_calls(b, "sync", "-q")
        for name, words in self.LATE:
            for n in range(calls[name], 0, -1):
                reset(n)
                r = faulted(b, "%s:%d" % (name, n), "sync", "-q")
                self.assert_survived(b, r, "%s:%d" % (name, n), old,
                                     ["sync", "-q"])
                after(n, r)
                if words in r.stderr:
                    self.assertEqual(r.returncode, 1, r.stderr)
                    break
            else:
                self.fail("no call of %s says '%s'" % (name, words))

    def test_a_checkout_that_cannot_be_put_back(self):
        """A sync's checkout failing (not a conflict), and putting HEAD's
        files back failing too: the record of the move stays, and the
        next command finishes it. delegit's own checkout (a task file's
        write failing) and libgit2's (DELEGIT_CHECKOUT_GIT=1)."""
        for spec, env, fired in (
                ("write@/tasks/:1,git_checkout_tree:1+", {},
                 [("write", 1), ("git_checkout_tree", 1)]),
                ("git_checkout_tree:1+", {"DELEGIT_CHECKOUT_GIT": "1"},
                 [("git_checkout_tree", 1), ("git_checkout_tree", 2)])):
            net = Network(2)
            self.addCleanup(net.close)
            a, b = net.replicas
            tid = a.add("Comes in", "--to", "kim")["id"]
            a.ok("sync", "-q")
            old = b.head()
            r = faulted(b, spec, "sync", "-q", env=dict(b.env, **env))
            self.assertEqual(r.returncode, 1, r.stderr)
            self.assertIn("cannot write" if not env else
                          "cannot update the work tree", r.stderr)
            self.assertEqual(r.fired, fired)
            self.assertTrue(os.path.exists(os.path.join(
                b.path, ".git", "delegit-sync-pending")))
            self.assert_survived(b, r, spec, old, ["list"])
            self.assertEqual(b.head(), a.head())
            self.assertEqual(b.load(tid)["title"], "Comes in")

    def test_a_sync_reads_and_writes_no_index_through_libgit2(self):
        """A sync that merges and moves the work tree leaves libgit2's
        index alone (sync/checkout.c): no checkout of libgit2's, no
        index of libgit2's written."""
        net = Network(2)
        self.addCleanup(net.close)
        a, b = net.replicas
        shared = a.add("Both change it", "--to", "kim")["id"]
        a.ok("sync", "-q")
        b.ok("sync", "-q")
        a.ok("set", shared[:8], "priority=high")
        a.add("Comes in", "--to", "kim")
        a.ok("sync", "-q")
        b.ok("set", shared[:8], "title=Changed here")
        calls = count_calls(b, "sync", "-q")
        self.assertIn("write", calls)
        for name in ("git_checkout_tree", "git_checkout_head",
                     "git_index_write", "git_repository_index",
                     "git_merge_commits"):
            self.assertNotIn(name, calls)
        self.assertEqual(b.load(shared)["title"], "Changed here")
        self.assertEqual(b.load(shared)["priority"], "high")
        self.assertEqual(b.git("status", "--porcelain"), "")

    def test_finishing_an_interrupted_sync_failing(self):
        """The next command finishes a killed sync; its checkout, or its
        move of the branch, failing: told, nothing read, the record kept,
        and the command after finishes it."""
        net = Network(2)
        self.addCleanup(net.close)
        a, b = net.replicas
        pending = os.path.join(b.path, ".git", "delegit-sync-pending")
        for spec, step, words in (
                ("git_checkout_tree:1", "before-checkout",
                 "cannot update the work tree"),
                ("git_reference_set_target:1", "after-checkout",
                 "cannot move the branch")):
            tid = a.add("Comes in " + step, "--to", "kim")["id"]
            a.ok("sync", "-q")
            old = b.head()
            res = b.run("sync", fault=step)
            self.assertEqual(res.returncode, -9, res.stderr)
            r = faulted(b, spec, "list")
            self.assertEqual(r.returncode, 1, r.stderr)
            self.assertIn(words, r.stderr, spec)
            self.assertEqual(r.stdout, "", spec)
            self.assertTrue(os.path.exists(pending), spec)
            self.assert_survived(b, r, spec, old, ["list"])
            self.assertEqual(b.head(), a.head(), spec)
            self.assertEqual(b.load(tid)["title"], "Comes in " + step)

    def test_a_clone_that_adopts_a_branch_failing_at_each_call(self):
        net = Network(1)
        self.addCleanup(net.close)
        a = net.replicas[0]
        other = os.path.join(net.tmp, "other.git")
        subprocess.run(["git", "init", "-q", "--bare", "-b", "master",
                        other], check=True)
        a.add("Adopted", "--to", "kim")
        a.git("push", "-q", other, "main")
        where = os.path.join(net.tmp, "clones")
        os.mkdir(where)
        calls = count_calls(a, "clone", "-q", other,
                            os.path.join(where, "c0"), cwd=where)
        i = 0
        for name in sorted(calls):
            if not name.startswith("git_"):
                continue
            for n in range(1, calls[name] + 1):
                i += 1
                dest = os.path.join(where, "c%d" % i)
                r = faulted(a, "%s:%d" % (name, n), "clone", "-q", other,
                            dest, cwd=where)
                what = "%s:%d of clone: %s (exit %d)\n%s" % (
                    name, n, r.fired, r.returncode, r.stderr)
                self.assertGreaterEqual(r.returncode, 0, what)
                for word in SANITIZER:
                    self.assertNotIn(word, r.stderr, what)
                if r.returncode:
                    self.assertTrue(r.fired, what)
                    self.assertRegex(r.stderr, r"(^|\n)delegit: \S", what)
                    self.assertNotIn("(null)", r.stderr, what)
                    # nothing half made left for the next clone to refuse;
                    # or a clone made whose merge driver was not set up
                    # (git's configuration failing after it): sound
                    if "cannot write git configuration" not in r.stderr:
                        self.assertFalse(os.path.exists(dest), what)
                        continue
                # a clone made: main checked out, whole
                c = subprocess.run(["git", "symbolic-ref", "HEAD"], cwd=dest,
                                   capture_output=True, text=True)
                self.assertEqual(c.stdout.strip(), "refs/heads/main", what)
                self.assertEqual(subprocess.run(
                    ["git", "status", "--porcelain"], cwd=dest,
                    capture_output=True, text=True).stdout, "", what)
                out = subprocess.run([DELEGIT, "list", "--all"], cwd=dest,
                                     env=a.env, capture_output=True,
                                     text=True)
                self.assertEqual(out.returncode, 0, out.stderr + what)
                self.assertIn("Adopted", out.stdout, what)
                shutil.rmtree(dest)
        self.assertGreater(i, 10)
        # a failed clone whose removal cannot list the folder: told, the
        # folder left (its removal is what failed)
        dest = os.path.join(where, "unlisted")
        # (the first opendir is the check that the folder is empty; the
        # clone's own fail too)
        r = faulted(a, "opendir@unlisted:2+", "clone", "-q", other, dest,
                    cwd=where)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn(("opendir", 2), r.fired)
        self.assertIn("delegit: cannot clone '%s'" % other, r.stderr)
        shutil.rmtree(dest, ignore_errors=True)
        # a remote with only another branch: the branches listed, failing
        a.git("push", "-q", other, ":main", "main:work")
        for spec in ("git_branch_iterator_new:1", "git_branch_next:1"):
            dest = os.path.join(where, spec)
            r = faulted(a, spec, "clone", "-q", other, dest, cwd=where)
            self.assertEqual(r.returncode, 1, spec + r.stderr)
            self.assertEqual(r.fired, [tuple(spec.split(":")[:1]) + (1,)])
            self.assertIn("injected fault", r.stderr)
            self.assertFalse(os.path.exists(dest), spec)

    @unittest.skipUnless(shutil.which("lighttpd"), "lighttpd is not installed")
    def test_a_login_that_cannot_be_made(self):
        net = Network(2)
        self.addCleanup(net.close)
        b = net.replicas[1]
        url = start_git_http(self, net.tmp, net.bare, password="kim:s3cret")
        b.git("remote", "set-url", "origin", url)
        helper = os.path.join(net.tmp, "helper.sh")
        with open(helper, "w") as f:
            f.write("#!/bin/sh\necho username=kim\necho password=s3cret\n")
        os.chmod(helper, 0o755)
        b.git("config", "credential.helper", helper)
        b.add("over a login", "--to", "kim")
        old = b.head()
        # git credential fill's question not written, its answer not read,
        # its end not waited for: no login
        # (the blank line after it not written is no matter: git reads
        # to the end of its input)
        for spec in ("write@pipe:1", "write@pipe:2", "read@pipe:1",
                     "waitpid:1"):
            r = faulted(b, spec, "sync", "--timeout", "20")
            name, n = re.match(r"(\w+)\S*:(\d+)$", spec).groups()
            self.assertEqual(r.fired, [(name, int(n))], spec + r.stderr)
            self.assertNotEqual(r.returncode, 0, spec + r.stderr)
            self.assertIn("authentication", r.stderr, spec)
            self.assert_survived(b, r, spec, old)
        # the transfer failing once connected, for a reason of this
        # side (not the network's): 1, not 3
        for spec, words in (("git_remote_fetch:1", "cannot fetch from"),
                            ("git_remote_push:1", "cannot push to")):
            r = faulted(b, spec, "sync", "--timeout", "20")
            self.assertEqual(r.returncode, 1, spec + r.stderr)
            self.assertIn("%s 'origin' (%s): injected fault" % (words, url),
                          r.stderr)
            self.assert_survived(b, r, spec, old)
        spec = "git_credential_userpass_plaintext_new:1+"
        r = faulted(b, spec, "sync", "--timeout", "20")
        # (exit 3: as when git credential fill cannot run, libgit2 files
        # it under the connection, see "Fault injection")
        self.assertNotEqual(r.returncode, 0, r.stderr)
        self.assertIn("injected fault", r.stderr)
        self.assert_survived(b, r, spec, old)
        self.assertIn("pushed", b.ok("sync", "--timeout", "20"))

class TestFaultsCommit(FaultTest):
    """sync/commit.c's failures the sweeps do not reach (issue 20): git's
    index lock that cannot be made for another reason than a git process
    holding it; an index libgit2 updates (version 4) whose reading,
    updating or writing fails, which takes the commit back; git's
    configuration unreadable. Each: exit 1, the reason told, nothing
    committed, the repository sound."""

    def setUp(self):
        super().setUp()
        self.repo = Repo()
        self.addCleanup(self.repo.close)
        self.repo.add("first", "--to", "sam")

    def refused(self, spec, *words):
        repo = self.repo
        old = repo.head()
        r = faulted(repo, spec, "add", "--to", "sam", "--", "second")
        self.assertEqual(r.returncode, 1, spec + r.stderr)
        self.assertTrue(r.fired, spec + r.stderr)
        for w in words:
            self.assertIn(w, r.stderr, spec)
        self.assertEqual(repo.head(), old, spec)
        self.assertNotIn("second", repo.ok("list", "--all"), spec)
        self.assert_survived(repo, r, spec, old)
        return r

    def test_the_index_lock_cannot_be_made(self):
        self.refused("open@index.lock:1:EACCES", "cannot create '",
                     "index.lock': Permission denied", "nothing was committed")

    def test_an_index_libgit2_updates_failing_takes_the_commit_back(self):
        repo = self.repo
        repo.git("update-index", "--index-version", "4")
        for spec, words in (
                ("git_index_read:1", "cannot read the index"),
                ("git_index_add_bypath:1", "cannot update the index"),
                ("git_index_write:1", "cannot write the index")):
            self.refused(spec, words)
            self.assertIn("commit taken back",
                          repo.git("reflog", "-1", "--format=%gs"), spec)
        self.assertIn("second", repo.ok("add", "--to", "sam", "--",
                                        "second"))
        self.assertEqual(repo.git("status", "--porcelain"), "")

    def test_the_index_written_by_delegit_failing_takes_the_commit_back(self):
        # sync/index.c's own write (no libgit2 error to keep: its own
        # reason is told)
        self.refused("write@index.lock:1", "cannot write '",
                     "No space left on device")
        self.assertIn("commit taken back",
                      self.repo.git("reflog", "-1", "--format=%gs"))

    def test_a_sync_that_cannot_read_the_work_tree_changes_nothing(self):
        net = Network(1)
        self.addCleanup(net.close)
        a = net.replicas[0]
        a.add("first", "--to", "sam")
        a.ok("sync", "-q")
        old = a.head()
        # the proof that nothing changed (sync/status.c) cannot read a
        # folder: libgit2's status answers instead
        r = faulted(a, "fdopendir@/tasks:1+", "sync", "-q")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("fdopendir", [name for name, _ in r.fired])
        # and when libgit2 cannot either, the sync stops there
        spec = "fdopendir@/tasks:1+,git_status_list_new:1"
        r = faulted(a, spec, "sync")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("cannot read the status of the work tree", r.stderr)
        self.assertEqual(a.head(), old)
        self.assert_survived(a, r, spec, old)
        self.assertIn(old, a.git("ls-remote", "origin"))

    def test_git_configuration_unreadable_at_the_commit(self):
        # the commit's reading is one of several (the identity's...):
        # the call that reaches it, found by failing each
        name = "git_repository_config_snapshot"
        calls = count_calls(self.repo, "add", "--to", "sam", "--", "x")
        for n in range(1, calls[name] + 1):
            r = faulted(self.repo, "%s:%d" % (name, n), "add", "--to",
                        "sam", "--", "probe %d" % n)
            if "cannot read git configuration" in r.stderr:
                break
        else:
            self.fail("no call of %s reaches the commit" % name)
        self.refused("%s:%d" % (name, n), "cannot read git configuration")


class TestFaultsAudit(FaultTest):
    """sync/policy.c under faults (issue 20): an audit of a history that
    breaks the policy (a team emptied, then a due date moved by the MSP)
    that fails to read anything says so (exit 1, a message, no report),
    or still reports each commit that breaks it: each libgit2 function
    the audit calls failing at each of its calls."""

    def test_an_audit_that_cannot_read_never_says_less(self):
        from test_trust import KIM
        from test_policy import ENFORCE
        net = Network(2, policy=ENFORCE)
        self.addCleanup(net.close)
        dana, kim = net.replicas
        kim.as_("kim")
        tid = dana.add("Patch the firewall", "--to", "kim", "--due",
                       "2026-12-01", now="2026-11-25T09:00:00Z")["id"]
        dana.ok("sync", "-q")
        kim.ok("sync", "-q")
        git = ("-c", "user.email=" + KIM, "-c", "user.name=x")
        kim.git("rm", "-rq", "team")
        kim.git(*git, "commit", "-qm", "no more team")
        empty = kim.head()
        path = os.path.join(kim.path, "tasks", tid[:2], tid + ".yaml")
        with open(path, encoding="utf-8") as f:
            text = f.read()
        with open(path, "w", encoding="utf-8") as f:
            f.write(text.replace("due: 2026-12-01", "due: 2027-03-01"))
        kim.git(*git, "commit", "-qam", "act")
        act = kim.head()
        want = {(empty, ""), (act, "due")}

        def found(r):
            return {(v["commit"], v["field"]) for v in json.loads(r.stdout)}
        # (an audit that finds violations exits 1: counted by hand)
        r = faulted(kim, ",".join(n + ":0" for n in ALL), "audit", "--json")
        self.assertEqual(found(r), want, r.stderr)
        calls = {n: c for n, c in r.calls.items() if c}
        runs = 0
        for name in sorted(calls):
            if not name.startswith("git_"):
                continue
            for n in points(calls[name], name, 0):
                runs += 1
                spec = "%s:%d" % (name, n)
                r = faulted(kim, spec, "audit", "--json")
                what = "%s (exit %d)\n%s%s" % (spec, r.returncode,
                                                r.stdout, r.stderr)
                self.assertIn(r.returncode, (0, 1), what)
                if r.stdout.strip():
                    # each breaking commit still reported (a blob not
                    # read is reported as an invalid file: another
                    # reason, the same commit)
                    self.assertTrue({c for c, _ in want} <=
                                    {c for c, _ in found(r)}, what)
                else:
                    self.assertTrue(r.fired, what)
                    self.assertRegex(r.stderr, r"(^|\n)delegit: \S", what)
        self.assertGreater(runs, 10)

    def test_an_audit_of_an_unborn_branch_is_clean(self):
        # no shim: a branch with no commit yet (git checkout --orphan)
        # has nothing to audit, which is no error
        repo = Repo()
        self.addCleanup(repo.close)
        repo.git("checkout", "-q", "--orphan", "fresh")
        r = repo.run("audit", "--json")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.strip(), "[]")

    def test_an_audit_of_a_corrupt_branch_is_an_error(self):
        # no shim: the branch's file holds no commit id (a disk's damage)
        repo = Repo()
        self.addCleanup(repo.close)
        repo.add("a task", "--to", "sam")
        branch = repo.git("symbolic-ref", "HEAD")
        with open(os.path.join(repo.path, ".git", branch), "w") as f:
            f.write("not a commit id\n")
        r = repo.run("audit", "--json")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("cannot read HEAD", r.stderr)
        self.assertEqual(r.stdout, "")


class SignedFaultTest(FaultTest, SignedTest):
    """test_trust's SignedTest (three replicas, each signing with an
    ed25519 key of its own, the policy in enforce mode requiring
    signatures), under the shim."""

    def setUp(self):
        FaultTest.setUp(self)
        if not shutil.which("ssh-keygen"):
            self.skipTest("ssh-keygen is not installed")
        SignedTest.setUp(self)

    @staticmethod
    def report(out):
        """An audit's --json output, comparable: sorted tuples."""
        return sorted((v["commit"], v["path"], v["field"], v["message"])
                      for v in json.loads(out))

    def revoked_and_retired(self):
        """A signed history in which a stolen key, revoked, signed work on
        a base from before its revocation, and a retired key signed both
        before its retirement (still verified) and after it. Returns the
        director's audit (report())."""
        dana, kim, sam = self.dana, self.kim, self.sam
        t2 = dana.add("Renew the certificate", "--to", "sam")["id"]
        dana.ok("sync", "-q")
        sam.ok("sync", "-q")
        # offline work, each signed by a key about to be retired or revoked
        kim.ok("start", self.tid[:8])
        sam.ok("start", t2[:8])
        dana.ok("team", "edit", "sam", "--retire-key", self.keys["sam"])
        dana.ok("team", "edit", "kim", "--revoke-key", self.keys["kim"])
        dana.ok("sync", "-q")
        sam.ok("sync", "-q")      # a merge signed before the retirement
        sam.ok("block", t2[:8], "-m", "waiting")  # after it
        sam.ok("sync", "-q")
        kim.ok("sync", "-q")      # the thief's work merged after the revocation
        dana.ok("sync", "-q")
        r = dana.run("audit", "--json")
        self.assertEqual(r.returncode, 1, r.stderr)
        return self.report(r.stdout)

    def audit_sweep(self, want, chosen):
        """The director's audit --json with each function chosen(name)
        accepts failing at each of its calls (DEPTH under the
        sanitizers): the report want, or none (exit 1, a message) — a
        failure is never a verdict. Returns the number of runs."""
        calls = count_calls_any(self.dana, "audit", "--json")
        runs = 0
        depth = DEPTH if ASAN else 0
        for name in sorted(calls):
            if not chosen(name):
                continue
            for n in points(calls[name], name, depth):
                runs += 1
                spec = "%s:%d" % (name, n)
                r = faulted(self.dana, spec, "audit", "--json")
                what = "%s (exit %d)\n%s%s" % (spec, r.returncode,
                                                r.stdout, r.stderr)
                self.assertIn(r.returncode, (0, 1), what)
                for word in SANITIZER:
                    self.assertNotIn(word, r.stderr, what)
                if r.stdout.strip():
                    self.assertEqual(self.report(r.stdout), want, what)
                else:
                    self.assertEqual(r.returncode, 1, what)
                    self.assertTrue(r.fired, what)
                    self.assertRegex(r.stderr, r"(^|\n)delegit: \S", what)
                    if name == "EVP_Digest":  # the reason is said
                        self.assertIn("cannot compute", r.stderr, what)
        return runs

    def kim_sneaks_a_due_date(self, unsigned_title=False):
        """kim writes feedback of their own (allowed), then with plain git
        signs a change of the due date the policy keeps for the director
        and, with unsigned_title, changes the title unsigned; pushed.
        Returns before(i) for the sweeps: the director's branch and the
        remote put back to this state."""
        dana, kim, path = self.dana, self.kim, self.task_path()
        git = ("-c", "user.email=kim@acme-msp.example", "-c", "user.name=x")
        kim.ok("feedback", self.tid[:8], "a note")
        self.edit(path, "due: 2026-12-01", "due: 2027-01-15")
        kim.git(*git, "commit", "-qam", "sneak")
        if unsigned_title:
            text = self.text(path, kim)
            with open(os.path.join(kim.path, path), "w",
                      encoding="utf-8") as f:
                f.write(text.replace("title: Patch the firewall",
                                     "title: Unsigned"))
            kim.git(*git, "commit", "-qam", "unsigned", "--no-gpg-sign")
        kim.git("push", "-q", "origin", "main")
        return self.from_here()



class TestFaultsSigned(SignedFaultTest):
    """sync/policy.c's signature and revocation checks under faults
    (issue 20): the audit of a signed history in which a stolen key,
    revoked, signed work on a base from before its revocation, and a
    retired key signed both before its retirement (still verified) and
    after it. With each libgit2 function the audit calls failing at each
    of its calls (DELEGIT_FAULT_DEPTH calls under the sanitizers), the
    audit says it cannot read (exit 1, a message, no report) or gives
    the very report it gives unfaulted: a read failure is never a
    verdict, neither a clean one nor a violation that is not there."""

    def test_an_audit_of_revoked_and_retired_keys_never_says_otherwise(self):
        want = self.revoked_and_retired()
        msgs = " ".join(m for _c, _p, _f, m in want)
        self.assertIn("revoked key", msgs)
        self.assertIn("not held before its revocation", msgs)
        self.assertIn("retired key", msgs)
        runs = self.audit_sweep(want, lambda name: name.startswith("git_")
                                or name in SSL)
        # (one call of each function under the sanitizers: 17 runs there)
        self.assertGreater(runs, 12 if ASAN else 50)

    def test_an_audit_of_ecdsa_and_rsa_signatures_never_says_otherwise(self):
        # kim signs with an ECDSA key, sam with an RSA one: each OpenSSL
        # function their checks call failing at each of its calls
        dana, kim, sam = self.dana, self.kim, self.sam
        for who, repo, kind in (("kim", kim, ["-t", "ecdsa", "-b", "256"]),
                                ("sam", sam, ["-t", "rsa", "-b", "2048"])):
            key = os.path.join(self.net.tmp, "key2-" + who)
            subprocess.run(["ssh-keygen", "-q", *kind, "-N", "", "-C", who,
                            "-f", key], check=True)
            with open(key + ".pub") as f:
                dana.ok("team", "edit", who, "--add-key", f.read().strip())
            repo.git("config", "user.signingkey", key)
        dana.ok("sync", "-q")
        for repo in (kim, sam):
            repo.ok("sync", "-q")
        kim.ok("start", self.tid[:8])
        kim.ok("sync", "-q")
        sam.ok("sync", "-q")
        sam.ok("feedback", self.tid[:8], "signed with rsa")
        sam.ok("sync", "-q")
        dana.ok("sync", "-q")
        r = dana.run("audit", "--json")
        self.assertIn(r.returncode, (0, 1), r.stderr)
        want = self.report(r.stdout)
        calls = count_calls_any(dana, "audit", "--json")
        self.assertTrue({"BN_bin2bn", "ECDSA_SIG_new", "OSSL_PARAM_BLD_new"}
                        <= set(calls), calls)
        runs = self.audit_sweep(want, lambda name: name in SSL)
        self.assertGreater(runs, 10)

    def test_a_report_never_keeps_a_verdict_it_could_not_reach(self):
        # dana's decision is hers by her signature only (her address is
        # changed by hand in the work tree): each OpenSSL function the
        # walk's checks call, failing once, may cost that one run the
        # verdict, never a later run (such a walk is not kept at HEAD)
        dana, kim = self.dana, self.kim
        kim.ok("start", self.tid[:8])
        kim.ok("submit", self.tid[:8])
        kim.ok("sync", "-q")
        dana.ok("sync", "-q")
        dana.ok("accept", self.tid[:8])
        self.edit("team/dana.yaml", "dana@", "dana.old@", dana)
        git_dir = os.path.join(dana.path, ".git")
        args = ("report", "delivery", "--json")

        def forget():
            for name in os.listdir(git_dir):
                if name.startswith("delegit-walk-"):
                    os.unlink(os.path.join(git_dir, name))

        def accepted(out):
            return sum(r["accepted"] for r in json.loads(out)["reviewers"]
                       if r["handle"] == "dana")
        self.assertEqual(accepted(dana.ok(*args)), 1)
        forget()
        calls = count_calls(dana, *args)
        runs = 0
        for name in sorted(calls):
            if name not in SSL:
                continue
            for n in points(calls[name], name, 1):
                forget()
                r = faulted(dana, "%s:%d" % (name, n), *args)
                what = "%s:%d (exit %d)\n%s" % (name, n, r.returncode,
                                                r.stderr)
                self.assertEqual(r.returncode, 0, what)
                if not r.fired:
                    continue
                runs += 1
                self.assertEqual(accepted(dana.ok(*args)), 1, what)
        self.assertGreater(runs, 3)

    def test_a_sync_of_work_signed_before_a_retirement_never_refuses_it(self):
        # kim signs offline, then the key is retired: the director's sync
        # verifies that work (the key was kim's at its parent), unless it
        # cannot read the parent, which is an error, never a refusal
        dana, kim = self.dana, self.kim
        kim.ok("start", self.tid[:8])
        dana.ok("team", "edit", "kim", "--retire-key", self.keys["kim"])
        dana.ok("sync", "-q")
        kim.ok("sync", "-q")
        before = self.from_here()

        def after(i, r):
            what = "run %d: %s" % (i, r and (r.fired, r.stderr))
            if r is not None:
                self.assertNotIn("retired key", r.stderr, what)
                if r.returncode:
                    dana.ok("sync", "-q")
            self.assertEqual(dana.load(self.tid)["status"], "in-progress",
                             what)
        runs = self.sweep(dana, lambda i: ["sync", "-q"], before=before,
                          after=after, again=["sync", "-q"],
                          git_depth=0 if not ASAN else DEPTH,
                          only=("git_commit_tree", "git_blob_lookup",
                                "git_tree_entry_bypath"))
        self.assertGreater(runs, 2 if ASAN else 10)


class TestFaultsReject(SignedFaultTest):
    """enforce mode's rejection (sync/policy.c, dlg_sync__reject) under
    faults (issue 20): kim, with push access and a signing key, pushes
    with plain git a signed change of a due date the policy keeps for the
    director, an unsigned change of the task's title (signatures are
    required: the whole file goes back) and, signed, feedback of their
    own, which the policy allows. The director's sync, with each function
    it calls failing at a few of its calls (each run from the same state:
    the director's branch and the remote's put back): after it, and after
    the next sync for a failed one, the director's task has neither the
    due date nor the title and keeps the feedback; no file is lost; the
    repository is sound (assert_survived)."""

    def test_a_rejection_under_faults_is_whole_or_not_at_all(self):
        dana, path = self.dana, self.task_path()
        before = self.kim_sneaks_a_due_date(unsigned_title=True)

        def after(i, r):
            if r is not None and r.returncode:
                dana.ok("sync", "-q")
            t = dana.load(self.tid)
            what = "run %d: %s" % (i, r and (r.fired, r.stderr))
            self.assertEqual(str(t["due"]), "2026-12-01", what)
            self.assertEqual(t["title"], "Patch the firewall", what)
            self.assertIn("a note", self.text(path), what)
            for f in ("team/kim.yaml", "team/sam.yaml", "team/dana.yaml",
                      ".delegit/policy.yaml"):
                self.assertTrue(os.path.exists(os.path.join(dana.path, f)),
                                what + f)
            dana.ok("check")
        # libgit2's functions at DEPTH calls each (the first and the
        # last: the last is the rejection's, or its commit's); of the C
        # library's, the writes of the rejection and its commit, at one
        # (e2e_FaultsSync sweeps a sync's others)
        runs = self.sweep(dana, lambda i: ["sync", "-q"], before=before,
                          after=after, again=["sync", "-q"], depth=1,
                          git_depth=DEPTH,
                          only=[n for n in ALL if n.startswith("git_")] +
                          ["open", "write", "close", "rename", "fsync",
                           "unlink"])
        self.assertGreater(runs, 20)
        # the reads of refs, commits and blobs at each of their calls:
        # the remote's branch that could not be read was taken for an
        # empty remote, so its commits came in unjudged (found at
        # DELEGIT_FAULT_DEPTH=0)
        runs = self.sweep(dana, lambda i: ["sync", "-q"], before=before,
                          after=after, again=["sync", "-q"],
                          git_depth=0 if not ASAN else DEPTH,
                          only=["git_reference_name_to_id",
                                "git_commit_lookup", "git_blob_lookup"])
        self.assertGreater(runs, 3)


class TestFaultsEvilMerge(FaultTest, TrustTest):
    """A hand-made merge (test_trust's EvilMerge) under faults: kim merges
    honest feedback and, in the merge itself, moves the due date the
    policy keeps for the director. The director's sync with each read of
    a tree failing at each of its calls: the merge's own change is never
    let in unjudged (judge_merge's read failing is an error, not a clean
    merge)."""

    def setUp(self):
        FaultTest.setUp(self)
        TrustTest.setUp(self)

    def test_a_hand_made_merge_whose_trees_cannot_be_read(self):
        dana, kim, path = self.dana, self.kim, self.task_path()
        kim.git("checkout", "-q", "-b", "side")
        kim.ok("feedback", self.tid[:8], "On it")
        kim.git("checkout", "-q", "main")
        kim.git("merge", "-q", "--no-ff", "--no-commit", "side")
        self.edit(path, "due: 2026-12-01", "due: 2027-03-01")
        kim.git("add", "-A")
        kim.git("-c", "user.email=kim@acme-msp.example", "commit", "-qm",
                "Merge side")
        self.push()
        before = self.from_here()

        def after(i, r):
            if r is not None and r.returncode:
                dana.ok("sync", "-q")
            what = "run %d: %s" % (i, r and (r.fired, r.stderr))
            self.assertEqual(str(dana.load(self.tid)["due"]), "2026-12-01",
                             what)
            self.assertEqual(dana.load(self.tid)["feedback"][-1]["text"],
                             "On it", what)
        runs = self.sweep(dana, lambda i: ["sync", "-q"], before=before,
                          after=after, again=["sync", "-q"], git_depth=0,
                          only=["git_tree_lookup"])
        self.assertGreater(runs, 3)


# -- allocations --------------------------------------------------------------

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
# The sources whose allocation sites the sweeps fail: every one of
# delegit's with DELEGIT_FAULT_ALLOC=all, else the files issue 20 names
# and the lock's (docs/testing.md): a sweep of every site of a sync takes
# minutes.
ALLOC_FILES = ("core/merge.c", "core/policy.c", "core/task.c",
               "core/validate.c", "core/time.c", "schema/schema.c",
               "core/rows.c", "core/store.c", "sync/policy.c",
               "sync/remote.c", "sync/sshsig.c", "sync/repo.c")


def alloc_sites(repo, args, codes=(0,), **kw):
    """The call sites of delegit's own allocations in delegit ARGS, in the
    order first reached, with the source line of each (addr2line):
    [("+HEX.", "core/store.c:516")], only those of ALLOC_FILES (all of
    delegit's with DELEGIT_FAULT_ALLOC=all)."""
    r = faulted(repo, "alloc:0", *args, **kw)
    if r.returncode not in codes:
        raise AssertionError("delegit %s failed unfaulted:\n%s"
                             % (args, r.stderr))
    if not r.sites:
        return []
    lines = subprocess.run(
        ["addr2line", "-e", DELEGIT] +
        ["0x%x" % (int(s[1:-1], 16) - 1) for s in r.sites],
        capture_output=True, text=True, check=True).stdout.splitlines()
    every = os.environ.get("DELEGIT_FAULT_ALLOC") == "all"
    out = []
    for site, line in zip(r.sites, lines):
        where = os.path.relpath(line.split()[0], TOP) if \
            line.startswith("/") else line.split()[0]
        if where.split(":")[0] in ALLOC_FILES or \
                (every and where.startswith(("cli/", "core/", "schema/",
                                             "sync/"))):
            out.append((site, where))
    return out


class TestFaultsAlloc(FaultTest):
    """Allocations failing (issue 20; docs/testing.md, "Fault
    injection"): each call site of delegit's own allocations a command
    reaches fails once. delegit then ends through abort() (each
    allocation is checked; a crash on the NULL is the bug this finds), or
    with an error, or succeeds; never killed by another signal. After an
    abort the repository is as after a kill: nothing that reached HEAD
    lost, git fsck clean, and the next command runs; after an error, as
    assert_survived. Not under the sanitizers: their allocator comes
    first, and no site is seen."""

    def setUp(self):
        super().setUp()
        if ASAN:
            self.skipTest("the sanitizers' allocator comes before the shim")
        if not shutil.which("addr2line"):
            self.skipTest("addr2line (binutils) is not installed")

    def assert_alloc(self, repo, r, what, old, again):
        where = "%s: %s (exit %d)\n%s" % (what, r.fired, r.returncode,
                                          r.stderr)
        self.assertGreaterEqual(r.returncode, 0, "killed by a signal: " +
                                where)
        for word in SANITIZER:
            self.assertNotIn(word, r.stderr, where)
        if not r.aborted:
            self.assertNotEqual(r.returncode, 134, where)
            self.assert_survived(repo, r, what, old, again)
            return
        self.assertEqual(r.returncode, 134, where)
        self.assertTrue(r.fired, where)
        self.assert_nothing_lost(repo, old, where)
        # the next command runs, as after a kill (test_kills)
        done = repo.run(*again)
        self.assertIn(done.returncode, (0, 1) if again[0] == "audit"
                      else (0,), done.stderr + where)
        done = repo.run("check")
        self.assertEqual(done.returncode, 0, done.stderr + where)

    def sweep_alloc(self, repo, args_of, before=None, after=None,
                    again=None, codes=(0,)):
        """Each allocation site delegit ARGS reaches failing in turn:
        args_of(i) the arguments of the i-th run, before(i) prepares it,
        after(i, result) checks more. Returns the sites tried."""
        if before:
            before(0)
        sites = alloc_sites(repo, args_of(0), codes)
        if after:
            after(0, None)
        for i, (site, line) in enumerate(sites, 1):
            if before:
                before(i)
            old = repo.head()
            r = faulted(repo, "alloc@%s:1" % site, *args_of(i))
            what = "allocation at %s (%s) in %s" % (line, site, args_of(i))
            self.assertEqual(r.fired, [("alloc", 1)], what + r.stderr)
            self.assert_alloc(repo, r, what, old, again or args_of(i))
            self.alloc_at = what
            if after:
                after(i, r)
        return sites

    def files_of(self, sites):
        return {line.split(":")[0] for _site, line in sites}

    def test_local_commands(self):
        repo = Repo()
        self.addCleanup(repo.close)
        tid = repo.add("first", "--to", "sam", "--due", "2026-12-20")["id"]
        repo.ok("start", tid[:8], now="2026-12-02T09:00:00Z")
        tried = []
        tried += self.sweep_alloc(repo, lambda i: ["add", "--to", "sam",
                                                   "--", "task %d" % i])
        tried += self.sweep_alloc(
            repo, lambda i: ["set", tid[:8], "title=changed %d" % i],
            after=lambda i, r: self.assertIn(
                "changed", repo.load(tid)["title"]))

        def cold(i):
            # the caches built again each run (docs/design.md)
            git_dir = os.path.join(repo.path, ".git")
            for name in os.listdir(git_dir):
                if name in ("delegit-rows", "delegit-trees",
                            "delegit-history", "delegit-events") or \
                        name.startswith("delegit-walk-"):
                    os.unlink(os.path.join(git_dir, name))
        for args in (["list", "--all"], ["show", tid[:8]], ["check"],
                     ["report", "delivery"], ["log", tid[:8]],
                     ["agenda", "sam"]):
            tried += self.sweep_alloc(repo, lambda i, a=args: a,
                                      before=cold)
        self.assertTrue({"core/store.c", "core/rows.c", "core/task.c",
                         "core/validate.c"} <= self.files_of(tried),
                        self.files_of(tried))

    def test_a_sync_that_merges(self):
        net = Network(2)
        self.addCleanup(net.close)
        a, b = net.replicas
        tid = a.add("shared", "--to", "sam")["id"]
        a.ok("sync", "-q")
        b.ok("sync", "-q")
        base_a = a.head()

        def before(i):
            a.git("reset", "-q", "--hard", base_a)
            a.git("push", "-q", "-f", "origin", "main")
            a.ok("set", tid[:8], "title=from a %d" % i)
            a.ok("sync", "-q")
            b.git("reset", "-q", "--hard", base_a)
            b.git("update-ref", "refs/remotes/origin/main", base_a)
            b.ok("set", tid[:8], "estimate_hours=%d" % (i % 30 + 1))

        def after(i, r):
            if r is not None and r.returncode:
                b.ok("sync", "-q")
            t = b.load(tid)
            self.assertEqual(t["title"], "from a %d" % i)
            self.assertEqual(t["estimate_hours"], i % 30 + 1)
        tried = self.sweep_alloc(b, lambda i: ["sync", "-q"], before=before,
                                 after=after, again=["sync", "-q"])
        self.assertTrue({"sync/remote.c", "sync/policy.c"}
                        <= self.files_of(tried), self.files_of(tried))


class TestFaultsAllocSigned(SignedFaultTest, TestFaultsAlloc):
    """TestFaultsAlloc's sweep over the director's sync and audit of signed
    work in enforce mode, a forbidden change among it (sync/policy.c's
    judge and rejection, sync/sshsig.c's verification)."""

    def setUp(self):
        SignedFaultTest.setUp(self)
        TestFaultsAlloc.setUp(self)

    test_local_commands = None
    test_a_sync_that_merges = None

    def test_a_signed_sync_with_a_rejection_and_an_audit(self):
        dana, path = self.dana, self.task_path()
        before = self.kim_sneaks_a_due_date()

        def after(i, r):
            if r is not None and r.returncode:
                dana.ok("sync", "-q")
            t = dana.load(self.tid)
            what = getattr(self, "alloc_at", "unfaulted")
            self.assertEqual(str(t["due"]), "2026-12-01", what)
            self.assertIn("a note", self.text(path), what)
        tried = self.sweep_alloc(dana, lambda i: ["sync", "-q"],
                                 before=before, after=after,
                                 again=["sync", "-q"])
        tried += self.sweep_alloc(dana, lambda i: ["audit"], codes=(0, 1),
                                  again=["audit"])
        self.assertTrue({"sync/policy.c", "core/policy.c"} <=
                        self.files_of(tried), self.files_of(tried))

    def test_an_audit_of_revoked_and_retired_keys(self):
        want = self.revoked_and_retired()

        def after(i, r):
            if r is not None and r.stdout.strip():
                self.assertEqual(self.report(r.stdout), want,
                                 getattr(self, "alloc_at", "unfaulted"))
        tried = self.sweep_alloc(self.dana, lambda i: ["audit", "--json"],
                                 after=after, codes=(0, 1), again=["audit"])
        self.assertIn("sync/policy.c", self.files_of(tried))


if __name__ == "__main__":
    unittest.main()
