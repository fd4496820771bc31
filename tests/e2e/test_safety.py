#!/usr/bin/python3
"""Robustness (issue 13, items 6 to 8): text from files never reaches the
terminal raw, text arguments holding control characters are refused,
errors say what happened with the right exit code, and names built from
files are never cut short."""
import json
import os
import subprocess
import unittest

from helpers import Network

LONG_KEY = "x_" + "k" * 298          # 300 characters
LONG_ID = "ab" * 150                 # an item id of 300 characters


class TestLongNames(unittest.TestCase):
    """A conflict on a key of 300 characters is recorded under its whole
    name, listed whole, and `resolve` settles it by that name."""

    def setUp(self):
        self.net = Network(2)
        self.addCleanup(self.net.close)
        self.a, self.b = self.net.replicas

    def hand_edit(self, repo, tid, old, new):
        path = repo.task_file(tid)
        with open(path, encoding="utf-8") as f:
            text = f.read()
        if old is None:
            text += new
        else:
            self.assertIn(old, text)
            text = text.replace(old, new)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)

    def test_a_key_of_300_characters_round_trips_through_resolve(self):
        a, b = self.a, self.b
        tid = a.add("Long keys", "--to", "kim")["id"]
        self.hand_edit(a, tid, None, "%s: base\nextra:\n  - id: %s\n"
                       "    v: base\n" % (LONG_KEY, LONG_ID))
        a.ok("sync", "-q")
        b.ok("sync", "-q")
        self.hand_edit(a, tid, "%s: base" % LONG_KEY, "%s: from-a" % LONG_KEY)
        self.hand_edit(a, tid, "v: base", "v: from-a")
        a.ok("sync", "-q")
        self.hand_edit(b, tid, "%s: base" % LONG_KEY, "%s: from-b" % LONG_KEY)
        self.hand_edit(b, tid, "v: base", "v: from-b")
        b.ok("sync", "-q")
        item = "extra[%s].v" % LONG_ID
        fields = [c["field"] for c in json.loads(b.ok("conflicts", "--json"))]
        self.assertEqual(sorted(fields), sorted([LONG_KEY, item]),
                         [len(f) for f in fields])
        text = b.ok("conflicts")
        self.assertIn("  %s (conflict" % LONG_KEY, text)
        self.assertIn("  %s (conflict" % item, text)
        # equal stamps: the greater value (b's) is kept; --theirs takes
        # a's back
        self.assertEqual(b.load(tid)[LONG_KEY], "from-b")
        b.ok("resolve", tid[:8], LONG_KEY, "--theirs")
        b.ok("resolve", tid[:8], item, "--ours")
        doc = b.load(tid)
        self.assertEqual(doc[LONG_KEY], "from-a")
        self.assertEqual(doc["extra"], [{"id": LONG_ID, "v": "from-b"}])
        self.assertNotIn("conflicts", doc)
        self.assertEqual(b.ok("conflicts"), "no conflicts\n")
        b.ok("sync", "-q")
        a.ok("sync", "-q")
        self.net.assert_converged(self)
        a.ok("check")


if __name__ == "__main__":
    unittest.main()
