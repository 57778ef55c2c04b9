'use strict';
// Bolt framing for the graph server: PackStream through the official Neo4j
// JavaScript driver's own codec (neo4j-driver-bolt-connection, the package the
// neo4j-driver npm module uses), chunking written here.
//
// Every reply the server sends is packed by the official Packer and every
// client message is read by the official Unpacker, so the C driver under test
// is always checked against code we did not write.

const packstream = require('neo4j-driver-bolt-connection/lib/packstream');
const BaseBuffer = require('neo4j-driver-bolt-connection/lib/buf/base-buf').default;
const ChannelBuffer = require('neo4j-driver-bolt-connection/lib/channel/channel-buf').default;

const { Structure } = packstream.structure;

// A growable output buffer with the interface the official Packer writes to
// (it normally writes into the driver's Chunker). We chunk whole messages
// ourselves afterwards, so a message can be split at any byte.
class GrowBuffer extends BaseBuffer {
  constructor(size = 256) {
    super(0);
    this._buf = Buffer.allocUnsafe(size);
  }
  _ensure(end) {
    if (end <= this._buf.length) return;
    let size = this._buf.length * 2;
    while (size < end) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this._buf.copy(next, 0, 0, this.length);
    this._buf = next;
  }
  _grow(p, n) {
    this._ensure(p + n);
    if (p + n > this.length) this.length = p + n;
  }
  putUInt8(p, v) { this._grow(p, 1); this._buf[p] = v & 0xff; }
  putInt8(p, v) { this._grow(p, 1); this._buf.writeInt8(v, p); }
  putFloat64(p, v) { this._grow(p, 8); this._buf.writeDoubleBE(v, p); }
  getUInt8(p) { return this._buf[p]; }
  getInt8(p) { return this._buf.readInt8(p); }
  getFloat64(p) { return this._buf.readDoubleBE(p); }
  putBytes(p, other) {
    // `other` is a ChannelBuffer from the official utf8.encode (strings)
    const n = other.remaining();
    this._grow(p, n);
    if (other._buffer && Buffer.isBuffer(other._buffer)) {
      other._buffer.copy(this._buf, p, other.position, other.position + n);
      other.position += n;
    } else {
      for (let i = 0; i < n; i++) this._buf[p + i] = other.readUInt8();
    }
  }
  bytes() { return this._buf.subarray(0, this.position); }
}

// Packs one Bolt message (signature + fields) with the official Packer.
function packMessage(signature, fields) {
  const out = new GrowBuffer();
  const packer = new packstream.v2.Packer(out);
  packer.packable(new Structure(signature, fields))();
  return out.bytes();
}

// Splits one packed message into chunks of at most maxChunk bytes and ends it
// with the 00 00 marker.
function chunkMessage(body, maxChunk = 0xffff) {
  const parts = [];
  for (let off = 0; off < body.length; off += maxChunk) {
    const n = Math.min(maxChunk, body.length - off);
    const head = Buffer.allocUnsafe(2);
    head.writeUInt16BE(n, 0);
    parts.push(head, body.subarray(off, off + n));
  }
  parts.push(Buffer.from([0, 0]));
  return parts;
}

// Reassembles chunked messages from a byte stream. NOOP chunks (an empty
// chunk between messages) are counted and skipped.
class Dechunker {
  constructor(onMessage, { maxMessage = 256 * 1024 * 1024 } = {}) {
    this.onMessage = onMessage;
    this.maxMessage = maxMessage;
    this.pending = Buffer.alloc(0);
    this.parts = [];
    this.size = 0;
    this.noops = 0;
  }
  push(data) {
    let buf = this.pending.length ? Buffer.concat([this.pending, data]) : data;
    let off = 0;
    for (;;) {
      if (buf.length - off < 2) break;
      const n = buf.readUInt16BE(off);
      if (n === 0) {
        off += 2;
        if (this.parts.length === 0) { this.noops++; continue; }
        const msg = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts);
        this.parts = [];
        this.size = 0;
        this.onMessage(msg);
        continue;
      }
      if (buf.length - off < 2 + n) break;
      // copy: the socket may reuse its buffers
      this.parts.push(Buffer.from(buf.subarray(off + 2, off + 2 + n)));
      this.size += n;
      if (this.size > this.maxMessage) throw new Error(`message larger than ${this.maxMessage} bytes`);
      off += 2 + n;
    }
    this.pending = off < buf.length ? Buffer.from(buf.subarray(off)) : Buffer.alloc(0);
  }
}

// Unpacks one client message with the official Unpacker. Integers come back
// as BigInt (the Unpacker's useBigInt mode), structures stay raw Structures.
const unpacker = new packstream.v2.Unpacker(false, true);
function unpackMessage(body) {
  const buf = new ChannelBuffer(body);
  const value = unpacker.unpack(buf);
  if (!(value instanceof Structure)) throw new Error('a Bolt message must be a structure');
  if (buf.remaining() !== 0) throw new Error(`${buf.remaining()} trailing bytes after the message`);
  return value;
}

module.exports = { Structure, GrowBuffer, packMessage, chunkMessage, Dechunker, unpackMessage };
