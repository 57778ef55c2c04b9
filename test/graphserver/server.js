#!/usr/bin/env node
'use strict';
// Local graph server: speaks Bolt (4.4, 5.0-5.8) on a TCP port, runs real
// Cypher on an embedded graph engine (kuzu, in memory) and packs every reply
// with the official Neo4j JavaScript driver's PackStream code. A test and demo
// tool for neo4j_fdw; see README.md.
//
//   node test/graphserver/server.js [--listen 127.0.0.1:0] [--user neo4j]
//       [--password secret] [--dataset movies|none] [--log FILE] [--verbose]
//
// Prints "listening on HOST:PORT" once the dataset is loaded; runs until
// SIGTERM/SIGINT.

const net = require('net');
const fs = require('fs');
const { packMessage, chunkMessage, Dechunker, unpackMessage, Structure } = require('./lib/bolt-io');
const { Engine, Neo4jError, ValueMapper, mapError } = require('./lib/engine');
const movies = require('./lib/movies');
const { BenchRows, BLOCK: BENCH_BLOCK } = require('./lib/bench-rows');

// This server is an emulation: it announces itself as Neo4j 5.26 because
// drivers and the FDW look at the agent string; nothing here is Neo4j code.
const SERVER_AGENT = 'Neo4j/5.26.0';

// ------------------------------------------------------------------ options

const USAGE = `usage: node server.js [options]
  --listen HOST:PORT   address to listen on (default 127.0.0.1:7687; port 0 = any free port)
  --user NAME          user for basic auth (default neo4j)
  --password SECRET    password for basic auth; without it any auth token is accepted
  --dataset NAME       movies (default) or none
  --log FILE           append a C:/S: trace of every connection to FILE
  --verbose            the same trace, plus connection events, on stderr
  --bolt LIST          Bolt versions to offer, e.g. "4.4,5.0-5.4" (default 4.4,5.0-5.4,5.6-5.8)
  --no-manifest        ignore handshake manifest offers (00 00 01 FF)
  --max-chunk N        split replies into chunks of at most N bytes (default 65535)
  --noops              send a NOOP chunk before every reply batch
  --lock-timeout MS    how long a writer waits for another connection's write transaction (default 30000)
  --bench-rows N       serve the virtual label BenchRow of N rows, pre-encoded (see lib/bench-rows.js)`;

function parseArgs(argv) {
  const o = {
    host: '127.0.0.1', port: 7687, user: 'neo4j', password: null, dataset: 'movies', log: null,
    verbose: false, versions: null, manifest: true, maxChunk: 0xffff, noops: false, lockTimeout: 30000,
    benchRows: null,
  };
  const need = (i) => { if (i + 1 >= argv.length) fail(`${argv[i]} needs a value`); return argv[i + 1]; };
  function fail(msg) { process.stderr.write(`${msg}\n${USAGE}\n`); process.exit(2); }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    switch (a) {
      case '--listen': {
        const v = need(i++);
        const m = /^\[?([^\]]*?)\]?:(\d+)$/.exec(v);
        if (!m) fail(`bad --listen ${v}`);
        o.host = m[1] || '127.0.0.1'; o.port = Number(m[2]);
        break;
      }
      case '--user': o.user = need(i++); break;
      case '--password': o.password = need(i++); break;
      case '--dataset': o.dataset = need(i++); break;
      case '--log': o.log = need(i++); break;
      case '--verbose': o.verbose = true; break;
      case '--bolt': o.versions = parseVersions(need(i++)); if (!o.versions) fail('bad --bolt list'); break;
      case '--no-manifest': o.manifest = false; break;
      case '--max-chunk': o.maxChunk = Number(need(i++)); if (!(o.maxChunk >= 1 && o.maxChunk <= 0xffff)) fail('bad --max-chunk'); break;
      case '--noops': o.noops = true; break;
      case '--lock-timeout': o.lockTimeout = Number(need(i++)); break;
      case '--bench-rows': o.benchRows = Number(need(i++)); if (!(Number.isInteger(o.benchRows) && o.benchRows >= 0 && o.benchRows < 2 ** 31)) fail('bad --bench-rows'); break;
      case '-h': case '--help': process.stdout.write(USAGE + '\n'); process.exit(0); break;
      default: fail(`unknown option ${a}`);
    }
  }
  if (!['movies', 'none'].includes(o.dataset)) fail(`unknown dataset ${o.dataset}`);
  return o;
}

// The versions a Neo4j 5.26 server offers (5.5 was never released).
const ALL_VERSIONS = [[5, 8], [5, 7], [5, 6], [5, 4], [5, 3], [5, 2], [5, 1], [5, 0], [4, 4]];
function parseVersions(text) {
  const out = [];
  for (const part of text.split(',')) {
    const m = /^\s*(\d+)\.(\d+)(?:\s*-\s*(\d+)\.(\d+))?\s*$/.exec(part);
    if (!m) return null;
    const a = [Number(m[1]), Number(m[2])], b = m[3] ? [Number(m[3]), Number(m[4])] : a;
    if (a[0] !== b[0]) return null;
    for (let minor = Math.min(a[1], b[1]); minor <= Math.max(a[1], b[1]); minor++) {
      if (ALL_VERSIONS.some(([x, y]) => x === a[0] && y === minor)) out.push([a[0], minor]);
    }
  }
  out.sort((x, y) => (y[0] - x[0]) || (y[1] - x[1]));
  return out.length ? out : null;
}

// ------------------------------------------------------------------ trace log

const TAGS = {
  0x4e: 'Node', 0x52: 'Relationship', 0x72: 'UnboundRelationship', 0x50: 'Path', 0x44: 'Date', 0x54: 'Time',
  0x74: 'LocalTime', 0x49: 'DateTime', 0x46: 'DateTime(legacy)', 0x69: 'DateTimeZoneId', 0x66: 'DateTimeZoneId(legacy)',
  0x64: 'LocalDateTime', 0x45: 'Duration', 0x58: 'Point2D', 0x59: 'Point3D',
};
const MESSAGES = {
  0x01: 'HELLO', 0x02: 'GOODBYE', 0x0f: 'RESET', 0x10: 'RUN', 0x11: 'BEGIN', 0x12: 'COMMIT', 0x13: 'ROLLBACK',
  0x2f: 'DISCARD', 0x3f: 'PULL', 0x54: 'TELEMETRY', 0x66: 'ROUTE', 0x6a: 'LOGON', 0x6b: 'LOGOFF',
  0x70: 'SUCCESS', 0x71: 'RECORD', 0x7e: 'IGNORED', 0x7f: 'FAILURE',
};
function fmt(v, depth = 0) {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return Number.isInteger(v) ? v.toFixed(1) : String(v);
  if (typeof v === 'string') return JSON.stringify(v.length > 300 ? v.slice(0, 300) + '…' : v);
  if (typeof v === 'boolean') return String(v);
  if (v instanceof Int8Array) return '#' + Buffer.from(v.buffer, v.byteOffset, v.length).toString('hex').slice(0, 64);
  if (depth > 6) return '…';
  if (Array.isArray(v)) return '[' + v.slice(0, 50).map((x) => fmt(x, depth + 1)).join(', ') + (v.length > 50 ? ', …' : '') + ']';
  if (v instanceof Structure) return (TAGS[v.signature] || 'Struct0x' + v.signature.toString(16)) + '(' + v.fields.map((x) => fmt(x, depth + 1)).join(', ') + ')';
  return '{' + Object.keys(v).map((k) => `${k}: ${fmt(v[k], depth + 1)}`).join(', ') + '}';
}
function maskAuth(m) {
  if (!m || typeof m !== 'object' || !('credentials' in m)) return m;
  return Object.assign({}, m, { credentials: '*******' });
}

class Logger {
  constructor(file, verbose) {
    this.fd = file ? fs.openSync(file, 'a') : null;
    this.verbose = verbose;
  }
  get on() { return this.fd !== null || this.verbose; }
  line(who, text) {
    if (!this.on) return;
    const l = `${new Date().toISOString()} [${who}] ${text}\n`;
    if (this.fd !== null) fs.writeSync(this.fd, l);
    if (this.verbose) process.stderr.write(l);
  }
}

// ------------------------------------------------------------------ errors

// GQL statuses for Bolt 5.7+ FAILUREs (approximations of Neo4j's)
const GQL = {
  'Neo.ClientError.Statement.SyntaxError': ['42001', 'error: syntax error or access rule violation - invalid syntax'],
  'Neo.ClientError.Statement.SemanticError': ['42N00', 'error: syntax error or access rule violation'],
  'Neo.ClientError.Statement.ArithmeticError': ['22000', 'error: data exception'],
  'Neo.ClientError.Statement.ArgumentError': ['22000', 'error: data exception'],
  'Neo.ClientError.Statement.TypeError': ['22G03', 'error: data exception - invalid value type'],
  'Neo.ClientError.Statement.ParameterMissing': ['42N51', 'error: syntax error or access rule violation - invalid parameter'],
  'Neo.ClientError.Statement.AccessMode': ['08N03', 'error: connection exception - failed to write to graph'],
  'Neo.ClientError.Database.DatabaseNotFound': ['22N51', 'error: data exception - graph reference not found'],
  'Neo.ClientError.Security.Unauthorized': ['42NFF', 'error: syntax error or access rule violation - permission/access denied'],
  'Neo.ClientError.Request.Invalid': ['08N06', 'error: connection exception - protocol error'],
  'Neo.ClientError.Schema.ConstraintValidationFailed': ['22N41', 'error: data exception'],
};
function classification(code) {
  return code.startsWith('Neo.ClientError') ? 'CLIENT_ERROR' : code.startsWith('Neo.TransientError') ? 'TRANSIENT_ERROR' : 'DATABASE_ERROR';
}

// ------------------------------------------------------------------ a connection

const SIG = { HELLO: 0x01, GOODBYE: 0x02, RESET: 0x0f, RUN: 0x10, BEGIN: 0x11, COMMIT: 0x12, ROLLBACK: 0x13,
  DISCARD: 0x2f, PULL: 0x3f, TELEMETRY: 0x54, ROUTE: 0x66, LOGON: 0x6a, LOGOFF: 0x6b,
  SUCCESS: 0x70, RECORD: 0x71, IGNORED: 0x7e, FAILURE: 0x7f };

let connectionCounter = 0;

class BoltConnection {
  constructor(server, socket) {
    this.server = server;
    this.opts = server.opts;
    this.engine = server.engine;
    this.log = server.log;
    this.socket = socket;
    this.id = `bolt-${++connectionCounter}`;
    this.phase = 'handshake';    // handshake | manifest | bolt | closed
    this.inbuf = Buffer.alloc(0);
    this.version = null;         // [major, minor]
    this.viaManifest = false;
    this.state = 'NEGOTIATION';
    this.queue = [];
    this.pendingResets = 0;
    this.pumping = false;
    this.out = [];
    this.outBytes = 0;
    this.kconn = null;
    this.tx = null;
    this.stream = null;          // auto-commit result
    this.utc = false;
    this.session = null;
    this.dechunker = new Dechunker((m) => this.onMessage(m));
    socket.setNoDelay(true);
    socket.on('data', (d) => this.onData(d));
    socket.on('error', (e) => this.trace(`socket error: ${e.message}`));
    socket.on('close', () => this.onClose());
    this.trace(`connection from ${socket.remoteAddress}:${socket.remotePort}`);
  }

  trace(text) { this.log.line(this.id, text); }
  get v5() { return this.version[0] >= 5; }
  atLeast(major, minor) { return this.version[0] > major || (this.version[0] === major && this.version[1] >= minor); }

  // ---------------------------------------------------------------- bytes in

  onData(d) {
    if (this.phase === 'closed') return;
    try {
      if (this.phase === 'bolt') { this.dechunker.push(d); return; }
      this.inbuf = Buffer.concat([this.inbuf, d]);
      if (this.phase === 'handshake') this.handshake();
      if (this.phase === 'manifest') this.manifestChoice();
      if (this.phase === 'bolt' && this.inbuf.length) {
        const rest = this.inbuf;
        this.inbuf = Buffer.alloc(0);
        this.dechunker.push(rest);
      }
    } catch (e) {
      this.trace(`protocol error: ${e.message}`);
      this.close();
    }
  }

  handshake() {
    if (this.inbuf.length < 20) return;
    const hs = this.inbuf.subarray(0, 20);
    this.inbuf = this.inbuf.subarray(20);
    this.trace(`C: <handshake> ${hs.toString('hex').replace(/(.{8})/g, '$1 ').trim()}`);
    if (hs.readUInt32BE(0) !== 0x6060b017) {
      this.trace('S: <close> (not a Bolt client)');
      return this.close();
    }
    const supported = this.server.versions;
    for (let k = 0; k < 4; k++) {
      const v = hs.readUInt32BE(4 + 4 * k);
      if (v === 0) continue;
      if (v === 0x000001ff) {
        if (!this.opts.manifest) continue;
        return this.sendManifest();
      }
      const major = v & 0xff, minor = (v >> 8) & 0xff, range = (v >> 16) & 0xff;
      const hit = supported.find(([a, b]) => a === major && b <= minor && b >= minor - range);
      if (hit) {
        this.version = hit;
        this.socket.write(Buffer.from([0, 0, hit[1], hit[0]]));
        this.trace(`S: <version> ${hit[0]}.${hit[1]}`);
        this.phase = 'bolt';
        return;
      }
    }
    this.socket.write(Buffer.from([0, 0, 0, 0]));
    this.trace('S: <version> none, closing');
    this.close();
  }

  sendManifest() {
    // ranges of consecutive minors, highest first
    const ranges = [];
    for (const [major, minor] of this.server.versions) {
      const last = ranges[ranges.length - 1];
      if (last && last.major === major && last.low - 1 === minor) last.low = minor;
      else ranges.push({ major, high: minor, low: minor });
    }
    const bytes = [0, 0, 1, 0xff, ...varint(ranges.length)];
    for (const r of ranges) bytes.push(0, r.high - r.low, r.high, r.major);
    bytes.push(...varint(0));   // no capabilities
    this.socket.write(Buffer.from(bytes));
    this.trace(`S: <manifest v1> ${ranges.map((r) => r.low === r.high ? `${r.major}.${r.high}` : `${r.major}.${r.low}-${r.major}.${r.high}`).join(', ')}, capabilities 0`);
    this.phase = 'manifest';
  }

  manifestChoice() {
    if (this.inbuf.length < 5) return;
    let end = 4;
    while (end < this.inbuf.length && (this.inbuf[end] & 0x80)) end++;
    if (end >= this.inbuf.length) return;   // varint not complete yet
    const v = this.inbuf.readUInt32BE(0);
    const caps = readVarint(this.inbuf.subarray(4, end + 1));
    this.inbuf = this.inbuf.subarray(end + 1);
    const major = v & 0xff, minor = (v >> 8) & 0xff;
    this.trace(`C: <manifest choice> ${major}.${minor}, capabilities ${caps}`);
    const hit = this.server.versions.find(([a, b]) => a === major && b === minor);
    if (!hit || (v >>> 16) !== 0) {
      this.trace('S: <close> (version not offered)');
      return this.close();
    }
    this.version = hit;
    this.viaManifest = true;
    this.phase = 'bolt';
  }

  onMessage(body) {
    let msg;
    try {
      msg = unpackMessage(body);
    } catch (e) {
      this.trace(`C: <undecodable message ${body.length} bytes: ${e.message}>`);
      this.failAndClose('Neo.ClientError.Request.InvalidFormat', `Unable to read a Bolt message: ${e.message}`);
      return;
    }
    if (msg.signature === SIG.RESET) this.pendingResets++;
    this.queue.push(msg);
    this.pump();
  }

  async pump() {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.queue.length && this.phase !== 'closed') {
        const msg = this.queue.shift();
        try {
          await this.handle(msg);
        } catch (e) {
          const err = e instanceof Neo4jError ? e : mapError(e);
          if (!(e instanceof Neo4jError)) this.trace(`internal error: ${e && e.stack || e}`);
          this.failure(err.code, err.message);
        }
        await this.flush();
      }
    } finally {
      this.pumping = false;
    }
    if (this.phase === 'closed') await this.cleanup();
  }

  // ---------------------------------------------------------------- bytes out

  send(signature, fields) {
    const body = packMessage(signature, fields);
    for (const part of chunkMessage(body, this.opts.maxChunk)) { this.out.push(part); this.outBytes += part.length; }
  }
  async flush() {
    if (!this.out.length || this.phase === 'closed') { this.out = []; this.outBytes = 0; return; }
    if (this.opts.noops) this.out.unshift(Buffer.from([0, 0]));
    const data = Buffer.concat(this.out);
    this.out = []; this.outBytes = 0;
    if (!this.socket.write(data)) {
      await new Promise((resolve) => {
        const done = () => { this.socket.off('drain', done); this.socket.off('close', done); resolve(); };
        this.socket.on('drain', done);
        this.socket.on('close', done);
      });
    }
  }

  success(meta = {}, before = '') {
    this.send(SIG.SUCCESS, [meta]);
    this.trace(`S: ${before}SUCCESS ${fmt(meta)}`);
  }
  ignored() {
    this.send(SIG.IGNORED, []);
    this.trace('S: IGNORED');
  }
  failure(code, message) {
    let meta;
    if (this.version && this.atLeast(5, 7)) {
      const [gql, desc] = GQL[code] || ['50N42', 'error: general processing exception - unexpected error'];
      meta = {
        neo4j_code: code, message, gql_status: gql, description: `${desc}. ${message}`,
        diagnostic_record: { OPERATION: '', OPERATION_CODE: '0', CURRENT_SCHEMA: '/', _classification: classification(code) },
      };
    } else {
      meta = { code, message };
    }
    this.send(SIG.FAILURE, [meta]);
    this.trace(`S: FAILURE ${fmt(meta)}`);
    if (this.state !== 'NEGOTIATION' && this.state !== 'AUTHENTICATION') this.state = 'FAILED';
  }
  failAndClose(code, message) {
    if (this.version) this.failure(code, message);
    this.flush().then(() => this.close());
  }
  invalid(name) {
    this.failure('Neo.ClientError.Request.Invalid', `Message '${name}' cannot be handled by a session in the ${this.state} state.`);
  }

  close() {
    if (this.phase === 'closed') return;
    this.phase = 'closed';
    this.socket.end();
    setTimeout(() => this.socket.destroy(), 1000).unref();
    if (!this.pumping) this.cleanup();
  }

  onClose() {
    this.trace('connection closed');
    this.server.connections.delete(this);
    if (this.phase !== 'closed') {
      this.phase = 'closed';
      this.queue = [];
      if (!this.pumping) this.cleanup();
    }
  }

  async cleanup() {
    if (this.cleaned) return;
    this.cleaned = true;
    try {
      await this.resetWork();
      if (this.kconn) { this.engine.release(this.kconn); this.kconn = null; }
    } catch (e) {
      this.trace(`cleanup: ${e.message}`);   // the kuzu connection is dropped, not reused
      this.kconn = null;
    }
  }

  // closes results and rolls back an open transaction
  async resetWork() {
    if (this.stream) { this.stream.result.close(); this.stream = null; }
    if (this.tx) {
      for (const r of this.tx.results.values()) r.result.close();
      this.tx = null;
      if (!this.server.bench) await this.engine.rollback(this.session);
    }
  }

  // ---------------------------------------------------------------- messages

  async handle(msg) {
    const sig = msg.signature;
    const name = MESSAGES[sig] || `0x${sig.toString(16)}`;
    const f = msg.fields;
    this.logRequest(name, f);

    if (sig === SIG.GOODBYE) { this.close(); return; }
    if (sig === SIG.RESET) {
      this.pendingResets--;
      if (this.state === 'NEGOTIATION') return this.failAndClose('Neo.ClientError.Request.Invalid', 'RESET before HELLO');
      await this.resetWork();
      if (this.state !== 'AUTHENTICATION') this.state = 'READY';
      return this.success();
    }
    if (this.pendingResets > 0) return this.ignored();   // a RESET is queued behind: skip work

    if (this.state === 'NEGOTIATION') {
      if (sig !== SIG.HELLO) return this.failAndClose('Neo.ClientError.Request.Invalid', `Message '${name}' cannot be handled by a session in the NEGOTIATION state.`);
      return this.hello(f[0] || {});
    }
    if (sig === SIG.HELLO) return this.failAndClose('Neo.ClientError.Request.Invalid', `Message 'HELLO' cannot be handled by a session in the ${this.state} state.`);
    if (this.state === 'AUTHENTICATION') {
      if (sig !== SIG.LOGON) return this.failAndClose('Neo.ClientError.Request.Invalid', `Message '${name}' cannot be handled by a session in the AUTHENTICATION state.`);
      return this.logon(f[0] || {});
    }
    if (this.state === 'FAILED') {
      if (sig === SIG.LOGOFF || sig === SIG.LOGON) return this.failAndClose('Neo.ClientError.Request.Invalid', `Message '${name}' cannot be handled by a session in the FAILED state.`);
      return this.ignored();
    }
    switch (sig) {
      case SIG.LOGON: return this.invalid(name);
      case SIG.LOGOFF:
        if (!this.atLeast(5, 1)) return this.invalid(name);
        if (this.state !== 'READY') return this.failAndClose('Neo.ClientError.Request.Invalid', `Message 'LOGOFF' cannot be handled by a session in the ${this.state} state.`);
        this.state = 'AUTHENTICATION';
        return this.success();
      case SIG.TELEMETRY:
        if (this.state !== 'READY' || !this.atLeast(5, 4)) return this.invalid(name);
        return this.success();
      case SIG.ROUTE: return this.route(f);
      case SIG.RUN: return this.run(f);
      case SIG.PULL: return this.pull(f[0] || {}, false);
      case SIG.DISCARD: return this.pull(f[0] || {}, true);
      case SIG.BEGIN: return this.begin(f[0] || {});
      case SIG.COMMIT: return this.commit();
      case SIG.ROLLBACK: return this.rollback();
      default:
        return this.failAndClose('Neo.ClientError.Request.Invalid', `Unknown message ${name}`);
    }
  }

  logRequest(name, f) {
    if (!this.log.on) return;
    let shown = f;
    if (name === 'HELLO' || name === 'LOGON') shown = [maskAuth(f[0])];
    this.trace(`C: ${name}${shown.length ? ' ' + shown.map((x) => fmt(x)).join(' ') : ''}`);
  }

  authOk(token) {
    const scheme = token.scheme || 'none';
    if (this.opts.password === null) return true;
    return scheme === 'basic' && token.principal === this.opts.user && token.credentials === this.opts.password;
  }

  async hello(extra) {
    const meta = { server: SERVER_AGENT, connection_id: this.id };
    if (this.version[0] === 4 && Array.isArray(extra.patch_bolt) && extra.patch_bolt.includes('utc')) {
      this.utc = true;
      meta.patch_bolt = ['utc'];
    }
    const hints = {};
    if (this.atLeast(5, 4)) hints['telemetry.enabled'] = true;
    meta.hints = hints;
    if (this.viaManifest) meta.protocol_version = `${this.version[0]}.${this.version[1]}`;
    if (!this.atLeast(5, 1)) {
      if (!this.authOk(extra)) return this.unauthorized();
    }
    this.kconn = await this.engine.connection();
    this.session = {
      conn: this.kconn,
      mapper: new ValueMapper(this.engine, { elementIds: this.v5, utc: this.v5 || this.utc }),
      db: null,
    };
    this.state = this.atLeast(5, 1) ? 'AUTHENTICATION' : 'READY';
    this.success(meta);
  }

  logon(auth) {
    if (!this.authOk(auth)) return this.unauthorized();
    this.state = 'READY';
    this.success();
  }

  unauthorized() {
    this.state = 'NEGOTIATION';
    this.failAndClose('Neo.ClientError.Security.Unauthorized', 'The client is unauthorized due to authentication failure.');
  }

  resolveDb(name) {
    if (name === null || name === undefined || name === '') return { db: 'neo4j', given: false };
    const lower = String(name).toLowerCase();
    if (lower === 'neo4j' || (this.opts.dataset !== 'none' && lower === this.opts.dataset)) return { db: lower, given: true };
    throw new Neo4jError('Neo.ClientError.Database.DatabaseNotFound', `Database does not exist. Database name: '${name}'.`);
  }

  route(f) {
    if (this.state !== 'READY') return this.invalid('ROUTE');
    const extra = this.version[0] === 4 && this.version[1] < 4 ? { db: f[2] } : (f[2] || {});
    const { db } = this.resolveDb(extra.db);
    const addr = [this.server.address];
    this.success({
      rt: {
        ttl: 300n, db,
        servers: [{ addresses: addr, role: 'ROUTE' }, { addresses: addr, role: 'READ' }, { addresses: addr, role: 'WRITE' }],
      },
    });
  }

  async run(f) {
    const [query, params, extra = {}] = f;
    if (typeof query !== 'string') return this.failure('Neo.ClientError.Request.Invalid', 'RUN needs a query string');
    if (params !== null && params !== undefined && (typeof params !== 'object' || Array.isArray(params))) {
      return this.failure('Neo.ClientError.Request.Invalid', 'RUN parameters must be a map');
    }
    const t0 = process.hrtime.bigint();
    if (this.state === 'READY') {
      const { db, given } = this.resolveDb(extra && extra.db);
      this.session.db = db;
      const mode = extra && extra.mode === 'r' ? 'r' : 'w';
      const timeoutMs = extra && extra.tx_timeout != null ? Number(extra.tx_timeout) : 0;
      const result = this.benchResult(query, params)
        || await this.engine.run(this.session, query, params || {}, { mode, inTx: false, timeoutMs });
      this.noteRewrites(result);
      const meta = { fields: result.fields, t_first: msSince(t0) };
      if (!given && this.atLeast(5, 8)) meta.db = db;
      this.stream = { result, db, kind: result.kind, started: null };
      this.state = 'STREAMING';
      return this.success(meta);
    }
    if (this.state === 'TX_READY' || this.state === 'TX_STREAMING') {
      const tx = this.tx;
      const result = this.benchResult(query, params)
        || await this.engine.run(this.session, query, params || {}, { mode: tx.mode, inTx: true, timeoutMs: tx.timeoutMs });
      this.noteRewrites(result);
      const qid = tx.nextQid++;
      tx.results.set(qid, { result, kind: result.kind, started: null });
      tx.lastQid = qid;
      if (result.kind === 's') tx.schema = true;
      this.state = 'TX_STREAMING';
      const meta = { fields: result.fields, t_first: msSince(t0) };
      if (this.version[0] >= 4) meta.qid = BigInt(qid);
      return this.success(meta);
    }
    return this.invalid('RUN');
  }

  // A query on the bench label (--bench-rows): every row, or with one
  // integer parameter (a pushed-down i = $p) that row only. Conditions are not
  // evaluated otherwise: the bench queries have none.
  benchResult(query, params) {
    const rows = this.server.bench;
    if (!rows || !/`?BenchRow`?/.test(query)) return null;
    const values = Object.values(params || {});
    let next = 0, end = rows.count;
    if (values.length === 1 && typeof values[0] === 'bigint') {
      next = Math.max(0, Math.min(Number(values[0]), rows.count));
      end = values[0] >= 0n && values[0] < BigInt(rows.count) ? next + 1 : next;
    }
    const fields = BenchRows.fieldsOf(query);
    return {
      kind: 'r', fields, kuzuText: null, applied: ['bench rows'],
      bench: { rows, fields },
      hasNext: () => next < end,
      take: (n) => { const first = next; next += n; return first; },
      remaining: () => end - next,
      close: () => { next = end; },
    };
  }

  noteRewrites(result) {
    if (this.log.on && result.kuzuText !== null && result.applied.length) {
      this.trace(`   engine query (${result.applied.join(', ')}): ${result.kuzuText}`);
    } else if (this.log.on && result.kuzuText === null) {
      this.trace(`   answered by the server (${result.applied.join(', ')})`);
    }
  }

  async pull(extra, discard) {
    const n = extra.n === undefined || extra.n === null ? -1 : Number(extra.n);
    let entry, inTx = false, qid = null;
    if (this.state === 'STREAMING') {
      entry = this.stream;
    } else if (this.state === 'TX_STREAMING') {
      inTx = true;
      qid = extra.qid === undefined || extra.qid === null || Number(extra.qid) === -1 ? this.tx.lastQid : Number(extra.qid);
      entry = this.tx.results.get(qid);
      if (!entry) return this.failure('Neo.ClientError.Request.Invalid', `No open result with qid ${qid}.`);
    } else {
      return this.invalid(discard ? 'DISCARD' : 'PULL');
    }
    if (!entry.started) entry.started = process.hrtime.bigint();
    const res = entry.result;
    let sent = 0, first = null;
    while (res.bench && (n < 0 || sent < n) && res.hasNext()) {
      const count = Math.min(BENCH_BLOCK, res.remaining(), n < 0 ? Infinity : n - sent);
      const start = res.take(count);
      if (!discard) {
        const block = res.bench.rows.encode(res.bench.fields, start, count);
        this.out.push(block);
        this.outBytes += block.length;
      }
      sent += count;
      if (this.outBytes > 1024 * 1024) await this.flush();
      if (this.phase === 'closed') return;
    }
    while ((n < 0 || sent < n) && res.hasNext()) {
      const rec = res.next();
      if (!discard) {
        this.send(SIG.RECORD, [rec]);
        if (first === null) first = rec;
      }
      sent++;
      if (this.outBytes > 256 * 1024) await this.flush();
      if (sent % 5000 === 0) await new Promise((r) => setImmediate(r));
      if (this.phase === 'closed') return;
    }
    const more = res.hasNext();
    // one trace line per reply batch: the records (count and first) and the summary
    const before = !discard && sent && this.log.on ? `RECORD ×${sent} (first ${fmt(first)}), ` : '';
    if (more) return this.success({ has_more: true }, before);
    res.close();
    const meta = { type: entry.kind, t_last: msSince(entry.started), db: inTx ? this.tx.db : entry.db || this.session.db };
    if (inTx) {
      this.tx.results.delete(qid);
      if (this.tx.results.size === 0) this.state = 'TX_READY';
    } else {
      this.stream = null;
      this.state = 'READY';
      meta.bookmark = this.engine.nextBookmark();
    }
    return this.success(meta, before);
  }

  async begin(extra) {
    if (this.state !== 'READY') return this.invalid('BEGIN');
    const { db, given } = this.resolveDb(extra.db);
    this.session.db = db;
    const mode = extra.mode === 'r' ? 'r' : 'w';
    // bench mode: transactions are bookkeeping only, the engine is not involved
    if (!this.server.bench) await this.engine.begin(this.session, mode);
    this.tx = {
      mode, db, results: new Map(), nextQid: 0, lastQid: -1, schema: false,
      timeoutMs: extra.tx_timeout != null ? Number(extra.tx_timeout) : 0,
    };
    this.state = 'TX_READY';
    const meta = {};
    if (!given && this.atLeast(5, 8)) meta.db = db;
    return this.success(meta);
  }

  async commit() {
    if (this.state !== 'TX_READY' && this.state !== 'TX_STREAMING') return this.invalid('COMMIT');
    const tx = this.tx;
    for (const r of tx.results.values()) r.result.close();
    this.tx = null;
    this.state = 'READY';
    try {
      if (!this.server.bench) await this.engine.commit(this.session);
    } catch (e) {
      throw mapError(e);
    }
    if (tx.schema) await this.engine.refreshCatalog();
    return this.success({ bookmark: this.engine.nextBookmark() });
  }

  async rollback() {
    if (this.state !== 'TX_READY' && this.state !== 'TX_STREAMING') return this.invalid('ROLLBACK');
    const tx = this.tx;
    for (const r of tx.results.values()) r.result.close();
    this.tx = null;
    this.state = 'READY';
    if (!this.server.bench) await this.engine.rollback(this.session);
    return this.success();
  }
}

function msSince(t0) { return BigInt(Math.round(Number(process.hrtime.bigint() - t0) / 1e6)); }
function varint(n) {
  const out = [];
  do { let b = n & 0x7f; n = Math.floor(n / 128); if (n) b |= 0x80; out.push(b); } while (n);
  return out;
}
function readVarint(buf) {
  let v = 0, mul = 1;
  for (const b of buf) { v += (b & 0x7f) * mul; mul *= 128; if (!(b & 0x80)) break; }
  return v;
}

// ------------------------------------------------------------------ main

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const log = new Logger(opts.log, opts.verbose);
  const engine = new Engine({ graph: opts.dataset === 'none' ? 'neo4j' : opts.dataset, lockTimeoutMs: opts.lockTimeout });
  const t0 = Date.now();
  await engine.init();
  await engine.load(opts.dataset === 'movies' ? movies.statements() : []);
  const server = {
    opts, log, engine, versions: opts.versions || ALL_VERSIONS, connections: new Set(), address: null,
    bench: opts.benchRows !== null ? new BenchRows(opts.benchRows) : null,
  };
  const tcp = net.createServer((socket) => server.connections.add(new BoltConnection(server, socket)));
  tcp.on('error', (e) => { process.stderr.write(`graphserver: ${e.message}\n`); process.exit(1); });
  tcp.listen(opts.port, opts.host, () => {
    const a = tcp.address();
    const host = a.family === 'IPv6' || a.family === 6 ? `[${a.address}]` : a.address;
    server.address = `${host}:${a.port}`;
    log.line('server', `dataset ${opts.dataset} loaded, ready in ${Date.now() - t0} ms; Bolt ${server.versions.map((v) => v.join('.')).join(', ')}`);
    process.stdout.write(`listening on ${server.address}\n`);
  });
  const stop = (sig) => {
    log.line('server', `${sig}: shutting down`);
    tcp.close();
    for (const c of server.connections) c.socket.destroy();
    // exit at once: kuzu's native teardown at a normal exit is not reliable
    process.exit(0);
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

if (require.main === module) {
  main().catch((e) => { process.stderr.write(`graphserver: ${e && e.stack || e}\n`); process.exit(1); });
}

module.exports = { parseVersions, ALL_VERSIONS };
