#!/bin/sh
# Run every test of fundkit: unit tests, end-to-end cases, man page lint
# and man page EXAMPLES, for the normal build and for the ASan+UBSan build
# (when built).  Ends with the line "N passed, N failed".
#
#   tests/run.sh                 everything
#   tests/run.sh -k PATTERN      only cases whose name matches PATTERN
#   tests/run.sh -u CASE...      (re)write the expected output of cases
#   VALGRIND=1 tests/run.sh      the cases under valgrind instead
#   CHECK_VALGRIND=1 tests/run.sh  also under valgrind (what make check does)
#   ALL_PASSES=1 tests/run.sh    the "heavy" cases sanitized too
#   RUN_TIMES=FILE tests/run.sh  each case's seconds in each pass into FILE
# The cases run plain, then with every input split in parts of a few bytes
# read on threads and with SSE2 only (label "parallel"), then sanitized, then under valgrind;
# the cases that read in parts also under ThreadSanitizer (label "tsan").
# The cases of all passes run JOBS at a time (default: every core).
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 3
export LC_ALL=C TZ=UTC
unset FUNDKIT_DATA
pass=0
fail=0
pattern=""
update=0
# one case of one pass, run by the workers below: tests/run.sh --one
# "DIR<TAB>BINDIR<TAB>LABEL<TAB>RESULT"; prints "ok" or the failure into RESULT
one=""
while [ $# -gt 0 ]; do
	case "$1" in
	-k) pattern=$2; shift 2 ;;
	-u) update=1; shift; break ;;
	--one) one=$2; shift 2 ;;
	*) echo "usage: tests/run.sh [-k PATTERN] [-u CASE...]" >&2; exit 2 ;;
	esac
done
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# python3 for the cases (FUND_TEST_PY, made once a run, the workers'
# too): the interpreter itself, without a version manager's shim (a
# tenth of a second a call), and a checker's output computed once a run
# for every pass: a tests/tools/*_check.py that does not read its
# standard input prints a function of its arguments, the files they
# name and the shipped tables, kept under their checksum
if [ -z "${FUND_TEST_PY:-}" ]; then
	FUND_TEST_PY=$TMP/py
	mkdir -p "$FUND_TEST_PY/memo"
	# (no python3, or one that does not say where it is: no wrapper,
	# which would find itself first on PATH)
	py=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null) || py=
	case $py in /*) ;; *) py= ;; esac
	[ -n "$py" ] && sed "s|@PY@|$py|" >"$FUND_TEST_PY/python3" <<'EOF'
#!/bin/sh
case ${1:-} in
*tests/tools/*_check.py) [ -f "$1" ] && ! grep -q 'sys\.stdin' "$1" && memo=1 ;;
esac
[ -n "${memo:-}" ] || exec "@PY@" "$@"
k=$FUND_TEST_PY/memo/$({ printf '%s\0' "$@"; for a; do [ -f "$a" ] && { wc -c <"$a"; cat "$a"; }; done; } | sha256sum | cut -c1-64)
if [ ! -f "$k.rc" ]; then
	"@PY@" "$@" >"$k.out.$$" 2>"$k.err.$$"
	echo $? >"$k.rc.$$"
	mv "$k.out.$$" "$k.out" && mv "$k.err.$$" "$k.err" && mv "$k.rc.$$" "$k.rc"
fi
cat "$k.out"
cat "$k.err" >&2
exit "$(cat "$k.rc")"
EOF
	[ -n "$py" ] && chmod +x "$FUND_TEST_PY/python3"
	export FUND_TEST_PY
fi

ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); echo "FAIL: $*"; }

# run_case DIR BINDIR LABEL
run_case() {
	d=$1 bindir=$2 label=$3
	name=$(basename "$d")
	out="$TMP/out" errf="$TMP/err"
	stdin=/dev/null
	[ -f "$d/stdin" ] && stdin="$d/stdin"
	(
		PATH="$bindir:$FUND_TEST_PY:$PATH" CASE="$d" TMPDIR="$TMP" TEST_PASS=$label
		export PATH CASE TMPDIR TEST_PASS
		# the parallel pass: every file read in parts of a few bytes,
		# which must give what one pass gives, each part through a
		# mapping of the file (FUNDKIT_MMAP=1; the other passes read
		# with read(2), tests/tools/parallel-diff.sh both); and with
		# SSE2 only, where the other passes take the AVX2 loops
		case $label in parallel|tsan) export FUNDKIT_THREADS=5 FUNDKIT_PART_MIN=1 FUNDKIT_SIMD=sse2 FUNDKIT_MMAP=1 ;; esac
		# leaks: LeakSanitizer (38 ms a process here) where the
		# valgrind pass of this run does not look for them, the
		# cases marked slow; valgrind (definite leaks) the others
		if [ "$label" = sanitized ] && [ -n "${vg_leaks:-}" ] && [ ! -f "$d/slow" ]; then
			export ASAN_OPTIONS=detect_leaks=0:abort_on_error=0:exitcode=99
		fi
		cd "$ROOT" && sh -c "$(cat "$d/cmd")"
	) <"$stdin" >"$out" 2>"$errf"
	status=$?
	if [ "$update" = 1 ]; then
		cp "$out" "$d/stdout"
		if [ -s "$errf" ]; then cp "$errf" "$d/stderr"; else rm -f "$d/stderr"; fi
		if [ "$status" != 0 ]; then echo "$status" >"$d/status"; else rm -f "$d/status"; fi
		echo "updated $name (status $status)"
		return
	fi
	want_status=0
	[ -f "$d/status" ] && want_status=$(cat "$d/status")
	wantout="$d/stdout"
	case $label in
	parallel|sanitized|tsan|valgrind)
		# tests/tools/parallel-diff.sh runs a corner of its matrix
		# there: its verdict is compared, not its counts of runs
		if grep -q ' runs as one pass (exit ' "$d/stdout"; then
			pd='s/^[0-9]* runs as one pass (exit \([0-9]*\)): .*/runs as one pass (exit \1)/'
			sed "$pd" "$d/stdout" >"$TMP/want.out"
			sed "$pd" "$out" >"$TMP/got.out"
			wantout="$TMP/want.out" out="$TMP/got.out"
		fi ;;
	esac
	wanterr=/dev/null
	[ -f "$d/stderr" ] && wanterr="$d/stderr"
	if [ "$status" != "$want_status" ]; then
		ko "$label $name: exit status $status, expected $want_status"
		head -5 "$errf" | sed 's/^/  | /'
	elif ! cmp -s "$out" "$wantout"; then
		ko "$label $name: stdout differs"
		diff "$wantout" "$out" | head -10 | sed 's/^/  | /'
	elif ! cmp -s "$errf" "$wanterr"; then
		ko "$label $name: stderr differs"
		diff "$wanterr" "$errf" | head -10 | sed 's/^/  | /'
	else
		ok
	fi
}

if [ -n "$one" ]; then
	tab=$(printf '\t')
	IFS=$tab read -r d bindir label res <<EOF
$one
EOF
	ok() { echo ok; }
	t0=$(date +%s.%N)
	run_case "$d" "$bindir" "$label" >"$res"
	# RUN_TIMES=FILE: a line "SECONDS LABEL CASE" a case and pass, to
	# see where make check's time goes (sort -rn FILE | head)
	[ -n "${RUN_TIMES:-}" ] && awk -v a="$t0" -v b="$(date +%s.%N)" -v l="$label" -v c="$(basename "$d")" 'BEGIN { printf "%.2f %s %s\n", b - a, l, c }' >>"$RUN_TIMES"
	exit 0
fi

if [ "$update" = 1 ]; then
	for c in "$@"; do run_case "tests/cases/$(basename "$c")" "$ROOT/bin" update; done
	exit 0
fi

# bin dirs to run the cases with
set -- "$ROOT/bin:normal" "$ROOT/bin:parallel"
[ -x build-san/bin/fund-total ] && [ -z "${VALGRIND:-}" ] && set -- "$@" "$ROOT/build-san/bin:sanitized"
# ThreadSanitizer (make SANITIZE=thread) on the cases that read in parts
[ -x build-tsan/bin/fund-total ] && [ -z "${VALGRIND:-}" ] && set -- "$@" "$ROOT/build-tsan/bin:tsan"
if [ -n "${VALGRIND:-}${CHECK_VALGRIND:-}" ] && command -v valgrind >/dev/null; then
	[ -n "${VALGRIND:-}" ] && set --
	mkdir -p "$TMP/vg"
	for b in bin/*; do
		n=$(basename "$b")
		printf '#!/bin/sh\nexec valgrind -q --vgdb=no --read-inline-info=no --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite "%s" "$@"\n' \
			"$ROOT/$b" >"$TMP/vg/$n"
		chmod +x "$TMP/vg/$n"
	done
	set -- "$@" "$TMP/vg:valgrind"
	vg_leaks=1
	export vg_leaks
fi
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=99
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=98
export TSAN_OPTIONS=halt_on_error=1:exitcode=97

njobs=0
jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}
mkdir -p "$TMP/res"
: >"$TMP/jobs"
for spec in "$@"; do
	bindir=${spec%:*} label=${spec##*:}
	# unit tests
	case $label in
	normal) ub=build/tests ;;
	sanitized) ub=build-san/tests ;;
	*) ub="" ;;
	esac
	if [ -n "$ub" ] && [ -z "$pattern" ]; then
		for t in "$ub"/test_*; do
			[ -x "$t" ] || continue
			res=$("$t" 2>"$TMP/uerr")
			rc=$?
			p=$(echo "$res" | sed -n 's/.*: \([0-9]*\) passed, \([0-9]*\) failed.*/\1/p')
			f=$(echo "$res" | sed -n 's/.*: \([0-9]*\) passed, \([0-9]*\) failed.*/\2/p')
			pass=$((pass + ${p:-0}))
			fail=$((fail + ${f:-0}))
			if [ "$rc" != 0 ] || [ -z "$p" ]; then
				[ "${f:-0}" = 0 ] && fail=$((fail + 1))
				echo "FAIL: $label unit $(basename "$t") (exit $rc)"
				head -20 "$TMP/uerr" | sed 's/^/  | /'
			fi
		done
	fi
	for d in tests/cases/*/; do
		d=${d%/}
		[ -f "$d/cmd" ] || continue
		if [ -n "$pattern" ]; then
			case $(basename "$d") in *$pattern*) ;; *) continue ;; esac
		fi
		# make check keeps valgrind to the quick cases (a case marked
		# "slow" loads the whole geography or a large file many times);
		# make valgrind runs them all
		if [ "$label" = valgrind ] && [ -z "${VALGRIND:-}" ] && [ -f "$d/slow" ]; then
			continue
		fi
		# a case marked "heavy" (an independent Python computation over
		# the whole geography, every test file read twice, or hundreds
		# of runs of tiny files, whose code paths lighter cases and the
		# fuzz harnesses run sanitized) skips
		# the sanitized pass too, unless ALL_PASSES=1
		if [ "$label" = sanitized ] && [ -z "${ALL_PASSES:-}" ] && [ -f "$d/heavy" ]; then
			continue
		fi
		case $label:$(basename "$d") in tsan:*parallel*|tsan:*percapita-anct*|tsan:*stats-anct*) ;; tsan:*) continue ;; esac
		njobs=$((njobs + 1))
		printf '%s\t%s\t%s\t%s\n' "$d" "$bindir" "$label" "$TMP/res/$(printf %05d $njobs)" >>"$TMP/jobs"
	done
done
# the cases of every pass on every core (JOBS, default all of them), each
# in its own temporary directory, the last pass (the slowest: valgrind)
# first so that the quick cases fill the cores at the end; results read
# back in the order above
if [ "$njobs" -gt 0 ]; then
	tac "$TMP/jobs" | xargs -d '\n' -P "$jobs" -n 1 sh "$ROOT/tests/run.sh" --one
	for r in "$TMP"/res/*; do
		if [ "$(cat "$r")" = ok ]; then ok
		else fail=$((fail + 1)); cat "$r"; fi
	done
fi

if [ -z "$pattern" ] && [ -z "${VALGRIND:-}" ]; then
	# man pages: lint
	for m in man/man1/*.1 man/man7/*.7; do
		[ -f "$m" ] || continue
		if command -v mandoc >/dev/null; then
			if mandoc -Tlint -W warning "$m" >"$TMP/lint" 2>&1; then ok
			else ko "man lint $m"; sed 's/^/  | /' "$TMP/lint" | head -5; fi
		fi
	done
	# the README tour's and the man pages' examples print what they show
	# (or what tests/doc-examples records): one count a file
	python3 tests/tools/doc_examples.py README.md man/man1/*.1 man/man7/*.7 >"$TMP/ex" 2>&1
	while IFS= read -r l; do
		case $l in
		*" examples, "*" 0 failed") ok ;;
		*" examples, "*" failed") ko "examples ${l%%:*}"; grep -F "${l%%:*}: example" "$TMP/ex" | head -4 | sed 's/^/  | /' ;;
		esac
	done <"$TMP/ex"
fi

# the public API: what libfund.a exports is what the installed headers declare
if [ -z "$pattern" ] && [ -z "${VALGRIND:-}" ]; then
	if ./tests/tools/api-symbols.sh build/libfund.a include/fund/*.h >"$TMP/api" 2>&1; then ok
	else ko "api: build/libfund.a and include/fund/ differ"; sed 's/^/  | /' "$TMP/api" | head -10; fi
fi

# every command under allocation failures (the plain build)
if [ -z "$pattern" ] && [ -z "${VALGRIND:-}" ]; then
	./tests/oom.sh >"$TMP/oom" 2>&1
	p=$(sed -n 's/^oom: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p' "$TMP/oom")
	f=$(sed -n 's/^oom: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p' "$TMP/oom")
	pass=$((pass + ${p:-0}))
	fail=$((fail + ${f:-1}))
	[ "${f:-1}" = 0 ] || { echo "FAIL: out of memory (tests/oom.sh)"; grep -v ' as unlimited$' "$TMP/oom" | head -20 | sed 's/^/  | /'; }
fi

# make check runs the fuzz harnesses briefly first and passes their status
if [ -n "${FUZZ_SMOKE_STATUS:-}" ]; then
	if [ "$FUZZ_SMOKE_STATUS" = 0 ]; then ok; else ko "fuzz smoke: a harness failed (build/fuzz-smoke.log)"; fi
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
