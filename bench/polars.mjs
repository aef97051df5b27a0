// The Polars peer of bench/run.sh (npm nodejs-polars 0.25.2 with
// nodejs-polars-linux-x64-gnu 0.25.2, pinned: newer releases are not
// served for this platform): W1 as a lazy scan, group by, sum, the whole
// process timed by the caller.  Polars sums in binary floating point.
//   node bench/polars.mjs FILE
import pl from 'nodejs-polars';

const [file] = process.argv.slice(2);
const df = await pl.scanCSV(file, { inferSchemaLength: 0 })
  .select(pl.col('dispositif'), pl.col('montant').cast(pl.Float64))
  .groupBy('dispositif')
  .agg(pl.col('montant').count().alias('count'), pl.col('montant').sum().alias('montant'))
  .sort('dispositif')
  .collect();
for (const r of df.toRecords()) console.log(`${r.dispositif}\t${r.count}\t${r.montant}`);
