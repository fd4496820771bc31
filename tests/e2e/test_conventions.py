#!/usr/bin/python3
"""End-to-end tests of the command-line conventions of issue 14, item 9:
`delegit help COMMAND`, "did you mean" for mistyped commands and options,
a pager on a terminal, full titles in a pipe, `set tags=+x,-y`, what sync
says came in and went out, one unit of duration per table."""
import json
import os
import subprocess
import tempfile
import unittest

from helpers import (DELEGIT, VALGRIND, VALGRIND_CMD, Network, Repo,
                     run_on_pty)


def command(args):
    """delegit with args, under valgrind when the tests are (helpers.py)."""
    return (VALGRIND_CMD if VALGRIND else []) + [DELEGIT, *args]


def on_terminal(test, cwd, args, env):
    """Run delegit on a pseudo-terminal: (exit status, what it showed)."""
    status, out = run_on_pty(command(args), cwd, env)
    return status, out.replace(b"\r\n", b"\n").decode("utf-8", "replace")


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

    def test_a_mistyped_report_names_the_nearest(self):
        res = self.r.run("report", "dleivery")
        self.assertEqual(res.returncode, 2)
        self.assertIn("delegit: no report 'dleivery' (expected workload, "
                      "delivery, sla, matrix, accountability, trend or "
                      "orgs). Did you mean 'delivery'?\n", res.stderr)
        res = self.r.run("report", "velocity")
        self.assertEqual(res.returncode, 2)
        self.assertIn("no report 'velocity' (expected workload", res.stderr)
        self.assertNotIn("Did you mean", res.stderr)

    def test_an_option_like_no_other_gets_no_suggestion(self):
        res = self.r.run("list", "--xyzzy")
        self.assertEqual(res.returncode, 2)
        self.assertIn("unknown option '--xyzzy'\n", res.stderr)
        self.assertNotIn("Did you mean", res.stderr)

    # -- list: whole titles in a pipe, fitted on a terminal ---------------

    def test_list_titles_whole_in_a_pipe_fitted_on_a_terminal(self):
        title = "A rather long title " * 8 + "that ends here"
        self.r.add(title, "--to", "kim")
        for columns in (None, "80", "40"):
            with self.subTest(columns=columns):
                env = dict(self.r.env)
                env.pop("COLUMNS", None)
                if columns:
                    env["COLUMNS"] = columns
                res = subprocess.run(command(["list"]), cwd=self.r.path,
                                     env=env, capture_output=True, text=True)
                self.assertEqual(res.returncode, 0, res.stderr)
                self.assertIn(title + "\n", res.stdout)
                self.assertNotIn("\u2026", res.stdout)
        # a terminal gets them fitted to its width
        env = dict(self.r.env, COLUMNS="100", DELEGIT_PAGER="cat")
        status, out = on_terminal(self, self.r.path, ["list"], env)
        self.assertEqual(status, 0, out)
        line = [l for l in out.splitlines() if "A rather" in l][0]
        self.assertTrue(line.endswith("\u2026"), line)
        self.assertLessEqual(len(line), 100)
        self.assertGreater(len(line), 90)
        self.assertNotIn("ends here", out)

    # -- set: list edits -----------------------------------------------------

    def test_set_tags_adds_and_removes_item_by_item(self):
        tid = self.r.add("Plan", "--to", "kim", "--tag", "budget",
                         "--tag", "ops", "--skill", "go")["id"]
        self.r.ok("set", tid[:8], "tags=+planning,-budget")
        self.assertEqual(sorted(self.r.load(tid)["tags"]),
                         ["ops", "planning"])
        self.assertIn("tags", self.r.git("log", "-1", "--format=%B"))
        self.r.ok("set", tid[:8], "tags=a,b", "skills=+rust,-go")
        doc = self.r.load(tid)
        self.assertEqual(sorted(doc["tags"]), ["a", "b"])
        self.assertEqual(doc["skills"], ["rust"])
        # a new list with an edit in it: refused, nothing written
        head = self.r.head()
        res = self.r.run("set", tid[:8], "tags=x,-a")
        self.assertEqual(res.returncode, 2, res.stderr)
        self.assertIn("tags: 'x,-a' is a new list with an edit in it",
                      res.stderr)
        self.assertEqual(self.r.head(), head)
        self.assertEqual(sorted(self.r.load(tid)["tags"]), ["a", "b"])
        # a tag that starts with a sign, after its own
        self.r.ok("set", tid[:8], "tags=+-odd")
        self.assertEqual(sorted(self.r.load(tid)["tags"]), ["-odd", "a", "b"])
        self.r.ok("set", tid[:8], "tags=--odd")
        self.assertEqual(sorted(self.r.load(tid)["tags"]), ["a", "b"])
        self.assertIn("+x adds x and -y removes y",
                      self.r.ok("set", "--help"))

    # -- one unit of duration per table --------------------------------------

    def sla(self, targets):
        with open(os.path.join(self.r.path, ".delegit", "config.yaml"),
                  "w") as f:
            f.write("format: 1\norgs:\n  acme-msp:\n    sla:\n"
                    "      high: {%s}\n" % targets)
        self.r.git("commit", "-qam", "SLA targets")
        return self.r.ok("report", "sla", now="2026-11-09T09:42:00Z")

    def test_report_sla_uses_one_unit_per_table(self):
        self.r.add("Backup", "--to", "kim", "--priority", "high",
                   now="2026-11-02T09:00:00Z")
        # targets in days: days throughout
        out = self.sla("respond: 1d, resolve: 1w")
        self.assertIn("0/1 in 1 d ", out)
        self.assertIn("0/1 in 7 d ", out)
        self.assertIn("respond: 7.0 d against 1 d, still open", out)
        self.assertIn("resolve: 7.0 d against 7 d, still open", out)
        self.assertNotRegex(out, r"[0-9] h\b")
        # one in hours: hours throughout (was "168.7 h against 2d")
        out = self.sla("respond: 4h, resolve: 2d")
        self.assertIn("0/1 in 4 h ", out)
        self.assertIn("0/1 in 48 h ", out)
        self.assertIn("respond: 168.7 h against 4 h, still open", out)
        self.assertIn("resolve: 168.7 h against 48 h, still open", out)
        self.assertNotRegex(out, r"[0-9] d\b")
        # --json keeps its figures: hours, and the targets as written
        doc = json.loads(self.r.ok("report", "sla", "--json",
                                   now="2026-11-09T09:42:00Z"))
        self.assertEqual(sorted((b["target"], b["actual_hours"])
                                for b in doc["breaches"]),
                         [("2d", 168.7), ("4h", 168.7)])

    def test_a_mistyped_subcommand_and_global_option(self):
        res = self.r.run("team", "lsit")
        self.assertEqual(res.returncode, 2)
        self.assertIn("unknown team command 'lsit'. Did you mean 'list'?",
                      res.stderr)
        res = self.r.run("hook", "instal")
        self.assertEqual(res.returncode, 2)
        self.assertIn("unknown hook command 'instal'. Did you mean "
                      "'install'?", res.stderr)
        res = self.r.run("--no-colr", "list")
        self.assertEqual(res.returncode, 2)
        self.assertIn("unknown option '--no-colr'. Did you mean "
                      "'--no-color'?", res.stderr)


class TestSyncSummary(unittest.TestCase):
    """sync says what came in (how many changes, by whom, the conflicts)
    and what went out, on one line."""

    def setUp(self):
        self.net = Network(3)
        self.addCleanup(self.net.close)
        self.dana, self.kim, self.sam = self.net.replicas
        self.kim.as_("kim")
        self.sam.as_("sam")

    def sync(self, replica):
        return replica.ok("sync").strip()

    def test_what_came_in_and_went_out(self):
        self.assertEqual(self.sync(self.dana), "up to date with origin")
        t1 = self.kim.add("Kim one", "--to", "kim")["id"][:8]
        self.kim.add("Kim two", "--to", "kim")
        self.assertEqual(self.sync(self.kim), "pushed 2 commits to origin")
        self.sam.add("Sam one", "--to", "sam")
        out = self.sync(self.sam)
        self.assertRegex(out, r"^fetched 2 changes by kim \(merged origin: "
                         r"now at [0-9a-f]{8}\); pushed 2 commits to "
                         r"origin$")  # sam's and the merge
        self.assertEqual(self.sync(self.dana),
                         "fetched 3 changes by kim, sam (fast-forwarded "
                         "to %s)" % self.dana.head()[:8])
        # a conflict: both change the priority
        self.dana.ok("set", t1, "priority=high")
        self.kim.ok("set", t1, "priority=low")
        self.assertRegex(self.sync(self.kim), r"^fetched 1 change by sam ")
        out = self.sync(self.dana)
        self.assertRegex(out, r"^fetched 1 change by kim \(merged origin: "
                         r"now at [0-9a-f]{8}\); 1 conflict recorded "
                         r"\(see 'delegit conflicts'\); pushed 2 commits to "
                         r"origin$")
        self.assertEqual(self.sync(self.dana), "up to date with origin")
        # the merge commit is not a change; dana's edit is
        self.assertEqual(self.sync(self.kim),
                         "fetched 1 change by dana (fast-forwarded to %s)"
                         % self.kim.head()[:8])
        # counted as git counts them
        self.assertEqual(self.kim.git("rev-list", "--count", "--no-merges",
                                      "HEAD@{1}..HEAD"), "1")
        self.assertEqual(self.kim.ok("sync", "-q"), "")

    def test_an_author_outside_the_team_is_named_as_git_knows_them(self):
        path = os.path.join(self.kim.path, "notes.txt")
        with open(path, "w") as f:
            f.write("not a delegit file\n")
        self.kim.git("add", "notes.txt")
        self.kim.git("-c", "user.email=outsider@else.example", "-c",
                     "user.name=Out Sider", "commit", "-qm", "notes")
        self.kim.ok("sync")
        self.assertEqual(self.sync(self.dana),
                         "fetched 1 change by Out Sider (fast-forwarded to "
                         "%s)" % self.dana.head()[:8])


class TestPager(unittest.TestCase):
    """On a terminal, the commands that can print long output go through
    DELEGIT_PAGER, else PAGER, else `less -FRX`; never in a pipe, nor with
    --no-pager; delegit waits for the pager."""

    PAGED = [["log"], ["list"], ["show", "{tid}"], ["report", "workload"],
             ["report", "sla"], ["audit"], ["conflicts"], ["agenda"],
             ["team", "list"], ["team", "show", "kim"], ["list", "--json"]]

    def setUp(self):
        self.r = Repo()
        self.addCleanup(self.r.close)
        self.tid = self.r.add("Paged task", "--to", "kim")["id"][:8]
        self.mark = os.path.join(self.r.tmp, "paged")
        # the pager: says it ran, and with which LESS, then shows its input
        self.pager = os.path.join(self.r.tmp, "pager.sh")
        with open(self.pager, "w") as f:
            f.write('#!/bin/sh\necho "ran LESS=$LESS" >> "%s"\n'
                    'sed "s/^/PAGED: /"\nsleep 0.3\necho end >> "%s"\n'
                    % (self.mark, self.mark))
        os.chmod(self.pager, 0o755)
        self.env = dict(self.r.env, TERM="xterm", PAGER=self.pager)
        for var in ("DELEGIT_PAGER", "LESS", "NO_COLOR"):
            self.env.pop(var, None)

    def args(self, cmd):
        return [a.replace("{tid}", self.tid) for a in cmd]

    def marks(self):
        if not os.path.exists(self.mark):
            return []
        with open(self.mark) as f:
            lines = f.read().splitlines()
        os.unlink(self.mark)
        return lines

    def test_long_output_commands_page_on_a_terminal(self):
        for cmd in self.PAGED:
            with self.subTest(cmd=cmd):
                status, out = on_terminal(self, self.r.path, self.args(cmd),
                                          self.env)
                self.assertEqual(status, 0, out)
                # delegit waited for the pager: it had finished
                self.assertEqual(self.marks(), ["ran LESS=FRX", "end"])
                lines = [l for l in out.splitlines() if l]
                self.assertTrue(lines)
                for line in lines:
                    self.assertTrue(line.startswith("PAGED: "), out)

    def test_colours_stay_on_through_the_pager(self):
        status, out = on_terminal(self, self.r.path, ["list"], self.env)
        self.assertEqual(status, 0, out)
        self.assertIn("\x1b[33m", out)
        self.assertIn("PAGED: ", out)

    def test_errors_go_through_it_in_order(self):
        status, out = on_terminal(self, self.r.path, ["list", "--stauts"],
                                  self.env)
        self.assertEqual(status, 2)
        self.assertIn("PAGED: delegit: unknown option '--stauts'", out)

    def test_never_in_a_pipe(self):
        status, out = on_terminal(self, self.r.path, ["log"], self.env)
        self.assertIn("PAGED: ", out)  # it would on a terminal
        self.marks()
        for cmd in self.PAGED:
            with self.subTest(cmd=cmd):
                res = subprocess.run(command(self.args(cmd)),
                                     cwd=self.r.path, env=self.env,
                                     capture_output=True, text=True)
                self.assertEqual(res.returncode, 0, res.stderr)
                self.assertNotIn("PAGED", res.stdout)
                self.assertEqual(self.marks(), [])

    def test_never_with_no_pager_nor_an_empty_or_cat_pager(self):
        for env, args in (({}, ["--no-pager", "log"]),
                          ({}, ["-C", ".", "--no-pager", "list"]),
                          ({"PAGER": ""}, ["log"]),
                          ({"PAGER": "cat"}, ["log"]),
                          ({"DELEGIT_PAGER": "cat"}, ["log"]),
                          ({"DELEGIT_PAGER": ""}, ["list"])):
            with self.subTest(env=env, args=args):
                status, out = on_terminal(self, self.r.path, args,
                                          dict(self.env, **env))
                self.assertEqual(status, 0, out)
                self.assertNotIn("PAGED", out)
                self.assertIn("Paged task", out)
                self.assertEqual(self.marks(), [])

    def test_delegit_pager_comes_before_pager_and_less_keeps_its_options(
            self):
        other = os.path.join(self.r.tmp, "other.sh")
        with open(other, "w") as f:
            f.write('#!/bin/sh\necho "other LESS=$LESS" >> "%s"\n'
                    'sed "s/^/OTHER: /"\n' % self.mark)
        os.chmod(other, 0o755)
        status, out = on_terminal(self, self.r.path, ["list"],
                                  dict(self.env, DELEGIT_PAGER=other,
                                       LESS="S"))
        self.assertEqual(status, 0, out)
        self.assertIn("OTHER: ", out)
        self.assertNotIn("PAGED", out)
        self.assertEqual(self.marks(), ["other LESS=S"])

    def test_not_for_commands_that_ask_or_change(self):
        status, out = on_terminal(self, self.r.path, ["--no-color", "list"],
                                  self.env)
        self.assertIn("PAGED: ", out)  # list does, with any global option
        self.marks()
        for cmd in (["add", "Another"], ["set", "{tid}", "priority=high"],
                    ["start", "{tid}"], ["check"], ["list", "--help"],
                    ["help", "list"], ["--help"], ["--version"]):
            with self.subTest(cmd=cmd):
                if cmd[0] == "start":
                    self.r.as_("kim")
                status, out = on_terminal(self, self.r.path, self.args(cmd),
                                          self.env)
                self.r.as_("dana")
                self.assertEqual(status, 0, out)
                self.assertNotIn("PAGED", out)
                self.assertEqual(self.marks(), [])


if __name__ == "__main__":
    unittest.main()
