'use strict';
// A small Cypher tokenizer and the rewrites that let Neo4j 5 Cypher run on
// the embedded engine (kuzu 0.11). Every rewrite is listed in README.md under
// "Where the engine differs from Neo4j". The tokenizer only knows what the
// rewrites need: strings, comments, quoted names, parameters and brackets.

// ------------------------------------------------------------------ tokens

const IDENT_START = /[A-Za-z_\u00C0-\uFFFF]/;
const IDENT_PART = /[A-Za-z0-9_\u00C0-\uFFFF]/;

// Decodes a Neo4j string literal body (between the quotes).
function decodeNeo4jString(body) {
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const ch = body[i];
    if (ch !== '\\' || i + 1 >= body.length) { out += ch; continue; }
    const e = body[++i];
    switch (e) {
      case 't': out += '\t'; break;
      case 'b': out += '\b'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 'f': out += '\f'; break;
      case 'u':
        if (/^[0-9A-Fa-f]{4}$/.test(body.substr(i + 1, 4))) {
          out += String.fromCharCode(parseInt(body.substr(i + 1, 4), 16)); i += 4;
        } else out += 'u';
        break;
      case 'U':
        if (/^[0-9A-Fa-f]{8}$/.test(body.substr(i + 1, 8))) {
          out += String.fromCodePoint(parseInt(body.substr(i + 1, 8), 16)); i += 8;
        } else out += 'U';
        break;
      default: out += e;   // \\ \' \" and anything else: the character itself
    }
  }
  return out;
}

// kuzu reads a backslash as "take the next character literally" and knows
// no other escapes, so only \ and the quote need escaping.
function kuzuString(value) {
  return "'" + value.replace(/\\/g, '\\\\').replace(/'/g, "\\'") + "'";
}

function tokenize(src) {
  const toks = [];
  let i = 0;
  const push = (type, start, extra) => toks.push(Object.assign({ type, start, end: i, text: src.slice(start, i) }, extra));
  while (i < src.length) {
    const start = i;
    const ch = src[i];
    if (/\s/.test(ch)) {
      while (i < src.length && /\s/.test(src[i])) i++;
      push('ws', start);
    } else if (ch === '/' && src[i + 1] === '/') {
      while (i < src.length && src[i] !== '\n') i++;
      push('comment', start);
    } else if (ch === '/' && src[i + 1] === '*') {
      const e = src.indexOf('*/', i + 2);
      i = e < 0 ? src.length : e + 2;
      push('comment', start);
    } else if (ch === "'" || ch === '"') {
      i++;
      while (i < src.length && src[i] !== ch) i += src[i] === '\\' ? 2 : 1;
      const closed = i < src.length;
      const body = src.slice(start + 1, Math.min(i, src.length));
      if (closed) i++;
      push('string', start, { value: decodeNeo4jString(body), closed });
    } else if (ch === '`') {
      i++;
      let name = '';
      for (;;) {
        if (i >= src.length) break;
        if (src[i] === '`') {
          if (src[i + 1] === '`') { name += '`'; i += 2; continue; }
          i++; break;
        }
        name += src[i++];
      }
      push('ident', start, { name, quoted: true });
    } else if (ch === '$') {
      i++;
      let name = '';
      if (src[i] === '`') {
        i++;
        while (i < src.length && src[i] !== '`') name += src[i++];
        i++;
      } else {
        while (i < src.length && IDENT_PART.test(src[i])) name += src[i++];
      }
      push('param', start, { name });
    } else if (/[0-9]/.test(ch)) {
      const m = /^(0x[0-9A-Fa-f]+|[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?)/.exec(src.slice(i));
      i += m[0].length;
      push('number', start);
    } else if (IDENT_START.test(ch)) {
      while (i < src.length && IDENT_PART.test(src[i])) i++;
      push('ident', start, { name: src.slice(start, i), quoted: false });
    } else {
      i++;
      push('punct', start);
    }
  }
  return toks;
}

const isTrivia = (t) => t.type === 'ws' || t.type === 'comment';
const isKw = (t, kw) => t && t.type === 'ident' && !t.quoted && t.name.toUpperCase() === kw;
const OPEN = { '(': ')', '[': ']', '{': '}' };
const CLOSE = new Set([')', ']', '}']);

function nextSig(toks, i) { while (i < toks.length && isTrivia(toks[i])) i++; return i; }
function prevSig(toks, i) { while (i >= 0 && isTrivia(toks[i])) i--; return i; }

// Index of the bracket closing the one at toks[i].
function matching(toks, i) {
  let depth = 0;
  for (let j = i; j < toks.length; j++) {
    const t = toks[j];
    if (t.type !== 'punct') continue;
    if (OPEN[t.text]) depth++;
    else if (CLOSE.has(t.text) && --depth === 0) return j;
  }
  return -1;
}

// ------------------------------------------------------------------ RETURN items

// Finds the items of every top-level RETURN (UNION parts included).
// Items without an alias get a synthetic one (__gs_c<i>) so that kuzu's
// column names are unique; the Neo4j column name is the item's text as
// written, like Neo4j does.
const RETURN_END = new Set(['ORDER', 'SKIP', 'LIMIT', 'UNION']);
function findReturnItems(toks) {
  const parts = [];
  let depth = 0;
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i];
    if (t.type === 'punct') {
      if (OPEN[t.text]) depth++;
      else if (CLOSE.has(t.text)) depth--;
      continue;
    }
    if (depth !== 0 || !isKw(t, 'RETURN')) continue;
    let j = nextSig(toks, i + 1);
    if (isKw(toks[j], 'DISTINCT')) j = nextSig(toks, j + 1);
    const items = [];
    let itemStart = j, d = 0, k = j;
    const finish = (endExclusive) => {
      const last = prevSig(toks, endExclusive - 1);
      if (last < itemStart) return;
      const sig = [];
      for (let m = itemStart; m <= last; m++) if (!isTrivia(toks[m])) sig.push(m);
      const text = toks.slice(itemStart, last + 1).map((x) => x.text).join('');
      let alias = null;
      if (sig.length >= 3 && isKw(toks[sig[sig.length - 2]], 'AS') && toks[sig[sig.length - 1]].type === 'ident') {
        alias = toks[sig[sig.length - 1]].name;
      }
      const star = sig.length === 1 && toks[sig[0]].text === '*';
      items.push({ start: itemStart, last, text, alias, star });
    };
    for (; k < toks.length; k++) {
      const u = toks[k];
      if (u.type === 'punct') {
        if (OPEN[u.text]) { d++; continue; }
        if (CLOSE.has(u.text)) { if (d === 0) break; d--; continue; }
        if (d === 0 && u.text === ',') { finish(k); itemStart = nextSig(toks, k + 1); continue; }
        if (d === 0 && u.text === ';') break;
      }
      if (d === 0 && u.type === 'ident' && !u.quoted && RETURN_END.has(u.name.toUpperCase())) break;
    }
    finish(k);
    parts.push(items);
    i = k - 1;
  }
  return parts;
}

// ------------------------------------------------------------------ rewrites

// ISO 8601 duration literal (P1Y2M3DT4H5M6.5S) to kuzu's interval text.
function isoDurationToKuzu(s) {
  const m = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i.exec(s);
  if (!m || s.length < 2 || /T$/i.test(s)) return null;
  const names = ['years', 'months', 'weeks', 'days', 'hours', 'minutes'];
  const parts = [];
  for (let k = 0; k < 6; k++) if (m[k + 1]) parts.push(`${m[k + 1]} ${names[k]}`);
  if (m[7]) {
    const [whole, frac = ''] = m[7].split('.');
    parts.push(`${whole} seconds`);
    if (frac) parts.push(`${Number((frac + '000000').slice(0, 6))} microseconds`);
  }
  return parts.length ? parts.join(' ') : '0 seconds';
}

// Function-call rewrites: Neo4j name (lower case) -> kuzu text. `args` are the
// already rewritten argument texts, `raw` the argument tokens.
function functionRewrites(ctx) {
  const graph = ctx.graph;
  const rels = kuzuList(ctx.relLabels.concat(['']));
  const one = (fn) => (args) => (args.length === 1 ? fn(args[0]) : null);
  return {
    // element ids: "4:<graph>:<Label>:<offset>" for nodes, "5:..." for relationships
    // (kuzu's label() of a null is '', hence the IS NULL tests)
    elementid: one((e) => `(CASE WHEN ${e} IS NULL THEN NULL ELSE (CASE WHEN label(${e}) IN ${rels} THEN '5:${graph}:' ELSE '4:${graph}:' END) + label(${e}) + ':' + CAST(offset(id(${e})) AS STRING) END)`),
    // integer ids: kuzu table id * 2^32 + offset (kuzu's id() is a struct)
    id: one((e) => `(CASE WHEN ${e} IS NULL THEN NULL ELSE CAST(list_extract(string_split(CAST(id(${e}) AS STRING), ':'), 1) AS INT64) * 4294967296 + offset(id(${e})) END)`),
    labels: one((e) => `(CASE WHEN ${e} IS NULL THEN NULL ELSE [label(${e})] END)`),
    type: one((e) => `(CASE WHEN ${e} IS NULL THEN NULL ELSE label(${e}) END)`),
    tointeger: one((e) => `to_int64(${e})`),
    tofloat: one((e) => `to_double(${e})`),
    tostring: one((e) => `to_string(${e})`),
    toboolean: one((e) => `to_bool(${e})`),
    char_length: one((e) => `size(${e})`),
    character_length: one((e) => `size(${e})`),
    // Neo4j counts from 0, kuzu from 1
    substring: (a) => (a.length === 3 ? `substring(${a[0]}, (${a[1]}) + 1, ${a[2]})`
      : a.length === 2 ? `substring(${a[0]}, (${a[1]}) + 1, size(${a[0]}))` : null),
    split: (a) => (a.length === 2 ? `string_split(${a[0]}, ${a[1]})` : null),
    // (an empty list is an error here: kuzu evaluates both branches of a CASE)
    head: one((e) => `list_extract(${e}, 1)`),
    last: one((e) => `list_extract(${e}, -1)`),
    // temporal constructors
    date: (a) => (a.length === 0 ? 'current_date()' : null),
    localdatetime: (a) => (a.length === 0 ? 'current_timestamp()' : a.length === 1 ? `CAST(${a[0]} AS TIMESTAMP)` : null),
    datetime: (a) => (a.length === 0 ? 'CAST(current_timestamp() AS TIMESTAMP_TZ)' : a.length === 1 ? `CAST(${a[0]} AS TIMESTAMP_TZ)` : null),
    timestamp: (a) => (a.length === 0 ? 'to_epoch_ms(current_timestamp())' : null),
    duration: (a, raw) => {
      if (a.length !== 1 || raw[0].length !== 1 || raw[0][0].type !== 'string') return null;
      const k = isoDurationToKuzu(raw[0][0].value);
      return k === null ? null : `CAST(${kuzuString(k)} AS INTERVAL)`;
    },
  };
}

function kuzuList(strings) { return '[' + strings.map(kuzuString).join(', ') + ']'; }

const WRITE_KW = new Set(['CREATE', 'MERGE', 'SET', 'DELETE', 'DETACH', 'REMOVE', 'DROP', 'ALTER', 'COPY', 'INSTALL', 'LOAD', 'IMPORT', 'EXPORT', 'ATTACH', 'DETACH', 'CHECKPOINT']);
const READ_KW = new Set(['MATCH', 'RETURN', 'WITH', 'UNWIND', 'CALL']);

// Rewrites a Neo4j query for kuzu.
//   ctx.graph        graph name used in element ids
//   ctx.relLabels    relationship table names (to tell node and rel ids apart)
//   ctx.paramText    (name) -> text to put where $name stands, or undefined
// Returns { text, columns, params, applied, kind }:
//   columns  Neo4j column name for each synthetic alias index
//   params   names of the parameters the query uses
//   applied  which rewrites fired (for the log)
//   kind     'r' | 'w' | 'rw' | 's'
function rewrite(query, ctx) {
  const toks = tokenize(query);
  const fns = functionRewrites(ctx);
  const params = new Set();
  const applied = new Set();

  // synthetic aliases for RETURN items
  const parts = findReturnItems(toks);
  const aliasAfter = new Map();   // token index -> alias text to append
  const columns = [];
  parts.forEach((items, p) => {
    items.forEach((it, idx) => {
      if (p === 0) columns.push(it.star ? null : (it.alias !== null ? it.alias : it.text));
      if (!it.star && it.alias === null) aliasAfter.set(it.last, ` AS __gs_c${idx}`);
    });
  });

  function emit(from, to) {   // rewrites toks[from..to) to text
    let out = '';
    for (let i = from; i < to; i++) {
      const t = toks[i];
      let piece = t.text;
      if (t.type === 'string') {
        piece = kuzuString(t.value);
        if (piece !== t.text) applied.add('string escapes');
      } else if (t.type === 'param') {
        params.add(t.name);
        const repl = ctx.paramText && ctx.paramText(t.name);
        if (repl !== undefined) { piece = repl; applied.add('parameter casts'); }
        else if (t.text !== '$' + t.name) piece = '$' + t.name;
      } else if (t.type === 'ident' && !t.quoted) {
        const lname = t.name.toLowerCase();
        const fn = fns[lname];
        const open = nextSig(toks, i + 1);
        const before = prevSig(toks, i - 1);
        const isCall = fn && toks[open] && toks[open].text === '(' && toks[open].type === 'punct' &&
          !(before >= 0 && toks[before].type === 'punct' && (toks[before].text === '.' || toks[before].text === ':'));
        if (isCall) {
          const close = matching(toks, open);
          if (close > 0 && !hasAliasInside(open, close)) {
            const rawArgs = splitArgs(open + 1, close);
            const args = rawArgs.map(([a, b]) => emit(a, b).trim());
            const sig = rawArgs.map(([a, b]) => toks.slice(a, b).filter((x) => !isTrivia(x)));
            const text = (args.length === 1 && args[0] === '') ? fn([], []) : fn(args, sig);
            if (text !== null) {
              applied.add(lname + '()');
              out += text;
              if (aliasAfter.has(close)) out += aliasAfter.get(close);
              i = close;
              continue;
            }
          }
        }
      }
      out += piece;
      if (aliasAfter.has(i)) out += aliasAfter.get(i);
    }
    return out;
  }
  function hasAliasInside(a, b) {
    for (const k of aliasAfter.keys()) if (k > a && k < b) return true;
    return false;
  }
  function splitArgs(a, b) {
    const out = [];
    let d = 0, s = a;
    for (let i = a; i < b; i++) {
      const t = toks[i];
      if (t.type !== 'punct') continue;
      if (OPEN[t.text]) d++;
      else if (CLOSE.has(t.text)) d--;
      else if (d === 0 && t.text === ',') { out.push([s, i]); s = i + 1; }
    }
    out.push([s, b]);
    return out;
  }

  const text = emit(0, toks.length);

  // statement kind, for the summary's "type"
  let write = false, read = false, schema = false;
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i];
    if (t.type !== 'ident' || t.quoted) continue;
    const before = toks[prevSig(toks, i - 1)];
    if (before && before.type === 'punct' && (before.text === '.' || before.text === ':')) continue;   // property, label
    const u = t.name.toUpperCase();
    if (WRITE_KW.has(u)) {
      write = true;
      const n1 = toks[nextSig(toks, i + 1)];
      if ((u === 'CREATE' || u === 'DROP' || u === 'ALTER') && n1 && n1.type === 'ident' &&
          /^(NODE|REL|TABLE|SEQUENCE|MACRO|TYPE|GRAPH|INDEX)$/i.test(n1.name)) schema = true;
    }
    if (READ_KW.has(u)) read = true;
  }
  const kind = schema ? 's' : write ? (read ? 'rw' : 'w') : 'r';
  return { text, columns, params: [...params], applied: [...applied], kind, tokens: toks };
}

// A standalone procedure call: CALL a.b.c() [YIELD x, y]
function parseStandaloneCall(query) {
  const toks = tokenize(query).filter((t) => !isTrivia(t));
  if (toks.length && toks[toks.length - 1].text === ';') toks.pop();
  if (!isKw(toks[0], 'CALL')) return null;
  let i = 1;
  const name = [];
  while (toks[i] && toks[i].type === 'ident') {
    name.push(toks[i].name);
    i++;
    if (toks[i] && toks[i].text === '.') i++; else break;
  }
  if (!name.length || !toks[i] || toks[i].text !== '(' || !toks[i + 1] || toks[i + 1].text !== ')') return null;
  i += 2;
  let yields = null;
  if (isKw(toks[i], 'YIELD')) {
    yields = [];
    i++;
    while (toks[i] && toks[i].type === 'ident') {
      yields.push(toks[i].name);
      i++;
      if (toks[i] && toks[i].text === ',') i++; else break;
    }
  }
  if (i !== toks.length) return null;
  return { name: name.join('.'), yields };
}

module.exports = { tokenize, rewrite, kuzuString, decodeNeo4jString, isoDurationToKuzu, parseStandaloneCall, findReturnItems };
