#!/usr/bin/env node
// What a user writes instead of INSERT ... SELECT from a foreign table: read
// with the official JavaScript driver (npm neo4j-driver) and write COPY text
// (tab-separated) to stdout, for `psql -c "COPY t FROM STDIN"`.
//
//   node bench/js_etl.js URL 'CYPHER' | psql -c 'COPY target FROM STDIN'
'use strict';

const neo4j = require('neo4j-driver');

// COPY text format: \N for null, backslash escapes for the special characters
function copyText(v) {
  if (v === null || v === undefined) return '\\N';
  if (typeof v === 'boolean') return v ? 't' : 'f';
  if (typeof v === 'string') return v.replace(/[\\\t\n\r]/g, (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c]);
  return v.toString();
}

async function main() {
  const [url, query] = process.argv.slice(2);
  const driver = neo4j.driver(url, neo4j.auth.basic('neo4j', 'bench'), { disableLosslessIntegers: true });
  const session = driver.session({ defaultAccessMode: neo4j.session.READ });
  let pending = [];
  const flush = () => new Promise((resolve) => {
    if (process.stdout.write(pending.join(''))) resolve(); else process.stdout.once('drain', resolve);
    pending = [];
  });
  await new Promise((resolve, reject) => {
    session.run(query).subscribe({
      onNext: (record) => {
        const cols = [];
        for (let k = 0; k < record.length; k++) cols.push(copyText(record.get(k)));
        pending.push(cols.join('\t') + '\n');
        if (pending.length >= 10000) flush();
      },
      onCompleted: resolve,
      onError: reject,
    });
  });
  await flush();
  await session.close();
  await driver.close();
}

main().catch((e) => { console.error(`js_etl: ${e.message}`); process.exit(1); });
