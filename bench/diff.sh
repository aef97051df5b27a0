#!/bin/sh
# make bench (after bench/run.sh): fund-diff on two 1 GB versions of the
# SCDL-shaped file (an id column added; the second with 5000 amounts
# changed by a cent, 3333 rows removed, 1000 added, and its halves
# swapped), beside DuckDB's full outer join on the key (npm
# @duckdb/node-api, 2 threads) in the same run, each one's counts and
# money checked against the other's to the cent.  Medians of RUNS runs,
# peak RSS.  Not a test.
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh
data="bench/cache/subsidies-$SIZE-seed$SEED.csv"
cached "$data" --bytes "$SIZE" --seed "$SEED"
old="bench/cache/diff-old-$SIZE-seed$SEED.csv" new="bench/cache/diff-new-$SIZE-seed$SEED.csv"
if [ ! -s "$old" ] || [ ! -s "$new" ]; then
	echo "making $old and $new (once; cached)"
	# records, not lines: some fields hold line breaks
	python3 - "$data" "$old.tmp" "$new.tmp" <<'PY'
import csv, sys
src, old, new = sys.argv[1:]
with open(src, newline="", encoding="utf-8") as f, open(old, "w", newline="", encoding="utf-8") as o:
    r, w = csv.reader(f), csv.writer(o, lineterminator="\n")
    head = next(r)
    w.writerow(["id"] + head)
    m = head.index("montant")
    rows = 0
    for k, row in enumerate(r, 1):
        w.writerow([str(k)] + row)
        rows = k
half = rows // 2
with open(old, newline="", encoding="utf-8") as f, open(new, "w", newline="", encoding="utf-8") as o:
    r, w = csv.reader(f), csv.writer(o, lineterminator="\n")
    w.writerow(next(r))
    first = []
    for row in r:
        k = int(row[0])
        if k % 1500 == 7:
            continue                       # 3333 removed
        if k % 1000 == 3:                  # 5000 changed by a cent
            row[m + 1] = "%.2f" % (float(row[m + 1]) + 0.01)
        if k <= half:
            first.append(row)
        else:
            w.writerow(row)
    w.writerows(first)                     # the halves swapped
    for k in range(1, 1001):               # 1000 added
        w.writerow(["new%d" % k, "Région Occitanie", "20005379100014", "2024-01-01", "CP/2024", "Nouveau %d" % k,
                    "1", "Objet", "100.00", "aide en numéraire", "unique", "2024", "", "false", "1", "Nouveau", "31555"])
PY
	mv "$old.tmp" "$old"
	mv "$new.tmp" "$new"
fi
cat "$old" "$new" >/dev/null
bytes=$(($(stat -c %s "$old") + $(stat -c %s "$new")))
echo "diff: $old and $new, $bytes bytes in all"
run D-fund-diff-summary sh -c "bin/fund-diff -q -k id -s montant --summary '$old' '$new'; [ \$? -eq 1 ]"
run D-fund-diff-rows sh -c "bin/fund-diff -q -k id -s montant '$old' '$new' >bench/results/D-rows.tsv; [ \$? -eq 1 ]"
run D-fund-diff-one-thread sh -c "bin/fund-diff -q --threads 1 -k id -s montant --summary '$old' '$new'; [ \$? -eq 1 ]"
m() { cat "bench/results/$1.median"; }
cmp -s bench/results/D-fund-diff-summary.out bench/results/D-fund-diff-one-thread.out ||
	{ echo "fund-diff: threads and one pass DIFFER"; exit 1; }
echo "fund-diff: $(cat bench/results/D-fund-diff-summary.out)"
if [ -d bench/node_modules/@duckdb/node-api ]; then
	run D-duckdb node bench/duckdb-diff.mjs "$old" "$new"
	echo "DuckDB:    $(cat bench/results/D-duckdb.out)"
	# the same counts and money: "A added (+X), R removed (-Y), C changed (+Z)"
	sed 's/;.*//' bench/results/D-fund-diff-summary.out | tr -d '()+,' | awk '{ print $1, $3, $4, $6, $7, $9 }' >bench/results/D-mine
	if cmp -s bench/results/D-mine bench/results/D-duckdb.out; then
		echo "fund-diff and DuckDB: the same counts and amounts, to the cent"
	else
		echo "fund-diff and DuckDB DIFFER:"; cat bench/results/D-mine; exit 1
	fi
	awk -v f="$(m D-fund-diff-summary)" -v r="$(m D-fund-diff-rows)" -v d="$(m D-duckdb)" -v o="$(m D-fund-diff-one-thread)" 'BEGIN {
		printf "fund-diff --summary is %.2fx the speed of DuckDB (2 threads); the rows written: %.2fx; threads gain %.2fx\n", d / f, d / r, o / f }'
else
	echo "(DuckDB: cd bench && npm install --no-save @duckdb/node-api, then run again)"
fi
