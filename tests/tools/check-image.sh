#!/bin/sh
# check-image.sh TYPE FILE [WIDTH HEIGHT]: print "TYPE ok" when FILE is a
# complete, non-empty image of TYPE (png: signature, IHDR with the given
# size, IEND chunk at the end; svg: an <svg> element closed; pdf: header and
# %%EOF trailer), else say what is wrong and exit 1.
set -u
type=$1 f=$2
[ -s "$f" ] || { echo "$type: $f is empty or missing"; exit 1; }
hex() { od -An -tx1 -v -j "$1" -N "$2" "$f" | tr -d ' \n'; }
case $type in
png)
	[ "$(hex 0 8)" = 89504e470d0a1a0a ] || { echo "png: bad signature"; exit 1; }
	[ "$(hex 12 4)" = 49484452 ] || { echo "png: no IHDR chunk"; exit 1; }
	if [ $# -ge 4 ]; then
		w=$(printf '%d' "0x$(hex 16 4)") h=$(printf '%d' "0x$(hex 20 4)")
		[ "$w" = "$3" ] && [ "$h" = "$4" ] || { echo "png: ${w}x$h, expected ${3}x$4"; exit 1; }
	fi
	size=$(wc -c <"$f")
	[ "$(hex $((size - 8)) 4)" = 49454e44 ] || { echo "png: truncated (no IEND at the end)"; exit 1; }
	;;
svg)
	grep -q '<svg' "$f" && tail -c 200 "$f" | grep -q '</svg>' || { echo "svg: not a complete SVG document"; exit 1; }
	;;
pdf)
	head -c 5 "$f" | grep -q '%PDF-' && tail -c 64 "$f" | grep -q '%%EOF' || { echo "pdf: not a complete PDF"; exit 1; }
	;;
*)
	echo "check-image.sh: unknown type $type" >&2; exit 2 ;;
esac
echo "$type ok"
