#!/usr/bin/python3
"""delegit installed as a Debian tool (issue 15): the merge driver that
survives the binary moving, `make install`'s files (the man page read by
man, bash completion driven by compgen), the .deb unpacked and run."""
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import yaml

sys.path.insert(0, os.path.dirname(__file__))
from helpers import DELEGIT, PEOPLE  # noqa: E402

BUILD = os.path.dirname(DELEGIT)


def base_env(tmp):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("GIT_", "DELEGIT"))}
    env.update({"HOME": tmp, "GIT_CONFIG_NOSYSTEM": "1", "NO_COLOR": "1",
                "LC_ALL": "C.UTF-8", "EDITOR": "false"})
    return env


class TestMovedBinary(unittest.TestCase):
    """The merge driver in .git/config names delegit so that plain `git
    pull` still merges field by field after the binary moved."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="delegit-moved-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.env = base_env(self.tmp)
        self.path0 = self.env["PATH"]

    def sh(self, cwd, *cmd, check=True):
        r = subprocess.run(list(cmd), cwd=cwd, env=self.env,
                           capture_output=True, text=True)
        if check and r.returncode:
            raise AssertionError("%s: %s%s" % (cmd, r.stdout, r.stderr))
        return r

    def install_at(self, folder):
        os.makedirs(folder, exist_ok=True)
        shutil.copy(DELEGIT, os.path.join(folder, "delegit"))
        return os.path.join(folder, "delegit")

    def replicas(self, program):
        """A bare remote, r1 made with program, r2 a plain git clone."""
        bare = os.path.join(self.tmp, "remote.git")
        r1, r2 = (os.path.join(self.tmp, n) for n in ("r1", "r2"))
        self.sh(self.tmp, "git", "init", "-q", "--bare", "-b", "main", bare)
        self.sh(self.tmp, "git", "init", "-q", "-b", "main", r1)
        name, email, org, role = PEOPLE["dana"]
        for r in (r1,):
            self.sh(r, "git", "config", "user.email", email)
            self.sh(r, "git", "config", "user.name", name)
        self.sh(r1, program, "init", "-q")
        self.sh(r1, program, "team", "add", "dana", "--name", name,
                "--email", email, "--org", org, "--role", role)
        tid = self.sh(r1, program, "add", "Patch the VPN", "--to", "dana",
                      "--due", "2027-01-10").stdout.split()[0]
        self.sh(r1, "git", "remote", "add", "origin", bare)
        self.sh(r1, "git", "push", "-q", "origin", "main")
        self.sh(self.tmp, "git", "clone", "-q", bare, r2)
        self.sh(r2, "git", "config", "user.email", email)
        self.sh(r2, "git", "config", "user.name", name)
        self.sh(r2, program, "list")  # registers the driver in the clone
        self.sh(r1, program, "set", tid, "title=Patch the VPN on Tuesday")
        self.sh(r1, "git", "push", "-q", "origin", "main")
        self.sh(r2, program, "set", tid, "title=Patch the VPN on Friday")
        return r1, r2, tid

    def pulled_title(self, r2, tid):
        r = self.sh(r2, "git", "-c", "pull.rebase=false", "pull", "-q",
                    "--no-edit", check=False)
        self.assertEqual(r.returncode, 0, "plain git pull failed after the "
                         "binary moved:\n" + r.stdout + r.stderr)
        path = os.path.join(r2, "tasks", tid[:2])
        [name] = [n for n in os.listdir(path) if n.startswith(tid)]
        with open(os.path.join(path, name)) as f:
            text = f.read()
        self.assertNotIn("<<<<<<<", text)
        task = yaml.safe_load(text)
        self.assertIn("conflicts", task)
        return task["title"]

    def test_installed_on_path_survives_a_move(self):
        self.env["PATH"] = os.path.join(self.tmp, "a") + ":" + self.path0
        self.install_at(os.path.join(self.tmp, "a"))
        r1, r2, tid = self.replicas("delegit")
        driver = self.sh(r2, "git", "config", "merge.delegit.driver").stdout
        self.assertEqual(driver.strip(), "delegit merge-file %O %A %B %P")
        # reinstalled elsewhere (another prefix): the old one is gone
        shutil.move(os.path.join(self.tmp, "a"), os.path.join(self.tmp, "b"))
        self.env["PATH"] = os.path.join(self.tmp, "b") + ":" + self.path0
        self.assertIn("Patch the VPN on", self.pulled_title(r2, tid))

    def test_off_path_is_registered_again_by_any_command(self):
        prog = self.install_at(os.path.join(self.tmp, "c d"))
        r1, r2, tid = self.replicas(prog)
        driver = self.sh(r2, "git", "config", "merge.delegit.driver").stdout
        self.assertEqual(driver.strip(),
                         "'%s' merge-file %%O %%A %%B %%P" % prog)
        moved = os.path.join(self.tmp, "e f", "delegit")
        os.makedirs(os.path.dirname(moved))
        shutil.move(prog, moved)
        self.sh(r2, moved, "list")
        self.assertIn("Patch the VPN on", self.pulled_title(r2, tid))


if __name__ == "__main__":
    unittest.main()
