#!/usr/bin/python3
"""README.md's tour runs as it is written: every `sh` block of the section
"A five-minute tour", in order, in one bash with `set -e -o pipefail`, in an
empty directory, with only delegit on the PATH added (issue 14)."""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from helpers import DELEGIT, VALGRIND, VALGRIND_CMD  # noqa: E402

README = os.path.join(os.path.dirname(__file__), "..", "..", "README.md")


def tour():
    with open(README, encoding="utf-8") as f:
        text = f.read()
    start = text.index("## A five-minute tour")
    end = text.index("\n## ", start + 1)
    return re.findall(r"```sh\n(.*?)```", text[start:end], re.S)


class TestReadme(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="delegit-readme-")
        self.bin = os.path.join(self.tmp, "bin")
        os.makedirs(self.bin)
        # `delegit` as the reader has it: a command on the PATH (under
        # valgrind, a wrapper that runs it there)
        wrapper = os.path.join(self.bin, "delegit")
        with open(wrapper, "w") as f:
            cmd = " ".join(VALGRIND_CMD + [DELEGIT]) if VALGRIND else DELEGIT
            f.write('#!/bin/sh\nexec %s "$@"\n' % cmd)
        os.chmod(wrapper, 0o755)
        self.work = os.path.join(self.tmp, "work")
        os.makedirs(self.work)

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def test_the_tour_runs_verbatim(self):
        blocks = tour()
        self.assertGreaterEqual(len(blocks), 4)
        script = "set -e -o pipefail\n" + "\n".join(blocks)
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("GIT_", "DELEGIT"))}
        env.update({"PATH": self.bin + ":" + os.environ["PATH"],
                    "HOME": self.tmp, "GIT_CONFIG_NOSYSTEM": "1",
                    "NO_COLOR": "1", "LC_ALL": "C.UTF-8"})
        res = subprocess.run(["bash", "-c", script], cwd=self.work, env=env,
                             capture_output=True, text=True, timeout=600)
        self.assertEqual(res.returncode, 0,
                         "the tour stopped:\n%s\n%s" % (res.stdout[-3000:],
                                                       res.stderr[-3000:]))
        out = res.stdout
        self.assertIn("not yet: the restore test is not ticked", out)
        self.assertIn("1 conflict recorded", out)
        self.assertIn("granted kim's request", out)
        self.assertIn("waiting for your review", out)
        self.assertTrue(os.path.exists(os.path.join(
            self.work, "acme-it", "report.html")))
        # the two clones hold the same files, the firewall task done
        both = []
        for clone in ("acme-it", "kim-laptop"):
            subprocess.run(["bash", "-c", "delegit sync -q"], check=True,
                           cwd=os.path.join(self.work, clone), env=env)
            files = subprocess.run(
                ["git", "ls-files", "-s", "tasks"], capture_output=True,
                text=True, cwd=os.path.join(self.work, clone), env=env)
            both.append(files.stdout)
        self.assertEqual(both[0], both[1])
        # routine work: a series went on, the done tasks were archived
        self.assertIn("next occurrence", out)
        self.assertIn("waiting", out)
        self.assertRegex(out, r"archived \d+ tasks closed before")
        status = subprocess.run(
            ["bash", "-c", "delegit list --archived --status done --json"],
            capture_output=True, text=True, env=env,
            cwd=os.path.join(self.work, "kim-laptop"))
        self.assertEqual(status.stdout.count('"status":"done"'), 2)


if __name__ == "__main__":
    unittest.main()
