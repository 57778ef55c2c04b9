#!/usr/bin/env node
// The official JavaScript driver (npm neo4j-driver) iterating one query's
// records, reading every field of each: what a user would write instead of
// the FDW to pull the same stream.
//
//   node bench/js_scan.js URL 'CYPHER' [FETCH_SIZE]
//   -> "js-driver records=N seconds=S records_per_s=R"
'use strict';

const neo4j = require('neo4j-driver');

async function main() {
  const [url, query, fetch] = process.argv.slice(2);
  if (!url || !query) {
    console.error('usage: node bench/js_scan.js URL CYPHER [FETCH_SIZE]');
    process.exit(2);
  }
  const driver = neo4j.driver(url, neo4j.auth.basic('neo4j', 'bench'), {
    fetchSize: Number(fetch || 1000),
    disableLosslessIntegers: true,
  });
  const session = driver.session({ defaultAccessMode: neo4j.session.READ });
  const t0 = process.hrtime.bigint();
  let records = 0, touched = 0;
  await new Promise((resolve, reject) => {
    session.run(query).subscribe({
      onNext: (record) => {
        for (let k = 0; k < record.length; k++) if (record.get(k) !== null) touched++;
        records++;
      },
      onCompleted: resolve,
      onError: reject,
    });
  });
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  await session.close();
  await driver.close();
  console.log(`js-driver records=${records} seconds=${secs.toFixed(3)} records_per_s=${Math.round(records / secs)} values=${touched}`);
}

main().catch((e) => { console.error(`js_scan: ${e.message}`); process.exit(1); });
