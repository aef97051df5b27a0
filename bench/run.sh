#!/bin/sh
# make bench: fund-total against Miller on a 1 GB SCDL-shaped file, in the
# same run, file in the page cache.  Prints medians of RUNS runs: wall and
# CPU seconds, MB/s, peak RSS, and the ratio.  Not a test: no target here.
#   RUNS=5 SIZE=1G SEED=7 SHARED=../shared bench/run.sh
set -eu
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
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

# run NAME CMD...: RUNS timed runs; prints the median line
run() {
	name=$1
	shift
	: >"bench/results/$name.times"
	i=0
	while [ $i -lt "$RUNS" ]; do
		/usr/bin/time -f "%e %U %S %M" -o "bench/results/$name.t" "$@" >"bench/results/$name.out" 2>"bench/results/$name.err" || {
			echo "$name failed:"; cat "bench/results/$name.err"; exit 1; }
		cat "bench/results/$name.t" >>"bench/results/$name.times"
		i=$((i + 1))
	done
	sort -n "bench/results/$name.times" | awk -v n="$RUNS" -v b="$bytes" -v name="$name" '
		{ w[NR] = $1; c[NR] = $2 + $3; r[NR] = $4 }
		END {
			m = int((n + 1) / 2)
			printf "%-26s wall %7.3f s  cpu %7.3f s  %8.1f MB/s  peak RSS %8.1f MB\n", name, w[m], c[m], b / w[m] / 1e6, r[m] / 1024
			print w[m] > ("bench/results/" name ".median")
		}'
}

run fund-total bin/fund-total -q -g dispositif -s montant "$data"
run miller mlr --icsv --otsv stats1 -a sum,count -f montant -g dispositif "$data"
ft=$(cat bench/results/fund-total.median)
ml=$(cat bench/results/miller.median)
echo
awk -v a="$ft" -v b="$ml" 'BEGIN { printf "fund-total is %.2fx the speed of Miller (wall, median of runs)\n", b / a }'
echo
echo "fund-total output:"
cat bench/results/fund-total.out
echo "Miller output (its sums are binary floating point):"
cat bench/results/miller.out
