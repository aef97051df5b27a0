#!/bin/sh
# Run every libFuzzer harness for SECONDS each (default 60), from a seed
# corpus made of the real files and the test inputs.  Crashes are written
# to tests/fuzz/crashes/; each one found becomes a test case.
set -eu
cd "$(dirname "$0")/../.."
secs=${1:-60}
make -s fuzz >/dev/null
mkdir -p tests/fuzz/crashes build-fuzz/corpus
for h in csv json amount; do
	c=build-fuzz/corpus/$h
	mkdir -p "$c"
	case $h in
	csv) find tests/data -name '*.csv' -size -64k -exec cp {} "$c/" \; ;;
	json) cp tests/data/crafted/*.json tests/data/crafted/*.ndjson "$c/" ;;
	amount) cp tests/fuzz/seeds/amount/* "$c/" ;;
	esac
	echo "== fuzz_$h for ${secs}s"
	./build-fuzz/fuzz_$h -max_total_time="$secs" -max_len=65536 -timeout=10 \
		-artifact_prefix=tests/fuzz/crashes/ -print_final_stats=1 "$c" 2>&1 |
		grep -E 'stat::number_of_executed_units|stat::peak_rss|cov:|ERROR|SUMMARY' | tail -4
done
