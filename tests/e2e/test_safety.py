#!/usr/bin/python3
"""Robustness (issue 13, items 6 to 8): text from files never reaches the
terminal raw, text arguments holding control characters are refused,
errors say what happened with the right exit code, and names built from
files are never cut short."""
import json
import os
import shutil
import subprocess
import tempfile
import unittest

from helpers import (DELEGIT, VALGRIND, VALGRIND_CMD, Network, Repo,
                     free_port)

LONG_KEY = "x_" + "k" * 298          # 300 characters
LONG_ID = "ab" * 150                 # an item id of 300 characters


def command(args):
    """delegit with args, under valgrind when the tests are (helpers.py)."""
    return (VALGRIND_CMD if VALGRIND else []) + [DELEGIT, *args]


class TestLongNames(unittest.TestCase):
    """A conflict on a key of 300 characters is recorded under its whole
    name, listed whole, and `resolve` settles it by that name."""

    def setUp(self):
        self.net = Network(2)
        self.addCleanup(self.net.close)
        self.a, self.b = self.net.replicas

    def hand_edit(self, repo, tid, old, new):
        path = repo.task_file(tid)
        with open(path, encoding="utf-8") as f:
            text = f.read()
        if old is None:
            text += new
        else:
            self.assertIn(old, text)
            text = text.replace(old, new)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)

    def test_a_key_of_300_characters_round_trips_through_resolve(self):
        a, b = self.a, self.b
        tid = a.add("Long keys", "--to", "kim")["id"]
        self.hand_edit(a, tid, None, "%s: base\nextra:\n  - id: %s\n"
                       "    v: base\n" % (LONG_KEY, LONG_ID))
        a.ok("sync", "-q")
        b.ok("sync", "-q")
        self.hand_edit(a, tid, "%s: base" % LONG_KEY, "%s: from-a" % LONG_KEY)
        self.hand_edit(a, tid, "v: base", "v: from-a")
        a.ok("sync", "-q")
        self.hand_edit(b, tid, "%s: base" % LONG_KEY, "%s: from-b" % LONG_KEY)
        self.hand_edit(b, tid, "v: base", "v: from-b")
        b.ok("sync", "-q")
        item = "extra[%s].v" % LONG_ID
        fields = [c["field"] for c in json.loads(b.ok("conflicts", "--json"))]
        self.assertEqual(sorted(fields), sorted([LONG_KEY, item]),
                         [len(f) for f in fields])
        text = b.ok("conflicts")
        self.assertIn("  %s (conflict" % LONG_KEY, text)
        self.assertIn("  %s (conflict" % item, text)
        # equal stamps: the greater value (b's) is kept; --theirs takes
        # a's back
        self.assertEqual(b.load(tid)[LONG_KEY], "from-b")
        b.ok("resolve", tid[:8], LONG_KEY, "--theirs")
        b.ok("resolve", tid[:8], item, "--ours")
        doc = b.load(tid)
        self.assertEqual(doc[LONG_KEY], "from-a")
        self.assertEqual(doc["extra"], [{"id": LONG_ID, "v": "from-b"}])
        self.assertNotIn("conflicts", doc)
        self.assertEqual(b.ok("conflicts"), "no conflicts\n")
        b.ok("sync", "-q")
        a.ok("sync", "-q")
        self.net.assert_converged(self)
        a.ok("check")



class TestRemoteErrors(unittest.TestCase):
    """Exit 3 only when a remote could not be reached: a script retries
    it. A clone into a directory that is not empty, or from a path that
    holds no repository, is 1 and says so."""

    def setUp(self):
        self.net = Network(1)
        self.addCleanup(self.net.close)
        self.r = self.net.replicas[0]
        self.tid = self.r.add("A task", "--to", "kim")["id"][:8]

    def run_in(self, cwd, *args):
        return subprocess.run(command(args), cwd=cwd, env=self.r.env,
                              capture_output=True, text=True)

    def test_clone_into_a_directory_that_is_not_empty_is_1(self):
        there = os.path.join(self.net.tmp, "there")
        os.makedirs(there)
        with open(os.path.join(there, "keep.txt"), "w") as f:
            f.write("mine\n")
        res = self.run_in(self.net.tmp, "clone", self.net.bare, "there")
        self.assertEqual(res.returncode, 1, res.stderr)
        self.assertIn("cannot clone into 'there': it exists and is not an "
                      "empty directory", res.stderr)
        self.assertNotIn("reach", res.stderr)
        self.assertEqual(os.listdir(there), ["keep.txt"])
        # an empty one is fine, as for git
        os.makedirs(os.path.join(self.net.tmp, "empty"))
        res = self.run_in(self.net.tmp, "clone", "-q", self.net.bare, "empty")
        self.assertEqual(res.returncode, 0, res.stderr)

    def test_a_repository_path_that_is_not_there_is_1_and_named(self):
        gone = os.path.join(self.net.tmp, "gone.git")
        for url in (gone, "file://" + gone):
            with self.subTest(url=url):
                res = self.run_in(self.net.tmp, "clone", url, "c")
                self.assertEqual(res.returncode, 1, res.stderr)
                self.assertIn("no repository at '%s' (No such file or "
                              "directory)" % gone, res.stderr)
                self.assertNotIn("unsupported URL protocol", res.stderr)
                self.assertFalse(os.path.exists(os.path.join(self.net.tmp,
                                                             "c")))
        self.r.git("remote", "set-url", "origin", gone)
        self.r.ok("set", self.tid, "priority=low")
        head = self.r.head()
        res = self.r.run("sync")
        self.assertEqual(res.returncode, 1, res.stderr)
        self.assertIn("cannot fetch from 'origin' (%s): no repository at"
                      % gone, res.stderr)
        self.assertEqual(self.r.head(), head)

    def test_only_a_remote_that_cannot_be_reached_is_3(self):
        url = "git://127.0.0.1:%d/remote.git" % free_port()
        res = self.run_in(self.net.tmp, "clone", url, "c")
        self.assertEqual(res.returncode, 3, res.stderr)
        self.assertIn("cannot reach '%s' to clone" % url, res.stderr)
        self.r.git("remote", "set-url", "origin", url)
        res = self.r.run("sync")
        self.assertEqual(res.returncode, 3, res.stderr)
        self.assertIn("cannot reach remote 'origin'", res.stderr)


@unittest.skipUnless(os.geteuid() == 0 and shutil.which("mount"),
                     "mounting a tmpfs needs root")
class TestDiskFull(unittest.TestCase):
    """A replica on a tmpfs of a few hundred KiB: a full disk is exit 1 with
    the system's words, never 3, and leaves a sound repository that syncs
    once there is room."""

    def setUp(self):
        self.net = Network(1)
        self.addCleanup(self.net.close)
        self.a = self.net.replicas[0]
        self.mnt = tempfile.mkdtemp(prefix="delegit-tmpfs-")
        self.addCleanup(os.rmdir, self.mnt)
        res = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=400k",
                              "tmpfs", self.mnt], capture_output=True)
        if res.returncode:
            self.skipTest("cannot mount a tmpfs: %s" % res.stderr)
        self.addCleanup(subprocess.run, ["umount", "-l", self.mnt],
                        check=True)
        self.b = Repo(tmp=self.mnt, name="b", clone_from=self.net.bare)

    def grow(self):
        subprocess.run(["mount", "-o", "remount,size=16m", self.mnt],
                       check=True)

    def big_tasks(self, text_of):
        for i in range(8):
            t = self.a.add("big %d" % i)
            self.a.ok("set", t["id"][:8], "why=" + text_of(i))
        self.a.ok("sync", "-q")

    def assert_sound(self, head):
        b = self.b
        self.assertEqual(b.head(), head)
        b.git("fsck", "--strict")
        self.assertEqual(b.git("status", "--porcelain"), "")
        b.ok("check")

    def assert_full(self, res):
        self.assertEqual(res.returncode, 1, res.stderr)
        self.assertIn("No space left on device", res.stderr)
        self.assertNotIn("reach", res.stderr)

    def test_a_fetch_that_fills_the_disk(self):
        rnd = __import__("random").Random(1)
        letters = "abcdefghijklmnopqrstuvwxyz"
        self.big_tasks(lambda i: "".join(rnd.choice(letters)
                                         for _ in range(100000)))
        head = self.b.head()
        self.assert_full(self.b.run("sync"))
        self.assert_sound(head)
        self.grow()
        self.b.ok("sync", "-q")
        self.assertEqual(self.b.files(), self.a.files())

    def test_a_work_tree_that_fills_the_disk_is_put_back(self):
        # it packs small, and takes 800 KB in the work tree
        self.big_tasks(lambda i: ("line %d of the why " % i) * 5000)
        head = self.b.head()
        self.assert_full(self.b.run("sync"))
        self.assert_sound(head)
        self.grow()
        self.b.ok("sync", "-q")
        self.assertEqual(self.b.files(), self.a.files())

    def test_a_command_on_a_full_disk(self):
        b = self.b
        filler = os.path.join(self.mnt, "filler")
        fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
        try:
            while True:
                os.write(fd, b"x" * 65536)
        except OSError:
            pass
        try:
            while True:
                os.write(fd, b"x" * 512)
        except OSError:
            pass
        os.close(fd)
        head = b.head()
        for args in (["add", "one more"], ["team", "edit", "kim",
                                           "--capacity", "10"]):
            with self.subTest(args=args):
                self.assert_full(b.run(*args))
        os.remove(filler)
        self.assert_sound(head)
        b.ok("add", "one more")



if __name__ == "__main__":
    unittest.main()
