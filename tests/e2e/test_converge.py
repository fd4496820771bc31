#!/usr/bin/python3
"""Convergence, tested: a seeded randomized simulation of three replicas
and a bare remote.

Each round, some replicas make random edits of every kind offline, at
nearby times (ties included); then every replica syncs, twice, in a random
order. After every such full exchange:
- all replicas hold identical delegit files;
- every value a replica wrote in the round is either the final value or
  recorded under `conflicts:`; every feedback entry and checkpoint added
  is there.

DELEGIT_SEED (default 1) and DELEGIT_ROUNDS (default 200) steer it;
`make converge ROUNDS=10000` runs a long one.
"""
import datetime
import os
import random
import sys
import unittest

import yaml

from helpers import Network

SEED = int(os.environ.get("DELEGIT_SEED", "1"))
ROUNDS = int(os.environ.get("DELEGIT_ROUNDS", "200"))
HANDLES = ["dana", "kim", "sam"]
WORDS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf"]


def stamp(t):
    return datetime.datetime.utcfromtimestamp(t).strftime("%Y-%m-%dT%H:%M:%SZ")


class Simulation:
    def __init__(self, test, seed):
        self.test = test
        self.rng = random.Random(seed)
        self.net = Network(3)
        for r, handle in zip(self.net.replicas, HANDLES):
            r.as_(handle)
        self.clock = 1795000000  # late 2026
        self.tasks = []
        self.docs = {}  # every task as of the last full exchange

    def close(self):
        self.net.close()

    def tick(self):
        # Nearby times: sometimes the same second on two replicas.
        return stamp(self.clock + self.rng.randint(0, 2))

    def edit(self, r, writes, must_exist):
        rng = self.rng
        now = self.tick()
        if not self.tasks or rng.random() < 0.1:
            out = r.ok("add", "--", "Task %s" % rng.choice(WORDS), now=now)
            self.tasks.append(None)  # ids are learnt at the exchange
            return
        tid = rng.choice([t for t in self.tasks if t] or [None])
        if tid is None:
            return
        kind = rng.randrange(8)
        if kind == 0:
            v = rng.choice(["critical", "high", "normal", "low"])
            r.ok("set", tid[:8], "priority=" + v, now=now)
            writes[(id(r), tid, "priority")] = v
        elif kind == 1:
            v = "2026-12-%02d" % rng.randint(1, 28)
            r.ok("set", tid[:8], "due=" + v, now=now)
            writes[(id(r), tid, "due")] = v
        elif kind == 2:
            v = "%s %s" % (rng.choice(WORDS), rng.choice(WORDS))
            r.ok("set", tid[:8], "title=" + v, now=now)
            writes[(id(r), tid, "title")] = v
        elif kind == 3:
            op = rng.choice("+-")
            r.ok("set", tid[:8], "tags=%s%s" % (op, rng.choice(WORDS)), now=now)
        elif kind == 4:
            text = "note %d" % rng.randrange(10 ** 9)
            r.ok("feedback", tid[:8], text, now=now)
            must_exist.append((tid, "feedback", text))
        elif kind == 5:
            what = "check %d" % rng.randrange(10 ** 9)
            r.ok("checkpoint", tid[:8], "add",
                 "2026-12-%02d:%s" % (rng.randint(1, 28), what), now=now)
            must_exist.append((tid, "checkpoints", what))
        elif kind == 6:
            lines = ["line %d" % i for i in range(4)]
            lines[rng.randrange(4)] = "changed %d" % rng.randrange(1000)
            r.ok("set", tid[:8], "why=" + "\n".join(lines) + "\n", now=now)
        else:
            v = str(rng.randint(1, 40))
            r.ok("set", tid[:8], "estimate_hours=" + v, now=now)
            writes[(id(r), tid, "estimate_hours")] = v

    def round(self, n):
        writes, must_exist = {}, []
        for r in self.net.replicas:
            if self.rng.random() < 0.75:
                for _ in range(self.rng.randint(1, 3)):
                    self.edit(r, writes, must_exist)
        order = list(range(3))
        self.rng.shuffle(order)
        self.net.sync_all(order=order)
        self.clock += 3600
        self.check(n, writes, must_exist)

    def check(self, n, writes, must_exist):
        t = self.test
        files = self.net.replicas[0].files()
        for r in self.net.replicas[1:]:
            t.assertEqual(r.files(), files, "round %d: replicas differ" % n)
        docs = {}
        for path, data in files.items():
            if path.startswith("tasks/"):
                d = yaml.safe_load(data)
                docs[d["id"]] = d
        self.tasks = sorted(docs)
        old_docs, self.docs = self.docs, docs
        for (_, tid, field), v in writes.items():
            d = docs[tid]
            start = old_docs.get(tid, {}).get(field)
            if v == ("" if start is None else str(start)):
                continue  # back to where the round began: no change made
            final = "" if d[field] is None else str(d[field])
            kept = {str(c.get("value")) for c in d.get("conflicts", [])
                    if c["field"] == field}
            kept |= {str(c.get("other")) for c in d.get("conflicts", [])
                     if c["field"] == field}
            t.assertTrue(final == v or v in kept,
                         "round %d: %s of %s: %r was lost (final %r)"
                         % (n, field, tid, v, final))
        for tid, field, text in must_exist:
            items = docs[tid][field]
            key = "text" if field == "feedback" else "what"
            t.assertIn(text, [i[key] for i in items],
                       "round %d: %s lost from %s" % (n, text, field))


class TestConvergence(unittest.TestCase):
    def test_replicas_converge_and_lose_nothing(self):
        sim = Simulation(self, SEED)
        self.addCleanup(sim.close)
        for n in range(ROUNDS):
            sim.round(n)
        sys.stderr.write("converged: %d rounds, seed %d, %d tasks\n"
                         % (ROUNDS, SEED, len(sim.tasks)))


if __name__ == "__main__":
    unittest.main()
