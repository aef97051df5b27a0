#!/bin/sh
# Run the example command lines of a man page, so documentation cannot
# drift from the code.  An example is a line of an EXAMPLES section that
# starts with "$ " inside .EX/.EE; it runs with bin/ first in PATH, in a
# scratch directory that links to the tree's data/ and tests/ (so an example
# writing "> lorenz.png" writes there), and must exit 0 and print something
# or write a non-empty file.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
man=$1
cd "$ROOT" || exit 3
export PATH="$ROOT/bin:$PATH" LC_ALL=C
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir "$scratch/run"
ln -s "$ROOT/data" "$ROOT/tests" "$scratch/run/"
n=0
bad=0
# turn roff escapes back into shell text
sed -n '/^\.SH EXAMPLES/,/^\.SH /p' "$man" | sed -n 's/^\$ //p' |
	sed -e 's/\\-/-/g' -e 's/\\(aq/'"'"'/g' -e 's/\\e/\\/g' -e 's/\\(dq/"/g' -e 's/\\&//g' -e 's/\\(ti/~/g' \
	-e "s/\\\\('e/é/g" -e "s/\\\\('E/É/g" -e 's/\\(eu/€/g' >"$scratch/list"
while IFS= read -r line; do
	n=$((n + 1))
	target=$(printf '%s\n' "$line" | sed -n 's/.*> *\([^ |;&>]*\) *$/\1/p')
	if ! (cd "$scratch/run" && bash -o pipefail -c "$line" >"$scratch/out" 2>"$scratch/err" </dev/null); then
		echo "example failed: $line"
		sed 's/^/  /' "$scratch/err" | head -5
		bad=$((bad + 1))
	elif [ -n "$target" ] && [ ! -s "$scratch/run/$target" ]; then
		echo "example wrote nothing to $target: $line"
		bad=$((bad + 1))
	elif [ -z "$target" ] && [ ! -s "$scratch/out" ]; then
		echo "example printed nothing: $line"
		bad=$((bad + 1))
	fi
done <"$scratch/list"
[ "$n" -gt 0 ] || { echo "$man: no examples found"; exit 1; }
echo "$man: $n examples, $bad failed"
[ "$bad" = 0 ]
