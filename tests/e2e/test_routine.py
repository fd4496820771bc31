"""Routine work (issue 15): recurring tasks, dependencies, and what the
policy makes of their fields, against the real binary and real git."""
import json
import os
import subprocess
import unittest

import yaml

from helpers import DELEGIT, Network, Repo, enforce

NOW = "2026-01-10T10:00:00Z"


def occurrences(repo, series):
    """Every task of a series, by due date."""
    out = json.loads(repo.ok("list", "--all", "--recurring", "--json"))
    found = [t for t in out if t["recur"]["series"] == series]
    return sorted(found, key=lambda t: str(t["due"]))


class TestRecurring(unittest.TestCase):
    def setUp(self):
        self.r = Repo()
        self.addCleanup(self.r.close)

    def test_accepting_opens_the_next_occurrence_in_the_same_commit(self):
        r = self.r
        t = r.add("Monthly patching", "--to", "kim", "--due", "2026-01-31",
                  "--every", "monthly", "--checkpoint", "2026-01-20:Staging",
                  "--accept", "All hosts patched", now=NOW)
        self.assertEqual(t["recur"], {"every": "monthly",
                                      "start": "2026-01-31", "until": None,
                                      "series": t["id"]})
        r.as_("kim")
        r.ok("start", t["id"][:8], now=NOW)
        r.ok("checkpoint", t["id"][:8], "done",
             t["checkpoints"][0]["id"], now=NOW)
        r.ok("accept-criterion", t["id"][:8],
             t["expectations"]["acceptance"][0]["id"], now=NOW)
        r.ok("submit", t["id"][:8], now=NOW)
        r.as_("dana")
        out = r.ok("accept", t["id"][:8], now="2026-01-29T10:00:00Z")
        self.assertIn("next occurrence", out)
        self.assertIn("due 2026-02-28", out)
        # one commit, two files
        files = r.git("show", "--name-only", "--format=", "HEAD").split()
        self.assertEqual(len(files), 2)
        series = occurrences(r, t["id"])
        self.assertEqual([str(o["due"]) for o in series],
                         ["2026-01-31", "2026-02-28"])
        nxt = series[1]
        self.assertEqual((nxt["status"], nxt["assignee"], nxt["started"],
                          nxt["closed"], nxt["feedback"]),
                         ("open", "kim", None, None, []))
        cp = nxt["checkpoints"][0]
        self.assertEqual((str(cp["due"]), cp["done"]), ("2026-02-17", False))
        self.assertNotEqual(cp["id"], t["checkpoints"][0]["id"])
        self.assertFalse(nxt["expectations"]["acceptance"][0]["met"])
        # Feb 28, then Mar 31: the series keeps the 31st
        r.ok("cancel", nxt["id"][:8], "-m", "skipped", now=NOW)
        self.assertEqual([str(o["due"]) for o in occurrences(r, t["id"])],
                         ["2026-01-31", "2026-02-28", "2026-03-31"])
        # the list of series: its open occurrence, with the rule
        out = r.ok("list", "--recurring")
        self.assertIn("EVERY", out.splitlines()[0])
        self.assertEqual(len(out.splitlines()), 2)
        self.assertIn("monthly", out)
        self.assertIn("2026-03-31", out)
        self.assertIn("ok: 3 tasks", r.ok("check"))

    def test_until_ends_the_series_and_no_every_too(self):
        r = self.r
        t = r.add("Standup notes", "--due", "2026-01-05", "--every", "1w",
                  "--until", "2026-01-12", now=NOW)
        r.ok("cancel", t["id"][:8], now=NOW)
        second = occurrences(r, t["id"])[1]
        self.assertEqual(str(second["due"]), "2026-01-12")
        out = r.ok("cancel", second["id"][:8], now=NOW)
        self.assertNotIn("next occurrence", out)
        self.assertEqual(len(occurrences(r, t["id"])), 2)
        u = r.add("Restore test", "--due", "2026-03-31", "--every",
                  "quarterly", now=NOW)
        r.ok("set", u["id"][:8], "--no-every", now=NOW)
        out = r.ok("cancel", u["id"][:8], now=NOW)
        self.assertNotIn("next occurrence", out)

    def test_bad_rules_are_usage_errors_and_bad_files_are_located(self):
        r = self.r
        for args, want in ((["--every", "fortnightly", "--due", "today"],
                            "bad rule 'fortnightly'"),
                           (["--every", "monthly"], "--every needs --due"),
                           (["--until", "2026-12-01"], "--until needs --every"),
                           (["--every", "weekly", "--due", "2026-02-01",
                             "--until", "2026-01-01"], "is before")):
            res = r.run("add", "T", *args)
            self.assertEqual(res.returncode, 2, (args, res.stderr))
            self.assertIn(want, res.stderr)
        t = r.add("T", "--due", "2026-02-01", "--every", "weekly")
        with open(r.task_file(t["id"])) as f:
            text = f.read()
        with open(r.task_file(t["id"]), "w") as f:
            f.write(text.replace("every: weekly", "every: sometimes"))
        res = r.run("check")
        self.assertEqual(res.returncode, 1)
        line = [n for n, l in enumerate(text.splitlines(), 1)
                if "every:" in l][0]
        self.assertIn("%s:%d:10: 'recur.every': bad rule 'sometimes'"
                      % (os.path.relpath(r.task_file(t["id"]), r.path), line),
                      res.stderr)


class TestRecurringThroughSync(unittest.TestCase):
    """Two replicas close the same occurrence before they sync: both make
    the next occurrence, under the same id, and it merges to one task."""

    def test_two_replicas_closing_one_occurrence_make_one_next(self):
        net = Network(replicas=2)
        try:
            a, b = net.replicas
            t = a.add("Backup restore test", "--to", "sam", "--due",
                      "2026-01-31", "--every", "monthly", "--checkpoint",
                      "2026-01-25:Pick three servers", now=NOW)
            a.ok("sync", "-q")
            b.ok("sync", "-q")
            a.ok("cancel", t["id"][:8], "-m", "not this month",
                 now="2026-01-20T09:00:00Z")
            b.ok("cancel", t["id"][:8], now="2026-01-21T15:00:00Z")
            net.sync_all()
            net.assert_converged(self)
            series = occurrences(a, t["id"])
            self.assertEqual([str(o["due"]) for o in series],
                             ["2026-01-31", "2026-02-28"])
            nxt = series[1]
            # created: when the first replica made it; nothing to settle
            self.assertEqual(nxt["created"], "2026-01-20T09:00:00Z")
            self.assertNotIn("conflicts", nxt)
            self.assertEqual(len(nxt["checkpoints"]), 1)
            self.assertEqual(a.ok("conflicts").count(nxt["id"][:6]), 0)
            # each replica adds half a cycle: check names it
            x = a.add("X", now=NOW)
            y = a.add("Y", now=NOW)
            a.ok("sync", "-q")
            b.ok("sync", "-q")
            a.ok("set", x["id"][:8], "--after", y["id"][:8])
            b.ok("set", y["id"][:8], "--after", x["id"][:8])
            net.sync_all()
            res = b.run("check")
            self.assertEqual(res.returncode, 1)
            self.assertIn("it waits for itself: %s after %s after %s"
                          % (x["id"][:8], y["id"][:8], x["id"][:8]),
                          res.stderr)
        finally:
            net.close()


class TestDependencies(unittest.TestCase):
    def setUp(self):
        self.r = Repo()
        self.addCleanup(self.r.close)

    def test_waiting_start_refused_cycles_refused_agenda_says_ready(self):
        r = self.r
        a = r.add("Order the switch", "--to", "sam", "--due", "2026-02-01",
                  now=NOW)
        b = r.add("Rack the switch", "--to", "kim", "--after", a["id"][:6],
                  now=NOW)
        c = r.add("Cut over", "--to", "kim", "--after", b["id"][:6], now=NOW)
        self.assertEqual(b["after"], [a["id"]])
        out = r.ok("list")
        rows = {l.split()[0]: l for l in out.splitlines()[1:]}
        self.assertIn("waiting", rows[b["id"][:6]])
        self.assertIn("open", rows[a["id"][:6]])
        r.as_("kim")
        res = r.run("start", b["id"][:8], now=NOW)
        self.assertEqual(res.returncode, 1)
        self.assertIn("cannot start: it waits for 1 task not done yet: "
                      "%s Order the switch (open)" % a["id"][:8], res.stderr)
        agenda = r.ok("agenda", now=NOW)
        self.assertIn("waiting for other tasks", agenda)
        # a cycle, named the way it runs
        r.as_("dana")
        res = r.run("set", a["id"][:8], "--after", c["id"][:8])
        self.assertEqual(res.returncode, 1)
        self.assertIn("that would make a cycle: %s after %s after %s after %s"
                      % (a["id"][:8], c["id"][:8], b["id"][:8], a["id"][:8]),
                      res.stderr)
        res = r.run("set", a["id"][:8], "--after", a["id"][:8])
        self.assertIn("cannot wait for itself", res.stderr)
        res = r.run("add", "X", "--after", "ffffffff")
        self.assertEqual(res.returncode, 1)
        self.assertIn("--after", res.stderr)
        # a finishes: b is ready, and the agenda says so
        r.as_("sam")
        r.ok("start", a["id"][:8], now=NOW)
        r.ok("submit", a["id"][:8], now=NOW)
        r.as_("dana")
        r.ok("accept", a["id"][:8], now="2026-01-12T10:00:00Z")
        r.as_("kim")
        agenda = json.loads(r.ok("agenda", "--json",
                                 now="2026-01-14T10:00:00Z"))
        ready = [i for i in agenda if i["kind"] == "ready to start"]
        self.assertEqual(len(ready), 1)
        self.assertEqual(ready[0]["task"]["id"], b["id"])
        self.assertEqual(ready[0]["dependency"]["id"], a["id"])
        self.assertEqual(ready[0]["days"], 2)
        self.assertIn("it waited for Order the switch, done",
                      r.ok("agenda", now="2026-01-14T10:00:00Z"))
        r.ok("start", b["id"][:8], now=NOW)
        # --no-after lets c go without b
        r.as_("dana")
        r.ok("set", c["id"][:8], "--no-after")
        self.assertNotIn("after", r.load(c["id"]))


class TestRoutineFieldsInThePolicy(unittest.TestCase):
    """An MSP member cannot use the new fields to escape the policy: not
    by dropping a dependency, not by making a task recur, not by adding
    the next occurrence of someone else's series first."""

    def test_msp_games_with_after_and_recur_are_rejected_through_sync(self):
        net = Network(replicas=2, policy=None)
        try:
            dana, kim = net.replicas
            enforce(dana)
            first = dana.add("Order parts", "--to", "sam", now=NOW)
            t = dana.add("Install parts", "--to", "kim", "--after",
                         first["id"][:8], "--due", "2026-01-31", "--every",
                         "monthly", now=NOW)
            plain = dana.add("Label cables", "--to", "kim", now=NOW)
            dana.ok("sync", "-q")
            kim.ok("sync", "-q")
            kim.as_("kim")
            # 1. drop the dependency and start, in one hand-made commit
            doc = kim.load(t["id"])
            del doc["after"]
            doc["status"] = "in-progress"
            doc["recur"]["until"] = "2026-01-31"
            with open(kim.task_file(t["id"]), "w") as f:
                yaml.safe_dump(doc, f, sort_keys=False)
            # 2. make another task recur daily
            doc = kim.load(plain["id"])
            doc["recur"] = {"every": "daily", "start": "2026-01-11",
                            "until": None, "series": plain["id"]}
            with open(kim.task_file(plain["id"]), "w") as f:
                yaml.safe_dump(doc, f, sort_keys=False)
            # 3. squat the next occurrence of dana's series, in her name
            out = subprocess.run(
                ["python3", "-c", "import uuid,sys;print(uuid.uuid5("
                 "uuid.UUID('6d1e0a3c-528b-4f41-9e07-2d5b8c13770f'),"
                 "'occurrence\\n%s\\ndana\\n2026-02-28' % sys.argv[1]))",
                 t["id"]], capture_output=True, text=True, check=True)
            dana_next = out.stdout.strip()
            fake = kim.load(t["id"])
            fake.update({"id": dana_next, "due": "2026-02-28",
                         "title": "Install parts (kim's way)"})
            os.makedirs(os.path.dirname(kim.task_file(dana_next)),
                        exist_ok=True)
            with open(kim.task_file(dana_next), "w") as f:
                yaml.safe_dump(fake, f, sort_keys=False)
            kim.git("add", "-A")
            kim.git("commit", "-qm", "shortcuts")
            kim.ok("sync", "-q")
            res = dana.run("sync")
            self.assertEqual(res.returncode, 0, res.stderr)
            self.assertIn("rejected (enforce mode)", res.stderr)
            got = dana.load(t["id"])
            self.assertEqual(got["after"], [first["id"]])       # taken back
            self.assertIsNone(got["recur"]["until"])             # taken back
            self.assertEqual(got["status"], "in-progress")       # allowed
            self.assertNotIn("recur", dana.load(plain["id"]))     # taken back
            self.assertIn("may not add a task delegated by 'dana'",
                          res.stderr)
            rejected = sorted(c["field"] for c in got["conflicts"]
                              if c["reason"] == "rejected")
            self.assertEqual(rejected, ["after", "recur.until"])
            # the squatted occurrence never reached dana's work tree
            self.assertFalse(os.path.exists(dana.task_file(dana_next)))
            self.assertEqual(dana.run("audit").returncode, 1)
            # the id was derived with dana in it: one kim adds under her
            # own name is another task, never dana's next occurrence
            dana.as_("dana")
            dana.ok("cancel", t["id"][:8], now=NOW)
            self.assertEqual(
                [o["id"] for o in occurrences(dana, t["id"])
                 if str(o["due"]) == "2026-02-28"], [dana_next])
            self.assertEqual(dana.load(dana_next)["title"], "Install parts")
        finally:
            net.close()


class TestSearchAndBulk(unittest.TestCase):
    def setUp(self):
        self.r = Repo()
        self.addCleanup(self.r.close)

    def ids(self, *words):
        out = json.loads(self.r.ok("list", "--json", *words))
        return sorted(t["title"] for t in out)

    def test_text_search_and_changes_to_several_tasks(self):
        r = self.r
        r.add("Nightly BACKUP check", "--to", "kim")
        r.add("Restore drill", "--to", "kim", "--expect",
              "A full restore from the backup tapes")
        r.add("Patch the NAS", "--to", "kim", "--why", "Backups land there")
        fb = r.add("Rotate keys", "--to", "sam")
        r.ok("feedback", fb["id"][:8], "ask Sam about the backup keys")
        r.add("Order toner", "--to", "sam", "--accept", "Printer works")
        self.assertEqual(self.ids("backup"), ["Nightly BACKUP check",
                                              "Patch the NAS", "Restore drill",
                                              "Rotate keys"])
        self.assertEqual(self.ids("backup", "tapes"), ["Restore drill"])
        self.assertEqual(self.ids("PRINTER"), ["Order toner"])
        out = r.ok("list", "backup", "--to", "kim")
        self.assertEqual(len(out.splitlines()), 4)
        # several ids, then a filter: one commit per task
        before = int(r.git("rev-list", "--count", "HEAD"))
        tids = [t["id"] for t in json.loads(r.ok("list", "--json", "backup",
                                                 "--to", "kim"))]
        r.ok("set", tids[0][:8], tids[1][:8], "priority=high", "tags=+ops")
        self.assertEqual(int(r.git("rev-list", "--count", "HEAD")),
                         before + 2)
        r.ok("assign", "--filter", "--tag ops", "sam", "-m", "kim is away")
        self.assertEqual(sorted(t["assignee"] for t in json.loads(
            r.ok("list", "--json", "--tag", "ops"))), ["sam", "sam"])
        # a refusal names its task; the others go on
        r.as_("kim")
        res = r.run("start", "--filter", "--to kim")
        self.assertEqual(res.returncode, 0, res.stderr)
        r.as_("sam")
        res = r.run("start", "--filter", "backup")
        self.assertEqual(res.returncode, 1)
        self.assertIn("of 4 tasks not changed", res.stderr)
        self.assertIn("cannot start a task that is in-progress", res.stderr)
        for one in r.git("log", "-8", "--format=%H").split():
            self.assertEqual(len(r.git("show", "--name-only", "--format=",
                                       one).split()), 1)
        # usage errors
        res = r.run("start")
        self.assertEqual(res.returncode, 2)
        self.assertIn("missing argument ID (or --filter)", res.stderr)
        res = r.run("start", tids[0][:8], "--filter", "backup")
        self.assertEqual(res.returncode, 2)
        res = r.run("cancel", "--filter", "--status bogus")
        self.assertEqual(res.returncode, 2)
        self.assertIn("--status", res.stderr)
        out = r.run("cancel", "--filter", "nothing-like-this")
        self.assertIn("no task matches the filter", out.stderr)

    def test_a_terminal_is_asked_before_more_than_three(self):
        import pty
        import select
        r = self.r
        for i in range(4):
            r.add("Ticket %d" % i, "--to", "kim")
        env = dict(r.env, DELEGIT_PAGER="cat")

        def on_pty(answer, *args):
            master, slave = pty.openpty()
            proc = subprocess.Popen([DELEGIT, "cancel", "--filter", "Ticket",
                                     *args], cwd=r.path, env=env,
                                    stdin=slave, stdout=slave, stderr=slave)
            os.close(slave)
            os.write(master, answer)
            out = b""
            while select.select([master], [], [], 20)[0]:
                try:
                    chunk = os.read(master, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                out += chunk
            os.close(master)
            return proc.wait(timeout=20), out.decode()

        code, out = on_pty(b"n\n")
        self.assertEqual(code, 0)
        self.assertIn("cancel 4 tasks:", out)
        self.assertIn("Go on? [y/N]", out)
        self.assertIn("nothing was changed", out)
        self.assertEqual(len(json.loads(r.ok("list", "--json"))), 4)
        code, out = on_pty(b"", "--yes")
        self.assertEqual(code, 0)
        self.assertNotIn("Go on?", out)
        self.assertEqual(json.loads(r.ok("list", "--json")), [])


class TestPeopleComeAndGo(unittest.TestCase):
    def test_retire_and_archive(self):
        r = Repo()
        try:
            t = r.add("Backups", "--to", "kim", now="2025-03-01T09:00:00Z")
            r.add("Firewall rules", "--to", "kim",
                  now="2025-03-01T09:00:00Z")
            out = r.ok("team", "retire", "kim")
            self.assertIn("open work to hand on:", out)
            self.assertIn("Backups", out)
            self.assertIn("delegit assign --filter '--to kim' HANDLE", out)
            self.assertIn("retired:", r.git("show", "HEAD:team/kim.yaml"))
            for args in (["add", "X", "--to", "kim"],
                         ["assign", t["id"][:8], "kim"],
                         ["set", t["id"][:8], "assignee=kim"]):
                res = r.run(*args)
                self.assertEqual(res.returncode, 1, args)
                self.assertIn("'kim' retired on", res.stderr)
            self.assertIn("retired", r.ok("team", "show", "kim"))
            r.ok("assign", "--filter", "--to kim", "sam")
            # close one in 2025, archive what closed before 2026
            r.ok("cancel", t["id"][:8], now="2025-06-01T09:00:00Z")
            r.ok("archive", "--before", "2026-01-01")
            moved = "archive/2025/%s/%s.yaml" % (t["id"][:2], t["id"])
            self.assertTrue(os.path.exists(os.path.join(r.path, moved)))
            self.assertFalse(os.path.exists(r.task_file(t["id"])))
            stat = r.git("show", "-M", "--name-status", "--format=", "HEAD")
            self.assertIn("R100", stat)
            self.assertEqual([x["title"] for x in json.loads(
                r.ok("list", "--all", "--json"))], ["Firewall rules"])
            self.assertEqual([x["title"] for x in json.loads(
                r.ok("list", "--archived", "--json", "backups"))],
                ["Backups"])
            self.assertIn("Backups", r.ok("show", t["id"][:8]))
            log = r.ok("log", t["id"][:8])
            self.assertIn("(archived): tasks/ -> archive/2025/", log)
            self.assertIn("status: open -> cancelled", log)
            self.assertNotIn("title: Backups -> (none)", r.ok("log"))
            res = r.run("feedback", t["id"][:8], "late note")
            self.assertEqual(res.returncode, 1)
            self.assertIn("is archived", res.stderr)
            self.assertIn("ok:", r.ok("check"))
            self.assertIn("nothing to archive",
                          r.ok("archive", "--before", "2026-01-01"))
            r.ok("team", "retire", "kim", "--undo")
            r.ok("assign", json.loads(r.ok("list", "--json"))[0]["id"][:8],
                 "kim")
        finally:
            r.close()

    def test_a_late_edit_follows_the_task_into_the_archive(self):
        net = Network(replicas=2)
        try:
            a, b = net.replicas
            t = a.add("Old", "--to", "kim", now="2025-01-01T00:00:00Z")
            a.ok("cancel", t["id"][:8], now="2025-01-02T00:00:00Z")
            a.ok("sync", "-q")
            b.ok("sync", "-q")
            a.ok("archive", "--before", "2026-01-01")
            b.ok("feedback", t["id"][:8], "late word")
            net.sync_all()
            net.assert_converged(self)
            got = json.loads(a.ok("list", "--archived", "--json"))
            self.assertEqual([f["text"] for f in got[0]["feedback"]],
                             ["late word"])
            self.assertFalse(os.path.exists(a.task_file(t["id"])))
            self.assertIn("ok:", a.ok("check"))
        finally:
            net.close()

    def test_an_msp_member_cannot_archive_or_come_back_by_hand(self):
        net = Network(replicas=2, policy=None)
        try:
            dana, kim = net.replicas
            enforce(dana)
            t = dana.add("Backups", "--to", "kim", now=NOW)
            dana.ok("cancel", t["id"][:8], now=NOW)
            dana.ok("team", "retire", "kim")
            dana.ok("sync", "-q")
            kim.ok("sync", "-q")
            kim.as_("kim")
            # kim comes back, and hides dana's task in the archive
            with open(os.path.join(kim.path, "team", "kim.yaml")) as f:
                text = f.read()
            with open(os.path.join(kim.path, "team", "kim.yaml"), "w") as f:
                f.write("".join(l for l in text.splitlines(True)
                                if not l.startswith("retired:")))
            moved = "archive/2026/%s/%s.yaml" % (t["id"][:2], t["id"])
            os.makedirs(os.path.dirname(os.path.join(kim.path, moved)))
            kim.git("mv", os.path.relpath(kim.task_file(t["id"]), kim.path),
                    moved)
            kim.git("commit", "-qam", "back, and tidied")
            kim.ok("sync", "-q")
            res = dana.run("sync")
            self.assertEqual(res.returncode, 0, res.stderr)
            self.assertIn("rejected (enforce mode)", res.stderr)
            self.assertIn("retired:", dana.git("show", "HEAD:team/kim.yaml"))
            self.assertTrue(os.path.exists(dana.task_file(t["id"])))
            self.assertFalse(os.path.exists(os.path.join(dana.path, moved)))
            self.assertEqual(dana.run("audit").returncode, 1)
        finally:
            net.close()


class TestTemplates(unittest.TestCase):
    def test_from_a_task_by_hand_and_into_new_tasks(self):
        r = Repo()
        try:
            t = r.add("Monthly patching", "--due", "2026-03-31",
                      "--checkpoint", "2026-03-24:Staging patched",
                      "--accept", "All hosts patched", "--expect",
                      "Every server patched", "--tag", "patching",
                      "--estimate", "4", "-p", "high")
            r.ok("template", "add", "patching", "--from", t["id"][:8])
            with open(os.path.join(r.path, "templates",
                                   "patching.yaml")) as f:
                tmpl = yaml.safe_load(f)
            self.assertEqual(tmpl["checkpoints"],
                             [{"before": "7d", "what": "Staging patched"}])
            self.assertEqual(tmpl["expectations"]["acceptance"],
                             ["All hosts patched"])
            self.assertIn("patching", r.ok("template", "list"))
            n = r.add("April patching", "--template", "patching", "--due",
                      "2026-04-30", "--to", "kim", "--tag", "april")
            self.assertEqual((n["priority"], n["estimate_hours"],
                              sorted(n["tags"])),
                             ("high", 4, ["april", "patching"]))
            self.assertEqual(n["expectations"]["outcome"],
                             "Every server patched")
            self.assertEqual([(c["due"], c["what"], c["done"])
                              for c in n["checkpoints"]],
                             [("2026-04-23", "Staging patched", False)])
            self.assertFalse(n["expectations"]["acceptance"][0]["met"])
            res = r.run("add", "X", "--template", "patching")
            self.assertEqual(res.returncode, 2)
            self.assertIn("give --due", res.stderr)
            res = r.run("add", "X", "--template", "nope")
            self.assertEqual(res.returncode, 1)
            self.assertIn("no template 'nope'", res.stderr)
            # by hand: validated, located
            with open(os.path.join(r.path, "templates", "onboard.yaml"),
                      "w") as f:
                f.write("format: 1\nname: onboard\ncheckpoints:\n"
                        "  - {before: soon, what: Laptop}\n")
            res = r.run("template", "add", "onboard")
            self.assertEqual(res.returncode, 1)
            self.assertIn("templates/onboard.yaml:4:14: "
                          "'checkpoints[1].before': bad duration 'soon'",
                          res.stderr)
            with open(os.path.join(r.path, "templates", "onboard.yaml"),
                      "w") as f:
                f.write("format: 1\nname: onboard\ncheckpoints:\n"
                        "  - {before: 1w, what: Laptop}\n")
            r.ok("template", "add", "onboard")
            self.assertIn("template add onboard",
                          r.git("log", "-1", "--format=%s"))
            # a repository file: staff may not change it
            r.as_("sam")
            res = r.run("template", "add", "mine", "--from", t["id"][:8])
            self.assertEqual(res.returncode, 1)
            self.assertIn("may not change templates/mine.yaml", res.stderr)
        finally:
            r.close()


if __name__ == "__main__":
    unittest.main()
