// More DuckDB peers of bench/run.sh (npm @duckdb/node-api, 2 threads),
// the whole process timed by the caller:
//   node bench/duckdb-more.mjs cat FILE OUT     CSV to TSV (COPY ... TO OUT)
//   node bench/duckdb-more.mjs w2 FILE COMMUNES the amounts joined with the
//                                              communes, by departement
//   node bench/duckdb-more.mjs w3 FILE          median and 90th percentile
//                                              (quantile_cont) by dispositif
import { DuckDBInstance } from '@duckdb/node-api';

const [mode, file, extra] = process.argv.slice(2);
const db = await DuckDBInstance.create(':memory:', { threads: '2' });
const con = await db.connect();
const src = `read_csv('${file}', header=true, all_varchar=true)`;
const print = async (sql) => {
  const r = await con.runAndReadAll(sql);
  for (const row of r.getRows()) console.log(row.map(String).join('\t'));
};
if (mode === 'cat') {
  await con.run(`COPY (SELECT * FROM ${src}) TO '${extra}' (FORMAT csv, DELIMITER '\t', HEADER true)`);
} else if (mode === 'w2') {
  await print(`SELECT c.departement, count(*), sum(CAST(s.montant AS DECIMAL(38,2)))
    FROM ${src} s JOIN read_csv('${extra}', header=true, all_varchar=true) c ON s.codeCommune = c.code_insee
    GROUP BY 1 ORDER BY 1`);
} else if (mode === 'w3') {
  await print(`SELECT dispositif, count(*), median(CAST(montant AS DOUBLE)),
    quantile_cont(CAST(montant AS DOUBLE), 0.9) FROM ${src} GROUP BY 1 ORDER BY 1`);
}
