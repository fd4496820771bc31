#!/usr/bin/python3
"""The director's own plate (issue 18): time spent recorded on tasks, the
load and the estimate accuracy it changes, and `delegit plate`: where a
person's time went and what to delegate. Histories built with
DELEGIT_NOW, so every figure is exact; two real replicas for the merge."""
import json
import os
import sys
import unittest

import yaml

sys.path.insert(0, os.path.dirname(__file__))
from helpers import Network, Repo, enforce  # noqa: E402


class TestTimeSpent(unittest.TestCase):
    def setUp(self):
        self.r = Repo(team=False)
        self.r.team_add("dana", "--capacity", "40")
        self.r.team_add("kim", "--capacity", "20", "--skill", "backup")
        t = self.r.add("Backups", "--to", "kim", "--estimate", "10",
                       now="2026-12-01T09:00:00Z")
        self.id = t["id"][:8]

    def tearDown(self):
        self.r.close()

    def test_spent_records_an_entry_each_time(self):
        self.r.as_("kim")
        out = json.loads(self.r.ok("spent", self.id, "1.5h", "-m",
                                   "vendor call", "--json",
                                   now="2026-12-01T10:00:00Z"))
        self.assertEqual(len(out["spent"]), 1)
        e = out["spent"][0]
        self.assertEqual((e["by"], e["hours"], e["at"], e["note"]),
                         ("kim", 1.5, "2026-12-01T10:00:00Z", "vendor call"))
        out = json.loads(self.r.ok("spent", self.id, "90m", "--json"))
        self.assertEqual(out["spent"][1]["hours"], 1.5)
        self.assertNotIn("note", out["spent"][1])
        self.assertIn("Time spent: 3 h", self.r.ok("show", self.id))

    def test_bad_hours_are_usage_errors_and_change_nothing(self):
        head = self.r.head()
        for bad in ("0", "0.0h", "2x", "1001h", "h", ""):
            with self.subTest(hours=bad):
                res = self.r.run("spent", self.id, bad)
                self.assertEqual(res.returncode, 2, res.stderr)
                self.assertIn("bad hours", res.stderr)
        self.r.as_("kim")
        self.r.ok("start", self.id)
        head = self.r.head()
        res = self.r.run("submit", self.id, "--spent", "lots")
        self.assertEqual(res.returncode, 2)
        self.assertEqual(self.r.head(), head)

    def test_submit_records_time_in_the_same_commit(self):
        self.r.as_("kim")
        self.r.ok("start", self.id)
        head = self.r.head()
        out = json.loads(self.r.ok("submit", self.id, "--spent", "4h",
                                   "--json"))
        self.assertEqual(out["status"], "review")
        self.assertEqual(out["spent"][0]["hours"], 4)
        self.assertEqual(self.r.git("rev-parse", "HEAD~1"), head)

    def test_workload_counts_the_estimate_less_the_time_spent(self):
        self.r.as_("kim")
        self.r.ok("spent", self.id, "6h")
        w = {p["handle"]: p for p in json.loads(self.r.ok(
            "report", "workload", "--json"))["people"]}
        self.assertEqual(w["kim"]["estimated_hours"], 4)
        self.r.ok("spent", self.id, "6h")  # past the estimate: nothing left
        w = {p["handle"]: p for p in json.loads(self.r.ok(
            "report", "workload", "--json"))["people"]}
        self.assertEqual(w["kim"]["estimated_hours"], 0)

    def test_delivery_compares_spent_with_estimated_on_done_work(self):
        self.r.as_("kim")
        self.r.ok("start", self.id)
        self.r.ok("submit", self.id, "--spent", "12h")
        self.r.as_("dana")
        self.r.ok("accept", self.id)
        other = self.r.add("Docs", "--to", "kim", "--estimate", "5")["id"]
        self.r.as_("kim")
        self.r.ok("start", other[:8])
        self.r.ok("submit", other[:8])  # no time recorded: not measured
        self.r.as_("dana")
        self.r.ok("accept", other[:8])
        d = {p["handle"]: p for p in json.loads(self.r.ok(
            "report", "delivery", "--json"))["people"]}
        kim = d["kim"]
        self.assertEqual((kim["measured"], kim["estimated_hours"],
                          kim["spent_hours"],
                          kim["spent_of_estimate_percent"]),
                         (1, 10, 12, 120))
        self.assertIsNone(d["dana"]["spent_of_estimate_percent"])


class TestPlate(unittest.TestCase):
    """Dana's week: 4 h on her core budget, 6 h on non-core work she
    could hand to kim, who has the skill and the time."""

    @classmethod
    def setUpClass(cls):
        r = cls.r = Repo(team=False)
        r.team_add("dana", "--capacity", "40")
        r.team_add("kim", "--capacity", "20", "--skill", "licensing")
        r.team_add("sam", "--capacity", "10")

        def at(when, *args):
            return r.ok(*args, now=when)

        cls.budget = r.add("Budget", "--to", "dana", "--core", "--estimate",
                           "10", now="2026-11-20T09:00:00Z")["id"]
        cls.lic = r.add("Renew licences", "--to", "dana", "--estimate", "3",
                        "--skill", "licensing",
                        now="2026-11-20T09:00:00Z")["id"]
        cls.old = r.add("Old report", "--to", "dana",
                        now="2026-11-20T09:00:00Z")["id"]
        at("2026-11-21T09:00:00Z", "spent", cls.old[:8], "5h")  # before
        at("2026-11-24T09:00:00Z", "spent", cls.budget[:8], "4h")
        at("2026-11-25T09:00:00Z", "spent", cls.lic[:8], "2h")
        at("2026-11-26T09:00:00Z", "spent", cls.old[:8], "4h")
        at("2026-11-26T10:00:00Z", "start", cls.old[:8])
        at("2026-11-26T11:00:00Z", "submit", cls.old[:8])
        at("2026-11-26T12:00:00Z", "accept", cls.old[:8])
        r.as_("kim")
        at("2026-11-27T09:00:00Z", "spent", cls.lic[:8], "3h")  # kim's
        r.as_("dana")
        cls.now = "2026-11-30T09:00:00Z"

    @classmethod
    def tearDownClass(cls):
        cls.r.close()

    def plate(self, *args):
        return json.loads(self.r.ok("plate", *args, "--json", now=self.now))

    def test_time_by_core_and_non_core_over_the_last_week(self):
        p = self.plate()
        self.assertEqual(p["handle"], "dana")
        # since 2026-11-23: budget 4 (core), licences 2, old report 4
        self.assertEqual(p["hours"], {"total": 10, "core": 4, "non_core": 6,
                                      "non_core_percent": 60})
        by = {t["title"]: t["hours"] for t in p["time"]}
        self.assertEqual(by, {"Budget": 4, "Renew licences": 2,
                              "Old report": 4})

    def test_a_period_of_ones_own(self):
        p = self.plate("--since", "2026-11-20", "--until", "2026-11-25")
        self.assertEqual(p["hours"]["total"], 9)  # 5 + 4
        self.assertEqual(p["hours"]["non_core_percent"], 56)

    def test_each_non_core_task_names_whom_to_delegate_it_to(self):
        p = self.plate()
        self.assertEqual((p["open_tasks"], p["open_non_core"]), (2, 1))
        open_ = {t["title"]: t for t in p["open"]}
        self.assertIsNone(open_["Budget"]["delegate_to"])
        lic = open_["Renew licences"]
        self.assertEqual(lic["spent_hours"], 5)  # dana's 2 and kim's 3
        self.assertEqual(lic["delegate_to"]["handle"], "kim")
        self.assertIn("skills: 1 of 1 needed",
                      lic["delegate_to"]["reasons"])

    def test_the_table(self):
        out = self.r.ok("plate", now=self.now)
        self.assertIn("Plate of dana, 2026-11-23 to now", out)
        self.assertIn("time recorded: 10 h (core 4 h, non-core 6 h; 60% "
                      "non-core)", out)
        self.assertIn("delegate to kim", out)
        out = self.r.ok("plate", "kim", now=self.now)
        self.assertIn("time recorded: 3 h", out)

    def test_the_html_page_holds_the_plates_of_those_who_delegate(self):
        page = os.path.join(self.r.tmp, "report.html")
        self.r.ok("report", "--html", page, "--since", "2026-11-23",
                  now=self.now)
        with open(page, encoding="utf-8") as f:
            html = f.read()
        for fig, want in (("plate-dana-hours", "10"), ("plate-dana-core", "4"),
                          ("plate-dana-non-core", "6"),
                          ("plate-dana-non-core-percent", "60%"),
                          ("plate-dana-to", "kim")):
            self.assertIn('data-figure="%s">%s<' % (fig, want), html)
        self.assertNotIn("plate-kim-hours", html)  # kim does not delegate

    def test_an_unknown_person_is_an_error(self):
        res = self.r.run("plate", "nobody")
        self.assertEqual(res.returncode, 1)
        self.assertIn("unknown person 'nobody'", res.stderr)


class TestTimeSpentThroughSync(unittest.TestCase):
    """Two replicas record time on the same task at once: both entries
    are kept, the replicas converge; in enforce mode one's own time is
    allowed and time recorded in someone else's name is taken back."""

    def test_concurrent_entries_merge_and_forged_ones_are_refused(self):
        net = Network(replicas=2, policy=None)
        try:
            dana, kim = net.replicas
            enforce(dana)
            tid = dana.add("Backups", "--to", "kim", "--estimate", "8")["id"]
            dana.ok("sync", "-q")
            kim.ok("sync", "-q")
            kim.as_("kim")
            kim.ok("spent", tid[:8], "2h")
            dana.ok("spent", tid[:8], "1h")
            kim.ok("sync", "-q")
            dana.ok("sync", "-q")
            kim.ok("sync", "-q")
            net.assert_converged(self)
            entries = dana.load(tid)["spent"]
            self.assertEqual(sorted((e["by"], e["hours"]) for e in entries),
                             [("dana", 1), ("kim", 2)])
            self.assertEqual(json.loads(dana.ok("audit", "--json")), [])
            # kim writes an entry in dana's name by hand
            doc = kim.load(tid)
            doc["spent"].append({"id": "0badf00d",
                                 "at": "2026-12-01T09:00:00Z",
                                 "by": "dana", "hours": 7})
            with open(kim.task_file(tid), "w") as f:
                yaml.safe_dump(doc, f, sort_keys=False)
            kim.git("commit", "-qam", "time")
            kim.ok("sync", "-q")
            dana.ok("sync", "-q")
            self.assertEqual(len(dana.load(tid)["spent"]), 2)
            res = dana.run("audit", "--json")
            self.assertEqual(res.returncode, 1)  # a violation in history
            audit = json.loads(res.stdout)
            self.assertEqual(len(audit), 1)
            self.assertIn("'kim' (msp; assignee) may not change", audit[0][
                "message"])
            self.assertIn("spent[0badf00d]", audit[0]["field"])
        finally:
            net.close()


class TestGrowthAndRecognition(unittest.TestCase):
    """Development as an outcome: stretch work offered to someone growing a
    skill, with a mentor; stretch tasks done and praise counted."""

    def setUp(self):
        r = self.r = Repo(team=False)
        r.team_add("dana", "--capacity", "40")
        r.team_add("kim", "--capacity", "20", "--skill", "backup")
        r.team_add("sam", "--capacity", "20", "--grow", "backup")

    def tearDown(self):
        self.r.close()

    def suggest(self, tid):
        return {p["handle"]: p for p in json.loads(
            self.r.ok("suggest", tid[:8], "--json"))}

    def test_a_stretch_candidate_with_a_mentor(self):
        tid = self.r.add("Restore test", "--skill", "backup", "--estimate",
                         "4")["id"]
        s = self.suggest(tid)
        self.assertTrue(s["sam"]["stretch"])
        self.assertEqual(s["sam"]["mentor"], "kim")
        self.assertIn("growth: growing backup: a stretch task; kim has it "
                      "and can mentor", s["sam"]["reasons"])
        self.assertFalse(s["kim"]["stretch"])
        # ranked: kim (has it) 50 + ..., sam (grows it) 25 + ...
        self.assertGreater(s["kim"]["score"], s["sam"]["score"])
        self.assertEqual(s["sam"]["score"], 25 + 30 * 16 / 20 + 10)
        out = self.r.ok("suggest", tid[:8])
        self.assertRegex(out, r"sam .*\(acme\)  stretch")

    def test_no_time_no_stretch(self):
        self.r.add("Big", "--to", "sam", "--estimate", "20")
        tid = self.r.add("Restore test", "--skill", "backup", "--estimate",
                         "4")["id"]
        s = self.suggest(tid)
        self.assertFalse(s["sam"]["stretch"])
        self.assertIsNone(s["sam"]["mentor"])
        self.assertIn("growth: growing backup, but no time for a stretch "
                      "task now", s["sam"]["reasons"])

    def test_growing_is_validated_like_skills(self):
        res = self.r.run("team", "edit", "sam", "--grow", "two\nlines")
        self.assertEqual(res.returncode, 2)
        self.r.ok("team", "edit", "sam", "--grow", "backup", "--grow",
                  "networking")
        doc = json.loads(self.r.ok("team", "show", "sam", "--json"))
        self.assertEqual(doc["growing"], ["backup", "networking"])

    def test_delivery_counts_stretch_work_and_praise(self):
        tid = self.r.add("Restore test", "--to", "sam", "--skill",
                         "backup")["id"]
        plain = self.r.add("Docs", "--to", "sam")["id"]
        self.r.as_("sam")
        for t in (tid, plain):
            self.r.ok("start", t[:8])
            self.r.ok("submit", t[:8])
            self.r.ok("feedback", t[:8], "I liked it", "--kind", "praise")
        self.r.as_("dana")
        for t in (tid, plain):
            self.r.ok("accept", t[:8])
        self.r.ok("feedback", tid[:8], "Great restore", "--kind", "praise")
        self.r.as_("kim")
        self.r.ok("feedback", plain[:8], "Clear docs", "--kind", "praise",
                  "--rating", "5")
        d = {p["handle"]: p for p in json.loads(self.r.ok(
            "report", "delivery", "--json"))["people"]}
        # their own praise of the work does not count
        self.assertEqual((d["sam"]["stretch_done"], d["sam"]["praise"]),
                         (1, 2))
        self.assertEqual(d["sam"]["mean_rating"], 5)
        self.assertEqual((d["kim"]["stretch_done"], d["kim"]["praise"]),
                         (0, 0))
        page = os.path.join(self.r.tmp, "report.html")
        self.r.ok("report", "--html", page)
        with open(page, encoding="utf-8") as f:
            html = f.read()
        self.assertIn('data-figure="delivery-sam-praise">2<', html)
        self.assertIn('data-figure="delivery-sam-stretch">1<', html)
        table = self.r.ok("report", "delivery")
        self.assertIn("PRAISE  STRETCH", table)
        self.assertRegex(table, r"sam .* 2 +1\n")


class TestCheckins(unittest.TestCase):
    """Freedom with guidance: a task's autonomy level sets how often the
    delegator's agenda proposes a check-in, and not before."""

    def setUp(self):
        r = self.r = Repo(team=False)
        r.team_add("dana")
        r.team_add("kim", "--autonomy", "recommend")
        r.team_add("sam")

    def tearDown(self):
        self.r.close()

    def started(self, *args, who="kim"):
        tid = self.r.add("Work", "--to", who, *args,
                         now="2026-12-01T09:00:00Z")["id"]
        self.r.as_(who)
        self.r.ok("start", tid[:8], now="2026-12-01T10:00:00Z")
        self.r.as_("dana")
        return tid

    def checkins(self, now):
        items = json.loads(self.r.ok("agenda", "--json", now=now))
        return [(i["task"]["id"], i["days"]) for i in items
                if i["kind"] == "check-in due"]

    def test_the_levels_cadence_and_not_before(self):
        steps = self.started("--autonomy", "follow-steps")
        own = self.started("--autonomy", "own")
        kims = self.started()  # kim's own level: recommend, 4 days
        sams = self.started(who="sam")  # no level anywhere: none
        self.assertEqual(self.checkins("2026-12-03T09:00:00Z"), [])
        self.assertEqual(self.checkins("2026-12-03T10:00:00Z"),
                         [(steps, 2)])
        due = dict(self.checkins("2026-12-05T10:00:00Z"))
        self.assertEqual(set(due), {steps, kims})
        self.assertNotIn(own, due)
        self.assertNotIn(sams, due)
        self.assertIn("autonomy   recommend (the assignee's)",
                      self.r.ok("show", kims[:8]))

    def test_a_check_in_restarts_the_count(self):
        steps = self.started("--autonomy", "follow-steps")
        out = json.loads(self.r.ok("checkin", steps[:8], "-m",
                                   "How is the vendor?", "--json",
                                   now="2026-12-03T12:00:00Z"))
        note = out["feedback"][-1]
        self.assertEqual((note["kind"], note["author"], note["text"]),
                         ("check-in", "dana", "How is the vendor?"))
        self.assertEqual(self.checkins("2026-12-05T11:00:00Z"), [])
        self.assertEqual(self.checkins("2026-12-05T12:00:00Z"),
                         [(steps, 2)])
        text = self.r.ok("agenda", now="2026-12-05T12:00:00Z")
        self.assertIn("check-in due", text)
        self.assertIn("(kim, follow-steps; 2 days since the last check-in",
                      text)

    def test_levels_are_validated_and_set_clears(self):
        res = self.r.run("add", "X", "--autonomy", "free")
        self.assertEqual(res.returncode, 2)
        self.assertIn("--autonomy", res.stderr)
        tid = self.r.add("X", "--to", "kim", "--autonomy", "own")["id"]
        out = json.loads(self.r.ok("set", tid[:8], "autonomy=", "--json"))
        self.assertNotIn("autonomy", out)
        res = self.r.run("checkin", tid[:8])
        self.assertEqual(res.returncode, 2)
        self.assertIn("needs a note", res.stderr)


class TestAutonomyInThePolicy(unittest.TestCase):
    """checkpoints.due@own: the assignee of an own task may move its
    checkpoints; on other tasks it is a violation."""

    def move_checkpoint(self, level, claim=None):
        """kim moves a checkpoint by hand; claim: the autonomy level she
        writes into the same commit."""
        r = Repo()
        try:
            t = r.add("Work", "--to", "kim", "--autonomy", level,
                      "--checkpoint", "2026-12-10:Vendor chosen")
            r.as_("kim")
            with open(r.task_file(t["id"])) as f:
                text = f.read()
            text = text.replace("due: 2026-12-10", "due: 2026-12-17")
            if claim:
                text = text.replace("autonomy: " + level,
                                    "autonomy: " + claim)
            with open(r.task_file(t["id"]), "w") as f:
                f.write(text)
            r.git("commit", "-qam", "later checkpoint")
            res = r.run("audit", "--json")
            return res.returncode, json.loads(res.stdout or "[]")
        finally:
            r.close()

    def test_own_lets_the_assignee_move_checkpoints(self):
        code, found = self.move_checkpoint("own")
        self.assertEqual((code, found), (0, []))

    def test_claiming_the_level_in_the_same_commit_grants_nothing(self):
        # the level that counts is the task's before the change: raising
        # it is itself forbidden, and lends no right to the other change
        code, found = self.move_checkpoint("recommend", claim="own")
        self.assertEqual(code, 1)
        self.assertEqual(sorted(f["field"].split("[")[0] for f in found),
                         ["autonomy", "checkpoints"])

    def test_less_freedom_does_not(self):
        code, found = self.move_checkpoint("act-and-report")
        self.assertEqual(code, 1)
        self.assertEqual(len(found), 1)
        self.assertRegex(found[0]["field"], r"checkpoints\[.*\]\.due")


if __name__ == "__main__":
    unittest.main()
