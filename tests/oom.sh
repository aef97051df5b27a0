#!/bin/sh
# Every command under allocation failures (tests/tools/alloc-ladder.sh): each
# run ends as an unlimited run does, or exits 3 saying "out of memory".
# Prints one line a command line; the last line "oom: N passed, N failed".
# Part of tests/run.sh (the plain build: the injector replaces malloc,
# which a sanitizer or valgrind replaces too).
set -u
cd "$(dirname "$0")/.." || exit 3
A=tests/data/real/anct_programmes/anct_dotations_investissement_2019_projets_occitanie.csv
C=data/cper-occitanie-2015-2020.csv
S=tests/data/real/scdl_subventions/real_occitanie/scdl_cd46_lot_2017_cp1252.csv
J=tests/data/crafted/nested-path.json
P=tests/data/real/anct_programmes/anct_petites_villes_de_demain_communes_2021-01.csv
pass=0 fail=0
# (Allocations inside regcomp do not fail: see tests/tools/mallocfail.c.)
# the ANCT file read in three parts on three threads, through the driver
export FUNDKIT_THREADS=3 FUNDKIT_PART_MIN=100000
# the command lines, then their ladders as many at a time as there are
# cores (each ladder's files are its own: alloc-ladder.sh names them by
# its process), a line of counts each, in the order they end
L=$(mktemp)
trap 'rm -f "$L" "$L.res"' EXIT
cat >"$L" <<EOF2
fund-total -g financeur -s montant_meur $C
fund-total -g dotation,id_dep -s montant_sub,cout_total --rollup --sort total -o table $A
fund-total --by year:dateConvention -o json $S
fund-total -g nomAttribuant --by month:dateConvention --cumulative -s montant tests/data/real/scdl_subventions/real_occitanie/scdl_hautegaronne31_roques_sicoval_2016-2017.csv
fund-total -g dotation,id_dep -s montant_sub,cout_total --share=1 --ratio t=montant_sub/cout_total --rollup $A
fund-total --json-path results -s montant $J
fund-total -g nomAttribuant --spread datesperiodeVersement --by month --pivot month --fill 0 $S
fund-total -g volet --pivot financeur -s montant_meur --ratio r=montant_meur/montant_meur --rollup --sort key $C
fund-stats -g dotation -s montant_sub -a count,sum,mean,sd_samp,median,p90,gini,palma $A
fund-stats -s montant_sub -w cout_total -a mean,sd_samp,median -o table $A
fund-plot hist -s montant_sub --script png $A
fund-plot lorenz -g dotation -s montant_sub $A
fund-plot bars -g dotation -s montant_sub --script svg $A
fund-plot bars -g financeur --pivot volet -s montant_meur --stack --top 2 --script png $C
fund-plot bars -g financeur --pivot volet -s montant_meur -o json $C
fund-plot series --by year:dateConvention $S
fund-cat --dates dateConvention --amounts montant -o json $S
fund-cat -c 1-3 --where 'montant_sub>=100000' --where 'nom_terr~^Saint' --safe $A
fund-cat --in tests/data/crafted/codes.csv:code:id_dep -o table $A
fund-cat --unpivot 2- --names financeur --values m --amounts m --where financeur=Region data/cper-occitanie-2015-2020-maquette-publiee.csv
fund-check $S
fund-check -s Etat data/cper-occitanie-2015-2020-maquette-publiee.csv
fund-total -g volet -s Etat,Region --rollup data/cper-occitanie-2015-2020-maquette-publiee.csv
fund-check -o json $S
fund-check --reconcile-file tests/data/crafted/cper-published-totals.csv -g financeur -s montant_meur $C
fund-percapita -k id_dep -s montant_sub $A
fund-percapita -k id_terr -s montant_sub -l epci --in-region 76 --split $A
fund-percapita -k id_terr -s montant_sub -l massif --in-region 76 --split $A
fund-percapita -k id_terr -s montant_sub --member $P:insee_com --population-year 2021 $A
fund-cat -k id_terr --attach densite3,population_2019 --attach $P:insee_com:lib_com -o table $A
fund-total -s montant tests/data/sheets/features.xlsx
fund-cat --sheet Conventions tests/data/sheets/features.ods
fund-cat tests/data/sheets/features.xls
fund-cat --sheets tests/data/sheets/features.xlsx tests/data/sheets/features.ods
fund-diff -k idAttribution -s montant --show nomBeneficiaire tests/data/crafted/diff-old.csv tests/data/crafted/diff-new.csv
fund-diff -k idAttribution -s montant -g nomAttribuant tests/data/crafted/diff-old.csv tests/data/crafted/diff-new.csv
fund-diff -s montant --summary tests/data/crafted/diff-old.csv tests/data/crafted/diff-new.csv
EOF2
grep -v '^$' "$L" | xargs -d '\n' -P "$(nproc 2>/dev/null || echo 1)" -I{} \
	sh -c 'if eval "tests/tools/alloc-ladder.sh bin/$1"; then echo "ladder: pass"; else echo "ladder: fail"; fi' sh {} >"$L.res"
grep -v '^ladder: ' "$L.res"
pass=$(grep -c '^ladder: pass$' "$L.res")
fail=$(grep -c '^ladder: fail$' "$L.res")
# (-o xlsx is left out: libxlsxwriter 1.1.4 dereferences the NULL of an
# allocation it failed, worksheet.c:106, and crashes: not fundkit's code.)
echo "oom: $pass passed, $fail failed"
