#!/usr/bin/python3
"""The policy on every sync: an MSP clone that edits a due date, an unknown
author, a forged team change — each caught on the director's sync; in
enforce mode they never reach the director's files. Hostile files that
arrive through sync are refused without losing local work."""
import json
import os
import subprocess
import unittest


from helpers import Network

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


if __name__ == "__main__":
    unittest.main()
