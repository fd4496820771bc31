#!/usr/bin/python3
"""A corpus of hostile files (tests/data/bad/, plus a 100 MB file, a
symbolic link out of the repository and a directory where a task file
should be, made here): each gets a clear error with its position where it
has one, no crash, and nothing in the repository changes."""
import os
import shutil
import unittest

from helpers import Repo

BAD = os.path.join(os.environ.get("DELEGIT_TEST_DATA",
                                  os.path.join(os.path.dirname(__file__),
                                               "..", "data")), "bad")
UUID = "ab000000-0000-4000-8000-000000000000"
REL = "tasks/ab/%s.yaml" % UUID


class TestHostileCorpus(unittest.TestCase):
    def setUp(self):
        self.r = Repo()
        self.addCleanup(self.r.close)
        self.r.add("A good task", "--to", "kim")
        self.target = os.path.join(self.r.path, REL)
        os.makedirs(os.path.dirname(self.target), exist_ok=True)

    def snapshot(self):
        files = {}
        for root, dirs, names in os.walk(self.r.path):
            if ".git" in dirs:
                dirs.remove(".git")
            for n in names:
                p = os.path.join(root, n)
                if os.path.islink(p):
                    files[p] = "link:" + os.readlink(p)
                else:
                    with open(p, "rb") as f:
                        files[p] = f.read()
        return self.r.head(), files

    def assert_refused(self, name, want_position):
        before = self.snapshot()
        for args in (["check"], ["show", UUID[:8]], ["list"],
                     ["set", UUID[:8], "priority=low"], ["log"]):
            res = self.r.run(*args)
            self.assertGreaterEqual(res.returncode, 0,
                                    "%s: %s crashed" % (name, args))
            if args[0] in ("check", "show", "set"):
                self.assertEqual(res.returncode, 1, (name, args, res.stderr))
                self.assertIn(REL, res.stderr, (name, args))
                if want_position:
                    self.assertRegex(res.stderr, r"%s:\d+:\d+: " % REL,
                                     (name, args))
            self.assertNotIn("Traceback", res.stderr)
        self.assertEqual(self.snapshot(), before, name)

    def test_every_file_of_the_corpus(self):
        names = sorted(os.listdir(BAD))
        self.assertGreaterEqual(len(names), 12)
        for name in names:
            with self.subTest(file=name):
                shutil.copyfile(os.path.join(BAD, name), self.target)
                # files too big to read or empty have no position to name
                self.assert_refused(name, name not in ("empty.yaml",))
                os.remove(self.target)

    def test_a_100_megabyte_file(self):
        with open(self.target, "wb") as f:
            f.truncate(100 * 1024 * 1024)
        self.assert_refused("100 MB", False)

    def test_a_link_out_of_the_repository(self):
        os.symlink("/etc/passwd", self.target)
        self.assert_refused("symlink", False)

    def test_a_directory_where_a_task_file_should_be(self):
        os.makedirs(self.target)
        res = self.r.run("check")
        self.assertEqual(res.returncode, 1)
        self.assertIn(REL, res.stderr)
        self.assertEqual(self.r.run("show", UUID[:8]).returncode, 1)


if __name__ == "__main__":
    unittest.main()
