#!/bin/sh
# make bench (after bench/run.sh): the geography with every zoning loaded,
# on a 100-row file: fund-percapita by administrative level, by zoning,
# with a user's zoning, with codes of another year, and fund-cat --attach;
# each must stay under 0.1 s.  Medians of RUNS runs (default 11).  Not a
# test.
set -eu
cd "$(dirname "$0")/.."
RUNS=${RUNS:-11}
[ "$RUNS" -ge 11 ] || RUNS=11
mkdir -p bench/cache bench/results
A=tests/data/real/anct_programmes/anct_dotations_investissement_2019_projets_occitanie.csv
P=tests/data/real/anct_programmes/anct_petites_villes_de_demain_communes_2021-01.csv
f=bench/cache/anct-100.csv
head -101 "$A" >"$f"
bytes=$(stat -c %s "$f")
. bench/lib.sh
echo "territories: a 100-row file ($f), the geography of $(($(wc -l <data/communes.csv) - 1)) communes with $(($(head -1 data/communes-zonages.csv | tr , '\n' | grep -vc '^code_insee$\|^population_') )) zonings"
run T-departement bin/fund-percapita -q -k id_dep -s montant_sub --in-region 76 "$f"
run T-densite-split bin/fund-percapita -q -k id_terr -s montant_sub -l densite --split --in-region 76 "$f"
run T-member bin/fund-percapita -q -k id_terr -s montant_sub --member "$P:insee_com" --split "$f"
run T-codes-year-2017 bin/fund-percapita -q -k id_terr -s montant_sub --codes-year 2017 --split "$f"
run T-population-2019 bin/fund-percapita -q -k id_terr -s montant_sub --population-year 2019 -l aav --split "$f"
run T-cat-attach bin/fund-cat -q -k id_terr --attach densite3,aav,massif,population_2021 "$f"
# the peer: the tests' independent Python computation of T-densite-split
# (csv and decimal, reading the same shipped tables)
run T-python-densite python3 tests/tools/zoning_check.py "$f" id_terr montant_sub densite --in-region 76 --split
for t in T-departement T-densite-split T-member T-codes-year-2017 T-population-2019 T-cat-attach; do
	awk -v t="$t" '{ printf "%-22s %s (limit 0.1 s)\n", t, $1 < 0.1 ? "under 0.1 s" : "OVER 0.1 s" }' "bench/results/$t.median"
done
awk -v f="$(cat bench/results/T-densite-split.median)" -v p="$(cat bench/results/T-python-densite.median)" \
	'BEGIN { printf "by density class: fund-percapita %.3f s, Python csv+decimal %.3f s (%.0fx)\n", f, p, p / (f > 0 ? f : 0.005) }'
