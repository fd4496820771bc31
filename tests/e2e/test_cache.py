"""The task cache (.git/delegit-rows) is derived from content: plain git
(pull, checkout) and hand edits can never make `delegit list` stale. The
cache's blob ids are checked against git's own `git hash-object`."""
import json
import os
import struct
import subprocess
import time
import unittest

from helpers import DELEGIT, Repo, run_on_pty

MAGIC = b"delegit task rows 5\n"
FIELDS = 17
SIG = 7 * 8  # dev, ino, size, mtime s/ns, ctime s/ns


def cache_entries(repo):
    """{task id: blob id} read from the cache file, independently of
    delegit's own reader (the format is in core/rows.c)."""
    with open(os.path.join(repo.path, ".git", "delegit-rows"), "rb") as f:
        data = f.read()
    assert data.startswith(MAGIC)
    p = data.index(b"\0", len(MAGIC)) + 1 + 16
    out = {}
    while p < len(data):
        name = data[p:p + 36].decode()
        assert data[p + 36] == 0
        oid = data[p + 37 + SIG:p + 37 + SIG + 20].hex()
        p += 37 + SIG + 20
        for _ in range(FIELDS):
            if data[p] == 0:
                p += 1
            else:
                p = data.index(b"\0", p + 1) + 1
        out[name] = oid
    return out


def titles(repo, *args):
    """{short id: title} as `delegit list` prints them."""
    lines = repo.ok("list", "--all", *args).splitlines()[1:]
    return {line.split()[0]: line.split(None, 5)[5] for line in lines}


def settle():
    # Files written less than a second before a scan are verified by their
    # bytes; sleep past that, so that the stat shortcut is what is tested.
    time.sleep(2.1)


class TestCache(unittest.TestCase):
    def setUp(self):
        self.repo = Repo()
        self.ids = [self.repo.add("Task number %d" % i, "--to", "sam")["id"]
                    for i in range(3)]

    def tearDown(self):
        self.repo.close()

    def edit_same_size(self, task_id, old, new):
        """A hand edit that keeps the size and puts the mtime back."""
        path = self.repo.task_file(task_id)
        st = os.stat(path)
        with open(path, "rb") as f:
            text = f.read()
        self.assertEqual(len(old), len(new))
        with open(path, "r+b") as f:
            f.write(text.replace(old.encode(), new.encode()))
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
        self.assertEqual(os.stat(path).st_size, st.st_size)

    def test_blob_ids_are_gits(self):
        self.repo.ok("list")
        entries = cache_entries(self.repo)
        self.assertEqual(sorted(entries), sorted(self.ids))
        for task_id, oid in entries.items():
            self.assertEqual(oid, self.repo.git(
                "hash-object", self.repo.task_file(task_id)))

    def test_hand_edit_same_size_same_mtime(self):
        self.repo.ok("list")
        settle()
        self.repo.ok("list")  # every entry now trusted by its stat data
        self.edit_same_size(self.ids[1], "Task number 1", "Task NUMBER 1")
        self.assertIn("Task NUMBER 1", titles(self.repo).values())
        self.assertNotIn("Task number 1", titles(self.repo).values())
        # and the cache now has the new bytes' blob id
        self.assertEqual(cache_entries(self.repo)[self.ids[1]],
                         self.repo.git("hash-object",
                                       self.repo.task_file(self.ids[1])))

    def test_clock_stepped_back_then_an_edit(self):
        # The edit's times are older than the ones the cache saw, as after
        # the clock was set back; size unchanged
        self.repo.ok("list")
        settle()
        self.repo.ok("list")
        path = self.repo.task_file(self.ids[2])
        st = os.stat(path)
        self.edit_same_size(self.ids[2], "Task number 2", "Task NUMBER 2")
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns - 3600 * 10**9))
        self.assertIn("Task NUMBER 2", titles(self.repo).values())
        self.assertNotIn("Task number 2", titles(self.repo).values())

    def test_edit_right_after_a_list(self):
        # Within the same second as the scan: verified by the bytes.
        self.repo.ok("list")
        self.edit_same_size(self.ids[0], "Task number 0", "Task NUMBER 0")
        self.assertIn("Task NUMBER 0", titles(self.repo).values())

    def test_plain_git_pull_and_checkout(self):
        other = Repo(tmp=self.repo.tmp, name="other",
                     clone_from=self.repo.path)
        try:
            self.repo.ok("list")
            settle()
            self.repo.ok("list")
            before = self.repo.head()
            # Someone else changes a title with plain git; we pull with git.
            path = other.task_file(self.ids[2])
            with open(path, encoding="utf-8") as f:
                text = f.read()
            with open(path, "w", encoding="utf-8") as f:
                f.write(text.replace("Task number 2", "Task Number 2"))
            other.git("commit", "-qam", "retitle by hand")
            self.repo.git("pull", "-q", "--no-rebase", other.path, "main")
            self.assertIn("Task Number 2", titles(self.repo).values())
            # A plain checkout of the old commit, then back.
            settle()
            self.repo.git("checkout", "-q", before)
            self.assertIn("Task number 2", titles(self.repo).values())
            self.assertNotIn("Task Number 2", titles(self.repo).values())
            self.repo.git("checkout", "-q", "main")
            self.assertIn("Task Number 2", titles(self.repo).values())
        finally:
            other.close()

    def test_new_deleted_and_invalid_files(self):
        self.repo.ok("list")
        settle()
        new = self.repo.add("Brand new", "--to", "kim")["id"]
        self.assertIn("Brand new", titles(self.repo).values())
        os.unlink(self.repo.task_file(self.ids[0]))
        self.assertNotIn("Task number 0", titles(self.repo).values())
        # A broken hand edit: reported by name and position, never listed.
        with open(self.repo.task_file(new), "a", encoding="utf-8") as f:
            f.write("status: [unclosed\n")
        r = self.repo.run("list")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn(new + ".yaml:", r.stderr)
        self.assertNotIn("Brand new", r.stdout)
        self.repo.git("checkout", "--", self.repo.task_file(new))
        self.assertIn("Brand new", titles(self.repo).values())

    def workload(self, handle):
        people = json.loads(self.repo.ok("report", "workload", "--json"))
        row = [p for p in people["people"] if p["handle"] == handle][0]
        return row["open_tasks"], row["estimated_hours"]

    def test_reports_from_rows_follow_hand_edits_and_git(self):
        # workload and matrix read rows only, estimate_hours included
        for i, task_id in enumerate(self.ids):
            self.repo.ok("set", task_id[:8], "estimate_hours=%d" % (i + 2))
        self.assertEqual(self.workload("sam"), (3, 9))
        settle()
        self.assertEqual(self.workload("sam"), (3, 9))
        self.edit_same_size(self.ids[0], "estimate_hours: 2",
                            "estimate_hours: 7")
        self.assertEqual(self.workload("sam"), (3, 14))
        other = Repo(tmp=self.repo.tmp, name="other",
                     clone_from=self.repo.path)
        try:
            self.repo.git("checkout", "--", ".")
            other.ok("cancel", self.ids[1][:8], "-m", "not needed")
            other.ok("set", self.ids[2][:8], "priority=critical")
            self.repo.git("pull", "-q", "--no-rebase", other.path, "main")
            self.assertEqual(self.workload("sam"), (2, 6))
            matrix = json.loads(self.repo.ok("report", "matrix", "--json"))
            self.assertEqual([t["id"] for t in matrix["do"]], [self.ids[2]])
        finally:
            other.close()

    def test_damaged_cache_is_ignored(self):
        self.repo.ok("list")
        expect = titles(self.repo)
        cache = os.path.join(self.repo.path, ".git", "delegit-rows")
        with open(cache, "rb") as f:
            data = f.read()
        for damaged in (data[:len(data) // 2], b"garbage", data[:25],
                        data.replace(b"Task number", b"Task\0number")):
            with open(cache, "wb") as f:
                f.write(damaged)
            self.assertEqual(titles(self.repo), expect)
        # and a good cache was written again
        self.assertEqual(sorted(cache_entries(self.repo)), sorted(self.ids))

    def test_filters_and_json_agree_with_the_files(self):
        self.repo.ok("set", self.ids[0][:8], "priority=high")
        self.repo.ok("set", self.ids[1][:8], "tags=+backup")
        self.assertEqual(len(titles(self.repo, "--tag", "backup")), 1)
        self.assertIn("Task number 0",
                      titles(self.repo, "--sort", "priority").values())
        first = self.repo.ok("list", "--sort", "priority").splitlines()[1]
        self.assertIn("Task number 0", first)
        import json
        tasks = json.loads(self.repo.ok("list", "--json"))
        self.assertEqual(sorted(t["id"] for t in tasks), sorted(self.ids))


class TestIndex(unittest.TestCase):
    """A delegit commit edits git's index as bytes (sync/index.c): git
    must find it exactly as if `git add` had written it."""

    def setUp(self):
        self.repo = Repo()
        self.ids = [self.repo.add("Task %d" % i, "--to", "sam")["id"]
                    for i in range(3)]
        self.commits_before = int(self.repo.git("rev-list", "--count",
                                                "HEAD"))

    def tearDown(self):
        self.repo.close()

    def assert_git_agrees(self):
        git = self.repo.git
        self.assertEqual(git("status", "--porcelain"), "")
        # the stat data is git's: a refresh finds nothing to update
        self.assertEqual(git("update-index", "--refresh"), "")
        self.assertEqual(git("diff-index", "--cached", "HEAD"), "")
        # the trailing checksum and every entry are checked by fsck
        git("fsck", "--no-dangling")
        # the cache-tree: write-tree trusts its valid nodes, so a node
        # that should have been invalidated gives the wrong tree
        self.assertEqual(git("write-tree"), git("rev-parse", "HEAD^{tree}"))
        staged = sorted(line.split(None, 3)[1::2] for line in
                        git("ls-files", "-s").splitlines())
        committed = sorted(line.split(None, 3)[2::1][:1] +
                           line.split(None, 3)[3:] for line in
                           git("ls-tree", "-r", "HEAD").splitlines())
        self.assertEqual(staged, committed)

    def test_changes_keep_the_index_true(self):
        git = self.repo.git
        git("read-tree", "HEAD")  # a full, valid cache-tree to start from
        self.repo.ok("set", self.ids[0][:8], "priority=high")
        self.assert_git_agrees()
        git("read-tree", "HEAD")
        new = self.repo.add("In a new shard, perhaps", "--to", "kim")["id"]
        self.assert_git_agrees()
        self.repo.ok("cancel", new[:8])
        self.assert_git_agrees()
        self.repo.ok("team", "edit", "kim", "--skill", "vpn")
        self.assert_git_agrees()
        # git's own commit on top of ours
        with open(self.repo.task_file(self.ids[1]), "a") as f:
            f.write("extra: kept\n")
        git("commit", "-qam", "a hand edit, committed by git")
        self.repo.ok("set", self.ids[1][:8], "priority=low")
        self.assert_git_agrees()
        with open(self.repo.task_file(self.ids[1])) as f:
            self.assertIn("extra: kept", f.read())

    def test_unusual_indexes_fall_back_to_libgit2(self):
        # (A split index, core.splitIndex, is one libgit2 1.5 cannot
        # write at all; docs/design.md says so.)
        git = self.repo.git
        for setup in (["update-index", "--index-version", "4"],
                      ["update-index", "--index-version", "2"],
                      ["update-index", "--untracked-cache"]):
            git(*setup)
            self.repo.ok("set", self.ids[2][:8], "estimate_hours=%d"
                         % (len(setup[1]) + 1))
            self.assert_git_agrees()

    def test_held_index_lock_commits_nothing_and_nothing_is_undone(self):
        lock = os.path.join(self.repo.path, ".git", "index.lock")
        head = self.repo.head()
        before = self.repo.load(self.ids[0])["priority"]
        open(lock, "w").close()
        r = self.repo.run("set", self.ids[0][:8], "priority=high")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("git is busy", r.stderr)
        self.assertIn("index.lock", r.stderr)
        self.assertIn("nothing was committed", r.stderr)
        self.assertTrue(os.path.exists(lock))  # someone else's: kept
        self.assertEqual(self.repo.head(), head)
        self.assertEqual(self.repo.load(self.ids[0])["priority"], before)
        os.unlink(lock)
        # nothing half done for a later command to take back: the same
        # change goes through, and git agrees
        self.repo.ok("set", self.ids[0][:8], "priority=high")
        self.assertEqual(self.repo.load(self.ids[0])["priority"], "high")
        self.assertEqual(self.repo.git("log", "-1", "--format=%s",
                                       "--", os.path.relpath(
                                           self.repo.task_file(self.ids[0]),
                                           self.repo.path)).split()[0],
                         "set")
        self.assert_git_agrees()

    def test_parallel_commands_wait_for_each_other(self):
        # (the wait is what is tested, not its limit: valgrind makes each
        # command slow)
        self.repo.git("config", "delegit.lockTimeout", "600")
        procs = [subprocess.Popen(
            [DELEGIT, "set", self.ids[k % 3][:8],
             "estimate_hours=%d" % (k + 1)], cwd=self.repo.path,
            env=self.repo.env, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE) for k in range(10)]
        codes = [p.wait(timeout=120) for p in procs]
        errs = [p.stderr.read().decode() for p in procs]
        for p in procs:
            p.stdout.close()
            p.stderr.close()
        self.assertEqual(codes, [0] * 10, errs)
        self.assertEqual(int(self.repo.git("rev-list", "--count", "HEAD")),
                         self.commits_before + 10)
        self.assert_git_agrees()


class TestHistoryIndex(unittest.TestCase):
    """.git/delegit-history indexes commits by id: moving HEAD with plain
    git (reset, pull, checkout) never shows a commit HEAD does not reach,
    and a damaged index file only costs time."""

    def setUp(self):
        self.repo = Repo()
        self.id = self.repo.add("Indexed", "--to", "sam")["id"]
        self.repo.ok("set", self.id[:8], "priority=high")

    def tearDown(self):
        self.repo.close()

    def log(self):
        return self.repo.ok("log", self.id[:8])

    def newest_block(self):
        """The newest block's mark: "bld" when its tip reaches every
        record indexed (a query then walks no parents), else "blk"."""
        path = os.path.join(self.repo.path, ".git", "delegit-history")
        with open(path, "rb") as f:
            data = f.read()
        p, mark = len(b"delegit history 1\n"), None
        while data[p:p + 2] == b"bl":
            mark = data[p:p + 3].decode()
            p += 16 + struct.unpack("<Q", data[p + 8:p + 16])[0]
        self.assertEqual(p, len(data))
        return mark

    def test_reset_pull_and_damage(self):
        self.assertIn("priority: normal -> high", self.log())
        self.repo.ok("set", self.id[:8], "priority=low")
        self.assertIn("priority: high -> low", self.log())
        self.assertEqual(self.newest_block(), "bld")
        # HEAD moved back by plain git: the undone change is not shown
        self.repo.git("reset", "-q", "--hard", "HEAD~1")
        self.assertNotIn("high -> low", self.log())
        self.assertIn("normal -> high", self.log())
        # a change pulled with plain git shows up, the undone one still
        # not: the new block's tip does not reach it
        other = Repo(tmp=self.repo.tmp, name="other",
                     clone_from=self.repo.path)
        try:
            other.as_("sam")
            other.ok("start", self.id[:8])
            self.repo.git("pull", "-q", "--no-rebase", other.path, "main")
            self.assertIn("status: open -> in-progress", self.log())
            self.assertNotIn("high -> low", self.log())
            self.assertEqual(self.newest_block(), "blk")
        finally:
            other.close()
        # and not after one more change either
        self.repo.ok("set", self.id[:8], "priority=critical")
        self.assertIn("high -> critical", self.log())
        self.assertNotIn("high -> low", self.log())
        self.assertEqual(self.newest_block(), "blk")
        # damaged or cut: rebuilt, same answer
        path = os.path.join(self.repo.path, ".git", "delegit-history")
        expect = self.log()
        with open(path, "rb") as f:
            data = f.read()
        for damaged in (data[:len(data) - 7], b"nonsense", data + b"blk\n"):
            with open(path, "wb") as f:
                f.write(damaged)
            self.assertEqual(self.log(), expect)
        self.assertEqual(self.log(), expect)

    def test_index_of_an_older_delegit_learns_what_its_tip_reaches(self):
        self.log()
        self.repo.ok("set", self.id[:8], "priority=low")
        self.log()
        # as a delegit from before "bld" wrote it: every block says "blk"
        path = os.path.join(self.repo.path, ".git", "delegit-history")
        with open(path, "rb") as f:
            data = bytearray(f.read())
        p = len(b"delegit history 1\n")
        while data[p:p + 2] == b"bl":
            data[p:p + 4] = b"blk\n"
            p += 16 + struct.unpack("<Q", bytes(data[p + 8:p + 16]))[0]
        with open(path, "wb") as f:
            f.write(data)
        self.assertEqual(self.newest_block(), "blk")
        self.repo.ok("set", self.id[:8], "priority=critical")
        log = self.log()
        self.assertEqual(self.newest_block(), "bld")
        for change in ("normal -> high", "high -> low", "low -> critical"):
            self.assertIn(change, log)


class TestEventsCache(unittest.TestCase):
    """.git/delegit-events keeps each commit's field changes by commit id
    and path: served from there, never stale after plain git (an amended
    commit is another commit), and a damaged file only costs time."""

    def setUp(self):
        self.repo = Repo()
        self.id = self.repo.add("Cached", "--to", "sam")["id"]
        self.repo.ok("set", self.id[:8], "priority=high")
        self.path = os.path.join(self.repo.path, ".git", "delegit-events")

    def tearDown(self):
        self.repo.close()

    def log(self):
        return self.repo.ok("log", self.id[:8])

    def test_served_from_the_cache(self):
        self.assertIn("priority: normal -> high", self.log())
        with open(self.path, "rb") as f:
            data = f.read()
        self.assertTrue(data.startswith(b"delegit events 3 "))
        self.assertEqual(data.count(b"\x01high\x00"), 1)
        # the same bytes but for one value: what log shows is the file's
        with open(self.path, "wb") as f:
            f.write(data.replace(b"\x01high\x00", b"\x01HIGH\x00"))
        self.assertIn("priority: normal -> HIGH", self.log())

    def test_amended_with_plain_git_and_damaged(self):
        self.assertIn("priority: normal -> high", self.log())
        rel = self.repo.git("ls-files", "tasks/")
        task = os.path.join(self.repo.path, rel)
        with open(task) as f:
            text = f.read()
        with open(task, "w") as f:
            f.write(text.replace("priority: high", "priority: low"))
        self.repo.git("commit", "-q", "--amend", "--no-edit", "-a")
        log = self.log()
        self.assertIn("priority: normal -> low", log)
        self.assertNotIn("high", log)
        expect = self.repo.ok("report", "accountability")
        with open(self.path, "rb") as f:
            data = f.read()
        for damaged in (data[:len(data) - 7], b"nonsense",
                        data + b"evb\n", data[:40]):
            with open(self.path, "wb") as f:
                f.write(damaged)
            self.assertEqual(self.log(), log)
            self.assertEqual(self.repo.ok("report", "accountability"),
                             expect)
        os.remove(self.path)
        self.assertEqual(self.log(), log)


TREES_MAGIC = b"delegit task trees 2\n"


def trees_checksum(data):
    """An entry's check, as core/trees.c's checksum computes it."""
    mul, mask = 0x9e3779b97f4a7c15, (1 << 64) - 1
    h, i = len(data), 0
    while i + 8 <= len(data):
        h = ((h ^ int.from_bytes(data[i:i + 8], "little")) * mul) & mask
        h ^= h >> 29
        i += 8
    h = ((h ^ int.from_bytes(data[i:], "little")) * mul) & mask
    h ^= h >> 29
    return (h ^ (h >> 32)) & 0xffffffff


def trees_read(path):
    """(header, [(blob id, payload)]) of .git/delegit-trees, read
    independently of delegit (the format is in core/trees.c)."""
    with open(path, "rb") as f:
        data = f.read()
    assert data.startswith(TREES_MAGIC)
    p = data.index(b"\0", len(TREES_MAGIC)) + 1 + 24
    head, entries = data[:p], []
    while p < len(data):
        oid = data[p:p + 20]
        n, check = struct.unpack("<II", data[p + 20:p + 28])
        payload = data[p + 28:p + 28 + n]
        assert len(payload) == n and trees_checksum(payload) == check, "damaged"
        entries.append((oid, payload))
        p += 28 + n
    return head, entries


def trees_write(path, head, entries):
    with open(path, "wb") as f:
        f.write(head)
        for oid, payload in entries:
            f.write(oid + struct.pack("<II", len(payload), trees_checksum(payload))
                    + payload)


class TestTreesCache(unittest.TestCase):
    """.git/delegit-trees keeps each task file's parsed tree by blob id, for
    the commands that read every task (reports, the page, export, search):
    served from there, never stale after a hand edit or plain git, only
    valid files in it, a damaged or foreign file only costs time, and it
    does not grow without bound."""

    def setUp(self):
        self.repo = Repo()
        self.ids = [self.repo.add("Tree number %d" % i, "--to", "sam")["id"]
                    for i in range(3)]
        self.repo.ok("feedback", self.ids[0][:8], "Well done, tree")
        self.path = os.path.join(self.repo.path, ".git", "delegit-trees")

    def tearDown(self):
        self.repo.close()

    def export(self):
        return self.repo.ok("export", "--json", "--all")

    def test_served_from_the_cache(self):
        expect = self.export()
        head, entries = trees_read(self.path)
        self.assertEqual(len(entries), 3)
        oids = {bytes.fromhex(self.repo.git("hash-object",
                                            self.repo.task_file(i)))
                for i in self.ids}
        self.assertEqual({oid for oid, _ in entries}, oids)
        self.assertEqual(self.export(), expect)
        # the same entries but for one text: what export shows is the
        # cache's, so it is what is read
        trees_write(self.path, head,
                    [(oid, p.replace(b"Tree number 1", b"Tree NUMBER 1"))
                     for oid, p in entries])
        self.assertIn("Tree NUMBER 1", self.export())

    def test_hand_edits_and_plain_git(self):
        self.export()
        path = self.repo.task_file(self.ids[2])
        with open(path) as f:
            text = f.read()
        with open(path, "w") as f:
            f.write(text.replace("Tree number 2", "Tree edited 2"))
        out = self.export()
        self.assertIn("Tree edited 2", out)
        self.assertNotIn("Tree number 2", out)
        self.repo.git("checkout", "--", ".")
        out = self.export()
        self.assertIn("Tree number 2", out)
        self.assertNotIn("Tree edited 2", out)
        self.repo.ok("set", self.ids[1][:8], "priority=high")
        self.repo.git("reset", "-q", "--hard", "HEAD~1")
        self.assertEqual([t["priority"] for t in json.loads(self.export())
                          if t["id"] == self.ids[1]], ["normal"])

    def test_invalid_files_are_never_kept(self):
        path = self.repo.task_file(self.ids[2])
        with open(path) as f:
            text = f.read()
        with open(path, "w") as f:
            f.write(text.replace("status: open", "status: bogus"))
        for _ in range(2):
            r = self.repo.run("export", "--json", "--all")
            self.assertIn(self.ids[2] + ".yaml:", r.stderr)
            self.assertIn("bogus", r.stderr)
        _, entries = trees_read(self.path)
        self.assertEqual(len(entries), 2)

    def test_damaged_and_foreign_files_only_cost_time(self):
        expect = self.export()
        with open(self.path, "rb") as f:
            data = f.read()
        head, entries = trees_read(self.path)
        flipped = bytearray(data)
        flipped[len(head) + 40] ^= 0x20  # in the first payload
        other = bytearray(head)
        other[-1] ^= 1  # another program's
        for damaged in (data[:len(data) - 7], b"nonsense", data[:10],
                        data + b"\0" * 64, bytes(flipped),
                        bytes(other) + data[len(head):],
                        data + os.urandom(200)):
            with open(self.path, "wb") as f:
                f.write(damaged)
            self.assertEqual(self.export(), expect)
            # written anew where it was not to be trusted
            _, again = trees_read(self.path)
            self.assertEqual(sorted(again), sorted(entries))

    def test_old_entries_go_when_it_is_written_anew(self):
        self.export()
        head, entries = trees_read(self.path)
        junk = [(os.urandom(20), entries[0][1]) for _ in range(100)]
        trees_write(self.path, head, entries + junk)
        self.repo.ok("set", self.ids[0][:8], "priority=low")
        self.export()
        _, again = trees_read(self.path)
        now = {bytes.fromhex(self.repo.git("hash-object",
                                           self.repo.task_file(i)))
               for i in self.ids}
        self.assertEqual({oid for oid, _ in again}, now)


class TestFirstQueryProgress(unittest.TestCase):
    """The first history query of a clone indexes every commit and reads
    every change once: on a terminal it says how far it is, once it has
    taken a moment (DELEGIT_PROGRESS_DELAY); never into a pipe, and a
    warm query, which takes none, shows nothing."""

    def setUp(self):
        import tempfile
        self.tmp = tempfile.mkdtemp(prefix="delegit-e2e-")
        self.path = os.path.join(self.tmp, "repo")
        gen = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                           "..", "..", "bench", "generate.py")
        # 400 tasks, 1,202 commits, by git fast-import
        subprocess.run(["/usr/bin/python3", gen, DELEGIT, self.path, "400"],
                       check=True, capture_output=True)
        self.env = dict(os.environ, DELEGIT_NOW="2026-11-30T12:00:00Z",
                        HOME=self.tmp, GIT_CONFIG_NOSYSTEM="1",
                        NO_COLOR="1")

    def tearDown(self):
        import shutil
        shutil.rmtree(self.tmp)

    def run_pty(self, delay, *args):
        env = dict(self.env, DELEGIT_PROGRESS_DELAY=delay, DELEGIT_PAGER="cat")
        status, out = run_on_pty([DELEGIT, *args], self.path, env,
                                 timeout=120)
        self.assertEqual(status, 0, out)
        return out.decode()

    def test_progress_on_a_terminal_only_while_it_takes(self):
        r = subprocess.run([DELEGIT, "report", "delivery"], cwd=self.path,
                           env=dict(self.env, DELEGIT_PROGRESS_DELAY="0"),
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stderr, "")  # a pipe: no progress
        git_dir = os.path.join(self.path, ".git")
        kept = [n for n in os.listdir(git_dir)
                if n.startswith(("delegit-history", "delegit-events",
                                 "delegit-walk-"))]
        self.assertEqual(len(kept), 3, kept)
        for name in kept:  # a fresh clone's
            os.remove(os.path.join(git_dir, name))
        out = self.run_pty("0", "report", "delivery")
        self.assertIn("\rindexing history: 1024 commits", out)
        self.assertIn("\rindexing history 1202/1202\r\n", out)
        self.assertIn("\rreading changes 1024/", out)
        self.assertNotIn("\\n", out)
        # warm, with the usual delay: nothing to wait for, nothing shown
        out = self.run_pty("", "report", "delivery")
        self.assertNotIn("indexing", out)
        self.assertNotIn("reading changes", out)


class TestWalkCache(unittest.TestCase):
    """The reports' walk of history (every change of status) is kept at
    each HEAD (.git/delegit-walk-*): replayed as the walk said it, never
    another HEAD's (a change, a reset with plain git), and who made a
    change is judged by the team as it is now, not as when it was kept."""

    NOW = "2026-11-20T12:00:00Z"  # the reports' (they depend on it)

    def setUp(self):
        r = self.repo = Repo()
        self.t = r.add("Backup", "--to", "sam",
                       now="2026-11-02T09:00:00Z")["id"][:8]
        r.as_("sam")
        r.ok("start", self.t, now="2026-11-02T10:00:00Z")
        r.ok("submit", self.t, now="2026-11-03T10:00:00Z")
        r.as_("dana")
        r.ok("accept", self.t, now="2026-11-04T10:00:00Z")
        self.git_dir = os.path.join(r.path, ".git")

    def tearDown(self):
        self.repo.close()

    def kept(self):
        return [n for n in os.listdir(self.git_dir)
                if n.startswith("delegit-walk-")]

    def reports(self):
        return [self.repo.ok("report", name, "--json", now=self.NOW)
                for name in ("delivery", "sla", "trend")]

    def walked(self):
        """The reports, the history walked again (nothing kept)."""
        for name in self.kept():
            os.remove(os.path.join(self.git_dir, name))
        return self.reports()

    def reviewer(self, out, handle):
        """How many reviews handle accepted (0: not a reviewer)."""
        rows = json.loads(out)["reviewers"]
        return sum(x["accepted"] for x in rows if x["handle"] == handle)

    def test_replayed_at_the_same_head_only(self):
        first = self.reports()
        self.assertEqual(len(self.kept()), 1)
        self.assertEqual(self.reviewer(first[0], "dana"), 1)
        self.assertEqual(self.reports(), first)
        self.assertEqual(len(self.kept()), 1)
        self.assertEqual(self.walked(), first)
        # Dana's address changed by hand: her decision is no longer hers
        path = os.path.join(self.repo.path, "team", "dana.yaml")
        with open(path) as f:
            text = f.read()
        with open(path, "w") as f:
            f.write(text.replace("dana@", "dana.old@"))
        changed = self.reports()
        self.assertEqual(self.reviewer(changed[0], "dana"), 0)
        self.assertEqual(self.walked(), changed)
        self.repo.git("checkout", "--", "team")
        self.assertEqual(self.reports(), first)
        # a change on top: its HEAD's walk
        self.repo.ok("reopen", self.t, now="2026-11-05T10:00:00Z")
        reopened = self.reports()
        self.assertNotEqual(reopened, first)
        self.assertEqual(self.walked(), reopened)
        # set back with plain git: not the later HEAD's walk
        self.repo.git("reset", "-q", "--hard", "HEAD~1")
        self.assertEqual(self.reports(), first)
        self.assertEqual(len(self.kept()), 1)


    def test_extended_by_what_head_gained_even_a_merge(self):
        # kept at one HEAD, then work on top and a merge of work done
        # elsewhere earlier (its commits older than the kept ones): the
        # kept walk extended says what a whole walk says
        first = self.reports()
        other = Repo(tmp=self.repo.tmp, name="other",
                     clone_from=self.repo.path)
        try:
            other.as_("dana")
            t2 = other.add("Offline", "--to", "kim",
                           now="2026-11-03T08:00:00Z")["id"][:8]
            other.as_("kim")
            other.ok("start", t2, now="2026-11-03T09:00:00Z")
            other.ok("submit", t2, now="2026-11-03T10:00:00Z")
            self.repo.ok("reopen", self.t, now="2026-11-05T10:00:00Z")
            extended = self.reports()
            self.assertNotEqual(extended, first)
            self.assertEqual(self.walked(), extended)
            self.repo.as_("sam")
            self.repo.ok("submit", self.t, now="2026-11-06T10:00:00Z")
            self.repo.as_("dana")
            self.reports()
            self.repo.git("pull", "-q", "--no-rebase", other.path, "main")
            merged = self.reports()
            self.assertNotEqual(merged, extended)
            self.assertEqual(self.walked(), merged)
            self.assertEqual(len(self.kept()), 1)
        finally:
            other.close()


class TestCheckFromTheRows(unittest.TestCase):
    """`check` takes a task file's validity from the rows cache and looks
    only its people up: a person who leaves the team, a file edited by
    hand, still reported with line and column, as a full check does."""

    def setUp(self):
        self.repo = Repo()
        self.tid = self.repo.add("Checked", "--to", "sam")["id"]
        self.repo.as_("kim")
        self.repo.ok("feedback", self.tid[:8], "Noted")
        self.repo.as_("dana")

    def tearDown(self):
        self.repo.close()

    def check(self):
        return self.repo.run("check")

    def test_people_gone_and_hand_edits(self):
        self.assertEqual(self.check().returncode, 0)
        self.assertEqual(self.check().returncode, 0)  # from the rows
        # kim, the feedback's author only, leaves the team: the file did
        # not change, its person did
        os.remove(os.path.join(self.repo.path, "team", "kim.yaml"))
        r = self.check()
        self.assertEqual(r.returncode, 1, r.stdout)
        rel = "tasks/%s/%s.yaml" % (self.tid[:2], self.tid)
        self.assertRegex(r.stderr, rel.replace(".", r"\.") +
                         r":\d+:\d+: 'author': unknown person 'kim'")
        self.repo.git("checkout", "-q", "--", "team")
        self.assertEqual(self.check().returncode, 0)
        # a hand edit the rows have not seen: its problem named
        path = self.repo.task_file(self.tid)
        with open(path) as f:
            text = f.read()
        with open(path, "w") as f:
            f.write(text.replace("assignee: sam", "assignee: nobody"))
        r = self.check()
        self.assertEqual(r.returncode, 1)
        self.assertIn("'assignee': unknown person 'nobody'", r.stderr)
        # the file's id not its name, written by hand
        other = self.repo.add("Other")["id"]
        with open(self.repo.task_file(other)) as f:
            text = f.read()
        with open(self.repo.task_file(other), "w") as f:
            f.write(text.replace("id: " + other, "id: " + self.tid))
        r = self.check()
        self.assertIn("does not match the file name", r.stderr)


if __name__ == "__main__":
    unittest.main()
