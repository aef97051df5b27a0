// The DuckDB peer of bench/run.sh: W1 with 2 threads, the whole process
// timed by the caller.  node bench/duckdb.mjs FILE [DELIM] [DECIMAL]
import { DuckDBInstance } from '@duckdb/node-api';

const [file, delim = ',', decimal = '.'] = process.argv.slice(2);
const db = await DuckDBInstance.create(':memory:', { threads: '2' });
const con = await db.connect();
const opts = `delim='${delim}', header=true, decimal_separator='${decimal}'`;
const r = await con.runAndReadAll(
  `SELECT dispositif, count(*) AS count, sum(montant) AS montant FROM read_csv('${file}', ${opts}) GROUP BY 1 ORDER BY 1`);
for (const row of r.getRows()) console.log(row.map(String).join('\t'));
