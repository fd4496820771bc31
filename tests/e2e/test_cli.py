#!/usr/bin/python3
"""End-to-end tests: the real delegit binary in temporary repositories,
checked with the real git CLI and an independent YAML reader (PyYAML).

Environment: DELEGIT (the binary), DELEGIT_VALGRIND=1 to run every delegit
command under valgrind and fail on any leak or invalid access.
"""
import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

import yaml

from helpers import DELEGIT, Repo

class CliTest(unittest.TestCase):
    def setUp(self):
        self.repo = Repo()
        self.addCleanup(self.repo.close)


class TestAdd(CliTest):
    def test_add_is_one_commit_authored_by_the_acting_person(self):
        r = self.repo
        before = int(r.git("rev-list", "--count", "HEAD"))
        out = r.ok("add", "Replicate nightly backups offsite", "--to", "kim",
                   "--due", "2026-12-15", "--priority", "high",
                   "--why", "Backups are on-site only.",
                   "--expect", "Every backup replicated within 24 hours.",
                   "--accept", "Restore of three servers tested",
                   "--checkpoint", "2026-12-01:Vendor chosen",
                   "--tag", "backup", "--skill", "backup", "--estimate", "6")
        short = out.splitlines()[0]
        self.assertRegex(short, r"^[0-9a-f]{6,}$")
        self.assertEqual(int(r.git("rev-list", "--count", "HEAD")), before + 1)
        author = r.git("log", "-1", "--format=%an|%ae")
        self.assertEqual(author, "Dana Director|dana@acme.example")
        subject = r.git("log", "-1", "--format=%s")
        self.assertEqual(subject,
                         "add %s: Replicate nightly backups offsite" % short[:6])
        task_id = r.git("log", "-1", "--format=%(trailers:key=Task,valueonly)")
        self.assertTrue(task_id.startswith(short))
        changes = r.git("log", "-1",
                        "--format=%(trailers:key=Change,valueonly)")
        self.assertIn("assignee null -> kim", changes)
        files = r.git("show", "--name-only", "--format=", "HEAD").splitlines()
        self.assertEqual(files, ["tasks/%s/%s.yaml" % (task_id[:2], task_id)])
        # the independent reader sees what was asked
        t = r.load(task_id)
        self.assertEqual(t["title"], "Replicate nightly backups offsite")
        self.assertEqual(t["assignee"], "kim")
        self.assertEqual(t["delegator"], "dana")
        self.assertEqual(t["due"], datetime.date(2026, 12, 15))
        self.assertEqual(t["priority"], "high")
        self.assertEqual(t["estimate_hours"], 6)
        self.assertEqual(t["expectations"]["outcome"],
                         "Every backup replicated within 24 hours.")
        self.assertEqual(t["expectations"]["acceptance"][0]["text"],
                         "Restore of three servers tested")
        self.assertIs(t["expectations"]["acceptance"][0]["met"], False)
        self.assertEqual(t["checkpoints"][0]["what"], "Vendor chosen")
        self.assertEqual(t["checkpoints"][0]["due"], datetime.date(2026, 12, 1))
        self.assertEqual(t["why"], "Backups are on-site only.")
        # what git sees is what is on disk, and the repository is sound
        self.assertEqual(r.git("status", "--porcelain"), "")
        r.git("fsck", "--strict")
        # delegit log explains the change
        log = json.loads(r.ok("log", short, "--json"))
        fields = {e["field"]: e for e in log}
        self.assertEqual(fields["assignee"]["to"], "kim")
        self.assertEqual(fields["assignee"]["author"], "dana")
        self.assertEqual(fields["title"]["task"], task_id)

    def test_strings_that_look_like_other_types_stay_strings(self):
        r = self.repo
        for title in ["true", "2026-01-01", "123", "null", "- a: b", "#x"]:
            t = r.add(title)
            self.assertEqual(r.load(t["id"])["title"], title)

    def test_unknown_person_and_bad_values_are_refused(self):
        r = self.repo
        head = r.head()
        res = r.run("add", "X", "--to", "nobody")
        self.assertEqual(res.returncode, 1)
        self.assertIn("unknown person 'nobody'", res.stderr)
        res = r.run("add", "X", "--due", "2026-02-30")
        self.assertEqual(res.returncode, 2)
        self.assertIn("--due: bad date '2026-02-30'", res.stderr)
        res = r.run("add", "X", "--checkpoint", "someday:call")
        self.assertEqual(res.returncode, 2)
        self.assertIn("bad checkpoint 'someday:call'", res.stderr)
        res = r.run("add", "X", "--priority", "urgent")
        self.assertIn("unknown value 'urgent'", res.stderr)
        self.assertEqual(r.head(), head)
        self.assertEqual(r.git("status", "--porcelain"), "")


class TestWorkflow(CliTest):
    def test_delegation_round_trip_with_feedback_both_ways(self):
        r = self.repo
        t = r.add("Patch the firewall", "--to", "kim", "--accept", "CVE fixed",
                  "--checkpoint", "2026-12-01:Plan agreed")
        tid = t["id"]
        cp = t["checkpoints"][0]["id"]
        crit = t["expectations"]["acceptance"][0]["id"]
        r.as_("kim")
        # the assignee cannot accept their own work
        r.ok("start", tid[:8], "-m", "On it")
        res = r.run("block", tid[:8])
        self.assertEqual(res.returncode, 2)
        self.assertIn("needs a reason", res.stderr)
        r.ok("block", tid[:8], "-m", "Waiting for the vendor")
        r.ok("start", tid[:8])
        r.ok("checkpoint", tid[:8], "done", cp[:4])
        r.ok("submit", tid[:8])
        res = r.run("accept", tid[:8])
        self.assertEqual(res.returncode, 1)
        self.assertIn("may not accept", res.stderr)
        r.ok("feedback", tid[:8], "The why was clear", "--kind", "delegation",
             "--rating", "5")
        r.as_("dana")
        r.ok("reject", tid[:8], "-m", "Criterion not met yet")
        r.as_("kim")
        r.ok("accept-criterion", tid[:8], crit)
        r.ok("submit", tid[:8])
        r.as_("dana")
        done = json.loads(r.ok("accept", tid[:8], "--json", "-m", "Thanks"))
        self.assertEqual(done["status"], "done")
        self.assertIsNotNone(done["closed"])
        self.assertIsNotNone(done["started"])
        kinds = [(f["author"], f["kind"]) for f in done["feedback"]]
        self.assertEqual(kinds, [("kim", "progress"), ("kim", "concern"),
                                 ("kim", "delegation"), ("dana", "review"),
                                 ("dana", "review")])
        # one commit per change, each by the person who made it
        authors = r.git("log", "--format=%ae", "--", r.task_file(tid))
        self.assertEqual(authors.splitlines(), [
            "dana@acme.example", "kim@acme-msp.example",
            "kim@acme-msp.example", "dana@acme.example",
            "kim@acme-msp.example", "kim@acme-msp.example",
            "kim@acme-msp.example", "kim@acme-msp.example",
            "kim@acme-msp.example", "kim@acme-msp.example",
            "dana@acme.example"])
        grep = r.git("log", "--format=%s", "--grep",
                     "Change: status review -> done")
        self.assertEqual(grep, "accept %s: Patch the firewall" % tid[:6])
        log = json.loads(r.ok("log", tid[:6], "--json"))
        statuses = [(e["author"], e["from"], e["to"]) for e in log
                    if e["field"] == "status"]
        self.assertEqual(statuses[0], ("dana", "review", "done"))
        self.assertEqual(statuses[-1], ("dana", None, "open"))
        self.assertIn(("kim", "in-progress", "blocked"), statuses)
        self.assertIn(("dana", "review", "in-progress"), statuses)
        text = r.ok("log", tid[:6])
        self.assertIn("status: review -> done", text)
        # reopen and cancel are the delegator's
        r.ok("reopen", tid[:6])
        self.assertEqual(r.load(tid)["status"], "in-progress")
        self.assertIsNone(r.load(tid)["closed"])
        r.ok("cancel", tid[:6])
        self.assertEqual(r.load(tid)["status"], "cancelled")
        r.git("fsck", "--strict")

    def test_set_assign_expect_change_fields(self):
        r = self.repo
        t = r.add("Document the backup runbook")
        tid = t["id"][:8]
        r.ok("assign", tid, "sam")
        r.ok("set", tid, "priority=critical", "due=2026-12-24",
             "tags=docs,backup", "estimate_hours=2.5", "core=true")
        r.ok("set", tid, "tags=+urgent")
        r.ok("expect", tid, "--outcome", "A runbook anyone can follow",
             "--quality", "Reviewed by Kim", "--accept", "Dry run done",
             "--process", "Use the wiki template")
        d = r.load(t["id"])
        self.assertEqual(d["assignee"], "sam")
        self.assertEqual(d["priority"], "critical")
        self.assertEqual(d["tags"], ["backup", "docs", "urgent"])
        self.assertEqual(d["estimate_hours"], 2.5)
        self.assertIs(d["core"], True)
        self.assertEqual(d["expectations"]["quality"], ["Reviewed by Kim"])
        self.assertEqual(d["expectations"]["process"], "Use the wiki template")
        res = r.run("set", tid, "status=done")
        self.assertEqual(res.returncode, 2)
        res = r.run("set", tid, "nonsense")
        self.assertEqual(res.returncode, 2)
        res = r.run("assign", tid, "ghost")
        self.assertEqual(res.returncode, 1)

    def test_multi_line_why_is_a_literal_block(self):
        r = self.repo
        t = r.add("T", "--why", "First line.\nSecond line.\n")
        with open(r.task_file(t["id"]), encoding="utf-8") as f:
            text = f.read()
        self.assertIn("why: |\n  First line.\n  Second line.\n", text)
        self.assertEqual(r.load(t["id"])["why"], "First line.\nSecond line.\n")


class TestListShowAgenda(CliTest):
    def setUp(self):
        super().setUp()
        r = self.repo
        now = "2026-11-25T10:00:00Z"
        self.late = r.add("Late one", "--to", "kim", "--due", "2026-11-20",
                          "--tag", "infra", now=now)["id"]
        self.soon = r.add("Soon one", "--to", "sam", "--due", "2026-11-27",
                          "--priority", "critical",
                          "--checkpoint", "2026-11-26:Halfway", now=now)["id"]
        self.core = r.add("Core work", "--core", "--priority", "high",
                          now=now)["id"]
        r.as_("sam")
        r.ok("start", self.soon[:8], now=now)
        r.ok("submit", self.soon[:8], now=now)
        r.as_("dana")
        self.done = r.add("Done one", "--to", "sam", now=now)["id"]
        r.ok("cancel", self.done[:8], now=now)

    def ids(self, *args):
        out = self.repo.ok("list", "--json", *args,
                           now="2026-11-25T10:00:00Z")
        return [t["id"] for t in json.loads(out)]

    def test_filters_and_sorting(self):
        self.assertEqual(self.ids(), [self.late, self.soon, self.core])
        self.assertEqual(self.ids("--all", "--sort", "priority")[:2],
                         [self.soon, self.core])
        self.assertEqual(self.ids("--to", "kim"), [self.late])
        self.assertEqual(self.ids("--org", "acme-msp"), [self.late])
        self.assertEqual(self.ids("--by", "dana", "--status", "review"),
                         [self.soon])
        self.assertEqual(self.ids("--overdue"), [self.late])
        self.assertEqual(self.ids("--tag", "infra"), [self.late])
        self.assertEqual(self.ids("--core"), [self.core])
        self.assertEqual(self.ids("--due-before", "2026-11-25"), [self.late])
        self.assertEqual(self.ids("--status", "cancelled"), [self.done])
        self.repo.as_("kim")
        self.assertEqual(self.ids("--mine"), [self.late])
        res = self.repo.run("list", "--sort", "colour")
        self.assertEqual(res.returncode, 2)
        table = self.repo.ok("list")
        self.assertIn("Late one", table)
        self.assertNotIn("Done one", table)

    def test_show_and_prefixes(self):
        r = self.repo
        out = r.ok("show", self.soon[:4])
        self.assertIn("Soon one", out)
        self.assertIn("Halfway", out)
        shown = json.loads(r.ok("show", self.soon, "--json"))
        self.assertEqual(shown["status"], "review")
        res = r.run("show", "zzzz")
        self.assertEqual(res.returncode, 1)
        self.assertIn("bad task id", res.stderr)
        res = r.run("show", "ffff0000")
        self.assertIn("no task matches", res.stderr)

    def test_agenda_groups_what_needs_attention(self):
        r = self.repo
        items = json.loads(r.ok("agenda", "dana", "--json",
                                now="2026-11-25T10:00:00Z"))
        kinds = [(i["kind"], i["task"]["id"]) for i in items]
        self.assertEqual(kinds[0], ("overdue", self.late))
        self.assertIn(("waiting for your review", self.soon), kinds)
        self.assertIn(("checkpoint this week", self.soon), kinds)
        text = r.ok("agenda", now="2026-11-25T10:00:00Z")
        self.assertIn("overdue", text)
        self.assertIn("Late one (5 days late)", text)


class TestBadInput(CliTest):
    def test_a_file_whose_id_is_not_its_name_is_not_changed(self):
        r = self.repo
        tid = r.add("Original", "--to", "kim")["id"]
        other = "1234abcd-7f0c-4d0a-9a1e-2c3f4d5e6f70"
        path = os.path.join(r.path, "tasks", "12", other + ".yaml")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(r.task_file(tid), encoding="utf-8") as f:
            text = f.read()
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        r.git("add", "-A")
        r.git("commit", "-qm", "a copy under another name")
        head = r.head()
        res = r.run("set", "1234abcd", "priority=low")
        self.assertEqual(res.returncode, 1, res.stderr)
        self.assertIn("does not match the file name", res.stderr)
        self.assertIn("tasks/12/%s.yaml" % other, res.stderr)
        self.assertEqual(r.head(), head)
        with open(path, encoding="utf-8") as f:
            self.assertEqual(f.read(), text)

    def test_hand_broken_file_gives_positions_and_changes_nothing(self):
        r = self.repo
        tid = r.add("Fragile", "--to", "kim")["id"]
        path = r.task_file(tid)
        with open(path, encoding="utf-8") as f:
            good = f.read()
        broken = good.replace("status: open", "status: finished").replace(
            "priority: normal", "priority: [1")
        with open(path, "w", encoding="utf-8") as f:
            f.write(broken)
        head = r.head()
        res = r.run("set", tid[:8], "title=New")
        self.assertEqual(res.returncode, 1)
        rel = "tasks/%s/%s.yaml" % (tid[:2], tid)
        self.assertRegex(res.stderr, r"%s:\d+:\d+: malformed YAML" % rel)
        self.assertEqual(r.head(), head)
        with open(path, encoding="utf-8") as f:
            self.assertEqual(f.read(), broken)
        with open(path, "w", encoding="utf-8") as f:
            f.write(good.replace("status: open", "status: finished"))
        res = r.run("check")
        self.assertEqual(res.returncode, 1)
        self.assertIn("%s:4:9: 'status': unknown value 'finished'" % rel,
                      res.stderr)
        res = r.run("show", tid[:8])
        self.assertEqual(res.returncode, 1)

    def test_check_lists_every_problem_in_the_repository(self):
        r = self.repo
        a = r.add("A", "--to", "kim")["id"]
        b = r.add("B")["id"]
        with open(r.task_file(a), encoding="utf-8") as f:
            text = f.read()
        with open(r.task_file(a), "w", encoding="utf-8") as f:
            f.write(text.replace("assignee: kim", "assignee: ghost"))
        with open(r.task_file(b), encoding="utf-8") as f:
            text = f.read()
        with open(r.task_file(b), "w", encoding="utf-8") as f:
            f.write(text.replace("id: " + b, "id: " + a))
        os.makedirs(os.path.join(r.path, "tasks", "zz"))
        link = os.path.join(r.path, "tasks", a[:2],
                            a[:2] + "0000aa-0000-4000-8000-000000000000.yaml")
        os.symlink("/etc/passwd", link)
        with open(os.path.join(r.path, "tasks", a[:2], "notes.txt"), "w") as f:
            f.write("x")
        res = r.run("check")
        self.assertEqual(res.returncode, 1)
        self.assertIn("unknown person 'ghost'", res.stderr)
        self.assertIn("does not match the file name", res.stderr)
        self.assertIn("tasks/zz: unexpected entry", res.stderr)
        self.assertIn("symbolic link", res.stderr)
        self.assertIn("notes.txt: unexpected file name", res.stderr)
        # check only reads: the files are as the test left them
        with open(r.task_file(a), encoding="utf-8") as f:
            self.assertIn("assignee: ghost", f.read())

    def test_binary_and_oversized_files_are_refused(self):
        r = self.repo
        tid = r.add("Binary")["id"]
        with open(r.task_file(tid), "wb") as f:
            f.write(b"format: 1\x00\x01\x02")
        res = r.run("show", tid[:8])
        self.assertEqual(res.returncode, 1)
        self.assertIn(":1:10: NUL byte", res.stderr)
        with open(r.task_file(tid), "wb") as f:
            f.write(b"title: caf\xe9\n")
        res = r.run("show", tid[:8])
        self.assertIn(":1:11: invalid UTF-8", res.stderr)
        with open(r.task_file(tid), "wb") as f:
            f.write(b"# x\n" * 400000)
        res = r.run("show", tid[:8])
        self.assertIn("expected at most", res.stderr)

    def test_unknown_keys_survive_cli_edits(self):
        r = self.repo
        tid = r.add("Extensible")["id"]
        with open(r.task_file(tid), "a", encoding="utf-8") as f:
            f.write("x_custom: {owner: ops, weight: 3}\n")
        r.ok("set", tid[:8], "priority=low")
        d = r.load(tid)
        self.assertEqual(d["x_custom"], {"owner": "ops", "weight": 3})
        self.assertEqual(d["priority"], "low")

    def test_hand_written_style_is_read_and_rewritten_canonically(self):
        r = self.repo
        tid = r.add("Styled", "--tag", "a")["id"]
        d = r.load(tid)
        d["tags"] = ["z", "a"]
        d["title"] = "Styled by hand"
        with open(r.task_file(tid), "w", encoding="utf-8") as f:
            yaml.safe_dump(d, f, default_flow_style=True)
        r.git("commit", "-qam", "hand edit with another tool")
        self.assertEqual(json.loads(r.ok("show", tid[:8], "--json"))["title"],
                         "Styled by hand")
        r.ok("set", tid[:8], "priority=high")
        with open(r.task_file(tid), encoding="utf-8") as f:
            text = f.read()
        self.assertTrue(text.startswith("format: 1\nid: "))
        self.assertIn("tags: [a, z]\n", text)


class TestIdentityAndSafety(CliTest):
    def test_people_outside_the_team_are_refused_with_help(self):
        r = self.repo
        r.as_("stranger@example.com")
        res = r.run("add", "Sneaky")
        self.assertEqual(res.returncode, 1)
        self.assertIn("not in the team", res.stderr)
        self.assertIn("delegit team add", res.stderr)
        # read-only commands still work
        r.ok("list")

    def test_only_directors_change_the_team(self):
        r = self.repo
        r.as_("kim")
        for args in (["team", "edit", "sam", "--role", "director"],
                     ["team", "edit", "kim", "--capacity", "30"]):
            res = r.run(*args)
            self.assertEqual(res.returncode, 1)
            self.assertIn("rule repository: only director", res.stderr)
        r.as_("dana")
        r.ok("team", "edit", "kim", "--capacity", "30", "--skill", "backup")
        people = json.loads(r.ok("team", "list", "--json"))
        kim = [p for p in people if p["handle"] == "kim"][0]
        self.assertEqual(kim["capacity_hours"], 30)
        self.assertEqual(kim["skills"], ["backup"])
        self.assertIn("Kim Lee", r.ok("team", "show", "kim"))

    def test_the_policy_keeps_each_person_to_what_they_may_change(self):
        r = self.repo
        tid = r.add("Patch", "--to", "kim", "--due", "2026-12-01")["id"][:8]
        r.as_("kim")
        head = r.head()
        res = r.run("set", tid, "due=2026-12-24")
        self.assertEqual(res.returncode, 1)
        self.assertIn("'kim' (msp; assignee) may not change 'due'", res.stderr)
        self.assertIn("status:in-progress", res.stderr)
        self.assertEqual(r.head(), head)
        r.ok("start", tid)                     # status:in-progress
        r.ok("feedback", tid, "On it")         # feedback of one's own
        r.as_("sam")
        self.assertEqual(r.run("start", tid).returncode, 1)
        r.ok("feedback", tid, "Ping me if needed")   # everyone: [feedback]
        self.assertEqual(r.run("set", tid, "priority=low").returncode, 1)

    def test_first_team_add_bootstraps_a_director(self):
        empty = Repo(team=False)
        self.addCleanup(empty.close)
        res = empty.run("team", "add", "kim", "--name", "Kim", "--email",
                        "kim@x.example", "--org", "msp", "--role", "msp")
        self.assertEqual(res.returncode, 2)
        empty.team_add("dana")
        self.assertEqual(empty.git("log", "-1", "--format=%ae"),
                         "dana@acme.example")
        res = empty.run("team", "add", "dana", "--name", "D", "--email",
                        "d2@x.example", "--org", "acme", "--role", "director")
        self.assertEqual(res.returncode, 1)
        self.assertIn("already", res.stderr)

    def test_an_email_names_one_person_only(self):
        r = self.repo
        res = r.run("team", "add", "kim2", "--name", "K", "--email",
                    "KIM@acme-msp.example", "--org", "x", "--role", "staff")
        self.assertEqual(res.returncode, 1)
        self.assertIn("belongs to 'kim' already", res.stderr)
        with open(os.path.join(r.path, "team", "sam.yaml")) as f:
            text = f.read()
        with open(os.path.join(r.path, "team", "sam.yaml"), "w") as f:
            f.write(text.replace("sam@acme.example", "dana@acme.example"))
        res = r.run("check")
        self.assertEqual(res.returncode, 1)
        self.assertIn("also belongs to 'dana'", res.stderr)

    def test_a_live_lock_stops_a_second_writer(self):
        r = self.repo
        r.git("config", "delegit.lockTimeout", "0.5")
        lock = os.path.join(r.path, ".git", "delegit.lock")
        # another process holds delegit's lock (flock) and says who it is
        holder = subprocess.Popen(
            ["/usr/bin/python3", "-c",
             "import fcntl, os, sys, time\n"
             "f = open(sys.argv[1], 'a+')\n"
             "fcntl.flock(f, fcntl.LOCK_EX)\n"
             "f.truncate(0); f.write('%d\\n' % os.getpid()); f.flush()\n"
             "print('held', flush=True)\n"
             "time.sleep(30)\n", lock], stdout=subprocess.PIPE, text=True)
        try:
            self.assertEqual(holder.stdout.readline().strip(), "held")
            res = r.run("add", "Blocked by lock")
            self.assertEqual(res.returncode, 1)
            self.assertIn("another delegit process (pid %d)" % holder.pid,
                          res.stderr)
            self.assertIn("waited", res.stderr)
        finally:
            holder.kill()
            holder.wait()
            holder.stdout.close()
        # its holder gone, the kernel let go: the next command runs
        r.add("After the lock")

    def test_edit_validates_and_never_loses_the_text(self):
        r = self.repo
        tid = r.add("Edit me")["id"]
        script = os.path.join(r.tmp, "ed.sh")
        with open(script, "w") as f:
            f.write("#!/bin/sh\nsed -i \"s/^priority: .*/priority: $NEWPRI/\" \"$1\"\n")
        os.chmod(script, 0o755)
        r.env["EDITOR"] = script
        r.env["NEWPRI"] = "sky-high"
        head = r.head()
        res = r.run("edit", tid[:8])
        self.assertEqual(res.returncode, 1)
        self.assertIn("'priority': unknown value 'sky-high'", res.stderr)
        self.assertIn("kept in", res.stderr)
        self.assertEqual(r.head(), head)
        kept = res.stderr.split("kept in ")[1].strip()
        with open(kept, encoding="utf-8") as f:
            self.assertIn("priority: sky-high", f.read())
        # the next edit starts from the kept text
        with open(script, "w") as f:
            f.write("#!/bin/sh\nsed -i 's/^priority: sky-high/priority: high/' \"$1\"\n")
        res = r.run("edit", tid[:8])
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertIn("resuming", res.stderr)
        self.assertEqual(r.load(tid)["priority"], "high")
        self.assertFalse(os.path.exists(kept))
        self.assertEqual(r.git("log", "-1", "--format=%s"),
                         "edit %s: Edit me" % tid[:6])


class TestCommandLine(CliTest):
    COMMANDS = ["init", "team", "add", "list", "show", "edit", "set", "assign",
                "start", "block", "submit", "accept", "reject", "reopen",
                "cancel", "expect", "checkpoint", "accept-criterion",
                "feedback", "log", "agenda", "check"]

    def test_every_command_has_help(self):
        for cmd in self.COMMANDS:
            res = self.repo.run(cmd, "--help")
            self.assertEqual(res.returncode, 0, cmd)
            self.assertIn("usage: delegit %s" % cmd, res.stdout)
        for sub in ["add", "list", "show", "edit"]:
            res = self.repo.run("team", sub, "--help")
            self.assertEqual(res.returncode, 0, sub)
            self.assertIn("usage: delegit team %s" % sub, res.stdout)

    def test_usage_lines_name_only_options_of_their_tables(self):
        """Usage lines are written by hand (as git's are); the options
        they name come from the tables --help lists, so none may name an
        option its command does not take."""
        dump = lambda *args: self.repo.ok("--dump-help=options", *args,
                                          "--help")
        commands = [line.split("\t")[0] for line in
                    self.repo.ok("--dump-help=commands").splitlines()]
        self.assertIn("add", commands)
        pages = []
        for cmd in commands:
            out = dump(cmd)
            usage = out.splitlines()[0]
            # a command of subcommands: "(add ... | list | ...)", each
            # alternative's options its subcommand's
            subs = re.match(r"usage\tdelegit %s \((.*)\)" % cmd, usage)
            if subs and all(re.match(r"[a-z][a-z-]*( |$)", alt)
                            for alt in subs.group(1).split(" | ")):
                out = out.replace(subs.group(0), "usage\tdelegit " + cmd)
                for alt in subs.group(1).split(" | "):
                    sub = alt.split()[0]
                    pages.append(("%s %s" % (cmd, sub), dump(cmd, sub)))
            pages.append((cmd, out))
        self.assertGreater(len(pages), len(commands) + 10)
        for name, out in pages:
            lines = out.splitlines()
            self.assertTrue(lines[0].startswith("usage\t"), name)
            taken = {line.split("\t")[1] for line in lines
                     if line.startswith("opt\t")}
            named = set(re.findall(r"(?<![\w-])(--?[a-z][a-z-]*)",
                                   lines[0].split("\t", 1)[1]))
            self.assertEqual(named - taken - {"--help"}, set(), name)

    def test_version_usage_errors_and_exit_codes(self):
        r = self.repo
        self.assertRegex(r.ok("--version"), r"^delegit \d+\.\d+\.\d+")
        self.assertEqual(r.run("frobnicate").returncode, 2)
        self.assertEqual(r.run("list", "--bogus").returncode, 2)
        self.assertEqual(r.run("show").returncode, 2)
        self.assertEqual(r.run().returncode, 2)
        outside = tempfile.mkdtemp(prefix="delegit-e2e-")
        self.addCleanup(shutil.rmtree, outside, True)
        res = subprocess.run([DELEGIT, "list"], cwd=outside, env=r.env,
                             capture_output=True, text=True)
        self.assertEqual(res.returncode, 1)
        self.assertIn("delegit init", res.stderr)

    def test_check_passes_on_a_sound_repository(self):
        r = self.repo
        r.add("A", "--to", "kim", "--checkpoint", "2026-12-01:x")
        self.assertIn("ok: 1 task and 3 people checked", r.ok("check"))

    def test_every_file_is_valid_yaml_for_an_independent_reader(self):
        r = self.repo
        r.add("Quotes ' and \" and: colons, #hashes", "--to", "kim",
              "--why", "Line 1\n  indented line 2\n", "--accept", "yes",
              "--checkpoint", "2026-12-01:no")
        for root, _dirs, files in os.walk(r.path):
            if ".git" in root.split(os.sep):
                continue
            for name in files:
                if name.endswith(".yaml"):
                    with open(os.path.join(root, name), encoding="utf-8") as f:
                        self.assertIsInstance(yaml.safe_load(f), dict, name)
        t = json.loads(r.ok("list", "--json"))[0]
        d = r.load(t["id"])
        self.assertEqual(d["title"], "Quotes ' and \" and: colons, #hashes")
        self.assertEqual(d["why"], "Line 1\n  indented line 2\n")
        self.assertEqual(d["expectations"]["acceptance"][0]["text"], "yes")
        self.assertEqual(d["checkpoints"][0]["what"], "no")


if __name__ == "__main__":
    if not os.access(DELEGIT, os.X_OK):
        sys.exit("DELEGIT=%s is not an executable" % DELEGIT)
    unittest.main()
