#!/bin/sh
# Spreadsheets (part of make bench; alone: bench/sheets.sh): the ANCT's
# 24,811-row workbook totalled; a generated workbook of a million rows
# (and one of 250,000, for memory) totalled by dispositif, beside the same
# rows as CSV, and beside Debian's python3-openpyxl in read-only mode on
# the same file (LibreOffice's headless conversion to CSV once, when it is
# installed).  Medians of RUNS runs, in the same run.  Not a test.
#   RUNS=3 SEED=7 SHARED=../shared bench/sheets.sh
set -eu
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
SEED=${SEED:-7}
SHARED=${SHARED:-../shared}
./tests/deps.sh time python3-openpyxl
mkdir -p bench/cache bench/results
make -s all

. bench/lib.sh

# the same rows as CSV and as a workbook (amounts as number cells, the
# text as inline strings: libxlsxwriter's constant-memory mode)
make_book() {
	n=$1
	csv="bench/cache/sheet-$n-seed$SEED.csv"
	xlsx="bench/cache/sheet-$n-seed$SEED.xlsx"
	if [ ! -s "$xlsx" ]; then
		echo "generating $xlsx (once; cached)"
		"$SHARED/bench/gen-subsidies" --rows "$n" --seed "$SEED" >"$csv.tmp"
		mv "$csv.tmp" "$csv"
		bin/fund-cat -q --amounts montant -o xlsx -O "$xlsx" "$csv"
	fi
	cat "$csv" "$xlsx" >/dev/null
}
make_book 1000000
make_book 250000
big=bench/cache/sheet-1000000-seed$SEED.xlsx
small=bench/cache/sheet-250000-seed$SEED.xlsx
anct=tests/data/real/spreadsheets/anct_dotations_investissement_2019_projets.xlsx

echo "machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $(free -g | awk '/Mem:/{print $2}') GiB"
echo "workbook: $big, $(stat -c %s "$big") bytes, 1,000,000 rows; the CSV: $(stat -c %s "${big%.xlsx}.csv") bytes"
echo

ROWS=24811 run S0-anct-xlsx bin/fund-total -q -g dotation -s montant_sub --sheet 2 "$anct"
ROWS=1000000 run S1-xlsx bin/fund-total -q -g dispositif -s montant "$big"
ROWS=1000000 run S1-csv-1-thread bin/fund-total -q --threads 1 -g dispositif -s montant "${big%.xlsx}.csv"
ROWS=250000 run S1-xlsx-250k bin/fund-total -q -g dispositif -s montant "$small"
cat >bench/results/read_openpyxl.py <<'EOF'
import sys
import openpyxl
wb = openpyxl.load_workbook(sys.argv[1], read_only=True)
ws = wb.worksheets[0]
rows = ws.iter_rows(values_only=True)
head = next(rows)
g, m = head.index('dispositif'), head.index('montant')
tot = {}
for r in rows:
    if r[m] is not None:
        tot[r[g]] = tot.get(r[g], 0) + r[m]
for k, v in tot.items():
    print(k, v, sep='\t')
EOF
ROWS=1000000 run S1-openpyxl /usr/bin/python3 -I bench/results/read_openpyxl.py "$big"
if command -v libreoffice >/dev/null; then
	rm -rf bench/results/lo
	RUNS=1 ROWS=1000000 run S1-libreoffice-to-csv env HOME=/tmp/fundkit-lo libreoffice --headless --convert-to csv --outdir bench/results/lo "$big"
fi
echo

# the workbook and its CSV give the same totals, to the digit
bin/fund-total -q -g dispositif -s montant "${big%.xlsx}.csv" | cmp -s - bench/results/S1-xlsx.out &&
	echo "the workbook and the CSV: byte-identical totals" || { echo "the workbook and the CSV DIFFER"; exit 1; }
m() { cat "bench/results/$1.median"; }
awk -v x="$(m S1-xlsx)" -v c="$(m S1-csv-1-thread)" -v o="$(m S1-openpyxl)" \
	-v r1="$(cat bench/results/S1-xlsx.rss)" -v r2="$(cat bench/results/S1-xlsx-250k.rss)" 'BEGIN {
	printf "a million rows: the workbook %.2f s, the CSV on one thread %.2f s (%.1fx)\n", x, c, x / c
	printf "fund-total reads the workbook %.1fx as fast as openpyxl (read-only)\n", o / x
	printf "peak RSS, 250,000 rows -> 1,000,000 rows: %.1f -> %.1f MB\n", r2 / 1024, r1 / 1024 }'
if [ -s bench/results/S1-libreoffice-to-csv.median ]; then
	awk -v x="$(m S1-xlsx)" -v l="$(m S1-libreoffice-to-csv)" 'BEGIN {
		printf "LibreOffice converts it to CSV in %.1f s (%.0fx fund-total'\''s whole job)\n", l, l / x }'
fi
