'use strict';
// The graph engine behind the server: an in-memory kuzu database, Neo4j
// Cypher adapted to it (lib/cypher.js), Bolt parameters turned into kuzu
// values and kuzu values turned into Bolt values (Neo4j 5 types).

const kuzu = require('kuzu');
const cypher = require('./cypher');
const { Structure } = require('./bolt-io');

const TWO32 = 4294967296n;
const MS_PER_DAY = 86400000;

class Neo4jError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

// ------------------------------------------------------------------ kuzu types

// Parses kuzu's type names: INT64, STRING[], INT64[3], STRUCT(a INT64, b STRING[]),
// MAP(STRING, INT64), DECIMAL(18, 3), UNION(a INT64, b STRING), NODE, REL, RECURSIVE_REL.
function parseType(s) {
  let i = 0;
  function ws() { while (s[i] === ' ') i++; }
  function inner() {   // text up to the matching ')'
    let d = 0; const start = i;
    for (; i < s.length; i++) {
      if (s[i] === '(') d++;
      else if (s[i] === ')') { if (d === 0) break; d--; }
    }
    const body = s.slice(start, i);
    i++;   // ')'
    return body;
  }
  function splitTop(body) {
    const out = []; let d = 0, start = 0;
    for (let k = 0; k < body.length; k++) {
      if (body[k] === '(') d++;
      else if (body[k] === ')') d--;
      else if (body[k] === ',' && d === 0) { out.push(body.slice(start, k).trim()); start = k + 1; }
    }
    out.push(body.slice(start).trim());
    return out.filter((x) => x.length);
  }
  function one() {
    ws();
    const m = /^[A-Z0-9_]+/i.exec(s.slice(i));
    let t;
    if (!m) { i = s.length; return { id: 'ANY' }; }
    i += m[0].length;
    const id = m[0].toUpperCase();
    if (s[i] === '(') {
      i++;
      const body = inner();
      if (id === 'STRUCT' || id === 'UNION') {
        t = { id, fields: splitTop(body).map((f) => {
          const sp = f.indexOf(' ');
          return { name: f.slice(0, sp), type: parseType(f.slice(sp + 1)) };
        }) };
      } else if (id === 'MAP') {
        const [k, v] = splitTop(body);
        t = { id, key: parseType(k), value: parseType(v) };
      } else {
        t = { id };   // DECIMAL(p, s) and friends
      }
    } else {
      t = { id };
    }
    while (s[i] === '[') {
      const e = s.indexOf(']', i);
      const size = s.slice(i + 1, e);
      i = e + 1;
      t = size === '' ? { id: 'LIST', child: t } : { id: 'ARRAY', child: t, size: Number(size) };
    }
    return t;
  }
  return one();
}

// ------------------------------------------------------------------ values out

const INTEGER_TYPES = new Set(['INT8', 'INT16', 'INT32', 'INT64', 'INT128', 'UINT8', 'UINT16', 'UINT32', 'UINT64', 'SERIAL']);
const FLOAT_TYPES = new Set(['FLOAT', 'DOUBLE', 'DECIMAL']);
const TIMESTAMP_TYPES = new Set(['TIMESTAMP', 'TIMESTAMP_NS', 'TIMESTAMP_MS', 'TIMESTAMP_SEC']);

function toBoltInteger(v) {
  if (typeof v === 'bigint') {
    if (v >= -(2n ** 63n) && v < 2n ** 63n) return v;
    return Number(v);   // beyond Bolt's 64 bits (kuzu INT128): a Float
  }
  if (typeof v === 'number') return Number.isFinite(v) ? BigInt(Math.trunc(v)) : v;
  return v;
}

function dateStruct(d) { return new Structure(0x44, [BigInt(Math.floor(d.getTime() / MS_PER_DAY))]); }
function splitMillis(ms) {
  const secs = Math.floor(ms / 1000);
  return [BigInt(secs), BigInt(Math.round((ms - secs * 1000) * 1e6))];
}
function localDateTimeStruct(d) { return new Structure(0x64, splitMillis(d.getTime())); }
function dateTimeStruct(d, proto) {
  // a UTC instant with offset 0; Bolt 4.4 without the "utc" patch uses the
  // legacy structure whose seconds are local (the same here, offset 0)
  const [s, n] = splitMillis(d.getTime());
  return new Structure(proto.utc ? 0x49 : 0x46, [s, n, 0n]);
}
function durationStruct(ms) {
  // kuzu's Node API gives an INTERVAL as milliseconds (a month counted as 30 days)
  const days = Math.trunc(ms / MS_PER_DAY);
  const rest = ms - days * MS_PER_DAY;
  const secs = Math.floor(rest / 1000);
  return new Structure(0x45, [0n, BigInt(days), BigInt(secs), BigInt(Math.round((rest - secs * 1000) * 1e6))]);
}
function bytesOf(buf) { return new Int8Array(buf.buffer, buf.byteOffset, buf.length); }

// Builds converters from kuzu values (as the kuzu Node API hands them over)
// to values the official Packer packs as the right Bolt types.
class ValueMapper {
  constructor(engine, proto) {
    this.engine = engine;
    this.proto = proto;   // { elementIds: bool, utc: bool }
    this.propConverters = new Map();
  }

  converter(type) {
    const self = this;
    const id = type.id;
    if (INTEGER_TYPES.has(id)) return (v) => (v === null ? null : toBoltInteger(v));
    if (FLOAT_TYPES.has(id)) return (v) => (v === null ? null : Number(v));
    if (id === 'BOOL' || id === 'STRING' || id === 'UUID') return (v) => v;
    if (id === 'BLOB') return (v) => (v === null ? null : bytesOf(v));
    if (id === 'DATE') return (v) => (v === null ? null : dateStruct(v));
    if (TIMESTAMP_TYPES.has(id)) return (v) => (v === null ? null : localDateTimeStruct(v));
    if (id === 'TIMESTAMP_TZ') return (v) => (v === null ? null : dateTimeStruct(v, self.proto));
    if (id === 'INTERVAL') return (v) => (v === null ? null : durationStruct(v));
    if (id === 'LIST' || id === 'ARRAY') {
      const c = this.converter(type.child);
      return (v) => (v === null ? null : v.map(c));
    }
    if (id === 'STRUCT') {
      const cs = type.fields.map((f) => [f.name, this.converter(f.type)]);
      return (v) => {
        if (v === null) return null;
        const out = {};
        for (const [k, c] of cs) if (k in v) out[k] = c(v[k]);
        for (const k of Object.keys(v)) if (!(k in out)) out[k] = self.generic(v[k]);
        return out;
      };
    }
    if (id === 'MAP') {
      const c = this.converter(type.value);
      return (v) => {
        if (v === null) return null;
        const out = {};
        for (const k of Object.keys(v)) out[k] = c(v[k]);
        return out;
      };
    }
    if (id === 'NODE') return (v) => (v === null ? null : this.node(v));
    if (id === 'REL') return (v) => (v === null ? null : this.rel(v));
    if (id === 'RECURSIVE_REL') return (v) => (v === null ? null : this.recursive(v));
    if (id === 'INTERNAL_ID') return (v) => (v === null ? null : BigInt(v.table) * TWO32 + BigInt(v.offset));
    return (v) => this.generic(v);
  }

  // No type known: decide from the JavaScript value.
  generic(v) {
    if (v === null || v === undefined) return null;
    if (typeof v === 'bigint') return toBoltInteger(v);
    if (typeof v === 'number') return Number.isInteger(v) ? BigInt(v) : v;
    if (typeof v === 'string' || typeof v === 'boolean') return v;
    if (v instanceof Date) return localDateTimeStruct(v);
    if (Buffer.isBuffer(v)) return bytesOf(v);
    if (Array.isArray(v)) return v.map((x) => this.generic(x));
    if ('_nodes' in v && '_rels' in v) return this.recursive(v);
    if ('_label' in v && '_id' in v) return ('_src' in v) ? this.rel(v) : this.node(v);
    if ('offset' in v && 'table' in v && Object.keys(v).length === 2) return BigInt(v.table) * TWO32 + BigInt(v.offset);
    const out = {};
    for (const k of Object.keys(v)) out[k] = this.generic(v[k]);
    return out;
  }

  // properties of a node/rel: the table's own, without kuzu's _id/_label/...,
  // and without nulls (Neo4j does not store null properties)
  props(label, v) {
    const table = this.engine.catalog.tables.get(label);
    const out = {};
    for (const k of Object.keys(v)) {
      if (k[0] === '_' && (k === '_id' || k === '_label' || k === '_src' || k === '_dst')) continue;
      const x = v[k];
      if (x === null || x === undefined) continue;
      let c = null;
      if (table && table.props.has(k)) {
        const key = label + '\u0000' + k;
        c = this.propConverters.get(key);
        if (!c) { c = this.converter(table.props.get(k)); this.propConverters.set(key, c); }
      }
      out[k] = c ? c(x) : this.generic(x);
    }
    return out;
  }

  node(v) {
    const label = v._label;
    const id = BigInt(v._id.table) * TWO32 + BigInt(v._id.offset);
    const fields = [id, label ? [label] : [], this.props(label, v)];
    if (this.proto.elementIds) fields.push(this.engine.elementId(4, label, v._id.offset));
    return new Structure(0x4e, fields);
  }

  relParts(v) {
    const id = BigInt(v._id.table) * TWO32 + BigInt(v._id.offset);
    return { id, type: v._label, props: this.props(v._label, v), eid: this.engine.elementId(5, v._label, v._id.offset) };
  }

  nodeRef(nid) {
    return {
      id: BigInt(nid.table) * TWO32 + BigInt(nid.offset),
      eid: this.engine.elementId(4, this.engine.catalog.nodeTableName(nid.table), nid.offset),
    };
  }

  rel(v) {
    const r = this.relParts(v);
    const s = this.nodeRef(v._src), e = this.nodeRef(v._dst);
    const fields = [r.id, s.id, e.id, r.type, r.props];
    if (this.proto.elementIds) fields.push(r.eid, s.eid, e.eid);
    return new Structure(0x52, fields);
  }

  // kuzu's RECURSIVE_REL: a path (all its nodes, ends included) or, for the
  // variable of a variable-length relationship, only the inner nodes: that
  // one becomes a list of relationships as in Neo4j.
  recursive(v) {
    const nodes = v._nodes || [], rels = v._rels || [];
    if (nodes.length !== rels.length + 1) return rels.map((r) => this.rel(r));
    const key = (id) => `${id.table}:${id.offset}`;
    const nodeIdx = new Map(), relIdx = new Map();
    const uNodes = [], uRels = [], indices = [];
    const addNode = (n) => {
      const k = key(n._id);
      if (!nodeIdx.has(k)) { nodeIdx.set(k, uNodes.length); uNodes.push(this.node(n)); }
      return nodeIdx.get(k);
    };
    addNode(nodes[0]);
    for (let i = 0; i < rels.length; i++) {
      const r = rels[i];
      const k = key(r._id);
      if (!relIdx.has(k)) {
        relIdx.set(k, uRels.length);
        const p = this.relParts(r);
        const f = [p.id, p.type, p.props];
        if (this.proto.elementIds) f.push(p.eid);
        uRels.push(new Structure(0x72, f));
      }
      const forward = key(r._src) === key(nodes[i]._id);
      const ri = relIdx.get(k) + 1;
      indices.push(BigInt(forward ? ri : -ri), BigInt(addNode(nodes[i + 1])));
    }
    return new Structure(0x50, [uNodes, uRels, indices]);
  }
}

// ------------------------------------------------------------------ values in

// Bolt parameter values become kuzu values. kuzu's Node API binds a JS
// number as INT64 when it is integral and as DOUBLE otherwise, a BigInt as
// INT128, a Date as DATE, an object as STRUCT and takes a list's type from
// its first element. Where that would give the wrong type, the value is sent
// as text (leaves as strings) and the query reads CAST($p AS <type>).

function pad(n, w = 2) { return String(n).padStart(w, '0'); }
function ymd(d) {
  const y = d.getUTCFullYear();
  const ys = y < 0 ? '-' + pad(-y, 4) : pad(y, 4);
  return `${ys}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}
function isoLocal(secs, nanos) {   // "YYYY-MM-DD HH:MM:SS.ffffff" from epoch seconds (UTC fields)
  const d = new Date(Number(secs) * 1000);
  const micros = pad(Math.floor(Number(nanos) / 1000), 6);
  return `${ymd(d)} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${micros}`;
}
// offset of an IANA zone at an instant, in seconds
function zoneOffset(zone, utcMillis) {
  const f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
  const p = Object.fromEntries(f.formatToParts(new Date(utcMillis)).map((x) => [x.type, x.value]));
  const asUtc = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second);
  return Math.round((asUtc - Math.floor(utcMillis / 1000) * 1000) / 1000);
}

function typeName(t) {
  switch (t.id) {
    case 'LIST': return typeName(t.child) + '[]';
    case 'STRUCT': return 'STRUCT(' + t.fields.map((f) => `${f.name} ${typeName(f.type)}`).join(', ') + ')';
    default: return t.id;
  }
}
function sameType(a, b) { return typeName(a) === typeName(b); }
function unify(a, b) {
  if (a.id === 'NULL') return b;
  if (b.id === 'NULL') return a;
  if (sameType(a, b)) return a;
  if ((a.id === 'INT64' && b.id === 'DOUBLE') || (a.id === 'DOUBLE' && b.id === 'INT64')) return { id: 'DOUBLE' };
  if (a.id === 'LIST' && b.id === 'LIST') return { id: 'LIST', child: unify(a.child, b.child) };
  if (a.id === 'STRUCT' && b.id === 'STRUCT') {
    const fields = a.fields.map((f) => ({ name: f.name, type: f.type }));
    for (const g of b.fields) {
      const f = fields.find((x) => x.name === g.name);
      if (f) f.type = unify(f.type, g.type); else fields.push({ name: g.name, type: g.type });
    }
    return { id: 'STRUCT', fields };
  }
  throw new Neo4jError('Neo.ClientError.Statement.TypeError',
    `This server's engine (kuzu) needs lists of one type; got ${typeName(a)} and ${typeName(b)} in one list parameter`);
}
const SIMPLE_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

// The kuzu type a Bolt value maps to; { id: 'NULL' } for null.
function inferType(v) {
  if (v === null || v === undefined) return { id: 'NULL' };
  if (typeof v === 'boolean') return { id: 'BOOL' };
  if (typeof v === 'bigint') return { id: 'INT64' };
  if (typeof v === 'number') return { id: 'DOUBLE' };
  if (typeof v === 'string') return { id: 'STRING' };
  if (v instanceof Int8Array) return { id: 'BLOB' };
  if (Array.isArray(v)) {
    let t = { id: 'NULL' };
    for (const x of v) t = unify(t, inferType(x));
    return { id: 'LIST', child: t };
  }
  if (v instanceof Structure) {
    switch (v.signature) {
      case 0x44: return { id: 'DATE' };
      case 0x64: return { id: 'TIMESTAMP' };
      case 0x49: case 0x46: case 0x69: case 0x66: return { id: 'TIMESTAMP_TZ' };
      case 0x45: return { id: 'INTERVAL' };
      case 0x54: case 0x74: return { id: 'STRING' };
      case 0x58: return { id: 'STRUCT', fields: [{ name: 'srid', type: { id: 'INT64' } }, { name: 'x', type: { id: 'DOUBLE' } }, { name: 'y', type: { id: 'DOUBLE' } }] };
      case 0x59: return { id: 'STRUCT', fields: ['srid', 'x', 'y', 'z'].map((n, k) => ({ name: n, type: { id: k ? 'DOUBLE' : 'INT64' } })) };
      default:
        throw new Neo4jError('Neo.ClientError.Statement.TypeError', `A structure with tag 0x${v.signature.toString(16)} cannot be a query parameter`);
    }
  }
  const keys = Object.keys(v);
  return { id: 'STRUCT', fields: keys.map((k) => ({ name: k, type: inferType(v[k]) })) };
}
// Types nothing decided (all nulls, empty lists) become STRING.
function settle(t) {
  if (t.id === 'NULL') return { id: 'STRING' };
  if (t.id === 'LIST') return { id: 'LIST', child: settle(t.child) };
  if (t.id === 'STRUCT') return { id: 'STRUCT', fields: t.fields.map((f) => ({ name: f.name, type: settle(f.type) })) };
  return t;
}

// Does kuzu's own binding of the natural JS value give exactly type t?
function natural(v, t) {
  if (v === null || v === undefined) return true;
  if (typeof v === 'boolean' || typeof v === 'string') return true;
  if (typeof v === 'bigint') return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) && t.id === 'INT64';
  if (typeof v === 'number') return t.id === 'DOUBLE' && Number.isFinite(v) && !Number.isInteger(v);
  if (Array.isArray(v)) {
    if (v.length === 0 || t.id !== 'LIST') return false;
    if (v[0] === null) return false;
    return v.every((x) => x !== null && natural(x, t.child) && sameType(inferType(x), t.child));
  }
  if (v instanceof Int8Array || v instanceof Structure) return false;
  const keys = Object.keys(v);
  if (keys.length === 0 || t.id !== 'STRUCT' || keys.length !== t.fields.length) return false;
  return t.fields.every((f, k) => keys[k] === f.name && natural(v[f.name], f.type));
}
function naturalValue(v) {
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) return v.map(naturalValue);
  if (v !== null && typeof v === 'object') {
    const o = {};
    for (const k of Object.keys(v)) o[k] = naturalValue(v[k]);
    return o;
  }
  return v;
}

// The value as text leaves, shaped like type t, for CAST($p AS t).
function castValue(v, t) {
  if (v === null || v === undefined) return null;
  switch (t.id) {
    case 'LIST': return v.map((x) => castValue(x, t.child));
    case 'STRUCT': {
      const o = {};
      for (const f of t.fields) o[f.name] = castValue(v instanceof Structure ? pointField(v, f.name) : v[f.name], f.type);
      return o;
    }
    default: return leafText(v, t);
  }
}
function pointField(s, name) { return s.fields[['srid', 'x', 'y', 'z'].indexOf(name)]; }
function leafText(v, t) {
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : String(v);
  if (typeof v === 'string') return v;
  if (v instanceof Int8Array) return Array.from(v, (b) => '\\x' + pad((b & 0xff).toString(16).toUpperCase())).join('');
  if (v instanceof Structure) {
    const f = v.fields;
    switch (v.signature) {
      case 0x44: return ymd(new Date(Number(f[0]) * MS_PER_DAY));
      case 0x64: return isoLocal(f[0], f[1]);
      case 0x49: return isoLocal(f[0], f[1]) + '+00:00';   // seconds are UTC
      case 0x46: return isoLocal(BigInt(f[0]) - BigInt(f[2]), f[1]) + '+00:00';   // legacy: local seconds
      case 0x69: return isoLocal(f[0], f[1]) + '+00:00';
      case 0x66: {   // legacy zone id: local seconds
        const local = Number(f[0]) * 1000;
        let off = zoneOffset(f[2], local);
        off = zoneOffset(f[2], local - off * 1000);
        return isoLocal(BigInt(f[0]) - BigInt(off), f[1]) + '+00:00';
      }
      case 0x45: return intervalText(f, true);
      case 0x54: {
        const ns = BigInt(f[0]), off = Number(f[1]);
        const sign = off < 0 ? '-' : '+';
        return timeText(ns) + sign + pad(Math.floor(Math.abs(off) / 3600)) + ':' + pad(Math.floor(Math.abs(off) % 3600 / 60));
      }
      case 0x74: return timeText(BigInt(f[0]));
      default: break;
    }
  }
  throw new Neo4jError('Neo.ClientError.Statement.TypeError', `cannot pass ${typeName(t)} value to the engine`);
}
function timeText(ns) {
  const s = ns / 1000000000n, frac = ns % 1000000000n;
  return `${pad(s / 3600n)}:${pad((s / 60n) % 60n)}:${pad(s % 60n)}.${pad(frac, 9)}`;
}
// kuzu parses no negative intervals; `positive` selects the positive or the
// negated negative parts of a Duration(months, days, seconds, nanos).
function durationParts(f) {
  const months = BigInt(f[0]), days = BigInt(f[1]);
  const micros = BigInt(f[2]) * 1000000n + BigInt(f[3]) / 1000n;
  return { months, days, micros };
}
function intervalText(f, positive) {
  const p = durationParts(f);
  const pick = (x) => (positive ? (x > 0n ? x : 0n) : (x < 0n ? -x : 0n));
  return `${pick(p.months)} months ${pick(p.days)} days ${pick(p.micros)} microseconds`;
}
function hasNegative(f) {
  const p = durationParts(f);
  return p.months < 0n || p.days < 0n || p.micros < 0n;
}

// Turns one parameter into { value, text } : `value` goes to kuzu, `text`
// (if not undefined) replaces $name in the query.
function bindParam(name, v) {
  const raw = inferType(v);
  const ref = '$' + (SIMPLE_KEY.test(name) ? name : '`' + name + '`');
  if (raw.id === 'NULL') return { value: null };
  if (Array.isArray(v) && v.length === 0) return { value: null, text: '[]', inline: true };
  const t = settle(raw);
  if (t.id === 'STRUCT' && t.fields.length === 0) return { value: null };   // kuzu has no empty map
  checkKeys(t);
  // kuzu's binding of a null inside a list or map (also a key missing from
  // one map of a list) gives an untyped value that fails or even crashes the
  // engine: such values are written into the query as typed literals instead
  if (hasInnerNull(castValue(v, t))) return { value: null, text: '(' + literal(v, t) + ')', inline: true };
  if (natural(v, t)) return { value: naturalValue(v) };
  if (t.id === 'INTERVAL' && hasNegative(v.fields)) {
    const neg = intervalText(v.fields, false);
    return { value: intervalText(v.fields, true), text: `(CAST(${ref} AS INTERVAL) - CAST(${cypher.kuzuString(neg)} AS INTERVAL))` };
  }
  return { value: castValue(v, t), text: `CAST(${ref} AS ${typeName(t)})` };
}
// (the Node API also binds an empty list or map as an untyped null)
function hasInnerNull(v, inner = false) {
  if (v === null || v === undefined) return inner;
  if (Array.isArray(v)) return (inner && v.length === 0) || v.some((x) => hasInnerNull(x, true));
  if (typeof v === 'object' && !(v instanceof Structure) && !(v instanceof Int8Array)) {
    const keys = Object.keys(v);
    return (inner && keys.length === 0) || keys.some((k) => hasInnerNull(v[k], true));
  }
  return false;
}
// A kuzu literal of type t holding v (typed nulls, typed empty lists).
function literal(v, t) {
  if (t.id === 'STRUCT') {
    if (t.fields.length === 0) return 'NULL';
    if (v === null || v === undefined) return `CAST(NULL AS ${typeName(t)})`;
    return '{' + t.fields.map((f) => `${f.name}: ${literal(v instanceof Structure ? pointField(v, f.name) : v[f.name], f.type)}`).join(', ') + '}';
  }
  if (t.id === 'LIST') {
    if (v === null || v === undefined) return `CAST(NULL AS ${typeName(t)})`;
    if (v.length === 0) return `CAST([] AS ${typeName(t)})`;
    return '[' + v.map((x) => literal(x, t.child)).join(', ') + ']';
  }
  if (v === null || v === undefined) return `CAST(NULL AS ${typeName(t)})`;
  if (t.id === 'STRING' && typeof v === 'string') return cypher.kuzuString(v);
  if (t.id === 'BOOL') return v ? 'true' : 'false';
  if (t.id === 'INTERVAL' && hasNegative(v.fields)) {
    return `(CAST(${cypher.kuzuString(intervalText(v.fields, true))} AS INTERVAL) - CAST(${cypher.kuzuString(intervalText(v.fields, false))} AS INTERVAL))`;
  }
  return `CAST(${cypher.kuzuString(leafText(v, t))} AS ${t.id})`;
}
function checkKeys(t) {
  if (t.id === 'LIST') return checkKeys(t.child);
  if (t.id !== 'STRUCT') return;
  for (const f of t.fields) {
    if (!SIMPLE_KEY.test(f.name)) {
      throw new Neo4jError('Neo.ClientError.Statement.TypeError',
        `This server's engine (kuzu) cannot take the map key '${f.name}' in this parameter (keys must be plain names when the map needs a cast)`);
    }
    checkKeys(f.type);
  }
}

// ------------------------------------------------------------------ errors

function mapError(e) {
  if (e instanceof Neo4jError) return e;
  const msg = String(e && e.message || e);
  const body = msg.replace(/^[A-Za-z ]+ exception: /, '');
  let code = 'Neo.DatabaseError.General.UnknownError';
  if (/^Parser exception/.test(msg)) code = 'Neo.ClientError.Statement.SyntaxError';
  else if (/^Catalog exception: function .* does not exist/i.test(msg)) code = 'Neo.ClientError.Statement.SyntaxError';
  else if (/^Binder exception: Variable .* is not in scope/i.test(msg)) code = 'Neo.ClientError.Statement.SyntaxError';
  else if (/^(Binder|Catalog) exception/.test(msg)) code = 'Neo.ClientError.Statement.SemanticError';
  else if (/(Divide|Modulo) by zero|^Overflow exception|out of range|not within INT/i.test(msg)) code = 'Neo.ClientError.Statement.ArithmeticError';
  else if (/^Conversion exception/.test(msg)) code = 'Neo.ClientError.Statement.ArgumentError';
  else if (/duplicated primary key|violates the primary key|non-null constraint/i.test(msg)) code = 'Neo.ClientError.Schema.ConstraintValidationFailed';
  else if (/read-only transaction/i.test(msg)) code = 'Neo.ClientError.Statement.AccessMode';
  else if (/^Interrupted|interrupted|timeout/i.test(msg)) code = 'Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration';
  else if (/Only one write transaction/i.test(msg)) code = 'Neo.TransientError.Transaction.LockClientStopped';
  const err = new Neo4jError(code, code === 'Neo.ClientError.Statement.SyntaxError' || code.startsWith('Neo.DatabaseError') ? msg : body || msg);
  err.kuzuMessage = msg;
  return err;
}

// ------------------------------------------------------------------ write lock

// kuzu allows one write transaction at a time and a failed BEGIN can leave a
// kuzu connection broken, so writers queue here first.
class WriteLock {
  constructor() { this.holder = null; this.waiters = []; }
  acquire(owner, timeoutMs) {
    if (this.holder === null || this.holder === owner) { this.holder = owner; return Promise.resolve(); }
    return new Promise((resolve, reject) => {
      const w = { owner, resolve, reject };
      w.timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        reject(new Neo4jError('Neo.TransientError.Transaction.LockAcquisitionTimeout',
          `Waited ${timeoutMs} ms for another connection's write transaction to finish (the engine allows one writer at a time)`));
      }, timeoutMs);
      this.waiters.push(w);
    });
  }
  release(owner) {
    if (this.holder !== owner) return;
    this.holder = null;
    const w = this.waiters.shift();
    if (w) { clearTimeout(w.timer); this.holder = w.owner; w.resolve(); }
  }
}

// ------------------------------------------------------------------ results

class ArrayResult {
  constructor(fields, rows) { this.fields = fields; this.rows = rows; this.i = 0; }
  hasNext() { return this.i < this.rows.length; }
  next() { return this.rows[this.i++]; }
  close() { this.rows = []; }
}

class KuzuResult {
  constructor(qr, mapper) {
    this.qr = qr;
    const names = qr.getColumnNamesSync();
    const types = qr.getColumnDataTypesSync();
    this.names = names;
    this.converters = types.map((t) => mapper.converter(parseType(t)));
  }
  hasNext() { return this.qr !== null && this.qr.hasNext(); }
  next() {
    const row = this.qr.getNextSync();
    const out = new Array(this.names.length);
    for (let k = 0; k < this.names.length; k++) out[k] = this.converters[k](row[this.names[k]]);
    return out;
  }
  close() { if (this.qr) { try { this.qr.close(); } catch (e) { /* already closed */ } this.qr = null; } }
}

// ------------------------------------------------------------------ engine

class Catalog {
  constructor() { this.tables = new Map(); this.nodeById = new Map(); this.relLabels = []; this.nodeLabels = []; }
  nodeTableName(id) { return this.nodeById.get(id) || String(id); }
}

class Engine {
  constructor({ graph = 'movies', lockTimeoutMs = 30000 } = {}) {
    this.graph = graph;
    this.lockTimeoutMs = lockTimeoutMs;
    this.db = null;
    this.pool = [];
    this.catalog = new Catalog();
    this.lock = new WriteLock();
    this.bookmarkCounter = 0;
  }

  async init() {
    this.db = new kuzu.Database(':memory:');
    await this.db.init();
    this.admin = await this.connection();
  }

  async connection() {
    if (this.pool.length) return this.pool.pop();
    const c = new kuzu.Connection(this.db);
    await c.init();
    return c;
  }
  release(c) { this.pool.push(c); }

  nextBookmark() { return `FB:graphserver:${++this.bookmarkCounter}`; }

  elementId(kind, label, offset) { return `${kind}:${this.graph}:${label}:${offset}`; }

  async exec(conn, text, params) {
    const ps = await conn.prepare(text);
    if (!ps.isSuccess()) throw mapError(new Error(ps.getErrorMessage()));
    let r;
    try {
      r = await conn.execute(ps, params || {});
    } catch (e) {
      throw mapError(e);
    }
    if (Array.isArray(r)) {
      for (let k = 0; k < r.length - 1; k++) r[k].close();
      r = r[r.length - 1];
    }
    return r;
  }

  async all(conn, text, params) {
    const r = await this.exec(conn, text, params);
    const rows = [];
    while (r.hasNext()) rows.push(r.getNextSync());
    r.close();
    return rows;
  }

  async refreshCatalog() {
    const c = new Catalog();
    const tables = await this.all(this.admin, 'CALL show_tables() RETURN *');
    for (const t of tables) {
      const info = await this.all(this.admin, `CALL table_info(${cypher.kuzuString(t.name)}) RETURN *`);
      const props = new Map(info.map((p) => [p.name, parseType(p.type)]));
      const pk = info.filter((p) => p['primary key'] === true).map((p) => p.name);
      c.tables.set(t.name, { name: t.name, id: Number(t.id), kind: t.type, props, propTypes: new Map(info.map((p) => [p.name, p.type])), pk });
      if (t.type === 'NODE') { c.nodeById.set(Number(t.id), t.name); c.nodeLabels.push(t.name); }
      else if (t.type === 'REL') c.relLabels.push(t.name);
    }
    this.catalog = c;
  }

  async load(statements) {
    for (const s of statements) await this.all(this.admin, s);
    await this.refreshCatalog();
  }

  // Prepares a Neo4j query: procedures, parameters, rewrites.
  plan(query, params) {
    const call = cypher.parseStandaloneCall(query);
    if (call && PROCEDURES[call.name.toLowerCase()]) return { call };
    const bound = new Map();
    const rw = cypher.rewrite(query, {
      graph: this.graph,
      relLabels: this.catalog.relLabels,
      paramText: (name) => {
        if (!(name in params)) return undefined;
        if (!bound.has(name)) bound.set(name, bindParam(name, params[name]));
        return bound.get(name).text;
      },
    });
    const missing = rw.params.filter((p) => !(p in params));
    if (missing.length) {
      throw new Neo4jError('Neo.ClientError.Statement.ParameterMissing', `Expected parameter(s): ${missing.join(', ')}`);
    }
    const values = {};
    for (const p of rw.params) if (!bound.get(p).inline) values[p] = bound.get(p).value;
    return { rw, values };
  }

  // Runs a query on a session's kuzu connection. Returns a result object with
  // fields, hasNext/next/close, kind.
  async run(session, query, params, { mode = 'w', inTx = false, timeoutMs = 0 } = {}) {
    const plan = this.plan(query, params);
    if (plan.call) return this.procedure(plan.call, session);
    const { rw, values } = plan;
    const conn = session.conn;
    conn.setQueryTimeout(timeoutMs > 0 ? timeoutMs : 2147483647);
    const readOnly = !inTx && mode === 'r';
    const needsLock = !inTx && !readOnly && rw.kind !== 'r';
    if (needsLock) await this.lock.acquire(session, this.lockTimeoutMs);
    let qr;
    try {
      if (readOnly) await this.all(conn, 'BEGIN TRANSACTION READ ONLY');
      try {
        qr = await this.exec(conn, rw.text, values);
      } finally {
        if (readOnly) await this.all(conn, qr ? 'COMMIT' : 'ROLLBACK').catch(() => {});
      }
    } catch (e) {
      const err = mapError(e);
      if (err.code === 'Neo.ClientError.Statement.AccessMode') {
        err.message = `Writing in read access mode not allowed. Attempted write to database '${session.db || 'neo4j'}' (${err.message})`;
      }
      throw err;
    } finally {
      if (needsLock) this.lock.release(session);
    }
    if (rw.kind === 's' && !inTx) await this.refreshCatalog();   // in a transaction: after COMMIT
    const res = new KuzuResult(qr, session.mapper);
    res.fields = res.names.map((n) => {
      const m = /^__gs_c(\d+)$/.exec(n);
      if (m && rw.columns[Number(m[1])] != null) return rw.columns[Number(m[1])];
      return n;
    });
    res.kind = rw.kind;
    res.applied = rw.applied;
    res.kuzuText = rw.text;
    return res;
  }

  async begin(session, mode) {
    if (mode !== 'r') await this.lock.acquire(session, this.lockTimeoutMs);
    try {
      await this.all(session.conn, mode === 'r' ? 'BEGIN TRANSACTION READ ONLY' : 'BEGIN TRANSACTION');
    } catch (e) {
      this.lock.release(session);
      throw mapError(e);
    }
  }
  async commit(session) {
    try { await this.all(session.conn, 'COMMIT'); } finally { this.lock.release(session); }
  }
  async rollback(session) {
    try { await this.all(session.conn, 'ROLLBACK'); } catch (e) { /* kuzu rolls back on some errors itself */ } finally { this.lock.release(session); }
  }

  async procedure(call, session) {
    const proc = PROCEDURES[call.name.toLowerCase()];
    const { fields, rows } = await proc(this, session);
    let outFields = fields, outRows = rows;
    if (call.yields) {
      const idx = call.yields.map((y) => {
        const k = fields.indexOf(y);
        if (k < 0) throw new Neo4jError('Neo.ClientError.Statement.SyntaxError', `Unknown procedure output: \`${y}\``);
        return k;
      });
      outFields = call.yields;
      outRows = rows.map((r) => idx.map((k) => r[k]));
    }
    const res = new ArrayResult(outFields, outRows);
    res.kind = 'r';
    res.applied = ['procedure ' + call.name];
    res.kuzuText = null;
    return res;
  }
}

// Neo4j type names for db.schema.*
function neo4jTypeName(t) {
  const base = {
    INT8: 'Long', INT16: 'Long', INT32: 'Long', INT64: 'Long', INT128: 'Long', SERIAL: 'Long',
    UINT8: 'Long', UINT16: 'Long', UINT32: 'Long', UINT64: 'Long',
    FLOAT: 'Double', DOUBLE: 'Double', DECIMAL: 'Double', STRING: 'String', UUID: 'String', BOOL: 'Boolean',
    DATE: 'Date', TIMESTAMP: 'LocalDateTime', TIMESTAMP_NS: 'LocalDateTime', TIMESTAMP_MS: 'LocalDateTime',
    TIMESTAMP_SEC: 'LocalDateTime', TIMESTAMP_TZ: 'DateTime', INTERVAL: 'Duration', BLOB: 'ByteArray',
  };
  if (t.id === 'LIST' || t.id === 'ARRAY') return (base[t.child.id] || 'Any') + 'Array';
  return base[t.id] || 'Map';
}
const bq = (s) => '`' + s.replace(/`/g, '``') + '`';

async function schemaRows(engine, kind) {
  const rows = [];
  const labels = kind === 'NODE' ? engine.catalog.nodeLabels : engine.catalog.relLabels;
  for (const l of labels) {
    const t = engine.catalog.tables.get(l);
    const props = [...t.props.entries()];
    if (props.length === 0) { rows.push({ l, name: null, types: null, mandatory: false }); continue; }
    for (const [name, type] of props) {
      const pat = kind === 'NODE' ? `(n:${bq(l)})` : `()-[n:${bq(l)}]->()`;
      const r = await engine.all(engine.admin, `MATCH ${pat} RETURN count(*) AS total, count(n.${bq(name)}) AS present`);
      const total = Number(r[0].total), present = Number(r[0].present);
      rows.push({ l, name, types: [neo4jTypeName(type)], mandatory: total > 0 && present === total });
    }
  }
  return rows;
}

// Built-in procedures, answered from the catalog (standalone CALL only).
const PROCEDURES = {
  'db.labels': async (e) => ({ fields: ['label'], rows: e.catalog.nodeLabels.map((l) => [l]) }),
  'db.relationshiptypes': async (e) => ({ fields: ['relationshipType'], rows: e.catalog.relLabels.map((l) => [l]) }),
  'db.propertykeys': async (e) => {
    const keys = new Set();
    for (const t of e.catalog.tables.values()) for (const k of t.props.keys()) keys.add(k);
    return { fields: ['propertyKey'], rows: [...keys].map((k) => [k]) };
  },
  'db.schema.nodetypeproperties': async (e) => ({
    fields: ['nodeType', 'nodeLabels', 'propertyName', 'propertyTypes', 'mandatory'],
    rows: (await schemaRows(e, 'NODE')).map((r) => [':' + bq(r.l), [r.l], r.name, r.types, r.mandatory]),
  }),
  'db.schema.reltypeproperties': async (e) => ({
    fields: ['relType', 'propertyName', 'propertyTypes', 'mandatory'],
    rows: (await schemaRows(e, 'REL')).map((r) => [':' + bq(r.l), r.name, r.types, r.mandatory]),
  }),
  'dbms.components': async () => ({
    fields: ['name', 'versions', 'edition'],
    rows: [['Neo4j Kernel', ['5.26.0'], 'community']],
  }),
};

module.exports = { Engine, Neo4jError, ValueMapper, parseType, bindParam, mapError, inferType, typeName, PROCEDURES };
