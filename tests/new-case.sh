#!/bin/sh
# tests/new-case.sh NAME 'COMMAND' [STDIN-FILE]: add an end-to-end case and
# record what the command does now.  Read the recorded output before
# committing: the recording is the expectation.
set -eu
cd "$(dirname "$0")/cases"
n=$(ls | sed -n 's/^\([0-9][0-9][0-9]\)-.*/\1/p' | sort -n | tail -1)
n=$(printf "%03d" $(expr "${n:-0}" + 1))
d="$n-$1"
mkdir "$d"
printf '%s\n' "$2" >"$d/cmd"
[ $# -ge 3 ] && cp "$3" "$d/stdin"
cd ../.. && ./tests/run.sh -u "$d" >/dev/null
echo "== $d: status $(cat "tests/cases/$d/status" 2>/dev/null || echo 0)"
cat "tests/cases/$d/stdout"
[ -f "tests/cases/$d/stderr" ] && { echo "-- stderr"; cat "tests/cases/$d/stderr"; }
true
