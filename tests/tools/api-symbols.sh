#!/bin/sh
# tests/tools/api-symbols.sh LIB.a HEADER...: the symbols LIB.a exports
# (global, default visibility, defined) must be exactly the functions and
# variables the installed headers declare.  Prints the differences; exit
# 1 when there are any.
set -u
lib=$1
shift
T=${TMPDIR:-/tmp}/api.$$
# readelf of each member: "GLOBAL DEFAULT" definitions (not UND)
readelf -Ws --wide "$lib" | awk '$5 == "GLOBAL" && $6 == "DEFAULT" && $7 != "UND" && ($4 == "FUNC" || $4 == "OBJECT") { print $8 }' |
	sort -u >"$T.exp"
# declarations: "fund_x(" of a prototype, and "extern ... fund_x;" or "fund_x[];"
# (comments out first, across lines)
cat "$@" | perl -0pe 's{/\*.*?\*/}{}gs' >"$T.h"
tr '\n' ' ' <"$T.h" | grep -o 'fund_[a-z0-9_]*[ ]*(' | sed 's/[ (]//g' >"$T.decl"
grep -o 'extern [^;(]*fund_[a-z0-9_]*\(\[\]\)\?;' "$T.h" | sed 's/\(\[\]\)\?;$//; s/.*[ *]//' >>"$T.decl"
sort -u -o "$T.decl" "$T.decl"
st=0
if ! cmp -s "$T.exp" "$T.decl"; then
	comm -23 "$T.exp" "$T.decl" | sed 's/^/exported but not declared: /'
	comm -13 "$T.exp" "$T.decl" | sed 's/^/declared but not exported: /'
	st=1
fi
echo "$(wc -l <"$T.exp") symbols exported, $(wc -l <"$T.decl") declared"
rm -f "$T".*
exit $st
