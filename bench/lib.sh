# Shared by the bench scripts (sourced from the tree's top): the settings
# every script takes (RUNS, SIZE, SEED, SHARED: a script may set its own
# first), the result and cache folders, and the helpers below.
RUNS=${RUNS:-3}
SIZE=${SIZE:-1G}
SEED=${SEED:-7}
SHARED=${SHARED:-../shared}
mkdir -p bench/cache bench/results
# run NAME CMD...: RUNS timed runs of CMD; prints the median line (wall,
# CPU, then MB/s of RUN_BYTES or bytes, or rows/s of ROWS, and peak RSS)
# and keeps bench/results/NAME.{out,err,t,median,rss}.
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
	sort -n "bench/results/$name.times" | awk -v n="$RUNS" -v b="${RUN_BYTES:-${bytes:-0}}" -v rows="${ROWS:-0}" \
		-v name="$name" '
		{ w[NR] = $1; c[NR] = $2 + $3; r[NR] = $4 }
		END {
			m = int((n + 1) / 2)
			rate = rows ? sprintf("%9.0f rows/s", rows / w[m]) : sprintf("%8.1f MB/s", b / w[m] / 1e6)
			printf "%-28s wall %7.3f s  cpu %7.3f s  %s  peak RSS %8.1f MB\n", name, w[m], c[m], rate, r[m] / 1024
			print w[m] > ("bench/results/" name ".median")
			print r[m] > ("bench/results/" name ".rss")
		}'
}

# cached FILE ARGS...: FILE made once by gen-subsidies ARGS (kept in
# bench/cache), then read into the page cache
cached() {
	f=$1
	shift
	if [ ! -s "$f" ]; then
		echo "generating $f (once; cached)"
		"$SHARED/bench/gen-subsidies" "$@" >"$f.tmp"
		mv "$f.tmp" "$f"
	fi
	cat "$f" >/dev/null
}
