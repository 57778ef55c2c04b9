#!/usr/bin/env node
// PackStream decode throughput of the official JavaScript driver on the
// record file written by `ps_decode --generate` (4-byte big-endian length +
// message, repeated). Decodes every message with neo4j-driver's Unpacker,
// once raw (structures left as Structure) and once hydrated the way the
// driver does it for Bolt 5 (Node objects, Integer values).
//
//   node bench/ps_decode.js FILE [PASSES]
//
// Prints "js-raw ..." and "js-hydrated ..." lines in the format of
// bench/ps_decode.c, with the same checksum.
'use strict';

const fs = require('fs');
const packstream = require('neo4j-driver-bolt-connection/lib/packstream');
const ChannelBuffer = require('neo4j-driver-bolt-connection/lib/channel/channel-buf').default;
const Transformer = require('neo4j-driver-bolt-connection/lib/bolt/transformer').default;
const v5x8 = require('neo4j-driver-bolt-connection/lib/bolt/bolt-protocol-v5x8.transformer').default;

const file = process.argv[2];
const passes = Number(process.argv[3] || 3);
if (!file) {
  console.error('usage: node bench/ps_decode.js FILE [PASSES]');
  process.exit(2);
}
const data = fs.readFileSync(file);
const config = { disableLosslessIntegers: false, useBigInt: false };
const transformer = new Transformer(Object.values(v5x8).map((create) => create(config, undefined)));

function run(name, hydrate, nodeId) {
  const unpacker = new packstream.v2.Unpacker(false, false);
  let best = Infinity;
  let records = 0;
  let checksum = 0n;
  for (let pass = 0; pass <= passes; pass++) {   // pass 0 warms up and computes the checksum
    const buf = new ChannelBuffer(data);
    let sum = 0;
    let count = 0;
    const t0 = process.hrtime.bigint();
    while (buf.remaining() >= 4) {
      const len = buf.readUInt32();
      const start = buf.position;
      const msg = unpacker.unpack(buf, hydrate);
      if (buf.position - start !== len || msg.signature !== 0x71) throw new Error(`bad record ${count}`);
      const row = msg.fields[0];
      sum += row[0].low;   // keep the work observable without a costly conversion
      if (pass === 0) {
        checksum += BigInt(row[0].toString()) + BigInt(Buffer.byteLength(row[2])) + BigInt(nodeId(row[7]).toString());
      }
      count++;
    }
    const t = Number(process.hrtime.bigint() - t0) / 1e9;
    if (sum < 0) console.log('impossible');
    if (pass > 0 && t < best) best = t;
    records = count;
  }
  console.log(`${name} records=${records} best_s=${best.toFixed(4)} records_per_s=${(records / best).toFixed(0)} ` +
    `mb_per_s=${(data.length / best / 1e6).toFixed(1)} checksum=${checksum}`);
}

run('js-raw', undefined, (node) => node.fields[0]);
run('js-hydrated', transformer.fromStructure, (node) => node.identity);
