#!/bin/sh
# tests/tools/parallel-diff.sh FILE COMMAND...: run COMMAND on FILE in one
# pass (--threads 1), then split in parts on 2 to 9 threads with parts of
# 1 byte to 4 KiB at least (PDIFF_PART_MINS: other sizes), the parts read
# with read(2) on an even number of threads and through a mapping of the
# file (FUNDKIT_MMAP=1) on an odd one; every run must write the same output and the
# same messages; then through a pipe on 2, 3 and 5 threads.  Prints how
# many runs merged their parts and how many read the file (or the rest of
# the stream) again in one pass, and exits 1 at the first difference.
# In tests/run.sh's parallel pass (SSE2 only), under ASan+UBSan and
# valgrind (TEST_PASS), a corner of that matrix: 2 and 5 threads, parts
# of 1, 64 and 4096 bytes (the first, middle and last of
# PDIFF_PART_MINS); under ThreadSanitizer 5 threads, the first and last
# sizes, a pipe on 5; the plain pass runs all of it.
set -u
threads="2 3 4 5 9" mins=${PDIFF_PART_MINS:-1 7 64 509 4096} piped="2 3 5"
case ${TEST_PASS:-} in
parallel|sanitized|valgrind) threads="2 5" mins=$(echo "$mins" | awk '{ print $1, $(int((NF + 1) / 2)), $NF }') ;;
# ThreadSanitizer sees a race whenever both accesses run, whatever the
# interleaving: 5 threads, the smallest and largest parts, one pipe
tsan) threads=5 mins=$(echo "$mins" | awk '{ print $1, $NF }') piped=5 ;;
esac
f=$1
shift
T=${TMPDIR:-/tmp}/pdiff.$$
"$@" --threads 1 "$f" >"$T.1" 2>"$T.1e"
st1=$?
merged=0 again=0 runs=0
for t in $threads; do
	for pm in $mins; do
		FUNDKIT_MMAP=$((t % 2)) FUNDKIT_PART_MIN=$pm FUNDKIT_PARALLEL_DEBUG=1 "$@" --threads $t "$f" >"$T.n" 2>"$T.ne"
		st=$?
		runs=$((runs + 1))
		# what the driver said (one awk, not three greps: this machine
		# starts a process in 4 ms), the rest kept to compare
		awk -v nf="$T.nf" '
			/ parts: merged$/ { m = 1 }
			/ parts: (a part did not|the parts do not|the parts before an error|a total overflows|encoding changed|no memory)/ { a = 1 }
			!/ [0-9]* parts: |: part [0-9]*: / { print >nf }
			END { printf "" >nf; print m + 0, a + 0 }' "$T.ne" >"$T.says"
		read -r m a <"$T.says"
		merged=$((merged + m)) again=$((again + a))
		if [ "$st" != "$st1" ] || ! cmp -s "$T.1" "$T.n" || ! cmp -s "$T.1e" "$T.nf"; then
			echo "differs: --threads $t, parts of $pm bytes or more: $*"
			diff "$T.1" "$T.n" | head -5
			diff "$T.1e" "$T.nf" | head -5
			rm -f "$T".*
			exit 1
		fi
	done
done
# through a pipe: windows of 4 KiB times the threads, cut into parts,
# against one pass through a pipe (what names the input says standard input)
cat "$f" | "$@" --threads 1 >"$T.p1" 2>"$T.p1e"
stp=$?
for t in $piped; do
	cat "$f" | FUNDKIT_PART_MIN=1 FUNDKIT_PARALLEL_DEBUG=1 "$@" --threads $t >"$T.n" 2>"$T.ne"
	st=$?
	runs=$((runs + 1))
	awk -v nf="$T.nf" '
		/windows of .* parts: merged$/ { m = 1 }
		/the rest read in one pass$/ { a = 1 }
		!/ [0-9]* parts: |: part [0-9]*: |windows of [0-9]* parts: |the rest read in one pass$/ { print >nf }
		END { printf "" >nf; print m + 0, a + 0 }' "$T.ne" >"$T.says"
	read -r m a <"$T.says"
	merged=$((merged + m)) again=$((again + a))
	if [ "$st" != "$stp" ] || ! cmp -s "$T.p1" "$T.n" || ! cmp -s "$T.p1e" "$T.nf"; then
		echo "differs: --threads $t through a pipe: $*"
		diff "$T.p1" "$T.n" | head -5
		diff "$T.p1e" "$T.nf" | head -5
		rm -f "$T".*
		exit 1
	fi
done
echo "$runs runs as one pass (exit $st1): $merged merged, $again read again in one pass"
rm -f "$T".*
