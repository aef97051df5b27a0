#!/bin/sh
# Run every libFuzzer harness for SECONDS each (default 60), from a seed
# corpus made of the real files and the test inputs:
#   tests/fuzz/run.sh [SECONDS] [HARNESS...]
# Crashes are written to tests/fuzz/crashes/ (each one found becomes a
# test case); the exit status is 1 when a harness found one.
# make fuzz-smoke runs this for a few seconds per harness inside make check;
# make fuzz FUZZ_SECONDS=N [FUZZ_HARNESSES="csv json"] runs a campaign.
# With FUZZ_CORPUS=1 (make fuzz), a harness starts from its distilled corpus
# of earlier campaigns too (tests/fuzz/corpus/HARNESS.tar.gz, made by
# tests/fuzz/distill.sh).
# Harnesses run FUZZ_JOBS at a time (default: the number of cores), each
# for its SECONDS; their lines are printed in order.
set -u
cd "$(dirname "$0")/../.." || exit 3
secs=${1:-60}
[ $# -gt 0 ] && shift
harnesses=${*:-csv csv_diff csv_json parallel json amount check date where pattern codes sheet xls cmd_total cmd_percapita cmd_stats cmd_plot cmd_check cmd_cat cmd_diff}
make -s fuzz-build >/dev/null || exit 3
mkdir -p tests/fuzz/crashes build-fuzz/corpus
jobs=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 1)}
running=0
# one harness: its line in build-fuzz/$h.line, its status in .st
fuzz_one() {
	h=$1 c=build-fuzz/corpus/$1
	log=build-fuzz/$h.log
	# the commands' messages are not the fuzzer's (fd 2 closed for them)
	case $h in cmd_*) extra=-close_fd_mask=2 ;; *) extra= ;; esac
	./build-fuzz/fuzz_$h $extra -max_total_time="$secs" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix=tests/fuzz/crashes/ -print_final_stats=1 "$c" >"$log" 2>&1
	st=$?
	runs=$(grep -a '^stat::number_of_executed_units' "$log" | tail -1 | sed 's/.*: *//')
	cov=$(grep -ao 'cov: [0-9]*' "$log" | tail -1)
	{
		echo "fuzz_$h: ${secs}s, ${runs:-?} runs, ${cov:-cov: ?} edges, exit $st"
		[ "$st" != 0 ] && grep -E 'ERROR|SUMMARY|Test unit written' "$log" | head -5
	} >"build-fuzz/$h.line"
	echo "$st" >"build-fuzz/$h.st"
}
for h in $harnesses; do
	c=build-fuzz/corpus/$h
	mkdir -p "$c"
	case $h in
	csv|csv_diff|check|csv_json|parallel) find tests/data -name '*.csv' -size -64k -exec cp {} "$c/" \; ;;
	json) cp tests/data/crafted/*.json tests/data/crafted/*.ndjson "$c/" ;;
	sheet) python3 tests/fuzz/sheet-seeds.py "$c" ;;
	xls) cp tests/data/sheets/*.xls "$c/" ;;
	amount) cp tests/fuzz/seeds/amount/* "$c/" ;;
	date) printf '2017-06-27' >"$c/iso"; printf '27/06/2017' >"$c/fr"; printf "a'b\"c\\nEOD" >"$c/label"
		printf '35600000049837' >"$c/siret" ;;
	where) printf 'montant>=23000\n23 000,50' >"$c/amount"; printf 'objet~^Cr[ée]a\nCr\303\251ation' >"$c/re"
		printf 'dateConvention<2017-07-01\n30/06/2017' >"$c/date"; printf 'nom!=x\n' >"$c/empty" ;;
	pattern)
		printf '^(^[0-9]{14}$)$\00021310555400017' >"$c/siret"; printf '^(^W[0-9]{9}$)$\000W123456789' >"$c/rna"
		printf '^(^[0-9]{4}-[0-9]{2}-[0-9]{2}(/[0-9]{4}-[0-9]{2}-[0-9]{2})?$)$\0002019-01-01/2019-12-31' >"$c/period"
		printf '^([a-c-]x?(ab){2}(c?d)?)$\000-xababd' >"$c/groups" ;;
	codes) printf '\00031555' >"$c/commune"; printf '\0012A004' >"$c/corse"; printf '\000200054781' >"$c/epci"
		printf '\00021310555400017' >"$c/siret"; printf '\00476' >"$c/region"; printf '\0001001' >"$c/zero" ;;
	cmd_*)
		# arguments, one a line, a NUL, the file (a second NUL: a second file)
		t='k,m,d,code,w,p\na,1,2017-01-01,31555,2,2017-2019\nb,"2,5",2018-06-30,09122,1,2018\n'
		t2='k,m,d,code,w,p\na,1.5,2017-01-01,31555,2,2017\nc,3,2019-01-01,1004,1,2019\n'
		case $h in
		cmd_total) set -- '-g\nk\n-s\nm' '--pivot\nk\n-s\nm\n--rollup\n-o\ntable' '--by\nyear:d\n-s\nm\n--spread\np' ;;
		cmd_percapita) set -- '-k\ncode\n-s\nm' '-k\ncode\n-s\nm\n-l\nepci\n--split' ;;
		cmd_stats) set -- '-s\nm\n-a\ncount,mean,gini,median,palma' '-g\nk\n-s\nm\n-w\nw\n-o\njson' ;;
		cmd_plot) set -- 'hist\n-s\nm' 'bars\n-g\nk\n-s\nm\n--script\npng' 'lorenz\n-s\nm' ;;
		cmd_check) set -- '-s\nm' '--schema\nscdl-subventions' '-s\nm\n--reconcile\n3@k=a' ;;
		cmd_cat) set -- '-o\njson' '--where\nm>=1\n-c\n1,2' '--unpivot\n2-\n--amounts\nvalue' ;;
		cmd_diff) set -- '-k\nk\n-s\nm' '--summary\n-s\nm' '-k\nk\n-g\nd\n-s\nm\n-o\njson' ;;
		esac
		[ -d "tests/fuzz/seeds/$h" ] && cp tests/fuzz/seeds/$h/* "$c/"
		i=0
		for a in "$@"; do
			i=$((i + 1))
			printf '%b\000%b\000%b' "$a" "$t" "$t2" >"$c/seed$i"
		done ;;
	esac
	if [ "${FUZZ_CORPUS:-0}" = 1 ] && [ -f "tests/fuzz/corpus/$h.tar.gz" ]; then
		gzip -dc "tests/fuzz/corpus/$h.tar.gz" | tar -xf - -C "$c" || exit 3
	fi
	rm -f "build-fuzz/$h.line" "build-fuzz/$h.st"
	fuzz_one "$h" &
	running=$((running + 1))
	if [ "$running" -ge "$jobs" ]; then
		wait
		running=0
	fi
done
wait
bad=0
for h in $harnesses; do
	cat "build-fuzz/$h.line" 2>/dev/null || echo "fuzz_$h: no result"
	[ "$(cat "build-fuzz/$h.st" 2>/dev/null)" = 0 ] || bad=1
done
exit $bad
