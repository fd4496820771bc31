"""Shared helpers of the end-to-end tests: temporary repositories driven
by the real delegit binary, checked with the real git CLI and PyYAML.

Environment: DELEGIT (the binary), DELEGIT_VALGRIND=1 to run every delegit
command under valgrind and fail on any leak or invalid access.
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import yaml

# Made absolute here: the tests run it from their temporary repositories.
DELEGIT = os.path.abspath(os.environ.get("DELEGIT", "delegit"))
VALGRIND = os.environ.get("DELEGIT_VALGRIND") == "1"
SUPPRESSIONS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                            "valgrind.supp")
VALGRIND_CMD = ["valgrind", "-q", "--error-exitcode=99", "--leak-check=full",
                "--suppressions=" + SUPPRESSIONS,
                "--errors-for-leak-kinds=definite,indirect",
                "--show-leak-kinds=definite,indirect"]

PEOPLE = {
    "dana": ("Dana Director", "dana@acme.example", "acme", "director"),
    "sam": ("Sam Staff", "sam@acme.example", "acme", "staff"),
    "kim": ("Kim Lee", "kim@acme-msp.example", "acme-msp", "msp"),
}


class Repo:
    """A fresh delegit repository with a team, in a temporary folder."""

    def __init__(self, team=True, tmp=None, name="repo", clone_from=None):
        self.owns_tmp = tmp is None
        self.tmp = tmp or tempfile.mkdtemp(prefix="delegit-e2e-")
        self.path = os.path.join(self.tmp, name)
        self.home = os.path.join(self.tmp, "home")
        os.makedirs(self.home, exist_ok=True)
        self.env = dict(os.environ)
        self.env.update({
            "HOME": self.home, "GIT_CONFIG_NOSYSTEM": "1", "NO_COLOR": "1",
            "LC_ALL": "C.UTF-8", "EDITOR": "false",
        })
        for var in ("GIT_DIR", "DELEGIT_NOW", "DELEGIT_FAULT"):
            self.env.pop(var, None)
        if clone_from:
            self.run_in(self.tmp, "clone", "-q", clone_from, self.path)
            self.as_("dana")
            return
        self.git("init", "-q", "-b", "main", self.path, cwd=self.tmp)
        self.as_("dana")
        self.ok("init", "-q")
        if team:
            for handle in PEOPLE:
                self.team_add(handle)

    def run_in(self, cwd, *args):
        cmd = [DELEGIT, *args]
        if VALGRIND:
            cmd = VALGRIND_CMD + cmd
        r = subprocess.run(cmd, cwd=cwd, env=self.env, capture_output=True,
                           text=True)
        if r.returncode != 0:
            raise AssertionError("delegit %s: %s" % (args, r.stderr))
        return r.stdout

    def files(self):
        """Every delegit file of the work tree: {path: bytes}."""
        out = {}
        for top in ("tasks", "team", ".delegit"):
            for root, _dirs, names in os.walk(os.path.join(self.path, top)):
                for name in names:
                    full = os.path.join(root, name)
                    with open(full, "rb") as f:
                        out[os.path.relpath(full, self.path)] = f.read()
        return out

    def close(self):
        if self.owns_tmp:
            shutil.rmtree(self.tmp, ignore_errors=True)

    def as_(self, handle_or_email):
        email = PEOPLE[handle_or_email][1] if handle_or_email in PEOPLE \
            else handle_or_email
        self.git("config", "user.email", email)
        self.git("config", "user.name", handle_or_email)

    def team_add(self, handle, *extra):
        name, email, org, role = PEOPLE[handle]
        return self.ok("team", "add", handle, "--name", name, "--email",
                       email, "--org", org, "--role", role, *extra)

    def git(self, *args, cwd=None, check=True):
        r = subprocess.run(["git", *args], cwd=cwd or self.path, env=self.env,
                           capture_output=True, text=True)
        if check and r.returncode != 0:
            raise AssertionError("git %s failed: %s" % (args, r.stderr))
        return r.stdout.strip()

    def run(self, *args, now=None, stdin=None, fault=None):
        env = dict(self.env)
        if now:
            env["DELEGIT_NOW"] = now
        if fault:
            env["DELEGIT_FAULT"] = fault
        cmd = [DELEGIT, *args]
        if VALGRIND:
            cmd = VALGRIND_CMD + cmd
        r = subprocess.run(cmd, cwd=self.path, env=env, capture_output=True,
                           text=True, input=stdin or "")
        if VALGRIND and r.returncode == 99:
            raise AssertionError("valgrind found errors in %s:\n%s"
                                 % (args, r.stderr))
        return r

    def ok(self, *args, **kw):
        r = self.run(*args, **kw)
        if r.returncode != 0:
            raise AssertionError("delegit %s exited %d:\n%s%s"
                                 % (" ".join(args), r.returncode, r.stdout,
                                    r.stderr))
        return r.stdout

    def add(self, title, *args, **kw):
        out = self.ok("add", "--json", *args, "--", title, **kw)
        return json.loads(out)

    def task_file(self, task_id):
        return os.path.join(self.path, "tasks", task_id[:2],
                            task_id + ".yaml")

    def load(self, task_id):
        with open(self.task_file(task_id), encoding="utf-8") as f:
            return yaml.safe_load(f)

    def head(self):
        return self.git("rev-parse", "HEAD")




class Network:
    """A bare remote and replicas of it, in one temporary folder: replica 0
    made the repository and its team; the others are `delegit clone`s."""

    OPEN_POLICY = ("format: 1\nmode: warn\nrules:\n  everyone: [all]\n"
                   "  repository: [director]\n")

    def __init__(self, replicas=3, remote_url=None, policy=OPEN_POLICY):
        """policy: the text of .delegit/policy.yaml; by default everyone
        may change every task, since these tests are about merging (the
        policy tests pass None, for the default of `delegit init`)."""
        self.tmp = tempfile.mkdtemp(prefix="delegit-net-")
        self.bare = os.path.join(self.tmp, "remote.git")
        subprocess.run(["git", "init", "-q", "--bare", "-b", "main",
                        self.bare], check=True)
        first = Repo(tmp=self.tmp, name="r0")
        if policy:
            with open(os.path.join(first.path, ".delegit", "policy.yaml"),
                      "w") as f:
                f.write(policy)
            first.git("commit", "-qam", "an open policy for these tests")
        first.git("remote", "add", "origin", remote_url or self.bare)
        first.ok("sync")
        self.replicas = [first]
        for i in range(1, replicas):
            self.replicas.append(Repo(tmp=self.tmp, name="r%d" % i,
                                      clone_from=remote_url or self.bare))

    def close(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def sync_all(self, order=None):
        """Two rounds of syncs: after them every replica has everything."""
        order = order or range(len(self.replicas))
        for _ in range(2):
            for i in order:
                self.replicas[i].ok("sync", "-q")

    def assert_converged(self, test):
        first = self.replicas[0].files()
        for r in self.replicas[1:]:
            test.assertEqual(r.files(), first)


# -- servers on 127.0.0.1, ended with their children by the test's cleanup --

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, proc, seconds=10):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if proc.poll() is not None:
            raise AssertionError("server exited early")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise AssertionError("server did not listen on %d" % port)


def start_server(test, argv, port, **kw):
    """A server in its own process group, ended with its children when the
    test is cleaned up."""
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL,
                            start_new_session=True, **kw)
    test.addCleanup(proc.wait)
    test.addCleanup(os.killpg, proc.pid, signal.SIGKILL)
    wait_port(port, proc)
    return proc


def start_git_http(test, root, bare, password=None):
    """lighttpd with git-http-backend serving the bare repositories under
    root, pushes allowed to bare; returns the URL of bare. With password
    (USER:PASSWORD), every request needs that login (HTTP basic
    authentication)."""
    port = free_port()
    subprocess.run(["git", "config", "http.receivepack", "true"], cwd=bare,
                   check=True)
    conf = os.path.join(root, "lighttpd-%d.conf" % port)
    backend = subprocess.run(["git", "--exec-path"], check=True,
                             capture_output=True, text=True)
    backend = os.path.join(backend.stdout.strip(), "git-http-backend")
    with open(conf, "w") as f:
        f.write('server.document-root = "%s"\n' % root)
        f.write('server.bind = "127.0.0.1"\n')
        f.write("server.port = %d\n" % port)
        f.write('server.modules = ("mod_alias", "mod_cgi", "mod_setenv"%s)\n'
                % (', "mod_auth", "mod_authn_file"' if password else ""))
        if password:
            users = os.path.join(root, "lighttpd-%d.users" % port)
            with open(users, "w") as u:
                u.write(password + "\n")
            f.write('auth.backend = "plain"\n')
            f.write('auth.backend.plain.userfile = "%s"\n' % users)
            f.write('auth.require = ("/git" => ("method" => "basic", '
                    '"realm" => "git", "require" => "valid-user"))\n')
        f.write('alias.url = ("/git" => "%s")\n' % backend)
        f.write('cgi.assign = ("" => "")\n')
        f.write('setenv.add-environment = ("GIT_PROJECT_ROOT" => "%s", '
                '"GIT_HTTP_EXPORT_ALL" => "1")\n' % root)
    start_server(test, ["lighttpd", "-D", "-f", conf], port)
    return "http://127.0.0.1:%d/git/%s" % (port, os.path.relpath(bare, root))


class Sshd:
    """Debian's openssh-server on a free port of 127.0.0.1 with a host key
    and a user key made here, and an ssh-agent holding the user key (for
    libgit2's ssh transport). Needs root (sshd's privilege separation)."""

    def __init__(self, test, tmp):
        self.dir = os.path.join(tmp, "sshd")
        os.makedirs(self.dir)
        self.port = free_port()
        host = self.host = os.path.join(self.dir, "host_key")
        self.key = os.path.join(self.dir, "id_ed25519")
        for k in (host, self.key):
            subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "",
                            "-f", k], check=True)
        shutil.copy(self.key + ".pub", os.path.join(self.dir, "authorized"))
        conf = os.path.join(self.dir, "sshd_config")
        with open(conf, "w") as f:
            f.write("Port %d\nListenAddress 127.0.0.1\nHostKey %s\n"
                    "AuthorizedKeysFile %s\nStrictModes no\nUsePAM no\n"
                    "PermitRootLogin prohibit-password\n"
                    "PasswordAuthentication no\n"
                    "KbdInteractiveAuthentication no\nPidFile none\n"
                    "LogLevel ERROR\n"
                    % (self.port, host, os.path.join(self.dir, "authorized")))
        os.makedirs("/run/sshd", exist_ok=True)
        start_server(test, ["/usr/sbin/sshd", "-D", "-e", "-f", conf],
                     self.port)
        self.sock = os.path.join(self.dir, "agent.sock")
        agent = subprocess.Popen(["ssh-agent", "-D", "-a", self.sock],
                                 stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL,
                                 start_new_session=True)
        test.addCleanup(agent.wait)
        test.addCleanup(agent.kill)
        deadline = time.time() + 10
        while not os.path.exists(self.sock) and time.time() < deadline:
            time.sleep(0.05)
        subprocess.run(["ssh-add", "-q", self.key], check=True,
                       env=dict(os.environ, SSH_AUTH_SOCK=self.sock),
                       capture_output=True)

    def url(self, path):
        return "ssh://%s@127.0.0.1:%d%s" % (os.environ.get("USER", "root"),
                                            self.port, path)

    def env(self, repo):
        """Let repo's git and delegit reach this server: the agent, and the
        host key in the known_hosts of repo's HOME (libgit2 checks it as
        ssh does)."""
        repo.env["SSH_AUTH_SOCK"] = self.sock
        if "ASAN_OPTIONS" in os.environ:
            # libgit2 1.5's ssh transport leaks what libssh2 allocates for
            # agent authentication (no delegit frame in the stack; Debian
            # ships no symbols to suppress it by name): leak checks off
            # for this replica's commands only
            repo.env["ASAN_OPTIONS"] = os.environ["ASAN_OPTIONS"] + \
                ":detect_leaks=0"
        os.makedirs(os.path.join(repo.home, ".ssh"), exist_ok=True)
        with open(self.host + ".pub") as f:
            key = " ".join(f.read().split()[:2])
        with open(os.path.join(repo.home, ".ssh", "known_hosts"), "a") as f:
            f.write("[127.0.0.1]:%d %s\n" % (self.port, key))
        repo.env["GIT_SSH_COMMAND"] = (
            "ssh -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null"
            " -o IdentitiesOnly=yes -o LogLevel=ERROR -i " + self.key)


def run_on_pty(cmd, cwd, env, timeout=30):
    """Run cmd with a pseudo-terminal for stdin, stdout and stderr: (exit
    status, every byte it showed). Each wait for output is bounded."""
    import pty
    import select
    master, slave = pty.openpty()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=slave,
                            stdout=slave, stderr=slave)
    os.close(slave)
    out = b""
    while True:
        ready, _, _ = select.select([master], [], [], timeout)
        if not ready:
            break
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the other side is closed
            break
        if not chunk:
            break
        out += chunk
    os.close(master)
    return proc.wait(timeout=timeout), out


def enforce(repo):
    """Commit the default policy of `delegit init` in enforce mode."""
    path = os.path.join(repo.path, ".delegit", "policy.yaml")
    with open(path) as f:
        text = f.read().replace("mode: warn", "mode: enforce")
    with open(path, "w") as f:
        f.write(text)
    repo.git("commit", "-qam", "enforce")
