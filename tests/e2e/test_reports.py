#!/usr/bin/python3
"""Reports, suggest and agenda on a repository with a known history: every
figure is checked against a hand count (docs/reports.md explains them).
The HTML page is rendered by a real headless Chromium."""
import json
import os
import shutil
import subprocess
import tempfile
import unittest

from helpers import Repo

NOW = "2026-11-10T12:00:00Z"
CONFIG = """format: 1
orgs:
  acme-msp:
    title: ACME Managed Services
    sla:
      high: {respond: 4h, resolve: 2d}
      critical: {respond: 1h, resolve: 8h}
"""


class Fixture:
    """Dana delegates six tasks between 2 and 9 November 2026; the story is
    told in the comments, with the figures each step makes."""

    def __init__(self):
        r = self.r = Repo(team=False)
        r.team_add("dana", "--capacity", "10")
        r.team_add("sam", "--capacity", "30", "--skill", "windows",
                   "--skill", "docs")
        r.team_add("kim", "--capacity", "20", "--skill", "backup",
                   "--skill", "networking")
        with open(os.path.join(r.path, ".delegit", "config.yaml"), "w") as f:
            f.write(CONFIG)
        r.git("commit", "-qam", "SLA targets")

        def step(who, when, *args):
            r.as_(who)
            return r.ok(*args, now=when)

        def add(when, *args):
            r.as_("dana")
            return r.add(*args, now=when)["id"][:8]

        # T1, high, kim: responds in 2 h (met), first review after 72 h
        # (a 2d breach); accepted, reopened, done again on 7 Nov (on time)
        self.t1 = add("2026-11-02T09:00:00Z", "Backup", "--to", "kim",
                      "--priority", "high", "--due", "2026-11-10",
                      "--estimate", "6", "--skill", "backup")
        step("kim", "2026-11-02T11:00:00Z", "start", self.t1)
        # T2, critical, kim: responds in 30 min, review after 4 h (met),
        # rejected, done 6 Nov after its 4 Nov deadline (late)
        self.t2 = add("2026-11-03T08:00:00Z", "Firewall", "--to", "kim",
                      "--priority", "critical", "--due", "2026-11-04",
                      "--estimate", "2")
        step("kim", "2026-11-03T08:30:00Z", "start", self.t2)
        step("kim", "2026-11-03T12:00:00Z", "submit", self.t2)
        step("dana", "2026-11-03T13:00:00Z", "reject", self.t2, "-m", "Not yet")
        step("kim", "2026-11-03T14:00:00Z", "feedback", self.t2, "Clear why",
             "--kind", "delegation", "--rating", "5")
        # T3, T4: sam's, 12 h and 30 h against 30 h a week: overloaded
        self.t3 = add("2026-11-04T09:00:00Z", "Laptop image", "--to", "sam",
                      "--due", "2026-11-20", "--estimate", "12",
                      "--skill", "windows")
        self.t4 = add("2026-11-04T10:00:00Z", "Docs", "--to", "sam",
                      "--priority", "low", "--due", "2026-11-30",
                      "--estimate", "30")
        # T5: Dana's own core work, due within 3 days of "now": do first
        self.t5 = add("2026-11-04T11:00:00Z", "Core budget", "--core",
                      "--priority", "high", "--due", "2026-11-12")
        step("kim", "2026-11-05T09:00:00Z", "submit", self.t1)
        step("dana", "2026-11-05T10:00:00Z", "accept", self.t1)
        step("sam", "2026-11-05T09:00:00Z", "start", self.t4)
        step("kim", "2026-11-06T09:00:00Z", "submit", self.t2)
        step("sam", "2026-11-06T09:00:00Z", "block", self.t4, "-m", "waiting")
        step("dana", "2026-11-06T10:00:00Z", "accept", self.t2)
        step("dana", "2026-11-06T10:05:00Z", "feedback", self.t2, "Good fix",
             "--kind", "review", "--rating", "4")
        step("dana", "2026-11-07T09:00:00Z", "reopen", self.t1)
        step("kim", "2026-11-07T10:00:00Z", "submit", self.t1)
        step("dana", "2026-11-07T11:00:00Z", "accept", self.t1)
        # T6, high, kim, not started: 28 h later it breaches "respond: 4h"
        self.t6 = add("2026-11-09T08:00:00Z", "Patch MSP", "--to", "kim",
                      "--priority", "high", "--estimate", "4",
                      "--skill", "backup")
        r.as_("dana")

    def report(self, *args):
        return json.loads(self.r.ok("report", *args, "--json", now=NOW))


class TestReports(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.fx = Fixture()

    @classmethod
    def tearDownClass(cls):
        cls.fx.r.close()

    def by_handle(self, rows):
        return {row["handle"]: row for row in rows}

    def test_workload(self):
        w = self.by_handle(self.fx.report("workload")["people"])
        self.assertEqual((w["kim"]["open_tasks"], w["kim"]["estimated_hours"],
                          w["kim"]["load_percent"]), (1, 4, 20))
        self.assertEqual((w["sam"]["open_tasks"], w["sam"]["estimated_hours"],
                          w["sam"]["load_percent"], w["sam"]["overloaded"]),
                         (2, 42, 140, True))
        self.assertEqual(w["dana"]["open_tasks"], 0)
        self.assertFalse(w["kim"]["overloaded"])
        table = self.fx.r.ok("report", "workload", now=NOW)
        self.assertIn("overloaded", table)

    def test_delivery(self):
        d = self.by_handle(self.fx.report("delivery")["people"])
        kim = d["kim"]
        self.assertEqual(kim["done"], 2)
        self.assertEqual(kim["on_time"], 1)
        self.assertEqual(kim["on_time_percent"], 50)
        # cycles: T1 2 Nov 11:00 -> 7 Nov 11:00 = 5.0 d; T2 3 Nov 08:30 ->
        # 6 Nov 10:00 = 3.06 d; the median 4.03 rounds to 4.0
        self.assertEqual(kim["median_cycle_days"], 4)
        # T1 reopened once, T2 rejected once: work sent back twice
        self.assertEqual(kim["reopened"], 2)
        self.assertEqual(kim["mean_rating"], 4)  # kim's own 5 does not count
        self.assertEqual(d["sam"]["done"], 0)
        self.assertIsNone(d["sam"]["on_time_percent"])
        # a period: only T2 was closed before 7 November
        d = self.by_handle(self.fx.report("delivery", "--until",
                                          "2026-11-07")["people"])
        self.assertEqual((d["kim"]["done"], d["kim"]["on_time"]), (1, 0))

    def test_sla(self):
        s = self.fx.report("sla")
        rows = {(x["org"], x["priority"]): x for x in s["targets"]}
        high = rows[("acme-msp", "high")]
        self.assertEqual((high["tasks"], high["respond_measured"],
                          high["respond_met"], high["resolve_measured"],
                          high["resolve_met"], high["breaches"]),
                         (2, 2, 1, 1, 0, 2))
        crit = rows[("acme-msp", "critical")]
        self.assertEqual((crit["respond_met"], crit["resolve_met"],
                          crit["breaches"]), (1, 1, 0))
        breaches = sorted((b["title"], b["kind"], b["actual_hours"],
                           b["ongoing"]) for b in s["breaches"])
        self.assertEqual(breaches, [("Backup", "resolve", 72, False),
                                    ("Patch MSP", "respond", 28, True)])

    def test_matrix(self):
        m = self.fx.report("matrix")
        titles = {k: sorted(t["title"] for t in v) for k, v in m.items()}
        self.assertEqual(titles, {"do": ["Core budget"],
                                  "schedule": ["Patch MSP"],
                                  "delegate": [],
                                  "eliminate": ["Docs", "Laptop image"]})

    def test_accountability(self):
        a = self.by_handle(self.fx.report("accountability", "--since",
                                          "2026-11-06", "--until",
                                          "2026-11-08")["people"])
        self.assertEqual((a["dana"]["commits"], a["dana"]["tasks"],
                          a["dana"]["changes"]), (4, 2, 7))
        self.assertEqual(a["dana"]["fields"],
                         {"status": 3, "closed": 3, "feedback": 1})
        self.assertEqual((a["kim"]["commits"], a["kim"]["changes"]), (2, 2))
        self.assertEqual(a["sam"]["fields"], {"status": 1, "feedback": 1})

    def test_suggest_puts_skill_and_free_capacity_first_and_says_why(self):
        out = json.loads(self.fx.r.ok("suggest", self.fx.t6, "--json",
                                      now=NOW))
        self.assertEqual([p["handle"] for p in out], ["kim", "sam"])
        self.assertEqual(out[0]["score"], 89)
        self.assertIn("skills: 1 of 1 needed", out[0]["reasons"])
        self.assertIn("delivery: 50% on time (2 done)", out[0]["reasons"])
        self.assertTrue(any("overload" in r for r in out[1]["reasons"]))
        text = self.fx.r.ok("suggest", self.fx.t6, now=NOW)
        self.assertIn("1. kim", text)

    def test_agenda_shows_work_blocked_for_more_than_two_days(self):
        self.fx.r.as_("sam")
        items = json.loads(self.fx.r.ok("agenda", "--json", now=NOW))
        self.fx.r.as_("dana")
        kinds = [(i["kind"], i["task"]["title"], i["days"]) for i in items]
        self.assertIn(("blocked for more than 2 days", "Docs", 4), kinds)
        # one day after blocking, it is not yet on the list
        items = json.loads(self.fx.r.ok("agenda", "sam", "--json",
                                        now="2026-11-07T10:00:00Z"))
        self.assertNotIn("blocked for more than 2 days",
                         [i["kind"] for i in items])

    def test_bad_period_and_unknown_report_are_usage_errors(self):
        self.assertEqual(self.fx.r.run("report", "velocity").returncode, 2)
        self.assertEqual(self.fx.r.run("report", "sla", "--since",
                                       "soon").returncode, 2)

    def test_check_validates_sla_targets(self):
        r = Repo()
        self.addCleanup(r.close)
        with open(os.path.join(r.path, ".delegit", "config.yaml"), "w") as f:
            f.write("format: 1\norgs:\n  acme-msp:\n    sla:\n"
                    "      urgent: {respond: 4h}\n"
                    "      high: {respond: soon, resolve: 2d}\n")
        res = r.run("check")
        self.assertEqual(res.returncode, 1)
        self.assertIn(".delegit/config.yaml:5:15: 'orgs.acme-msp.sla.urgent': "
                      "unknown key (expected one of critical, high, normal, "
                      "low)", res.stderr)
        self.assertIn(".delegit/config.yaml:6:23: 'orgs.acme-msp.sla.high."
                      "respond': bad duration 'soon'", res.stderr)

    @unittest.skipUnless(shutil.which("chromium"), "chromium is not installed")
    def test_html_page_renders_in_headless_chromium(self):
        out = os.path.join(self.fx.r.tmp, "report.html")
        self.fx.r.ok("report", "--html", out, now=NOW)
        with open(out, encoding="utf-8") as f:
            html = f.read()
        # self-contained: nothing to fetch
        for needle in ("<script", "src=\"http", "href=\"http", "url(", "@import"):
            self.assertNotIn(needle, html)
        profile = tempfile.mkdtemp(prefix="delegit-chromium-")
        self.addCleanup(shutil.rmtree, profile, True)
        flags = ["chromium", "--headless", "--no-sandbox", "--disable-gpu",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync",
                 "--user-data-dir=" + profile]
        dom = subprocess.run(flags + ["--dump-dom", "file://" + out],
                             capture_output=True, text=True, timeout=120)
        self.assertEqual(dom.returncode, 0, dom.stderr[-2000:])
        figures = {
            'data-figure="board-open">3<': "three open tasks",
            'data-figure="board-blocked">1<': "one blocked",
            'data-figure="board-done">2<': "two done",
            'data-figure="workload-sam">42 h / 30 h<': "sam's load",
            'data-figure="sla-acme-msp-high-breaches">2<': "two breaches",
            'data-figure="delivery-kim-on-time">50%<': "kim on time",
            'data-figure="matrix-do">1<': "one to do first",
        }
        for needle, what in figures.items():
            self.assertIn(needle, dom.stdout, what)
        shot = os.path.join(self.fx.r.tmp, "report.png")
        r = subprocess.run(flags + ["--screenshot=" + shot,
                                    "--window-size=1280,1400",
                                    "file://" + out],
                           capture_output=True, text=True, timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr[-2000:])
        with open(shot, "rb") as f:
            png = f.read()
        self.assertTrue(png.startswith(b"\x89PNG"))
        self.assertGreater(len(png), 20000)  # a page, not a blank


class TestAccountabilityFromRows(unittest.TestCase):
    """accountability reads no task's tree, only the history and, for
    --org, each task's id and assignee from its row: as the work tree has
    them (a hand edit too), and a file that does not validate is warned
    of as for every report."""

    def setUp(self):
        r = self.r = Repo(team=False)
        r.team_add("dana")
        r.team_add("sam")
        r.team_add("kim")
        r.as_("dana")
        self.a = r.add("For sam", "--to", "sam")["id"]
        self.b = r.add("For kim", "--to", "kim")["id"]
        # a closed task counts as an open one does
        r.ok("cancel", r.add("Cancelled", "--to", "sam")["id"][:8])
        r.as_("sam")
        r.ok("start", self.a[:8])
        r.as_("kim")
        r.ok("start", self.b[:8])
        r.as_("dana")

    def tearDown(self):
        self.r.close()

    def people(self, *args):
        out = self.r.ok("report", "accountability", "--json", *args)
        return sorted((p["handle"], p["commits"], p["tasks"])
                      for p in json.loads(out)["people"])

    def test_org_follows_the_work_tree_and_bad_files_are_warned_of(self):
        # acme: dana and sam, on sam's tasks (added, started; added,
        # cancelled)
        self.assertEqual(self.people("--org", "acme"), [("dana", 3, 2),
                                                        ("sam", 1, 1)])
        self.assertEqual(self.people("--org", "acme-msp"), [("kim", 1, 1)])
        # sam's open task handed to kim by hand, not committed: acme has
        # only the cancelled one left, kim's org both of the others
        path = self.r.task_file(self.a)
        with open(path) as f:
            text = f.read()
        with open(path, "w") as f:
            f.write(text.replace("assignee: sam", "assignee: kim"))
        self.assertEqual(self.people("--org", "acme"), [("dana", 2, 1)])
        self.assertEqual(self.people("--org", "acme-msp"), [("kim", 1, 1)])
        self.assertEqual(len(self.people()), 3)
        # a file that does not validate: left out, and said so
        with open(path, "w") as f:
            f.write(text.replace("status: in-progress", "status: nope"))
        r = self.r.run("report", "accountability", "--json")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(self.a, r.stderr)
        self.assertIn("1 problem: those files are left out of the report",
                      r.stderr)
        self.assertEqual(len(json.loads(r.stdout)["people"]), 3)


if __name__ == "__main__":
    unittest.main()
