#!/bin/bash
# Build the module for each kernel release given (default: all installed)
# and run the VM suite on each. Output per kernel in build/vm/<release>/.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
if [ $# = 0 ]; then
	# Default: every installed kernel, which must include 6.1 and 6.12.
	read -r -a kernels < <("$top/scripts/kernels.sh")
	set -- "${kernels[@]}"
	case " $* " in *" 6.1."*) ;; *) echo "vm-tests: no 6.1 kernel with headers" >&2; exit 1 ;; esac
	case " $* " in *" 6.12."*) ;; *) echo "vm-tests: no 6.12 kernel with headers" >&2; exit 1 ;; esac
fi
# What of tests/vm/suite.sh to run (make's VM_TESTS): names of sections
# (core, api, hostile, load, faults: all their tests) or of single tests
# (handshake, ynl, ...: tests/vm/suite.sh --list, tests/README.md),
# separated by spaces or commas; empty or "all": everything. Unless
# named, a PREEMPT_RT kernel (release *-rt-amd64) runs only
# SYNFIN_VM_RT_SECTIONS (default "core load"; empty or "all": every one).
rt_sections=${SYNFIN_VM_RT_SECTIONS-core load}
suite=$top/tests/vm/suite.sh
# They go onto the guest's kernel command line. Each must be a section or
# a test of the suite's (a typo would run nothing and pass): asked here,
# before anything is built or booted.
for s in "${SYNFIN_VM_SECTIONS:-}" "$rt_sections"; do
	[[ $s =~ ^[A-Za-z0-9_,\ -]*$ ]] || { echo "vm-tests: bad test names '$s'" >&2; exit 2; }
	bash "$suite" --check "$s" > /dev/null || { echo "vm-tests: '$s' names no test of the suite's" >&2; exit 2; }
done
sections_for() { # kver: its sections, comma-separated (empty: all)
	local s=${SYNFIN_VM_SECTIONS:-}
	if [ -z "${s//[ ,]/}" ]; then
		case $1 in *-rt-amd64) s=$rt_sections ;; esac
	fi
	s=$(tr -s ' ,' '\n' <<< "$s" | grep . | paste -sd,)
	case ,$s, in *,all,*) s= ;; esac
	echo "$s"
}
sections_said() { # sections: how the log names them
	if [ -n "$1" ]; then echo "running ${1//,/ }"; else echo "every section"; fi
}
# The guest runs the kernel's YNL client against the synfin family.
"$top/scripts/kernel-tools.sh" > /dev/null || exit 1
rc=0
rm -rf "$top/build/vm"
# Each guest is one emulation thread (single-threaded TCG): up to
# SYNFIN_VM_JOBS of them (default: one a CPU) run at once, each kernel's
# output printed whole when it is done.
jobs=${SYNFIN_VM_JOBS:-$(nproc)}
# The whole suites first, the shorter PREEMPT_RT runs after them.
mapfile -t kernels < <(printf '%s\n' "$@" | grep -v -- '-rt-amd64$'; printf '%s\n' "$@" | grep -- '-rt-amd64$')
set -- "${kernels[@]}"
[[ $jobs =~ ^[1-9][0-9]*$ ]] || { echo "vm-tests: SYNFIN_VM_JOBS must be a positive number" >&2; exit 2; }
declare -A running=()	# pid -> kernel release
report() { # name: print a finished guest's output and verdict
	local name=$1 krc
	krc=$(cat "$top/build/vm/$name/vm.rc" 2>/dev/null || echo 1)
	echo "== $name: VM suite"
	cat "$top/build/vm/$name/run.log" 2>/dev/null
	sed 's/^/  /' "$top/build/vm/$name/test.log" 2>/dev/null
	if [ "$krc" = 0 ]; then echo "== $name: success"; else echo "== $name: FAILED"; rc=1; fi
}
reap() { # report every guest that has ended
	local pid
	for pid in "${!running[@]}"; do
		kill -0 "$pid" 2>/dev/null && continue
		wait "$pid" 2>/dev/null
		report "${running[$pid]}"
		unset "running[$pid]"
	done
}
# A debug kernel's suite (hours under emulation) runs as several guests
# at once when there are CPUs for them, each with some of the sections:
# SYNFIN_VM_DEBUG_SPLIT, groups separated by spaces, each of sections or
# tests separated by commas (default: two groups of about an hour and a
# half each on this project's 2-core machine). Not when tests are named.
debug_split=${SYNFIN_VM_DEBUG_SPLIT-core,api,hostile load,faults}
[[ $debug_split =~ ^[A-Za-z0-9_,\ -]*$ ]] || { echo "vm-tests: bad SYNFIN_VM_DEBUG_SPLIT '$debug_split'" >&2; exit 2; }
# Together the groups must choose every test of the suite, each once (the
# suite's registry says which a name chooses): a typo would make a guest
# that runs nothing and passes, a test named twice would run twice.
if [ -n "${debug_split// /}" ]; then
	have=$(for group in $debug_split; do
		bash "$suite" --check "$group" || echo "(unknown names in '$group')"
	done | sort | paste -sd' ')
	want=$(bash "$suite" --check all | sort | paste -sd' ')
	[ "$have" = "$want" ] || { echo "vm-tests: SYNFIN_VM_DEBUG_SPLIT '$debug_split' must choose every test of the suite's, each once: it chooses $have; the suite has $want" >&2; exit 2; }
fi
runs=()	# release|sections (empty: as sections_for says)|name
for kver in "$@"; do
	case $kver in
	*-synfin-debug|*-synfin-kcsan)
		s=${SYNFIN_VM_SECTIONS:-}
		if [ -z "${s//[ ,]/}" ] && [ "$jobs" -ge 2 ] && [ -n "${debug_split// /}" ]; then
			part=0
			for group in $debug_split; do
				part=$((part + 1))
				runs+=("$kver|$group|$kver-part$part")
			done
			continue
		fi ;;
	esac
	runs+=("$kver||$kver")
done
built=" "
for run in "${runs[@]}"; do
	IFS='|' read -r kver group name <<< "$run"
	echo "== $name: building the module"
	case $kver in
	*-synfin-debug|*-synfin-kcsan)
		# make check-debug, check-kcsan: a kernel that
		# scripts/debug-kernel.sh built (KASAN or KCSAN flavour),
		# booted with slab_nomerge (the module's caches its own) and
		# no5lvl: with QEMU's -cpu max the kernel takes 5-level
		# paging, and identify_cpu() clears the boot CPU's features
		# (LA57 among them) for a moment, in which an interrupt's
		# direct-map addresses look wild to KASAN ("BUG: KASAN:
		# wild-memory-access in do_raw_spin_lock" from
		# handle_edge_irq, at 0.0075 s: seen here)
		flavour=kasan
		case $kver in *-synfin-kcsan) flavour=kcsan ;; esac
		dbg=$("$top/scripts/debug-kernel.sh" $flavour) || { rc=1; continue; }
		kdir=$dbg kernel=$dbg/arch/x86/boot/bzImage
		vm_append="${SYNFIN_VM_APPEND:+$SYNFIN_VM_APPEND }slab_nomerge no5lvl"
		# the whole suite there: above three hours in one guest
		vm_timeout=${SYNFIN_VM_TIMEOUT:-14400} ;;
	*)	kdir='' kernel=''
		vm_append=${SYNFIN_VM_APPEND:-}
		# A whole suite: 25 to 30 minutes alone on a 2-core host;
		# seen past 45 with four other guests sharing its CPUs.
		vm_timeout=${SYNFIN_VM_TIMEOUT:-3600} ;;
	esac
	# Once a kernel: a guest of its may be loading the module already.
	if [[ $built != *" $kver "* ]]; then
		SYNFIN_KDIR=$kdir "$top/scripts/build-module.sh" "$kver" || { rc=1; continue; }
		built+="$kver "
	fi
	[ -n "$kdir" ] || unset SYNFIN_KDIR
	out=$top/build/vm/$name
	rm -rf "$out" && mkdir -p "$out"
	if [ -n "$group" ]; then sections=$group; else sections=$(sections_for "$kver"); fi
	while [ ${#running[@]} -ge "$jobs" ]; do
		wait -n
		reap
	done
	echo "== $name: VM suite started, $(sections_said "$sections")"
	(
		if [ -n "$kernel" ]; then export SYNFIN_VM_KERNEL=$kernel; else unset SYNFIN_VM_KERNEL; fi
		SYNFIN_VM_SECTIONS=$sections SYNFIN_VM_TIMEOUT=$vm_timeout SYNFIN_VM_APPEND=$vm_append \
			"$top/scripts/vm-run.sh" "$kver" "$top/tests/vm/suite.sh" "$out"
		echo $? > "$out/vm.rc"
	) > "$out/run.log" 2>&1 &
	running[$!]=$name
done
while [ ${#running[@]} -gt 0 ]; do
	wait -n
	reap
done
# One closing line over every kernel, for people and for CI.
passed=0 failed=0
for dir in "$top"/build/vm/*/; do
	[ -d "$dir" ] || continue	# no guest at all (rc says why)
	log=$dir/test.log
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -1)
	# no verdict, or a guest that passed nothing at all: a failure
	if [ -z "$line" ] || [ "${line%% *}" = 0 ]; then
		failed=$((failed + 1))
		continue
	fi
	passed=$((passed + ${line%% *}))
	f=${line#*, }
	failed=$((failed + ${f%% *}))
done
echo "vm: $passed passed, $failed failed"
[ $failed = 0 ] || rc=1
exit $rc
