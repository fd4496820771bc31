#!/usr/bin/python3
"""Trust against a member with push access (SPEC 7): an MSP member who
pushes with plain git tries each way round the policy — a hand-made merge,
a policy or team change smuggled in before the change it would allow, a
foreign history, files that would wedge the other replicas. In enforce
mode nothing forbidden reaches the director's files, `delegit audit`
lists every attempt with the rule it broke, and no replica is wedged."""
import json
import os
import shutil
import struct
import subprocess
import unittest

import yaml

from helpers import Network, Repo, Sshd, start_git_http
from test_policy import ENFORCE

KIM = "kim@acme-msp.example"


class TrustTest(unittest.TestCase):
    policy = ENFORCE

    def setUp(self):
        self.net = Network(3, policy=self.policy)
        self.addCleanup(self.net.close)
        self.dana, self.kim, self.sam = self.net.replicas
        self.kim.as_("kim")
        self.sam.as_("sam")
        t = self.dana.add("Patch the firewall", "--to", "kim",
                          "--due", "2026-12-01", now="2026-11-25T09:00:00Z")
        self.tid = t["id"]
        self.dana.ok("sync", "-q")
        self.kim.ok("sync", "-q")
        self.sam.ok("sync", "-q")

    # -- what the MSP does, with plain git --------------------------------
    def task_path(self, tid=None):
        tid = tid or self.tid
        return "tasks/%s/%s.yaml" % (tid[:2], tid)

    def edit(self, path, old, new, repo=None):
        full = os.path.join((repo or self.kim).path, path)
        with open(full, encoding="utf-8") as f:
            text = f.read()
        self.assertIn(old, text)
        with open(full, "w", encoding="utf-8") as f:
            f.write(text.replace(old, new))

    def commit(self, message, email=KIM, repo=None, *extra):
        (repo or self.kim).git("-c", "user.email=" + email, "-c",
                               "user.name=x", "commit", "-qam", message,
                               *extra)

    def push(self, *extra):
        self.kim.git("push", "-q", *extra, "origin", "main")

    # -- what the director sees -------------------------------------------
    def text(self, path, repo=None):
        with open(os.path.join((repo or self.dana).path, path),
                  encoding="utf-8") as f:
            return f.read()

    def audit(self, repo=None):
        r = (repo or self.dana).run("audit", "--json")
        self.assertIn(r.returncode, (0, 1), r.stderr)
        return json.loads(r.stdout)

    def assert_untouched(self):
        t = self.dana.load(self.tid)
        self.assertEqual(str(t["due"]), "2026-12-01")
        self.assertEqual(t["assignee"], "kim")
        self.assertIn("role: msp", self.text("team/kim.yaml"))
        self.assertIn("mode: enforce", self.text(".delegit/policy.yaml"))
        self.assertNotIn("msp:", self.text(".delegit/policy.yaml"))
        self.dana.ok("check")

    def assert_nobody_wedged(self):
        """Every replica syncs after the director's, and holds the
        director's files."""
        self.dana.ok("sync", "-q")
        # the MSP's clone takes the director's state; the others just sync
        self.kim.git("fetch", "-q", "origin")
        self.kim.git("reset", "-q", "--hard", "origin/main")
        for r in (self.kim, self.sam):
            r.ok("sync", "-q")
            r.ok("check")
        self.dana.ok("sync", "-q")
        self.net.assert_converged(self)


class SignedTest(TrustTest):
    """Everyone signs with an SSH key of their own, as git does
    (gpg.format=ssh); team/ lists the keys; the policy requires
    signatures (unless required is False)."""
    required = True

    def setUp(self):
        super().setUp()
        self.keys = {}
        for who, r in (("dana", self.dana), ("kim", self.kim),
                       ("sam", self.sam)):
            key = os.path.join(self.net.tmp, "key-" + who)
            subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "",
                            "-C", who, "-f", key], check=True)
            with open(key + ".pub") as f:
                self.keys[who] = f.read().strip()
            for k, v in (("gpg.format", "ssh"), ("user.signingkey", key),
                         ("commit.gpgsign", "true")):
                r.git("config", k, v)
        for who in ("dana", "kim", "sam"):
            self.dana.ok("team", "edit", who, "--add-key", self.keys[who])
        if self.required:
            self.edit(".delegit/policy.yaml", "mode: enforce",
                      "mode: enforce\nsignatures: required", self.dana)
            self.commit("signatures required", "dana@acme.example",
                        self.dana)
        self.dana.ok("sync", "-q")
        self.kim.ok("sync", "-q")
        self.sam.ok("sync", "-q")

    def allowed_signers(self):
        path = os.path.join(self.net.tmp, "allowed_signers")
        with open(path, "w") as f:
            for who, key in self.keys.items():
                f.write("%s@%s %s\n" % (who, "acme-msp.example"
                                         if who == "kim" else "acme.example",
                                         " ".join(key.split()[:2])))
        return path


class TestForgedAuthor(SignedTest):
    def test_committing_as_the_director_changes_nothing(self):
        self.edit(self.task_path(), "due: 2026-12-01", "due: 2027-03-01")
        self.edit("team/kim.yaml", "role: msp", "role: director")
        self.edit(".delegit/policy.yaml", "mode: enforce", "mode: warn")
        self.commit("as dana, signed by kim's key", "dana@acme.example")
        signed = self.kim.head()
        self.edit(self.task_path(), "due: 2027-03-01", "due: 2027-04-01")
        self.commit("as dana, unsigned", "dana@acme.example", None,
                    "--no-gpg-sign")
        unsigned = self.kim.head()
        self.push()
        res = self.dana.run("sync")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assert_untouched()
        found = {(v["commit"], v["path"]): v["message"]
                 for v in self.audit()}
        self.assertIn("authored as 'dana@acme.example' but signed by kim's",
                      found[(signed, "(signature)")])
        self.assertIn("unsigned (rule signatures: required)",
                      found[(unsigned, "(signature)")])
        for path in (self.task_path(), "team/kim.yaml",
                     ".delegit/policy.yaml"):
            self.assertIn("not verified", found[(signed, path)])
        # the history says so too: the forged change is not verified
        log = json.loads(self.dana.ok("log", self.tid[:8], "--json"))
        forged = [c for c in log if c["commit"] == signed]
        self.assertTrue(forged)
        self.assertFalse(any(c["verified"] for c in forged))
        self.assert_nobody_wedged()

    def test_an_openpgp_signature_verifies_nothing(self):
        # a commit whose gpgsig is OpenPGP's (made by hand: git would
        # sign with gpg.format=openpgp), as the director: not verified,
        # and with signatures required, nothing it changed stays
        self.edit(self.task_path(), "due: 2026-12-01", "due: 2027-03-01")
        self.kim.git("add", "-A")
        tree = self.kim.git("write-tree")
        parent = self.kim.head()
        body = ("tree %s\nparent %s\n"
                "author dana <dana@acme.example> 1764580000 +0000\n"
                "committer dana <dana@acme.example> 1764580000 +0000\n"
                "gpgsig -----BEGIN PGP SIGNATURE-----\n \n"
                " iQEzBAABCAAdFiEE\n -----END PGP SIGNATURE-----\n"
                "\nmore time\n" % (tree, parent))
        pgp = subprocess.run(["git", "hash-object", "-t", "commit", "-w",
                              "--stdin"], cwd=self.kim.path, input=body,
                             capture_output=True, text=True,
                             check=True).stdout.strip()
        self.kim.git("update-ref", "refs/heads/main", pgp)
        self.kim.git("reset", "-q", "--hard", pgp)
        self.push()
        res = self.dana.run("sync")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assert_untouched()
        found = {(v["commit"], v["path"]): v["message"]
                 for v in self.audit()}
        self.assertIn("signed with OpenPGP or X.509",
                      found[(pgp, "(signature)")])
        self.assertIn("not verified", found[(pgp, self.task_path())])
        self.assert_nobody_wedged()

    def test_signed_work_verifies_both_ways_with_plain_git(self):
        # delegit signs as git does: git verify-commit accepts it
        self.kim.ok("start", self.tid[:8])
        signers = self.allowed_signers()
        self.kim.git("-c", "gpg.ssh.allowedSignersFile=" + signers,
                     "verify-commit", "HEAD")
        fp = subprocess.run(["ssh-keygen", "-lf", "/dev/stdin"],
                            input=self.keys["kim"], text=True,
                            capture_output=True, check=True).stdout.split()[1]
        log = json.loads(self.kim.ok("log", self.tid[:8], "--json"))
        self.assertEqual([(c["author"], c["verified"], c["key"])
                          for c in log if c["field"] == "status"][0],
                         ("kim", True, fp))
        self.assertIn("kim (signed)", self.kim.ok("log", self.tid[:8]))
        # and a commit plain `git commit -S` signed verifies in delegit
        self.edit(self.task_path(), "status: in-progress", "status: review")
        self.commit("submitted by hand", KIM, None, "-S")
        self.push()
        res = self.dana.run("sync")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertNotIn("policy", res.stderr)
        self.assertEqual(self.dana.load(self.tid)["status"], "review")
        self.assertEqual(self.audit(), [])
        # the director's merge is signed too
        self.dana.git("-c", "gpg.ssh.allowedSignersFile=" + signers,
                      "verify-commit", "HEAD")

    def test_retired_and_revoked_keys(self):
        old = self.keys["kim"]
        # kim signs offline with the key, then it is retired: that work
        # still verifies
        self.kim.ok("start", self.tid[:8])
        self.dana.ok("team", "edit", "kim", "--retire-key", old)
        self.dana.ok("sync", "-q")
        self.kim.ok("sync", "-q")
        self.dana.ok("sync", "-q")
        self.assertEqual(self.dana.load(self.tid)["status"], "in-progress")
        self.assertEqual([v for v in self.audit()
                          if v["path"] != "(signature)"], [])
        # after the retirement it signs nothing new
        self.kim.ok("block", self.tid[:8], "-m", "waiting")
        self.kim.ok("sync", "-q")
        self.dana.ok("sync", "-q")
        self.assertEqual(self.dana.load(self.tid)["status"], "in-progress")
        self.assertTrue(any("retired key" in v["message"]
                            for v in self.audit()))

    def test_a_revoked_key_signs_nothing_new_whatever_its_parent(self):
        old = self.keys["kim"]
        # the laptop is stolen: the thief signs on a base from before
        # the revocation
        self.kim.ok("start", self.tid[:8])
        self.dana.ok("team", "edit", "kim", "--revoke-key", old)
        self.dana.ok("sync", "-q")
        self.kim.ok("sync", "-q")
        res = self.dana.run("sync")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(self.dana.load(self.tid)["status"], "open")
        self.assertTrue(any("revoked key" in v["message"]
                            for v in self.audit()))
        with open(os.path.join(self.dana.path, "team", "kim.yaml")) as f:
            kim = yaml.safe_load(f)
        self.assertEqual(kim.get("keys", []), [])
        self.assertEqual(kim["revoked_keys"], [old])

    def test_the_server_refuses_a_forged_author(self):
        self.kim.run_in(self.net.bare, "hook", "install")
        refs = subprocess.run(["git", "for-each-ref"], cwd=self.net.bare,
                              capture_output=True, text=True).stdout
        self.edit(self.task_path(), "due: 2026-12-01", "due: 2027-03-01")
        self.commit("as dana", "dana@acme.example")
        r = subprocess.run(["git", "push", "origin", "main"],
                           cwd=self.kim.path, env=self.kim.env,
                           capture_output=True, text=True)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("but signed by kim's key", r.stderr)
        self.assertEqual(subprocess.run(
            ["git", "for-each-ref"], cwd=self.net.bare, capture_output=True,
            text=True).stdout, refs)
        # kim's own signed work goes through
        self.kim.git("reset", "-q", "--hard", "origin/main")
        self.kim.ok("start", self.tid[:8])
        self.kim.ok("sync", "-q")


class TestSignedAsAnother(SignedTest):
    """Signatures are not required, but kim's key signs a commit authored
    as the director: it is kim's work, judged by kim's rules."""
    required = False

    def test_a_commit_signed_by_kim_as_the_director_is_kim_s(self):
        self.edit(self.task_path(), "due: 2026-12-01", "due: 2027-03-01")
        self.commit("as dana, signed by kim's key", "dana@acme.example")
        forged = self.kim.head()
        self.push()
        res = self.dana.run("sync")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(str(self.dana.load(self.tid)["due"]), "2026-12-01")
        found = [v for v in self.audit() if v["commit"] == forged]
        # the signature named as kim's, and the change judged as kim's
        self.assertEqual(sorted((v["author"], v["field"]) for v in found),
                         [("kim", ""), ("kim", "due")], found)

    def dana_edits(self, path, old, new, message):
        """The director changes a rule file by hand, signed, and syncs."""
        self.edit(path, old, new, self.dana)
        self.commit(message, "dana@acme.example", self.dana)
        self.dana.ok("sync", "-q")
        self.kim.ok("sync", "-q")

    def test_a_revoked_key_listed_again_as_active_stays_revoked(self):
        # "signatures: optional" said, and kim's key revoked; then, by a
        # hand edit, listed among kim's keys again: revoking is absolute
        # (SPEC 3), the revoked entry wins
        self.dana_edits(".delegit/policy.yaml", "mode: enforce",
                        "mode: enforce\nsignatures: optional",
                        "signatures optional")
        key = self.keys["kim"]
        self.dana.ok("team", "edit", "kim", "--revoke-key", key)
        self.dana.ok("sync", "-q")
        self.dana_edits("team/kim.yaml", "\nkeys: []", "\nkeys: [%s]" % key,
                        "key back")
        self.kim.ok("start", self.tid[:8])
        signed = self.kim.head()
        self.kim.ok("sync", "-q")
        self.dana.ok("sync", "-q")
        found = [v["message"] for v in self.audit()
                 if v["commit"] == signed and v["path"] == "(signature)"]
        self.assertEqual(len(found), 1, found)
        self.assertIn("signed by kim's revoked key", found[0])

    def test_a_second_email_in_any_case_is_the_member_s(self):
        # kim's team file lists two emails; a commit authored with the
        # second, in other case, and signed by kim's key is verified
        self.dana_edits("team/kim.yaml", "emails: [kim@acme-msp.example]",
                        "emails: [kim@acme-msp.example, kim@other.example]",
                        "a second email")
        self.kim.git("config", "user.email", "Kim@OTHER.example")
        self.kim.ok("start", self.tid[:8])
        signed = self.kim.head()
        self.kim.ok("sync", "-q")
        self.dana.ok("sync", "-q")
        self.assertEqual(self.dana.load(self.tid)["status"], "in-progress")
        self.assertEqual([v for v in self.audit() if v["commit"] == signed],
                         [])


class TestEvilMerge(TrustTest):
    def test_a_hand_made_merge_is_judged_for_its_own_changes(self):
        k = self.kim
        k.git("checkout", "-q", "-b", "side")
        k.ok("feedback", self.tid[:8], "On it")          # honest work
        k.git("checkout", "-q", "main")
        k.git("merge", "-q", "--no-ff", "--no-commit", "side")
        self.edit(self.task_path(), "due: 2026-12-01", "due: 2027-03-01")
        self.edit(self.task_path(), "assignee: kim", "assignee: sam")
        self.edit("team/kim.yaml", "role: msp", "role: director")
        k.git("add", "-A")
        k.git("-c", "user.email=" + KIM, "commit", "-qm", "Merge side")
        merge = k.head()
        self.push()
        res = self.dana.run("sync")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertIn("rejected (enforce mode)", res.stderr)
        self.assert_untouched()
        # the honest part of the merge came in
        self.assertEqual(self.dana.load(self.tid)["feedback"][-1]["text"],
                         "On it")
        found = {(v["commit"], v["path"], v["field"]) for v in self.audit()}
        self.assertIn((merge, self.task_path(), "due"), found)
        self.assertIn((merge, self.task_path(), "assignee"), found)
        self.assertIn((merge, "team/kim.yaml", ""), found)
        self.assert_nobody_wedged()

    def test_a_merge_brings_no_rights_its_other_parent_was_refused(self):
        # the promotion is made on a side branch (refused there), brought
        # in by a plain merge that changes nothing of its own, then used
        k = self.kim
        k.git("checkout", "-q", "-b", "side")
        self.edit("team/kim.yaml", "role: msp", "role: director")
        self.commit("promote")
        promote = k.head()
        k.git("checkout", "-q", "main")
        k.ok("feedback", self.tid[:8], "On it")
        k.git("-c", "user.email=" + KIM, "-c", "user.name=x", "merge", "-q",
              "--no-ff", "--no-edit", "side")
        merge = k.head()
        self.edit(self.task_path(), "due: 2026-12-01", "due: 2027-03-01")
        self.commit("use it")
        use = k.head()
        self.push()
        res = self.dana.run("sync")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assert_untouched()
        found = {(v["commit"], v["path"], v["field"]) for v in self.audit()}
        self.assertIn((promote, "team/kim.yaml", ""), found)
        self.assertIn((use, self.task_path(), "due"), found)
        self.assertNotIn(merge, {c for c, _p, _f in found})
        self.assert_nobody_wedged()

    def test_a_merge_that_takes_back_the_side_it_merges(self):
        # a merge of the director's branch that keeps the MSP's own
        # version of the task (git merge -s ours): the director's changes
        # dropped are the merger's own change, judged as such
        self.dana.ok("set", self.tid[:8], "priority=high")
        self.dana.ok("sync", "-q")
        k = self.kim
        k.ok("feedback", self.tid[:8], "On it")
        k.git("fetch", "-q", "origin")
        k.git("-c", "user.email=" + KIM, "-c", "user.name=x", "merge", "-q",
              "-s", "ours", "--no-edit", "origin/main")
        merge = k.head()
        self.push()
        res = self.dana.run("sync")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(self.dana.load(self.tid)["priority"], "high")
        found = {(v["commit"], v["path"], v["field"]) for v in self.audit()}
        self.assertIn((merge, self.task_path(), "priority"), found)
        self.assert_nobody_wedged()

    def test_an_honest_merge_by_plain_git_is_no_violation(self):
        self.dana.ok("set", self.tid[:8], "priority=high")
        self.dana.ok("sync", "-q")
        self.kim.ok("start", self.tid[:8])
        self.kim.git("pull", "-q", "--no-rebase", "origin", "main")
        self.assertEqual(len(self.kim.git("log", "--merges",
                                          "--format=%H").split()), 1)
        self.push()
        res = self.dana.run("sync")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertNotIn("policy", res.stderr)
        self.assertEqual(self.audit(), [])

    def test_trees_out_of_order_hide_no_change(self):
        # a hand-made commit whose trees list their entries backwards (git
        # writes them sorted; `git fsck` calls this treeNotSorted): the
        # tree diff pairs entries in git's order, and nothing it changes
        # may slip past the judge for that
        k = self.kim
        self.edit(self.task_path(), "due: 2026-12-01", "due: 2027-03-01")
        self.edit("team/kim.yaml", "role: msp", "role: director")
        k.git("add", "-A")

        def backwards(tree):
            raw = b""
            for line in reversed(k.git("ls-tree", tree).splitlines()):
                info, name = line.split("\t", 1)
                mode, kind, oid = info.split()
                if kind == "tree":
                    oid = backwards(oid)
                raw += (b"%s %s\0" % (mode.lstrip("0").encode(),
                                       name.encode()) + bytes.fromhex(oid))
            out = subprocess.run(
                ["git", "hash-object", "-t", "tree", "-w", "--literally",
                 "--stdin"], cwd=k.path, input=raw, capture_output=True,
                check=True)
            return out.stdout.decode().strip()

        tree = backwards(k.git("write-tree").strip())
        self.assertNotEqual(tree, k.git("write-tree").strip())
        commit = k.git("-c", "user.email=" + KIM, "-c", "user.name=x",
                       "commit-tree", tree, "-p", "HEAD", "-m",
                       "tidy").strip()
        k.git("update-ref", "refs/heads/main", commit)
        self.push()
        res = self.dana.run("sync")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertIn("rejected (enforce mode)", res.stderr)
        self.assert_untouched()
        # the director's files and index are HEAD's: nothing the next
        # sync would take for the director's own deletions
        self.assertEqual(self.dana.git("status", "--porcelain"), "")
        found = {(v["commit"], v["path"], v["field"]) for v in self.audit()}
        self.assertIn((commit, self.task_path(), "due"), found)
        self.assertIn((commit, "team/kim.yaml", ""), found)
        self.assert_nobody_wedged()


class TestSmuggledPolicy(TrustTest):
    def test_a_rule_granted_in_one_commit_does_not_judge_the_next(self):
        self.edit(".delegit/policy.yaml", "  everyone: [feedback]\n",
                  "  everyone: [feedback]\n  msp: [all]\n")
        self.commit("policy: let the MSP work")
        grant = self.kim.head()
        self.edit(self.task_path(), "due: 2026-12-01", "due: 2027-03-01")
        self.commit("more time")
        use = self.kim.head()
        self.push()
        res = self.dana.run("sync")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assert_untouched()
        found = {(v["commit"], v["field"]) for v in self.audit()}
        self.assertIn((grant, ""), found)
        self.assertIn((use, "due"), found)
        self.assert_nobody_wedged()

    def test_a_forbidden_change_then_a_deletion_takes_both_back(self):
        # the MSP moves the due date (a field taken back), then deletes
        # the task (the whole file goes back): the task comes back as it
        # was before the first change taken back, never with the date
        self.edit(self.task_path(), "due: 2026-12-01", "due: 2027-03-01")
        self.commit("more time")
        moved = self.kim.head()
        self.kim.git("rm", "-q", self.task_path())
        self.commit("gone")
        gone = self.kim.head()
        self.push()
        res = self.dana.run("sync")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assert_untouched()
        found = {(v["commit"], v["field"]) for v in self.audit()}
        self.assertIn((moved, "due"), found)
        self.assertIn((gone, ""), found)
        self.assert_nobody_wedged()

    def test_mode_comes_from_the_local_policy_never_from_incoming_work(self):
        self.edit(".delegit/policy.yaml", "mode: enforce", "mode: warn")
        self.edit(self.task_path(), "due: 2026-12-01", "due: 2027-03-01")
        self.commit("relax")
        self.push()
        res = self.dana.run("sync")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertIn("rejected (enforce mode)", res.stderr)
        self.assert_untouched()
        self.assert_nobody_wedged()
        self.assertIn("mode: enforce", self.text(".delegit/policy.yaml",
                                                 self.kim))


class TestTeamGames(TrustTest):
    def test_promote_then_act(self):
        self.edit("team/kim.yaml", "role: msp", "role: director")
        self.commit("promote")
        promote = self.kim.head()
        self.edit(self.task_path(), "due: 2026-12-01", "due: 2027-03-01")
        self.commit("act")
        act = self.kim.head()
        self.push()
        self.assertEqual(self.dana.run("sync").returncode, 0)
        self.assert_untouched()
        found = {(v["commit"], v["field"]) for v in self.audit()}
        self.assertIn((promote, ""), found)
        self.assertIn((act, "due"), found)
        self.assert_nobody_wedged()

    def test_an_emptied_team_bootstraps_nobody(self):
        self.kim.git("rm", "-rq", "team")
        self.commit("no more team")
        empty = self.kim.head()
        self.edit(self.task_path(), "due: 2026-12-01", "due: 2027-03-01")
        self.commit("act")
        act = self.kim.head()
        self.push()
        self.assertEqual(self.dana.run("sync").returncode, 0)
        self.assert_untouched()
        for h in ("dana", "sam", "kim"):
            self.assertTrue(os.path.exists(os.path.join(
                self.dana.path, "team", h + ".yaml")))
        found = {(v["commit"], v["field"]) for v in self.audit()}
        self.assertIn((empty, ""), found)
        self.assertIn((act, "due"), found)
        self.assert_nobody_wedged()


class TestUnrelatedHistory(TrustTest):
    def test_a_foreign_history_is_refused_unless_asked_for(self):
        other = Repo(team=False)
        self.addCleanup(other.close)
        other.as_(KIM)
        # another first commit than ours (an `init` in the same second by
        # the same name would be the same commit)
        other.git("commit", "-q", "--amend", "--no-edit", "--reset-author")
        other.ok("team", "add", "kim", "--name", "Kim", "--email", KIM,
                 "--org", "acme-msp", "--role", "director")
        other.add("Foreign work", "--to", "kim", "--due", "2026-12-01")
        other.git("push", "-q", "-f", self.net.bare, "main")
        head, files = self.dana.head(), self.dana.files()
        res = self.dana.run("sync")
        self.assertEqual(res.returncode, 1, res.stderr)
        self.assertIn("unrelated histories", res.stderr)
        self.assertEqual(self.dana.head(), head)
        self.assertEqual(self.dana.files(), files)
        # asked for: merged, and judged by this replica's policy
        res = self.dana.run("sync", "--allow-unrelated-histories")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assert_untouched()
        self.assertIn("mode: enforce", self.text(".delegit/policy.yaml"))
        self.assertTrue(any(v["path"] == "team/kim.yaml"
                            for v in self.audit()))


class TestNeverWedged(TrustTest):
    def test_a_task_added_without_leave_is_removed_not_emptied(self):
        tid = "0b9c5e5e-7f0c-4d0a-9a1e-2c3f4d5e6f70"
        path = self.task_path(tid)
        os.makedirs(os.path.join(self.kim.path, os.path.dirname(path)),
                    exist_ok=True)
        with open(self.dana.task_file(self.tid), encoding="utf-8") as f:
            text = f.read().replace(self.tid, tid)
        with open(os.path.join(self.kim.path, path), "w") as f:
            f.write(text.replace("Patch the firewall", "Buy our appliance"))
        self.kim.git("add", path)
        self.commit("a task in Dana's name")
        added = self.kim.head()
        self.push()
        res = self.dana.run("sync")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.dana.path, path)))
        self.dana.ok("check")
        found = [v for v in self.audit() if v["commit"] == added]
        self.assertEqual([(v["path"], v["field"]) for v in found],
                         [(path, "")])
        self.assertIn("may not add a task delegated by 'dana'",
                      found[0]["message"])
        self.assert_nobody_wedged()

    def test_a_sync_killed_before_its_rejection_never_takes_it_in(self):
        # The director's sync brings kim's forbidden change of the due
        # date in (HEAD moves), then takes it back with a commit. Killed
        # at each step between, the next command must not finish the
        # move and leave HEAD, which the next sync trusts, holding it.
        self.edit(self.task_path(), "due: 2026-12-01", "due: 2027-03-01")
        self.commit("moved the deadline")
        self.push()
        ours = self.dana.head()
        for step in ("before-checkout", "after-checkout", "after-move"):
            self.dana.git("reset", "-q", "--hard", ours)
            self.dana.git("update-ref", "refs/remotes/origin/main", ours)
            killed = self.dana.run("sync", "-q", fault=step)
            self.assertLess(killed.returncode, 0, step)
            self.dana.ok("list")        # finishes, or undoes, the move
            self.assertEqual(str(self.dana.load(self.tid)["due"]),
                             "2026-12-01", step)
            res = self.dana.run("sync", "-q")
            self.assertEqual(res.returncode, 0, step + res.stderr)
            self.assert_untouched()
            self.assertEqual(self.dana.git("status", "--porcelain"), "",
                             step)
        # killed after the rejection's commit, before its record went: the
        # record names two commits HEAD is neither of, and is dropped; a
        # record whose third word is not "back" is damaged: dropped too
        pending = os.path.join(self.dana.path, ".git", "delegit-sync-pending")
        head = self.dana.head()
        for words in ("%s %s back" % (ours, self.kim.head()),
                      "%s %s later" % (head, self.kim.head())):
            with open(pending, "w") as f:
                f.write(words + "\n")
            self.dana.ok("list")
            self.assertFalse(os.path.exists(pending), words)
            self.assertEqual(self.dana.head(), head, words)
            self.assert_untouched()

    def test_an_invalid_commit_mended_later_does_not_block_syncs(self):
        self.edit(self.task_path(), "status: open", "status: [oops")
        self.commit("broken")
        broken = self.kim.head()
        self.edit(self.task_path(), "status: [oops", "status: in-progress")
        self.commit("mended")
        self.push()
        res = self.dana.run("sync")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(self.dana.load(self.tid)["status"], "in-progress")
        self.assertIn(broken, [v["commit"] for v in self.audit()])
        self.assert_nobody_wedged()


class TestStamps(TrustTest):
    def test_a_stamp_from_the_future_or_in_someone_elses_name(self):
        self.edit(self.task_path(), "status: open", "status: in-progress")
        self.edit(self.task_path(), "updated_by: dana", "updated_by: sam")
        text = self.text(self.task_path(), self.kim)
        old = [l for l in text.splitlines() if l.startswith("updated:")][0]
        self.edit(self.task_path(), old, "updated: 2099-01-01T00:00:00Z")
        self.commit("started")
        forged = self.kim.head()
        self.push()
        res = self.dana.run("sync")
        self.assertEqual(res.returncode, 0, res.stderr)
        t = self.dana.load(self.tid)
        self.assertEqual(t["status"], "in-progress")     # allowed: kept
        self.assertEqual(t["updated_by"], "dana")         # taken back
        self.assertLess(str(t["updated"]), "2099")
        found = {(v["commit"], v["field"]): v["message"]
                 for v in self.audit()}
        self.assertIn("later than its commit's time",
                      found[(forged, "updated")])
        self.assertIn("names 'sam', but the change is 'kim''s",
                      found[(forged, "updated_by")])
        self.assert_nobody_wedged()


class TestStampsInMerges(TrustTest):
    """A stamp later than its commit wins no conflict: each side's
    `updated` counts at most as its commit's time (and 5 minutes), in
    sync's merge and in plain git's merges through the driver alike."""
    policy = Network.OPEN_POLICY

    def forge(self):
        self.edit(self.task_path(), "priority: normal", "priority: low")
        text = self.text(self.task_path(), self.kim)
        old = [l for l in text.splitlines() if l.startswith("updated:")][0]
        self.edit(self.task_path(), old, "updated: 2099-01-01T00:00:00Z")
        self.edit(self.task_path(), "updated_by: dana", "updated_by: kim")
        env = dict(self.kim.env, GIT_AUTHOR_DATE="2026-11-26T10:00:00Z",
                   GIT_COMMITTER_DATE="2026-11-26T10:00:00Z")
        subprocess.run(["git", "-c", "user.email=" + KIM, "commit", "-qam",
                        "low, forever"], cwd=self.kim.path, env=env,
                       check=True)
        self.push()

    def check(self, repo):
        t = repo.load(self.tid)
        self.assertEqual(t["priority"], "high")
        self.assertLess(str(t["updated"]), "2099")
        rec = [c for c in t["conflicts"] if c["field"] == "priority"]
        self.assertEqual((rec[0]["value"], rec[0]["other"],
                          rec[0]["other_by"]), ("high", "low", "kim"))

    def test_in_sync(self):
        self.forge()
        self.dana.ok("set", self.tid[:8], "priority=high",
                     now="2026-11-27T10:00:00Z")
        self.dana.ok("sync", "-q", now="2026-11-27T10:01:00Z")
        self.check(self.dana)
        self.assert_nobody_wedged()

    def test_in_plain_git_pull(self):
        self.forge()
        self.sam.ok("set", self.tid[:8], "priority=high",
                    now="2026-11-27T10:00:00Z")
        self.sam.git("pull", "-q", "--no-rebase", "origin", "main")
        self.check(self.sam)


class TestAccountability(TrustTest):
    """Every field change is credited to the commit that made it, never to
    whoever merged it; a merge is credited with what it decided."""
    policy = Network.OPEN_POLICY

    def changes(self, *args):
        return json.loads(self.dana.ok("log", self.tid[:8], "--json", *args))

    def test_a_merge_never_takes_over_the_changes_it_brings(self):
        self.dana.ok("set", self.tid[:8], "due=2026-12-20",
                     now="2026-11-26T09:00:00Z")
        self.sam.ok("set", self.tid[:8], "priority=low",
                    now="2026-11-26T10:00:00Z")
        sams = self.sam.head()
        self.sam.ok("sync", "-q")
        self.dana.ok("sync", "-q", now="2026-11-26T11:00:00Z")
        self.assertIn("sync: merge", self.dana.git("log", "-1", "--format=%s"))
        mine = [(c["field"], c["to"]) for c in self.changes("--author",
                                                           "dana")]
        self.assertIn(("due", "2026-12-20"), mine)
        self.assertNotIn(("priority", "low"), mine)
        theirs = [c for c in self.changes("--author", "sam")
                  if c["field"] == "priority"]
        self.assertEqual([(c["commit"], c["to"]) for c in theirs],
                         [(sams, "low")])
        acc = {p["handle"]: p for p in json.loads(self.dana.ok(
            "report", "accountability", "--json"))["people"]}
        self.assertEqual(acc["sam"]["fields"].get("priority"), 1)
        # dana's: the add and her own due date, nothing merged in
        self.assertEqual(acc["dana"]["fields"].get("priority"), 1)

    def test_a_merge_is_credited_with_the_conflicts_it_decided(self):
        self.dana.ok("set", self.tid[:8], "priority=high",
                     now="2026-11-26T09:00:00Z")
        self.sam.ok("set", self.tid[:8], "priority=low",
                    now="2026-11-26T10:00:00Z")
        self.sam.ok("sync", "-q")
        self.dana.ok("sync", "-q", now="2026-11-26T11:00:00Z")
        merge = self.dana.head()
        by_merge = [c for c in self.changes() if c["commit"] == merge]
        self.assertTrue(by_merge)
        self.assertTrue(all(c["field"].startswith("conflicts")
                            for c in by_merge), by_merge)
        self.assertEqual([c["to"] for c in self.changes("--author", "sam")
                          if c["field"] == "priority"], ["low"])


class TestCachedCommits(SignedTest):
    """The events cache (.git/delegit-events) keeps the bytes of each
    unsigned commit the history walk met, for who made it and when. Bytes
    put there by hand — another author, a signed commit's bytes without
    its signature — change nobody's record: they do not hash to the
    commit's id, so the walk reads the commit instead."""

    def seen(self):
        return (self.dana.ok("report", "accountability", "--json"),
                self.dana.ok("log", "--json"),
                self.dana.ok("log", self.tid[:8], "--json"))

    def raw(self, commit):
        return subprocess.run(["git", "cat-file", "commit", commit],
                              cwd=self.dana.path, capture_output=True,
                              check=True).stdout

    def test_forged_commit_bytes_change_nobodys_record(self):
        self.kim.ok("start", self.tid[:8])               # signed by kim
        self.kim.ok("sync", "-q")
        self.dana.ok("sync", "-q")
        before = self.seen()
        verified = [c for c in json.loads(before[2]) if c["verified"]]
        self.assertEqual(verified[0]["author"], "kim")
        path = os.path.join(self.dana.path, ".git", "delegit-events")
        with open(path, "rb") as f:
            kept = f.read()
        body, count, signed, plain = b"", 0, 0, 0
        for commit in self.dana.git("rev-list", "HEAD").split():
            raw = self.raw(commit)
            head, _, message = raw.partition(b"\n\n")
            lines = [l for l in head.split(b"\n")
                     if not l.startswith((b"gpgsig ", b" "))]
            if len(lines) < len(head.split(b"\n")):
                signed += 1
                self.assertNotIn(raw, kept)
            elif raw in kept:
                plain += 1
            # another author, and no signature to judge
            forged = b"\n".join(
                b"author Sam <sam@acme.example>" + l[l.index(b">") + 1:]
                if l.startswith(b"author ") else l
                for l in lines) + b"\n\n" + message
            body += (bytes.fromhex(commit) + b"\0" +
                     struct.pack("<I", len(forged)) + forged)
            count += 1
        self.assertTrue(signed and plain, (signed, plain))
        with open(path, "ab") as f:
            f.write(b"evb\n" + struct.pack("<IQ", count, len(body)) + body +
                    b"end\n")
        self.assertEqual(self.seen(), before)


class TestServerHook(TrustTest):
    """`delegit hook install` in the bare remote: forbidden pushes never
    reach anyone, over every transport; honest work goes through."""

    def setUp(self):
        super().setUp()
        out = self.kim.run_in(self.net.bare, "hook", "install")
        self.assertIn("pre-receive", out)

    def remote_refs(self):
        return subprocess.run(["git", "for-each-ref"], cwd=self.net.bare,
                              capture_output=True, text=True,
                              check=True).stdout

    def refused(self, url, refs, *flags):
        """Push to url with plain git: refused, the remote's refs as they
        were; the hook's words."""
        r = subprocess.run(["git", "push", *flags, url, "main"],
                           cwd=self.kim.path, env=self.kim.env,
                           capture_output=True, text=True)
        self.assertNotEqual(r.returncode, 0)
        self.assertEqual(self.remote_refs(), refs)
        return r.stderr

    def attempt(self, url):
        """The attacks of this file, pushed to url: each refused whole."""
        k = self.kim
        refs = self.remote_refs()
        self.edit(self.task_path(), "due: 2026-12-01", "due: 2027-03-01")
        self.commit("more time")
        err = self.refused(url, refs)
        self.assertIn("may not change 'due'", err)
        self.assertIn("push refused", err)
        # smuggled rule first, use after: the second is refused too
        k.git("reset", "-q", "--hard", "HEAD~1")
        self.edit(".delegit/policy.yaml", "  everyone: [feedback]\n",
                  "  everyone: [feedback]\n  msp: [all]\n")
        self.commit("grant")
        self.edit(self.task_path(), "due: 2026-12-01", "due: 2027-03-01")
        self.commit("use")
        err = self.refused(url, refs)
        self.assertIn("rule repository", err)
        self.assertIn("may not change 'due'", err)
        # a rewritten history
        k.git("reset", "-q", "--hard", "HEAD~3")
        self.commit("rewrite", KIM, None, "--allow-empty")
        self.assertIn("rewrites history", self.refused(url, refs, "-f"))
        k.git("reset", "-q", "--hard", "origin/main")
        # honest work, pushed by delegit itself (libgit2's transport)
        k.git("remote", "set-url", "origin", url)
        k.ok("start", self.tid[:8])
        k.ok("sync", "-q")
        self.assertNotEqual(self.remote_refs(), refs)
        self.dana.ok("sync", "-q")
        self.assertEqual(self.dana.load(self.tid)["status"], "in-progress")
        self.assertEqual(self.audit(), [])

    def test_file(self):
        self.attempt("file://" + self.net.bare)

    def test_smart_http(self):
        if not shutil.which("lighttpd"):
            self.skipTest("lighttpd is not installed")
        self.attempt(start_git_http(self, self.net.tmp, self.net.bare))

    def test_ssh(self):
        if os.geteuid() != 0 or not os.path.exists("/usr/sbin/sshd"):
            self.skipTest("sshd needs root and openssh-server")
        sshd = Sshd(self, self.net.tmp)
        sshd.env(self.kim)
        self.attempt(sshd.url(self.net.bare))

    def test_warn_mode_accepts_and_reports(self):
        self.edit(".delegit/policy.yaml", "mode: enforce", "mode: warn",
                  self.dana)
        self.commit("warn", "dana@acme.example", self.dana)
        self.dana.ok("sync", "-q")
        self.kim.ok("sync", "-q")
        self.edit(self.task_path(), "due: 2026-12-01", "due: 2027-03-01")
        self.commit("more time")
        r = subprocess.run(["git", "push", "origin", "main"],
                           cwd=self.kim.path, env=self.kim.env,
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("accepted (mode: warn)", r.stderr)


if __name__ == "__main__":
    unittest.main()
