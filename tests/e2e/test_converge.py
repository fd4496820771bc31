#!/usr/bin/python3
"""Convergence, tested: a seeded randomized simulation of three replicas
and a bare remote.

Each round, some replicas make random edits of every kind offline, at
nearby times (ties included): fields, tags, feedback, checkpoints, quality
standards, conflicts resolved, dependencies, recurring tasks closed (the
same occurrence on several replicas: one next occurrence) and reopened, and hand edits in other YAML styles that
delete list items or change a quality standard. Some rounds, two replicas
first merge each other's work directly with plain `git merge` (through the
merge driver): each merges the other's commit into its own, so the same
pair is merged in both directions, and the two results must be the same
bytes — a merge that depends on its direction fails here. Then every
replica syncs, twice, in a random order. After every such full exchange:
- all replicas hold identical delegit files;
- every value a replica wrote in the round is either the final value or
  recorded under `conflicts:`; every feedback entry and checkpoint added
  is there; a checkpoint deleted by hand is gone, unless another replica
  changed it in the same round (then it is kept, with a record).

DELEGIT_SEED (default 1) and DELEGIT_ROUNDS (default 200) steer it;
`make converge ROUNDS=10000` runs a long one.
"""
import datetime
import os
import random
import subprocess
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
        self.hot = None  # the task most edits of a round go to
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
            r.ok("add", "--", "Task %s" % rng.choice(WORDS), now=now)
            self.tasks.append(None)  # ids are learnt at the exchange
            return
        tid = rng.choice([t for t in self.tasks if t] or [None])
        if tid is None:
            return
        if self.hot and rng.random() < 0.5:
            tid = self.hot  # the same task on several replicas: collisions
        # lists more often than scalars: they are where merges are subtle
        kind = rng.choice([0, 1, 2, 3, 4, 5, 5, 6, 7, 8, 8, 8, 9, 9, 10,
                           11, 12, 13, 14, 15])
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
        elif kind == 7:
            v = str(rng.randint(1, 40))
            r.ok("set", tid[:8], "estimate_hours=" + v, now=now)
            writes[(id(r), tid, "estimate_hours")] = v
        elif kind == 8:
            r.ok("expect", tid[:8], "--quality",
                 "standard %d" % rng.randrange(10 ** 6), now=now)
        elif kind == 9:
            cps = [c["id"] for c in self.docs.get(tid, {}).get(
                "checkpoints") or []]
            if cps:
                r.ok("checkpoint", tid[:8], "done", rng.choice(cps),
                     *(["--undo"] if rng.random() < 0.5 else []), now=now)
        elif kind == 12:
            v = rng.choice(["follow-steps", "recommend", "act-and-report",
                            "own", ""])
            r.ok("set", tid[:8], "autonomy=" + v, now=now)
            writes[(id(r), tid, "autonomy")] = v
        elif kind == 13:
            # dependencies: a set merged by adds and removes; a cycle (one
            # replica's view) is refused
            other = rng.choice([t for t in self.tasks if t])
            args = ["--no-after"] if rng.random() < 0.3 else []
            if other != tid:
                args += ["--after", other[:8]]
            if args:
                res = r.run("set", tid[:8], *args, now=now)
                self.test.assertIn(res.returncode, (0, 1), res.stderr)
                if res.returncode:
                    self.test.assertIn("cycle", res.stderr)
        elif kind == 14:
            # a series: its occurrences are derived, the same everywhere
            r.ok("add", "--due", "2026-12-%02d" % rng.randint(1, 28),
                 "--every", rng.choice(["weekly", "monthly", "3d"]), "--",
                 "Routine %s" % rng.choice(WORDS), now=now)
            self.tasks.append(None)
        elif kind == 15:
            # closing an occurrence (on several replicas at once: one next
            # occurrence), or reopening; refused when the status or the
            # person does not allow it
            verb = rng.choice(["cancel", "cancel", "reopen"])
            res = r.run(verb, tid[:8], now=now)
            self.test.assertIn(res.returncode, (0, 1), res.stderr)
        elif kind == 11:
            note = "time %d" % rng.randrange(10 ** 9)
            r.ok("spent", tid[:8], "%dm" % rng.randint(1, 600), "-m", note,
                 now=now)
            must_exist.append((tid, "spent", note))
        else:
            # the records this replica holds now: an edit earlier in the
            # round (here or merged in) may have settled one since the
            # last full exchange
            doc = (r.load(tid) if os.path.exists(r.task_file(tid))
                   else None) or {}
            recs = [c for c in doc.get("conflicts") or []
                    if c.get("reason") == "conflict"]
            if recs:
                rec = rng.choice(recs)
                r.ok("resolve", tid[:8], rec["field"],
                     rng.choice(["--ours", "--theirs"]), now=now)

    def hand_edit(self, r, deleted):
        """Edit a task file by hand, in another YAML style than delegit
        writes: delete a checkpoint, change a quality standard, quote the
        title and write the tags as a block list; commit it with plain
        git."""
        rng = self.rng
        tids = [t for t in self.tasks if t]
        if not tids:
            return
        tid = self.hot if self.hot and rng.random() < 0.5 else rng.choice(tids)
        path = r.task_file(tid)
        with open(path, encoding="utf-8") as f:
            before = f.read()
        lines = before.split("\n")
        doc = self.docs.get(tid, {})
        cps = [c["id"] for c in doc.get("checkpoints") or []]
        quality = (doc.get("expectations") or {}).get("quality") or []
        what = rng.choice([0, 1, 1, 1, 2])
        cps = [c for c in cps if "- id: " + c in lines]  # not gone here
        quality = [q for q in quality if "  - " + q in lines]
        if what == 0 and cps:
            cid = rng.choice(cps)
            i = lines.index("- id: " + cid)
            j = i + 1
            while j < len(lines) and lines[j].startswith("  "):
                j += 1
            if i + 1 < len(lines) and lines[i - 1] == "checkpoints:" and \
                    not (j < len(lines) and lines[j].startswith("- ")):
                lines[i - 1] = "checkpoints: []"  # the last one
            del lines[i:j]
            deleted.append((tid, cid))
        elif what == 1 and quality:
            old = rng.choice(quality)
            i = lines.index("  - " + old)
            lines[i] = "  - 'hand %d'" % rng.randrange(10 ** 6)
        for i, line in enumerate(lines):
            if line.startswith("title: ") and not line.startswith("title: '"):
                lines[i] = "title: " + yaml.safe_dump(
                    yaml.safe_load(line[7:]) if line[7:] else "",
                    default_style='"').strip()
            elif line.startswith("tags: [") and line != "tags: []":
                tags = [t.strip() for t in line[7:-1].split(",")]
                lines[i:i + 1] = ["tags:"] + ["- " + t for t in tags]
                break
        if "\n".join(lines) == before:
            return
        with open(path, "w", encoding="utf-8") as f:
            f.write("\n".join(lines))
        env = dict(r.env, GIT_AUTHOR_DATE=self.tick(),
                   GIT_COMMITTER_DATE=self.tick())
        subprocess.run(["git", "commit", "-qam", "by hand"], cwd=r.path,
                       env=env, check=True)

    def merge_both_ways(self, n, busy):
        """Two replicas (of those that worked this round) merge each
        other's commit with plain git; the two merges must give the same
        files."""
        i, j = self.rng.sample(sorted(busy), 2)
        a, b = self.net.replicas[i], self.net.replicas[j]
        a.git("update-ref", "refs/peer/snap", "HEAD")
        b.git("update-ref", "refs/peer/snap", "HEAD")
        a.git("fetch", "-q", b.path, "refs/peer/snap")
        a.git("merge", "-q", "--no-edit", "FETCH_HEAD")
        b.git("fetch", "-q", a.path, "refs/peer/snap")
        b.git("merge", "-q", "--no-edit", "FETCH_HEAD")
        self.test.assertEqual(a.git("rev-parse", "HEAD^{tree}"),
                              b.git("rev-parse", "HEAD^{tree}"),
                              "round %d: merged both ways, two results:\n%s"
                              % (n, a.git("diff", "HEAD", b.head())
                                 if a.git("cat-file", "-t", b.head(),
                                          check=False) == "commit"
                                 else ""))

    def round(self, n):
        writes, must_exist, deleted, busy = {}, [], [], set()
        known = [t for t in self.tasks if t]
        self.hot = self.rng.choice(known) if known else None
        for k, r in enumerate(self.net.replicas):
            if self.rng.random() < 0.75:
                busy.add(k)
                for _ in range(self.rng.randint(1, 3)):
                    self.edit(r, writes, must_exist)
            if self.rng.random() < 0.35:
                busy.add(k)
                self.hand_edit(r, deleted)
        if len(busy) >= 2 and self.rng.random() < 0.7:
            self.merge_both_ways(n, busy)
        order = list(range(3))
        self.rng.shuffle(order)
        self.net.sync_all(order=order)
        self.clock += 3600
        self.check(n, writes, must_exist, deleted)

    def check(self, n, writes, must_exist, deleted):
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
            final = "" if d.get(field) is None else str(d[field])
            kept = {"" if c.get("value") is None else str(c["value"])
                    for c in d.get("conflicts", []) if c["field"] == field}
            kept |= {"" if c.get("other") is None else str(c["other"])
                     for c in d.get("conflicts", []) if c["field"] == field}
            t.assertTrue(final == v or v in kept,
                         "round %d: %s of %s: %r was lost (final %r)"
                         % (n, field, tid, v, final))
        for tid, field, text in must_exist:
            items = docs[tid][field]
            key = {"feedback": "text", "spent": "note"}.get(field, "what")
            t.assertIn(text, [i[key] for i in items],
                       "round %d: %s lost from %s" % (n, text, field))
        for tid, cid in deleted:
            items = docs[tid].get("checkpoints") or []
            if cid in [c["id"] for c in items]:
                # kept only because someone changed it meanwhile: said so
                recs = [c for c in docs[tid].get("conflicts") or []
                        if c["field"] == "checkpoints[%s]" % cid
                        and c["reason"] == "deleted"]
                t.assertTrue(recs, "round %d: checkpoint %s of %s came "
                             "back after its deletion" % (n, cid, tid))


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
