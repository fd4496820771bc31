#!/usr/bin/python3
"""Robustness (issue 13, items 6 to 8): text from files never reaches the
terminal raw, text arguments holding control characters are refused,
errors say what happened with the right exit code, and names built from
files are never cut short."""
import datetime
import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest

from helpers import (DELEGIT, VALGRIND, VALGRIND_CMD, Network, Repo,
                     free_port, run_on_pty)

# OSC 52 (write the clipboard), OSC 0 (the window's title), CSI (clear the
# screen, colour), a carriage return, a right-to-left override, C1 controls
# (NEL, and CSI as one character), DEL and a C0 control.
HOSTILE = ("T\x1b]52;c;aGk=\x07\x1b]0;pwned\x07\x1b[2J\x1b[31mred\r\u202eevil"
           "\u0085\u009b1m\x7f\x01end")
SHOWN = "T\\e]52;c;aGk=\\a\\e]0;pwned"  # how its start is printed
MARK = "\\e]0;pwned"                     # printed, in it and in EMAIL
EMAIL = "ev\x1b]0;pwned\x07il@example.com"  # git takes it as it is
LONG_KEY = "x_" + "k" * 298          # 300 characters
LONG_ID = "ab" * 150                 # an item id of 300 characters


def command(args):
    """delegit with args, under valgrind when the tests are (helpers.py)."""
    return (VALGRIND_CMD if VALGRIND else []) + [DELEGIT, *args]


def forbidden(data):
    """What of the hostile text reached the output raw: [] when nothing."""
    text = data.decode("utf-8", "replace")
    found = [b for b in (b"\x1b", b"\x07", b"\r", b"\x7f", b"\x01")
             if b in data]
    found += ["U+%04X" % ord(ch) for ch in text
              if 0x80 <= ord(ch) <= 0x9f or 0x202a <= ord(ch) <= 0x202e
              or 0x2066 <= ord(ch) <= 0x2069]
    return found


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



def days_ago(n):
    return datetime.date.today() - datetime.timedelta(days=n)


class TestTerminalInjection(unittest.TestCase):
    """A task whose every text holds the hostile bytes, as any member may
    commit by hand (and a team member's name, a conflict over the title,
    an unknown key, a file that does not validate): no command prints
    them raw, through a pipe or on a terminal."""

    @classmethod
    def setUpClass(cls):
        cls.net = Network(2)
        a, b = cls.net.replicas
        created = "%sT09:00:00Z" % days_ago(10)
        t = a.add("TITLE_X", "--to", "kim", "--due", str(days_ago(3)),
                  "--why", "WHY_X", "--expect", "OUTCOME_X",
                  "--quality", "QUALITY_X", "--accept", "ACCEPT_X",
                  "--process", "PROCESS_X",
                  "--checkpoint", "%s:CHECK_X" % days_ago(4),
                  "--tag", "tagx", "--skill", "backup", "--estimate", "5",
                  now=created)
        cls.tid = tid = t["id"]
        a.ok("feedback", tid[:8], "FEEDBACK_X", now=created)
        a.ok("sync", "-q")
        b.ok("sync", "-q")
        # a puts the hostile text everywhere, by hand, with plain git
        q = json.dumps
        edits = {"TITLE_X": q(HOSTILE),
                 "WHY_X": q("first " + HOSTILE + "\nsecond line\n"),
                 "OUTCOME_X": q(HOSTILE), "QUALITY_X": q(HOSTILE),
                 "ACCEPT_X": q(HOSTILE), "PROCESS_X": q(HOSTILE),
                 "CHECK_X": q(HOSTILE), "FEEDBACK_X": q(HOSTILE),
                 "tagx": q("t" + HOSTILE)}
        cls.edit(a.task_file(tid), edits,
                 q("x_" + HOSTILE) + ": " + q(HOSTILE) + "\n")
        cls.edit(os.path.join(a.path, "team", "kim.yaml"),
                 {"Kim Lee": q("Kim " + HOSTILE)})
        with open(os.path.join(a.path, ".delegit", "config.yaml"), "w") as f:
            f.write("format: 1\norgs:\n  acme-msp:\n    title: %s\n"
                    "    sla:\n      normal: {respond: 1h, resolve: 1d}\n"
                    "      high: {respond: 1h, resolve: 1d}\n"
                    % q(HOSTILE))
        a.git("commit", "-qam", "hostile")
        a.ok("sync", "-q")
        # b changes the title too: a conflict whose both values are hostile
        cls.edit(b.task_file(tid), {"TITLE_X": q("B " + HOSTILE)})
        b.git("commit", "-qam", "hostile too")
        b.ok("sync", "-q")
        # a change by someone outside the team, whose email is hostile
        cls.edit(b.task_file(tid), {"priority: normal": "priority: high"})
        b.git("-c", "user.email=" + EMAIL, "commit", "-qam", "outsider")
        # and a task file that does not validate, quoting hostile text
        cls.bad = "ee000000-0000-4000-8000-000000000000"
        with open(b.task_file(tid), encoding="utf-8") as f:
            text = f.read()
        path = b.task_file(cls.bad)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text.replace(tid, cls.bad).replace(
                "status: open", "status: " + q(HOSTILE)))
        b.git("add", ".")
        b.git("commit", "-qm", "an invalid file")
        cls.r = b
        cls.html = os.path.join(cls.net.tmp, "report.html")

    @classmethod
    def tearDownClass(cls):
        cls.net.close()

    @staticmethod
    def edit(path, replace, append=""):
        with open(path, encoding="utf-8") as f:
            text = f.read()
        for old, new in replace.items():
            assert old in text, (path, old)
            text = text.replace(old, new)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text + append)

    COMMANDS = [
        ["list"], ["list", "--all"], ["list", "--json"],
        ["show", "{tid}"], ["show", "{tid}", "--json"],
        ["agenda"], ["agenda", "kim"], ["agenda", "--json"],
        ["log"], ["log", "{tid}"], ["log", "--json"],
        ["suggest", "{tid}"], ["suggest", "{tid}", "--json"],
        ["conflicts"], ["conflicts", "--json"],
        ["report", "workload"], ["report", "delivery"], ["report", "sla"],
        ["report", "matrix"], ["report", "accountability"],
        ["report", "sla", "--json"], ["report", "matrix", "--json"],
        ["report", "accountability", "--json"], ["report", "--html", "{html}"],
        ["audit"], ["audit", "--json"],
        ["team", "list"], ["team", "list", "--json"],
        ["team", "show", "kim"], ["team", "show", "kim", "--json"],
        ["check"], ["show", "{bad}"], ["set", "{bad}", "priority=low"],
        ["export", "--ics"], ["export", "--csv"], ["export", "--json"],
    ]
    # where the title (or the hostile text) must show, escaped
    SHOWS = {"list", "show", "agenda", "log", "suggest", "conflicts",
             "report sla", "report matrix", "audit", "check"}

    def args(self, cmd):
        return [a.format(tid=self.tid[:8], bad=self.bad[:8], html=self.html)
                for a in cmd]

    def test_no_command_prints_the_hostile_bytes_into_a_pipe(self):
        for cmd in self.COMMANDS:
            with self.subTest(cmd=" ".join(cmd)):
                res = subprocess.run(command(self.args(cmd)),
                                     cwd=self.r.path, env=self.r.env,
                                     capture_output=True)
                self.assertIn(res.returncode, (0, 1), res.stderr)
                out = res.stdout + res.stderr
                if cmd[0] == "export":
                    # iCalendar's and CSV's own line ends (RFC 5545, 4180)
                    out = out.replace(b"\r\n", b"\n")
                self.assertEqual(forbidden(out), [], out[:2000])
                if "--json" not in cmd and (
                        cmd[0] in self.SHOWS or
                        " ".join(cmd[:2]) in self.SHOWS):
                    self.assertIn(MARK, out.decode(), out[:2000])
                if "--json" in cmd and res.stdout:
                    json.loads(res.stdout)
        with open(self.html, "rb") as f:
            html = f.read()
        self.assertEqual(forbidden(html), [])
        self.assertIn(SHOWN.encode(), html)

    def test_show_keeps_multi_line_text_as_lines(self):
        out = self.r.ok("show", self.tid[:8])
        self.assertIn("\n  first %s" % SHOWN, out)
        self.assertIn("\n  second line\n", out)
        doc = json.loads(self.r.ok("show", self.tid[:8], "--json"))
        self.assertEqual(doc["why"], "first " + HOSTILE + "\nsecond line\n")

    def test_on_a_terminal_only_delegit_colours_are_escape_sequences(self):
        # no pager: what delegit itself writes to the terminal (a pager
        # such as less adds its own sequences)
        env = dict(self.r.env, TERM="xterm", COLUMNS="200",
                   DELEGIT_PAGER="cat")
        env.pop("NO_COLOR")
        for cmd in (["show", "{tid}"], ["list"], ["agenda"], ["conflicts"],
                    ["log", "{tid}"]):
            with self.subTest(cmd=" ".join(cmd)):
                out = self.on_terminal(self.args(cmd), env)
                self.assertRegex(out, rb"\x1b\[3[1-6]m")  # colour is on
                self.assertIn(MARK.encode(), out)
                # ours: bold, dim, reset and the colours 31 to 36, only
                theirs = re.sub(rb"\x1b\[(?:[012]|3[1-6])m", b"",
                                out.replace(b"\r\n", b"\n"))
                self.assertEqual(forbidden(theirs), [], out[:2000])

    def on_terminal(self, args, env):
        status, out = run_on_pty(command(args), self.r.path, env)
        self.assertIn(status, (0, 1))
        return out



class TestTextArguments(unittest.TestCase):
    """Text arguments holding control characters are refused, naming the
    argument (exit 2, nothing changed); a newline only in text that may
    span lines."""

    BAD = ["\x1b]0;pwned\x07", "a\rb", "bell\x07", "\u202eevil", "\u0085",
           "del\x7f", "\x1b[2J"]

    def setUp(self):
        self.r = Repo()
        self.addCleanup(self.r.close)
        self.tid = self.r.add("A task", "--to", "kim")["id"][:8]

    def cases(self):
        t = self.tid
        return [
            (["add", "{}"], "TITLE"),
            (["add", "x", "--why", "{}"], "--why"),
            (["add", "x", "--expect", "{}"], "--expect"),
            (["add", "x", "--quality", "{}"], "--quality"),
            (["add", "x", "--accept", "{}"], "--accept"),
            (["add", "x", "--process", "{}"], "--process"),
            (["add", "x", "--tag", "{}"], "--tag"),
            (["add", "x", "--skill", "{}"], "--skill"),
            (["add", "x", "--checkpoint", "2030-01-01:{}"], "--checkpoint"),
            (["add", "x", "--priority", "high{}"], "--priority"),
            (["feedback", t, "{}"], "TEXT"),
            (["start", t, "-m", "{}"], "--message"),
            (["block", t, "-m", "{}"], "--message"),
            (["set", t, "title={}"], "KEY=VALUE"),
            (["set", t, "why={}"], "KEY=VALUE"),
            (["expect", t, "--outcome", "{}"], "--outcome"),
            (["checkpoint", t, "add", "2030-01-01:{}"], "DATE:TEXT|CID"),
            (["resolve", t, "title{}", "--ours"], "FIELD"),
            (["team", "edit", "kim", "--name", "{}"], "--name"),
            (["team", "edit", "kim", "--org", "{}"], "--org"),
            (["list", "--tag", "{}"], "--tag"),
            (["log", "--author", "{}"], "--author"),
        ]

    def assert_refused(self, args, name):
        head, files = self.r.head(), self.r.files()
        res = self.r.run(*args)
        self.assertEqual(res.returncode, 2, (args, res.stderr))
        self.assertIn("delegit: %s: " % name, res.stderr)
        self.assertEqual(forbidden(res.stderr.encode()), [], res.stderr)
        self.assertEqual(self.r.head(), head)
        self.assertEqual(self.r.files(), files)
        self.assertEqual(self.r.git("status", "--porcelain"), "")
        return res.stderr

    def test_control_characters_are_refused_in_every_text_argument(self):
        for args, name in self.cases():
            for bad in self.BAD:
                with self.subTest(args=args, bad=bad):
                    err = self.assert_refused(
                        [a.replace("{}", bad) for a in args], name)
                    self.assertIn("control character", err)

    def test_a_newline_only_where_the_text_may_span_lines(self):
        for args, name in self.cases():
            one_line = name in ("TITLE", "--quality", "--tag", "--skill",
                                "--priority", "FIELD", "--name", "--org",
                                "--author") or args[2:3] == ["title={}"]
            if not one_line:
                continue
            with self.subTest(args=args):
                err = self.assert_refused(
                    [a.replace("{}", "two\nlines") for a in args],
                    name if name != "KEY=VALUE" else "title")
                self.assertIn("spans lines (expected one line)", err)
        t = self.tid
        for args in (["add", "x", "--why", "two\nlines"],
                     ["feedback", t, "two\nlines"],
                     ["set", t, "why=two\nlines"],
                     ["expect", t, "--process", "two\nlines"],
                     ["block", t, "-m", "two\nlines"]):
            self.r.ok(*args)
        doc = self.r.load(self.r.git("log", "-1", "--format=%(trailers:"
                                     "key=Task,valueonly)"))
        self.assertEqual(doc["why"], "two\nlines")
        self.assertEqual(doc["expectations"]["process"], "two\nlines")



class TestUsageErrors(unittest.TestCase):
    """Every bad option value is a usage error (2) naming the option and
    what it accepts, and never a file that was not written; a missing
    argument is named."""

    def setUp(self):
        self.r = Repo()
        self.addCleanup(self.r.close)
        self.tid = self.r.add("A task", "--to", "kim")["id"][:8]

    def test_bad_option_values_are_usage_errors_naming_the_option(self):
        r, t = self.r, self.tid
        cases = [
            (["add", "x", "--due", "2026-02-30"], "--due", "YYYY-MM-DD"),
            (["add", "x", "--priority", "urgent"], "--priority",
             "critical, high, normal, low"),
            (["add", "x", "--estimate", "lots"], "--estimate", "a number"),
            (["add", "x", "--to", "Not A Handle"], "--to", "lowercase"),
            (["add", "x", "--checkpoint", "soon:call"], "--checkpoint",
             "DATE:TEXT"),
            (["add", ""], "TITLE", "one line"),
            (["feedback", t, "ok", "--rating", "9"], "--rating", "1 to 5"),
            (["feedback", t, "ok", "--rating", "x"], "--rating",
             "a whole number"),
            (["feedback", t, "ok", "--kind", "rant"], "--kind",
             "guidance, progress, concern, praise, review, delegation"),
            (["list", "--status", "someday"], "--status", "in-progress"),
            (["list", "--sort", "size"], "--sort", "due, priority"),
            (["list", "--due-before", "soon"], "--due-before", "YYYY-MM-DD"),
            (["log", "--since", "x"], "--since", "YYYY-MM-DD"),
            (["audit", "--since", "x"], "--since", "YYYY-MM-DD"),
            (["report", "workload", "--until", "x"], "--until",
             "YYYY-MM-DD"),
            (["team", "add", "zed", "--name", "Z", "--email", "z@x",
              "--org", "o", "--role", "boss"], "--role",
             "director, manager, staff, msp"),
            (["team", "edit", "kim", "--capacity", "500"], "--capacity",
             "0 to 168"),
            (["set", t, "priority=urgent"], "priority", "critical"),
            (["set", t, "core=maybe"], "core", "true or false"),
            (["resolve", t, "priority", "--value", "urgent"], "--value",
             "critical"),
        ]
        head, files = r.head(), r.files()
        for args, opt, accepts in cases:
            with self.subTest(args=args):
                res = r.run(*args)
                self.assertEqual(res.returncode, 2, res.stderr)
                self.assertTrue(res.stderr.startswith("delegit: %s: " % opt),
                                res.stderr)
                self.assertIn(accepts, res.stderr)
                self.assertNotIn("tasks/", res.stderr)
                self.assertNotIn("problem", res.stderr)
        self.assertEqual((r.head(), r.files()), (head, files))

    def test_missing_arguments_are_named(self):
        for args, missing in ((["feedback"], "missing arguments ID TEXT"),
                              (["feedback", self.tid], "missing argument TEXT"),
                              (["show"], "missing argument ID"),
                              (["resolve", self.tid], "missing argument FIELD"),
                              (["team", "add"], "missing argument HANDLE"),
                              (["clone"], "missing argument URL")):
            with self.subTest(args=args):
                res = self.r.run(*args)
                self.assertEqual(res.returncode, 2)
                self.assertIn("delegit: %s\n" % missing, res.stderr)


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
