#!/bin/sh
# make bench (after bench/run.sh): the contract analytics of fund-total on
# the 1 GB SCDL-shaped file, each beside plain W1 in the same run: one
# column per dispositif (--pivot), the same per nature of the aid, and the
# payment periods spread over the years (--spread).  The pivot must stay
# within 1.2x of W1.  Medians of RUNS runs.  Not a test.
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh
data="bench/cache/subsidies-$SIZE-seed$SEED.csv"
cached "$data" --bytes "$SIZE" --seed "$SEED"
bytes=$(stat -c %s "$data")
echo "contracts: $data, $bytes bytes"
run C-W1 bin/fund-total -q -g dispositif -s montant "$data"
run C-pivot-dispositif bin/fund-total -q --pivot dispositif -s montant "$data"
run C-nature-pivot bin/fund-total -q -g nature --pivot dispositif -s montant --rollup "$data"
run C-spread-year bin/fund-total -q -g dispositif --spread datesPeriodeVersement -s montant "$data"
run C-spread-month bin/fund-total -q -g dispositif --spread datesPeriodeVersement --by month -s montant "$data"
m() { cat "bench/results/$1.median"; }
# the same money, long and wide
tail -n +2 bench/results/C-W1.out | cut -f3 | LC_ALL=C sort >bench/results/C-long
tail -n +2 bench/results/C-pivot-dispositif.out | cut -f"$(($(tail -n +2 bench/results/C-W1.out | wc -l) + 1))"- |
	tr '\t' '\n' | LC_ALL=C sort >bench/results/C-wide
if cmp -s bench/results/C-long bench/results/C-wide; then
	echo "--pivot dispositif: the same $(wc -l <bench/results/C-wide) totals as W1"
else
	echo "--pivot dispositif: totals DIFFER from W1"; exit 1
fi
# spread or not, the same money per dispositif
bin/fund-total -s count,montant -g dispositif bench/results/C-spread-month.out | cut -f1,4 >bench/results/C-spread-back
if cut -f1,3 bench/results/C-W1.out | cmp -s - bench/results/C-spread-back; then
	echo "--spread by month: the same total per dispositif as W1"
else
	echo "--spread: totals DIFFER from W1"; exit 1
fi
awk -v w1="$(m C-W1)" -v p="$(m C-pivot-dispositif)" -v n="$(m C-nature-pivot)" -v y="$(m C-spread-year)" \
	-v mo="$(m C-spread-month)" 'BEGIN {
	printf "--pivot dispositif / W1: %.2f (limit 1.2)%s\n", p / w1, p / w1 <= 1.2 ? "" : "  OVER"
	printf "-g nature --pivot dispositif --rollup / W1: %.2f\n", n / w1
	printf "--spread by year / W1: %.2f; by month / W1: %.2f\n", y / w1, mo / w1 }'
