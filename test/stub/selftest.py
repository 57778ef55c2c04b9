#!/usr/bin/env python3
"""Self-test of the Bolt stub server, its PackStream codec and the test runner.

    python3 test/stub/selftest.py [-v] [-jN] [NAME-FILTER ...]

Drives boltstub.py with a small Bolt client written here (own handshake,
chunking; the PackStream codec is shared with the stub) and prints TAP.
Most tests run the stub in a thread of this process through boltstub.run()
(the same code as the command; python3 start-up is slow on loaded machines);
the command-line, signal and runner tests start real processes.  Tests run
in parallel (-jN, default 8); -v prints each test's duration.
Needs `openssl` on PATH for the TLS tests (skipped otherwise).

`selftest.py --fake-client [--fetch-size N] URL QUERY` is a tiny stand-in
for bin/neo4j-query, used to test run_stub_tests.py with the scripts in
test/stub/examples/.
"""

import concurrent.futures
import io
import json
import math
import os
import re
import shutil
import signal
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import threading
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import boltstub  # noqa: E402
import packstream as ps  # noqa: E402
from packstream import Structure  # noqa: E402

STUB = os.path.join(HERE, "boltstub.py")
RUNNER = os.path.join(HERE, "run_stub_tests.py")
MAGIC = b"\x60\x60\xB0\x17"
VERBOSE = False

M = ps.SIGNATURES       # message name -> tag


# ---------------------------------------------------------------------------
# A minimal Bolt client

class BoltClient:
    def __init__(self, addr, tls_context=None, server_hostname="localhost", timeout=5.0):
        host, port = addr.rsplit(":", 1)
        s = socket.create_connection((host, int(port)), timeout=timeout)
        if tls_context is not None:
            s = tls_context.wrap_socket(s, server_hostname=server_hostname)
        self.sock = s
        self.buf = bytearray()
        self.dechunker = ps.Dechunker()
        self.noops = 0

    # raw I/O
    def write(self, data):
        self.sock.sendall(data)

    def read_exact(self, n):
        while len(self.buf) < n:
            d = self.sock.recv(65536)
            if not d:
                raise EOFError("server closed after %d of %d bytes" % (len(self.buf), n))
            self.buf += d
        out = bytes(self.buf[:n])
        del self.buf[:n]
        return out

    def read_until_eof(self):
        data = bytes(self.buf)
        self.buf.clear()
        while True:
            try:
                d = self.sock.recv(65536)
            except (ConnectionResetError, ssl.SSLError):
                break
            if not d:
                break
            data += d
        return data

    # handshake
    def handshake(self, proposals):
        """proposals: list of 4-byte strings (padded to four)."""
        props = list(proposals) + [b"\x00\x00\x00\x00"] * (4 - len(proposals))
        self.write(MAGIC + b"".join(props))
        return self.read_exact(4)

    def read_varint(self):
        v = 0
        shift = 0
        while True:
            b = self.read_exact(1)[0]
            v |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                return v

    def manifest_handshake(self, others=(), choose=(6, 0), caps=0, pipeline=b""):
        """Offer manifest v1 first; returns the offered ranges."""
        reply = self.handshake([b"\x00\x00\x01\xFF"] + list(others))
        if reply != b"\x00\x00\x01\xFF":
            raise AssertionError("no manifest reply: %s" % reply.hex(" "))
        n = self.read_varint()
        ranges = [self.read_exact(4) for _ in range(n)]
        server_caps = self.read_varint()
        assert server_caps == 0, server_caps
        self.write(bytes([0, 0, choose[1], choose[0]]) + ps.encode_varint(caps) + pipeline)
        return ranges

    # messages
    @staticmethod
    def encode(msgs, chunk_size=ps.MAX_CHUNK):
        out = b""
        for m in msgs:
            out += ps.chunk_message(ps.pack(m), chunk_size)
        return out

    def send(self, *msgs, chunk_size=ps.MAX_CHUNK):
        """All messages in one write (pipelined)."""
        self.write(self.encode(msgs, chunk_size))

    def recv(self):
        while True:
            item = self.dechunker.next()
            if item is not None:
                kind, payload = item
                if kind == "noop":
                    self.noops += 1
                    continue
                return ps.unpack(payload)
            if self.buf:
                self.dechunker.feed(bytes(self.buf))
                self.buf.clear()
                continue
            d = self.sock.recv(65536)
            if not d:
                raise EOFError("server closed the connection")
            self.dechunker.feed(d)

    def expect(self, name):
        m = self.recv()
        if not isinstance(m, Structure) or m.tag != M[name]:
            raise AssertionError("expected %s, got %r" % (name, m))
        return m

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def msg(name, *fields):
    return Structure(M[name], list(fields))


def hello(**extra):
    d = {"user_agent": "selftest/1.0",
         "bolt_agent": {"product": "selftest/1.0", "platform": "linux", "language": "Python"}}
    d.update(extra)
    return msg("HELLO", d)


LOGON = msg("LOGON", {"scheme": "basic", "principal": "neo4j", "credentials": "pass"})


# ---------------------------------------------------------------------------
# Stub processes

class StubProc:
    def __init__(self, script_text, *args, tmp):
        fd, self.script = tempfile.mkstemp(suffix=".script", dir=tmp, text=True)
        with os.fdopen(fd, "w") as f:
            f.write(script_text)
        self.log = self.script[:-len(".script")] + ".log"
        cmd = [sys.executable, STUB, "--listen", "127.0.0.1:0", "--log", self.log]
        cmd += list(args) + [self.script]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True)
        line = self.proc.stdout.readline()
        m = re.fullmatch(r"listening on (.+:\d+)\n", line)
        if not m:
            rc = self.proc.wait(5)
            raise AssertionError("stub did not start (rc %s): %r %s"
                                 % (rc, line, self.proc.stderr.read()))
        self.addr = m.group(1)
        self.stderr = ""

    def wait(self, timeout=10):
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError("stub did not exit within %s s" % timeout)
        self.stderr = self.proc.stderr.read()
        self.proc.stdout.close()
        self.proc.stderr.close()
        return self.proc.returncode

    def expect_exit(self, code, timeout=10):
        rc = self.wait(timeout)
        if rc != code:
            raise AssertionError("stub exit %s, expected %s; stderr:\n%s"
                                 % (rc, code, self.stderr))
        return self.stderr

    def log_lines(self):
        with open(self.log) as f:
            return f.read().splitlines()

    def round_trips(self):
        return sum(1 for l in self.log_lines() if re.fullmatch(r"(\[\d+\] )?--- flush", l))

    def terminate(self):
        self.proc.send_signal(signal.SIGTERM)

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


class InProcStub:
    """The stub run in a thread of this process (same code as the command:
    boltstub.run()); much faster to start than a python3 process."""

    def __init__(self, script_text, *args, tmp):
        fd, self.script = tempfile.mkstemp(suffix=".script", dir=tmp, text=True)
        with os.fdopen(fd, "w") as f:
            f.write(script_text)
        self.log = self.script[:-len(".script")] + ".log"
        argv = ["--listen", "127.0.0.1:0", "--log", self.log] + list(args) + [self.script]
        self.out = io.StringIO()
        self.err = io.StringIO()
        self.server = None
        self.addr = None
        self.rc = None
        self.stderr = ""
        ready = threading.Event()

        def on_ready(server, addr):
            self.server, self.addr = server, addr
            ready.set()

        def target():
            try:
                self.rc = boltstub.run(argv, stdout=self.out, stderr=self.err,
                                       on_ready=on_ready, install_signals=False)
            except SystemExit as e:
                self.rc = e.code
            finally:
                ready.set()
        self.thread = threading.Thread(target=target, daemon=True)
        self.thread.start()
        ready.wait(10)
        if self.addr is None:
            self.thread.join(5)
            raise AssertionError("stub did not start (rc %s): %s" % (self.rc, self.err.getvalue()))
        check(self.out.getvalue() == "listening on %s\n" % self.addr, "listening line")

    def wait(self, timeout=10):
        self.thread.join(timeout)
        if self.thread.is_alive():
            self.kill()
            raise AssertionError("stub did not finish within %s s" % timeout)
        self.stderr = self.err.getvalue()
        return self.rc

    expect_exit = StubProc.expect_exit
    log_lines = StubProc.log_lines
    round_trips = StubProc.round_trips

    def terminate(self):
        self.server.terminate()

    def kill(self):
        if self.thread.is_alive() and self.server:
            self.server.terminate()
            self.thread.join(5)


# ---------------------------------------------------------------------------
# Tests

TESTS = []
SLOW = set()


def test(fn):
    TESTS.append(fn)
    return fn


def slow(fn):
    """Started first, so that the whole run is short."""
    SLOW.add(fn)
    return fn


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def eq(got, want, what="value"):
    if not ps.strict_equal(got, want):
        raise AssertionError("%s: got %r, want %r" % (what, got, want))


HEADER_58 = """!: BOLT 5.8
C: HELLO {"user_agent": "*", "bolt_agent": "*", "[routing]": "*"}
C: LOGON {"scheme": "basic", "principal": "neo4j", "credentials": "pass"}
S: SUCCESS {"server": "Neo4j/5.26.0", "connection_id": "bolt-1", "hints": {"connection.recv_timeout_seconds": 120}}
   SUCCESS {}
"""


# -- PackStream --------------------------------------------------------------

@test
def packstream_encodings(t):
    cases = [
        (None, "C0"), (True, "C3"), (False, "C2"),
        (0, "00"), (127, "7F"), (-16, "F0"), (-17, "C8 EF"), (-128, "C8 80"),
        (128, "C9 00 80"), (-129, "C9 FF 7F"), (32767, "C9 7F FF"), (32768, "CA 00 00 80 00"),
        (-32769, "CA FF FF 7F FF"), (2147483647, "CA 7F FF FF FF"),
        (2147483648, "CB 00 00 00 00 80 00 00 00"),
        (-9223372036854775808, "CB 80 00 00 00 00 00 00 00"),
        (9223372036854775807, "CB 7F FF FF FF FF FF FF FF"),
        (1.1, "C1 3F F1 99 99 99 99 99 9A"), (-0.0, "C1 80 00 00 00 00 00 00 00"),
        ("", "80"), ("a", "81 61"), ("x" * 15, "8F" + " 78" * 15),
        ("x" * 16, "D0 10" + " 78" * 16),
        (b"", "CC 00"), (b"\x01\x02", "CC 02 01 02"),
        ([], "90"), ([1, [2]], "92 01 91 02"),
        ({}, "A0"), ({"a": 1}, "A1 81 61 01"),
        (Structure(0x4E, [1, ["L"], {}]), "B3 4E 01 91 81 4C A0"),
    ]
    for v, h in cases:
        got = ps.pack(v).hex(" ").upper()
        if got != h:
            raise AssertionError("pack(%r) = %s, want %s" % (v, got, h))
        eq(ps.unpack(bytes.fromhex(h)), v, "unpack(%s)" % h)
    # size classes: 8/16/32-bit lengths for strings, bytes, lists, maps
    for n, mk in ((200, "D0"), (300, "D1"), (70000, "D2")):
        b = ps.pack("y" * n)
        check(b[0] == int(mk, 16), "string of %d uses %s" % (n, mk))
        eq(ps.unpack(b), "y" * n)
    for n, mk in ((100, "CC"), (300, "CD"), (70000, "CE")):
        b = ps.pack(b"\xAB" * n)
        check(b[0] == int(mk, 16), "bytes of %d uses %s" % (n, mk))
        eq(ps.unpack(b), b"\xAB" * n)
    for n, mk in ((16, "D4"), (300, "D5"), (70000, "D6")):
        b = ps.pack(list(range(n)))
        check(b[0] == int(mk, 16), "list of %d uses %s" % (n, mk))
        eq(ps.unpack(b), list(range(n)))
    for n, mk in ((16, "D8"), (300, "D9"), (70000, "DA")):
        d = {"k%d" % i: i for i in range(n)}
        b = ps.pack(d)
        check(b[0] == int(mk, 16), "map of %d uses %s" % (n, mk))
        eq(ps.unpack(b), d)
    # non-minimal encodings are accepted
    eq(ps.unpack(bytes.fromhex("CB 00 00 00 00 00 00 00 01")), 1)
    eq(ps.unpack(bytes.fromhex("D2 00 00 00 01 41")), "A")
    eq(ps.unpack(bytes.fromhex("DA 00 00 00 00")), {})
    nan = ps.unpack(ps.pack(math.nan))
    check(isinstance(nan, float) and math.isnan(nan), "NaN round trip")
    eq(ps.unpack(ps.pack(math.inf)), math.inf)
    for bad in ("C4", "DF", "81", "D1 00", "A1 01 01", "B1"):
        try:
            ps.unpack(bytes.fromhex(bad))
        except ps.PackStreamError:
            continue
        raise AssertionError("unpack(%s) should fail" % bad)
    try:
        ps.pack(1 << 63)
        raise AssertionError("2^63 should not pack")
    except ps.PackStreamError:
        pass
    check(not ps.strict_equal(1, 1.0) and not ps.strict_equal(True, 1), "strict equality")
    # varints (values from the Bolt handshake documentation)
    eq(ps.encode_varint(1), b"\x01")
    eq(ps.encode_varint(127), b"\x7F")
    eq(ps.decode_varint(bytes.fromhex("FF 82 71")), (1851775, 3))
    eq(ps.encode_varint(1851775), bytes.fromhex("FF 82 71"))
    # JSON notation
    v = ps.from_json(json.loads('[1, 1.0, {"#bytes": "00 ff"}, {"#float": "-Infinity"},'
                                '{"#struct": "4E", "fields": [1, ["P"], {}, "e"]}]'))
    eq(v, [1, 1.0, b"\x00\xff", -math.inf, Structure(0x4E, [1, ["P"], {}, "e"])])
    eq(ps.from_json(ps.to_json(v)), v)


@test
def chunking_codec(t):
    payload = bytes(range(256)) * 600            # 153600 bytes
    framed = ps.chunk_message(payload)
    sizes = []
    pos = 0
    while True:
        n = struct.unpack(">H", framed[pos:pos + 2])[0]
        pos += 2 + n
        sizes.append(n)
        if n == 0:
            break
    eq(sizes, [65535, 65535, 22530, 0])
    d = ps.Dechunker()
    d.feed(b"\x00\x00")                           # NOOP
    for i in range(0, len(framed), 7777):        # arbitrary read boundaries
        d.feed(framed[i:i + 7777])
    eq(d.next(), ("noop", None))
    kind, got = d.next()
    check(kind == "msg" and got == payload, "reassembly")
    eq(d.next(), None)


# -- handshakes ------------------------------------------------------------

@test
def handshake_4_4(t):
    # a real boltstub.py process (the others mostly run the stub in-process)
    s = t.stub("""!: BOLT 4.4
C: HELLO {"user_agent": "*", "scheme": "basic", "principal": "neo4j", "credentials": "pass"}
S: SUCCESS {"server": "Neo4j/4.4.0", "connection_id": "bolt-7"}
C: RUN "RETURN 1 AS x" {} {}
   PULL {"n": 1000}
S: SUCCESS {"fields": ["x"]}
   RECORD [1]
   SUCCESS {"type": "r"}
C: GOODBYE
""", process=True)
    c = BoltClient(s.addr)
    reply = c.handshake([b"\x00\x00\x01\xFF", bytes([0, 2, 8, 5]), bytes([0, 4, 4, 4]),
                         bytes([0, 0, 0, 3])])
    eq(reply, b"\x00\x00\x04\x04", "handshake reply")
    c.send(msg("HELLO", {"user_agent": "t", "scheme": "basic", "principal": "neo4j",
                         "credentials": "pass"}))
    c.expect("SUCCESS")
    c.send(msg("RUN", "RETURN 1 AS x", {}, {}), msg("PULL", {"n": 1000}))
    c.expect("SUCCESS")
    eq(c.expect("RECORD").fields, [[1]])
    c.expect("SUCCESS")
    c.send(msg("GOODBYE"))
    c.close()
    s.expect_exit(0)


@test
def handshake_5_8_range_and_pipelined_logon(t):
    s = t.stub(HEADER_58 + """C: RUN "RETURN 1 AS x" {} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["x"], "t_first": 1}
S: RECORD [1]
S: SUCCESS {"bookmark": "FB:1", "type": "r", "t_last": 1, "db": "neo4j"}
C: GOODBYE
""")
    c = BoltClient(s.addr)
    eq(c.handshake([bytes([0, 8, 8, 5]), bytes([0, 0, 4, 4])]), b"\x00\x00\x08\x05")
    c.send(hello(), LOGON)                        # one write, two messages
    h = c.expect("SUCCESS")
    eq(h.fields[0]["hints"], {"connection.recv_timeout_seconds": 120})
    c.expect("SUCCESS")
    c.send(msg("RUN", "RETURN 1 AS x", {}, {}), msg("PULL", {"n": 1000}))
    eq(c.expect("SUCCESS").fields[0]["fields"], ["x"])
    eq(c.expect("RECORD").fields[0], [1])
    eq(c.expect("SUCCESS").fields[0]["bookmark"], "FB:1")
    c.send(msg("GOODBYE"))
    c.close()
    s.expect_exit(0)
    eq(s.round_trips(), 2, "round trips (HELLO+LOGON, RUN+PULL)")


@test
def round_trips_not_pipelined(t):
    s = t.stub(HEADER_58 + """C: RUN "RETURN 1" {} {}
S: SUCCESS {"fields": ["1"]}
C: PULL {"n": -1}
S: SUCCESS {}
""")
    c = BoltClient(s.addr)
    c.handshake([bytes([0, 0, 8, 5])])
    c.send(hello())
    time.sleep(0.1)                               # separate writes, pipelined anyway
    c.send(LOGON)
    c.expect("SUCCESS")
    c.expect("SUCCESS")
    c.send(msg("RUN", "RETURN 1", {}, {}))
    c.expect("SUCCESS")                           # waits: a real round trip
    c.send(msg("PULL", {"n": -1}))
    c.expect("SUCCESS")
    c.close()
    s.expect_exit(0)
    eq(s.round_trips(), 3, "round trips")
    reads = [l for l in s.log_lines() if l.startswith("--- read")]
    check(len(reads) >= 4, "read events logged: %r" % reads)


@test
def handshake_6_0_manifest(t):
    s = t.stub("""!: BOLT 6.0
C: HELLO {"user_agent": "*", "bolt_agent": "*"}
S: SUCCESS {"server": "Neo4j/2025.10.0", "connection_id": "bolt-9"}
C: LOGON {"scheme": "none"}
S: SUCCESS {}
C: RUN "RETURN $v AS v" {"v": {"#struct": "56", "fields": [{"#bytes": "C1"}, {"#bytes": "3FF0000000000000"}]}} {}
   PULL {"n": 1000}
S: SUCCESS {"fields": ["v"]}
   RECORD [{"#struct": "56", "fields": [{"#bytes": "C1"}, {"#bytes": "3FF0000000000000"}]}]
   SUCCESS {}
""")
    c = BoltClient(s.addr)
    ranges = c.manifest_handshake(others=[bytes([0, 8, 8, 5])], choose=(6, 0),
                                  pipeline=BoltClient.encode([hello()]))
    eq([r.hex(" ") for r in ranges], ["00 00 00 06", "00 08 08 05", "00 00 04 04"],
       "manifest ranges")
    c.expect("SUCCESS")
    c.send(msg("LOGON", {"scheme": "none"}))
    c.expect("SUCCESS")
    vec = Structure(0x56, [b"\xC1", bytes.fromhex("3FF0000000000000")])
    c.send(msg("RUN", "RETURN $v AS v", {"v": vec}, {}), msg("PULL", {"n": 1000}))
    c.expect("SUCCESS")
    eq(c.expect("RECORD").fields[0], [vec])
    c.expect("SUCCESS")
    c.close()
    s.expect_exit(0)


@test
def handshake_5_8_via_manifest(t):
    s = t.stub("""!: BOLT 5.8
C: HELLO {"user_agent": "*", "bolt_agent": "*"}
S: SUCCESS {}
""")
    c = BoltClient(s.addr)
    ranges = c.manifest_handshake(others=[bytes([0, 8, 8, 5])], choose=(5, 8))
    eq([r.hex(" ") for r in ranges], ["00 08 08 05", "00 00 04 04"], "manifest ranges")
    c.send(hello())
    c.expect("SUCCESS")
    c.close()
    s.expect_exit(0)


@test
def handshake_manifest_ignored_below_5_7(t):
    s = t.stub("""!: BOLT 5.4
C: HELLO "*"
S: SUCCESS {}
""")
    c = BoltClient(s.addr)
    eq(c.handshake([b"\x00\x00\x01\xFF", bytes([0, 8, 8, 5])]), b"\x00\x00\x04\x05")
    c.send(hello())
    c.expect("SUCCESS")
    c.close()
    s.expect_exit(0)


@test
def handshake_6_0_requires_manifest(t):
    s = t.stub("!: BOLT 6.0\nC: HELLO \"*\"\nS: SUCCESS {}\n")
    c = BoltClient(s.addr)
    eq(c.handshake([b"\x00\x00\x00\x06", bytes([0, 8, 8, 5])]), b"\x00\x00\x00\x00")
    c.read_until_eof()
    c.close()
    err = s.expect_exit(1)
    check("manifest" in err and "6.0" in err, "report mentions manifest: %s" % err)


@test
def handshake_wrong_manifest_choice(t):
    s = t.stub("!: BOLT 6.0\nC: HELLO \"*\"\nS: SUCCESS {}\n")
    c = BoltClient(s.addr)
    c.manifest_handshake(choose=(5, 8))
    c.read_until_eof()
    err = s.expect_exit(1)
    check("chose 5.8" in err, "report: %s" % err)


@test
def handshake_version_not_offered(t):
    s = t.stub("!: BOLT 5.8\nC: HELLO \"*\"\nS: SUCCESS {}\n")
    c = BoltClient(s.addr)
    eq(c.handshake([bytes([0, 0, 4, 4]), bytes([0, 3, 6, 5])]), b"\x00\x00\x00\x00")
    eq(c.read_until_eof(), b"", "closed after refusal")
    err = s.expect_exit(1)
    check("wants Bolt 5.8" in err and "5.6-5.3" in err, "report: %s" % err)


@test
def handshake_bad_magic(t):
    s = t.stub("!: BOLT 5.8\nC: HELLO \"*\"\nS: SUCCESS {}\n")
    c = BoltClient(s.addr)
    c.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    c.read_until_eof()
    err = s.expect_exit(1)
    check("HTTP request" in err, "report: %s" % err)


@test
def handshake_directive_refuse(t):
    s = t.stub("!: HANDSHAKE 00 00 00 00\n")
    c = BoltClient(s.addr)
    eq(c.handshake([bytes([0, 8, 8, 5])]), b"\x00\x00\x00\x00")
    eq(c.read_until_eof(), b"")
    s.expect_exit(0)


@test
def handshake_raw_http(t):
    s = t.stub('!: HANDSHAKE_RAW "HTTP/1.1 400 Bad Request\\r\\n\\r\\n"\n')
    c = BoltClient(s.addr)
    c.write(MAGIC + bytes([0, 8, 8, 5]) + bytes(12))
    eq(c.read_until_eof(), b"HTTP/1.1 400 Bad Request\r\n\r\n")
    s.expect_exit(0)


# -- matching --------------------------------------------------------------

@test
def divergence_report(t):
    s = t.stub(HEADER_58 + """C: RUN "RETURN 1 AS x" {} {}
S: SUCCESS {"fields": ["x"]}
C: PULL {"n": 1000}
S: SUCCESS {}
""")
    c = BoltClient(s.addr)
    c.handshake([bytes([0, 0, 8, 5])])
    c.send(hello(), LOGON)
    c.expect("SUCCESS")
    c.expect("SUCCESS")
    c.send(msg("RUN", "RETURN 1 AS x", {}, {}))
    c.expect("SUCCESS")
    c.send(msg("DISCARD", {"n": -1}))
    c.read_until_eof()
    err = s.expect_exit(1)
    want = 'line 8: expected C: PULL {"n": 1000} but got C: DISCARD {"n": -1}'
    check(err.splitlines()[0] == want, "first report line %r, want %r" % (err, want))
    check("last messages" in err, "report shows the recent traffic")


@test
def divergence_value_detail(t):
    s = t.stub("""!: BOLT 5.8
C: HELLO {"user_agent": "*", "bolt_agent": "*"}
S: SUCCESS {}
C: LOGON {"scheme": "basic", "principal": "neo4j", "credentials": "pass"}
""")
    c = BoltClient(s.addr)
    c.handshake([bytes([0, 0, 8, 5])])
    c.send(hello(), msg("LOGON", {"scheme": "basic", "principal": "neo4j",
                                  "credentials": "wrong"}))
    c.read_until_eof()
    err = s.expect_exit(1)
    check(err.startswith("line 4: expected C: LOGON") and
          'field 1.credentials: expected "pass", got "wrong"' in err, "report: %s" % err)


@test
def wildcards_and_optional_keys(t):
    script = """!: BOLT 5.8
C: HELLO {"user_agent": "*", "bolt_agent": {"product": "*", "[platform]": "*", "[language]": "Python"}, "[routing]": {"address": "*"}, "[notifications_minimum_severity]": "*"}
S: SUCCESS {}
C: RUN "*" {"n": "*"} *
S: SUCCESS {}
"""
    # ok: optional keys present or absent; * matches any type
    for h, run in ((hello(), msg("RUN", "RETURN $n", {"n": 1.5}, {"db": "x"})),
                   (hello(routing={"address": "h:1"}),
                    msg("RUN", "RETURN $n", {"n": [1, None]}, {}, "extra field"))):
        s = t.stub(script)
        c = BoltClient(s.addr)
        c.handshake([bytes([0, 0, 8, 5])])
        c.send(h, run)
        c.expect("SUCCESS")
        c.expect("SUCCESS")
        c.close()
        s.expect_exit(0)
    # a key that is in neither form fails
    s = t.stub(script)
    c = BoltClient(s.addr)
    c.handshake([bytes([0, 0, 8, 5])])
    c.send(hello(patch_bolt=["utc"]))
    c.read_until_eof()
    err = s.expect_exit(1)
    check('unexpected key "patch_bolt"' in err, "report: %s" % err)
    # an optional key with the wrong value fails
    s = t.stub(script)
    c = BoltClient(s.addr)
    c.handshake([bytes([0, 0, 8, 5])])
    c.send(msg("HELLO", {"user_agent": "x", "bolt_agent": {"product": "p", "language": "Go"}}))
    c.read_until_eof()
    err = s.expect_exit(1)
    check('.bolt_agent.language: expected "Python", got "Go"' in err, "report: %s" % err)


@test
def int_and_float_are_distinct(t):
    s = t.stub("!: BOLT 5.8\nC: HELLO \"*\"\nS: SUCCESS {}\nC: PULL {\"n\": 1000}\n")
    c = BoltClient(s.addr)
    c.handshake([bytes([0, 0, 8, 5])])
    c.send(hello(), msg("PULL", {"n": 1000.0}))
    c.read_until_eof()
    err = s.expect_exit(1)
    check("expected integer 1000, got float 1000.0" in err, "report: %s" % err)


@test
def optional_message_absent_and_present(t):
    script = HEADER_58 + """*: RESET
S: SUCCESS {"reset": true}
C: RUN "RETURN 1" {} {}
S: SUCCESS {}
"""
    s = t.stub(script)
    c = BoltClient(s.addr)
    c.handshake([bytes([0, 0, 8, 5])])
    c.send(hello(), LOGON, msg("RUN", "RETURN 1", {}, {}))
    c.expect("SUCCESS")
    c.expect("SUCCESS")
    eq(c.expect("SUCCESS").fields, [{}], "RUN answer, no RESET answer")
    c.close()
    s.expect_exit(0)
    s = t.stub(script)
    c = BoltClient(s.addr)
    c.handshake([bytes([0, 0, 8, 5])])
    c.send(hello(), LOGON, msg("RESET"), msg("RUN", "RETURN 1", {}, {}))
    c.expect("SUCCESS")
    c.expect("SUCCESS")
    eq(c.expect("SUCCESS").fields, [{"reset": True}], "RESET answer")
    c.expect("SUCCESS")
    c.close()
    s.expect_exit(0)
    # neither the optional nor the required line: the report names both
    s = t.stub(script)
    c = BoltClient(s.addr)
    c.handshake([bytes([0, 0, 8, 5])])
    c.send(hello(), LOGON, msg("COMMIT"))
    c.read_until_eof()
    err = s.expect_exit(1)
    check("or optional line 6 RESET" in err and "got C: COMMIT" in err, "report: %s" % err)


@test
def unexpected_message_after_end(t):
    s = t.stub("!: BOLT 5.8\nC: HELLO \"*\"\nS: SUCCESS {}\n")
    c = BoltClient(s.addr)
    c.handshake([bytes([0, 0, 8, 5])])
    c.send(hello())
    c.expect("SUCCESS")
    c.send(msg("RESET"))
    c.read_until_eof()
    err = s.expect_exit(1)
    check("script has ended but the client sent C: RESET" in err, "report: %s" % err)


@test
def client_closes_early(t):
    s = t.stub(HEADER_58 + 'C: RUN "RETURN 1" {} {}\nS: SUCCESS {}\n')
    c = BoltClient(s.addr)
    c.handshake([bytes([0, 0, 8, 5])])
    c.send(hello(), LOGON)
    c.expect("SUCCESS")
    c.expect("SUCCESS")
    c.close()
    err = s.expect_exit(1)
    check('line 6: expected C: RUN "RETURN 1" {} {} but the client closed the connection'
          in err, "report: %s" % err)


@test
def goodbye_optional_at_end(t):
    script = "!: BOLT 5.8\nC: HELLO \"*\"\nS: SUCCESS {}\nC: GOODBYE\n"
    for send_goodbye in (True, False):
        s = t.stub(script)
        c = BoltClient(s.addr)
        c.handshake([bytes([0, 0, 8, 5])])
        c.send(hello())
        c.expect("SUCCESS")
        if send_goodbye:
            c.send(msg("GOODBYE"))
        c.close()
        s.expect_exit(0)


@test
def reset_at_end_counts_as_close(t):
    for script, code in (("!: BOLT 5.8\nC: HELLO \"*\"\nS: SUCCESS {}\n", 0),
                         ("!: BOLT 5.8\nC: HELLO \"*\"\nS: SUCCESS {}\nC: RESET\n", 1)):
        s = t.stub(script)
        c = BoltClient(s.addr)
        c.handshake([bytes([0, 0, 8, 5])])
        c.send(hello())
        c.expect("SUCCESS")
        c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        c.close()                                 # RST instead of FIN
        err = s.expect_exit(code)
        if code:
            check("line 4: expected C: RESET, but the client reset the connection" in err,
                  "report: %s" % err)


@test
@slow
def idle_timeout(t):
    s = t.stub("!: BOLT 5.8\nC: HELLO \"*\"\nS: SUCCESS {}\n", "--timeout", "0.5")
    c = BoltClient(s.addr)
    c.handshake([bytes([0, 0, 8, 5])])
    t0 = time.monotonic()
    err = s.expect_exit(1, timeout=5)
    check(time.monotonic() - t0 < 4, "timed out promptly")
    check("line 2: expected C: HELLO" in err and "timeout" in err, "report: %s" % err)
    c.close()
    # no connection at all
    s = t.stub("!: BOLT 5.8\nC: HELLO \"*\"\n", "--timeout", "0.3")
    err = s.expect_exit(1, timeout=5)
    check("expected 1 connection, got 0" in err, "report: %s" % err)


@test
def sigterm_reports_position(t):
    s = t.stub("!: BOLT 5.8\nC: HELLO \"*\"\nS: SUCCESS {}\n", process=True)
    c = BoltClient(s.addr)
    c.handshake([bytes([0, 0, 8, 5])])
    time.sleep(0.2)
    s.terminate()
    err = s.expect_exit(1, timeout=5)
    check("line 2: expected C: HELLO" in err and "signal" in err, "report: %s" % err)
    c.close()


# -- server actions --------------------------------------------------------

@test
def noop_raw_sleep_exit(t):
    s = t.stub("""!: BOLT 5.8
C: HELLO "*"
S: <NOOP>
   SUCCESS {}
   <NOOP>
   <RAW> 00 03 B1 70 A0 00 00
   <SLEEP> 0.2
   RECORD [1.0, {"#float": "NaN"}, {"#bytes": "00ff"}, -9223372036854775808, "x"]
   <EXIT>
""")
    c = BoltClient(s.addr)
    c.handshake([bytes([0, 0, 8, 5])])
    c.write(b"\x00\x00")                          # client NOOP before HELLO
    c.send(hello())
    c.write(b"\x00\x00\x00\x00")                  # and two after
    c.expect("SUCCESS")
    eq(c.expect("SUCCESS").fields, [{}], "RAW message")
    t0 = time.monotonic()
    r = c.expect("RECORD").fields[0]
    check(time.monotonic() - t0 >= 0.15, "<SLEEP> delayed the record")
    check(r[0] == 1.0 and isinstance(r[0], float) and math.isnan(r[1]) and
          r[2] == b"\x00\xff" and r[3] == -(1 << 63), "record values %r" % r)
    eq(c.noops, 2, "NOOPs received")
    try:
        c.recv()
        raise AssertionError("expected EOF after <EXIT>")
    except (EOFError, ConnectionResetError):
        pass
    c.close()
    s.expect_exit(0)
    lines = s.log_lines()
    check("--- push" in lines, "flush before <SLEEP> logged as push: %r" % lines)


@test
def chunking_100k(t):
    big = "\u00e9" + "x" * 100000
    for chunk_size in (None, 1000):
        s = t.stub("""!: BOLT 5.8
%sC: HELLO "*"
S: SUCCESS {}
C: RUN %s {} {}
S: SUCCESS {"fields": ["s"]}
   RECORD [%s]
   SUCCESS {}
""" % ("!: CHUNK_SIZE %d\n" % chunk_size if chunk_size else "", json.dumps(big),
       json.dumps(big)))
        c = BoltClient(s.addr)
        c.handshake([bytes([0, 0, 8, 5])])
        c.send(hello())
        c.expect("SUCCESS")
        data = BoltClient.encode([msg("RUN", big, {}, {})])     # chunks: 65535 + rest
        for i in range(0, len(data), 4096):                       # many small writes
            c.write(data[i:i + 4096])
        c.expect("SUCCESS")
        rec = c.expect("RECORD")
        eq(rec.fields[0][0], big, "100 KB string")
        sizes = c.dechunker.last_chunks
        size = len(ps.pack(rec))
        if chunk_size is None:
            eq(sizes, [65535, size - 65535], "chunk sizes")
        else:
            check(len(sizes) == (size + 999) // 1000 and max(sizes) == 1000,
                  "chunk sizes %r" % sizes[:3])
        c.expect("SUCCESS")
        c.close()
        s.expect_exit(0)


@test
def chunk_size_on_the_wire(t):
    s = t.stub("!: BOLT 5.8\n!: CHUNK_SIZE 3\nC: HELLO \"*\"\nS: SUCCESS {\"a\": 1}\n")
    c = BoltClient(s.addr)
    c.handshake([bytes([0, 0, 8, 5])])
    c.send(hello())
    wire = c.read_exact(12)
    # B1 70 A1 81 61 01 in chunks of 3: 00 03 B1 70 A1 | 00 03 81 61 01 | 00 00
    eq(wire.hex(" "), "00 03 b1 70 a1 00 03 81 61 01 00 00", "chunks")
    c.close()
    s.expect_exit(0)


@test
def structures_in_records(t):
    s = t.stub("""!: BOLT 5.8
C: HELLO "*"
S: SUCCESS {}
C: RUN "MATCH p=(a)-[r]->(b) RETURN a, r, p" {} {}
   PULL {"n": 1000}
S: SUCCESS {"fields": ["a", "r", "p"]}
S: RECORD [{"#struct": "4E", "fields": [1, ["Person"], {"name": "Alice"}, "4:abc:1"]},
           {"#struct": "52", "fields": [5, 1, 2, "KNOWS", {"since": 1999}, "5:abc:5", "4:abc:1", "4:abc:2"]},
           {"#struct": "50", "fields": [[{"#struct": "4E", "fields": [1, [], {}, "4:abc:1"]},
                                         {"#struct": "4E", "fields": [2, [], {}, "4:abc:2"]}],
                                        [{"#struct": "72", "fields": [5, "KNOWS", {}, "5:abc:5"]}],
                                        [1, 1]]}]
S: SUCCESS {"type": "r"}
""")
    c = BoltClient(s.addr)
    c.handshake([bytes([0, 0, 8, 5])])
    c.send(hello(), msg("RUN", "MATCH p=(a)-[r]->(b) RETURN a, r, p", {}, {}),
           msg("PULL", {"n": 1000}))
    c.expect("SUCCESS")
    c.expect("SUCCESS")
    a, r, p = c.expect("RECORD").fields[0]
    eq(a, Structure(0x4E, [1, ["Person"], {"name": "Alice"}, "4:abc:1"]), "node")
    eq(r.tag, 0x52)
    eq(r.fields[4], {"since": 1999})
    eq(p.tag, 0x50)
    eq(p.fields[2], [1, 1])
    c.expect("SUCCESS")
    c.close()
    s.expect_exit(0)


@test
@slow
def several_connections(t):
    script = """!: BOLT 5.8
!: CONNECTIONS 2
C: HELLO "*"
S: SUCCESS {"connection_id": "bolt-x"}
C: GOODBYE
"""
    s = t.stub(script)
    for _ in range(2):
        c = BoltClient(s.addr)
        c.handshake([bytes([0, 0, 8, 5])])
        c.send(hello())
        c.expect("SUCCESS")
        c.send(msg("GOODBYE"))
        c.close()
    s.expect_exit(0)
    # concurrent connections are fine too
    s = t.stub(script)
    cs = [BoltClient(s.addr) for _ in range(2)]
    for c in cs:
        c.handshake([bytes([0, 0, 8, 5])])
    for c in cs:
        c.send(hello())
    for c in cs:
        c.expect("SUCCESS")
        c.close()
    s.expect_exit(0)
    # only one of two: fails (after the timeout)
    s = t.stub(script, "--timeout", "0.5")
    c = BoltClient(s.addr)
    c.handshake([bytes([0, 0, 8, 5])])
    c.send(hello())
    c.expect("SUCCESS")
    c.close()
    err = s.expect_exit(1)
    check("expected 2 connections, got 1" in err, "report: %s" % err)
    # one connection too many
    s = t.stub(script.replace("CONNECTIONS 2", "CONNECTIONS 1"))
    c1 = BoltClient(s.addr)
    c1.handshake([bytes([0, 0, 8, 5])])
    c2 = BoltClient(s.addr)
    c2.write(MAGIC)
    c1.send(hello())
    err = s.expect_exit(1)
    check("opened connection 2 but the script allows 1" in err, "report: %s" % err)
    c1.close()
    c2.close()
    # a range: 1..3 connections, ended by SIGTERM after one
    s = t.stub(script.replace("CONNECTIONS 2", "CONNECTIONS 1-3"), process=True)
    c = BoltClient(s.addr)
    c.handshake([bytes([0, 0, 8, 5])])
    c.send(hello())
    c.expect("SUCCESS")
    c.close()
    time.sleep(0.3)
    s.terminate()
    s.expect_exit(0)


@test
def script_errors(t):
    bad = [
        ("C: HELLO {}\n", "BOLT"),
        ("!: BOLT 5.8\nC: HELLO {\"a\": }\n", "line 2"),
        ("!: BOLT 5.8\nC: HELO {}\n", "unknown message"),
        ("!: BOLT 5.8\nS: <FOO>\n", "unknown command"),
        ("!: BOLT 5.8\nS: <EXIT>\nC: HELLO {}\n", "nothing may follow"),
        ("!: BOLT 5.8\n!: WHAT\n", "unknown directive"),
        ("!: BOLT 5.8\nC: HELLO {\"#struct\": \"4E\", \"fields\": 3}\n", "fields must be a list"),
        ("!: BOLT 5.8\nX: HELLO\n", "line 2"),
    ]
    for n, (text, want) in enumerate(bad):
        path = os.path.join(t.tmp, "bad.script")
        with open(path, "w") as f:
            f.write(text)
        if n == 0:      # once through the command line
            p = subprocess.run([sys.executable, STUB, path], capture_output=True, text=True,
                               timeout=10)
            rc, out, err = p.returncode, p.stdout, p.stderr
        else:
            o, e = io.StringIO(), io.StringIO()
            rc = boltstub.run([path], stdout=o, stderr=e, install_signals=False)
            out, err = o.getvalue(), e.getvalue()
        check(rc == 2 and want in err and out == "",
              "script %r: rc %d, stderr %r" % (text, rc, err))


# -- TLS -------------------------------------------------------------------

def make_cert(tmp, name="localhost"):
    cert = os.path.join(tmp, name + ".pem")
    key = os.path.join(tmp, name + ".key")
    if not os.path.exists(cert):
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:prime256v1", "-nodes",
                        "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=" + name,
                        "-addext", "subjectAltName=DNS:%s,IP:127.0.0.1" % name],
                       check=True, capture_output=True, timeout=60)
    return cert, key


@test
@slow
def tls(t):
    if not shutil.which("openssl"):
        return "SKIP no openssl"
    cert, key = make_cert(t.tmp)
    script = "!: BOLT 5.8\nC: HELLO \"*\"\nS: SUCCESS {}\n"
    # trusted
    s = t.stub(script, "--cert", cert, "--key", key)
    ctx = ssl.create_default_context(cafile=cert)
    c = BoltClient(s.addr, tls_context=ctx)
    check(c.sock.version() in ("TLSv1.2", "TLSv1.3"), "TLS version %s" % c.sock.version())
    eq(c.handshake([bytes([0, 0, 8, 5])]), b"\x00\x00\x08\x05")
    c.send(hello())
    c.expect("SUCCESS")
    c.close()
    s.expect_exit(0)
    # rejected by the client: a failure, unless allowed
    for allow, code in ((None, 1), ("--expect-tls-failure", 0), ("TLS_MAY_FAIL", 0)):
        text = ("!: TLS_MAY_FAIL\n" + script) if allow == "TLS_MAY_FAIL" else script
        extra = [allow] if allow == "--expect-tls-failure" else []
        s = t.stub(text, "--cert", cert, "--key", key, *extra)
        try:
            BoltClient(s.addr, tls_context=ssl.create_default_context())
            raise AssertionError("the client should reject the self-signed certificate")
        except ssl.SSLCertVerificationError:
            pass
        err = s.expect_exit(code)
        if code == 1:
            check("TLS handshake failed" in err, "report: %s" % err)
    # plaintext client on a TLS stub
    s = t.stub(script, "--cert", cert, "--key", key)
    c = BoltClient(s.addr)
    c.write(MAGIC + bytes(16))
    c.read_until_eof()
    err = s.expect_exit(1)
    check("TLS handshake failed" in err, "report: %s" % err)
    # TLS client on a plaintext stub
    s = t.stub(script)
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    try:
        BoltClient(s.addr, tls_context=ctx, timeout=2)
    except (ssl.SSLError, OSError, EOFError):
        pass
    err = s.expect_exit(1)
    check("TLS ClientHello" in err, "report: %s" % err)


# -- the runner ------------------------------------------------------------

@test
@slow
def runner_with_fake_client(t):
    bindir = os.path.join(t.tmp, "bin")
    os.makedirs(bindir, exist_ok=True)
    wrapper = os.path.join(bindir, "neo4j-query")
    with open(wrapper, "w") as f:
        f.write('#!/bin/sh\nexec "%s" "%s" --fake-client "$@"\n' % (sys.executable,
                                                                     os.path.abspath(__file__)))
    os.chmod(wrapper, 0o755)
    certs = None
    if shutil.which("openssl"):
        certs = os.path.join(t.tmp, "certs")
        os.makedirs(certs, exist_ok=True)
        make_cert(certs)
    examples = sorted(os.path.join(HERE, "examples", f)
                      for f in os.listdir(os.path.join(HERE, "examples"))
                      if f.endswith(".script"))
    check(examples, "example scripts exist")
    cmd = [sys.executable, RUNNER, "-j", "4", "--bin", bindir, "--certs", certs or t.tmp]
    cmd += examples
    env = dict(os.environ, TMPDIR=t.tmp)          # the runner's work dirs go away with ours
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=env)
    if p.returncode != 0:
        raise AssertionError("runner failed:\n" + p.stdout + p.stderr)
    oks = [l for l in p.stdout.splitlines() if l.startswith("ok ")]
    eq(len(oks), len(examples), "ok lines")
    # a failing script: not ok + diagnostics + exit 1
    failing = os.path.join(t.tmp, "failing.script")
    with open(failing, "w") as f:
        f.write("""#> run: {bin}/neo4j-query {url} 'RETURN 2 AS y'
#> env: NEO4J_USER=neo4j NEO4J_PASSWORD=pass
#> stdout: {"y":{"Z":"2"}}
!: BOLT 5.8
C: HELLO {"user_agent": "*", "bolt_agent": "*"}
   LOGON {"scheme": "basic", "principal": "neo4j", "credentials": "pass"}
S: SUCCESS {"server": "Neo4j/5.26.0"}
   SUCCESS {}
C: RUN "RETURN 1 AS x" {} {}
   PULL {"n": 1000}
S: SUCCESS {"fields": ["x"]}
   RECORD [1]
   SUCCESS {}
""")
    p = subprocess.run([sys.executable, RUNNER, "--bin", bindir, failing],
                       capture_output=True, text=True, timeout=60, env=env)
    check(p.returncode == 1, "runner exit %d for a failing script" % p.returncode)
    out = p.stdout
    check("not ok 1 - failing" in out, out)
    check('# stub exit status 1, expected 0: line 9: expected C: RUN "RETURN 1 AS x" {} {} '
          'but got C: RUN "RETURN 2 AS y"' in out, "stub report in diagnostics:\n" + out)


# ---------------------------------------------------------------------------
# Fake neo4j-query (for the runner test)

def jolt(v):
    if v is None:
        return None
    if isinstance(v, bool):
        return {"?": "true" if v else "false"}
    if isinstance(v, int):
        return {"Z": str(v)}
    if isinstance(v, float):
        return {"R": repr(v)}
    if isinstance(v, str):
        return {"U": v}
    if isinstance(v, bytes):
        return {"#": v.hex().upper()}
    if isinstance(v, list):
        return {"[]": [jolt(x) for x in v]}
    if isinstance(v, dict):
        return {"{}": {k: jolt(x) for k, x in v.items()}}
    if isinstance(v, Structure) and v.tag == 0x4E:
        ident = v.fields[3] if len(v.fields) > 3 else v.fields[0]     # element id (5.0+)
        return {"()": [ident, v.fields[1], {k: jolt(x) for k, x in v.fields[2].items()}]}
    return {"?struct": "%02X" % v.tag}


def fake_client(argv):
    fetch = 1000
    args = list(argv)
    if args and args[0] == "--fetch-size":
        fetch = int(args[1])
        args = args[2:]
    url, query = args
    m = re.fullmatch(r"(bolt|neo4j)(\+s|\+ssc)?://([^:/]+):(\d+)", url)
    if not m:
        sys.stderr.write("bad url %s\n" % url)
        return 2
    ctx = None
    if m.group(2) == "+ssc":
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    elif m.group(2) == "+s":
        ctx = ssl.create_default_context(cafile=os.environ.get("NEO4J_CA"))
    try:
        c = BoltClient("%s:%s" % (m.group(3), m.group(4)), tls_context=ctx,
                       server_hostname=m.group(3))
    except (OSError, ssl.SSLError) as e:
        sys.stderr.write("connection failed: %s\n" % e)
        return 1
    props = [b"\x00\x00\x01\xFF", bytes([0, 8, 8, 5]), bytes([0, 0, 4, 4])]
    reply = c.handshake(props)
    if reply == b"\x00\x00\x01\xFF":
        n = c.read_varint()
        ranges = [c.read_exact(4) for _ in range(n)]
        c.read_varint()
        best = max(((r[3], r[2]) for r in ranges if (r[3], r[2]) <= (6, 0)))
        version = best
        c.write(bytes([0, 0, best[1], best[0]]) + b"\x00")
    elif reply == b"\x00\x00\x00\x00":
        sys.stderr.write("no common Bolt version\n")
        return 1
    else:
        version = (reply[3], reply[2])
    agent = {"product": "fake/1.0", "platform": "linux", "language": "Python"}
    auth = {"scheme": "basic", "principal": os.environ.get("NEO4J_USER", ""),
            "credentials": os.environ.get("NEO4J_PASSWORD", "")}
    if version >= (5, 1):
        c.send(msg("HELLO", {"user_agent": "fake/1.0", "bolt_agent": agent}),
               msg("LOGON", auth))
        replies = [c.recv(), c.recv()]
    else:
        h = {"user_agent": "fake/1.0"}
        h.update(auth)
        c.send(msg("HELLO", h))
        replies = [c.recv()]
    for r in replies:
        if r.tag == 0x7F:
            sys.stderr.write("error: %s: %s\n" % (r.fields[0].get("code"),
                                                  r.fields[0].get("message")))
            return 1
    c.send(msg("RUN", query, {}, {}), msg("PULL", {"n": fetch}))
    head = c.recv()
    if head.tag == 0x7F:
        sys.stderr.write("error: %s: %s\n" % (head.fields[0].get("code"),
                                              head.fields[0].get("message")))
        return 1
    fields = head.fields[0]["fields"]
    while True:
        r = c.recv()
        if r.tag == 0x71:
            print(json.dumps({k: jolt(v) for k, v in zip(fields, r.fields[0])},
                             separators=(",", ":")))
            continue
        if r.tag == 0x7F:
            sys.stderr.write("error: %s\n" % r.fields[0].get("code"))
            return 1
        if r.fields[0].get("has_more"):
            c.send(msg("PULL", {"n": fetch}))
            continue
        break
    c.send(msg("GOODBYE"))
    c.close()
    return 0


# ---------------------------------------------------------------------------
# Main

class Ctx:
    def __init__(self, tmp):
        self.tmp = tmp
        self.stubs = []

    def stub(self, text, *args, process=False):
        """A stub for the script text: in this process unless process=True."""
        s = (StubProc if process else InProcStub)(text, *args, tmp=self.tmp)
        self.stubs.append(s)
        return s

    def cleanup(self):
        for s in self.stubs:
            s.kill()


def run_test(fn, tmp):
    """Returns (status, seconds, diagnostics); status is ok / skip / fail."""
    ctx = Ctx(tempfile.mkdtemp(prefix=fn.__name__ + "-", dir=tmp))
    t0 = time.monotonic()
    try:
        r = fn(ctx)
        if isinstance(r, str) and r.startswith("SKIP"):
            return "skip", time.monotonic() - t0, r[4:].strip()
        return "ok", time.monotonic() - t0, ""
    except Exception:
        return "fail", time.monotonic() - t0, traceback.format_exc()
    finally:
        ctx.cleanup()


def main(argv):
    global VERBOSE
    if argv and argv[0] == "--fake-client":
        return fake_client(argv[1:])
    jobs = 8
    rest = []
    for a in argv:
        if a == "-v":
            VERBOSE = True
        elif a.startswith("-j"):
            jobs = max(1, int(a[2:]))
        else:
            rest.append(a)
    tests = [f for f in TESTS if not rest or any(a in f.__name__ for a in rest)]
    print("1..%d" % len(tests), flush=True)
    failed = 0
    tmp = tempfile.mkdtemp(prefix="stub-selftest-")
    t_start = time.monotonic()
    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
            futures = {}
            for fn in sorted(tests, key=lambda f: f not in SLOW):
                futures[fn] = pool.submit(run_test, fn, tmp)
            for n, fn in enumerate(tests, 1):
                status, secs, diag = futures[fn].result()
                timing = " (%.2f s)" % secs if VERBOSE else ""
                if status == "skip":
                    print("ok %d - %s # SKIP %s" % (n, fn.__name__, diag))
                elif status == "ok":
                    print("ok %d - %s%s" % (n, fn.__name__, timing))
                else:
                    failed += 1
                    print("not ok %d - %s%s" % (n, fn.__name__, timing))
                    for line in diag.rstrip().splitlines():
                        print("# " + line)
                sys.stdout.flush()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("# %d tests, %d failed, %.1f s" % (len(tests), failed, time.monotonic() - t_start))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
