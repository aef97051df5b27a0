#!/bin/sh
# After a campaign: each harness's corpus (build-fuzz/corpus/HARNESS)
# distilled to the fewest inputs that keep its coverage (libFuzzer's
# -set_cover_merge), kept as tests/fuzz/corpus/HARNESS.tar.gz, from which
# make fuzz starts the next campaign (make check's smoke pass does not:
# some harnesses run a few inputs a second).
#   tests/fuzz/distill.sh [HARNESS...]
set -u
cd "$(dirname "$0")/../.." || exit 3
make -s fuzz-build >/dev/null || exit 3
mkdir -p tests/fuzz/corpus
for h in ${*:-$(ls build-fuzz/corpus)}; do
	[ -d "build-fuzz/corpus/$h" ] || { echo "distill: no corpus for $h" >&2; exit 2; }
	d=$(mktemp -d) || exit 3
	case $h in cmd_*) extra=-close_fd_mask=2 ;; *) extra= ;; esac
	if ! ./build-fuzz/fuzz_$h $extra -set_cover_merge=1 -max_len=65536 -timeout=30 -rss_limit_mb=2048 \
		"$d" "build-fuzz/corpus/$h" >"build-fuzz/distill-$h.log" 2>&1; then
		echo "distill: $h: the merge failed (build-fuzz/distill-$h.log)" >&2
		rm -rf "$d"
		exit 1
	fi
	# the same bytes give the same archive: names sorted, no owners or times
	tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$d" -cf - . | gzip -9n >"tests/fuzz/corpus/$h.tar.gz"
	echo "$h: $(ls "$d" | wc -l) inputs, $(cat "$d"/* | wc -c) bytes, tests/fuzz/corpus/$h.tar.gz $(wc -c <"tests/fuzz/corpus/$h.tar.gz") bytes"
	rm -rf "$d"
done
