#!/usr/bin/python3
"""Export and import (issue 15): the iCalendar feed read by Debian's
python3-icalendar, CSV and JSON of a filtered set, a real Taskwarrior
`task export` imported, CSV imported and round-tripped."""
import csv
import datetime
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import icalendar

sys.path.insert(0, os.path.dirname(__file__))
from helpers import DELEGIT, Repo, run_on_pty  # noqa: E402

HEADER = ["id", "title", "status", "priority", "assignee", "delegator",
          "due", "tags", "estimate_hours", "why", "outcome", "created",
          "updated"]


class ExportTest(unittest.TestCase):
    def setUp(self):
        self.r = Repo()
        self.addCleanup(self.r.close)


class TestIcs(ExportTest):
    def test_one_event_per_due_date_and_checkpoint(self):
        r = self.r
        why = ("Line one, with; all \\ three\nline two: "
               + "é€😀 " * 20)
        a = r.add("Core switch, phase 1; then 2 \\ done", "--to", "kim",
                  "--due", "2026-12-15", "--why", why,
                  "--checkpoint", "2026-12-01:Vendor chosen, signed",
                  "--checkpoint", "2026-12-08:First replica", "--tag", "net")
        b = r.add("Rotate tapes", "--to", "sam", "--due", "2026-12-20")
        r.add("No date yet", "--to", "kim")
        raw = subprocess.run([DELEGIT, "export", "--ics"], cwd=r.path,
                             env=r.env, capture_output=True,
                             check=True).stdout
        # RFC 5545 3.1: CRLF lines of at most 75 octets, folded with a
        # blank, never inside a UTF-8 character
        self.assertTrue(raw.endswith(b"\r\n"))
        for line in raw.split(b"\r\n")[:-1]:
            self.assertNotIn(b"\n", line)
            self.assertLessEqual(len(line), 75, line)
            line.decode("utf-8")
        cal = icalendar.Calendar.from_ical(raw)
        self.assertEqual(str(cal["VERSION"]), "2.0")
        events = {str(e["UID"]): e for e in cal.walk("VEVENT")}
        cps = a["checkpoints"]
        self.assertEqual(set(events), {
            a["id"] + "-due@delegit", b["id"] + "-due@delegit",
            "%s-checkpoint-%s@delegit" % (a["id"], cps[0]["id"]),
            "%s-checkpoint-%s@delegit" % (a["id"], cps[1]["id"])})
        due = events[a["id"] + "-due@delegit"]
        # all-day: a date, not a time, ending the next day
        self.assertEqual(due.decoded("DTSTART"), datetime.date(2026, 12, 15))
        self.assertEqual(due.decoded("DTEND"), datetime.date(2026, 12, 16))
        self.assertEqual(str(due["SUMMARY"]),
                         "Due: Core switch, phase 1; then 2 \\ done")
        self.assertIn(why, str(due["DESCRIPTION"]))
        self.assertIsInstance(due.decoded("DTSTAMP"), datetime.datetime)
        self.assertEqual(due.decoded("DTSTAMP").utcoffset(),
                         datetime.timedelta(0))
        self.assertEqual(list(map(str, due["CATEGORIES"].cats)), ["net"])
        cp = events["%s-checkpoint-%s@delegit" % (a["id"], cps[0]["id"])]
        self.assertEqual(cp.decoded("DTSTART"), datetime.date(2026, 12, 1))
        self.assertIn("Vendor chosen, signed", str(cp["SUMMARY"]))

        # the UIDs stay when the task changes: a calendar updates them
        r.ok("set", a["id"], "due=2026-12-18")
        again = icalendar.Calendar.from_ical(subprocess.run(
            [DELEGIT, "export", "--ics"], cwd=r.path, env=r.env,
            capture_output=True, check=True).stdout)
        moved = {str(e["UID"]): e for e in again.walk("VEVENT")}
        self.assertEqual(set(moved), set(events))
        self.assertEqual(moved[a["id"] + "-due@delegit"].decoded("DTSTART"),
                         datetime.date(2026, 12, 18))

        # --to: one person's calendar, to a file
        out = os.path.join(r.tmp, "sam.ics")
        r.ok("export", "--ics", "--to", "sam", "-o", out)
        with open(out, "rb") as f:
            sam = icalendar.Calendar.from_ical(f.read())
        self.assertEqual([str(e["UID"]) for e in sam.walk("VEVENT")],
                         [b["id"] + "-due@delegit"])

    def test_one_format_asked_for(self):
        r = self.r.run("export")
        self.assertEqual(r.returncode, 2)
        self.assertIn("--ics, --csv and --json", r.stderr)
        self.assertEqual(self.r.run("export", "--ics", "--csv").returncode,
                         2)


class TestExportCsvJson(ExportTest):
    def test_a_filtered_set_as_csv_and_json(self):
        r = self.r
        r.add('Quote "this", and that', "--to", "kim", "--due",
              "2026-12-15", "--why", "two\nlines", "--tag", "a",
              "--tag", "b")
        r.add("Sam's", "--to", "sam")
        done = r.add("Kim's done", "--to", "kim")
        r.as_("kim")
        r.ok("start", done["id"])
        r.ok("submit", done["id"])
        r.as_("dana")
        r.ok("accept", done["id"])
        want = json.loads(r.ok("list", "--json", "--to", "kim"))
        self.assertEqual(len(want), 1)
        got = json.loads(r.ok("export", "--json", "--to", "kim"))
        self.assertEqual(got, want)
        rows = list(csv.reader(io.StringIO(
            r.ok("export", "--csv", "--to", "kim", "--all"))))
        self.assertEqual(rows[0], HEADER)
        by_title = {row[1]: dict(zip(HEADER, row)) for row in rows[1:]}
        self.assertEqual(set(by_title), {'Quote "this", and that',
                                         "Kim's done"})
        q = by_title['Quote "this", and that']
        self.assertEqual(q["id"], want[0]["id"])
        self.assertEqual((q["status"], q["assignee"], q["due"], q["tags"],
                          q["why"]),
                         ("open", "kim", "2026-12-15", "a b", "two\nlines"))
        self.assertEqual(by_title["Kim's done"]["status"], "done")


class TestImportTaskwarrior(unittest.TestCase):
    """A real Taskwarrior (Debian's taskwarrior) with its own TASKRC and
    TASKDATA, its `task export` imported."""

    def setUp(self):
        self.r = Repo()
        self.addCleanup(self.r.close)
        data = os.path.join(self.r.tmp, "taskdata")
        os.makedirs(data)
        rc = os.path.join(self.r.tmp, "taskrc")
        with open(rc, "w") as f:
            f.write("data.location=%s\nconfirmation=off\nverbose=nothing\n"
                    "recurrence.confirmation=no\n" % data)
        self.tenv = dict(self.r.env, TASKRC=rc, TASKDATA=data, TZ="UTC")

    def task(self, *args):
        return subprocess.run(["task", *args], env=self.tenv, check=True,
                              capture_output=True, text=True).stdout

    def test_a_task_export_round_trip(self):
        self.task("add", "Rotate the backup tapes", "due:2026-12-20",
                  "priority:H", "+backup", "project:infra")
        self.task("/Rotate/", "annotate", "Asked the vendor, twice")
        self.task("add", "Renew the TLS cert")
        self.task("/Renew/", "start")
        self.task("add", 'Quote "this"; and \\ that', "priority:L")
        self.task("/Quote/", "done")
        self.task("add", "Old idea")
        self.task("/Old idea/", "delete")
        self.task("add", "Monthly patching", "due:2026-12-01",
                  "recur:monthly")
        exported = self.task("export")
        tw = json.loads(exported)
        path = os.path.join(self.r.tmp, "tw.json")
        with open(path, "w") as f:
            f.write(exported)
        head = self.r.head()
        out = self.r.ok("import", "--from", "taskwarrior", path, "--to",
                        "sam")
        real = [t for t in tw if t["status"] != "recurring"]
        self.assertIn("imported %d tasks" % len(real), out)
        # one commit per task
        self.assertEqual(self.r.git("rev-list", "--count",
                                    head + "..HEAD"), str(len(real)))
        for t in real:
            mine = self.r.load(t["uuid"])
            self.assertEqual(mine["title"], t["description"])
            self.assertEqual(mine["assignee"], "sam")
            self.assertEqual(mine["delegator"], "dana")
        byname = {t["description"]: t for t in real}
        tapes = self.r.load(byname["Rotate the backup tapes"]["uuid"])
        self.assertEqual((tapes["status"], tapes["priority"], str(
            tapes["due"]), sorted(tapes["tags"])),
            ("open", "high", "2026-12-20", ["backup", "infra"]))
        self.assertEqual([f["text"] for f in tapes["feedback"]],
                         ["Asked the vendor, twice"])
        self.assertEqual(self.r.load(
            byname["Renew the TLS cert"]["uuid"])["status"], "in-progress")
        [done] = [t for t in real if t["status"] == "completed"]
        self.assertTrue(done["description"].startswith('Quote "this";'))
        q = self.r.load(done["uuid"])
        self.assertEqual((q["status"], q["priority"]), ("done", "low"))
        self.assertEqual(self.r.load(byname["Old idea"]["uuid"])["status"],
                         "cancelled")
        self.assertEqual(self.r.load(
            byname["Monthly patching"]["uuid"])["status"], "open")
        self.r.ok("check")
        # again: nothing added
        head = self.r.head()
        out = self.r.ok("import", "--from", "taskwarrior", path)
        self.assertIn("imported 0 tasks", out)
        self.assertIn("%d already here" % len(real), out)
        self.assertEqual(self.r.head(), head)

    def test_bad_input_is_named_and_changes_nothing(self):
        self.task("add", "One")
        self.task("add", "Two")
        lines = self.task("export").split("\n")
        # the second task's status, broken
        lines[2] = lines[2].replace('"status":"pending"',
                                    '"status":"pendng"')
        path = os.path.join(self.r.tmp, "bad.json")
        with open(path, "w") as f:
            f.write("\n".join(lines))
        col = lines[2].index('"pendng"') + 1
        head = self.r.head()
        res = self.r.run("import", "--from", "taskwarrior", path)
        self.assertEqual(res.returncode, 1)
        self.assertIn("%s:3:%d: status: unknown 'pendng'" % (path, col),
                      res.stderr)
        self.assertIn("nothing was changed", res.stderr)
        self.assertEqual(self.r.head(), head)
        self.assertEqual(self.r.git("status", "--porcelain"), "")
        # JSON, but not what task export writes: each named, no crash
        with open(path, "w") as f:
            f.write('[1, {"uuid": "8dfe0e3b-cf79-4ca3-b131-b19546234699", '
                    '"description": "y", "status": "pending",\n'
                    '"tags": [{"a": 1}, null, "ok"], "priority": {"a": 1},'
                    '\n"annotations": [1, {"entry": "bad", '
                    '"description": "z"}], "due": [1]}]\n')
        res = self.r.run("import", "--from", "taskwarrior", path)
        self.assertEqual(res.returncode, 1, res.stderr)
        with open(path) as f:
            two, three = f.read().split("\n")[1:3]
        for where in ("1:2: expected a task", "2:10: tags: expected a tag",
                      "2:20: tags: expected a tag",
                      "2:%d: priority: expected H, M or L"
                      % (two.rindex("{") + 1),
                      "3:17: annotations: expected an object",
                      "3:30: annotations: bad entry time",
                      "3:%d: due:" % (three.index("[1]") + 1)):
            self.assertIn("%s:%s" % (path, where), res.stderr)
        self.assertEqual(self.r.head(), head)
        # not JSON at all: the parser's position
        with open(path, "w") as f:
            f.write('[{"uuid": "x",\n  "description": [}]\n')
        res = self.r.run("import", "--from", "taskwarrior", path)
        self.assertEqual(res.returncode, 1)
        self.assertIn(path + ":2:", res.stderr)
        self.assertEqual(self.r.head(), head)

    def test_progress_on_a_terminal(self):
        for i in range(3):
            self.task("add", "Task %d" % i)
        path = os.path.join(self.r.tmp, "tw.json")
        with open(path, "w") as f:
            f.write(self.task("export"))
        code, shown = run_on_pty([DELEGIT, "import", "--from",
                                  "taskwarrior", path], self.r.path,
                                 self.r.env)
        self.assertEqual(code, 0, shown)
        self.assertIn(b"importing 3 of 3", shown)
        self.assertIn(b"imported 3 tasks", shown)


class TestImportCsv(ExportTest):
    def test_export_then_import_elsewhere_keeps_the_tasks(self):
        r = self.r
        r.add('Quote "this", and that', "--to", "kim", "--due",
              "2026-12-15", "--why", "two\nlines", "--tag", "a",
              "--expect", "It works", "--estimate", "3")
        r.add("Sam's", "--to", "sam", "-p", "high")
        path = os.path.join(r.tmp, "out.csv")
        r.ok("export", "--csv", "-o", path)
        other = Repo(tmp=r.tmp, name="other")
        out = other.ok("import", "--from", "csv", path)
        self.assertIn("imported 2 tasks", out)
        keys = ["id", "title", "status", "priority", "assignee",
                "delegator", "due", "tags", "why", "estimate_hours"]
        mine = sorted(json.loads(r.ok("list", "--json")),
                      key=lambda t: t["id"])
        theirs = sorted(json.loads(other.ok("list", "--json")),
                        key=lambda t: t["id"])
        self.assertEqual([[t[k] for k in keys] for t in theirs],
                         [[t[k] for k in keys] for t in mine])
        self.assertEqual([t["expectations"]["outcome"] for t in theirs],
                         [t["expectations"]["outcome"] for t in mine])
        head = other.head()
        self.assertIn("imported 0 tasks",
                      other.ok("import", "--from", "csv", path))
        self.assertEqual(other.head(), head)

    def test_the_documented_header_without_ids(self):
        path = os.path.join(self.r.tmp, "in.csv")
        with open(path, "w") as f:
            f.write("title,assignee,due,tags,priority\r\n"
                    'Patch the VPN,kim,2026-12-01,net vpn,high\r\n'
                    '"Backups, offsite",sam,,,\r\n')
        head = self.r.head()
        self.r.ok("import", "--from", "csv", path)
        tasks = {t["title"]: t for t in json.loads(self.r.ok("list",
                                                             "--json"))}
        self.assertEqual((tasks["Patch the VPN"]["assignee"],
                          tasks["Patch the VPN"]["due"],
                          tasks["Patch the VPN"]["tags"],
                          tasks["Patch the VPN"]["priority"]),
                         ("kim", "2026-12-01", ["net", "vpn"], "high"))
        self.assertEqual(tasks["Backups, offsite"]["assignee"], "sam")
        self.assertEqual(self.r.git("rev-list", "--count", head + "..HEAD"),
                         "2")
        # the ids come from the rows: the same file again adds nothing
        head = self.r.head()
        self.r.ok("import", "--from", "csv", path)
        self.assertEqual(self.r.head(), head)

    def test_bad_rows_are_named_and_change_nothing(self):
        path = os.path.join(self.r.tmp, "bad.csv")
        with open(path, "w") as f:
            f.write("title,due,assignee\n"
                    "Fine,2026-12-01,kim\n"
                    "Late,2026-13-01,kim\n"
                    "Nobody's,,zed\n"
                    '"unterminated,,\n')
        head = self.r.head()
        res = self.r.run("import", "--from", "csv", path)
        self.assertEqual(res.returncode, 1)
        self.assertIn(path + ":3:6: due: bad date '2026-13-01'", res.stderr)
        self.assertIn(path + ":4:", res.stderr)
        self.assertIn("zed", res.stderr)
        self.assertIn(path + ":5:1: unterminated quoted field", res.stderr)
        self.assertEqual(self.r.head(), head)
        # bytes that are not UTF-8, a control character: refused as a text
        # argument is (libyaml's writer loops forever on the first)
        with open(path, "wb") as f:
            f.write(b"title,why\nBad \xff byte,fine\n"
                    b"Red,\"two\nlines \x1b[31m\"\n")
        res = subprocess.run([DELEGIT, "import", "--from", "csv", path],
                             cwd=self.r.path, env=self.r.env, text=True,
                             capture_output=True, timeout=60)
        self.assertEqual(res.returncode, 1)
        self.assertIn(path + ":2:1: title: holds \\xff", res.stderr)
        self.assertIn(path + ":3:5: why: holds \\e", res.stderr)
        self.assertEqual(self.r.head(), head)
        # the same id twice in one file
        with open(path, "w") as f:
            f.write("id,title\n"
                    "0b9c5e5e-7f0c-4d0a-9a1e-2c3f4d5e6f70,One\n"
                    "0B9C5E5E-7F0C-4D0A-9A1E-2C3F4D5E6F70,Two\n")
        res = self.r.run("import", "--from", "csv", path)
        self.assertIn(path + ":3:1: duplicate id 0b9c5e5e-7f0c-4d0a-9a1e-"
                      "2c3f4d5e6f70 (first at line 2)", res.stderr)
        self.assertEqual(self.r.head(), head)
        with open(path, "w") as f:
            f.write("title,colour\nx,red\n")
        res = self.r.run("import", "--from", "csv", path)
        self.assertIn(path + ":1:7: unknown column 'colour'", res.stderr)
        self.assertEqual(self.r.head(), head)

    def test_a_row_the_policy_refuses_stops_it_before_any_commit(self):
        path = os.path.join(self.r.tmp, "pol.csv")
        with open(path, "w") as f:
            f.write("title,assignee,delegator\nMine,sam,sam\n"
                    "Theirs,sam,dana\n")
        self.r.as_("sam")
        head = self.r.head()
        res = self.r.run("import", "--from", "csv", path)
        self.assertEqual(res.returncode, 1)
        self.assertIn("may not add a task delegated by 'dana'", res.stderr)
        self.assertIn(path + ":3:1:", res.stderr)
        self.assertEqual(self.r.head(), head)
        self.assertEqual(self.r.git("status", "--porcelain"), "")


if __name__ == "__main__":
    unittest.main()
