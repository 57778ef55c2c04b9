"""PackStream v1 codec, Bolt chunking and the stub's JSON value notation.

Standard library only.  Shared by boltstub.py, selftest.py and
run_stub_tests.py.

Python values used for PackStream values:

    None, bool, int (64-bit range), float, str, bytes, list, dict (str keys),
    Structure(tag, fields)

JSON notation (used in stub scripts) -> Python value, see from_json():

    JSON integer -> int, JSON number with fraction/exponent -> float,
    {"#bytes": "00ff"}                      -> bytes
    {"#struct": "4E", "fields": [...]}      -> Structure(0x4E, [...])
    {"#float": "NaN" | "Infinity" | "-Infinity"} -> float
"""

import json
import math
import struct

__all__ = [
    "Structure", "PackStreamError", "pack", "unpack", "Unpacker",
    "chunk_message", "Dechunker", "encode_varint", "decode_varint",
    "from_json", "to_json", "render_value",
    "REQUESTS", "RESPONSES", "SIGNATURES", "NAMES", "render_message",
]

INT64_MIN = -(1 << 63)
INT64_MAX = (1 << 63) - 1
MAX_CHUNK = 0xFFFF


class PackStreamError(Exception):
    pass


class Structure:
    """A PackStream structure: a tag byte and up to 15 fields."""

    __slots__ = ("tag", "fields")

    def __init__(self, tag, fields=()):
        if not 0 <= tag <= 0xFF:
            raise PackStreamError("structure tag out of range: %r" % (tag,))
        self.tag = tag
        self.fields = list(fields)

    def __eq__(self, other):
        return (isinstance(other, Structure) and self.tag == other.tag
                and len(self.fields) == len(other.fields)
                and all(strict_equal(a, b) for a, b in zip(self.fields, other.fields)))

    def __ne__(self, other):
        return not self.__eq__(other)

    __hash__ = None

    def __repr__(self):
        return "Structure(0x%02X, %r)" % (self.tag, self.fields)


def strict_equal(a, b):
    """Type-strict equality: 1 != 1.0 != True; NaN == NaN."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, int) or isinstance(b, int):
        return isinstance(a, int) and isinstance(b, int) and a == b
    if isinstance(a, float) or isinstance(b, float):
        if not (isinstance(a, float) and isinstance(b, float)):
            return False
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)
    if isinstance(a, (bytes, bytearray)) or isinstance(b, (bytes, bytearray)):
        return isinstance(a, (bytes, bytearray)) and isinstance(b, (bytes, bytearray)) \
            and bytes(a) == bytes(b)
    if isinstance(a, (list, tuple)) or isinstance(b, (list, tuple)):
        return isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)) \
            and len(a) == len(b) and all(strict_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) or isinstance(b, dict):
        return isinstance(a, dict) and isinstance(b, dict) and a.keys() == b.keys() \
            and all(strict_equal(a[k], b[k]) for k in a)
    if isinstance(a, Structure) or isinstance(b, Structure):
        return isinstance(a, Structure) and a == b
    return type(a) is type(b) and a == b


# ---------------------------------------------------------------------------
# Packing

def _pack_size(out, size, tiny_base, m8, m16, m32, what):
    if tiny_base is not None and size < 16:
        out.append(tiny_base + size)
    elif m8 is not None and size < 0x100:
        out.append(m8)
        out.append(size)
    elif size < 0x10000:
        out.append(m16)
        out += struct.pack(">H", size)
    elif size < 0x100000000:
        out.append(m32)
        out += struct.pack(">I", size)
    else:
        raise PackStreamError("%s too long: %d" % (what, size))


def _pack_into(out, v):
    if v is None:
        out.append(0xC0)
    elif v is True:
        out.append(0xC3)
    elif v is False:
        out.append(0xC2)
    elif isinstance(v, int):
        if -16 <= v <= 127:
            out += struct.pack(">b", v)
        elif -128 <= v < -16:
            out.append(0xC8)
            out += struct.pack(">b", v)
        elif -0x8000 <= v <= 0x7FFF:
            out.append(0xC9)
            out += struct.pack(">h", v)
        elif -0x80000000 <= v <= 0x7FFFFFFF:
            out.append(0xCA)
            out += struct.pack(">i", v)
        elif INT64_MIN <= v <= INT64_MAX:
            out.append(0xCB)
            out += struct.pack(">q", v)
        else:
            raise PackStreamError("integer out of the 64-bit range: %d" % v)
    elif isinstance(v, float):
        out.append(0xC1)
        out += struct.pack(">d", v)
    elif isinstance(v, str):
        b = v.encode("utf-8")
        _pack_size(out, len(b), 0x80, 0xD0, 0xD1, 0xD2, "string")
        out += b
    elif isinstance(v, (bytes, bytearray, memoryview)):
        b = bytes(v)
        _pack_size(out, len(b), None, 0xCC, 0xCD, 0xCE, "byte array")
        out += b
    elif isinstance(v, (list, tuple)):
        _pack_size(out, len(v), 0x90, 0xD4, 0xD5, 0xD6, "list")
        for item in v:
            _pack_into(out, item)
    elif isinstance(v, dict):
        _pack_size(out, len(v), 0xA0, 0xD8, 0xD9, 0xDA, "map")
        for k, item in v.items():
            if not isinstance(k, str):
                raise PackStreamError("map keys must be strings, not %r" % (k,))
            _pack_into(out, k)
            _pack_into(out, item)
    elif isinstance(v, Structure):
        if len(v.fields) > 15:
            raise PackStreamError("structure with %d fields (max 15)" % len(v.fields))
        out.append(0xB0 + len(v.fields))
        out.append(v.tag)
        for item in v.fields:
            _pack_into(out, item)
    else:
        raise PackStreamError("cannot pack %s: %r" % (type(v).__name__, v))


def pack(*values):
    """PackStream encoding of the values, concatenated."""
    out = bytearray()
    for v in values:
        _pack_into(out, v)
    return bytes(out)


# ---------------------------------------------------------------------------
# Unpacking

class Unpacker:
    def __init__(self, data, offset=0):
        self.data = bytes(data)
        self.pos = offset

    def _take(self, n):
        if self.pos + n > len(self.data):
            raise PackStreamError("truncated data: need %d bytes at offset %d, have %d"
                                  % (n, self.pos, len(self.data) - self.pos))
        b = self.data[self.pos:self.pos + n]
        self.pos += n
        return b

    def _u(self, fmt, n):
        return struct.unpack(fmt, self._take(n))[0]

    def at_end(self):
        return self.pos >= len(self.data)

    def unpack(self, depth=0):
        if depth > 200:
            raise PackStreamError("nesting too deep")
        at = self.pos
        m = self._take(1)[0]
        if m <= 0x7F:
            return m
        if m >= 0xF0:
            return m - 0x100
        hi = m & 0xF0
        if hi == 0x80:
            return self._str(m & 0x0F)
        if hi == 0x90:
            return self._list(m & 0x0F, depth)
        if hi == 0xA0:
            return self._map(m & 0x0F, depth)
        if hi == 0xB0:
            return self._struct(m & 0x0F, depth)
        if m == 0xC0:
            return None
        if m == 0xC1:
            return self._u(">d", 8)
        if m == 0xC2:
            return False
        if m == 0xC3:
            return True
        if m == 0xC8:
            return self._u(">b", 1)
        if m == 0xC9:
            return self._u(">h", 2)
        if m == 0xCA:
            return self._u(">i", 4)
        if m == 0xCB:
            return self._u(">q", 8)
        if m == 0xCC:
            return self._take(self._u(">B", 1))
        if m == 0xCD:
            return self._take(self._u(">H", 2))
        if m == 0xCE:
            return self._take(self._u(">I", 4))
        if m == 0xD0:
            return self._str(self._u(">B", 1))
        if m == 0xD1:
            return self._str(self._u(">H", 2))
        if m == 0xD2:
            return self._str(self._u(">I", 4))
        if m == 0xD4:
            return self._list(self._u(">B", 1), depth)
        if m == 0xD5:
            return self._list(self._u(">H", 2), depth)
        if m == 0xD6:
            return self._list(self._u(">I", 4), depth)
        if m == 0xD8:
            return self._map(self._u(">B", 1), depth)
        if m == 0xD9:
            return self._map(self._u(">H", 2), depth)
        if m == 0xDA:
            return self._map(self._u(">I", 4), depth)
        raise PackStreamError("unknown marker 0x%02X at offset %d" % (m, at))

    def _str(self, n):
        raw = self._take(n)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as e:
            raise PackStreamError("invalid UTF-8 in string: %s" % e)

    def _list(self, n, depth):
        return [self.unpack(depth + 1) for _ in range(n)]

    def _map(self, n, depth):
        d = {}
        for _ in range(n):
            at = self.pos
            k = self.unpack(depth + 1)
            if not isinstance(k, str):
                raise PackStreamError("map key at offset %d is not a string: %r" % (at, k))
            d[k] = self.unpack(depth + 1)
        return d

    def _struct(self, n, depth):
        tag = self._take(1)[0]
        return Structure(tag, [self.unpack(depth + 1) for _ in range(n)])


def unpack(data):
    """Decode exactly one value occupying all of data."""
    u = Unpacker(data)
    v = u.unpack()
    if not u.at_end():
        raise PackStreamError("%d trailing bytes after value" % (len(u.data) - u.pos))
    return v


# ---------------------------------------------------------------------------
# Chunking

def chunk_message(payload, chunk_size=MAX_CHUNK):
    """Bolt framing of one message: chunks of at most chunk_size bytes + 00 00."""
    if not 1 <= chunk_size <= MAX_CHUNK:
        raise ValueError("chunk size must be 1..65535")
    out = bytearray()
    for i in range(0, len(payload), chunk_size):
        part = payload[i:i + chunk_size]
        out += struct.pack(">H", len(part))
        out += part
    out += b"\x00\x00"
    return bytes(out)


class Dechunker:
    """Incremental Bolt de-framer.

    feed() bytes, then call next() repeatedly: it returns ("msg", payload),
    ("noop", None) for an empty chunk between messages, or None when more
    bytes are needed."""

    def __init__(self):
        self.buf = bytearray()
        self.partial = bytearray()   # chunks of the current message so far
        self.in_message = False
        self.chunks = []             # chunk sizes of the current message
        self.last_chunks = []        # chunk sizes of the last complete message

    def feed(self, data):
        self.buf += data

    def pending_bytes(self):
        return len(self.buf) + len(self.partial)

    def mid_message(self):
        return self.in_message or len(self.buf) > 0

    def next(self):
        while True:
            if len(self.buf) < 2:
                return None
            size = (self.buf[0] << 8) | self.buf[1]
            if size == 0:
                del self.buf[:2]
                if self.in_message:
                    payload = bytes(self.partial)
                    self.partial.clear()
                    self.in_message = False
                    self.last_chunks, self.chunks = self.chunks, []
                    return ("msg", payload)
                return ("noop", None)
            if len(self.buf) < 2 + size:
                return None
            self.partial += self.buf[2:2 + size]
            self.chunks.append(size)
            del self.buf[:2 + size]
            self.in_message = True


# ---------------------------------------------------------------------------
# Varints (manifest handshake)

def encode_varint(n):
    if n < 0:
        raise ValueError("varint must be unsigned")
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def decode_varint(data, offset=0):
    """Returns (value, new_offset) or None if data ends before the varint does."""
    value = 0
    shift = 0
    pos = offset
    while pos < len(data):
        b = data[pos]
        pos += 1
        value |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return value, pos
        if shift > 63:
            raise ValueError("varint longer than 64 bits")
    return None


# ---------------------------------------------------------------------------
# JSON notation

_SPECIAL_FLOATS = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf,
                   "nan": math.nan, "inf": math.inf, "-inf": -math.inf}


def _hex_bytes(text, what):
    if not isinstance(text, str):
        raise ValueError("%s must be a hex string" % what)
    clean = "".join(text.split())
    try:
        return bytes.fromhex(clean)
    except ValueError:
        raise ValueError("%s: invalid hex %r" % (what, text))


def _tag(t):
    if isinstance(t, bool):
        raise ValueError("#struct tag must be a hex string like \"4E\"")
    if isinstance(t, int):
        tag = t
    elif isinstance(t, str):
        s = t[2:] if t.lower().startswith("0x") else t
        try:
            tag = int(s, 16)
        except ValueError:
            raise ValueError("#struct tag must be hex, got %r" % t)
    else:
        raise ValueError("#struct tag must be a hex string like \"4E\"")
    if not 0 <= tag <= 0xFF:
        raise ValueError("#struct tag out of range: %r" % t)
    return tag


def from_json(v):
    """Convert a json-decoded object to a PackStream value (see module doc)."""
    if isinstance(v, dict):
        if "#bytes" in v:
            if len(v) != 1:
                raise ValueError("{\"#bytes\": ...} takes no other keys")
            return _hex_bytes(v["#bytes"], "#bytes")
        if "#struct" in v:
            if set(v) - {"#struct", "fields"}:
                raise ValueError("{\"#struct\": ..., \"fields\": [...]} takes no other keys")
            fields = v.get("fields", [])
            if not isinstance(fields, list):
                raise ValueError("#struct fields must be a list")
            if len(fields) > 15:
                raise ValueError("#struct takes at most 15 fields")
            return Structure(_tag(v["#struct"]), [from_json(f) for f in fields])
        if "#float" in v:
            if len(v) != 1:
                raise ValueError("{\"#float\": ...} takes no other keys")
            f = v["#float"]
            if isinstance(f, str) and f in _SPECIAL_FLOATS:
                return _SPECIAL_FLOATS[f]
            if isinstance(f, (int, float)) and not isinstance(f, bool):
                return float(f)
            raise ValueError("#float must be \"NaN\", \"Infinity\" or \"-Infinity\"")
        return {k: from_json(x) for k, x in v.items()}
    if isinstance(v, list):
        return [from_json(x) for x in v]
    if isinstance(v, int) and not isinstance(v, bool):
        if not INT64_MIN <= v <= INT64_MAX:
            raise ValueError("integer out of the 64-bit range: %d" % v)
        return v
    return v


def to_json(v):
    """Inverse of from_json(), for display."""
    if isinstance(v, float):
        if math.isnan(v):
            return {"#float": "NaN"}
        if math.isinf(v):
            return {"#float": "Infinity" if v > 0 else "-Infinity"}
        return v
    if isinstance(v, (bytes, bytearray)):
        return {"#bytes": bytes(v).hex()}
    if isinstance(v, Structure):
        return {"#struct": "%02X" % v.tag, "fields": [to_json(f) for f in v.fields]}
    if isinstance(v, (list, tuple)):
        return [to_json(x) for x in v]
    if isinstance(v, dict):
        return {k: to_json(x) for k, x in v.items()}
    return v


def render_value(v, limit=None):
    s = json.dumps(to_json(v), ensure_ascii=False)
    if limit is not None and len(s) > limit:
        s = s[:limit] + "...(%d chars)" % len(s)
    return s


# ---------------------------------------------------------------------------
# Bolt message names

REQUESTS = {
    "HELLO": 0x01, "GOODBYE": 0x02, "RESET": 0x0F, "RUN": 0x10, "BEGIN": 0x11,
    "COMMIT": 0x12, "ROLLBACK": 0x13, "DISCARD": 0x2F, "PULL": 0x3F,
    "TELEMETRY": 0x54, "ROUTE": 0x66, "LOGON": 0x6A, "LOGOFF": 0x6B,
}
RESPONSES = {"SUCCESS": 0x70, "RECORD": 0x71, "IGNORED": 0x7E, "FAILURE": 0x7F}
SIGNATURES = {**REQUESTS, **RESPONSES}
NAMES_REQ = {v: k for k, v in REQUESTS.items()}
NAMES_RESP = {v: k for k, v in RESPONSES.items()}
NAMES = {**NAMES_REQ, **NAMES_RESP}


def message_name(tag, from_client=True):
    table = NAMES_REQ if from_client else NAMES_RESP
    return table.get(tag) or NAMES.get(tag) or "0x%02X" % tag


def render_message(s, from_client=True, limit=None):
    """Display a message Structure as `NAME field field`."""
    parts = [message_name(s.tag, from_client)]
    parts += [render_value(f, limit) for f in s.fields]
    return " ".join(parts)
