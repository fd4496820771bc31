#!/usr/bin/python3
"""End-to-end tests of the command-line conventions of issue 14, item 9:
`delegit help COMMAND`, "did you mean" for mistyped commands and options,
a pager on a terminal, full titles in a pipe, `set tags=+x,-y`, what sync
says came in and went out, one unit of duration per table."""
import os
import pty
import select
import subprocess
import tempfile
import unittest

from helpers import DELEGIT, VALGRIND, VALGRIND_CMD, Network, Repo


def command(args):
    """delegit with args, under valgrind when the tests are (helpers.py)."""
    return (VALGRIND_CMD if VALGRIND else []) + [DELEGIT, *args]


class TestConventions(unittest.TestCase):
    """help COMMAND, did you mean, set's list edits, full titles in a pipe,
    one unit per table."""

    def setUp(self):
        self.r = Repo()
        self.addCleanup(self.r.close)

    # -- help COMMAND ------------------------------------------------------

    def test_help_command_is_command_help(self):
        for cmd in (["add"], ["list"], ["team", "add"], ["sync"], ["help"]):
            with self.subTest(cmd=cmd):
                res = self.r.run("help", *cmd)
                self.assertEqual(res.returncode, 0, res.stderr)
                self.assertEqual(res.stdout,
                                 self.r.ok(*cmd, "--help"))
                self.assertIn("usage: delegit " + " ".join(cmd),
                              res.stdout)

    def test_help_alone_is_the_list_of_commands(self):
        res = self.r.run("help")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(res.stdout, self.r.ok("--help"))
        self.assertIn("help", res.stdout)
        # outside a repository too, as --help
        with tempfile.TemporaryDirectory() as d:
            res = subprocess.run(command(["help", "add"]), cwd=d,
                                 env=self.r.env, capture_output=True,
                                 text=True)
            self.assertEqual(res.returncode, 0, res.stderr)
            self.assertIn("usage: delegit add", res.stdout)

    def test_help_of_an_unknown_command_is_a_usage_error(self):
        res = self.r.run("help", "lsit")
        self.assertEqual(res.returncode, 2)
        self.assertEqual(res.stdout, "")
        self.assertEqual(res.stderr, "delegit: 'lsit' is not a delegit "
                         "command. Did you mean 'list'?\n")

    # -- did you mean ------------------------------------------------------

    def test_a_mistyped_command_names_the_nearest(self):
        for typed, meant in (("lsit", "'list'"), ("shwo", "'show'"),
                             ("agneda", "'agenda'"), ("sycn", "'sync'"),
                             ("confilcts", "'conflicts'"),
                             ("sat", "'set' or 'start'")):
            with self.subTest(typed=typed):
                res = self.r.run(typed)
                self.assertEqual(res.returncode, 2)
                self.assertEqual(res.stderr,
                                 "delegit: '%s' is not a delegit command. "
                                 "Did you mean %s?\n" % (typed, meant))

    def test_a_command_like_no_other_gets_no_suggestion(self):
        res = self.r.run("frobnicate")
        self.assertEqual(res.returncode, 2)
        self.assertNotIn("Did you mean", res.stderr)
        self.assertIn("'frobnicate' is not a delegit command", res.stderr)

    def test_a_mistyped_option_names_the_nearest(self):
        tid = self.r.add("A task", "--to", "kim")["id"][:8]
        for args, typed, meant in (
                (["list", "--stauts", "open"], "--stauts", "'--status'"),
                (["list", "--jsno"], "--jsno", "'--json'"),
                (["add", "x", "--priorty", "high"], "--priorty",
                 "'--priority'"),
                (["show", tid, "--hepl"], "--hepl", "'--help'"),
                (["sync", "--timeotu=5"], "--timeotu=5", "'--timeout'"),
                (["report", "sla", "--snice", "2026-01-01"], "--snice",
                 "'--since'")):
            with self.subTest(args=args):
                before = self.r.head()
                res = self.r.run(*args)
                self.assertEqual(res.returncode, 2, res.stderr)
                self.assertIn("delegit: unknown option '%s'. Did you mean "
                              "%s?\n" % (typed, meant), res.stderr)
                self.assertEqual(self.r.head(), before)

    def test_an_option_like_no_other_gets_no_suggestion(self):
        res = self.r.run("list", "--xyzzy")
        self.assertEqual(res.returncode, 2)
        self.assertIn("unknown option '--xyzzy'\n", res.stderr)
        self.assertNotIn("Did you mean", res.stderr)

    def test_a_mistyped_team_command_and_global_option(self):
        res = self.r.run("team", "lsit")
        self.assertEqual(res.returncode, 2)
        self.assertIn("unknown team command 'lsit'. Did you mean 'list'?",
                      res.stderr)
        res = self.r.run("--no-colr", "list")
        self.assertEqual(res.returncode, 2)
        self.assertIn("unknown option '--no-colr'. Did you mean "
                      "'--no-color'?", res.stderr)


if __name__ == "__main__":
    unittest.main()
