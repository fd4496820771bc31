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


def make_repo(env, where, program):
    """A delegit repository with dana and two tasks, made by program."""
    name, email, org, role = PEOPLE["dana"]
    subprocess.run(["git", "init", "-q", "-b", "main", where], check=True,
                   env=env)
    for args in (["git", "config", "user.email", email],
                 ["git", "config", "user.name", name],
                 [program, "init", "-q"],
                 [program, "team", "add", "dana", "--name", name, "--email",
                  email, "--org", org, "--role", role]):
        subprocess.run(args, cwd=where, env=env, check=True,
                       capture_output=True)
    ids = []
    for title in ("Patch the VPN", "Test the backup restore"):
        r = subprocess.run([program, "add", title, "--to", "dana"],
                           cwd=where, env=env, check=True,
                           capture_output=True, text=True)
        ids.append(r.stdout.split()[0])
    return ids


class TestInstall(unittest.TestCase):
    """The files make install puts under a prefix (it runs cmake --install
    on the build, as the Makefile's install target does after building):
    the man page man reads, the completion bash loads."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="delegit-install-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.prefix = os.path.join(self.tmp, "prefix")
        self.env = base_env(self.tmp)
        # DESTDIR stages the prefix, as a packager's make install does
        subprocess.run(["cmake", "--install", BUILD, "--prefix",
                        "/usr/local"], check=True, capture_output=True,
                       env=dict(self.env, DESTDIR=self.prefix))
        self.root = self.prefix + "/usr/local"
        self.env["PATH"] = self.root + "/bin:" + self.env["PATH"]

    def test_the_layout_is_debian_s(self):
        for f in ("bin/delegit", "share/man/man1/delegit.1",
                  "share/bash-completion/completions/delegit",
                  "share/zsh/site-functions/_delegit"):
            self.assertTrue(os.path.isfile(os.path.join(self.root, f)), f)
        self.assertTrue(os.access(self.root + "/bin/delegit", os.X_OK))

    def test_man_shows_every_command_and_option_of_help(self):
        page = self.root + "/share/man/man1/delegit.1"
        r = subprocess.run(["man", "--warnings", "-l", page], env=dict(
            self.env, MANWIDTH="100", MANPAGER="cat", PAGER="cat"),
            capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stderr, "")  # groff found nothing to warn of
        text = r.stdout.replace("\u2010", "-")
        self.assertIn("DELEGIT(1)", text)
        cmds = subprocess.run(["delegit", "--dump-help=commands"],
                              env=self.env, capture_output=True, text=True,
                              check=True).stdout.split("\n")
        names = [c.split("\t")[0] for c in cmds if c]
        self.assertIn("export", names)
        for name in names:
            self.assertIn("delegit " + name + "\n", text)
            # every option of its --help, in the page
            helptext = subprocess.run(["delegit", name, "--help"],
                                      env=self.env, capture_output=True,
                                      text=True).stdout
            for word in helptext.split():
                if word.startswith("--") and word[2:3].isalpha():
                    opt = word.rstrip(",.)")
                    self.assertIn(opt, text, "%s of %s" % (opt, name))
        self.assertIn("delegit team add", text)
        self.assertIn("--capacity HOURS", text)
        self.assertIn("delegit hook pre-receive", text)
        self.assertNotIn("__complete", text)

    def bash(self, script, cwd):
        comp = self.root + "/share/bash-completion/completions/delegit"
        r = subprocess.run(["bash", "--norc", "--noprofile", "-c",
                            "source '%s'\n%s" % (comp, script)], cwd=cwd,
                           env=self.env, capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout

    def test_bash_completes_commands_options_ids_and_handles(self):
        repo = os.path.join(self.tmp, "r")
        ids = make_repo(self.env, repo, "delegit")
        self.assertIn("complete -F _delegit delegit",
                      self.bash("complete -p delegit", repo))
        tab = ("t() { COMP_WORDS=(\"$@\"); COMP_CWORD=$(($# - 1)); "
               "COMPREPLY=(); _delegit; echo \"${COMPREPLY[*]}\"; }\n")
        out = self.bash(tab + "t delegit ex\n"
                        "t delegit team ''\n"
                        "t delegit list --du\n"
                        "t delegit list --to ''\n"
                        "t delegit show ''\n"
                        "t delegit export --to d\n"
                        "compgen -W \"$(delegit --dump-help=commands | "
                        "cut -f1)\" -- rep\n", repo).split("\n")
        self.assertEqual(out[0], "expect export")
        self.assertEqual(out[1], "add list show edit retire")
        self.assertEqual(out[2], "--due-before")
        self.assertEqual(out[3], "dana")
        self.assertEqual(sorted(out[4].split()), sorted(ids))
        self.assertEqual(out[5], "dana")
        self.assertEqual(out[6].split(), ["report"])
        # -C DIR: the ids of the repository there
        out = self.bash(tab + "t delegit -C r show ''\n", self.tmp)
        self.assertEqual(sorted(out.split()), sorted(ids))

    def test_zsh_completes_from_the_same_tables(self):
        """The installed _delegit run by zsh, compsys's builtins replaced
        by functions that print what they are given (no terminal)."""
        repo = os.path.join(self.tmp, "r")
        ids = make_repo(self.env, repo, "delegit")
        comp = self.root + "/share/zsh/site-functions/_delegit"
        script = (
            "compadd() { if [[ $1 == -a ]]; then print -l -- ${(P)2}; "
            "else [[ $1 == -- ]] && shift; print -l -- \"$@\"; fi }\n"
            "_describe() { print -l -- ${(P)4}; }\n"
            "_files() { print FILES; }\n"
            "_call_program() { shift; \"$@\"; }\n"
            "service=delegit\n"
            "t() { words=(\"$@\"); CURRENT=$#; PREFIX=${@[-1]}; "
            "print -r -- \"$(source %s | tr '\\n' ' ')\"; }\n"
            "t delegit ''\nt delegit team ''\nt delegit show ''\n"
            "t delegit list --to ''\nt delegit import --from csv ''\n"
            "t delegit list --\n" % comp)
        r = subprocess.run(["zsh", "-f", "-c", script], cwd=repo,
                           env=self.env, capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        out = r.stdout.split("\n")
        self.assertIn("export:tasks as a calendar (--ics), CSV or JSON",
                      out[0])
        self.assertEqual(out[1].split(), ["add", "list", "show", "edit", "retire"])
        self.assertEqual(sorted(x.split(":")[0] for x in out[2].split()
                                if ":" in x), sorted(ids))
        self.assertEqual(out[3].split(), ["dana"])
        self.assertEqual(out[4].split(), ["FILES"])
        self.assertIn("--due-before", out[5].split())


class TestDeb(unittest.TestCase):
    """make deb's package (CPack, from the same build), unpacked into a
    temporary root as dpkg installs it, runs from there."""

    def test_the_deb_installs_and_runs(self):
        tmp = tempfile.mkdtemp(prefix="delegit-deb-")
        self.addCleanup(shutil.rmtree, tmp, True)
        out = os.path.join(tmp, "out")
        r = subprocess.run(["cpack", "-G", "DEB", "--config",
                            os.path.join(BUILD, "CPackConfig.cmake"), "-B",
                            out], capture_output=True, text=True, cwd=tmp)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        [deb] = [f for f in os.listdir(out) if f.endswith(".deb")]
        deb = os.path.join(out, deb)
        info = subprocess.run(["dpkg-deb", "-f", deb], capture_output=True,
                              text=True, check=True).stdout
        self.assertIn("Package: delegit", info)
        self.assertIn("libgit2-1.5", info)
        self.assertRegex(info, r"Depends: (.*, )?git(,|\n)")
        # what dpkg would install, in a root of its own
        root = os.path.join(tmp, "root")
        subprocess.run(["dpkg-deb", "-x", deb, root], check=True)
        ver = subprocess.run([root + "/usr/bin/delegit", "--version"],
                             capture_output=True, text=True)
        self.assertEqual(ver.returncode, 0, ver.stderr)
        self.assertRegex(ver.stdout, r"^delegit \d+\.\d+\.\d+\n$")
        self.assertTrue(os.path.isfile(
            root + "/usr/share/man/man1/delegit.1"))
        self.assertTrue(os.path.isfile(
            root + "/usr/share/bash-completion/completions/delegit"))
        # and dpkg's own check of the archive
        subprocess.run(["dpkg-deb", "--info", deb], check=True,
                       capture_output=True)


if __name__ == "__main__":
    unittest.main()
