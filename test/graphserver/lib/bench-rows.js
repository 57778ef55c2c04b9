'use strict';
// The bench table: a virtual label BenchRow of N rows, i = 0 .. N-1, with five
// properties of five types, streamed as fast as the socket takes them. It is
// how the benchmarks get a Bolt server that is not the bottleneck.
//
//   i  Integer  the row number
//   f  Float    i + 0.5
//   s  String   "row-" and i as 12 digits (16 characters)
//   b  Boolean  i is even
//   d  Date     2020-01-01 plus (i mod 1000) days
//
// One RECORD of the requested fields is packed by the official Packer, with
// values chosen so that every field has a fixed width (i as INT_32, d's day
// count as INT_16); a block of such records is then copied and patched per
// row. A smaller i is thus sent as INT_32 too: a longer encoding than the
// smallest, which PackStream allows and every decoder must read.

const { Structure, packMessage, chunkMessage } = require('./bolt-io');

const FIELDS = ['i', 'f', 's', 'b', 'd'];
const BLOCK = 1000;
const DAY0 = 18262;          // 2020-01-01 in days since 1970-01-01
const RECORD = 0x71;

// "000000" .. "999999" back to back: s is written 6 digits at a time
const DIGITS = (() => {
  const t = Buffer.allocUnsafe(6e6);
  for (let v = 0; v < 1e6; v++) {
    for (let k = 5, x = v; k >= 0; k--, x = Math.floor(x / 10)) t[v * 6 + k] = 48 + (x % 10);
  }
  return t;
})();

function templateValue(name) {
  switch (name) {
    case 'i': return 0x7fff0000n;                           // INT_32 marker 0xCA
    case 'f': return 0.5;                                   // 0xC1 + 8 bytes
    case 's': return 'row-000000000000';                    // 0xD0 0x10 + 16 bytes
    case 'b': return true;
    case 'd': return new Structure(0x44, [BigInt(DAY0)]);   // 0xB1 0x44 0xC9 + 2 bytes
    default: return null;
  }
}

// Where each field's variable bytes sit in one chunked RECORD.
function layout(names, body) {
  const offsets = {};
  let p = 2 + 2 + 1;         // chunk header, B1 71, list marker (at most 15 fields)
  for (const name of names) {
    switch (name) {
      case 'i': offsets.i = p + 1; p += 5; break;
      case 'f': offsets.f = p + 1; p += 9; break;
      case 's': offsets.s = p + 2 + 4; p += 18; break;
      case 'b': offsets.b = p; p += 1; break;
      case 'd': offsets.d = p + 3; p += 5; break;
      default: p += 1;       // null
    }
  }
  if (p - 2 !== body.length) throw new Error(`bench record layout mismatch (${p - 2} != ${body.length})`);
  return offsets;
}

class BenchRows {
  constructor(count) {
    this.count = count;
    this.templates = new Map();       // field list -> { block, size, offsets }
  }

  // The RETURN keys of the query, in order (`AS \`name\``), or all fields.
  static fieldsOf(query) {
    const names = [...query.matchAll(/\bAS\s+`([^`]+)`/g)].map((m) => m[1]);
    return names.length ? names : FIELDS.slice();
  }

  template(names) {
    const key = names.join(',');
    let t = this.templates.get(key);
    if (!t) {
      if (names.length > 15) throw new Error('bench rows: at most 15 fields');
      const body = packMessage(RECORD, [names.map(templateValue)]);
      const one = Buffer.concat(chunkMessage(body));
      const offsets = layout(names, body);
      const block = Buffer.allocUnsafe(one.length * BLOCK);
      for (let k = 0; k < BLOCK; k++) one.copy(block, k * one.length);
      t = { block, size: one.length, offsets };
      this.templates.set(key, t);
    }
    return t;
  }

  // Chunked RECORD messages for rows first .. first+n-1 (n <= BLOCK).
  encode(names, first, n) {
    const t = this.template(names);
    const out = Buffer.allocUnsafe(t.size * n);
    const { i, f, s, b, d } = t.offsets;
    t.block.copy(out, 0, 0, t.size * n);
    for (let k = 0, base = 0; k < n; k++, base += t.size) {
      const row = first + k;
      if (i !== undefined) out.writeInt32BE(row, base + i);
      if (f !== undefined) out.writeDoubleBE(row + 0.5, base + f);
      if (s !== undefined) {
        const hi = Math.floor(row / 1e6) * 6, lo = (row % 1e6) * 6, q = base + s;
        out[q] = DIGITS[hi]; out[q + 1] = DIGITS[hi + 1]; out[q + 2] = DIGITS[hi + 2];
        out[q + 3] = DIGITS[hi + 3]; out[q + 4] = DIGITS[hi + 4]; out[q + 5] = DIGITS[hi + 5];
        out[q + 6] = DIGITS[lo]; out[q + 7] = DIGITS[lo + 1]; out[q + 8] = DIGITS[lo + 2];
        out[q + 9] = DIGITS[lo + 3]; out[q + 10] = DIGITS[lo + 4]; out[q + 11] = DIGITS[lo + 5];
      }
      if (b !== undefined) out[base + b] = row % 2 === 0 ? 0xc3 : 0xc2;
      if (d !== undefined) out.writeInt16BE(DAY0 + (row % 1000), base + d);
    }
    return out;
  }
}

module.exports = { BenchRows, BLOCK, FIELDS };
