// The DuckDB peer of bench/diff.sh: what fund-diff -k id -s montant
// --summary counts, by a full outer join on the key (2 threads); prints
// "A X R -Y C Z": the counts and amounts (to the cent) added, removed, changed.
//   node bench/duckdb-diff.mjs OLD NEW
import { DuckDBInstance } from '@duckdb/node-api';

const [oldf, newf] = process.argv.slice(2);
const db = await DuckDBInstance.create(':memory:', { threads: '2' });
const con = await db.connect();
const rd = (f) => `read_csv('${f}', header=true, all_varchar=true)`;
const cols = ['nomAttribuant', 'idAttribuant', 'dateConvention', 'referenceDecision', 'nomBeneficiaire',
  'idBeneficiaire', 'objet', 'nature', 'conditionsVersement', 'datesPeriodeVersement', 'idRAE',
  'notificationUE', 'pourcentageSubvention', 'dispositif', 'codeCommune'];
const differ = cols.map((c) => `o."${c}" IS DISTINCT FROM n."${c}"`).join(' OR ') +
  ' OR CAST(o.montant AS DECIMAL(38,2)) IS DISTINCT FROM CAST(n.montant AS DECIMAL(38,2))';
const r = await con.runAndReadAll(`
  WITH j AS (SELECT o.id AS oid, n.id AS nid, CAST(o.montant AS DECIMAL(38,2)) AS om,
                    CAST(n.montant AS DECIMAL(38,2)) AS nm, (${differ}) AS d
             FROM ${rd(oldf)} o FULL OUTER JOIN ${rd(newf)} n ON o.id = n.id)
  SELECT count(*) FILTER (WHERE oid IS NULL), coalesce(sum(nm) FILTER (WHERE oid IS NULL), 0),
         count(*) FILTER (WHERE nid IS NULL), coalesce(-sum(om) FILTER (WHERE nid IS NULL), 0),
         count(*) FILTER (WHERE oid IS NOT NULL AND nid IS NOT NULL AND d),
         coalesce(sum(coalesce(nm, 0) - coalesce(om, 0)) FILTER (WHERE oid IS NOT NULL AND nid IS NOT NULL AND d), 0)
  FROM j`);
const v = r.getRows()[0].map(String);
console.log(v.join(" "));
