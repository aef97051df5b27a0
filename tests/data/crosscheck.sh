# each real file: fund-total and an independent Python Decimal total must agree
R=tests/data/real
check() { # FILE ENC DELIM COL [GROUP]
	f=$1 enc=$2 d=$3 col=$4; shift 4
	g=""; [ $# -gt 0 ] && g="-g $(echo "$@" | tr ' ' ',')"
	if fund-total $g -s "$col" "$f" 2>/dev/null | tail -n +2 | diff - "$(python3 tests/tools/decimal_totals.py "$f" "$enc" "$d" "$col" "$@" >"$TMPDIR/want"; echo "$TMPDIR/want")" >/dev/null
	then echo "agree: $(basename "$f") $col $*"; else echo "DIFFER: $(basename "$f") $col $*"; fi
}
check $R/scdl_subventions/real_occitanie/scdl_hautegaronne31_roques_sicoval_2016-2017.csv utf-8 ';' montant nomAttribuant
check $R/scdl_subventions/real_occitanie/scdl_cd46_lot_2017_cp1252.csv cp1252 ';' montant NomAttribuant nature
check $R/scdl_subventions/real_occitanie/subventions_cd66_pyrenees_orientales_2017-08_2017-12_from_ods.csv utf-8 , 'Montant octroyé'
check $R/scdl_subventions/real_other/scdl_cd80_somme_20180302_cp1252_with_utf8_BOM.csv cp1252 ';' montant nomAttribuant
check $R/scdl_subventions/real_other/scdl_cd49_maine_et_loire_conventions_2017-2019.csv utf-8 ';' montant
check $R/scdl_subventions/real_other/subventions_ville_poitiers_2017_legacy_format.csv utf-8 ';' SUB_MONTANT COLL_NOM
check $R/scdl_subventions/real_other/subventions_cd58_nievre_2016_legacy_format_cp1252.csv cp1252 , SUB_MONTANT
check $R/occitanie_local/montpellier_ville_subventions_attribuees_2013_cp1252.csv cp1252 ';' 'Montant' 'Nature'
check $R/occitanie_local/montpellier_ville_subventions_attribuees_2012_cp1252.csv cp1252 , Montant
check $R/anct_programmes/anct_dotations_investissement_2019_projets_occitanie.csv utf-8 , montant_sub dotation id_dep
check $R/anct_programmes/anct_dotations_investissement_2019_projets_france.csv utf-8 , cout_total dotation
check $R/qpv/qpv_occitanie_caracteristiques_hackaviz2021.csv utf-8 , pop_mun nom_commune
for f in $R/scdl_subventions/examples_official/scdl*.csv; do check $f utf-8 , montant; done
check data/cper-occitanie-2015-2020.csv utf-8 , montant_meur financeur
check data/communes.csv utf-8 , population region
