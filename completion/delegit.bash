# bash completion for delegit. Commands and options come from the program's
# own option tables (delegit --dump-help=commands|options, the tables that
# drive --help), task ids and handles from the repository (delegit
# __complete ids|handles): nothing here can drift from the program.
# Installed as share/bash-completion/completions/delegit.

# The facts of a command's table: usage, args and opt lines, tab-separated
_delegit_facts()
{
	command "$1" --dump-help=options "${@:2}" --help 2>/dev/null
}

# Offer what a value named $2 (HANDLE, ID, FILE...) takes, matching $3
_delegit_value()
{
	local prog=$1 what=$2 cur=$3 IFS=$'\n'
	# the repository delegit would work in: -C DIR too
	local -a dir=()
	[ -n "$_delegit_dir" ] && dir=(-C "$_delegit_dir")
	case $what in
	ID | TASK | *ID)
		COMPREPLY=($(command "$prog" "${dir[@]}" __complete ids "$cur" 2>/dev/null |
			cut -f1))
		;;
	HANDLE | H | PERSON)
		COMPREPLY=($(command "$prog" "${dir[@]}" __complete handles "$cur" \
			2>/dev/null))
		;;
	FILE | DIR | PATH | BASE | OURS | THEIRS)
		COMPREPLY=($(compgen -f -- "$cur"))
		;;
	*)
		COMPREPLY=()
		;;
	esac
}

_delegit()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	local prog=${COMP_WORDS[0]} i=1 cmd="" cmdi=0 sub="" facts subs
	local IFS=$' \t\n'
	_delegit_dir=""

	# The command: the first word that is not a global option
	while [ "$i" -lt "$COMP_CWORD" ]; do
		case ${COMP_WORDS[i]} in
		-C)
			_delegit_dir=${COMP_WORDS[i + 1]}
			i=$((i + 2))
			;;
		-*) i=$((i + 1)) ;;
		*)
			cmd=${COMP_WORDS[i]} cmdi=$i
			break
			;;
		esac
	done
	if [ "$prev" = "-C" ]; then
		COMPREPLY=($(compgen -d -- "$cur"))
		return
	fi
	if [ -z "$cmd" ]; then
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "-C --no-color --no-pager --help --version" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$(command "$prog" --dump-help=commands 2>/dev/null | cut -f1)" -- "$cur"))
		fi
		return
	fi
	facts=$(_delegit_facts "$prog" "$cmd")
	# "delegit team (add | list | ...)": a subcommand comes first
	subs=$(sed -n 's/^usage\tdelegit [a-z-]* (\([a-z][^)]*\)).*/\1/p' <<<"$facts" |
		tr '|' '\n' | awk '{ print $1 }')
	if [ -n "$subs" ]; then
		if [ "$COMP_CWORD" -eq $((cmdi + 1)) ]; then
			COMPREPLY=($(compgen -W "$subs" -- "$cur"))
			return
		fi
		sub=${COMP_WORDS[cmdi + 1]}
		facts=$(_delegit_facts "$prog" "$cmd" "$sub")
	fi
	# The value of an option
	local takes
	if [[ $prev == -* ]]; then
		takes=$(awk -F'\t' -v o="$prev" '$1 == "opt" && $2 == o { print $3 }' <<<"$facts")
		if [ -n "$takes" ]; then
			_delegit_value "$prog" "$takes" "$cur"
			return
		fi
	fi
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(awk -F'\t' '$1 == "opt" { print $2 }' <<<"$facts")" -- "$cur"))
		return
	fi
	# A positional: which one, skipping options and their values
	local j=$((cmdi + 1)) n=0 w
	[ -n "$sub" ] && j=$((j + 1))
	while [ "$j" -lt "$COMP_CWORD" ]; do
		w=${COMP_WORDS[j]}
		if [[ $w == -* ]]; then
			takes=$(awk -F'\t' -v o="$w" '$1 == "opt" && $2 == o { print $3 }' <<<"$facts")
			[ -n "$takes" ] && j=$((j + 1))
		else
			n=$((n + 1))
		fi
		j=$((j + 1))
	done
	local -a names
	names=($(awk -F'\t' '$1 == "args" { print $2 }' <<<"$facts"))
	[ "${#names[@]}" -eq 0 ] && return
	[ "$n" -ge "${#names[@]}" ] && n=$((${#names[@]} - 1))
	_delegit_value "$prog" "${names[n]}" "$cur"
}
complete -F _delegit delegit
