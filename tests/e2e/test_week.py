#!/usr/bin/python3
"""A director's week (issue 14): fair delivery figures, dates people type,
times people read, acceptance that means the criteria are met, delegation
moves and a director's agenda. Real repositories, histories built with
DELEGIT_NOW so every figure is exact."""
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from helpers import Network, Repo, enforce  # noqa: E402


class TestFairDelivery(unittest.TestCase):
    """On time is judged when the work was handed in, not when the
    reviewer got to it; the reviewer's delay is a figure of its own."""

    @classmethod
    def setUpClass(cls):
        r = cls.r = Repo()

        def step(who, when, *args):
            r.as_(who)
            return r.ok(*args, now=when)

        def add(when, *args):
            r.as_("dana")
            return r.add(*args, now=when)["id"][:8]

        # A: kim hands in on the due date at 16:00, dana accepts a day
        # later: on time (it was late only by the review)
        cls.a = add("2026-12-01T09:00:00Z", "Backup", "--to", "kim",
                    "--due", "2026-12-03")
        step("kim", "2026-12-01T10:00:00Z", "start", cls.a)
        step("kim", "2026-12-03T16:00:00Z", "submit", cls.a)
        step("dana", "2026-12-04T10:00:00Z", "accept", cls.a)
        # B: handed in on time, rejected, handed in again after the due
        # date: judged at the last submission (late), one reopen
        cls.b = add("2026-12-01T09:00:00Z", "Firewall", "--to", "kim",
                    "--due", "2026-12-05")
        step("kim", "2026-12-01T11:00:00Z", "start", cls.b)
        step("kim", "2026-12-02T12:00:00Z", "submit", cls.b)
        step("dana", "2026-12-02T18:00:00Z", "reject", cls.b, "-m", "No")
        step("kim", "2026-12-07T08:00:00Z", "submit", cls.b)
        step("dana", "2026-12-07T10:00:00Z", "accept", cls.b)
        # C: sam's, accepted without review (dana closes it herself by
        # cancel? no: done needs review): sam submits, sam's work waits
        # for dana's review still
        cls.c = add("2026-12-02T09:00:00Z", "Laptops", "--to", "sam",
                    "--due", "2026-12-10")
        step("sam", "2026-12-02T10:00:00Z", "start", cls.c)
        step("sam", "2026-12-06T10:00:00Z", "submit", cls.c)
        cls.now = "2026-12-08T10:00:00Z"
        r.as_("dana")

    @classmethod
    def tearDownClass(cls):
        cls.r.close()

    def delivery(self, *args):
        return json.loads(self.r.ok("report", "delivery", "--json", *args,
                                    now=self.now))

    def test_on_time_is_judged_at_the_submission_that_was_accepted(self):
        kim = {p["handle"]: p for p in self.delivery()["people"]}["kim"]
        self.assertEqual((kim["done"], kim["with_due"], kim["on_time"]),
                         (2, 2, 1))
        self.assertEqual(kim["on_time_percent"], 50)

    def test_a_rejection_counts_as_work_sent_back(self):
        kim = {p["handle"]: p for p in self.delivery()["people"]}["kim"]
        self.assertEqual(kim["reopened"], 1)

    def test_review_latency_is_the_reviewers_figure(self):
        rev = {p["handle"]: p for p in self.delivery()["reviewers"]}
        self.assertEqual(set(rev), {"dana"})
        dana = rev["dana"]
        # A: 12-03 16:00 -> 12-04 10:00 = 18 h; B: 6 h (rejected), then
        # 2 h: the median of 18, 6 and 2 is 6
        self.assertEqual((dana["reviewed"], dana["accepted"],
                          dana["rejected"]), (3, 2, 1))
        self.assertEqual(dana["median_latency_hours"], 6)
        # C waits on her since 12-06 10:00: 48 h at "now"
        self.assertEqual((dana["waiting"], dana["oldest_waiting_hours"]),
                         (1, 48))
        table = self.r.ok("report", "delivery", now=self.now)
        self.assertIn("REVIEWER", table)
        self.assertRegex(table, r"dana\s+3\s+2\s+1\s+6 h\s+1\s+48 h")

    def test_a_period_counts_the_decisions_made_in_it(self):
        rev = self.delivery("--since", "2026-12-04", "--until",
                            "2026-12-05")["reviewers"]
        dana = {p["handle"]: p for p in rev}["dana"]
        self.assertEqual((dana["reviewed"], dana["accepted"]), (1, 1))
        self.assertEqual(dana["median_latency_hours"], 18)


class TestDates(unittest.TestCase):
    """Dates people type; times shown in the local time zone, stored and
    printed by --json in UTC; overdue judged by the local date."""

    NOW = "2026-12-02T10:00:00Z"  # a Wednesday

    def setUp(self):
        self.r = Repo()

    def tearDown(self):
        self.r.close()

    def test_relative_dates_become_iso_dates(self):
        cases = {
            "today": "2026-12-02", "tomorrow": "2026-12-03",
            "friday": "2026-12-04", "Fri": "2026-12-04",
            "wednesday": "2026-12-09",  # the next one, not today
            "monday": "2026-12-07", "+3d": "2026-12-05",
            "+2w": "2026-12-16", "eow": "2026-12-06", "eom": "2026-12-31",
            "2027-01-15": "2027-01-15",
        }
        for typed, want in cases.items():
            with self.subTest(typed=typed):
                t = self.r.add("T", "--to", "kim", "--due", typed,
                               now=self.NOW)
                self.assertEqual(t["due"], want)

    def test_set_and_checkpoints_take_them_too(self):
        t = self.r.add("T", "--to", "kim", "--checkpoint", "tomorrow:call",
                       now=self.NOW)
        self.assertEqual(t["checkpoints"][0]["due"], "2026-12-03")
        out = json.loads(self.r.ok("set", t["id"][:8], "due=+1w", "--json",
                                   now=self.NOW))
        self.assertEqual(out["due"], "2026-12-09")
        out = json.loads(self.r.ok("checkpoint", t["id"][:8], "add",
                                   "eom:report", "--json", now=self.NOW))
        self.assertEqual(out["checkpoints"][1]["due"], "2026-12-31")

    def test_bad_dates_are_usage_errors_and_change_nothing(self):
        head = self.r.head()
        for args in (["add", "T", "--due", "someday"],
                     ["add", "T", "--due", "+d"],
                     ["add", "T", "--due", "fr"],
                     ["add", "T", "--checkpoint", "later:call"],
                     ["report", "delivery", "--since", "yesterdayish"],
                     ["list", "--due-before", "soonish"]):
            with self.subTest(args=args):
                res = self.r.run(*args, now=self.NOW)
                self.assertEqual(res.returncode, 2, res.stderr)
                self.assertIn("bad", res.stderr)
                self.assertNotIn("tasks/", res.stderr)
        self.assertEqual(self.r.head(), head)

    def test_since_takes_a_relative_date(self):
        t = self.r.add("T", "--to", "kim", now="2026-11-20T10:00:00Z")
        self.r.ok("set", t["id"][:8], "priority=high",
                  now="2026-12-02T09:00:00Z")
        log = json.loads(self.r.ok("log", "--since", "today", "--json",
                                   now=self.NOW))
        self.assertEqual({e["field"] for e in log}, {"priority"})

    def test_times_are_shown_in_local_time_and_json_keeps_utc(self):
        t = self.r.add("T", "--to", "kim", now="2026-12-03T21:00:00Z")
        self.r.env["TZ"] = "America/New_York"
        out = self.r.ok("show", t["id"][:8], now=self.NOW)
        self.assertIn("created    2026-12-03 16:00 EST", out)
        self.assertNotIn("21:00:00Z", out)
        doc = json.loads(self.r.ok("show", t["id"][:8], "--json"))
        self.assertEqual(doc["created"], "2026-12-03T21:00:00Z")
        log = self.r.ok("log", t["id"][:8])
        self.assertIn("2026-12-03 16:00 EST", log)

    def test_today_and_overdue_follow_the_local_date(self):
        # Los Angeles, 17:00 on 3 December: still the due date there,
        # while UTC is already on the 4th
        now = "2026-12-04T01:00:00Z"
        self.r.as_("kim")
        t = self.r.add("Own", "--to", "kim", "--due", "2026-12-03", now=now)
        self.r.env["TZ"] = "America/Los_Angeles"
        agenda = self.r.ok("agenda", "kim", now=now)
        self.assertNotIn("overdue", agenda)
        self.assertIn("Own (today)", agenda)
        lst = json.loads(self.r.ok("list", "--overdue", "--json", now=now))
        self.assertEqual(lst, [])
        t2 = self.r.add("Two", "--to", "kim", "--due", "today", now=now)
        self.assertEqual(t2["due"], "2026-12-03")
        self.r.env["TZ"] = "UTC"
        agenda = self.r.ok("agenda", "kim", now=now)
        self.assertIn("overdue", agenda)
        self.assertEqual(t["due"], "2026-12-03")


class TestAcceptance(unittest.TestCase):
    """accept means the acceptance criteria are met, or says it was
    forced and which were not."""

    def setUp(self):
        self.r = Repo()
        t = self.r.add("Backups", "--to", "kim", "--accept", "Restore tested",
                       "--accept", "Runbook written")
        self.id = t["id"][:8]
        self.crit = [c["id"] for c in t["expectations"]["acceptance"]]
        self.r.as_("kim")
        self.r.ok("start", self.id)
        self.r.ok("submit", self.id)
        self.r.as_("dana")

    def tearDown(self):
        self.r.close()

    def test_unmet_criteria_refuse_accept_naming_them(self):
        head = self.r.head()
        res = self.r.run("accept", self.id)
        self.assertEqual(res.returncode, 1, res.stderr)
        self.assertIn("2 acceptance criteria not met", res.stderr)
        self.assertIn("'Restore tested' (%s)" % self.crit[0], res.stderr)
        self.assertIn("--force", res.stderr)
        self.assertEqual(self.r.head(), head)
        self.assertEqual(self.r.load(self.full())["status"], "review")

    def full(self):
        return json.loads(self.r.ok("show", self.id, "--json"))["id"]

    def test_met_criteria_accept(self):
        self.r.as_("kim")
        for c in self.crit:
            self.r.ok("accept-criterion", self.id, c)
        self.r.as_("dana")
        out = json.loads(self.r.ok("accept", self.id, "--json"))
        self.assertEqual(out["status"], "done")

    def test_one_unmet_is_named_alone(self):
        self.r.as_("kim")
        self.r.ok("accept-criterion", self.id, self.crit[0])
        self.r.as_("dana")
        res = self.r.run("accept", self.id)
        self.assertEqual(res.returncode, 1)
        self.assertIn("1 acceptance criterion not met: 'Runbook written'",
                      res.stderr)

    def test_force_accepts_and_records_what_was_unmet(self):
        out = json.loads(self.r.ok("accept", self.id, "--force", "-m",
                                   "Runbook next week", "--json"))
        self.assertEqual(out["status"], "done")
        note = out["feedback"][-1]
        self.assertEqual((note["author"], note["kind"]), ("dana", "review"))
        self.assertIn("accepted with 2 acceptance criteria unmet: "
                      "'Restore tested'", note["text"])
        self.assertIn("Runbook next week", note["text"])
        self.assertIn("accept --force", self.r.git("log", "-1",
                                                   "--format=%s"))


class TestDelegationMoves(unittest.TestCase):
    """assign -m REASON; an assignee asks for more time, the delegator
    grants or declines, all in history; add and assign warn at capacity."""

    def setUp(self):
        self.r = Repo(team=False)
        self.r.team_add("dana")
        self.r.team_add("kim", "--capacity", "10")
        self.r.team_add("sam", "--capacity", "20")
        t = self.r.add("Patch", "--to", "kim", "--due", "2026-12-10",
                       "--estimate", "6", now="2026-12-01T09:00:00Z")
        self.id = t["id"][:8]

    def tearDown(self):
        self.r.close()

    def test_assign_with_a_reason_records_it(self):
        out = json.loads(self.r.ok("assign", self.id, "sam", "-m",
                                   "Kim is overloaded", "--json"))
        self.assertEqual(out["assignee"], "sam")
        note = out["feedback"][-1]
        self.assertEqual((note["author"], note["kind"], note["text"]),
                         ("dana", "guidance",
                          "reassigned from kim to sam: Kim is overloaded"))

    def test_add_and_assign_warn_past_capacity_naming_the_figure(self):
        res = self.r.run("add", "More", "--to", "kim", "--estimate", "5")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertIn("warning: kim now has 11.0 h of open estimated work "
                      "against a capacity of 10 h (110%)", res.stderr)
        res = self.r.run("add", "Small", "--to", "sam", "--estimate", "5")
        self.assertNotIn("warning", res.stderr)
        res = self.r.run("assign", self.id, "sam")
        self.assertNotIn("warning", res.stderr)  # 11 h of 20
        more = self.r.add("Big", "--estimate", "12")["id"][:8]
        res = self.r.run("assign", more, "sam")
        self.assertIn("warning: sam now has 23.0 h", res.stderr)

    def test_ask_then_grant(self):
        self.r.as_("kim")
        head = self.r.head()
        res = self.r.run("ask-due", self.id, "2026-12-20")
        self.assertEqual(res.returncode, 2)  # a reason is needed
        self.assertEqual(self.r.head(), head)
        out = json.loads(self.r.ok("ask-due", self.id, "+3w", "-m",
                                   "Vendor is late", "--json",
                                   now="2026-12-02T09:00:00Z"))
        self.assertEqual(out["due"], "2026-12-10")  # not moved by asking
        self.assertEqual(out["due_request"],
                         {"due": "2026-12-23", "by": "kim",
                          "at": "2026-12-02T09:00:00Z",
                          "why": "Vendor is late"})
        self.assertIn("2026-12-23, asked by kim", self.r.ok("show", self.id))
        res = self.r.run("grant", self.id)
        self.assertEqual(res.returncode, 1)
        self.assertIn("may not grant", res.stderr)
        self.r.as_("dana")
        agenda = self.r.ok("agenda", now="2026-12-02T10:00:00Z")
        self.assertIn("asks for a new due date", agenda)
        self.assertIn("2026-12-23", agenda)
        out = json.loads(self.r.ok("grant", self.id, "--json"))
        self.assertEqual(out["due"], "2026-12-23")
        self.assertNotIn("due_request", out)
        self.assertIn("granted kim's request: due 2026-12-23 (was "
                      "2026-12-10)", out["feedback"][-1]["text"])
        log = json.loads(self.r.ok("log", self.id, "--json"))
        self.assertIn(("kim", "due_request"),
                      [(e["author"], e["field"].split(".")[0]) for e in log])
        self.assertIn(("dana", "due"),
                      [(e["author"], e["field"]) for e in log])

    def test_ask_then_decline_needs_a_reason(self):
        self.r.as_("kim")
        self.r.ok("ask-due", self.id, "2026-12-20", "-m", "More servers")
        self.r.as_("dana")
        res = self.r.run("decline", self.id)
        self.assertEqual(res.returncode, 2)
        out = json.loads(self.r.ok("decline", self.id, "-m",
                                   "The audit is on the 11th", "--json"))
        self.assertEqual(out["due"], "2026-12-10")
        self.assertNotIn("due_request", out)
        self.assertEqual(out["feedback"][-1]["text"],
                         "declined kim's request to move the due date to "
                         "2026-12-20: The audit is on the 11th")
        res = self.r.run("grant", self.id)
        self.assertIn("no due date was asked for", res.stderr)

    def test_only_the_assignee_asks_and_only_open_work(self):
        self.r.as_("sam")
        res = self.r.run("ask-due", self.id, "2026-12-20", "-m", "x")
        self.assertEqual(res.returncode, 1)
        self.assertIn("only the assignee", res.stderr)
        self.r.as_("kim")
        res = self.r.run("ask-due", self.id, "2026-12-10", "-m", "x")
        self.assertIn("due on 2026-12-10 already", res.stderr)


class TestDueRequestThroughSync(unittest.TestCase):
    """The default policy lets an assignee ask (enforce mode takes nothing
    back) and the answer reaches her replica."""

    def test_ask_sync_grant_sync(self):
        net = Network(replicas=2, policy=None)
        try:
            dana, kim = net.replicas
            enforce(dana)
            tid = dana.add("Patch", "--to", "kim", "--due",
                           "2026-12-10")["id"]
            dana.ok("sync", "-q")
            kim.ok("sync", "-q")
            kim.as_("kim")
            kim.ok("ask-due", tid[:8], "2026-12-20", "-m", "Vendor")
            kim.ok("sync", "-q")
            dana.ok("sync", "-q")
            self.assertEqual(str(dana.load(tid)["due_request"]["due"]),
                             "2026-12-20")
            dana.ok("grant", tid[:8])
            dana.ok("sync", "-q")
            kim.ok("sync", "-q")
            self.assertEqual(str(kim.load(tid)["due"]), "2026-12-20")
            self.assertNotIn("due_request", kim.load(tid))
            self.assertEqual(json.loads(dana.ok("audit", "--json")), [])
            net.assert_converged(self)
        finally:
            net.close()


class TestDirectorsAgenda(unittest.TestCase):
    """The agenda of someone who delegates: reviews waiting on her and for
    how long, due-date requests, conflicts, concerns since her last look,
    delegated work due this week; work handed in is not overdue."""

    def setUp(self):
        self.net = Network(replicas=2)
        self.d, self.k = self.net.replicas
        d, k = self.d, self.k
        k.as_("kim")
        # due this week, not started: delegated, due this week
        self.week = d.add("Rotate keys", "--to", "kim", "--due", "2026-12-04",
                          now="2026-12-01T09:00:00Z")["id"]
        # handed in on time (12-02), due 12-03, still waiting on 12-05
        self.rev = d.add("Backups", "--to", "kim", "--due", "2026-12-03",
                         now="2026-12-01T09:00:00Z")["id"]
        # both edit the title apart: a conflict on dana's task
        self.conf = d.add("Firewall", "--to", "kim",
                          now="2026-12-01T09:00:00Z")["id"]
        self.far = d.add("Audit", "--to", "kim", "--due", "2027-02-01",
                         now="2026-12-01T09:00:00Z")["id"]
        d.ok("sync", "-q")
        k.ok("sync", "-q")
        k.ok("start", self.rev[:8], now="2026-12-01T10:00:00Z")
        k.ok("submit", self.rev[:8], now="2026-12-02T10:00:00Z")
        k.ok("start", self.far[:8], now="2026-12-02T11:00:00Z")
        k.ok("block", self.far[:8], "-m", "No vendor access",
             now="2026-12-02T12:00:00Z")
        k.ok("set", self.conf[:8], "title=Firewall (kim)",
             now="2026-12-02T13:00:00Z")
        d.ok("set", self.conf[:8], "title=Firewall (dana)",
             now="2026-12-02T14:00:00Z")
        k.ok("sync", "-q", now="2026-12-02T15:00:00Z")
        d.ok("sync", "-q", now="2026-12-02T16:00:00Z")
        self.now = "2026-12-05T10:00:00Z"

    def tearDown(self):
        self.net.close()

    def groups(self, text):
        out, group = {}, None
        for line in text.splitlines()[1:]:
            if not line.strip():
                continue
            if not line.startswith("  "):
                group = line.strip()
                out[group] = []
            else:
                out[group].append(line.strip())
        return out

    def test_the_director_sees_what_waits_on_her(self):
        g = self.groups(self.d.ok("agenda", now=self.now))
        # handed in before its due date: waiting on her, not overdue
        self.assertEqual(len(g["overdue"]), 1)
        self.assertIn("Rotate keys (1 day late)", g["overdue"][0])
        self.assertEqual(len(g["waiting for your review"]), 1)
        self.assertIn("Backups (from kim, waiting 3 days; its due date has "
                      "passed meanwhile)", g["waiting for your review"][0])
        self.assertIn("Firewall", g["open conflicts"][0])
        self.assertIn("(1 conflict: delegit conflicts)",
                      g["open conflicts"][0])
        self.assertIn("kim", g["concerns raised"][0])
        self.assertIn("No vendor access", g["concerns raised"][0])

    def test_concerns_are_new_only_once(self):
        self.d.ok("agenda", now=self.now)
        g = self.groups(self.d.ok("agenda", now=self.now))
        self.assertNotIn("concerns raised", g)
        self.assertIn("waiting for your review", g)

    def test_json_holds_every_item(self):
        items = json.loads(self.d.ok("agenda", "--json", now=self.now))
        kinds = [i["kind"] for i in items]
        self.assertIn("waiting for your review", kinds)
        self.assertIn("open conflicts", kinds)
        concern = [i for i in items if i["kind"] == "concerns raised"][0]
        self.assertEqual(concern["feedback"]["text"], "No vendor access")
        review = [i for i in items
                  if i["kind"] == "waiting for your review"][0]
        self.assertEqual(review["days"], 3)

    def test_the_assignee_sees_work_handed_in_not_overdue(self):
        self.k.ok("sync", "-q", now=self.now)
        g = self.groups(self.k.ok("agenda", now=self.now))
        self.assertIn("Backups (handed in 3 days ago, to dana)",
                      g["handed in, waiting for review"][0])
        self.assertNotIn("Backups", " ".join(g.get("overdue", [])))

    def test_delegated_work_due_this_week(self):
        g = self.groups(self.d.ok("agenda", now="2026-12-02T17:00:00Z"))
        self.assertIn("Rotate keys (to kim, in 2 days)",
                      g["delegated, due this week"][0])


if __name__ == "__main__":
    unittest.main()
