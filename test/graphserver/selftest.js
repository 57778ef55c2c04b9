#!/usr/bin/env node
'use strict';
// Self-test of the local graph server: starts it, talks to it with the
// official neo4j-driver (and, for what the driver cannot be told to do, with
// a small raw Bolt client built on the official PackStream code), prints TAP.
//
//   node test/graphserver/selftest.js [--keep-log]
//
// Exits 1 if any check fails.

const path = require('path');
const os = require('os');
const fs = require('fs');
const net = require('net');
const { spawn } = require('child_process');
const neo4j = require('neo4j-driver');
const { packMessage, chunkMessage, Dechunker, unpackMessage } = require('./lib/bolt-io');
const movies = require('./lib/movies');

const SERVER = path.join(__dirname, 'server.js');
const started = Date.now();
let n = 0, failed = 0;
function ok(cond, name, detail) {
  n++;
  if (cond) console.log(`ok ${n} - ${name}`);
  else {
    failed++;
    console.log(`not ok ${n} - ${name}`);
    if (detail !== undefined) console.log('  # ' + String(detail).split('\n').join('\n  # '));
  }
}
function eq(actual, expected, name) {
  const a = JSON.stringify(actual, big), e = JSON.stringify(expected, big);
  ok(a === e, name, `expected ${e}\n got      ${a}`);
}
function big(k, v) { return typeof v === 'bigint' ? v.toString() + 'n' : v; }
async function check(name, fn) {
  try { await fn(); } catch (e) { ok(false, name, e && (e.code ? e.code + ': ' : '') + (e && e.stack || e)); }
}
async function code(promise) {
  try { await promise; return 'no error'; } catch (e) { return e.code || e.message; }
}

// ------------------------------------------------------------------ server process

function startServer(args, logFile) {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, [SERVER, '--listen', '127.0.0.1:0', ...args, ...(logFile ? ['--log', logFile] : [])],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error('server did not start: ' + err)); }, 20000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = /listening on (\S+):(\d+)\n/.exec(out);
      if (m) { clearTimeout(timer); resolve({ child, host: m[1], port: Number(m[2]), startMs: Date.now() - t0, lines: () => out }); }
    });
    child.stderr.on('data', (d) => { err += d; });
    child.on('exit', (c) => { clearTimeout(timer); reject(new Error(`server exited (${c}): ${err}`)); });
  });
}
function stopServer(srv) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    srv.child.removeAllListeners('exit');
    const timer = setTimeout(() => { srv.child.kill('SIGKILL'); resolve({ code: 'killed', ms: Date.now() - t0 }); }, 5000);
    srv.child.on('exit', (c, sig) => { clearTimeout(timer); resolve({ code: c === null ? sig : c, ms: Date.now() - t0 }); });
    srv.child.kill('SIGTERM');
  });
}

// ------------------------------------------------------------------ raw Bolt client

class RawBolt {
  static connect(port, proposals, { manifestChoice = null } = {}) {
    return new Promise((resolve, reject) => {
      const c = new RawBolt();
      const sock = net.connect(port, '127.0.0.1');
      c.sock = sock;
      c.inbox = [];
      c.waiters = [];
      let buf = Buffer.alloc(0), phase = 'version';
      c.dechunker = new Dechunker((m) => {
        const msg = unpackMessage(m);
        const w = c.waiters.shift();
        if (w) w(msg); else c.inbox.push(msg);
      });
      sock.on('error', reject);
      sock.on('connect', () => {
        const hs = Buffer.alloc(20);
        hs.writeUInt32BE(0x6060b017, 0);
        proposals.forEach((p, k) => hs.writeUInt32BE(p, 4 + 4 * k));
        sock.write(hs);
      });
      sock.on('data', (d) => {
        if (phase === 'bolt') { c.dechunker.push(d); return; }
        buf = Buffer.concat([buf, d]);
        if (buf.length < 4) return;
        if (buf.readUInt32BE(0) === 0x000001ff) {
          // manifest: varint count, ranges, varint capabilities
          let i = 4, count = 0, mul = 1;
          for (; i < buf.length; i++) { count += (buf[i] & 0x7f) * mul; mul *= 128; if (!(buf[i] & 0x80)) { i++; break; } }
          if (buf.length < i + count * 4 + 1) return;
          c.manifest = [];
          for (let k = 0; k < count; k++) c.manifest.push([...buf.subarray(i + 4 * k, i + 4 * k + 4)]);
          i += count * 4;
          while (buf[i] & 0x80) i++;
          i++;
          const [major, minor] = manifestChoice;
          sock.write(Buffer.from([0, 0, minor, major, 0]));
          c.version = [major, minor];
          phase = 'bolt';
          const rest = buf.subarray(i);
          if (rest.length) c.dechunker.push(rest);
          return resolve(c);
        }
        c.version = [buf[3], buf[2]];
        phase = 'bolt';
        const rest = buf.subarray(4);
        if (rest.length) c.dechunker.push(rest);
        resolve(c);
      });
    });
  }
  send(sig, fields, maxChunk = 0xffff, noop = false) {
    const parts = chunkMessage(packMessage(sig, fields), maxChunk);
    if (noop) parts.unshift(Buffer.from([0, 0]));
    this.sock.write(Buffer.concat(parts));
  }
  recv(timeoutMs = 5000) {
    if (this.inbox.length) return Promise.resolve(this.inbox.shift());
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('no reply')), timeoutMs);
      this.waiters.push((m) => { clearTimeout(t); resolve(m); });
    });
  }
  async request(sig, fields) { this.send(sig, fields); return this.recv(); }
  async pullAll(qid) {
    const recs = [];
    this.send(0x3f, [qid === undefined ? { n: -1n } : { n: -1n, qid: BigInt(qid) }]);
    for (;;) {
      const m = await this.recv();
      if (m.signature === 0x71) recs.push(m.fields[0]);
      else return { recs, summary: m };
    }
  }
  closed() { return new Promise((resolve) => { if (this.sock.destroyed) resolve(true); this.sock.on('close', () => resolve(true)); setTimeout(() => resolve(false), 3000); }); }
  end() { this.sock.destroy(); }
}
const V = (major, minor, range = 0) => (range << 16) | (minor << 8) | major;
const AUTH = { scheme: 'basic', principal: 'neo4j', credentials: 'secret' };

// ------------------------------------------------------------------ checks

async function main() {
  const logFile = path.join(os.tmpdir(), `graphserver-selftest-${process.pid}.log`);
  const srv = await startServer(['--password', 'secret'], logFile);
  console.log(`# server on ${srv.host}:${srv.port}, ready after ${srv.startMs} ms`);
  ok(srv.startMs < 15000, `server start-up with the movies dataset (${srv.startMs} ms)`);
  const url = `bolt://127.0.0.1:${srv.port}`;
  const driver = neo4j.driver(url, neo4j.auth.basic('neo4j', 'secret'), { logging: { level: 'error', logger: () => {} } });
  const s = () => driver.session({ database: 'movies' });
  const one = async (q, p, opts) => {
    const session = opts ? driver.session(opts) : s();
    try { return await session.run(q, p); } finally { await session.close(); }
  };

  await check('counts', async () => {
    const r = await one('MATCH (n:Person) RETURN count(n) AS c');
    eq(r.records[0].get('c').toNumber(), movies.counts.Person, 'count of Person');
    ok(neo4j.isInt(r.records[0].get('c')), 'count comes back as an Integer');
    const r2 = await one('MATCH (m:Movie) RETURN count(*) AS c');
    eq(r2.records[0].get('c').toNumber(), movies.counts.Movie, 'count of Movie');
    eq(r.summary.server.protocolVersion.toString(), '5.8', 'official driver negotiates Bolt 5.8 (handshake manifest)');
    ok(/^Neo4j\/5\.26/.test(r.summary.server.agent), 'server agent Neo4j/5.26.x', r.summary.server.agent);
    const r3 = await one('MATCH ()-[r:ACTED_IN]->() RETURN count(r) AS c', {}, { database: 'neo4j' });
    eq(r3.records[0].get('c').toNumber(), movies.counts.ACTED_IN, 'database "neo4j" is the same graph');
    const r4 = await one('MATCH (n:Person) RETURN count(n) AS c', {}, {});
    eq([r4.records[0].get('c').toNumber(), r4.summary.database.name], [movies.counts.Person, 'neo4j'], 'no database given: home database neo4j');
  });

  await check('parameters', async () => {
    const r = await one('MATCH (m:Movie) WHERE m.released >= $y AND m.title STARTS WITH $t RETURN m.title AS t ORDER BY t', { y: neo4j.int(2003), t: 'The' });
    eq(r.records.map((x) => x.get('t')), ['The Da Vinci Code', 'The Matrix Reloaded', 'The Matrix Revolutions'], 'parameterised query');
    const r2 = await one('RETURN $i AS i, $f AS f, $g AS g, $s AS s, $b AS b, $n AS n, $l AS l, $m AS m, $big AS big, $mixed AS mixed, $e AS e',
      { i: neo4j.int(42), f: 2.0, g: 2.5, s: 'ü€😀', b: true, n: null, l: [neo4j.int(1), neo4j.int(2)], m: { a: neo4j.int(1), b: 'x' },
        big: neo4j.int('9007199254740993'), mixed: [neo4j.int(1), 2.5], e: [] });
    const x = r2.records[0];
    ok(neo4j.isInt(x.get('i')) && x.get('i').toNumber() === 42, 'Integer parameter comes back as Integer');
    ok(typeof x.get('f') === 'number' && x.get('f') === 2, 'integral Float parameter stays a Float', x.get('f'));
    eq([x.get('g'), x.get('s'), x.get('b'), x.get('n')], [2.5, 'ü€😀', true, null], 'Float, String, Boolean, Null parameters');
    eq(x.get('l').map((v) => v.toNumber()), [1, 2], 'List parameter');
    eq({ a: x.get('m').a.toNumber(), b: x.get('m').b }, { a: 1, b: 'x' }, 'Map parameter');
    // exact in the engine; on the way out the engine's Node API rounds beyond 2^53
    eq(x.get('big').toString(), '9007199254740992', 'Integer beyond 2^53 (out: rounded by the engine API)');
    const exact = (await one('RETURN $big = 9007199254740993 AS same, $big - 9007199254740000 AS diff, $max AS max',
      { big: neo4j.int('9007199254740993'), max: neo4j.int(Number.MAX_SAFE_INTEGER) })).records[0];
    eq([exact.get('same'), exact.get('diff').toNumber(), exact.get('max').toString()], [true, 993, '9007199254740991'], 'Integer parameters beyond 2^53 are exact in the engine');
    eq(x.get('mixed'), [1, 2.5], 'Integer/Float list parameter becomes a list of Floats');
    eq(x.get('e'), [], 'empty list parameter');
    const nn = (await one('RETURN $a AS a, $b AS b, $c AS c, $d AS d, $rows AS rows',
      { a: { x: neo4j.int(1), y: null }, b: ['a', null], c: [null, 'a'], d: [[], [neo4j.int(1)]], rows: [{ k: 'x' }, { v: 2.5 }] })).records[0];
    eq([nn.get('a').y, nn.get('b'), nn.get('c'), nn.get('d').length, nn.get('rows')], [null, ['a', null], [null, 'a'], 2, [{ k: 'x', v: null }, { k: null, v: 2.5 }]],
      'nulls and empty lists inside list/map parameters (maps of a list share their keys)');
    const r3 = await one('MATCH (n:Person) WHERE n.name IN $names RETURN n.name AS name ORDER BY name', { names: ['Tom Hanks', 'Meg Ryan', 'Nobody'] });
    eq(r3.records.map((y) => y.get('name')), ['Meg Ryan', 'Tom Hanks'], 'n.x IN $list');
    eq(await code(one('RETURN $nope AS x')), 'Neo.ClientError.Statement.ParameterMissing', 'missing parameter');
  });

  await check('FDW sample queries', async () => {
    const r = await one('MATCH (n:`Person`) WHERE n.`born` > $p1 AND n.`name` STARTS WITH $p2 RETURN elementId(n) AS c0, n.`name` AS c1 ORDER BY n.`born` SKIP $s LIMIT $l',
      { p1: neo4j.int(1950), p2: 'T', s: neo4j.int(1), l: neo4j.int(2) });
    eq(r.records.map((x) => x.get('c1')), ['Tom Cruise', 'Tom Tykwer'], 'WHERE/STARTS WITH/ORDER BY/SKIP/LIMIT with parameters');
    ok(r.records.every((x) => /^4:movies:Person:\d+$/.test(x.get('c0'))), 'elementId(n) of a node', r.records.map((x) => x.get('c0')));
    const r2 = await one('MATCH (s)-[r:`ACTED_IN`]->(e) RETURN elementId(r), elementId(s), elementId(e), r.`roles`');
    eq(r2.records.length, movies.counts.ACTED_IN, 'unlabelled (s)-[r:ACTED_IN]->(e): every relationship');
    eq(r2.records[0].keys, ['elementId(r)', 'elementId(s)', 'elementId(e)', 'r.`roles`'], 'column names are the expressions as written');
    ok(r2.records.every((x) => /^5:movies:ACTED_IN:\d+$/.test(x.get('elementId(r)')) && /^4:movies:Movie:\d+$/.test(x.get('elementId(e)'))), 'relationship and end node element ids');
    const hanks = r2.records.find((x) => (x.get('r.`roles`') || []).includes('Zachry'));
    ok(hanks && hanks.get('r.`roles`').length === 4, 'r.`roles` is a list', hanks && hanks.get('r.`roles`'));
    const r3 = await one('MATCH (n:`Person`) RETURN count(n)');
    eq(r3.records[0].get('count(n)').toNumber(), movies.counts.Person, 'RETURN count(n)');
    const r4 = await one('MATCH (n:`Person`) WHERE n.`born` IS NULL RETURN n.`name` AS name ORDER BY name');
    eq(r4.records.map((x) => x.get('name')), ['Angela Scope', 'James Thompson', 'Jessica Thompson', 'Paul Blythe'], 'n.x IS NULL');
    const r5 = await one('MATCH (n:`Movie`) WHERE n.`released` IN $list RETURN n.`title` AS t ORDER BY t', { list: [neo4j.int(1986), neo4j.int(1992)] });
    eq(r5.records.map((x) => x.get('t')), ['A Few Good Men', 'Stand By Me', 'Top Gun', 'Unforgiven'], 'n.x IN $list of Integers');
  });

  await check('element ids and structures', async () => {
    const q = 'MATCH (p:Person {name: $n})-[r:ACTED_IN]->(m:Movie {title: $t}) RETURN p, r, m, elementId(p) AS ep, elementId(r) AS er, elementId(m) AS em, id(p) AS ip';
    const a = (await one(q, { n: 'Tom Hanks', t: 'Cast Away' })).records[0];
    const b = (await one(q, { n: 'Tom Hanks', t: 'Cast Away' })).records[0];
    const p = a.get('p'), r = a.get('r'), m = a.get('m');
    ok(p instanceof neo4j.types.Node && m instanceof neo4j.types.Node, 'Node structures decode as driver Nodes');
    ok(r instanceof neo4j.types.Relationship, 'Relationship structure decodes as a driver Relationship');
    eq([p.elementId, r.elementId, m.elementId], [a.get('ep'), a.get('er'), a.get('em')], 'element ids in structures match elementId()');
    eq([r.startNodeElementId, r.endNodeElementId], [p.elementId, m.elementId], 'relationship start/end element ids');
    ok(r.start.equals(p.identity) && r.end.equals(m.identity), 'relationship start/end ids');
    ok(p.identity.equals(a.get('ip')), 'id(n) matches the Node id', `${p.identity} vs ${a.get('ip')}`);
    eq([b.get('p').elementId, b.get('r').elementId, b.get('m').elementId], [p.elementId, r.elementId, m.elementId], 'element ids are stable');
    eq(p.labels, ['Person'], 'labels');
    eq(Object.keys(p.properties).sort(), ['born', 'name'], 'properties without engine internals');
    eq(r.type, 'ACTED_IN', 'relationship type');
    const look = await one('MATCH (n) WHERE elementId(n) = $id RETURN n.name AS name', { id: p.elementId });
    eq(look.records.map((x) => x.get('name')), ['Tom Hanks'], 'lookup by elementId');
    const all = await one('MATCH (n) RETURN id(n) AS i, elementId(n) AS e');
    const ids = new Set(all.records.map((x) => x.get('i').toString())), eids = new Set(all.records.map((x) => x.get('e')));
    eq([ids.size, eids.size], [movies.counts.Person + movies.counts.Movie, movies.counts.Person + movies.counts.Movie], 'integer and element ids unique across labels');
    const opt = await one('MATCH (p:Person {name: "Tom Hanks"}) OPTIONAL MATCH (p)-[r:FOLLOWS]->(f) RETURN elementId(f) AS e, id(f) AS i, type(r) AS t, labels(f) AS l');
    eq(opt.records[0].toObject(), { e: null, i: null, t: null, l: null }, 'elementId/id/type/labels of null are null');
    const nulls = await one('MATCH (n:Person {name: "Jessica Thompson"}) RETURN n');
    ok(!('born' in nulls.records[0].get('n').properties), 'null properties are absent from nodes');
    const path1 = await one('MATCH path = (a:Person {name: "Keanu Reeves"})-[:ACTED_IN]->(m:Movie)<-[:DIRECTED]-(d:Person) WHERE m.title = "The Matrix" RETURN path ORDER BY d.name LIMIT 1');
    const pa = path1.records[0].get('path');
    ok(pa instanceof neo4j.types.Path, 'Path structure decodes as a driver Path');
    eq([pa.start.properties.name, pa.end.properties.name, pa.length, pa.segments.map((g) => g.relationship.type)],
      ['Keanu Reeves', 'Lana Wachowski', 2, ['ACTED_IN', 'DIRECTED']], 'path nodes, length and relationship types');
    ok(pa.segments[1].relationship.startNodeElementId === pa.end.elementId, 'path segment against the relationship direction');
    const vl = await one('MATCH (a:Person {name: "James Thompson"})-[r:FOLLOWS*1..2]->(b) RETURN r, b.name AS name ORDER BY name');
    ok(vl.records.length === 1 && Array.isArray(vl.records[0].get('r')) && vl.records[0].get('r')[0] instanceof neo4j.types.Relationship,
      'variable-length relationship variable is a list of Relationships');
  });

  await check('temporal values', async () => {
    const r = (await one('MATCH (m:Movie {title: "The Matrix"})<-[:ACTED_IN]-(:Person {name: "Keanu Reeves"}) ' +
      'MATCH (:Person {name: "Jessica Thompson"})-[v:REVIEWED]->(:Movie {title: "The Replacements"}) ' +
      'RETURN m.release_date AS d, m.duration AS dur, v.reviewed_at AS ts')).records[0];
    ok(neo4j.isDate(r.get('d')) && r.get('d').toString() === '1999-03-31', 'DATE is a Date', r.get('d'));
    ok(neo4j.isDuration(r.get('dur')) && r.get('dur').toString() === 'PT2H16M', 'INTERVAL is a Duration', r.get('dur'));
    ok(neo4j.isLocalDateTime(r.get('ts')) && r.get('ts').toString() === '2012-11-20T09:30:00.500000000', 'TIMESTAMP is a LocalDateTime', r.get('ts'));
    const p = {
      d: new neo4j.types.Date(1969, 7, 20),
      ldt: new neo4j.types.LocalDateTime(2024, 2, 29, 23, 59, 58, 123456000),
      dt: new neo4j.types.DateTime(2024, 2, 29, 23, 59, 58, 0, 3600),
      dur: new neo4j.types.Duration(14, 3, 100, 5000),
      neg: new neo4j.types.Duration(0, -2, -30, 0),
      bytes: new Int8Array([0, 1, -1, 127, -128]),
    };
    const x = (await one('RETURN $d AS d, $ldt AS ldt, $dt AS dt, $dur AS dur, $neg AS neg, $bytes AS bytes, $d + interval("1 day") AS next', p)).records[0];
    eq(x.get('d').toString(), '1969-07-20', 'Date parameter round trip');
    // the engine's Node API hands timestamps over as JS Dates: milliseconds
    eq(x.get('ldt').toString(), '2024-02-29T23:59:58.123000000', 'LocalDateTime parameter round trip (millisecond precision)');
    ok(neo4j.isDateTime(x.get('dt')) && x.get('dt').toString() === '2024-02-29T22:59:58Z', 'DateTime parameter comes back as the same instant in UTC', x.get('dt') && x.get('dt').toString());
    // ... and intervals as milliseconds, a month counted as 30 days
    eq(x.get('dur').toString(), 'P423DT1M40S', 'Duration parameter round trip (months as 30 days, milliseconds)');
    eq([x.get('neg').months.toNumber(), x.get('neg').days.toNumber(), x.get('neg').seconds.toNumber()], [0, -2, -30], 'negative Duration parameter');
    eq(Array.from(x.get('bytes')), [0, 1, -1, 127, -128], 'Bytes parameter round trip');
    eq(x.get('next').toString(), '1969-07-21', 'date arithmetic on a Date parameter');
  });

  await check('errors', async () => {
    eq(await code(one('MATCH (n:Person RETURN n')), 'Neo.ClientError.Statement.SyntaxError', 'syntax error code');
    eq(await code(one('RETURN nosuchfunction(1)')), 'Neo.ClientError.Statement.SyntaxError', 'unknown function: SyntaxError as in Neo4j');
    eq(await code(one('MATCH (n:Person) RETURN n.nosuchproperty')), 'Neo.ClientError.Statement.SemanticError', 'unknown property: SemanticError');
    eq(await code(one('RETURN 1 / 0')), 'Neo.ClientError.Statement.ArithmeticError', 'division by zero: ArithmeticError');
    eq(await code(one('RETURN 9223372036854775807 + 1')), 'Neo.ClientError.Statement.ArithmeticError', 'overflow: ArithmeticError');
    const dbErr = await one('RETURN 1', {}, { database: 'nope' }).catch((e) => e);
    eq([dbErr.code, dbErr.message], ['Neo.ClientError.Database.DatabaseNotFound', "Database does not exist. Database name: 'nope'."], 'unknown database');
    const bad = neo4j.driver(url, neo4j.auth.basic('neo4j', 'wrong'), { logging: { level: 'error', logger: () => {} } });
    eq(await code(bad.executeQuery('RETURN 1')), 'Neo.ClientError.Security.Unauthorized', 'wrong password: Unauthorized');
    await bad.close();
    eq(await code(one('CREATE (:Person {name: "x"})', {}, { database: 'movies', defaultAccessMode: neo4j.session.READ })),
      'Neo.ClientError.Statement.AccessMode', 'write in a read session: AccessMode');
    const after = await one('RETURN 1 AS one');
    eq(after.records[0].get('one').toNumber(), 1, 'connection usable after failures (RESET)');
  });

  await check('transactions', async () => {
    const session = driver.session({ database: 'movies', fetchSize: 2 });
    const tx = session.beginTransaction();
    const r1 = tx.run('MATCH (m:Movie) RETURN m.title AS t ORDER BY t');
    const r2 = tx.run('MATCH (p:Person) WHERE p.born < $y RETURN p.name AS n ORDER BY n', { y: neo4j.int(1945) });
    const it1 = r1[Symbol.asyncIterator](), it2 = r2[Symbol.asyncIterator]();
    const a = [], b = [];
    for (;;) {   // interleave the two open results
      const x = await it1.next(), y = await it2.next();
      if (!x.done) a.push(x.value.get('t'));
      if (!y.done) b.push(y.value.get('n'));
      if (x.done && y.done) break;
    }
    await tx.run('CREATE (:Person {name: "Selftest Tx Person", born: 2000})');
    const inside = await tx.run('MATCH (p:Person {name: "Selftest Tx Person"}) RETURN count(p) AS c');
    await tx.rollback();
    eq(a.length, movies.counts.Movie, 'explicit transaction: first of two open results complete');
    eq(b, ['Al Pacino', 'Clint Eastwood', 'Gene Hackman', 'Ian McKellen', 'Jack Nicholson', 'James L. Brooks', 'Jim Cash', 'Nora Ephron', 'Taylor Hackford', 'Tony Scott'],
      'explicit transaction: second open result complete');
    eq(inside.records[0].get('c').toNumber(), 1, 'write visible inside its transaction');
    const gone = await one('MATCH (p:Person {name: "Selftest Tx Person"}) RETURN count(p) AS c');
    eq(gone.records[0].get('c').toNumber(), 0, 'rolled back write is gone');
    await session.close();
    const log = fs.readFileSync(logFile, 'utf8');
    ok(/C: PULL \{n: 2, qid: 0\}/.test(log) && /C: PULL \{n: 2, qid: 1\}/.test(log), 'server saw PULLs for qid 0 and 1 in one transaction');

    const w = driver.session({ database: 'movies' });
    await w.executeWrite((t) => t.run('CREATE (:Person {name: "Selftest Person", born: 1999})'));
    const bm = w.lastBookmarks();
    const seen = await w.executeRead((t) => t.run('MATCH (p:Person {name: "Selftest Person"}) RETURN p.born AS b'));
    await w.run('MATCH (p:Person {name: "Selftest Person"}) DELETE p');
    await w.close();
    ok(bm.length === 1 && /^FB:graphserver:\d+$/.test(bm[0]), 'COMMIT returns a bookmark', bm);
    eq(seen.records[0].get('b').toNumber(), 1999, 'committed write visible to the next transaction');
  });

  await check('one writer at a time', async () => {
    const sa = driver.session({ database: 'movies' });
    const txa = sa.beginTransaction();
    await txa.run('CREATE (:Person {name: "Selftest Lock A"})');
    const read = await one('MATCH (p:Person) RETURN count(p) AS c');
    eq(read.records[0].get('c').toNumber(), movies.counts.Person, 'reads go on while another connection writes (uncommitted data invisible)');
    const sb = driver.session({ database: 'movies' });
    let bDone = false;
    const pb = sb.run('CREATE (:Person {name: "Selftest Lock B"})').then(() => { bDone = true; });
    await new Promise((r) => setTimeout(r, 300));
    ok(!bDone, "a second writer waits for the open write transaction");
    await txa.commit();
    await pb;
    ok(bDone, 'and runs once it commits');
    const both = await one('MATCH (p:Person) WHERE p.name STARTS WITH "Selftest Lock" RETURN count(p) AS c');
    eq(both.records[0].get('c').toNumber(), 2, 'both writes committed');
    await one('MATCH (p:Person) WHERE p.name STARTS WITH "Selftest Lock" DELETE p');
    await sa.close();
    await sb.close();
  });

  await check('streaming', async () => {
    const session = driver.session({ database: 'movies', fetchSize: 2 });
    const before = fs.readFileSync(logFile, 'utf8').length;
    const r = await session.run('MATCH (p:Person) RETURN p.name AS name ORDER BY name');
    await session.close();
    eq(r.records.length, movies.counts.Person, 'fetchSize 2: all records arrive');
    const log = fs.readFileSync(logFile, 'utf8').slice(before);
    const pulls = (log.match(/C: PULL \{n: 2\}/g) || []).length, more = (log.match(/has_more: true/g) || []).length;
    ok(pulls >= Math.ceil(movies.counts.Person / 2) && more === pulls - 1, `records streamed in batches of 2 (${pulls} PULLs, ${more} has_more)`);
    const big = 'x'.repeat(150000) + 'é';
    const r2 = await one('RETURN $s AS s, size($s) AS n', { s: big });
    ok(r2.records[0].get('s') === big && r2.records[0].get('n').toNumber() === 150001, 'a 150 kB string in and out (multi-chunk messages)');
    const sessions = [];
    for (let k = 0; k < 6; k++) sessions.push(one('MATCH (m:Movie) WHERE m.released > $y RETURN count(m) AS c', { y: neo4j.int(1990 + k) }));
    const counts = (await Promise.all(sessions)).map((x) => x.records[0].get('c').toNumber());
    ok(counts.length === 6 && counts.every((c, k) => k === 0 || c <= counts[k - 1]), 'six concurrent connections', counts);
  });

  await check('procedures and routing', async () => {
    const r = await one('CALL db.labels() YIELD label');
    eq(r.records.map((x) => x.get('label')).sort(), ['Movie', 'Person'], 'CALL db.labels()');
    const routed = neo4j.driver(`neo4j://127.0.0.1:${srv.port}`, neo4j.auth.basic('neo4j', 'secret'), { logging: { level: 'error', logger: () => {} } });
    const rr = await routed.executeQuery('MATCH (m:Movie) RETURN count(m) AS c', {}, { database: 'movies' });
    eq(rr.records[0].get('c').toNumber(), movies.counts.Movie, 'neo4j:// routing driver (ROUTE answered with the server itself)');
    await routed.close();
  });

  await driver.close();

  // ---------------------------------------------------------------- raw Bolt

  await check('raw Bolt 4.4', async () => {
    const c = await RawBolt.connect(srv.port, [V(4, 4), 0, 0, 0]);
    eq(c.version, [4, 4], 'handshake: 4.4');
    const hello = await c.request(0x01, [{ user_agent: 'selftest/1', patch_bolt: ['utc'], ...AUTH }]);
    ok(hello.signature === 0x70 && JSON.stringify(hello.fields[0].patch_bolt) === '["utc"]', 'HELLO with auth; patch_bolt utc acknowledged', JSON.stringify(hello.fields[0], big));
    let m = await c.request(0x10, ['MATCH (p:Person {name: "Tom Hanks"})-[r:DIRECTED]->(m) RETURN p, r, datetime("2020-01-01T10:00:00+02:00") AS dt', {}, { db: 'movies' }]);
    eq(m.fields[0].fields, ['p', 'r', 'dt'], 'RUN SUCCESS fields');
    const { recs, summary } = await c.pullAll();
    const [p, r, dt] = recs[0];
    eq([p.signature, p.fields.length, r.signature, r.fields.length], [0x4e, 3, 0x52, 5], 'Bolt 4.4: Node has 3 fields, Relationship 5');
    eq([dt.signature, dt.fields[0], dt.fields[2]], [0x49, 1577865600n, 0n], 'Bolt 4.4 + utc patch: DateTime 0x49 with UTC seconds');
    ok(summary.signature === 0x70 && summary.fields[0].type === 'r' && /^FB:graphserver:/.test(summary.fields[0].bookmark) && summary.fields[0].db === 'movies',
      'final PULL SUCCESS: type, bookmark, db', JSON.stringify(summary.fields[0], big));
    m = await c.request(0x66, [{ address: `127.0.0.1:${srv.port}` }, [], { db: null }]);
    const rt = m.fields[0].rt;
    ok(rt && rt.ttl === 300n && rt.db === 'neo4j' && rt.servers.length === 3 && rt.servers.every((x) => x.addresses[0] === `${srv.host}:${srv.port}`),
      'ROUTE: ttl 300, home db, the server itself for ROUTE/READ/WRITE', JSON.stringify(m.fields[0], big));
    m = await c.request(0x66, [{}, [], { db: 'nope' }]);
    eq(m.fields[0].code, 'Neo.ClientError.Database.DatabaseNotFound', 'ROUTE for an unknown database');
    m = await c.request(0x3f, [{ n: -1n }]);
    eq(m.signature, 0x7e, 'IGNORED after FAILURE');
    m = await c.request(0x10, ['RETURN 1', {}, {}]);
    eq(m.signature, 0x7e, 'IGNORED until RESET');
    m = await c.request(0x0f, []);
    eq(m.signature, 0x70, 'RESET');
    await c.request(0x10, ['MATCH (m:Movie) RETURN m.title', {}, { db: 'movies', mode: 'r' }]);
    m = await c.request(0x2f, [{ n: 2n }]);
    eq(m.fields[0], { has_more: true }, 'DISCARD {n: 2}: has_more');
    m = await c.request(0x2f, [{ n: -1n }]);
    ok(m.signature === 0x70 && /^FB:graphserver:/.test(m.fields[0].bookmark) && !('has_more' in m.fields[0]), 'DISCARD {n: -1}: final summary', JSON.stringify(m.fields[0], big));
    c.send(0x10, ['RETURN $x AS x', { x: 'chunked' }, {}], 3, true);   // 3-byte chunks and a NOOP
    m = await c.recv();
    const pulled = await c.pullAll();
    eq([m.signature, pulled.recs[0][0]], [0x70, 'chunked'], 'request split into 3-byte chunks after a NOOP');
    c.send(0x10, ['RETURN 1', {}, {}]);
    c.send(0x10, ['RETURN 2', {}, {}]);   // RUN while STREAMING: protocol error
    m = await c.recv(); const m2 = await c.recv();
    eq([m.signature, m2.signature, m2.fields[0].code], [0x70, 0x7f, 'Neo.ClientError.Request.Invalid'], 'RUN in STREAMING state is refused');
    await c.request(0x0f, []);
    c.send(0x02, []);
    ok(await c.closed(), 'GOODBYE closes the connection');
  });

  await check('raw Bolt 4.4 legacy DateTime', async () => {
    const c = await RawBolt.connect(srv.port, [V(4, 4), 0, 0, 0]);
    await c.request(0x01, [{ user_agent: 'selftest/1', ...AUTH }]);
    await c.request(0x10, ['RETURN datetime("2020-01-01T10:00:00+02:00") AS dt', {}, {}]);
    const { recs } = await c.pullAll();
    eq([recs[0][0].signature, recs[0][0].fields[2]], [0x46, 0n], 'Bolt 4.4 without the utc patch: legacy DateTime 0x46');
    c.end();
  });

  await check('raw Bolt 5.0', async () => {
    const c = await RawBolt.connect(srv.port, [V(5, 0), V(4, 4), 0, 0]);
    eq(c.version, [5, 0], 'handshake: 5.0 (first matching proposal)');
    const hello = await c.request(0x01, [{ user_agent: 'selftest/1', ...AUTH }]);
    eq(hello.signature, 0x70, 'HELLO with auth on 5.0');
    await c.request(0x11, [{ db: 'movies' }]);
    let m = await c.request(0x10, ['MATCH (p:Person {name: "Meg Ryan"})-[r:ACTED_IN]->(m:Movie {title: "Top Gun"}) RETURN p, r', {}, {}]);
    eq(m.fields[0].qid, 0n, 'RUN in a transaction returns qid');
    const { recs, summary } = await c.pullAll(0);
    const [p, r] = recs[0];
    eq([p.fields.length, typeof p.fields[3], r.fields.length, r.fields[6], r.fields[7]], [4, 'string', 8, p.fields[3], '4:movies:Movie:5'],
      'Bolt 5.0: Node has 4 fields, Relationship 8 with element ids');
    ok(!('bookmark' in summary.fields[0]), 'no bookmark on PULL inside a transaction');
    m = await c.request(0x12, []);
    ok(/^FB:graphserver:\d+$/.test(m.fields[0].bookmark), 'COMMIT SUCCESS has a bookmark');
    c.end();
  });

  await check('raw Bolt 5.x: ranges, manifest, LOGON', async () => {
    const c = await RawBolt.connect(srv.port, [V(5, 6, 2), V(4, 4), 0, 0]);
    eq(c.version, [5, 6], 'range 5.6-5.4 picks 5.6');
    c.end();
    const d = await RawBolt.connect(srv.port, [0x000001ff, V(4, 4), 0, 0], { manifestChoice: [5, 4] });
    eq(d.manifest, [[0, 2, 8, 5], [0, 4, 4, 5], [0, 0, 4, 4]], 'manifest v1 lists 5.6-5.8, 5.0-5.4, 4.4');
    let m = await d.request(0x01, [{ user_agent: 'selftest/1', bolt_agent: { product: 'selftest/1' } }]);
    eq([m.signature, m.fields[0].protocol_version, m.fields[0].hints['telemetry.enabled']], [0x70, '5.4', true], 'HELLO after manifest choice 5.4');
    m = await d.request(0x10, ['RETURN 1', {}, {}]);
    eq(m.signature, 0x7f, 'RUN before LOGON is refused');
    ok(await d.closed(), 'connection closed after the refusal');
    const e = await RawBolt.connect(srv.port, [V(5, 8, 8), 0, 0, 0]);
    await e.request(0x01, [{ user_agent: 'selftest/1' }]);
    m = await e.request(0x6a, [{ scheme: 'basic', principal: 'neo4j', credentials: 'bad' }]);
    eq(m.fields[0].neo4j_code, 'Neo.ClientError.Security.Unauthorized', 'LOGON with a wrong password: Unauthorized (5.7+ neo4j_code)');
    ok(await e.closed(), 'connection closed after failed LOGON');
    const f = await RawBolt.connect(srv.port, [V(5, 8, 8), 0, 0, 0]);
    await f.request(0x01, [{ user_agent: 'selftest/1' }]);
    m = await f.request(0x6a, [AUTH]);
    eq(m.signature, 0x70, 'LOGON');
    m = await f.request(0x54, [2n]);
    eq(m.signature, 0x70, 'TELEMETRY');
    m = await f.request(0x10, ['RETURN 1 AS one', {}, {}]);
    eq(m.fields[0].db, 'neo4j', 'Bolt 5.8 RUN SUCCESS names the home database');
    await f.pullAll();
    m = await f.request(0x6b, []);
    eq(m.signature, 0x70, 'LOGOFF');
    m = await f.request(0x6a, [AUTH]);
    eq(m.signature, 0x70, 'LOGON again after LOGOFF');
    f.end();
    const g = await RawBolt.connect(srv.port, [V(3, 0), V(4, 2, 2), 0, 0]);
    ok(g.version[0] === 0 && g.version[1] === 0 && await g.closed(), 'no common version: 00 00 00 00 and close');
  });

  // ---------------------------------------------------------------- other servers

  await check('server limited to Bolt 4.4', async () => {
    const s44 = await startServer(['--bolt', '4.4', '--max-chunk', '100', '--noops']);
    const d = neo4j.driver(`bolt://127.0.0.1:${s44.port}`, neo4j.auth.basic('neo4j', 'any'), { logging: { level: 'error', logger: () => {} } });
    const r = await d.executeQuery('MATCH p = (a:Person {name: "Rain"})-[r:ACTED_IN]->(m:Movie) RETURN p, r, m.release_date AS d ORDER BY m.title', {}, { database: 'movies' });
    eq(r.summary.server.protocolVersion.toString(), '4.4', 'official driver on Bolt 4.4');
    const p = r.records[0].get('p'), rel = r.records[0].get('r');
    ok(p instanceof neo4j.types.Path && rel instanceof neo4j.types.Relationship && p.start.elementId === p.start.identity.toString(),
      'Bolt 4.4 structures decode (element ids synthesised by the driver)');
    eq(r.records.map((x) => x.get('d').toString()), ['2009-11-25', '2008-05-09'], 'Dates over 100-byte chunks with NOOPs');
    await d.close();
    const st = await stopServer(s44);
    eq(st.code, 0, 'SIGTERM: exit status 0');
  });

  await check('server limited to Bolt 5.0', async () => {
    const s50 = await startServer(['--bolt', '5.0', '--no-manifest', '--dataset', 'none']);
    const d = neo4j.driver(`bolt://127.0.0.1:${s50.port}`, neo4j.auth.basic('neo4j', 'any'), { logging: { level: 'error', logger: () => {} } });
    const r = await d.executeQuery('RETURN $x AS x', { x: neo4j.int(7) });
    eq([r.summary.server.protocolVersion.toString(), r.records[0].get('x').toNumber()], ['5.0', 7], 'official driver on Bolt 5.0 (no manifest), empty dataset');
    await d.close();
    await stopServer(s50);
  });

  const st = await stopServer(srv);
  ok(st.code === 0 && st.ms < 3000, `SIGTERM: exit 0 in ${st.ms} ms`, st);
  if (!process.argv.includes('--keep-log')) fs.unlinkSync(logFile);
  else console.log(`# trace kept in ${logFile}`);

  const secs = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`1..${n}`);
  console.log(`# ${n - failed} passed, ${failed} failed, ${secs} s`);
  process.exit(failed ? 1 : 0);
}

main().catch((e) => { console.log(`not ok ${++n} - selftest crashed: ${e && e.stack || e}`); console.log(`1..${n}`); process.exit(1); });
