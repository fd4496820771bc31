#!/usr/bin/python3
"""The trend by week, the view by org, `report --org` and the HTML page
that holds them (issue 14, item 8), on a history built with DELEGIT_NOW so
that every figure is a hand count (docs/reports.md explains them).

Every task submitted for review is accepted the same day: whether on time
is judged at the submission or at done, the figures are the same."""
import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest
import zlib

from helpers import Repo

# Wednesday of ISO week 2026-W48 (Monday 23 November)
NOW = "2026-11-25T12:00:00Z"
CONFIG = """format: 1
orgs:
  acme-msp:
    title: ACME Managed Services
    sla:
      high: {respond: 4h, resolve: 2d}
  acme:
    sla:
      normal: {respond: 1d, resolve: 1w}
"""


class Fixture:
    """Dana delegates nine tasks between 2 and 24 November 2026 to Sam
    (acme, in-house) and Kim (acme-msp, the MSP)."""

    def __init__(self):
        r = self.r = Repo(team=False)
        r.team_add("dana", "--capacity", "10")
        r.team_add("sam", "--capacity", "30")
        r.team_add("kim", "--capacity", "20")
        with open(os.path.join(r.path, ".delegit", "config.yaml"), "w") as f:
            f.write(CONFIG)
        r.git("commit", "-qam", "SLA targets")

        def step(who, when, *args):
            r.as_(who)
            return r.ok(*args, now=when)

        def add(when, title, *args):
            r.as_("dana")
            return r.add(title, *args, now=when)["id"]

        def deliver(task, who, start, submit, accept):
            step(who, start, "start", task)
            step(who, submit, "submit", task)
            step("dana", accept, "accept", task)

        # W45 (2-8 Nov). H: sam's, done on time on the 6th, reopened on
        # the 16th: open again, and no longer done in any week
        self.h = add("2026-11-02T09:00:00Z", "Hardware audit", "--to", "sam",
                     "--due", "2026-11-09", "--estimate", "1")
        # A: kim's, due the 6th, done the 5th: on time (W45)
        self.a = add("2026-11-03T09:00:00Z", "Archive mail", "--to", "kim",
                     "--due", "2026-11-06", "--estimate", "4")
        deliver(self.a, "kim", "2026-11-03T10:00:00Z",
                "2026-11-05T10:00:00Z", "2026-11-05T12:00:00Z")
        # B: sam's, due the 5th, done the 10th: late (W46)
        self.b = add("2026-11-04T09:00:00Z", "Badge readers", "--to", "sam",
                     "--due", "2026-11-05", "--estimate", "8")
        # C: kim's, due the 20th, done the 12th: on time (W46)
        self.c = add("2026-11-04T10:00:00Z", "Cloud backup", "--to", "kim",
                     "--due", "2026-11-20", "--estimate", "6")
        # G: kim's, cancelled on the 13th
        self.g = add("2026-11-05T09:00:00Z", "Guest wifi", "--to", "kim",
                     "--due", "2026-11-15", "--estimate", "2")
        deliver(self.h, "sam", "2026-11-05T11:00:00Z",
                "2026-11-06T09:00:00Z", "2026-11-06T10:00:00Z")
        # W46 (9-15 Nov)
        deliver(self.b, "sam", "2026-11-09T09:00:00Z",
                "2026-11-10T09:00:00Z", "2026-11-10T11:00:00Z")
        # D: sam's, no due date, done the 17th (W47)
        self.d = add("2026-11-10T09:00:00Z", "Docs", "--to", "sam",
                     "--estimate", "5")
        # E: kim's, in progress since the 11th
        self.e = add("2026-11-11T09:00:00Z", "Email migration", "--to",
                     "kim", "--priority", "high", "--due", "2026-11-30",
                     "--estimate", "10")
        step("kim", "2026-11-11T10:00:00Z", "start", self.e)
        deliver(self.c, "kim", "2026-11-11T11:00:00Z",
                "2026-11-12T09:00:00Z", "2026-11-12T15:00:00Z")
        step("dana", "2026-11-13T09:00:00Z", "cancel", self.g)
        # W47 (16-22 Nov)
        step("dana", "2026-11-16T09:00:00Z", "reopen", self.h)
        deliver(self.d, "sam", "2026-11-16T10:00:00Z",
                "2026-11-17T09:00:00Z", "2026-11-17T10:00:00Z")
        # F: sam's, due the 19th, still open: late work, in red
        self.f = add("2026-11-18T09:00:00Z", "Firewall rules", "--to", "sam",
                     "--due", "2026-11-19", "--estimate", "3")
        # W48 (23 Nov-): I, kim's, new
        self.i = add("2026-11-24T09:00:00Z", "Inventory", "--to", "kim",
                     "--estimate", "2")
        r.as_("dana")

    def json(self, *args):
        return json.loads(self.r.ok("report", *args, "--json", now=NOW))

    def page(self, *args):
        out = os.path.join(self.r.tmp, "report.html")
        self.r.ok("report", "--html", out, *args, now=NOW)
        with open(out, encoding="utf-8") as f:
            return f.read()


def figure(html, name):
    """The text of the element whose data-figure is name (one only)."""
    found = re.findall(r'data-figure="%s"[^>]*>([^<]*)<' % re.escape(name),
                       html)
    assert len(found) == 1, (name, found)
    return found[0]


def png_pixels(png):
    """(width, height, rows of RGB triples) of an 8-bit RGB or RGBA PNG."""
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    pos, data, head = 8, b"", None
    while pos < len(png):
        n = int.from_bytes(png[pos:pos + 4], "big")
        kind, body = png[pos + 4:pos + 8], png[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            head = body
        elif kind == b"IDAT":
            data += body
        pos += 12 + n
    width, height = int.from_bytes(head[0:4], "big"), \
        int.from_bytes(head[4:8], "big")
    assert head[8] == 8 and head[9] in (2, 6), "8-bit RGB(A) only"
    bpp = 3 if head[9] == 2 else 4
    raw, stride, rows, prev = zlib.decompress(data), width * bpp, [], None
    prev = bytearray(stride)
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else
                                      b if pb <= pc else c)) & 255
        rows.append([tuple(line[x * bpp:x * bpp + 3]) for x in range(width)])
        prev = line
    return width, height, rows


def weeks(doc):
    return [(w["week"], w["start"], w["done"], w["with_due"], w["on_time"],
             w["on_time_percent"], w["open"]) for w in doc["weeks"]]


# week, its Monday, done, done with a due date, on time, on-time %, open
# at its end (the 23rd's: now). W45: A on time (H was done, but is open
# again); open at its end B, C, G. W46: B late, C on time; open D, E (G
# cancelled). W47: D (no due date); open E, F and H (reopened). W48: open
# E, F, H, I.
ALL = [("2026-W45", "2026-11-02", 1, 1, 1, 100, 3),
       ("2026-W46", "2026-11-09", 2, 2, 1, 50, 2),
       ("2026-W47", "2026-11-16", 1, 0, 0, None, 3),
       ("2026-W48", "2026-11-23", 0, 0, 0, None, 4)]
# Kim's share: A; C; nothing; nothing. Open: C, G; E; E; E, I.
MSP = [("2026-W45", "2026-11-02", 1, 1, 1, 100, 2),
       ("2026-W46", "2026-11-09", 1, 1, 1, 100, 1),
       ("2026-W47", "2026-11-16", 0, 0, 0, None, 1),
       ("2026-W48", "2026-11-23", 0, 0, 0, None, 2)]


class TestTrend(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.fx = Fixture()

    @classmethod
    def tearDownClass(cls):
        cls.fx.r.close()

    def test_by_week_over_the_period(self):
        doc = self.fx.json("trend", "--since", "2026-11-02", "--until",
                           "2026-11-30")
        self.assertEqual(weeks(doc), ALL)

    def test_the_last_eight_weeks_without_a_period(self):
        doc = self.fx.json("trend")
        self.assertEqual([w["week"] for w in doc["weeks"]],
                         ["2026-W%d" % n for n in range(41, 49)])
        self.assertEqual(weeks(doc)[4:], ALL)
        self.assertEqual({w["open"] for w in doc["weeks"][:4]}, {0})

    def test_a_period_starting_mid_week_counts_from_its_start(self):
        # from Tuesday the 10th: B was done that day, C on the 12th; until
        # the 17th: D (done that day) is out
        doc = self.fx.json("trend", "--since", "2026-11-10", "--until",
                           "2026-11-17")
        self.assertEqual(weeks(doc),
                         [("2026-W46", "2026-11-09", 2, 2, 1, 50, 2),
                          ("2026-W47", "2026-11-16", 0, 0, 0, None, 3)])

    def test_table(self):
        out = self.fx.r.ok("report", "trend", "--since", "2026-11-02",
                           now=NOW)
        self.assertIn("2026-W46 2026-11-09     2      50%     2", out)


class TestOrgs(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.fx = Fixture()

    @classmethod
    def tearDownClass(cls):
        cls.fx.r.close()

    def test_view_by_org(self):
        rows = {o["org"]: o for o in self.fx.json("orgs")["orgs"]}
        self.assertEqual(list(rows), ["acme", "acme-msp"])
        pick = ("people", "open_tasks", "estimated_hours", "capacity_hours",
                "load_percent", "done", "with_due", "on_time",
                "on_time_percent")
        # acme: Dana and Sam, 10 + 30 h; Sam's F (3 h) and H (1 h) open;
        # B (late) and D (no due date) done
        self.assertEqual(tuple(rows["acme"][k] for k in pick),
                         (2, 2, 4, 40, 10, 2, 1, 0, 0))
        # acme-msp: Kim, 20 h; E (10 h) and I (2 h) open; A, C on time
        self.assertEqual(tuple(rows["acme-msp"][k] for k in pick),
                         (1, 2, 12, 20, 60, 2, 2, 2, 100))
        self.assertEqual(rows["acme-msp"]["title"], "ACME Managed Services")
        self.assertIsNone(rows["acme"]["title"])

    def test_org_filters_workload(self):
        w = self.fx.json("workload", "--org", "acme-msp")["people"]
        self.assertEqual([(p["handle"], p["open_tasks"], p["estimated_hours"],
                           p["load_percent"]) for p in w],
                         [("kim", 2, 12, 60)])
        w = self.fx.json("workload", "--org", "acme")["people"]
        self.assertEqual([(p["handle"], p["open_tasks"]) for p in w],
                         [("dana", 0), ("sam", 2)])

    def test_org_filters_delivery(self):
        d = self.fx.json("delivery", "--org", "acme")["people"]
        self.assertEqual([(p["handle"], p["done"], p["with_due"],
                           p["on_time"], p["reopened"]) for p in d],
                         [("dana", 0, 0, 0, 0), ("sam", 2, 1, 0, 1)])
        # Dana reviewed sam's H, B and D in 1, 2 and 1 hours
        r = self.fx.json("delivery", "--org", "acme")["reviewers"]
        self.assertEqual([(x["handle"], x["reviewed"],
                           x["median_latency_hours"]) for x in r],
                         [("dana", 3, 1)])
        doc = self.fx.json("delivery", "--org", "acme-msp")
        self.assertEqual([(p["handle"], p["done"], p["on_time"])
                          for p in doc["people"]], [("kim", 2, 2)])
        self.assertEqual(doc["reviewers"], [])  # Dana is not of acme-msp

    def test_org_filters_sla(self):
        # kim's high task E: started within the hour, not in review after
        # 14 days 3 hours against 2d: a breach and counting
        s = self.fx.json("sla", "--org", "acme-msp")
        self.assertEqual([(t["org"], t["priority"], t["tasks"],
                           t["respond_met"], t["breaches"])
                          for t in s["targets"]],
                         [("acme-msp", "high", 1, 1, 1)])
        self.assertEqual([(b["id"], b["kind"], b["actual_hours"], b["ongoing"])
                          for b in s["breaches"]],
                         [(self.fx.e, "resolve", 339, True)])
        # acme's normal work: sam's B, D, F, H; none of kim's
        s = self.fx.json("sla", "--org", "acme")
        self.assertEqual([(t["org"], t["priority"], t["tasks"])
                          for t in s["targets"]], [("acme", "normal", 4)])
        self.assertEqual(s["breaches"][0]["org"], "acme")

    def test_org_filters_matrix(self):
        m = self.fx.json("matrix", "--org", "acme-msp")
        self.assertEqual({k: sorted(t["id"] for t in v) for k, v in m.items()},
                         {"do": [], "schedule": [self.fx.e],
                          "delegate": [], "eliminate": [self.fx.i]})
        m = self.fx.json("matrix", "--org", "acme")
        self.assertEqual(sorted(t["id"] for v in m.values() for t in v),
                         sorted([self.fx.f, self.fx.h]))

    def test_org_filters_accountability(self):
        # only kim, on kim's tasks: start (status, started) and submit
        # (status) of A and C, start of E
        a = self.fx.json("accountability", "--org", "acme-msp")["people"]
        self.assertEqual([(p["handle"], p["commits"], p["tasks"],
                           p["changes"], p["fields"]) for p in a],
                         [("kim", 5, 3, 8, {"status": 5, "started": 3})])
        # acme: Dana (of acme too) and Sam, on Sam's tasks only: Dana made
        # B, D, F, H (4 commits), accepted B, D, H and reopened H (4)
        a = self.fx.json("accountability", "--org", "acme")["people"]
        self.assertEqual([(p["handle"], p["commits"], p["tasks"])
                          for p in a], [("dana", 8, 4), ("sam", 6, 3)])

    def test_org_filters_trend(self):
        doc = self.fx.json("trend", "--org", "acme-msp", "--since",
                           "2026-11-02")
        self.assertEqual(weeks(doc), MSP)

    def test_org_filters_orgs(self):
        self.assertEqual([o["org"] for o in
                          self.fx.json("orgs", "--org", "acme")["orgs"]],
                         ["acme"])

    def test_unknown_org_is_a_usage_error_naming_the_known_ones(self):
        for args in (["workload"], ["sla", "--json"],
                     ["--html", os.path.join(self.fx.r.tmp, "x.html")]):
            r = self.fx.r.run("report", *args, "--org", "acme-ms", now=NOW)
            self.assertEqual(r.returncode, 2, args)
            self.assertIn("unknown org 'acme-ms' (known: acme, acme-msp)",
                          r.stderr)
            self.assertEqual(r.stdout, "")
        self.assertFalse(os.path.exists(os.path.join(self.fx.r.tmp,
                                                     "x.html")))


class TestHtmlReport(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.fx = Fixture()
        cls.all = cls.fx.page()
        cls.period = cls.fx.page("--since", "2026-11-02", "--until",
                                 "2026-11-30")

    @classmethod
    def tearDownClass(cls):
        cls.fx.r.close()

    def test_every_task_is_shown_with_its_short_id(self):
        fx = self.fx
        # on the board (the cancelled G is not on it), 8 digits, no more
        for t in (fx.a, fx.b, fx.c, fx.d, fx.e, fx.f, fx.h, fx.i):
            self.assertIn('<code class="id">%s</code> ' % t[:8], self.all)
            self.assertNotIn(t[:9], self.all)
        self.assertNotIn(fx.g[:8], self.all)
        # the late task in the late work table, the breach with its id
        self.assertRegex(self.all, r'<tr><td class="date"><code class="id">'
                         r'%s</code></td><td>Firewall rules</td>' % fx.f[:8])
        self.assertRegex(self.all, r'<tr><td class="date"><code class="id">'
                         r'%s</code></td><td>Email migration</td><td>kim'
                         % fx.e[:8])

    def test_the_period(self):
        self.assertEqual(figure(self.all, "period"), "all time")
        self.assertEqual(figure(self.period, "period"),
                         "from 2026-11-02 to 2026-11-29")
        self.assertEqual(figure(self.fx.page("--since", "2026-11-02"),
                                "period"), "from 2026-11-02")
        page = self.fx.page("--until", "2026-11-10")
        self.assertEqual(figure(page, "period"), "up to 2026-11-09")
        # the period applies: one thing done before the 10th
        self.assertEqual(figure(page, "org-acme-msp-done"), "1")
        self.assertEqual(figure(page, "org-acme-done"), "0")

    def test_accountability_rows(self):
        doc = self.fx.json("accountability", "--since", "2026-11-02",
                           "--until", "2026-11-30")
        self.assertEqual(len(doc["people"]), 3)
        for p in doc["people"]:
            for k in ("commits", "tasks", "changes"):
                self.assertEqual(figure(self.period, "accountability-%s-%s"
                                        % (p["handle"], k)), str(p[k]))
            self.assertEqual(figure(self.period, "accountability-%s-fields"
                                    % p["handle"]),
                             ", ".join("%s %d" % kv
                                       for kv in p["fields"].items()))
        # kim's five commits: start and submit A and C, start E
        self.assertEqual(figure(self.period, "accountability-kim-commits"),
                         "5")
        self.assertEqual(figure(self.period, "accountability-kim-fields"),
                         "status 5, started 3")

    def test_trend_figures(self):
        for week, _start, done, with_due, on_time, pct, open_ in ALL:
            self.assertEqual(figure(self.period, "trend-%s-done" % week),
                             str(done))
            self.assertEqual(figure(self.period, "trend-%s-on-time" % week),
                             "%d%% (%d of %d)" % (pct, on_time, with_due)
                             if pct is not None else "-")
            self.assertEqual(figure(self.period, "trend-%s-open" % week),
                             str(open_))
        # two charts of 4 bars each, drawn inline
        trend = self.period[self.period.index("Trend by week"):]
        trend = trend[:trend.index("</section>")]
        self.assertEqual(trend.count("<svg"), 2)
        self.assertEqual(trend.count("<rect"), 2 + 4)  # no bar for "-"
        self.assertIn(">50%</text>", trend)
        # 8 weeks without a period
        self.assertIn('data-figure="trend-2026-W41-open"', self.all)

    def test_reviews(self):
        # Dana's five reviews waited 2, 1, 2, 6 and 1 hours: median 2
        page = self.all
        self.assertEqual(figure(page, "review-dana-reviewed"), "5")
        self.assertEqual(figure(page, "review-dana-median-wait"),
                         "2\u00a0h")
        self.assertEqual(figure(page, "review-dana-waiting"), "0")

    def test_org_view(self):
        page = self.all
        self.assertEqual(figure(page, "org-acme-open"), "2")
        self.assertEqual(figure(page, "org-acme-load"),
                         "4\u00a0h / 40\u00a0h (10%)")
        self.assertEqual(figure(page, "org-acme-done"), "2")
        self.assertEqual(figure(page, "org-acme-on-time"), "0%")
        self.assertEqual(figure(page, "org-acme-msp-open"), "2")
        self.assertEqual(figure(page, "org-acme-msp-load"),
                         "12\u00a0h / 20\u00a0h (60%)")
        self.assertEqual(figure(page, "org-acme-msp-on-time"), "100%")
        self.assertIn("ACME Managed Services", page)

    def test_org_filters_the_page(self):
        page = self.fx.page("--org", "acme-msp", "--since", "2026-11-02")
        self.assertEqual(figure(page, "org"), "acme-msp")
        self.assertIn("5 tasks, 1 person", page)
        self.assertEqual(figure(page, "board-open"), "1")   # I
        self.assertEqual(figure(page, "board-in-progress"), "1")  # E
        self.assertEqual(figure(page, "board-done"), "2")   # A, C
        self.assertNotIn(self.fx.f[:8], page)
        self.assertNotIn('data-figure="org-acme-open"', page)
        self.assertEqual(figure(page, "org-acme-msp-open"), "2")
        self.assertEqual(figure(page, "workload-kim"), "12 h / 20 h")
        self.assertNotIn('data-figure="workload-sam"', page)
        self.assertEqual(figure(page, "delivery-kim-on-time"), "100%")
        self.assertNotIn('data-figure="delivery-sam', page)
        self.assertEqual(figure(page, "sla-acme-msp-high-breaches"), "1")
        self.assertNotIn('data-figure="sla-acme-', page.replace(
            'data-figure="sla-acme-msp-', ""))
        self.assertEqual(figure(page, "accountability-kim-changes"), "8")
        self.assertNotIn('data-figure="accountability-dana', page)
        self.assertEqual(figure(page, "matrix-schedule"), "1")
        for week, _s, done, _w, _o, _p, open_ in MSP:
            self.assertEqual(figure(page, "trend-%s-done" % week), str(done))
            self.assertEqual(figure(page, "trend-%s-open" % week), str(open_))

    def test_dates_never_wrap_and_tables_scroll_on_a_phone(self):
        page = self.all
        css = page[page.index("<style>"):page.index("</style>")]
        self.assertIn(".date,.late{white-space:nowrap}", css)
        # the red due date of the late task, in the table and on its card
        self.assertIn('<td class="late">2026-11-19</td>', page)
        self.assertIn('<span class="date late">due 2026-11-19</span>', page)
        # every due date shown is inside something that does not wrap
        for m in re.finditer(r"due (\d{4}-\d\d-\d\d)", page):
            before = page[:m.start()]
            self.assertRegex(before[before.rindex("<"):],
                             r'class="date[^"]*"', m.group(0))
        # nor do org names ("acme-" over "msp" reads as two orgs)
        self.assertIn(".nw{white-space:nowrap}", css)
        self.assertIn('<b class="nw">acme-msp</b>', page)
        self.assertIn('<td class="nw">acme-msp</td>', page)
        # every table sits in a wrapper that scrolls sideways; the grid's
        # columns shrink to the screen, and so may the sections
        self.assertEqual(page.count("<table>"),
                         page.count('<div class="scroll"><table>'))
        self.assertIn(".scroll{overflow-x:auto", css)
        self.assertIn("minmax(min(460px,100%),1fr)", css)
        self.assertIn("min-width:0", css)
        self.assertIn("@media (max-width:700px)", css)
        # self-contained
        for needle in ("<script", "src=", "href=", "url(", "@import"):
            self.assertNotIn(needle, page)

    @unittest.skipUnless(shutil.which("chromium"), "chromium is not installed")
    def test_renders_at_1280_and_390_pixels(self):
        out = os.path.join(self.fx.r.tmp, "page.html")
        with open(out, "w", encoding="utf-8") as f:
            f.write(self.period)
        dom = self.render_fits(out)
        self.assertEqual(figure(dom, "trend-2026-W46-on-time"),
                         "50% (1 of 2)")

    def render_fits(self, out):
        """Screenshots at 1280 and 390 px wide, checked for overflow; the
        DOM Chromium read."""
        profile = tempfile.mkdtemp(prefix="delegit-chromium-")
        self.addCleanup(shutil.rmtree, profile, True)
        flags = ["chromium", "--headless", "--no-sandbox", "--disable-gpu",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync",
                 "--hide-scrollbars", "--user-data-dir=" + profile]
        for width in (1280, 390):
            shot = os.path.join(self.fx.r.tmp, "page-%d.png" % width)
            r = subprocess.run(flags + ["--screenshot=" + shot,
                                        "--window-size=%d,2000" % width,
                                        "file://" + out],
                               capture_output=True, text=True, timeout=120)
            self.assertEqual(r.returncode, 0, r.stderr[-2000:])
            with open(shot, "rb") as f:
                w, h, rows = png_pixels(f.read())
            self.assertEqual((w, h), (width, 2000))
            # Nothing overflows: the page's right margin (main's padding)
            # shows only the page's background or the header's, never a
            # section pushed past the screen's edge.
            margin = {(0xf4, 0xf6, 0xf8), (0x1d, 0x35, 0x57)}
            for y in range(h):
                self.assertLessEqual(set(rows[y][w - 6:]), margin,
                                     "%d px: something reaches the right "
                                     "edge at y=%d" % (width, y))
            # and it is a page, not a blank: sections, text, bars
            self.assertGreater(len({px for r in rows[::50] for px in r}), 50)
        dom = subprocess.run(flags + ["--dump-dom", "file://" + out],
                             capture_output=True, text=True, timeout=120)
        self.assertEqual(dom.returncode, 0, dom.stderr[-2000:])
        return dom.stdout


if __name__ == "__main__":
    unittest.main()
