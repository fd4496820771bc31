#!/bin/sh
# A real demonstration of delegit in a fresh temporary repository: a
# director, a staff member and an MSP technician; three delegated tasks with
# full expectations; the workflow; feedback both ways; what each sees.
set -eu

DELEGIT=$(cd "$(dirname "${1:-build/delegit}")" && pwd)/$(basename "${1:-build/delegit}")
page=$(dirname "$DELEGIT")/demo-report.html
work=$(mktemp -d "${TMPDIR:-/tmp}/delegit-demo-XXXXXX")
trap 'rm -rf "$work"' EXIT
export HOME="$work/home" GIT_CONFIG_NOSYSTEM=1
mkdir -p "$HOME"
cd "$work"

if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then b='\033[1m' d='\033[2m' n='\033[0m'; else b= d= n=; fi
say() { printf "\n${b}== %s${n}\n" "$*"; }
# Show each command as it runs (on stderr, so $(run ...) captures only output).
run() { printf "${d}\$ delegit %s${n}\n" "$*" >&2; "$DELEGIT" "$@"; }
as() { git config user.email "$1"; git config user.name "$2"; }
at() { export DELEGIT_NOW="$1"; }

say "Dana, the IT director, starts a repository and her team"
git init -q -b main acme-it && cd acme-it
as dana@acme.example "Dana Director"
at 2026-11-23T08:00:00Z
run init
run team add dana --name "Dana Director" --email dana@acme.example --org acme --role director --capacity 10
run team add sam --name "Sam Staff" --email sam@acme.example --org acme --role staff --skill windows --skill docs --capacity 30
run team add kim --name "Kim Lee" --email kim@acme-msp.example --org acme-msp --role msp --skill backup --skill networking --capacity 20
run team add lee --name "Lee Manager" --email lee@acme.example --org acme --role manager --capacity 15
run team list

say "Three tasks, delegated with crystal-clear expectations"
backup=$(run add "Replicate nightly backups offsite" --to kim --due 2026-12-15 --priority high \
  --why "Backups are on-site only; a fire in the server room would lose everything." \
  --expect "Every nightly backup is replicated offsite within 24 hours." \
  --quality "Replication is monitored and alerts the on-call phone." \
  --accept "Restore of three random servers tested and documented" \
  --process "Follow runbook RB-12; change window is Tuesday night." \
  --checkpoint "2026-12-01:Vendor chosen and contract signed" \
  --checkpoint "2026-12-08:First full replica complete" \
  --tag backup --tag infra --skill backup --estimate 6 | head -n 1)
echo "backup task: $backup"
laptops=$(run add "Roll out the new laptop image" --to sam --due 2026-11-28 --priority normal \
  --why "Old images miss the disk encryption policy." \
  --expect "All 40 laptops run image v7 with BitLocker on." \
  --accept "Inventory report shows v7 everywhere" \
  --checkpoint "2026-11-25:Pilot group of five done" \
  --tag laptops --skill windows --estimate 12 | head -n 1)
firewall=$(run add "Patch the edge firewall" --to kim --due 2026-11-24 --priority critical \
  --why "A public exploit exists for our firmware version." \
  --expect "Firmware at the vendor's fixed release, no downtime in business hours." \
  --accept "Vendor advisory marked fixed" --tag security --estimate 2 | head -n 1)
run list

say "Kim (MSP) and Sam (staff) work offline, each change one commit"
as kim@acme-msp.example "Kim Lee"
at 2026-11-23T10:00:00Z
run start "$firewall" -m "Maintenance window booked for tonight."
run start "$backup"
at 2026-11-24T09:00:00Z
run block "$backup" -m "Waiting for the vendor's quote."
run accept-criterion "$firewall" "$("$DELEGIT" show "$firewall" --json | sed -n 's/.*"acceptance":\[{"id":"\([0-9a-f]*\)".*/\1/p')"
run submit "$firewall" -m "Patched at 22:10, advisory marked fixed."
run feedback "$firewall" "The why made the urgency obvious; thanks." --kind delegation --rating 5
as sam@acme.example "Sam Staff"
run start "$laptops"
at 2026-11-25T11:00:00Z
run checkpoint "$laptops" done "$("$DELEGIT" show "$laptops" --json | sed -n 's/.*"checkpoints":\[{"id":"\([0-9a-f]*\)".*/\1/p')"
run submit "$laptops"

say "Dana reviews: accepts one, sends one back with feedback"
as dana@acme.example "Dana Director"
at 2026-11-25T14:00:00Z
run accept "$firewall" -m "Clean and on time."
run reject "$laptops" -m "Inventory report is missing the Finance laptops."
run feedback "$backup" "Talk to Sam before touching the NAS." --kind guidance

say "Where things stand (list, show, agenda)"
run list --all
run show "$backup"
run agenda dana
as sam@acme.example "Sam Staff"
run agenda

say "Who should take new work? delegit suggest weighs skills, capacity, record"
run suggest "$backup"

say "Reports for the director: workload, service levels, and a dashboard page"
cat > .delegit/config.yaml <<'YAML'
format: 1
orgs:
  acme-msp:
    title: ACME Managed Services
    sla:
      critical: {respond: 1h, resolve: 8h}
      high: {respond: 4h, resolve: 2d}
YAML
git commit -qam "SLA targets for the MSP"
run report workload
run report sla
run report matrix
run report --html "$page"
echo "(a self-contained page: open $page in a browser)"

say "Accountability: delegit log explains each change, field by field"
run log "$laptops"

say "And plain git tells the same story"
git log --format='%h %an: %s'
git log -1 --format=%B --grep="Change: status review -> done"
run check

say "Offline-first: four replicas sync through a bare remote"
cd "$work"
git init -q --bare -b main shared.git
cd acme-it
git remote add origin "$work/shared.git"
as dana@acme.example "Dana Director"
run sync
cd "$work"
run clone shared.git kim-laptop
run clone shared.git sam-laptop
run clone shared.git lee-laptop
(cd kim-laptop && as kim@acme-msp.example "Kim Lee")
(cd sam-laptop && as sam@acme.example "Sam Staff")
(cd lee-laptop && as lee@acme.example "Lee Manager")

say "Everyone edits the backup task at once, on different fields"
at 2026-11-26T09:00:00Z
(cd acme-it && run set "$backup" priority=critical)
at 2026-11-26T09:05:00Z
(cd kim-laptop && run start "$backup" -m "Quote arrived; starting.")
at 2026-11-26T09:10:00Z
(cd sam-laptop && run feedback "$backup" "The NAS is ready for you, Kim." --kind progress)
for r in acme-it kim-laptop sam-laptop acme-it kim-laptop; do (cd "$r" && run sync); done
(cd sam-laptop && run show "$backup" | head -12)

say "The policy keeps each party to its part: Kim (MSP) may not move the deadline"
(cd kim-laptop && run set "$backup" due=2026-12-22) || echo "(refused, as it should be)"

say "A real conflict: Dana and Lee (a manager) both move the deadline offline"
at 2026-11-26T10:00:00Z
(cd acme-it && run set "$backup" due=2026-12-18)
at 2026-11-26T10:30:00Z
(cd lee-laptop && run set "$backup" due=2026-12-22)
for r in acme-it lee-laptop acme-it kim-laptop sam-laptop; do (cd "$r" && run sync); done
(cd sam-laptop && run conflicts)
say "Dana settles it: her date stands"
at 2026-11-26T11:00:00Z
(cd acme-it && run resolve "$backup" due --theirs && run sync)
for r in kim-laptop sam-laptop lee-laptop; do (cd "$r" && run sync); done
(cd kim-laptop && run conflicts && run show "$backup" | sed -n '1,6p')
if diff -r -x .git acme-it kim-laptop >/dev/null && diff -r -x .git acme-it sam-laptop >/dev/null &&
	diff -r -x .git acme-it lee-laptop >/dev/null; then
	echo "all four replicas hold identical files"
else
	echo "replicas differ!" >&2
	exit 1
fi
(cd acme-it && git log --graph --format='%h %an: %s' | head -n 14)
