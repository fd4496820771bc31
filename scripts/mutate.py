#!/usr/bin/python3
"""The mutation harness (`make mutate`): Debian has no mutation tool for C,
so this one rewrites the source one line at a time and runs the tests that
should notice.

usage: scripts/mutate.py [--build DIR] [--max N] [--seed S] [--jobs J]
                         [--no-coverage] [--file-tests] [--list]
                         [FILE[:FUNC,...] ...]
       scripts/mutate.py --ci LIST [--build DIR] [--jobs J]

Operators, each applied alone to one line of code (never to a comment, a
string or a preprocessor line):
  cmp       == and != swapped; < and <=, > and >= swapped (a bound moved)
  logic     && and || swapped
  not       a ! dropped
  negate    if (c) and while (c) made if (!(c)), while (!(c))
  if-const  if (c) made if (0) and if (1)
  drop-cond one side of && or || dropped (a && b: a, or b)
  const     an integer constant plus or minus one (-1 and 0 included)
  stmt      a statement line (a call, an assignment, x++, break, continue,
            goto) replaced by an empty statement; not a release (free,
            *_free, *_dispose, fclose), nor anything in a function that
            only releases (*_free, *_dispose): those are for the leak
            checker of make test-san, which runs every test
  swap      two adjacent arguments of a call that are plain identifiers
            swapped (one of a different type does not compile: invalid)

Each worker has its own copy of the tree and its own incremental build
(DIR/wN/src, DIR/wN/build): a mutant is written into the copy, only the
targets its tests need are rebuilt (one object recompiles), its tests run
cheapest first until one fails, and the copy is restored, whatever happened.
The checkout itself is never written.

Which tests: unless --no-coverage, every test (but the long convergence
simulation) first runs once alone in a --coverage build (DIR/cov), which
says which tests execute each line; a mutant then runs only the tests that
execute its line. A mutant on a line no test executes survives without a
run ("not covered"). A line gcov does not count (a declaration, a table, a
continued expression) gets its file's tests, TESTS below. The same run is
the baseline: tests that fail unmutated are left out (with a warning), and
each test's time there sets its timeout (3 times, at least 60 s).
--file-tests: that run (and so the mutants) takes only the tests TESTS
names for the files asked, not every test: quicker for one file (for
sync/remote.c, 23 tests, 10 minutes on two shared cores), and a kill rate
that can only be lower.

Results: killed (a test failed, or timed out), survived, equivalent (a
survivor listed in scripts/mutate-equivalent.txt, with why), invalid (does
not compile; not counted). DIR/results.json holds every mutant with its
diff; DIR/summary.md the table per file, printed at the end.

Sampling: --max N takes N mutants per file (0: all), spread over its lines,
the same ones for the same seed and source.

--ci LIST runs the mutants LIST names, each with the tests it names, and
fails unless each ends as LIST expects (make mutate-ci, run by make test).
"""
import argparse
import hashlib
import json
import os
import queue
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# The files that decide trust and data (issue 20); sync/repo.c for its lock;
# sync/status.c, which may tell a sync that no hand edit is there;
# sync/checkout.c, which writes what another member pushed.
DEFAULT_FILES = [
    "core/merge.c", "core/policy.c", "core/task.c", "core/validate.c",
    "core/time.c", "schema/schema.c", "core/rows.c", "core/store.c",
    "sync/policy.c", "sync/remote.c", "sync/sshsig.c", "sync/status.c",
    "sync/checkout.c", "sync/repo.c:dlg_repo_lock,dlg_repo_unlock",
]

# A file's tests when the coverage run cannot say (--no-coverage, or a line
# gcov does not count): its unit tests and the e2e classes of its area.
# The unit executables: core/'s and schema/'s are test_<area> (test_merge,
# test_schema, ...), sync/'s test_sync_<area>, and sshsig.
CORE_UNIT = "test_(?!sync_).*"
SYNC_UNIT = "test_sync_.*"
TESTS = {
    "core/merge.c": "test_.*|e2e_(Merge|OfflineAndSafety|EvilMerge|"
                    "StampsInMerges|Accountability|HostileFilesThroughSync)",
    "core/policy.c": "test_.*|e2e_(Warn|Enforce|HostileFilesThroughSync|"
                     "SmuggledPolicy|TeamGames|ServerHook|EvilMerge)",
    "core/task.c": CORE_UNIT + "|e2e_(Add|Workflow|ListShowAgenda|"
                   "BadInput|HostileCorpus)",
    "core/validate.c": CORE_UNIT + "|e2e_(BadInput|HostileCorpus|"
                       "HostileFilesThroughSync)",
    "core/time.c": CORE_UNIT + "|e2e_(Add|BadInput|Stamps|StampsInMerges|"
                   "Reports)",
    "schema/schema.c": CORE_UNIT + "|e2e_(BadInput|HostileCorpus)",
    "core/rows.c": CORE_UNIT + "|e2e_(Cache|Index|ListShowAgenda)",
    "core/store.c": CORE_UNIT + "|e2e_(Add|Cache|Index|IdentityAndSafety|"
                    "ListShowAgenda|FaultTargets|Faults)",
    "sync/policy.c": SYNC_UNIT + "|e2e_(Warn|Enforce|SmuggledPolicy|"
                     "TeamGames|EvilMerge|UnrelatedHistory|NeverWedged|"
                     "ServerHook|Accountability|Stamps|StampsInMerges|"
                     "ForgedAuthor|RulesInHistory|FaultsAudit|FaultsSigned)",
    "sync/remote.c": SYNC_UNIT + "|e2e_(Merge|FastMerge|OfflineAndSafety|"
                     "Transports|Timeouts|SyncEdges|RemoteEdges|"
                     "UnrelatedHistory|NeverWedged|ServerHook|RemoteErrors|"
                     "DiskFull|SyncSummary|FaultsSync|FaultsCredentials|"
                     "FaultTargets|FaultsRemote)",
    "sync/sshsig.c": "sshsig|e2e_(ForgedAuthor|FaultTargets)",
    "sync/status.c": "test_sync_(status|commit)|e2e_(OfflineAndSafety|FaultsCommit)",
    "sync/checkout.c": "test_sync_checkout|e2e_(FastCheckout|FastMerge|"
                       "SyncEdges|FaultsRemote)",
    "sync/repo.c": SYNC_UNIT + "|e2e_(OfflineAndSafety|IdentityAndSafety|"
                   "FaultTargets)",
}
DEFAULT_TESTS = "test_.*|sshsig|e2e_.*"
# Too long to run per mutant (minutes); make converge runs it.
NEVER = {"converge"}

# What each test runs: the unit tests their executable (each test_* is
# named after its own), the rest delegit.
TARGET = {"sshsig": "test_sshsig"}

# Type mismatches an argument swap makes are errors, not warnings: such a
# mutant is invalid, not a run of the tests.
MUTANT_CFLAGS = ("-O1 -Werror=incompatible-pointer-types -Werror=int-conversion"
                 " -Werror=discarded-qualifiers"
                 " -Werror=implicit-function-declaration")


def log(msg):
    print(msg, flush=True)


# ---------------------------------------------------------------- lexing

def code_lines(text):
    """Each line with comments and the insides of string and character
    literals blanked, and whether it is a preprocessor line."""
    out, pp = [], []
    masked = []
    i, n = 0, len(text)
    state = None  # None, "block", "line", '"', "'"
    while i < n:
        c = text[i]
        if state is None:
            if text.startswith("/*", i):
                state = "block"
                masked.append("  ")
                i += 2
                continue
            if text.startswith("//", i):
                state = "line"
                masked.append("  ")
                i += 2
                continue
            if c in "\"'":
                state = c
            masked.append(c)
        elif state == "block":
            if text.startswith("*/", i):
                state = None
                masked.append("  ")
                i += 2
                continue
            masked.append("\n" if c == "\n" else " ")
        elif state == "line":
            if c == "\n":
                state = None
                masked.append(c)
            else:
                masked.append(" ")
        else:
            if c == "\\" and i + 1 < n:
                masked.append("  " if text[i + 1] != "\n" else " \n")
                i += 2
                continue
            if c == state:
                state = None
                masked.append(c)
            elif c == "\n":  # unterminated: give up on this literal
                state = None
                masked.append(c)
            else:
                masked.append(" ")
        i += 1
    out = "".join(masked).split("\n")
    cont = False
    for line in out:
        is_pp = cont or line.lstrip().startswith("#")
        pp.append(is_pp)
        cont = is_pp and line.rstrip().endswith("\\")
    return out, pp


TOKEN = re.compile(r"""
  (?P<float>\d+\.\d*(?:[eE][+-]?\d+)?[fFlL]?|\d+[eE][+-]?\d+[fFlL]?)
| (?P<num>0[xX][0-9a-fA-F]+[uUlL]*|\d+[uUlL]*)
| (?P<id>[A-Za-z_]\w*)
| (?P<op><<=|>>=|->|\+\+|--|<<|>>|<=|>=|==|!=|&&|\|\||[-+*/%&|^]=|
         [-+*/%&|^!~<>=?:;,.(){}\[\]"'])
| (?P<other>\S)
""", re.X)


def tokens(line):
    return [(m.lastgroup, m.group(), m.start(), m.end())
            for m in TOKEN.finditer(line)]


def functions(lines):
    """The function each line is in (house style: the name at column 0,
    the braces alone at column 0), or ''."""
    names, current, candidate = [], "", ""
    for line in lines:
        if line.startswith("{") and candidate:
            current = candidate
        m = re.match(r"[A-Za-z_][^;=]*?\b(\w+)\s*\(", line)
        if m and not line.rstrip().endswith(";"):
            candidate = m.group(1)
        names.append(current)
        if line.startswith("}"):
            current = candidate = ""
    return names


# ---------------------------------------------------------------- operators

CMP = {"==": "!=", "!=": "==", "<": "<=", "<=": "<", ">": ">=", ">=": ">"}
LOGIC = {"&&": "||", "||": "&&"}
RELEASE = re.compile(r"(free|fclose|\w+_free|\w+_dispose)\s*\(")
DECL_WORDS = {
    "static", "const", "int", "char", "unsigned", "signed", "long", "short",
    "size_t", "ssize_t", "double", "float", "struct", "enum", "union", "void",
    "bool", "uint8_t", "uint16_t", "uint32_t", "uint64_t", "int8_t",
    "int16_t", "int32_t", "int64_t", "time_t", "FILE", "pid_t", "off_t",
    "typedef", "extern", "register", "volatile", "return", "else", "case",
    "default", "do", "if", "for", "while", "switch", "sizeof",
}
NOT_CALLS = {"if", "for", "while", "switch", "return", "sizeof", "defined"}
NOT_PLAIN = {"NULL", "true", "false"}
STOP_LEFT = {"&&", "||", "?", ":", ",", "=", ";", "{", "}", "return",
             "+=", "-=", "*=", "/=", "|=", "&=", "^=", "%=", "<<=", ">>="}
STOP_RIGHT = {"&&", "||", "?", ":", ",", ";"}


def matching(toks, i):
    """Index of the bracket closing toks[i] on the same line, or None."""
    depth = 0
    for j in range(i, len(toks)):
        t = toks[j][1]
        if t in "([":
            depth += 1
        elif t in ")]":
            depth -= 1
            if depth == 0:
                return j
    return None


def operand_left(toks, i):
    depth = 0
    for j in range(i - 1, -1, -1):
        t = toks[j][1]
        if t in (")", "]"):
            depth += 1
        elif t in ("(", "["):
            if depth == 0:
                return j + 1
            depth -= 1
        elif depth == 0 and t in STOP_LEFT:
            return j + 1
    return 0


def operand_right(toks, i):
    depth = 0
    for j in range(i + 1, len(toks)):
        t = toks[j][1]
        if t in ("(", "["):
            depth += 1
        elif t in (")", "]"):
            if depth == 0:
                return j
            depth -= 1
        elif depth == 0 and t in STOP_RIGHT:
            return j
    return len(toks)


def int_value(text):
    body = text.rstrip("uUlL")
    suffix = text[len(body):]
    if body[:2] in ("0x", "0X"):
        return int(body, 16), lambda v: hex(v) + suffix
    if len(body) > 1 and body[0] == "0":
        return int(body, 8), lambda v: "0" + format(v, "o") + suffix
    return int(body), lambda v: str(v) + suffix


def is_declaration(line):
    s = line.strip()
    first = re.match(r"[A-Za-z_]\w*", s)
    if first and first.group() in DECL_WORDS:
        return True
    return re.match(r"[A-Za-z_]\w*\s+[*\s]*[A-Za-z_]\w*\s*(=|;|\[|,)",
                    s) is not None


def line_mutants(raw, code, prev_code):
    """(operator, new raw line) for one line of code."""
    toks = tokens(code)
    found = []

    def sub(start, end, text):
        return raw[:start] + text + raw[end:]

    for k, (kind, text, s, e) in enumerate(toks):
        if kind == "op" and text in CMP:
            found.append(("cmp", sub(s, e, CMP[text])))
        if kind == "op" and text in LOGIC:
            found.append(("logic", sub(s, e, LOGIC[text])))
            lo, hi = operand_left(toks, k), operand_right(toks, k)
            if lo < k:
                # a && b -> b (the condition on the left dropped)
                end = toks[k + 1][2] if k + 1 < len(toks) else len(code)
                if k + 1 < hi or k + 1 == len(toks):
                    found.append(("drop-cond", sub(toks[lo][2], end, "")))
                # a && b -> a
                if k + 1 < hi:
                    found.append(("drop-cond",
                                  sub(toks[k - 1][3], toks[hi - 1][3], "")))
        if kind == "op" and text == "!":
            found.append(("not", sub(s, e, "")))
        if kind == "id" and text in ("if", "while") and k + 1 < len(toks) \
                and toks[k + 1][1] == "(":
            close = matching(toks, k + 1)
            if close is not None and close > k + 2:
                a, b = toks[k + 1][3], toks[close][2]
                found.append(("negate", sub(a, b, "!(" + raw[a:b] + ")")))
                found.append(("if-const", sub(a, b, "0")))
                if text == "if":
                    found.append(("if-const", sub(a, b, "1")))
        if kind == "num":
            if k > 0 and toks[k - 1][1] == "[" and k + 1 < len(toks) and \
                    toks[k + 1][1] == "]" and is_declaration(code):
                continue  # an array's size
            value, fmt = int_value(text)
            start = s
            if k > 0 and toks[k - 1][1] == "-" and (
                    k == 1 or toks[k - 2][0] == "op" and
                    toks[k - 2][1] not in (")", "]") or
                    toks[k - 2][1] in ("return", "case")):
                value, start = -value, toks[k - 1][2]
            for v in (value + 1, value - 1):
                new = fmt(v) if v >= 0 else "-" + fmt(-v)
                found.append(("const", sub(start, e, new)))

    # A statement line: replaced by an empty statement. Not a release
    # (free, *_free, *_dispose, fclose): a leak changes no output here, and
    # make test-san's leak checker runs every test for those.
    s = code.strip()
    if RELEASE.match(s):
        return found + swaps(raw, toks)
    prev = prev_code.rstrip()
    if s.endswith(";") and not is_declaration(code) and \
            s.count("(") == s.count(")") and \
            (toks[0][0] == "id" or toks[0][1] in ("*", "++", "--", "(")) and \
            (prev[-1:] in ("", ";", "{", "}", ")", ":") or
             prev.endswith("else")):
        indent = raw[:len(raw) - len(raw.lstrip())]
        found.append(("stmt", indent + ";"))

    return found + swaps(raw, toks)


def swaps(raw, toks):
    """Two adjacent plain identifiers of a call swapped."""
    found = []
    for k, (kind, text, s, e) in enumerate(toks):
        if kind != "id" or text in NOT_CALLS or k + 1 >= len(toks) or \
                toks[k + 1][1] != "(":
            continue
        close = matching(toks, k + 1)
        if close is None:
            continue
        args, depth, cur = [], 0, []
        for t in toks[k + 2:close]:
            if t[1] in "([":
                depth += 1
            elif t[1] in ")]":
                depth -= 1
            if t[1] == "," and depth == 0:
                args.append(cur)
                cur = []
            else:
                cur.append(t)
        args.append(cur)
        for a, b in zip(args, args[1:]):
            if len(a) == 1 and len(b) == 1 and a[0][0] == "id" and \
                    b[0][0] == "id" and a[0][1] != b[0][1] and \
                    a[0][1] not in NOT_PLAIN and b[0][1] not in NOT_PLAIN:
                new = raw[:a[0][2]] + b[0][1] + raw[a[0][3]:b[0][2]] + \
                    a[0][1] + raw[b[0][3]:]
                found.append(("swap", new))
    return found


def file_mutants(path, text, funcs=None):
    """Every mutant of one file: dicts with file, line, func, op, old, new."""
    raw_lines = text.split("\n")
    code, pp = code_lines(text)
    names = functions(raw_lines)
    result, seen = [], set()
    prev = ""
    for i, (raw, c) in enumerate(zip(raw_lines, code)):
        if pp[i] or not c.strip():
            continue
        if funcs and names[i] not in funcs or \
                names[i].endswith(("_free", "_dispose")):
            prev = c
            continue
        for op, new in line_mutants(raw, c, prev):
            if new == raw or (i, new) in seen:
                continue
            seen.add((i, new))
            result.append({"file": path, "line": i + 1, "func": names[i],
                           "op": op, "old": raw, "new": new})
        prev = c
    return result


def sample(mutants, n, seed, path):
    """n mutants spread over the lines: one per line (lines in a seeded
    order) before a second on any; the same for the same seed and text."""
    if n <= 0 or len(mutants) <= n:
        return list(mutants)
    rng = random.Random("%s:%s" % (seed, path))
    by_line = {}
    for m in mutants:
        by_line.setdefault(m["line"], []).append(m)
    lines = sorted(by_line)
    rng.shuffle(lines)
    for ms in by_line.values():
        rng.shuffle(ms)
    chosen = []
    while len(chosen) < n:
        for ln in lines:
            if by_line[ln] and len(chosen) < n:
                chosen.append(by_line[ln].pop())
    return sorted(chosen, key=lambda m: (m["line"], m["op"], m["new"]))


# ---------------------------------------------------------------- lists

def read_blocks(path):
    """Blocks of the equivalent and CI lists: a header line, '-' old line,
    '+' new line, then free text; blank lines between blocks."""
    blocks, cur = [], []
    with open(path) as f:
        for line in f.read().split("\n") + [""]:
            if line.startswith("#") and not cur:
                continue
            if not line.strip():
                if cur:
                    blocks.append(cur)
                cur = []
                continue
            cur.append(line)
    out = []
    for b in blocks:
        olds = [x[1:] for x in b if x.startswith("-")]
        news = [x[1:] for x in b if x.startswith("+")]
        if len(olds) != 1 or len(news) != 1:
            sys.exit("%s: a block needs one '-' and one '+' line: %s"
                     % (path, b[0]))
        text = " ".join(x for x in b[1:] if x[:1] not in ("-", "+"))
        out.append({"head": b[0].split(), "old": olds[0].strip(),
                    "new": news[0].strip(), "text": text.strip()})
    return out


def key(m):
    return (m["file"], m["func"], m["old"].strip(), m["new"].strip())


def diff(m):
    return "%s:%d (%s, %s)\n-%s\n+%s" % (m["file"], m["line"],
                                         m["func"] or "-", m["op"],
                                         m["old"], m["new"])


# ---------------------------------------------------------------- the trees

def source_files():
    out = subprocess.run(
        ["git", "-C", TOP, "ls-files", "-z", "--cached", "--others",
         "--exclude-standard"], check=True, capture_output=True).stdout
    return sorted(p for p in out.decode().split("\0")
                  if p and os.path.isfile(os.path.join(TOP, p)))


def sync_tree(dest, files):
    """dest holds the checkout's files as they are: only those that differ
    are written, so that the build in the copy stays incremental."""
    wanted = set(files)
    for p in files:
        src, dst = os.path.join(TOP, p), os.path.join(dest, p)
        with open(src, "rb") as f:
            data = f.read()
        try:
            with open(dst, "rb") as f:
                same = f.read() == data
        except OSError:
            same = False
        if not same:
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            shutil.copy2(src, dst)
    for root, dirs, names in os.walk(dest):
        for name in names:
            rel = os.path.relpath(os.path.join(root, name), dest)
            if rel not in wanted:
                os.unlink(os.path.join(root, name))


def run_quiet(cmd, logfile, **kw):
    with open(logfile, "w") as f:
        return subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT,
                              **kw).returncode


def configure(src, build, options, logfile):
    if os.path.exists(os.path.join(build, "CMakeCache.txt")):
        # Configured before: generate again all the same, so that tests
        # added since (tests/CMakeLists.txt) are listed by ctest_list.
        options = []
    os.makedirs(build, exist_ok=True)
    if run_quiet(["cmake", "-S", src, "-B", build] + options,
                 logfile) != 0:
        sys.exit("cmake failed: see " + logfile)


def ctest_list(build):
    out = subprocess.run(["ctest", "--test-dir", build,
                          "--show-only=json-v1"], check=True,
                         capture_output=True).stdout
    tests = {}
    for t in json.loads(out)["tests"]:
        props = {p["name"]: p["value"] for p in t.get("properties", [])}
        env = dict(e.split("=", 1) for e in props.get("ENVIRONMENT", []))
        tests[t["name"]] = {"command": t.get("command"), "env": env,
                            "cwd": props.get("WORKING_DIRECTORY", build)}
    return tests


def target_of(test):
    if test.startswith("test_"):
        return test
    return TARGET.get(test, "delegit")


def targets_of(tests):
    """What tests need built: each one's executable, and the fault shim
    for the classes that preload it (without it they skip, and pass)."""
    out = set(target_of(t) for t in tests)
    if any(t.startswith("e2e_Fault") for t in tests):
        out.add("dlgfault")
    return out


RUNNING = set()  # the process groups of the tests running now


def stop(signum, frame):
    """Interrupted: the tests running are ended too. The copies of the tree
    may stay mutated: the next run writes them anew."""
    for pgid in list(RUNNING):
        try:
            os.killpg(pgid, signal.SIGKILL)
        except OSError:
            pass
    os._exit(130)


def run_test(spec, timeout, tmpdir, logfile):
    """'pass', 'fail' or 'timeout', and the seconds it took. The test runs
    in a process group of its own, killed afterwards whatever it left."""
    env = dict(os.environ)
    env.update(spec["env"])
    env["TMPDIR"] = tmpdir
    start = time.time()
    with open(logfile, "w") as f:
        p = subprocess.Popen(spec["command"], cwd=spec["cwd"], env=env,
                             stdin=subprocess.DEVNULL, stdout=f,
                             stderr=subprocess.STDOUT,
                             start_new_session=True)
        RUNNING.add(p.pid)
        try:
            rc = p.wait(timeout=timeout)
            status = "pass" if rc == 0 else "fail"
        except subprocess.TimeoutExpired:
            status = "timeout"
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except OSError:
            pass
        p.wait()
        RUNNING.discard(p.pid)
    for name in os.listdir(tmpdir):
        shutil.rmtree(os.path.join(tmpdir, name), ignore_errors=True)
    return status, time.time() - start


class Worker:
    def __init__(self, n, root, files, jobs):
        self.n = n
        self.src = os.path.join(root, "w%d" % n, "src")
        self.build = os.path.join(root, "w%d" % n, "build")
        self.logs = os.path.join(root, "w%d" % n, "logs")
        self.tmp = tempfile.mkdtemp(prefix="dlg-mutate-%d-" % n)
        os.makedirs(self.logs, exist_ok=True)
        sync_tree(self.src, files)
        configure(self.src, self.build,
                  ["-DCMAKE_BUILD_TYPE=Mutate",
                   "-DCMAKE_C_FLAGS_MUTATE=" + MUTANT_CFLAGS],
                  os.path.join(self.logs, "cmake.log"))
        self.tests = ctest_list(self.build)
        self.jobs = jobs

    def make(self, targets, jobs=1):
        return run_quiet(["cmake", "--build", self.build, "-j%d" % jobs,
                          "--target"] + sorted(targets),
                         os.path.join(self.logs, "build.log")) == 0

    def close(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def mutate(self, m, tests, timeouts):
        """Apply m, build, run tests until one fails; always restore."""
        path = os.path.join(self.src, m["file"])
        with open(path) as f:
            original = f.read()
        lines = original.split("\n")
        if lines[m["line"] - 1] != m["old"]:
            raise RuntimeError("%s:%d is not what was read" %
                               (m["file"], m["line"]))
        lines[m["line"] - 1] = m["new"]
        t0 = time.time()
        built = set()
        m["tests_run"] = []
        try:
            with open(path, "w") as f:
                f.write("\n".join(lines))
            lib = "dlg_core" if m["file"].startswith(("core/", "schema/")) \
                else "dlg_sync"
            if not self.make([lib]):
                m["status"] = "invalid"
                return
            m["build_seconds"] = time.time() - t0
            if not tests:
                m["status"], m["detail"] = "survived", "not covered"
                return
            m["status"] = "survived"
            for t in tests:
                target = target_of(t)
                if target not in built:
                    b0 = time.time()
                    if not self.make([target]):
                        m["status"] = "invalid"
                        return
                    m["build_seconds"] += time.time() - b0
                    built.add(target)
                status, secs = run_test(
                    self.tests[t], timeouts[t], self.tmp,
                    os.path.join(self.logs, "test-%s.log" % t))
                m["tests_run"].append([t, status, round(secs, 2)])
                if status != "pass":
                    m["status"] = "killed"
                    m["detail"] = t + (" (timeout)" if status == "timeout"
                                       else "")
                    return
        finally:
            with open(path, "w") as f:
                f.write(original)
            with open(path) as f:
                if f.read() != original:
                    raise RuntimeError("could not restore " + path)
            m["seconds"] = round(time.time() - t0, 2)


# ---------------------------------------------------------------- coverage

def tree_hash(files):
    """What the builds and the tests are made of (not docs/, scripts/)."""
    h = hashlib.sha256()
    for p in files:
        if not p.startswith(("cli/", "core/", "schema/", "sync/", "tests/",
                             "CMakeLists.txt")):
            continue
        h.update(p.encode() + b"\0")
        with open(os.path.join(TOP, p), "rb") as f:
            h.update(hashlib.sha256(f.read()).digest())
    return h.hexdigest()


def gcov_lines(build, rel):
    """{line: count} of one source file of the coverage build."""
    obj = None
    for root, _, names in os.walk(os.path.join(build, "CMakeFiles")):
        for name in names:
            p = os.path.join(root, name)
            if name == os.path.basename(rel) + ".gcno" and \
                    p.endswith(rel + ".gcno"):
                obj = p[:-len(".gcno")] + ".o"
    if obj is None:
        return {}
    out = subprocess.run(["gcov", "-t", "-j", obj], cwd=build,
                         capture_output=True).stdout
    lines = {}
    try:
        data = json.loads(out)
    except ValueError:
        return {}
    for f in data.get("files", []):
        if f["file"].endswith(rel):
            for ln in f["lines"]:
                lines[ln["line_number"]] = lines.get(ln["line_number"], 0) \
                    + ln["count"]
    return lines


def coverage_map(root, src, files, paths, tests_wanted, jobs):
    """{test: {file: [lines executed]}}, {file: [lines gcov counts]},
    {test: seconds}, [tests failing unmutated]; cached by the tree's hash."""
    cache = os.path.join(root, "coverage-map.json")
    digest = tree_hash(files)
    if os.path.exists(cache):
        with open(cache) as f:
            data = json.load(f)
        if data.get("hash") == digest and \
                set(tests_wanted) <= set(data["seconds"]) | set(data["failing"]) \
                and set(paths) <= set(data["executable"]):
            return data
    build = os.path.join(root, "cov")
    logs = os.path.join(root, "cov-logs")
    os.makedirs(logs, exist_ok=True)
    log("coverage run: each test alone in %s (once for this source)" % build)
    configure(src, build, ["-DCMAKE_BUILD_TYPE=Debug", "-DDELEGIT_COVERAGE=ON"],
              os.path.join(logs, "cmake.log"))
    if run_quiet(["cmake", "--build", build, "-j%d" % jobs],
                 os.path.join(logs, "build.log")) != 0:
        sys.exit("the coverage build failed: see " + logs + "/build.log")
    specs = ctest_list(build)
    tmp = tempfile.mkdtemp(prefix="dlg-mutate-cov-")
    data = {"hash": digest, "covers": {}, "executable": {}, "seconds": {},
            "failing": []}
    try:
        for t in tests_wanted:
            for root_, _, names in os.walk(build):
                for name in names:
                    if name.endswith(".gcda"):
                        os.unlink(os.path.join(root_, name))
            status, secs = run_test(specs[t], 1800, tmp,
                                    os.path.join(logs, "test-%s.log" % t))
            log("  %-28s %-5s %6.1f s" % (t, status, secs))
            if status != "pass":
                data["failing"].append(t)
                continue
            data["seconds"][t] = round(secs, 2)
            data["covers"][t] = {}
            for p in paths:
                lines = gcov_lines(build, p)
                ex = set(data["executable"].get(p, [])) | set(lines)
                data["executable"][p] = sorted(ex)
                data["covers"][t][p] = sorted(k for k, v in lines.items()
                                              if v > 0)
        for p in paths:
            data["executable"].setdefault(p, [])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    with open(cache, "w") as f:
        json.dump(data, f)
    return data


# ---------------------------------------------------------------- the run

def parse_file_arg(arg):
    path, _, funcs = arg.partition(":")
    return path, set(f for f in funcs.split(",") if f) or None


def select_tests(m, names, cov, timing):
    """The tests a mutant runs, cheapest first."""
    pattern = re.compile("^(%s)$" % TESTS.get(m["file"], DEFAULT_TESTS))
    static = [t for t in names if pattern.match(t) and t not in NEVER]
    if cov is not None:
        if m["line"] in set(cov["executable"].get(m["file"], [])):
            chosen = [t for t in cov["covers"]
                      if m["line"] in set(cov["covers"][t].get(m["file"], []))]
        else:
            chosen = [t for t in static if t in cov["seconds"]]
    else:
        chosen = [t for t in static if t in timing]
    return sorted(chosen, key=lambda t: (timing.get(t, 1e9), t))


def summarize(mutants, wall, jobs):
    by_file = {}
    for m in mutants:
        by_file.setdefault(m["file"], []).append(m)
    rows = ["| file | mutants | killed | survived | equivalent | invalid "
            "| killed of valid non-equivalent |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    tot = {"killed": 0, "survived": 0, "equivalent": 0, "invalid": 0}
    for f in by_file:
        c = {s: sum(1 for m in by_file[f] if m["status"] == s) for s in tot}
        for s in tot:
            tot[s] += c[s]
        valid = c["killed"] + c["survived"]
        rows.append("| %s | %d | %d | %d | %d | %d | %s |" % (
            f, len(by_file[f]), c["killed"], c["survived"], c["equivalent"],
            c["invalid"], "%.0f%%" % (100.0 * c["killed"] / valid)
            if valid else "-"))
    valid = tot["killed"] + tot["survived"]
    rows.append("| all | %d | %d | %d | %d | %d | %s |" % (
        len(mutants), tot["killed"], tot["survived"], tot["equivalent"],
        tot["invalid"], "%.0f%%" % (100.0 * tot["killed"] / valid)
        if valid else "-"))
    run = [m for m in mutants if m.get("tests_run")]
    secs = sorted(m["seconds"] for m in run)
    builds = sorted(m.get("build_seconds", 0) for m in mutants
                    if "build_seconds" in m)
    out = "\n".join(rows) + "\n\n"
    out += ("%d mutants in %.0f s with %d workers; of those run, a mutant "
            "took %.1f s on average (median %.1f s, longest %.0f s), its "
            "build %.1f s on average.\n" % (
                len(mutants), wall, jobs,
                sum(secs) / len(secs) if secs else 0,
                secs[len(secs) // 2] if secs else 0,
                secs[-1] if secs else 0,
                sum(builds) / len(builds) if builds else 0))
    surv = [m for m in mutants if m["status"] == "survived"]
    if surv:
        out += "\nSurvivors:\n\n```\n" + "\n\n".join(
            diff(m) + ("\n  (not covered: no test runs this line)"
                       if m.get("detail") == "not covered" else
                       "\n  (ran: %s)" % ", ".join(t[0] for t in
                                                   m["tests_run"]))
            for m in surv) + "\n```\n"
    eq = [m for m in mutants if m["status"] == "equivalent"]
    if eq:
        out += "\nEquivalent (scripts/mutate-equivalent.txt):\n\n```\n" + \
            "\n\n".join(diff(m) + "\n  " + m.get("why", "") for m in eq) + \
            "\n```\n"
    return out


def main():
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("files", nargs="*", help="FILE or FILE:FUNC,FUNC")
    ap.add_argument("--build", default=os.path.join(TOP, "build-mutate"))
    ap.add_argument("--max", type=int, default=0)
    ap.add_argument("--seed", default="1")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--no-coverage", action="store_true")
    ap.add_argument("--file-tests", action="store_true",
                    help="the coverage run takes only the files' TESTS")
    ap.add_argument("--list", action="store_true",
                    help="print the sampled mutants, run nothing")
    ap.add_argument("--ci", help="run the mutants this list names")
    args = ap.parse_args()
    root = os.path.abspath(args.build)
    os.makedirs(root, exist_ok=True)
    equivalent = {}
    eq_path = os.path.join(TOP, "scripts", "mutate-equivalent.txt")
    if os.path.exists(eq_path):
        for b in read_blocks(eq_path):
            equivalent[(b["head"][0], b["head"][1].strip("-")
                        if len(b["head"]) > 1 else "", b["old"],
                        b["new"])] = b["text"]

    # The mutants.
    wanted = []  # (mutant, tests forced by the CI list, expected status)
    if args.ci:
        cache = {}
        for b in read_blocks(args.ci):
            expect, path = b["head"][0], b["head"][1]
            func = b["head"][2].strip("-") if len(b["head"]) > 2 else ""
            if path not in cache:
                with open(os.path.join(TOP, path)) as f:
                    cache[path] = file_mutants(path, f.read())
            hits = [m for m in cache[path] if key(m) == (path, func, b["old"],
                                                          b["new"])]
            if not hits:
                sys.exit("%s: no such mutant of %s (%s): -%s +%s; the source "
                         "changed? choose another" % (args.ci, path, func,
                                                      b["old"], b["new"]))
            wanted.append((hits[0], b["head"][3] if len(b["head"]) > 3
                           else None, expect))
    else:
        for arg in args.files or DEFAULT_FILES:
            path, funcs = parse_file_arg(arg)
            with open(os.path.join(TOP, path)) as f:
                every = file_mutants(path, f.read(), funcs)
            chosen = sample(every, args.max, args.seed, path)
            log("%s: %d mutants, %d chosen" % (arg, len(every), len(chosen)))
            wanted += [(m, None, None) for m in chosen]
    if args.list:
        for m, _, _ in wanted:
            print(diff(m) + "\n")
        return 0

    start = time.time()
    files = source_files()
    jobs = max(1, args.jobs)
    workers = [Worker(0, root, files, jobs)]
    names = sorted(workers[0].tests)
    paths = sorted(set(m["file"] for m, _, _ in wanted))

    # Which tests, and the baseline: the coverage run, or one unmutated run.
    cov, timing = None, {}
    if args.ci:
        needed = set()
        for m, forced, _ in wanted:
            needed |= set(t for t in names if re.match("^(%s)$" % forced, t))
    elif args.no_coverage:
        needed = set()
        for p in paths:
            pat = re.compile("^(%s)$" % TESTS.get(p, DEFAULT_TESTS))
            needed |= set(t for t in names if pat.match(t) and t not in NEVER)
    else:
        pats = [re.compile("^(%s)$" % TESTS.get(p, DEFAULT_TESTS))
                for p in paths]
        cov = coverage_map(root, workers[0].src, files, paths,
                           [t for t in names if t not in NEVER and
                            (not args.file_tests or
                             any(pat.match(t) for pat in pats))], jobs)
        timing = dict(cov["seconds"])
        for t in cov["failing"]:
            log("warning: %s fails unmutated; left out" % t)
        needed = set(timing)
    workers[0].make(targets_of(needed) | {"dlg_core", "dlg_sync"}, jobs)
    workers[0].tests = ctest_list(workers[0].build)
    if cov is None:
        log("baseline: the tests unmutated")
        for t in sorted(needed):
            status, secs = run_test(workers[0].tests[t], 1800, workers[0].tmp,
                                    os.path.join(workers[0].logs,
                                                 "base-%s.log" % t))
            log("  %-28s %-5s %6.1f s" % (t, status, secs))
            if status == "pass":
                timing[t] = secs
            else:
                log("warning: %s fails unmutated; left out" % t)
    timeouts = {t: max(60.0, 3 * s) for t, s in timing.items()}
    for n in range(1, min(jobs, len(wanted))):
        w = Worker(n, root, files, jobs)
        w.make(targets_of(needed) | {"dlg_core", "dlg_sync"}, jobs)
        w.tests = ctest_list(w.build)
        workers.append(w)

    # Mutants of this very source run before (an interrupted run) are
    # taken from DIR/progress.jsonl, not run again.
    digest = tree_hash(files)
    progress = os.path.join(root, "progress.jsonl")
    earlier = {}
    if not args.ci and os.path.exists(progress):
        with open(progress) as f:
            for line in f:
                try:
                    m = json.loads(line)
                except ValueError:
                    continue
                if m.get("hash") == digest:
                    earlier[(m["file"], m["line"], m["new"])] = m
    todo = queue.Queue()
    done, lock = [], threading.Lock()
    for i, item in enumerate(wanted):
        m = item[0]
        old = earlier.get((m["file"], m["line"], m["new"]))
        if old is not None:
            m.update(old)
            done.append(m)
        else:
            todo.put((i,) + item)
    if done:
        log("%d mutants taken from an earlier run (%s)" % (len(done),
                                                          progress))
    failures = []

    def work(w):
        while True:
            try:
                i, m, forced, expect = todo.get_nowait()
            except queue.Empty:
                return
            if forced is not None:
                pat = re.compile("^(%s)$" % forced)
                tests = sorted((t for t in timing if pat.match(t)),
                               key=lambda t: timing[t])
            else:
                tests = select_tests(m, names, cov, timing)
            try:
                w.mutate(m, tests, timeouts)
            except Exception as e:  # the harness's own failure: stop
                failures.append("%s: %s" % (diff(m), e))
                return
            with lock:
                done.append(m)
                if not args.ci:
                    m["hash"] = digest
                    with open(progress, "a") as f:
                        f.write(json.dumps(m) + "\n")
                log("[%d/%d] %s:%d %s: %s%s (%.1f s)" % (
                    len(done), len(wanted), m["file"], m["line"], m["op"],
                    m["status"], "" if not m.get("detail") else
                    " (%s)" % m["detail"] if m["status"] != "killed" else
                    " by " + m["detail"], m["seconds"]))
                if expect is not None:
                    m["expected"] = expect

    threads = [threading.Thread(target=work, args=(w,)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for w in workers:
        w.close()
    for f in failures:
        log("harness error: " + f)
    if failures:
        return 2

    # Every worker's copy must be the checkout again.
    for w in workers:
        for p in paths:
            with open(os.path.join(w.src, p), "rb") as a, \
                    open(os.path.join(TOP, p), "rb") as b:
                if a.read() != b.read():
                    log("harness error: %s not restored in %s" % (p, w.src))
                    return 2

    # The equivalent list as it is now, for earlier runs' mutants too.
    for m in done:
        if m["status"] == "equivalent" and key(m) not in equivalent:
            m["status"] = "survived"
        if m["status"] == "survived" and key(m) in equivalent:
            m["status"], m["why"] = "equivalent", equivalent[key(m)]
    done.sort(key=lambda m: (m["file"], m["line"], m["op"], m["new"]))
    wall = time.time() - start
    name = "results-ci" if args.ci else "results"
    with open(os.path.join(root, name + ".json"), "w") as f:
        json.dump({"seed": args.seed, "max": args.max, "seconds": wall,
                   "workers": len(workers), "mutants": done}, f, indent=1)
    text = summarize(done, wall, len(workers))
    with open(os.path.join(root, name.replace("results", "summary") + ".md"),
              "w") as f:
        f.write(text)
    print("\n" + text)

    if args.ci:
        bad = [m for m in done if m["status"] != m["expected"]]
        for m in bad:
            log("FAIL expected %s, got %s:\n%s" % (m["expected"],
                                                   m["status"], diff(m)))
        if bad:
            return 1
        log("mutate-ci: %d mutants, each as expected" % len(done))
    return 0


if __name__ == "__main__":
    sys.exit(main())
