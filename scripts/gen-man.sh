#!/bin/sh
# delegit(1), every command in it, from the option tables that drive
# --help (delegit --dump-help=man COMMAND --help): the page cannot drift
# from the program. Subcommands are read from a command's own usage,
# "delegit team (add | list | ...)". Run by the build (CMakeLists.txt).
# Usage: scripts/gen-man.sh DELEGIT > delegit.1
set -eu
D=${1:-build/delegit}
version=$("$D" --version | sed 's/^delegit //')
# "delegit team (add | list | show | edit) ...": add list show edit
subcommands() {
	"$D" --dump-help=options "$1" --help | sed -n 's/^usage\tdelegit [a-z-]* (\([a-z][^)]*\)).*/\1/p' |
		tr '|' '\n' | awk '{ print $1 }'
}
# A section, unless it says what the command's own says (report KIND)
section() {
	# shellcheck disable=SC2086
	text=$("$D" --dump-help=man $* --help)
	[ $# -gt 1 ] && [ "$text" = "$parent" ] && return
	[ $# -eq 1 ] && parent=$text
	printf '.SS "delegit %s"\n%s\n' "$*" "$text"
}
cat <<HEAD
.TH DELEGIT 1 "" "delegit $version" "User Commands"
.SH NAME
delegit \\- delegated tasks, their expectations and feedback, in a git repository
.SH SYNOPSIS
.B delegit
[\\fB\\-C\\fR \\fIDIR\\fR] [\\fB\\-\\-no\\-color\\fR] [\\fB\\-\\-no\\-pager\\fR]
\\fICOMMAND\\fR [\\fIARGS\\fR]
.br
.B delegit
\\fICOMMAND\\fR \\fB\\-\\-help\\fR
.SH DESCRIPTION
HEAD
# The overview of delegit --help, as it is
printf '.nf\n'
"$D" --help | sed -e 's/\\/\\e/g' -e 's/^[.'"'"']/\\\&&/'
printf '.fi\n.SH COMMANDS\n'
"$D" --dump-help=commands | cut -f1 | while read -r cmd; do
	section "$cmd"
	for sub in $(subcommands "$cmd"); do
		section "$cmd" "$sub"
	done
done
cat <<'TAIL'
.SH FILES
.TP
.I .delegit/config.yaml, .delegit/policy.yaml, team/*.yaml, tasks/*/*.yaml
the repository's files (docs/format.md)
.SH ENVIRONMENT
.TP
.B DELEGIT_PAGER, PAGER
the pager of long output on a terminal
.TP
.B NO_COLOR
no colour
.TP
.B DELEGIT_NOW
an ISO time that overrides the clock
.SH SEE ALSO
.BR git (1),
.BR git-pull (1)
TAIL
