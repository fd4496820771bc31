#!/usr/bin/python3
"""The randomised kill loop: delegit add, set and sync killed (SIGKILL) at
random moments — at a named step (DELEGIT_FAULT) or after a random delay —
many times over, on a replica of a real bare remote that another replica
keeps changing. After every kill the next command must run (no lock of
git's or delegit's in its way), no commit that reached HEAD may be lost,
and at the end everything reaches the remote and `git fsck` is clean.

DELEGIT_KILLS (default 30) and DELEGIT_SEED (default 1) steer it;
`make kills KILLS=300` runs a long one.
"""
import os
import random
import signal
import subprocess
import sys
import time
import unittest

from helpers import DELEGIT, Network

KILLS = int(os.environ.get("DELEGIT_KILLS", "30"))
SEED = int(os.environ.get("DELEGIT_SEED", "1"))
STEPS = ["commit-before-lock", "commit-locked", "commit-before-index",
         "after-fetch",
         "after-merge-commit", "before-checkout", "after-checkout",
         "after-move", "before-push", "after-push"]


class TestKills(unittest.TestCase):
    def test_killed_at_random_the_next_command_runs_and_nothing_is_lost(self):
        rng = random.Random(SEED)
        net = Network(2)
        self.addCleanup(net.close)
        a, b = net.replicas
        b.as_("kim")
        tid = a.add("Killed often", "--to", "kim")["id"]
        a.ok("sync", "-q")
        b.ok("sync", "-q")
        heads, kills, n = [], 0, 0
        while kills < KILLS:
            n += 1
            if rng.random() < 0.3:  # the other side moves on
                b.ok("feedback", tid[:8], "from b %d" % n)
                b.ok("sync", "-q")
            op = rng.choice(["add", "set", "set", "sync"])
            args = {"add": ["add", "--", "Task %d" % n],
                    "set": ["set", tid[:8], "estimate_hours=%d" % (n % 40 + 1)],
                    "sync": ["sync", "-q"]}[op]
            env = dict(a.env)
            if rng.random() < 0.5:
                env["DELEGIT_FAULT"] = rng.choice(STEPS)
                p = subprocess.run([DELEGIT, *args], cwd=a.path, env=env,
                                   capture_output=True, text=True)
                code = p.returncode
            else:
                p = subprocess.Popen([DELEGIT, *args], cwd=a.path, env=env,
                                     stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
                time.sleep(rng.uniform(0, 0.08))
                p.send_signal(signal.SIGKILL)
                code = p.wait()
            if code == -signal.SIGKILL:
                kills += 1
            elif code not in (0, 3):
                self.fail("%s exited %d" % (args, code))
            heads.append(a.head())
            # the next command runs, whatever was killed
            a.ok("list")
            if rng.random() < 0.3:
                a.ok("sync", "-q")
        a.ok("sync", "-q")
        b.ok("sync", "-q")
        a.ok("sync", "-q")
        final = a.head()
        for h in set(heads):
            r = subprocess.run(["git", "merge-base", "--is-ancestor", h,
                                final], cwd=a.path)
            self.assertEqual(r.returncode, 0, "commit %s was lost" % h)
        self.assertEqual(a.git("rev-parse", "origin/main"), final)
        a.git("fsck", "--strict")
        self.assertEqual(a.git("status", "--porcelain"), "")
        for name in ("index.lock", "refs/heads/main.lock",
                     "refs/remotes/origin/main.lock"):
            self.assertFalse(os.path.exists(os.path.join(a.path, ".git",
                                                         name)), name)
        net.assert_converged(self)
        sys.stderr.write("killed %d times in %d commands, seed %d: nothing "
                         "lost\n" % (kills, n, SEED))


if __name__ == "__main__":
    unittest.main()
