#!/bin/sh
# Run the libFuzzer harnesses: first on every saved regression input (each
# crash ever found, tests/fuzz/regressions/<harness>/), then for SECONDS
# each from a seed corpus made of the test data, JOBS (2) harnesses at a
# time. Fails on any crash.
# usage: [JOBS=N] scripts/fuzz.sh BUILD_DIR SECONDS [HARNESS...] (all by default)
set -eu
build=$1
seconds=$2
shift 2
harnesses=${*:-fuzz_yaml fuzz_merge fuzz_args fuzz_sshsig fuzz_trees fuzz_evcache fuzz_walkcache fuzz_treediff}
top=$(cd "$(dirname "$0")/.." && pwd)
data=$top/tests/data
work=$build/fuzz-work
mkdir -p "$work"

seed() { # harness -> seed directory
	d=$work/seeds-$1
	rm -rf "$d" && mkdir -p "$d"
	case $1 in
	fuzz_yaml)
		i=0
		for f in "$data"/canonical/*.yaml "$data"/styles/*.yaml "$data"/invalid/*.yaml "$data"/bad/*.yaml; do
			[ "$(wc -c < "$f")" -lt 65536 ] || continue
			i=$((i + 1))
			{ printf '\000'; cat "$f"; } > "$d/task-$i"
		done
		printf '\001handle: kim\nname: Kim\nemails: [k@x]\norg: msp\nrole: msp\n' > "$d/person"
		printf '\002format: 1\norgs: {msp: {sla: {high: {respond: 4h}}}}\n' > "$d/config"
		printf '\003format: 1\nmode: enforce\nrules: {everyone: [all]}\n' > "$d/policy"
		;;
	fuzz_merge)
		n=0
		for base in "$data"/canonical/task.yaml "$data"/canonical/task-plate.yaml; do
		while IFS='|' read -r a b; do
			n=$((n + 1))
			{ cat "$base"; printf -- '---8<---\n'; sed "$a" "$base"
			  printf -- '---8<---\n'; sed "$b" "$base"; } > "$d/merge-$n"
		done <<'PAIRS'
s/priority: high/priority: low/|s/status: in-progress/status: review/
s/due: 2026-12-15/due: 2026-12-20/|s/due: 2026-12-15/due: 2026-12-22/
s/done: false/done: true/|s/tags: \[backup, infra\]/tags: [backup]/
s/Backups are on-site only/Backups are local/|s/lose everything/lose it all/
s/autonomy: act-and-report/autonomy: own/|s/autonomy: act-and-report/autonomy: recommend/
s/hours: 2.5/hours: 3/|/^- id: 0d1e2f3a/,$d
s/due: 2026-12-22/due: 2026-12-29/|/^due_request:/,/^  why:/d
PAIRS
		done
		;;
	fuzz_args)
		printf 'add\n--to\nkim\n--tag\nx\n-t\ny\n--json\n' > "$d/a1"
		printf 'x\n--message=hi\n-mhello\n--\n--not-an-option\n' > "$d/a2"
		printf '%s\n' --help > "$d/a3"
		;;
	fuzz_treediff)
		# versions of a folder as git writes them, "\n--\n" between
		/usr/bin/python3 - "$d" <<'PY'
import sys
def tree(entries):
    return b"".join(m + b" " + n + b"\0" + bytes([i]) * 20 for m, n, i in entries)
v = [[(b"100644", b"a", 1), (b"100644", b"b", 2), (b"40000", b"c", 3), (b"100644", b"d", 4)],
     [(b"100644", b"a", 1), (b"100755", b"b", 2), (b"40000", b"c", 3), (b"100644", b"d", 5)],
     [(b"100644", b"a", 1), (b"100644", b"a-1", 6), (b"40000", b"c", 3)],
     [(b"100644", b"a", 1), (b"100644", b"c", 3), (b"40000", b"c", 3)]]
open(sys.argv[1] + "/versions", "wb").write(b"\n--\n".join(tree(e) for e in v))
open(sys.argv[1] + "/one", "wb").write(tree(v[0]))
PY
		;;
	fuzz_trees)
		# trees as core/trees.c encodes them: {id: abc}, {tags: [a, b]}
		printf '\022\001\001\001\002id\020\001\005\003abc' > "$d/t1"
		printf '\022\001\001\001\004tags\021\001\007\002\020\001\010\001a\020\001\013\001b' > "$d/t2"
		;;
	fuzz_evcache)
		# blocks as sync/evcache.c writes them (after the first line):
		# a commit's bytes and its events, and a second block
		/usr/bin/python3 - "$d" <<'PY'
import hashlib, struct, sys
def key_hash(rec):  # FNV-1a of the id's first 8 bytes and the path
    h = 14695981039346656037
    for b in rec[:8] + rec[20:rec.index(b"\0", 20)]:
        h = ((h ^ b) * 1099511628211) & 0xffffffffffffffff
    return h
def block(recs):
    body, index = b"", b""
    for rec in recs:
        index += struct.pack("<QQ", key_hash(rec), len(body))
        body += rec
    return (b"evb\n" + struct.pack("<IQ", len(recs), len(body)) + body +
            index + b"end\n")
commit = b"tree " + b"0" * 40 + b"\nauthor A <a@x> 1 +0000\ncommitter A <a@x> 1 +0000\n\nm\n"
cid = hashlib.sha1(b"commit %d\0" % len(commit) + commit).digest()  # its id
events = (b"t1\0" + b"\1Title\0" + b"status\0" + b"\1open\0" + b"\1done\0" +
          b"t1\0" + b"\0" + b"due\0" + b"\0" + b"\1" + b"2026-12-01\0")
one = [cid + b"\0" + struct.pack("<I", len(commit)) + commit,
       cid + b"tasks/t1.yaml\0" + struct.pack("<I", 2) + events]
two = [bytes(20) + b"tasks/t2.yaml\0" + struct.pack("<I", 0)]
open(sys.argv[1] + "/one", "wb").write(block(one))
open(sys.argv[1] + "/two", "wb").write(block(one) + block(two))
PY
		;;
	fuzz_walkcache)
		# bodies as sync/walkcache.c writes them (a 0 first: framed):
		# the HEAD record, a commit, signed or not, and the files it
		# changed
		/usr/bin/python3 - "$d" <<'PY'
import struct, sys
commit = (b"C" + b"a" * 40 + b"\0" + struct.pack("<q", 1700000000) +
          b"Kim Lee\0kim@msp.example\0" + b"\0")
signed = (b"C" + b"b" * 40 + b"\0" + struct.pack("<q", 1700000001) +
          b"Kim Lee\0kim@msp.example\0" + b"\1kim\0\1SHA256:abc\0")
events = (b"t1\0" + b"\1Title\0" + b"status\0" + b"\1open\0" + b"\1done\0" +
          b"t1\0" + b"\0" + b"id\0" + b"\0" + b"\1t1\0")
one = b"F" + b"tasks/t1.yaml\0" + struct.pack("<I", 2) + events
none = b"F" + b"archive/2026/t2.yaml\0" + struct.pack("<I", 0)
head = b"H" + b"\7" * 20 + struct.pack("<Q", 3) + b"\5" * 20
open(sys.argv[1] + "/one", "wb").write(b"\0" + head + commit + one)
open(sys.argv[1] + "/two", "wb").write(b"\0" + head + commit + one + signed + none + one)
PY
		;;
	fuzz_sshsig)
		# a key of each type, its signature of the harness' message,
		# each as all four inputs (armored, blob, key line, key blob)
		k=$work/sshsig-keys
		rm -rf "$k" && mkdir -p "$k"
		printf 'delegit fuzz\n' > "$k/data"
		for t in "ed25519" "ecdsa -b 256" "ecdsa -b 384" "ecdsa -b 521" "rsa -b 2048"; do
			n=$(echo "$t" | tr -d ' -')
			# shellcheck disable=SC2086
			ssh-keygen -q -t $t -N '' -C fuzz -f "$k/$n" </dev/null
			cp "$k/data" "$k/data-$n"
			ssh-keygen -q -Y sign -n git -f "$k/$n" "$k/data-$n" </dev/null
			{ printf '\000'; cat "$k/data-$n.sig"; } > "$d/armored-$n"
			{ printf '\001'; sed '1d;$d' "$k/data-$n.sig" | base64 -d; } > "$d/blob-$n"
			{ printf '\002'; cat "$k/$n.pub"; } > "$d/line-$n"
			{ printf '\003'; cut -d' ' -f2 "$k/$n.pub" | base64 -d; } > "$d/key-$n"
		done
		;;
	esac
	echo "$d"
}

# one harness: its regressions, then SECONDS of fuzzing
run() {
	h=$1
	[ -x "$build/$h" ] || { echo "no harness $build/$h" >&2; return 1; }
	reg=$top/tests/fuzz/regressions/$h
	if [ -d "$reg" ] && [ -n "$(ls -A "$reg")" ]; then
		echo "== $h: regressions"
		"$build/$h" -runs=0 "$reg"/*
		for f in "$reg"/*; do "$build/$h" "$f" >/dev/null 2>&1 || { echo "regression $f fails" >&2; return 1; }; done
	fi
	echo "== $h: ${seconds}s"
	corpus=$work/corpus-$h
	mkdir -p "$corpus"
	"$build/$h" -max_total_time="$seconds" -max_len=65536 -timeout=10 \
		-rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$work/crash-$h-" "$corpus" "$(seed $h)" 2>&1 |
		grep -E "^(#[0-9]+ +DONE|stat::number_of_executed_units|==[0-9]+==ERROR|SUMMARY|Done )" || true
	if ls "$work"/crash-$h-* >/dev/null 2>&1; then
		echo "$h found a crash: $(ls "$work"/crash-$h-*) (add it to tests/fuzz/regressions/$h/ once fixed)" >&2
		return 1
	fi
}

# JOBS harnesses at a time (each fuzzer is one process), their output in
# order once a batch ends
jobs=${JOBS:-2}
failed=0
set -- $harnesses
while [ $# -gt 0 ]; do
	batch=
	i=0
	while [ $# -gt 0 ] && [ "$i" -lt "$jobs" ]; do
		run "$1" > "$work/log-$1" 2>&1 &
		batch="$batch $1:$!"
		i=$((i + 1))
		shift
	done
	for hp in $batch; do
		h=${hp%%:*}
		wait "${hp#*:}" || failed=1
		cat "$work/log-$h"
	done
done
exit $failed
