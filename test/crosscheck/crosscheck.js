#!/usr/bin/env node
// Cross-checks our PackStream codec against the official one in the
// neo4j-driver npm package (neo4j-driver-bolt-connection/lib/packstream).
//
//   node test/crosscheck/crosscheck.js build/tools/ps_codec
//
// A corpus of values (every type, size boundaries, nesting, unicode, big
// strings, graph/temporal/spatial structures, Bolt 6 vectors, random trees)
// is packed by the official Packer for Bolt 4.4, 5.x and 6.0. Our C tool
// (test/tools/ps_codec.c) decodes each, describes what it read and packs it
// again. For every value we check that
//   1. the C decoder read exactly what the official packer wrote,
//   2. the C encoder wrote the very same bytes back,
//   3. the official Unpacker reads the C bytes back equal (raw and hydrated).
// DateTime values are also converted across versions (legacy local seconds
// <-> UTC seconds) and compared with the official driver's own encoding.
// Prints TAP; exits non-zero on any failure.
'use strict';

const { execFileSync } = require('child_process');
const util = require('util');
const neo4j = require('neo4j-driver');
const packstream = require('neo4j-driver-bolt-connection/lib/packstream');
const { alloc } = require('neo4j-driver-bolt-connection/lib/channel');
const ChannelBuffer = require('neo4j-driver-bolt-connection/lib/channel/channel-buf').default;
const Transformer = require('neo4j-driver-bolt-connection/lib/bolt/transformer').default;
const v4x4 = require('neo4j-driver-bolt-connection/lib/bolt/bolt-protocol-v4x4.transformer').default;
const v5x0 = require('neo4j-driver-bolt-connection/lib/bolt/bolt-protocol-v5x0.transformer').default;
const v6x0 = require('neo4j-driver-bolt-connection/lib/bolt/bolt-protocol-v6x0.transformer').default;

const { Structure } = packstream.structure;
const { int, isInt } = neo4j;
const T = neo4j.types;

const tool = process.argv[2];
if (!tool) {
  console.error('usage: node test/crosscheck/crosscheck.js path/to/ps_codec');
  process.exit(2);
}

// ------------------------------------------------------------------ official codec

const quietLogger = { warn() {}, error() {}, info() {}, debug() {}, isDebugEnabled: () => false };
function transformerFor(table) {
  const config = { disableLosslessIntegers: false, useBigInt: false };
  return new Transformer(Object.values(table).map((create) => create(config, quietLogger)));
}
const TRANSFORMERS = { 4: transformerFor(v4x4), 5: transformerFor(v5x0), 6: transformerFor(v6x0) };

// Packs with the official Packer; driver objects (DateTime, Point, Vector...)
// are turned into structures the way that protocol version does it.
function pack(value, version) {
  for (let size = 1 << 16; ; size *= 4) {
    const buf = alloc(size);
    const packer = new packstream.v2.Packer(buf);
    try {
      packer.packable(value, TRANSFORMERS[version].toStructure)();
    } catch (e) {
      if (e instanceof RangeError && size < (1 << 30)) continue;   // buffer too small
      throw e;
    }
    // a full buffer may mean a silently cut string: try again with more room
    if (buf.position >= size && size < (1 << 30)) continue;
    return Buffer.from(buf._buffer.subarray(0, buf.position));
  }
}

// Hydrated value in a comparable form. The official driver turns a structure
// it refuses (say, a 3-field Node on Bolt 5) into a "broken object" that
// throws when touched; that becomes { broken: message } here, so both sides
// must agree either way.
function canon(v) {
  if (v === null || typeof v !== 'object') return v;
  try {
    if (Array.isArray(v)) return v.map(canon);
    // entries, not an object: a "__proto__" key must stay a key
    return { class: v.constructor && v.constructor.name, entries: Object.keys(v).map((k) => [k, canon(v[k])]) };
  } catch (e) {
    return { broken: e.message };
  }
}

function hydrate(bytes, version) {
  try {
    return { value: canon(unpack(bytes, version)) };
  } catch (e) {
    return { error: e.message };
  }
}

function unpack(bytes, version) {
  const buf = new ChannelBuffer(Buffer.from(bytes));
  const unpacker = new packstream.v2.Unpacker(false, false);
  const value = version ? unpacker.unpack(buf, TRANSFORMERS[version].fromStructure) : unpacker.unpack(buf);
  if (buf.hasRemaining()) throw new Error(`${buf.remaining()} bytes left over`);
  return value;
}

// ------------------------------------------------------------------ expected C descriptions

const TYPE_NAMES = {
  0x4E: 'Node', 0x52: 'Relationship', 0x72: 'UnboundRelationship', 0x50: 'Path',
  0x44: 'Date', 0x54: 'Time', 0x74: 'LocalTime', 0x49: 'DateTime', 0x69: 'DateTimeZoneId',
  0x64: 'LocalDateTime', 0x45: 'Duration', 0x58: 'Point', 0x59: 'Point',
};

function typeName(tag, version) {
  if (version >= 6 && tag === 0x56) return 'Vector';
  if (version >= 6 && tag === 0x3F) return 'UnsupportedType';
  return TYPE_NAMES[tag] || 'Structure';
}

const utf8hex = (s) => Buffer.from(s, 'utf8').toString('hex');

// What ps_codec must print for a raw (unhydrated) official value read with
// the given protocol version: the spec's semantics, written out in JS.
function describe(v, version) {
  if (v === null) return 'null';
  if (v === true) return 'true';
  if (v === false) return 'false';
  if (isInt(v)) return `{"i":"${v.toString()}"}`;
  if (typeof v === 'number') {
    const b = Buffer.alloc(8);
    b.writeDoubleBE(v);
    return `{"f":"${b.toString('hex')}"}`;
  }
  if (typeof v === 'string') return `{"s":"${utf8hex(v)}"}`;
  if (v instanceof Int8Array) return `{"b":"${Buffer.from(v.buffer, v.byteOffset, v.length).toString('hex')}"}`;
  if (Array.isArray(v)) return '[' + v.map((x) => describe(x, version)).join(',') + ']';
  if (v instanceof Structure) {
    let tag = v.signature;
    let flags = 0;
    const fields = v.fields.slice();
    if (version === 4 && tag === 0x46) {
      // legacy DateTime: local seconds become UTC seconds
      tag = 0x49;
      fields[0] = fields[0].subtract(fields[2]);
    } else if (version === 4 && tag === 0x66) {
      tag = 0x69;   // legacy DateTimeZoneId: seconds stay local, flagged
      flags = 1;
    }
    return `{"t":"${typeName(tag, version)}","tag":${tag},"flags":${flags},"f":[` +
      fields.map((x) => describe(x, version)).join(',') + ']}';
  }
  return '{"m":[' + Object.keys(v).map((k) => `["${utf8hex(k)}",${describe(v[k], version)}]`).join(',') + ']}';
}

// ------------------------------------------------------------------ corpus

const corpus = [];        // { name, value, versions }
function add(name, value, versions = [4, 5, 6]) {
  corpus.push({ name, value, versions });
}

// scalars
add('null', null);
add('true', true);
add('false', false);
for (const s of ['0', '1', '-1', '42', '-16', '-17', '127', '128', '-128', '-129', '255', '256',
  '32767', '32768', '-32768', '-32769', '65535', '65536', '2147483647', '2147483648', '-2147483648',
  '-2147483649', '4294967296', '9007199254740993', '-9007199254740993', '9223372036854775807',
  '-9223372036854775808']) {
  add(`int ${s}`, int(s));
}
for (let k = -16; k <= 127; k += 13) add(`tiny int ${k}`, int(k));
for (const f of [0, -0, 1, -1.1, 1.5, Math.PI, 1e300, -1e-300, Number.MAX_VALUE, Number.MIN_VALUE,
  Number.EPSILON, NaN, Infinity, -Infinity, 2 ** 53, 0.1 + 0.2]) {
  add(`float ${Object.is(f, -0) ? '-0' : f}`, f);
}

// strings at every size-marker boundary, ASCII and multi-byte
const ascii = (n) => Array.from({ length: n }, (_, i) => String.fromCharCode(97 + (i * 7) % 26)).join('');
for (const n of [0, 1, 15, 16, 17, 255, 256, 257, 65535, 65536, 65537, 100000]) add(`string of ${n} bytes`, ascii(n));
add('string 255 bytes of 2-byte chars', 'é'.repeat(127) + 'a');
add('string 256 bytes of 2-byte chars', 'é'.repeat(128));
add('string 15 bytes of 3-byte chars', '€'.repeat(5));
add('string 16 bytes', '€'.repeat(5) + 'a');
add('string 65536 bytes of emoji', '😀'.repeat(16384));
add('unicode mix', 'Größenmaßstäbe — 日本語 — עברית — Ελληνικά — 😀🎉 — e\u0301');
add('embedded NUL', 'a\u0000b');
add('control characters', '\t\n\r\u0001\u001f\u007f');
add('lone surrogate', 'x\ud800y');   // both sides encode it as U+FFFD

// bytes
const bytes = (n) => Int8Array.from({ length: n }, (_, i) => ((i * 37 + 11) & 0xff) << 24 >> 24);
for (const n of [0, 1, 15, 16, 255, 256, 65535, 65536]) add(`bytes of ${n}`, bytes(n));

// lists and maps at every size-marker boundary
for (const n of [0, 1, 15, 16, 255, 256, 65535, 65536]) {
  add(`list of ${n}`, Array.from({ length: n }, (_, i) => int((i % 300) - 150)));
}
for (const n of [0, 1, 15, 16, 255, 256, 65535, 65536]) {
  const m = {};
  for (let i = 0; i < n; i++) m[`k${i}`] = i % 2 ? int(i) : `v${i}`;
  add(`map of ${n}`, m);
}
add('mixed list', [null, true, int(-200), 2.5, 'x', bytes(3), [int(1), [int(2)]], { a: [] }]);
add('unicode keys', { 'ключ': int(1), '鍵': [int(2)], '🔑': { 'é': null }, '': 'empty key' });
add('integer-like keys', { b: int(1), 10: int(2), 2: int(3), '-1': int(4) });
const protoMap = {};
Object.defineProperty(protoMap, '__proto__', { value: int(7), enumerable: true, writable: true, configurable: true });
add('__proto__ key', protoMap);
let deep = int(0);
for (let i = 0; i < 40; i++) deep = i % 2 ? [deep] : { d: deep };
add('40 levels of nesting', deep);
let deepList = [];
for (let i = 0; i < 63; i++) deepList = [deepList];
add('64 nested lists (the limit)', deepList);

// graph structures as a server sends them (4.x and 5.x forms)
const props = { name: 'Alice', age: int(33), score: 1.5, tags: ['a', 'b'], nested: { x: null } };
add('Node 4.x', new Structure(0x4E, [int(1), ['Person', 'Ünïcode'], props]));
add('Node 5.x', new Structure(0x4E, [int(1), ['Person'], props, '4:0c8f:1']));
add('Node without labels', new Structure(0x4E, [int(-1), [], {}, '']));
add('Relationship 4.x', new Structure(0x52, [int(11), int(1), int(2), 'KNOWS', { since: int(1999) }]));
add('Relationship 5.x', new Structure(0x52, [int(11), int(1), int(2), 'KNOWS', {}, '5:x:11', '4:x:1', '4:x:2']));
add('UnboundRelationship 4.x', new Structure(0x72, [int(17), 'LIKES', { w: 0.5 }]));
add('UnboundRelationship 5.x', new Structure(0x72, [int(17), 'LIKES', {}, '5:x:17']));
const n1 = new Structure(0x4E, [int(42), ['A'], {}, '4:x:42']);
const n2 = new Structure(0x4E, [int(69), ['B'], {}, '4:x:69']);
const n3 = new Structure(0x4E, [int(1), [], {}, '4:x:1']);
const r1 = new Structure(0x72, [int(1000), 'R', {}, '5:x:1000']);
const r2 = new Structure(0x72, [int(1001), 'R', {}, '5:x:1001']);
add('Path (spec example)', new Structure(0x50, [[n1, n2, n3], [r1, r2], [int(1), int(1), int(1), int(0), int(-2), int(2)]]));
add('Path of one node', new Structure(0x50, [[new Structure(0x4E, [int(5), [], {}])], [], []]));

// temporal and spatial values, dehydrated by the official driver per version
add('Date', new T.Date(2024, 2, 29));
add('Date before 1970', new T.Date(1600, 1, 1));
add('Date far future', new T.Date(9999, 12, 31));
add('LocalTime', new T.LocalTime(23, 59, 59, 999999999));
add('Time +01:00', new T.Time(13, 45, 7, 5, 3600));
add('Time -05:30', new T.Time(0, 0, 0, 0, -19800));
add('LocalDateTime', new T.LocalDateTime(2024, 2, 29, 13, 45, 7, 123456789));
add('LocalDateTime before 1970', new T.LocalDateTime(1969, 12, 31, 23, 59, 59, 1));
add('Duration', new T.Duration(int(14), int(-3), int(3600), int(999999999)));
add('Duration huge', new T.Duration(int('1000000000'), int(0), int('-9000000000000'), int(0)));
add('Point2D WGS-84', new T.Point(int(4326), 12.5, -45.25));
add('Point2D cartesian', new T.Point(int(7203), -0, 1e-10));
add('Point3D WGS-84', new T.Point(int(4979), 1, 2, 3));
add('Point3D cartesian', new T.Point(int(9157), Infinity, -1.5, 1e308));

const offsetDateTimes = [
  ['DateTime +01:00', new T.DateTime(2024, 2, 29, 13, 45, 7, 123456789, 3600)],
  ['DateTime UTC', new T.DateTime(2000, 1, 1, 0, 0, 0, 0, 0)],
  ['DateTime -05:00', new T.DateTime(2021, 11, 7, 1, 30, 0, 0, -18000)],
  ['DateTime before 1970 -01:30', new T.DateTime(1969, 12, 31, 23, 59, 59, 999999999, -5400)],
  ['DateTime +18:00', new T.DateTime(1900, 6, 15, 12, 0, 0, 0, 64800)],
  ['DateTime -18:00', new T.DateTime(9999, 12, 31, 23, 59, 59, 0, -64800)],
  ['DateTime +05:45', new T.DateTime(2015, 4, 25, 11, 56, 0, 1, 20700)],
];
const zonedDateTimes = [
  ['DateTime Europe/Paris summer', new T.DateTime(2024, 7, 1, 13, 45, 7, 5, undefined, 'Europe/Paris')],
  ['DateTime Europe/Paris winter', new T.DateTime(2024, 1, 15, 8, 0, 0, 0, undefined, 'Europe/Paris')],
  ['DateTime America/New_York', new T.DateTime(2021, 11, 7, 12, 0, 0, 0, undefined, 'America/New_York')],
  ['DateTime Asia/Kolkata', new T.DateTime(1990, 5, 17, 23, 59, 59, 999, undefined, 'Asia/Kolkata')],
  ['DateTime UTC zone', new T.DateTime(2000, 1, 1, 0, 0, 0, 0, undefined, 'UTC')],
];
for (const [name, v] of offsetDateTimes.concat(zonedDateTimes)) add(name, v);
add('list of temporal values', [new T.Date(2020, 1, 1), offsetDateTimes[0][1], new T.LocalTime(1, 2, 3, 4)]);

// Bolt 6.0 (before 6.0 the same tags are plain structures)
for (const arr of [Int8Array.from([1, -2, 127, -128]), Int16Array.from([1, -300, 32767]),
  Int32Array.from([7, -70000]), BigInt64Array.from([1n, -(2n ** 63n)]),
  Float32Array.from([1.5, -0, Infinity]), Float64Array.from([Math.PI, NaN, -1e300]), new Float64Array(0)]) {
  add(`Vector ${arr.constructor.name}[${arr.length}]`, neo4j.vector(arr), [6]);
}
const rawVector = new Structure(0x56, [Int8Array.from([0xC1 << 24 >> 24]), bytes(16)]);
add('raw Vector structure', rawVector);
add('UnsupportedType', new Structure(0x3F, ['QuantumFloat', int(42), int(21), { message: 'upgrade' }]));
add('UnsupportedType without message', new Structure(0x3F, ['X', int(6), int(1), {}]));
add('unknown structure 0x7A', new Structure(0x7A, [int(1), 'two', [3.0]]));
add('structure without fields', new Structure(0x01, []));
add('structure with 15 fields', new Structure(0x7B, Array.from({ length: 15 }, (_, i) => int(i * 1000))));

// random trees (deterministic)
function mulberry32(seed) {
  return function () {
    seed |= 0; seed = seed + 0x6D2B79F5 | 0;
    let t = Math.imul(seed ^ seed >>> 15, 1 | seed);
    t = t + Math.imul(t ^ t >>> 7, 61 | t) ^ t;
    return ((t ^ t >>> 14) >>> 0) / 4294967296;
  };
}
const rnd = mulberry32(20240229);
const pick = (a) => a[Math.floor(rnd() * a.length)];
function randomString() {
  const ranges = [[0x20, 0x7e], [0xa0, 0x24f], [0x370, 0x3ff], [0x4e00, 0x4eff], [0x1f600, 0x1f64f]];
  const n = pick([0, 1, 5, 15, 16, 40, 300]);
  let s = '';
  for (let i = 0; i < n; i++) {
    const [lo, hi] = pick(ranges);
    s += String.fromCodePoint(lo + Math.floor(rnd() * (hi - lo + 1)));
  }
  return s;
}
function randomInt() {
  const bits = pick([4, 7, 8, 15, 16, 31, 32, 53, 63]);
  let v = BigInt(Math.floor(rnd() * 2 ** Math.min(bits, 52)));
  if (bits > 52) v = (v << BigInt(bits - 52)) | BigInt(Math.floor(rnd() * 2 ** (bits - 52)));
  if (rnd() < 0.5) v = -v - 1n;
  return int(v.toString());
}
function randomFloat() {
  const b = Buffer.alloc(8);
  for (let i = 0; i < 8; i++) b[i] = Math.floor(rnd() * 256);
  const f = b.readDoubleBE(0);
  return Number.isNaN(f) ? NaN : f;    // the official packer writes NaN canonically
}
function randomValue(depth) {
  const kinds = depth > 4 ? ['null', 'bool', 'int', 'float', 'string', 'bytes']
    : ['null', 'bool', 'int', 'int', 'float', 'string', 'string', 'bytes', 'list', 'map', 'struct'];
  switch (pick(kinds)) {
    case 'null': return null;
    case 'bool': return rnd() < 0.5;
    case 'int': return randomInt();
    case 'float': return randomFloat();
    case 'string': return randomString();
    case 'bytes': return bytes(pick([0, 1, 17, 300]));
    case 'list': return Array.from({ length: pick([0, 1, 3, 15, 16, 40]) }, () => randomValue(depth + 1));
    case 'map': {
      const m = {};
      const n = pick([0, 1, 2, 15, 16, 20]);
      for (let i = 0; i < n; i++) m[randomString() + i] = randomValue(depth + 1);
      return m;
    }
    default: return new Structure(pick([0x01, 0x7A, 0x44, 0x74]), [randomInt()]);
  }
}
for (let i = 0; i < 300; i++) add(`random value #${i}`, randomValue(0));

// ------------------------------------------------------------------ tool input

const jobs = [];          // one per tool input line: { line, check(resultLine) }
function job(line, check) {
  jobs.push({ line, check });
}

let testNo = 0;
let failures = 0;
function ok(cond, what, detail) {
  testNo++;
  if (!cond) failures++;
  console.log(`${cond ? 'ok' : 'not ok'} ${testNo} - ${what}`);
  if (!cond && detail) console.log('#   ' + String(detail).slice(0, 600).replace(/\n/g, '\n#   '));
}

function parseResult(out) {
  if (out.startsWith('err ')) return { error: out.slice(4) };
  if (!out.startsWith('ok ')) return { error: `unexpected output: ${out.slice(0, 100)}` };
  const rest = out.slice(3);
  const sp = rest.lastIndexOf(' ');
  return { desc: rest.slice(0, sp), enc: rest.slice(sp + 1) };
}

// Same protocol version in and out: decode, bytes, read back.
for (const { name, value, versions } of corpus) {
  for (const ver of versions) {
    const bytesIn = pack(value, ver);
    const raw = unpack(bytesIn);
    const want = describe(raw, ver);
    job(`v${ver} ${bytesIn.toString('hex')}`, (res) => {
      const label = `${name} [Bolt ${ver}]`;
      if (res.error) {
        ok(false, `${label}: C decodes`, res.error);
        return;
      }
      ok(res.desc === want, `${label}: C decodes what the official packer wrote`,
        `got:  ${res.desc.slice(0, 280)}\nwant: ${want.slice(0, 280)}`);
      ok(res.enc === bytesIn.toString('hex'), `${label}: C re-encodes the same bytes`,
        `got:  ${res.enc.slice(0, 280)}\nwant: ${bytesIn.toString('hex').slice(0, 280)}`);
      let back, error;
      try {
        back = unpack(Buffer.from(res.enc, 'hex'));
      } catch (e) {
        error = e;
      }
      ok(!error && util.isDeepStrictEqual(back, raw) &&
        util.isDeepStrictEqual(hydrate(Buffer.from(res.enc, 'hex'), ver), hydrate(bytesIn, ver)),
      `${label}: official unpacker reads the C bytes back equal`, error);
    });
  }
}

// DateTime semantics: the C decoder's seconds are UTC (offset form) for every
// version; legacy local seconds are converted on the way in and out, and the
// result must match what the official driver writes for the other version.
function epochLocal(dt) {
  const d = new Date(0);
  d.setUTCFullYear(dt.year.toNumber ? dt.year.toNumber() : dt.year, (dt.month.toNumber ? dt.month.toNumber() : dt.month) - 1,
    dt.day.toNumber ? dt.day.toNumber() : dt.day);
  d.setUTCHours(+dt.hour, +dt.minute, +dt.second, 0);
  return BigInt(d.getTime() / 1000);
}
for (const [name, dt] of offsetDateTimes) {
  const b4 = pack(dt, 4);
  const b5 = pack(dt, 5);
  const utc = epochLocal(dt) - BigInt(+dt.timeZoneOffsetSeconds);
  for (const [mode, input, output] of [['v45', b4, b5], ['v54', b5, b4], ['v44', b4, b4], ['v55', b5, b5]]) {
    job(`${mode} ${input.toString('hex')}`, (res) => {
      const label = `${name} read as Bolt ${mode[1]}, written as Bolt ${mode[2]}`;
      if (res.error) {
        ok(false, `${label}: C decodes`, res.error);
        return;
      }
      const secs = JSON.parse(res.desc).f[0].i;
      ok(BigInt(secs) === utc, `${label}: C seconds are the UTC instant`, `got ${secs}, want ${utc}`);
      ok(res.enc === output.toString('hex'), `${label}: bytes equal the official Bolt ${mode[2]} encoding`,
        `got:  ${res.enc}\nwant: ${output.toString('hex')}`);
    });
  }
}
for (const [name, dt] of zonedDateTimes) {
  const b4 = pack(dt, 4);
  const b5 = pack(dt, 5);
  const local = epochLocal(dt);
  const official5 = unpack(b5).fields[0].toString();
  job(`v44 ${b4.toString('hex')}`, (res) => {
    const d = res.desc && JSON.parse(res.desc);
    ok(d && d.flags === 1 && BigInt(d.f[0].i) === local && res.enc === b4.toString('hex'),
      `${name} on Bolt 4.4: local seconds kept, flagged, written back as 0x66`, res.error || res.desc);
  });
  job(`v55 ${b5.toString('hex')}`, (res) => {
    const d = res.desc && JSON.parse(res.desc);
    ok(d && d.flags === 0 && d.f[0].i === official5 && res.enc === b5.toString('hex'),
      `${name} on Bolt 5: UTC seconds as the official driver computed them`, res.error || res.desc);
  });
  job(`v45 ${b4.toString('hex')}`, (res) => {
    ok(res.enc === '!Driver.Unsupported', `${name}: local seconds refused on Bolt 5 (needs a tz database)`,
      res.error || res.enc);
  });
  job(`v54 ${b5.toString('hex')}`, (res) => {
    ok(res.enc === '!Driver.Unsupported', `${name}: UTC seconds refused on Bolt 4.4 (needs a tz database)`,
      res.error || res.enc);
  });
}

// Whole Bolt messages.
const messages = [
  ['RECORD', new Structure(0x71, [[int(1), 'Alice', 3.25, [int(1), int(2)], null, n1]])],
  ['SUCCESS after RUN', new Structure(0x70, [{ fields: ['n', 'm'], t_first: int(3), qid: int(0) }])],
  ['SUCCESS after PULL', new Structure(0x70, [{ bookmark: 'FB:kcwQ', type: 'r', t_last: int(1), db: 'neo4j', has_more: false }])],
  ['FAILURE', new Structure(0x7F, [{ code: 'Neo.ClientError.Statement.SyntaxError', message: 'Invalid input ☃' }])],
  ['IGNORED', new Structure(0x7E, [])],
  ['RUN', new Structure(0x10, ['RETURN $x', { x: int(1) }, { db: 'neo4j', mode: 'r' }])],
];
for (const [name, msg] of messages) {
  const b = pack(msg, 5);
  const want = `{"sig":${msg.signature},"f":[` + msg.fields.map((f) => describe(f, 5)).join(',') + ']}';
  job(`m5 ${b.toString('hex')}`, (res) => {
    ok(!res.error && res.desc === want, `message ${name}: C decodes it`, res.error || `got ${res.desc}\nwant ${want}`);
    ok(res.enc === b.toString('hex'), `message ${name}: C re-encodes the same bytes`, res.enc);
  });
}

// Inputs the official unpacker takes but a strict Bolt client must refuse.
const refusals = [
  ['legacy DateTime on Bolt 5', `v5 ${pack(offsetDateTimes[0][1], 4).toString('hex')}`],
  ['UTC DateTime on Bolt 4.4', `v4 ${pack(offsetDateTimes[0][1], 5).toString('hex')}`],
  ['legacy DateTimeZoneId on Bolt 6', `v6 ${pack(zonedDateTimes[0][1], 4).toString('hex')}`],
  ['map with an integer key', 'v5 a10101'],
  ['Node with 2 fields', `v5 ${pack(new Structure(0x4E, [int(1), []]), 5).toString('hex')}`],
  ['Node label that is not a string', `v5 ${pack(new Structure(0x4E, [int(1), [int(2)], {}]), 5).toString('hex')}`],
  ['Point with integer coordinates', `v5 ${pack(new Structure(0x58, [int(1), int(2), int(3)]), 5).toString('hex')}`],
  ['Path with an index out of range', `v5 ${pack(new Structure(0x50, [[n1], [r1], [int(2), int(0)]]), 5).toString('hex')}`],
  ['Vector with a partial element', `v6 ${pack(new Structure(0x56, [Int8Array.from([-55]), bytes(3)]), 6).toString('hex')}`],
  ['65 nested lists', `v5 ${'91'.repeat(64)}90`],
  ['16-field structure (STRUCT_8 marker)', `v5 ${pack(new Structure(0x7A, Array(16).fill(null)), 5).toString('hex')}`],
  ['truncated string', 'v5 d00541'],
];
for (const [name, line] of refusals) {
  job(line, (res) => ok(!!res.error && res.error.startsWith('PackStream: '), `C refuses ${name}`,
    res.error || `accepted: ${res.desc}`));
}

// ------------------------------------------------------------------ run

const input = jobs.map((j) => j.line).join('\n') + '\n';
const output = execFileSync(tool, [], { input, maxBuffer: 1 << 30 }).toString();
const lines = output.split('\n');
if (lines[lines.length - 1] === '') lines.pop();
ok(lines.length === jobs.length, `ps_codec answered every line (${lines.length} of ${jobs.length})`);
jobs.forEach((j, i) => j.check(parseResult(lines[i] || 'err no output')));

console.log(`1..${testNo}`);
console.log(`crosscheck: ${testNo - failures} passed, ${failures} failed`);
process.exit(failures ? 1 : 0);
