# shellcheck shell=bash
# Sourced by tests/vm/lib.sh: unpriv, to run a program of the checkout as
# nobody when nobody cannot read the checkout (a clone in a mode-0700 home:
# the guest sees it over 9p with its permissions).
#
#   unpriv PROGRAM [ARGS...]          e.g. unpriv "$SYNFIN" stats
#   unpriv INTERPRETER SCRIPT [ARGS...]   e.g. unpriv $PY "$here/nlprobe.py" --denied
#
# Copies PROGRAM (or, when the first word is a python, perl, bash or sh
# interpreter, SCRIPT; the interpreter runs from where it is) into a fresh
# directory under /tmp (0755, files 0755), then runs it from there, in
# that directory, as nobody (uid and gid 65534, no groups, no capabilities
# in any set), with ARGS unchanged: give paths in ARGS absolute. Returns
# its exit status (125 if the copy could not be made) and removes the
# directory.
unpriv() {
	local cmd=$1 dir rc
	shift
	dir=$(mktemp -d /tmp/unpriv.XXXXXX) || return 125
	if ! chmod 0755 "$dir"; then
		rm -rf "$dir"
		return 125
	fi
	case ${cmd##*/} in
	python*|perl*|bash|sh|dash)
		if [ $# = 0 ] || ! install -m 0755 "$1" "$dir/"; then
			rm -rf "$dir"
			return 125
		fi
		set -- "$dir/${1##*/}" "${@:2}"
		;;
	*)
		[[ $cmd == */* ]] || cmd=$(command -v "$cmd") || { rm -rf "$dir"; return 125; }
		install -m 0755 "$cmd" "$dir/" || { rm -rf "$dir"; return 125; }
		cmd=$dir/${cmd##*/}
		;;
	esac
	(cd "$dir" && exec setpriv --reuid=65534 --regid=65534 --clear-groups \
		--inh-caps=-all --bounding-set=-all "$cmd" "$@")
	rc=$?
	rm -rf "$dir"
	return $rc
}
