#!/bin/sh
# tests/tools/alloc-ladder.sh COMMAND...: run COMMAND with the allocations
# failing from the N-th on (memory exhausted), and with only the N-th
# failing, for every N from 1 to 40 and then N growing by a seventh
# (ALLOC_LADDER_ALL=1: every N, a longer run), until a
# run needs no more allocations than N (build/mallocfail.so, as curl's
# and SQLite's test suites inject allocation failures).  Every run must
# end as an unlimited run does (exit status, standard output and error
# alike), or exit 3 saying "out of memory"; never a signal, the usage
# status, another status, or exit 0 with other output.  Prints one line
# of counts; exits 1 at the first run that breaks the rule.
set -u
# (the shell's own reads, not a grep a run: this machine starts a
# process in 4 ms, and a ladder is thousands of runs)
says_oom() {
	while IFS= read -r l || [ -n "$l" ]; do
		case $l in *'out of memory'*) return 0 ;; esac
	done <"$1"
	return 1
}
FI=${FI:-$(cd "$(dirname "$0")/../.." && pwd)/build/mallocfail.so}
T=${TMPDIR:-/tmp}/oom.$$
"$@" >"$T.o1" 2>"$T.e1"
st1=$?
runs=0 nomem=0 same=0
for once in 0 1; do
	n=1
	while :; do
		FAULT_MALLOC_AFTER=$n FAULT_MALLOC_ONCE=$once FAULT_MALLOC_LOG=$T.log LD_PRELOAD=$FI "$@" >"$T.o" 2>"$T.e"
		st=$?
		runs=$((runs + 1))
		how="allocations failing from the ${n}th"
		[ $once = 1 ] && how="the ${n}th allocation failing"
		if [ $st = 3 ] && says_oom "$T.e"; then
			nomem=$((nomem + 1))
		elif [ $st = "$st1" ] && cmp -s "$T.o" "$T.o1" && cmp -s "$T.e" "$T.e1"; then
			same=$((same + 1))
		else
			echo "$*: $how: exit $st (unlimited: $st1)"
			diff "$T.o1" "$T.o" | head -5
			diff "$T.e1" "$T.e" | head -5
			rm -f "$T".*
			exit 1
		fi
		l=
		[ -f "$T.log" ] && read -r l <"$T.log"
		case $l in never*) break ;; esac
		if [ $n -lt 40 ] || [ -n "${ALLOC_LADDER_ALL:-}" ]; then n=$((n + 1)); else n=$((n + n / 7)); fi
	done
done
echo "$*: $runs runs: $nomem out of memory (exit 3), $same as unlimited"
rm -f "$T".*
