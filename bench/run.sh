#!/bin/sh
# make bench: the workloads W1-W4 of issue 6 on a 1 GB SCDL-shaped file
# (and its French dialect, and a 250 MB one for memory), with Miller and
# DuckDB (npm, 2 threads) on W1, then bench/sheets.sh, territories.sh,
# contracts.sh and diff.sh (fund-diff beside DuckDB), in the same run,
# files in the page cache.  Prints medians of RUNS runs:
# wall and CPU seconds, MB/s, peak RSS, and the ratios.  Not a test.
#   RUNS=3 SIZE=1G SEED=7 SHARED=../shared bench/run.sh
set -eu
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
SIZE=${SIZE:-1G}
SEED=${SEED:-7}
SHARED=${SHARED:-../shared}
./tests/deps.sh time miller python3
mkdir -p bench/cache bench/results
data="bench/cache/subsidies-$SIZE-seed$SEED.csv"
if [ ! -s "$data" ]; then
	echo "generating $data (once; cached)"
	"$SHARED/bench/gen-subsidies" --bytes "$SIZE" --seed "$SEED" >"$data.tmp"
	mv "$data.tmp" "$data"
fi
bytes=$(stat -c %s "$data")
cat "$data" >/dev/null   # into the page cache

echo "machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $(free -g | awk '/Mem:/{print $2}') GiB"
echo "file: $data, $bytes bytes, $(wc -l <"$data") lines"
echo

. bench/lib.sh

# the French dialect of the same generator (; , CRLF BOM), cached too
fr="bench/cache/subsidies-$SIZE-seed$SEED-fr.csv"
cached "$fr" --bytes "$SIZE" --seed "$SEED" --dialect fr

# a quarter of the size, to see what memory grows with
small="bench/cache/subsidies-250M-seed$SEED.csv"
cached "$small" --bytes 250M --seed "$SEED"

# W1-W4 of issue 6 (on every core: --threads defaults to their number),
# W1 on one core, and the peers that can do them
run W1-fund-total bin/fund-total -q -g dispositif -s montant "$data"
run W1-one-thread bin/fund-total -q --threads 1 -g dispositif -s montant "$data"
run W2-fund-percapita bin/fund-percapita -q -k codeCommune -l departement -s montant "$data"
run W3-fund-stats bin/fund-stats -q -g dispositif -s montant -a count,sum,mean,median,p90,gini "$data"
RUN_BYTES=$(stat -c %s "$small")
run W1-250MB bin/fund-total -q -g dispositif -s montant "$small"
run W2-250MB bin/fund-percapita -q -k codeCommune -l departement -s montant "$small"
run W3-250MB bin/fund-stats -q -g dispositif -s montant -a count,sum,mean,median,p90,gini "$small"
RUN_BYTES=
run W4-pipe sh -c "cat '$data' | bin/fund-total -q -g dispositif -s montant"
run W4-fr bin/fund-total -q -g dispositif -s montant "$fr"
run W1-miller mlr --icsv --otsv stats1 -a sum,count -f montant -g dispositif "$data"
# the floor: a vector line count of the same file, one core
run W1-floor-wc wc -l "$data"
if [ -d bench/node_modules/nodejs-polars ]; then
	run W1-polars node bench/polars.mjs "$data"
else
	echo "(Polars: cd bench && npm install --no-save nodejs-polars@0.25.2 nodejs-polars-linux-x64-gnu@0.25.2)"
fi
# fund-cat CSV to TSV (the output thrown away), W2 and W3, beside DuckDB
run CAT-fund-cat sh -c "bin/fund-cat -q -o tsv '$data' >/dev/null"
# fund-check (exit 1: the generated file breaks the SCDL schema on every
# row) and fund-plot's histogram, both on every core
run CHECK-fund-check sh -c "bin/fund-check '$data' >/dev/null; [ \$? -le 1 ]"
run PLOT-fund-plot bin/fund-plot hist -q -s montant "$data"
if [ -d bench/node_modules/@duckdb/node-api ]; then
	run W1-duckdb node bench/duckdb.mjs "$data"
	run CAT-duckdb node bench/duckdb-more.mjs cat "$data" /dev/null
	run W2-duckdb node bench/duckdb-more.mjs w2 "$data" data/communes.csv
	run W3-duckdb node bench/duckdb-more.mjs w3 "$data"
else
	echo "(DuckDB: cd bench && npm install --no-save @duckdb/node-api, then run again)"
fi
# datamash does not parse quoted fields (two thirds of the rows here):
# it cannot do W1 on this file, and is left out.

# the fast CSV path against libcsv alone, on the gigabyte: the same bytes
FUNDKIT_CSV_FASTPATH=0 bin/fund-total -q -g dispositif -s montant "$data" >bench/results/W1-libcsv.out
if cmp -s bench/results/W1-libcsv.out bench/results/W1-fund-total.out; then
	echo "W1 with the fast path and with libcsv alone: byte-identical results"
else
	echo "W1: the fast path and libcsv DIFFER"; exit 1
fi
# in parts on every core and in one pass: the same bytes, messages included
bin/fund-percapita -q --threads 1 -k codeCommune -l departement -s montant "$data" >bench/results/W2-one.out 2>bench/results/W2-one.err
bin/fund-stats -q --threads 1 -g dispositif -s montant -a count,sum,mean,median,p90,gini "$data" >bench/results/W3-one.out 2>bench/results/W3-one.err
if cmp -s bench/results/W1-one-thread.out bench/results/W1-fund-total.out &&
   cmp -s bench/results/W2-one.out bench/results/W2-fund-percapita.out &&
   cmp -s bench/results/W2-one.err bench/results/W2-fund-percapita.err &&
   cmp -s bench/results/W3-one.out bench/results/W3-fund-stats.out; then
	echo "W1, W2, W3 on $(nproc) threads and in one pass: byte-identical results"
else
	echo "W1-W3: threads and one pass DIFFER"; exit 1
fi
rss() { awk '{ print $4 }' "bench/results/$1.t"; }
echo "peak RSS, 250 MB file -> 1 GB file: W1 $(rss W1-250MB) -> $(rss W1-fund-total) KB," \
	"W2 $(rss W2-250MB) -> $(rss W2-fund-percapita) KB, W3 $(rss W3-250MB) -> $(rss W3-fund-stats) KB" \
	"(W3 keeps every value for its median and Gini)"
echo
m() { cat "bench/results/$1.median"; }
awk -v w1="$(m W1-fund-total)" -v w2="$(m W2-fund-percapita)" -v w3="$(m W3-fund-stats)" \
	-v p="$(m W4-pipe)" -v f="$(m W4-fr)" -v ml="$(m W1-miller)" -v b="$bytes" 'BEGIN {
	printf "W2/W1 %.2f  W3/W1 %.2f  W4 pipe %.0f MB/s  W4 fr/W1 %.2f\n", w2 / w1, w3 / w1, b / p / 1e6, f / w1
	printf "W1: fund-total is %.2fx the speed of Miller\n", ml / w1 }'
awk -v w1="$(m W1-fund-total)" -v one="$(m W1-one-thread)" -v b="$bytes" 'BEGIN {
	printf "W1 on one thread: %.0f MB/s; threads gain %.2fx\n", b / one / 1e6, one / w1 }'
if [ -s bench/results/W1-duckdb.median ]; then
	awk -v w1="$(m W1-fund-total)" -v d="$(m W1-duckdb)" 'BEGIN { printf "W1: fund-total is %.2fx the speed of DuckDB (2 threads)\n", d / w1 }'
fi
awk -v w1="$(m W1-fund-total)" -v f="$(m W1-floor-wc)" 'BEGIN { printf "W1 / wc -l (the floor): %.2f\n", w1 / f }'
awk -v f="$(m W1-floor-wc)" -v c="$(m CAT-fund-cat)" -v w2="$(m W2-fund-percapita)" -v w3="$(m W3-fund-stats)" \
	-v k="$(m CHECK-fund-check)" 'BEGIN {
	printf "/ wc -l: fund-cat -o tsv %.2f, W2 %.2f, W3 %.2f, fund-check %.2f\n", c / f, w2 / f, w3 / f, k / f }'
if [ -s bench/results/W1-polars.median ]; then
	awk -v w1="$(m W1-fund-total)" -v p="$(m W1-polars)" 'BEGIN { printf "W1: fund-total is %.2fx the speed of Polars\n", p / w1 }'
fi
awk -v w1="$(m W1-fund-total)" -v c="$(m CAT-fund-cat)" 'BEGIN { printf "fund-cat -o tsv / W1: %.2f\n", c / w1 }'
awk -v w1="$(m W1-fund-total)" -v c="$(m CHECK-fund-check)" -v p="$(m PLOT-fund-plot)" -v b="$bytes" 'BEGIN {
	printf "fund-check: %.0f MB/s, %.2f x W1; fund-plot hist: %.0f MB/s, %.2f x W1\n", b / c / 1e6, c / w1, b / p / 1e6, p / w1 }'
if [ -s bench/results/CAT-duckdb.median ]; then
	awk -v c="$(m CAT-fund-cat)" -v d="$(m CAT-duckdb)" -v w2="$(m W2-fund-percapita)" -v d2="$(m W2-duckdb)" \
		-v w3="$(m W3-fund-stats)" -v d3="$(m W3-duckdb)" 'BEGIN {
		printf "DuckDB / fundkit: fund-cat -o tsv %.2f, W2 %.2f, W3 %.2f\n", d / c, d2 / w2, d3 / w3 }'
fi
# each peer's result against fundkit's: the counts, and the sums to the cent
agree() {   # NAME EXACT PEER: "key count sum" lines, sorted
	awk -F'\t' -v name="$1" 'NR == FNR { c[$1] = $2; s[$1] = $3; next }
		{ n++; if (c[$1] != $2) bad++; d = $3 - s[$1]; if (d < 0) d = -d; if (d >= 0.005) { far++; if (d > worst) worst = d } }
		END { printf "%s: %d groups, %s, %s\n", name, n, bad ? bad " counts DIFFER" : "the same counts",
			far ? far " sums off by a cent or more (worst " worst ")" : "the same sums to the cent" }' "$2" "$3"
}
tail -n +2 bench/results/W1-fund-total.out | LC_ALL=C sort >bench/results/W1-exact
for p in miller duckdb polars; do
	[ -s "bench/results/W1-$p.out" ] || continue
	# Miller: a header, then the sum before the count
	if [ $p = miller ]; then tail -n +2 bench/results/W1-miller.out | awk -F'\t' -v OFS='\t' '{ print $1, $3, $2 }'
	else cat "bench/results/W1-$p.out"; fi | LC_ALL=C sort >"bench/results/W1-$p.sorted"
	agree "W1 $p" bench/results/W1-exact "bench/results/W1-$p.sorted"
done
if [ -s bench/results/W2-duckdb.out ]; then
	tail -n +2 bench/results/W2-fund-percapita.out | cut -f1,3,4 | LC_ALL=C sort >bench/results/W2-exact
	LC_ALL=C sort bench/results/W2-duckdb.out >bench/results/W2-duckdb.sorted
	agree "W2 duckdb (by departement)" bench/results/W2-exact bench/results/W2-duckdb.sorted
	tail -n +2 bench/results/W3-fund-stats.out | cut -f1,2,5 | LC_ALL=C sort >bench/results/W3-exact-median
	cut -f1,2,3 bench/results/W3-duckdb.out | LC_ALL=C sort >bench/results/W3-duckdb-median
	agree "W3 duckdb (medians)" bench/results/W3-exact-median bench/results/W3-duckdb-median
fi
for n in W1-fund-total W1-floor-wc W1-polars W1-duckdb CAT-fund-cat CAT-duckdb CHECK-fund-check PLOT-fund-plot W2-fund-percapita W2-duckdb W3-fund-stats W3-duckdb; do
	[ -s "bench/results/$n.rss" ] && printf '%s %.1f MB  ' "$n" "$(awk '{ print $1 / 1024 }' "bench/results/$n.rss")"
done
echo
echo
echo "W1 fund-total output:"
cat bench/results/W1-fund-total.out
echo "Miller output (its sums are binary floating point):"
cat bench/results/W1-miller.out
if [ -s bench/results/W1-duckdb.out ]; then
	echo "DuckDB output (its sums are binary floating point):"
	cat bench/results/W1-duckdb.out
fi
./bench/sheets.sh
./bench/territories.sh
./bench/contracts.sh
./bench/diff.sh
