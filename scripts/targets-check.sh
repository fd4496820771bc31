#!/bin/sh
# Every make target that README.md and docs/ name, run briefly as a new user
# would run it: in a fresh clone of this checkout (its uncommitted changes
# applied), with the default build directories, which are relative paths.
# First, every `make TARGET VAR=...` those files show must name a target and
# variables of the Makefile. Fails on the first target that fails; nothing
# tracked may change.
# usage: scripts/targets-check.sh [FUZZ_SECONDS]   (20 by default; JOBS=2)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
fuzz_seconds=${1:-20}
jobs=${JOBS:-2}

# The commands the documentation shows: in code blocks, and in `backticks`
# (a span may go on to the next line).
documented() {
	awk '
	/^```/ { fence = !fence; open = 0; next }
	fence { if (/^make /) print; next }
	/^[[:space:]]*$/ { open = 0; next }  # no span goes past a paragraph
	{
		s = (open ? s " " : "") $0
		open = gsub(/`/, "`", s) % 2
		if (open)
			next
		while (match(s, /`make [^`]*`/)) {
			print substr(s, RSTART + 1, RLENGTH - 2)
			s = substr(s, RSTART + RLENGTH)
		}
	}' "$top"/README.md "$top"/docs/*.md | sed 's/[[:space:]]*#.*//' | sort -u
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/delegit-targets-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail() { # kept for a look: the clone, its build trees, each step's log
	trap - EXIT
	echo "FAIL $* (the clone and the logs are kept in $tmp)" >&2
	exit 1
}

bad=0
documented > "$tmp/documented"
while IFS= read -r cmd; do
	target=$(printf '%s\n' "$cmd" | sed -n 's/^make \([a-z][a-z-]*\).*/\1/p')
	if [ -z "$target" ] || ! grep -q "^$target:" "$top/Makefile"; then
		echo "documented, not in the Makefile: $cmd" >&2
		bad=1
	fi
	for var in $(printf '%s\n' "$cmd" | grep -oE '[A-Z_]+=' | tr -d =); do
		if ! grep -q "\$($var)" "$top/Makefile"; then
			echo "documented, not a variable of the Makefile: $var in $cmd" >&2
			bad=1
		fi
	done
done < "$tmp/documented"
if [ "$bad" -ne 0 ]; then
	echo "FAIL README.md or docs/ and the Makefile disagree" >&2
	exit 1
fi

clone=$tmp/delegit
git clone -q --no-hardlinks "$top" "$clone"
git -C "$clone" checkout -q --detach "$(git -C "$top" rev-parse HEAD)"
git -C "$top" diff --binary HEAD | git -C "$clone" apply --allow-empty
before=$(git -C "$clone" status --porcelain)

# A command as a user types it in the clone: a make of its own, not a
# sub-make of ours (no MAKEFLAGS: no BUILD=... handed down).
step() {
	name=$1
	shift
	start=$(date +%s)
	if (cd "$clone" && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL "$@") \
		> "$tmp/$name.log" 2>&1; then
		echo "ok   $* ($(($(date +%s) - start)) s)"
	else
		tail -n 40 "$tmp/$name.log" >&2
		fail "$* (above: the last lines of $tmp/$name.log)"
	fi
}
expect() { # step, text its log must hold
	grep -q "$2" "$tmp/$1.log" || fail "$1: no '$2' in its output"
}

step demo make demo JOBS="$jobs"
expect demo "all four replicas hold identical files"
# on the build demo made: the installed tree, and the package runs
step install make install PREFIX="$tmp/prefix" JOBS="$jobs"
"$tmp/prefix/bin/delegit" --version >/dev/null ||
	fail "install: $tmp/prefix/bin/delegit does not run"
[ -f "$tmp/prefix/share/man/man1/delegit.1" ] || fail "install: no man page"
step deb make deb JOBS="$jobs"
dpkg-deb -x "$(ls "$clone"/build/delegit_*.deb)" "$tmp/debroot" &&
	"$tmp/debroot/usr/bin/delegit" --version >/dev/null ||
	fail "deb: its delegit does not run"
step converge make converge ROUNDS=20 SEED=97
expect converge "converged: 20 rounds, seed 97"
step bench make bench SIZES=200 RUNS=1
grep -q '^| delegit list (all open) | ' "$clone/build/bench.md" ||
	fail "bench: no table in build/bench.md"
step fuzz make fuzz FUZZ_SECONDS="$fuzz_seconds" JOBS="$jobs"
expect fuzz "== fuzz_args: ${fuzz_seconds}s"

after=$(git -C "$clone" status --porcelain)
if [ "$after" != "$before" ]; then
	echo "$after" >&2
	fail "the targets changed tracked files or left untracked ones (above)"
fi
