#!/usr/bin/python3
"""The policy on every sync: an MSP clone that edits a due date, an unknown
author, a forged team change — each caught on the director's sync; in
enforce mode they never reach the director's files. Hostile files that
arrive through sync are refused without losing local work."""
import json
import os
import subprocess
import unittest


from helpers import DELEGIT, Network, Repo, enforce

ENFORCE = ("format: 1\nmode: enforce\nrules:\n  delegator: [all]\n"
           "  director: [all]\n  manager: [all]\n"
           "  assignee: [status:in-progress, status:blocked, status:review, "
           "checkpoints.done, expectations.acceptance.met, feedback]\n"
           "  everyone: [feedback]\n  repository: [director]\n")


class PolicyTest(unittest.TestCase):
    mode = "warn"

    def setUp(self):
        self.net = Network(2, policy=ENFORCE if self.mode == "enforce"
                           else None)
        self.addCleanup(self.net.close)
        self.dana, self.kim = self.net.replicas
        self.kim.as_("kim")
        t = self.dana.add("Patch the firewall", "--to", "kim",
                          "--due", "2026-12-01", now="2026-11-25T09:00:00Z")
        self.tid = t["id"]
        self.dana.ok("sync", "-q")
        self.kim.ok("sync", "-q")

    def sneak(self, who, path, edit, message="hand edit"):
        """Change a file without delegit (its checks), commit as `who`
        with plain git, and push."""
        r = self.kim
        full = os.path.join(r.path, path)
        with open(full, encoding="utf-8") as f:
            text = f.read()
        with open(full, "w", encoding="utf-8") as f:
            f.write(edit(text))
        r.git("-c", "user.email=" + who, "commit", "-qam", message)
        r.git("push", "-q", "origin", "main")

    def task_path(self):
        return "tasks/%s/%s.yaml" % (self.tid[:2], self.tid)


class TestWarn(PolicyTest):
    def test_msp_due_date_edit_is_reported_and_audited(self):
        self.sneak("kim@acme-msp.example", self.task_path(),
                   lambda t: t.replace("due: 2026-12-01", "due: 2026-12-24"))
        res = self.dana.run("sync")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertIn("'kim' (msp; assignee) may not change 'due'", res.stderr)
        self.assertIn("kept (warn mode)", res.stderr)
        self.assertEqual(str(self.dana.load(self.tid)["due"]), "2026-12-24")
        res = self.dana.run("audit")
        self.assertEqual(res.returncode, 1)
        self.assertIn("may not change 'due'", res.stdout)
        out = json.loads(self.dana.run("audit", "--json").stdout)
        self.assertEqual([(v["author"], v["field"], v["from"], v["to"])
                          for v in out],
                         [("kim", "due", "2026-12-01", "2026-12-24")])

    def test_unknown_author_is_caught(self):
        self.sneak("mallory@elsewhere.example", self.task_path(),
                   lambda t: t.replace("title: Patch the firewall",
                                       "title: Ignore this"))
        res = self.dana.run("sync")
        self.assertIn("unknown author 'mallory@elsewhere.example'", res.stderr)
        out = json.loads(self.dana.run("audit", "--json").stdout)
        self.assertEqual(out[0]["author"], "mallory@elsewhere.example")

    def test_hand_edits_answer_to_the_policy_at_sync(self):
        path = os.path.join(self.kim.path, self.task_path())
        with open(path, encoding="utf-8") as f:
            text = f.read()
        with open(path, "w", encoding="utf-8") as f:
            f.write(text.replace("due: 2026-12-01", "due: 2026-12-31"))
        head = self.kim.head()
        res = self.kim.run("sync")
        self.assertEqual(res.returncode, 1)
        self.assertIn("may not change 'due'", res.stderr)
        self.assertEqual(self.kim.head(), head)

    def test_a_status_the_rules_do_not_list_is_a_violation(self):
        # `status:review` lets the assignee move to review, and to no
        # other status: `done` by a hand edit is caught, `review` is not
        self.sneak("kim@acme-msp.example", self.task_path(),
                   lambda t: t.replace("status: open", "status: done"))
        done = self.kim.head()
        self.sneak("kim@acme-msp.example", self.task_path(),
                   lambda t: t.replace("status: done", "status: review"))
        review = self.kim.head()
        res = self.dana.run("sync")
        self.assertIn("'kim' (msp; assignee) may not change 'status'",
                      res.stderr)
        out = json.loads(self.dana.run("audit", "--json").stdout)
        self.assertEqual([(v["commit"], v["field"], v["from"], v["to"])
                          for v in out],
                         [(done, "status", "open", "done")])
        self.assertNotIn(review, [v["commit"] for v in out])

    def test_audit_since_is_inclusive_of_its_day(self):
        def at(when, due):
            env = dict(self.kim.env, GIT_AUTHOR_DATE=when,
                       GIT_COMMITTER_DATE=when)
            path = os.path.join(self.kim.path, self.task_path())
            with open(path, encoding="utf-8") as f:
                text = f.read()
            old = [l for l in text.splitlines() if l.startswith("due:")][0]
            with open(path, "w", encoding="utf-8") as f:
                f.write(text.replace(old, "due: " + due))
            subprocess.run(["git", "-c", "user.email=kim@acme-msp.example",
                            "commit", "-qam", "due"], cwd=self.kim.path,
                           env=env, check=True)
            return self.kim.head()
        before = at("2026-11-25T23:59:59Z", "2026-12-02")
        on = at("2026-11-26T00:00:00Z", "2026-12-03")
        self.kim.git("push", "-q", "origin", "main")
        self.dana.run("sync")
        env = dict(TZ="UTC")
        self.dana.env.update(env)
        got = [v["commit"] for v in json.loads(self.dana.run(
            "audit", "--json", "--since", "2026-11-26").stdout)]
        self.assertIn(on, got)
        self.assertNotIn(before, got)
        got = [v["commit"] for v in json.loads(self.dana.run(
            "audit", "--json", "--since", "2026-11-25").stdout)]
        self.assertIn(before, got)
        self.assertIn(on, got)

    def test_a_clean_history_audits_clean(self):
        self.kim.ok("start", self.tid[:8])
        self.kim.ok("sync", "-q")
        self.dana.ok("sync", "-q")
        self.assertIn("no violations", self.dana.ok("audit"))


class TestEnforce(PolicyTest):
    mode = "enforce"

    def test_unauthorised_changes_never_reach_the_director(self):
        self.sneak("kim@acme-msp.example", self.task_path(),
                   lambda t: t.replace("due: 2026-12-01", "due: 2026-12-24")
                   .replace("status: open", "status: in-progress"))
        res = self.dana.run("sync")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertIn("rejected (enforce mode)", res.stderr)
        t = self.dana.load(self.tid)
        self.assertEqual(str(t["due"]), "2026-12-01")      # taken back
        self.assertEqual(t["status"], "in-progress")       # allowed: kept
        rec = [c for c in t["conflicts"] if c["reason"] == "rejected"]
        self.assertEqual(len(rec), 1)
        self.assertEqual((rec[0]["field"], str(rec[0]["other"]),
                          rec[0]["other_by"]), ("due", "2026-12-24", "kim"))
        self.assertEqual(len(rec[0]["commit"]), 40)
        self.assertIn("policy: reject 1 unauthorised change",
                      self.dana.git("log", "--format=%s"))
        # the MSP's clone gets the rejection too
        self.kim.ok("sync", "-q")
        self.assertEqual(str(self.kim.load(self.tid)["due"]), "2026-12-01")
        # a director may approve it after all
        self.dana.ok("resolve", self.tid[:8], "due", "--theirs")
        self.assertEqual(str(self.dana.load(self.tid)["due"]), "2026-12-24")
        self.assertNotIn("conflicts", self.dana.load(self.tid))

    def test_forged_team_change_is_taken_back(self):
        self.sneak("kim@acme-msp.example", "team/kim.yaml",
                   lambda t: t.replace("role: msp", "role: director"))
        res = self.dana.run("sync")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertIn("rule repository", res.stderr)
        with open(os.path.join(self.dana.path, "team", "kim.yaml")) as f:
            self.assertIn("role: msp", f.read())
        self.assertEqual(self.dana.run("audit").returncode, 1)


class TestHostileFilesThroughSync(PolicyTest):
    def test_invalid_files_from_the_remote_are_refused_and_local_work_kept(self):
        self.dana.ok("set", self.tid[:8], "priority=high")   # local work
        local_head = self.dana.head()
        self.sneak("kim@acme-msp.example", self.task_path(),
                   lambda t: t.replace("status: open", "status: [oops"))
        res = self.dana.run("sync")
        self.assertEqual(res.returncode, 1)
        self.assertIn("refused the remote's commits", res.stderr)
        self.assertIn(self.task_path(), res.stderr)
        self.assertEqual(self.dana.head(), local_head)
        self.assertEqual(self.dana.load(self.tid)["priority"], "high")
        self.dana.ok("check")
        # a symbolic link where a task should be is refused the same way
        r = self.kim
        r.git("checkout", "-q", "HEAD~1", "--", self.task_path())
        os.remove(os.path.join(r.path, self.task_path()))
        os.symlink("/etc/passwd", os.path.join(r.path, self.task_path()))
        r.git("-c", "user.email=kim@acme-msp.example", "commit", "-qam", "link")
        r.git("push", "-q", "origin", "main")
        res = self.dana.run("sync")
        self.assertEqual(res.returncode, 1)
        self.assertEqual(self.dana.head(), local_head)


class TestRulesInHistory(unittest.TestCase):
    """The team and policy each commit is judged by, as history changes
    them: on one branch and not the other, through a merge from its other
    parent, in a repository's first commits; and a rule file taken back
    in enforce mode after an allowed one changed."""

    def setUp(self):
        self.r = Repo()
        self.addCleanup(self.r.close)
        self.tid = self.r.add("Patch the firewall", "--to", "kim", "--due",
                              "2026-12-01", now="2026-11-25T09:00:00Z")["id"]
        self.path = "tasks/%s/%s.yaml" % (self.tid[:2], self.tid)

    def write(self, path, old, new, repo=None):
        full = os.path.join(repo or self.r.path, path)
        text = ""
        if old is not None:
            with open(full, encoding="utf-8") as f:
                text = f.read()
            self.assertIn(old, text)
        with open(full, "w", encoding="utf-8") as f:
            f.write(text.replace(old, new) if old is not None else new)

    def commit(self, email, when, *args, repo=None):
        env = dict(self.r.env, GIT_AUTHOR_DATE=when, GIT_COMMITTER_DATE=when)
        cwd = repo or self.r.path
        subprocess.run(["git", "-c", "user.email=" + email, "-c",
                        "user.name=x", *args], cwd=cwd, env=env, check=True,
                       capture_output=True)
        return subprocess.run(["git", "rev-parse", "HEAD"], cwd=cwd,
                              env=env, check=True, capture_output=True,
                              text=True).stdout.strip()

    def audit(self):
        r = self.r.run("audit", "--json")
        self.assertIn(r.returncode, (0, 1), r.stderr)
        return json.loads(r.stdout)

    LOU = ("handle: lou\nname: Lou\nemails: [lou@acme.example]\n"
           "org: acme\nrole: director\nskills: []\ncapacity_hours: null\n")

    def fork(self):
        """A commit that changes the team (its rules are its own: each
        branch from it must copy them before changing them), then a
        branch `side` from it."""
        self.write("team/sam.yaml", "capacity_hours: null",
                   "capacity_hours: 30")
        self.commit("dana@acme.example", "2026-11-26T09:00:00Z", "commit",
                    "-qam", "sam: 30 hours")
        self.r.git("branch", "side")

    def lou_joins(self, when):
        self.write("team/lou.yaml", None, self.LOU)
        self.r.git("add", "team/lou.yaml")
        return self.commit("dana@acme.example", when, "commit", "-qm",
                           "lou joins")

    def lou_edits(self, when, old, new):
        self.write(self.path, "due: " + old, "due: " + new)
        return self.commit("lou@acme.example", when, "commit", "-qam",
                           "lou's due date")

    def test_a_team_change_counts_on_its_branch_only(self):
        self.fork()
        added = self.lou_joins("2026-11-26T10:00:00Z")
        # lou's work on the other branch, where lou is nobody yet
        self.r.git("checkout", "-q", "side")
        early = self.lou_edits("2026-11-26T11:00:00Z", "2026-12-01",
                               "2026-12-24")
        self.r.git("checkout", "-q", "main")
        merge = self.commit("dana@acme.example", "2026-11-26T12:00:00Z",
                            "merge", "-q", "--no-edit", "side")
        got = {(v["commit"], v["author"]): v["message"] for v in self.audit()}
        self.assertEqual(list(got), [(early, "lou@acme.example")])
        self.assertIn("unknown author", got[(early, "lou@acme.example")])
        self.assertNotIn(added, [k[0] for k in got])
        self.assertNotIn(merge, [k[0] for k in got])

    def test_a_merge_brings_a_team_change_from_its_other_parent(self):
        self.fork()
        self.r.git("checkout", "-q", "side")
        added = self.lou_joins("2026-11-26T10:00:00Z")
        self.r.git("checkout", "-q", "main")
        early = self.lou_edits("2026-11-26T11:00:00Z", "2026-12-01",
                               "2026-12-24")
        merge = self.commit("dana@acme.example", "2026-11-26T12:00:00Z",
                            "merge", "-q", "--no-edit", "side")
        # after the merge lou is in the team its second parent brought
        after = self.lou_edits("2026-11-26T13:00:00Z", "2026-12-24",
                               "2027-01-10")
        got = [v["commit"] for v in self.audit()]
        self.assertEqual(got, [early])
        for c in (added, merge, after):
            self.assertNotIn(c, got)

    def test_a_merge_brings_a_removal_from_its_other_parent(self):
        self.fork()
        self.r.git("checkout", "-q", "side")
        self.r.git("rm", "-q", "team/kim.yaml")
        gone = self.commit("dana@acme.example", "2026-11-26T10:00:00Z",
                           "commit", "-qm", "kim leaves")
        self.r.git("checkout", "-q", "main")
        self.write("team/sam.yaml", "capacity_hours: 30",
                   "capacity_hours: 20")
        self.commit("dana@acme.example", "2026-11-26T11:00:00Z", "commit",
                    "-qam", "sam: 20 hours")
        self.commit("dana@acme.example", "2026-11-26T12:00:00Z", "merge",
                    "-q", "--no-edit", "side")
        # kim is nobody after the merge: the removal its second parent
        # brought counts
        self.write(self.path, "status: open", "status: in-progress")
        late = self.commit("kim@acme-msp.example", "2026-11-26T13:00:00Z",
                           "commit", "-qam", "kim, gone")
        got = [(v["commit"], v["message"]) for v in self.audit()]
        self.assertEqual(got, [(late, "unknown author "
                                "'kim@acme-msp.example': nobody in team/ "
                                "has this email")])
        self.assertNotIn(gone, [c for c, _ in got])

    def even_commit(self, cwd, parents, message):
        """A commit of HEAD's tree whose id's first byte is even: in the
        rules map (one slot per judged commit, the id's first bytes as the
        hash) its slot is even."""
        tree = self.r.git("rev-parse", "HEAD^{tree}", cwd=cwd)
        args = [a for p in parents for a in ("-p", p)]
        for i in range(400):
            c = self.r.git("commit-tree", tree, *args, "-m",
                           "%s %d" % (message, i), cwd=cwd)
            if int(c[:2], 16) % 2 == 0:
                return c
        self.fail("no even commit id")

    def test_a_commit_whose_parent_was_not_judged_after_many_that_were(self):
        # 32 incoming commits fill half the rules map's 64 slots, all the
        # even ones; then a merge whose first parent is the trusted tip,
        # also even: looked up, not found, its rules are the trusted ones
        trusted = self.even_commit(self.r.path, ["HEAD"], "trusted")
        self.r.git("reset", "-q", "--hard", trusted)
        bare = os.path.join(self.r.tmp, "remote.git")
        self.r.git("init", "-q", "--bare", "-b", "main", bare)
        self.r.git("remote", "add", "origin", bare)
        self.r.ok("sync", "-q")
        other = os.path.join(self.r.tmp, "other")
        self.r.git("clone", "-q", bare, other)
        self.r.git("config", "user.email", "dana@acme.example", cwd=other)
        self.r.git("config", "user.name", "dana", cwd=other)
        tip = trusted
        for i in range(32):
            tip = self.even_commit(other, [tip], "c")
        merge = self.r.git("commit-tree", "HEAD^{tree}", "-p", trusted, "-p",
                           tip, "-m", "merge", cwd=other)
        self.r.git("push", "-q", "origin", merge + ":refs/heads/main",
                   cwd=other)
        res = subprocess.run([DELEGIT, "sync", "-q"], cwd=self.r.path,
                             env=self.r.env, capture_output=True, text=True,
                             timeout=60)
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(self.r.head(), merge)
        self.assertEqual(self.audit(), [])

    def test_a_merge_whose_other_parent_cannot_be_read(self):
        # sam's hours changed and changed back: the tree between is the
        # old commit's own, and this replica loses it (a damaged store)
        self.write("team/sam.yaml", "capacity_hours: null",
                   "capacity_hours: 30")
        old = self.commit("dana@acme.example", "2026-11-26T09:00:00Z",
                          "commit", "-qam", "sam: 30 hours")
        self.write("team/sam.yaml", "capacity_hours: 30",
                   "capacity_hours: null")
        self.commit("dana@acme.example", "2026-11-26T09:10:00Z", "commit",
                    "-qam", "sam: back")
        bare = os.path.join(self.r.tmp, "remote.git")
        self.r.git("init", "-q", "--bare", "-b", "main", bare)
        self.r.git("remote", "add", "origin", bare)
        self.r.ok("sync", "-q")
        head = self.r.head()
        other = os.path.join(self.r.tmp, "other")
        self.r.git("clone", "-q", bare, other)
        self.r.git("config", "user.email", "dana@acme.example", cwd=other)
        self.write(self.path, "due: 2026-12-01", "due: 2026-12-02",
                   repo=other)
        tip = self.commit("dana@acme.example", "2026-11-26T10:00:00Z",
                          "commit", "-qam", "due", repo=other)
        merge = self.r.git("commit-tree", tip + "^{tree}", "-p", tip, "-p",
                           old, "-m", "merge", cwd=other)
        self.r.git("push", "-q", "origin", merge + ":refs/heads/main",
                   cwd=other)
        tree = self.r.git("rev-parse", old + "^{tree}")
        os.remove(os.path.join(self.r.path, ".git", "objects", tree[:2],
                               tree[2:]))
        res = self.r.run("sync")
        self.assertNotEqual(res.returncode, 0)
        self.assertIn("cannot read a merge commit's parents", res.stderr)
        self.assertEqual(self.r.head(), head)

    def test_a_server_with_no_team_yet_or_no_more(self):
        # a remote made before the first `team add`, its hook installed,
        # takes the first team pushed to it as the bootstrap...
        r = Repo(team=False)
        self.addCleanup(r.close)
        enforce(r)
        bare = os.path.join(r.tmp, "remote.git")
        r.git("init", "-q", "--bare", "-b", "main", bare)
        r.git("push", "-q", bare, "main")
        r.run_in(bare, "hook", "install")
        other = os.path.join(r.tmp, "other")
        r.git("clone", "-q", bare, other)

        def push():
            return subprocess.run(["git", "push", "origin", "main"],
                                  cwd=other, env=r.env, capture_output=True,
                                  text=True)
        os.makedirs(os.path.join(other, "team"))
        self.write("team/lou.yaml", None, self.LOU, repo=other)
        r.git("add", "team", cwd=other)
        self.commit("lou@acme.example", "2026-11-26T10:00:00Z", "commit",
                    "-qm", "lou", repo=other)
        res = push()
        self.assertEqual(res.returncode, 0, res.stderr)
        # ...but a team emptied later bootstraps nobody
        r.git("rm", "-q", "team/lou.yaml", cwd=other)
        self.commit("lou@acme.example", "2026-11-26T11:00:00Z", "commit",
                    "-qm", "no team", repo=other)
        res = push()
        self.assertEqual(res.returncode, 0, res.stderr)
        os.makedirs(os.path.join(other, "team"))
        self.write("team/mal.yaml", None, self.LOU.replace("lou", "mal"),
                   repo=other)
        r.git("add", "team", cwd=other)
        self.commit("mal@acme.example", "2026-11-26T12:00:00Z", "commit",
                    "-qm", "mal", repo=other)
        res = push()
        self.assertNotEqual(res.returncode, 0)
        self.assertIn("unknown author 'mal@acme.example'", res.stderr)

    def test_the_first_commits_are_judged_by_no_one(self):
        # signatures required from the start: the commits that make the
        # first team are nobody's to judge, signed or not
        r = Repo(team=False)
        self.addCleanup(r.close)
        self.write(".delegit/policy.yaml", "mode: warn",
                   "mode: warn\nsignatures: required", repo=r.path)
        r.git("commit", "-qam", "signatures required")
        r.team_add("dana")
        first = r.head()
        r.team_add("sam")
        second = r.head()
        out = json.loads(r.run("audit", "--json").stdout)
        commits = [v["commit"] for v in out]
        self.assertNotIn(first, commits)
        # the next commit is judged, by the team the first one made
        self.assertIn(second, commits)
        self.assertEqual(sorted((v["path"], v["message"]) for v in out), [
            ("(signature)", "unsigned (rule signatures: required)"),
            ("team/sam.yaml", "changed by a commit that is not verified: "
             "unsigned (rule signatures: required)")])

    def test_a_rule_file_taken_back_after_an_allowed_team_change(self):
        enforce(self.r)
        bare = os.path.join(self.r.tmp, "remote.git")
        self.r.git("init", "-q", "--bare", "-b", "main", bare)
        self.r.git("remote", "add", "origin", bare)
        self.r.ok("sync", "-q")
        other = os.path.join(self.r.tmp, "other")
        self.r.git("clone", "-q", bare, other)
        self.write("team/sam.yaml", "capacity_hours: null",
                   "capacity_hours: 30", repo=other)
        self.commit("dana@acme.example", "2026-11-26T10:00:00Z", "commit",
                    "-qam", "sam: 30 hours", repo=other)
        self.write("team/kim.yaml", "role: msp", "role: director", repo=other)
        self.write("team/mal.yaml", None, self.LOU.replace("lou", "mal"),
                   repo=other)
        self.r.git("add", "team/mal.yaml", cwd=other)
        self.commit("kim@acme-msp.example", "2026-11-26T11:00:00Z",
                    "commit", "-qam", "promote, and a friend", repo=other)
        subprocess.run(["git", "push", "-q", "origin", "main"], cwd=other,
                       env=self.r.env, check=True, capture_output=True)
        res = self.r.run("sync")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertIn("rule repository", res.stderr)
        with open(os.path.join(self.r.path, "team", "kim.yaml")) as f:
            self.assertIn("role: msp", f.read())
        with open(os.path.join(self.r.path, "team", "sam.yaml")) as f:
            self.assertIn("capacity_hours: 30", f.read())
        # a team file added without leave is removed: nothing to restore
        self.assertFalse(os.path.exists(os.path.join(self.r.path, "team",
                                                     "mal.yaml")))
        self.r.ok("check")


if __name__ == "__main__":
    unittest.main()
