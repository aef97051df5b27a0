#!/bin/sh
# tests/tools/parallel-diff.sh FILE COMMAND...: run COMMAND on FILE in one
# pass (--threads 1), then split in parts on 2 to 9 threads with parts of
# 1 byte to 4 KiB at least (PDIFF_PART_MINS: other sizes); every run must write the same output and the
# same messages; then through a pipe on 2, 3 and 5 threads.  Prints how
# many runs merged their parts and how many read the file (or the rest of
# the stream) again in one pass, and exits 1 at the first difference.
set -u
f=$1
shift
T=${TMPDIR:-/tmp}/pdiff.$$
"$@" --threads 1 "$f" >"$T.1" 2>"$T.1e"
st1=$?
merged=0 again=0 runs=0
for t in 2 3 4 5 9; do
	for m in ${PDIFF_PART_MINS:-1 7 64 509 4096}; do
		FUNDKIT_PART_MIN=$m FUNDKIT_PARALLEL_DEBUG=1 "$@" --threads $t "$f" >"$T.n" 2>"$T.ne"
		st=$?
		runs=$((runs + 1))
		grep -q ' parts: merged$' "$T.ne" && merged=$((merged + 1))
		grep -q ' parts: \(a part did not\|the parts do not\|the parts before an error\|a total overflows\|encoding changed\|no memory\)' "$T.ne" && again=$((again + 1))
		grep -v ' [0-9]* parts: \|: part [0-9]*: ' "$T.ne" >"$T.nf"
		if [ "$st" != "$st1" ] || ! cmp -s "$T.1" "$T.n" || ! cmp -s "$T.1e" "$T.nf"; then
			echo "differs: --threads $t, parts of $m bytes or more: $*"
			diff "$T.1" "$T.n" | head -5
			diff "$T.1e" "$T.nf" | head -5
			rm -f "$T".*
			exit 1
		fi
	done
done
# through a pipe: windows of 4 KiB times the threads, cut into parts
for t in 2 3 5; do
	cat "$f" | FUNDKIT_PART_MIN=1 FUNDKIT_PARALLEL_DEBUG=1 "$@" --threads $t >"$T.n" 2>"$T.ne"
	st=$?
	runs=$((runs + 1))
	grep -q 'windows of .* parts: merged$' "$T.ne" && merged=$((merged + 1))
	grep -q 'the rest read in one pass$' "$T.ne" && again=$((again + 1))
	grep -v ' [0-9]* parts: \|: part [0-9]*: \|windows of [0-9]* parts: \|the rest read in one pass$' "$T.ne" >"$T.nf"
	sed 's/^\([a-z-]*: \)[^:]*\(:[0-9]*:\)/\1(standard input)\2/' "$T.1e" >"$T.1s"
	if [ "$st" != "$st1" ] || ! cmp -s "$T.1" "$T.n" || ! cmp -s "$T.1s" "$T.nf"; then
		echo "differs: --threads $t through a pipe: $*"
		diff "$T.1" "$T.n" | head -5
		diff "$T.1s" "$T.nf" | head -5
		rm -f "$T".*
		exit 1
	fi
done
echo "$runs runs as one pass (exit $st1): $merged merged, $again read again in one pass"
rm -f "$T".*
