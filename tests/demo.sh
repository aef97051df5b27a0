#!/bin/sh
# make demo: the main jobs on the shipped data, printed for a person and
# kept as TSV under demo/.
set -eu
cd "$(dirname "$0")/.."
PATH="$PWD/bin:$PATH"
mkdir -p demo
ANCT=tests/data/real/anct_programmes/anct_dotations_investissement_2019_projets_occitanie.csv

echo "== CPER Occitanie 2015-2020, by financeur (M€)"
fund-total -g financeur -s montant_meur -o table data/cper-occitanie-2015-2020.csv
fund-total -g financeur -s montant_meur data/cper-occitanie-2015-2020.csv > demo/cper-by-financeur.tsv
echo
echo "== CPER Occitanie 2015-2020, by volet and financeur (M€), with subtotals"
fund-total -g volet,financeur -s montant_meur --rollup -o table data/cper-occitanie-2015-2020.csv
fund-total -g volet,financeur -s montant_meur --rollup data/cper-occitanie-2015-2020.csv > demo/cper-by-volet.tsv
echo
echo "== ANCT 2019 investment grants in Occitanie, by grant (€)"
fund-total -g dotation -s montant_sub,cout_total --sort key --rollup --decimals 2 -o table "$ANCT"
echo
echo "== ANCT 2019 investment grants in Occitanie, by département (€), largest first"
fund-total -g id_dep -s montant_sub --sort total -o table --fr --decimals 2 "$ANCT"
fund-total -g dotation,id_dep -s montant_sub --sort key "$ANCT" > demo/anct-2019-by-dotation-departement.tsv
echo
echo "== The same grants for all of France, read from ANCT's own workbook (.xlsx), and written as one"
fund-total -g dotation -s montant_sub --sort key -o table --sheet 2 tests/data/real/spreadsheets/anct_dotations_investissement_2019_projets.xlsx
fund-total -g dotation,id_dep -s montant_sub --sort key --sheet 2 -o xlsx -O demo/anct-2019-france-by-dotation-departement.xlsx \
	tests/data/real/spreadsheets/anct_dotations_investissement_2019_projets.xlsx
echo "written: demo/anct-2019-france-by-dotation-departement.xlsx"
echo
echo "== ANCT 2019 investment grants per inhabitant, by département of Occitanie"
fund-percapita -k id_dep -s montant_sub --in-region 76 --sort percapita --decimals 2 -o table "$ANCT"
fund-percapita -k id_dep -s montant_sub --in-region 76 "$ANCT" > demo/anct-2019-per-inhabitant-departement.tsv
echo
echo "== Pictures: how unequally those grants reach the communes of Occitanie, per inhabitant"
fund-percapita -k id_terr -s montant_sub --split -l commune --all --in-region 76 "$ANCT" > demo/anct-2019-per-inhabitant-commune.tsv
fund-stats -s per_capita -w population -a count,mean,median,p90,gini,top10 -o table demo/anct-2019-per-inhabitant-commune.tsv
fund-plot lorenz -s per_capita -w population --script png \
	--title 'ANCT 2019 investment grants per inhabitant, communes of Occitanie' \
	demo/anct-2019-per-inhabitant-commune.tsv | gnuplot > demo/lorenz-anct-2019-communes.png
fund-plot hist --log --width 0.25 -g dotation -s montant_sub --script png \
	--title 'ANCT 2019 investment grants in Occitanie: amounts' "$ANCT" | gnuplot > demo/hist-anct-2019.png
fund-plot lorenz -s per_capita -w population --script dumb --size 72,22 \
	--title 'Lorenz curve, grants per inhabitant' demo/anct-2019-per-inhabitant-commune.tsv | gnuplot
echo "written: demo/lorenz-anct-2019-communes.png demo/hist-anct-2019.png"
echo
echo "== Are the shipped subsidy files what they claim to be? (fund-check, summaries)"
for f in tests/data/real/scdl_subventions/real_occitanie/*.csv tests/data/real/scdl_subventions/examples_official/scdl_subventions_exemple_valide_v2.1.1.csv; do
	fund-check "$f" > "demo/check-$(basename "$f" .csv).txt" 2>&1 || true
	tail -1 "demo/check-$(basename "$f" .csv).txt"
done
fund-check -s montant_meur --tolerance 0.01 --reconcile 'TOTAL=1230.182@financeur=État' \
	--reconcile 'TOTAL=1498.38@financeur=Région' data/cper-occitanie-2015-2020.csv | tail -3 || true
echo
echo "Results in demo/: $(ls demo | tr '\n' ' ')"
