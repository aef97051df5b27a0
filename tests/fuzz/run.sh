#!/bin/sh
# Run every libFuzzer harness for SECONDS each (default 60), from a seed
# corpus made of the real files and the test inputs:
#   tests/fuzz/run.sh [SECONDS] [HARNESS...]
# Crashes are written to tests/fuzz/crashes/ (each one found becomes a
# test case); the exit status is 1 when a harness found one.
# make fuzz-smoke runs this for a few seconds per harness inside make check.
set -u
cd "$(dirname "$0")/../.." || exit 3
secs=${1:-60}
[ $# -gt 0 ] && shift
harnesses=${*:-csv csv_diff json amount check date}
make -s fuzz >/dev/null || exit 3
mkdir -p tests/fuzz/crashes build-fuzz/corpus
bad=0
for h in $harnesses; do
	c=build-fuzz/corpus/$h
	mkdir -p "$c"
	case $h in
	csv|csv_diff|check) find tests/data -name '*.csv' -size -64k -exec cp {} "$c/" \; ;;
	json) cp tests/data/crafted/*.json tests/data/crafted/*.ndjson "$c/" ;;
	amount) cp tests/fuzz/seeds/amount/* "$c/" ;;
	date) printf '2017-06-27' >"$c/iso"; printf '27/06/2017' >"$c/fr"; printf "a'b\"c\\nEOD" >"$c/label"
		printf '35600000049837' >"$c/siret" ;;
	esac
	log=build-fuzz/$h.log
	./build-fuzz/fuzz_$h -max_total_time="$secs" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix=tests/fuzz/crashes/ -print_final_stats=1 "$c" >"$log" 2>&1
	st=$?
	runs=$(grep -a '^stat::number_of_executed_units' "$log" | tail -1 | sed 's/.*: *//')
	cov=$(grep -ao 'cov: [0-9]*' "$log" | tail -1)
	echo "fuzz_$h: ${secs}s, ${runs:-?} runs, ${cov:-cov: ?} edges, exit $st"
	if [ "$st" != 0 ]; then
		grep -E 'ERROR|SUMMARY|Test unit written' "$log" | head -5
		bad=1
	fi
done
exit $bad
