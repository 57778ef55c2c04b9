#!/usr/bin/env python3
"""Scripted Bolt stub server for the neo4j_fdw tests.

    python3 test/stub/boltstub.py [--listen HOST:PORT] [--cert CERT.pem --key KEY.pem]
                                  [--timeout SECONDS] [--log FILE] [--verbose]
                                  [--expect-tls-failure] SCRIPT

Plays the conversation in SCRIPT (see README.md in this directory) with
every client connection, checks each client message against the script and
exits 0 when the conversation went as scripted, 1 with a divergence report
on stderr otherwise, 2 on a bad command line or script.

Standard library only (Python 3.11).
"""

import argparse
import json
import os
import re
import select
import signal
import socket
import ssl
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import packstream as ps  # noqa: E402

MAGIC = b"\x60\x60\xB0\x17"
MANIFEST_V1 = b"\x00\x00\x01\xFF"
REPORT_LIMIT = 300      # characters per value in reports / verbose output
LOG_LIMIT = 2000        # characters per value in the --log file


class ScriptError(Exception):
    pass


class Divergence(Exception):
    """The client did not do what the script says: the run fails."""


class Stopped(Exception):
    """SIGTERM/SIGINT arrived while waiting."""


class IdleTimeout(Exception):
    pass


class ClientClosed(Exception):
    def __init__(self, how="closed the connection"):
        super().__init__(how)
        self.how = how


# ---------------------------------------------------------------------------
# Script model

class ClientStep:
    def __init__(self, line, text, tag, fields, rest_any, optional):
        self.line = line
        self.text = text          # "NAME fields..." as written (whitespace collapsed)
        self.tag = tag
        self.fields = fields      # patterns (PackStream values, "*" = anything)
        self.rest_any = rest_any  # a bare * at the end: any further fields
        self.optional = optional
        self.responses = []       # ServerSteps played only if an optional step matched

    def describe(self):
        return "%s: %s" % ("*" if self.optional else "C", self.text)


class ServerStep:
    def __init__(self, line, text, kind, value=None):
        self.line = line
        self.text = text
        self.kind = kind          # "msg", "noop", "raw", "sleep", "exit"
        self.value = value        # encoded message bytes / raw bytes / seconds


class Script:
    def __init__(self):
        self.path = None
        self.version = None                # (major, minor)
        self.handshake_bytes = None        # !: HANDSHAKE
        self.handshake_raw = None          # !: HANDSHAKE_RAW
        self.manifest_versions = None      # list of 4-byte ranges
        self.conn_min = 1
        self.conn_max = 1
        self.chunk_size = ps.MAX_CHUNK
        self.tls_may_fail = False
        self.tls_must_fail = False
        self.steps = []


_NAME_RE = re.compile(r"^(<[A-Za-z_]+>|0[xX][0-9A-Fa-f]{1,2}|[A-Za-z_][A-Za-z0-9_]*)(?:\s+|$)")


def _bracket_depth(text):
    """Net count of open [ and { outside JSON strings (for multi-line values)."""
    depth = 0
    in_str = False
    esc = False
    for ch in text:
        if in_str:
            if esc:
                esc = False
            elif ch == "\\":
                esc = True
            elif ch == '"':
                in_str = False
        elif ch == '"':
            in_str = True
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
    return depth


def parse_fields(text, line):
    """JSON values separated by whitespace; a bare * may end the list."""
    dec = json.JSONDecoder()
    fields = []
    rest_any = False
    pos = 0
    n = len(text)
    while True:
        while pos < n and text[pos].isspace():
            pos += 1
        if pos >= n:
            break
        if text[pos] == "*" and (pos + 1 == n or text[pos + 1].isspace()):
            rest = text[pos + 1:].strip()
            if rest:
                raise ScriptError("line %d: a bare * must be the last field" % line)
            rest_any = True
            break
        try:
            obj, end = dec.raw_decode(text, pos)
        except json.JSONDecodeError as e:
            raise ScriptError("line %d: bad JSON value at column %d: %s (in %r)"
                              % (line, pos + 1, e.msg, text[pos:pos + 60]))
        if end < n and not text[end].isspace():
            raise ScriptError("line %d: values must be separated by spaces (column %d)"
                              % (line, end + 1))
        try:
            fields.append(ps.from_json(obj))
        except ValueError as e:
            raise ScriptError("line %d: %s" % (line, e))
        pos = end
    return fields, rest_any


def parse_version(text, line):
    m = re.fullmatch(r"(\d+)\.(\d+)", text.strip())
    if not m:
        raise ScriptError("line %d: a Bolt version looks like 5.8, got %r" % (line, text))
    major, minor = int(m.group(1)), int(m.group(2))
    if not (1 <= major <= 254 and 0 <= minor <= 255):
        raise ScriptError("line %d: version out of range: %s" % (line, text))
    return major, minor


def parse_version_range(text, line):
    """'5.8-5.0' or '5.8' -> 4 handshake bytes."""
    parts = text.split("-")
    hi = parse_version(parts[0], line)
    lo = hi
    if len(parts) == 2:
        lo = parse_version(parts[1], line)
    elif len(parts) > 2:
        raise ScriptError("line %d: bad version range %r" % (line, text))
    if lo[0] != hi[0] or lo[1] > hi[1]:
        raise ScriptError("line %d: a range stays within one major version: %r" % (line, text))
    return bytes([0, hi[1] - lo[1], hi[1], hi[0]])


def _directive(script, text, line):
    parts = text.split(None, 1)
    if not parts:
        raise ScriptError("line %d: empty directive" % line)
    name = parts[0].upper()
    arg = parts[1].strip() if len(parts) > 1 else ""
    if name == "BOLT":
        script.version = parse_version(arg, line)
    elif name == "HANDSHAKE":
        try:
            script.handshake_bytes = bytes.fromhex("".join(arg.split()))
        except ValueError:
            raise ScriptError("line %d: HANDSHAKE takes hex bytes, got %r" % (line, arg))
    elif name == "HANDSHAKE_RAW":
        try:
            s = json.loads(arg)
        except json.JSONDecodeError:
            s = None
        if not isinstance(s, str):
            raise ScriptError("line %d: HANDSHAKE_RAW takes a JSON string, e.g. "
                              "\"HTTP/1.1 400 Bad Request\\r\\n\\r\\n\"" % line)
        script.handshake_raw = s.encode("utf-8")
    elif name == "CONNECTIONS":
        m = re.fullmatch(r"(\d+)(?:\s*-\s*(\d+))?", arg)
        if not m:
            raise ScriptError("line %d: CONNECTIONS takes N or MIN-MAX" % line)
        lo = int(m.group(1))
        hi = int(m.group(2)) if m.group(2) is not None else lo
        if hi < 1 or lo > hi:
            raise ScriptError("line %d: bad CONNECTIONS range" % line)
        script.conn_min, script.conn_max = lo, hi
    elif name == "CHUNK_SIZE":
        if not arg.isdigit() or not 1 <= int(arg) <= ps.MAX_CHUNK:
            raise ScriptError("line %d: CHUNK_SIZE takes 1..65535" % line)
        script.chunk_size = int(arg)
    elif name == "TLS_MAY_FAIL":
        script.tls_may_fail = True
    elif name == "TLS_MUST_FAIL":
        script.tls_must_fail = True
    elif name == "MANIFEST_VERSIONS":
        if not arg:
            raise ScriptError("line %d: MANIFEST_VERSIONS takes versions like 6.0 5.8-5.0 4.4"
                              % line)
        script.manifest_versions = [parse_version_range(p, line) for p in arg.split()]
    else:
        raise ScriptError("line %d: unknown directive %r" % (line, parts[0]))


def _server_step(text, line, chunk_size):
    m = _NAME_RE.match(text)
    if not m:
        raise ScriptError("line %d: expected a message name or <COMMAND>, got %r" % (line, text))
    name = m.group(1)
    rest = text[m.end():].strip()
    if name.startswith("<"):
        cmd = name.upper()
        if cmd == "<NOOP>":
            if rest:
                raise ScriptError("line %d: <NOOP> takes no argument" % line)
            return ServerStep(line, text, "noop", b"\x00\x00")
        if cmd == "<RAW>":
            try:
                return ServerStep(line, text, "raw", bytes.fromhex("".join(rest.split())))
            except ValueError:
                raise ScriptError("line %d: <RAW> takes hex bytes" % line)
        if cmd == "<SLEEP>":
            try:
                secs = float(rest)
            except ValueError:
                raise ScriptError("line %d: <SLEEP> takes seconds" % line)
            if not 0 <= secs < 3600:
                raise ScriptError("line %d: bad <SLEEP> duration" % line)
            return ServerStep(line, text, "sleep", secs)
        if cmd in ("<EXIT>", "<CLOSE>"):
            if rest:
                raise ScriptError("line %d: %s takes no argument" % (line, cmd))
            return ServerStep(line, text, "exit")
        raise ScriptError("line %d: unknown command %s (known: <NOOP> <RAW> <SLEEP> <EXIT>)"
                          % (line, name))
    tag = _tag_of(name, line)
    fields, rest_any = parse_fields(rest, line)
    if rest_any:
        raise ScriptError("line %d: a bare * is only allowed in client lines" % line)
    if len(fields) > 15:
        raise ScriptError("line %d: a message has at most 15 fields" % line)
    try:
        payload = ps.pack(ps.Structure(tag, fields))
    except ps.PackStreamError as e:
        raise ScriptError("line %d: %s" % (line, e))
    return ServerStep(line, text, "msg", ps.chunk_message(payload, chunk_size))


def _tag_of(name, line):
    if name.lower().startswith("0x"):
        return int(name[2:], 16)
    tag = ps.SIGNATURES.get(name.upper())
    if tag is None:
        raise ScriptError("line %d: unknown message %r (use a known name or 0xNN)" % (line, name))
    return tag


def _client_step(text, line, optional):
    m = _NAME_RE.match(text)
    if not m or m.group(1).startswith("<"):
        raise ScriptError("line %d: expected a client message name, got %r" % (line, text))
    name = m.group(1)
    tag = _tag_of(name, line)
    fields, rest_any = parse_fields(text[m.end():], line)
    disp = name.upper() if not name.lower().startswith("0x") else name
    rest = text[m.end():].strip()
    return ClientStep(line, (disp + " " + rest).strip(), tag, fields, rest_any, optional)


def parse_script(source, path="<script>"):
    script = Script()
    script.path = path
    raw_lines = source.splitlines()
    # 1. logical lines: (line number, role, text)
    logical = []
    role = None
    i = 0
    while i < len(raw_lines):
        lineno = i + 1
        raw = raw_lines[i]
        i += 1
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        m = re.match(r"^(!|C|S|\*):(.*)$", stripped)
        if m and not raw[:1].isspace():
            role = m.group(1)
            text = m.group(2).strip()
        elif m:
            raise ScriptError("line %d: role prefixes (%s:) must start in column 1"
                              % (lineno, m.group(1)))
        elif raw[:1].isspace():
            if role is None or role == "!":
                raise ScriptError("line %d: indented continuation line without a C:/S:/*: line "
                                  "before it" % lineno)
            text = stripped
        else:
            raise ScriptError("line %d: expected a line starting with C:, S:, *:, !: or #, got %r"
                              % (lineno, raw))
        # multi-line JSON values: join lines while brackets are open
        while role != "!" and _bracket_depth(text) > 0 and i < len(raw_lines):
            nxt = raw_lines[i].strip()
            i += 1
            if nxt.startswith("#"):
                continue
            text = text + " " + nxt
        if role != "!" and _bracket_depth(text) != 0:
            raise ScriptError("line %d: unbalanced brackets in %r" % (lineno, text[:80]))
        logical.append((lineno, role, text))

    # 2. steps
    pending_optional = None
    directives_done = False
    for lineno, role, text in logical:
        if role == "!":
            if directives_done:
                raise ScriptError("line %d: directives (!:) must come before the conversation"
                                  % lineno)
            _directive(script, text, lineno)
            continue
        directives_done = True
        if role == "S":
            st = _server_step(text, lineno, script.chunk_size)
            if pending_optional is not None:
                pending_optional.responses.append(st)
            else:
                script.steps.append(st)
        else:
            st = _client_step(text, lineno, optional=(role == "*"))
            script.steps.append(st)
            pending_optional = st if role == "*" else None

    # 3. checks
    if script.version is None and script.handshake_bytes is None \
            and script.handshake_raw is None:
        raise ScriptError("%s: the script needs a `!: BOLT x.y` directive" % path)
    if script.handshake_bytes is not None and script.handshake_raw is not None:
        raise ScriptError("use only one of !: HANDSHAKE and !: HANDSHAKE_RAW")
    for idx, st in enumerate(script.steps):
        if isinstance(st, ServerStep) and st.kind == "exit" and idx != len(script.steps) - 1:
            raise ScriptError("line %d: nothing may follow <EXIT> (line %d)"
                              % (st.line, script.steps[idx + 1].line))
    # a trailing GOODBYE is optional: the client may just close
    for st in reversed(script.steps):
        if isinstance(st, ClientStep) and st.tag == ps.REQUESTS["GOODBYE"] and not st.responses:
            st.optional = True
            continue
        if isinstance(st, ClientStep) and st.optional:
            continue
        break
    if script.manifest_versions is not None and script.version is not None:
        if not any(_range_contains(r, script.version) for r in script.manifest_versions):
            raise ScriptError("MANIFEST_VERSIONS does not include the BOLT version %d.%d"
                              % script.version)
    return script


def load_script(path):
    with open(path, encoding="utf-8") as f:
        return parse_script(f.read(), path)


# ---------------------------------------------------------------------------
# Matching

def _clip(text, n):
    return text if len(text) <= n else text[:n] + "...(%d chars)" % len(text)


def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def _type_name(v):
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "boolean"
    if _is_int(v):
        return "integer"
    if isinstance(v, float):
        return "float"
    if isinstance(v, str):
        return "string"
    if isinstance(v, (bytes, bytearray)):
        return "bytes"
    if isinstance(v, list):
        return "list"
    if isinstance(v, dict):
        return "map"
    if isinstance(v, ps.Structure):
        return "structure 0x%02X" % v.tag
    return type(v).__name__


def match_value(pat, val, path):
    """None if val matches the pattern, else a description of the first difference."""
    if isinstance(pat, str) and pat == "*":
        return None
    show = lambda v: ps.render_value(v, 80)  # noqa: E731
    if isinstance(pat, dict):
        if not isinstance(val, dict):
            return "%s: expected a map, got %s %s" % (path or "value", _type_name(val), show(val))
        allowed = set()
        for k, p in pat.items():
            if len(k) > 2 and k.startswith("[") and k.endswith("]"):
                key = k[1:-1]
                allowed.add(key)
                if key in val:
                    err = match_value(p, val[key], "%s.%s" % (path, key))
                    if err:
                        return err
            else:
                allowed.add(k)
                if k not in val:
                    return "%s: missing key %s" % (path or "map", json.dumps(k))
                err = match_value(p, val[k], "%s.%s" % (path, k))
                if err:
                    return err
        extra = [k for k in val if k not in allowed]
        if extra:
            return "%s: unexpected key %s = %s" % (path or "map", json.dumps(extra[0]),
                                                    show(val[extra[0]]))
        return None
    if isinstance(pat, list):
        if not isinstance(val, list):
            return "%s: expected a list, got %s %s" % (path or "value", _type_name(val), show(val))
        if len(pat) != len(val):
            return "%s: expected a list of %d items, got %d" % (path or "list", len(pat), len(val))
        for i, (p, v) in enumerate(zip(pat, val)):
            err = match_value(p, v, "%s[%d]" % (path, i))
            if err:
                return err
        return None
    if isinstance(pat, ps.Structure):
        if not isinstance(val, ps.Structure):
            return "%s: expected a structure 0x%02X, got %s %s" % (
                path or "value", pat.tag, _type_name(val), show(val))
        if pat.tag != val.tag:
            return "%s: expected structure tag 0x%02X, got 0x%02X" % (path or "value",
                                                                      pat.tag, val.tag)
        if len(pat.fields) != len(val.fields):
            return "%s: expected %d structure fields, got %d" % (
                path or "value", len(pat.fields), len(val.fields))
        for i, (p, v) in enumerate(zip(pat.fields, val.fields)):
            err = match_value(p, v, "%s<%d>" % (path, i))
            if err:
                return err
        return None
    if ps.strict_equal(pat, val):
        return None
    if _type_name(pat) != _type_name(val):
        return "%s: expected %s %s, got %s %s" % (path or "value", _type_name(pat), show(pat),
                                                  _type_name(val), show(val))
    return "%s: expected %s, got %s" % (path or "value", show(pat), show(val))


def match_message(step, msg):
    if step.tag != msg.tag:
        return "message differs"
    n = len(step.fields)
    if step.rest_any:
        if len(msg.fields) < n:
            return "expected at least %d fields, got %d" % (n, len(msg.fields))
    elif len(msg.fields) != n:
        return "expected %d fields, got %d" % (n, len(msg.fields))
    for i, (p, v) in enumerate(zip(step.fields, msg.fields)):
        err = match_value(p, v, "field %d" % (i + 1))
        if err:
            return err
    return None


def _range_contains(r, version):
    major, minor = version
    return r[3] == major and r[2] - r[1] <= minor <= r[2]


def describe_proposal(b):
    if b == b"\x00\x00\x00\x00":
        return "none"
    if b[3] == 0xFF:
        return "manifest v%d" % b[2]
    if b[1]:
        return "%d.%d-%d.%d" % (b[3], b[2], b[3], max(b[2] - b[1], 0))
    return "%d.%d" % (b[3], b[2])


# ---------------------------------------------------------------------------
# Server

class Server:
    def __init__(self, script, args, err=None):
        self.script = script
        self.args = args
        self.err = err or sys.stderr
        self.timeout = args.timeout
        self.batch_wait = args.batch_wait
        self.stop = threading.Event()
        self.signalled = False
        self.lock = threading.Lock()
        self.failures = []
        self.log_file = open(args.log, "a", encoding="utf-8", buffering=1) if args.log else None
        self.multi = script.conn_max > 1
        self.ssl_ctx = None
        if args.cert:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.minimum_version = ssl.TLSVersion.TLSv1_2
            ctx.load_cert_chain(args.cert, args.key)
            self.ssl_ctx = ctx
        self.tls_may_fail = script.tls_may_fail or args.expect_tls_failure

    def log(self, conn_no, text, verbose=True, short=None):
        """text goes to the --log file; with --verbose also (or short) to stderr."""
        prefix = "[%d] " % conn_no if self.multi and conn_no else ""
        with self.lock:
            if self.log_file:
                self.log_file.write(prefix + text + "\n")
            if verbose and self.args.verbose:
                self.err.write(prefix + (short or text) + "\n")
                self.err.flush()

    def terminate(self):
        """What SIGTERM/SIGINT do: finish what the client sent, then stop."""
        self.signalled = True
        self.stop.set()

    def close(self):
        if self.log_file:
            self.log_file.close()
            self.log_file = None

    def fail(self, conn_no, text):
        with self.lock:
            prefix = "connection %d: " % conn_no if self.multi and conn_no else ""
            self.failures.append(prefix + text)
        self.stop.set()

    def run(self, listener):
        threads = []
        accepted = 0
        deadline = time.monotonic() + self.timeout
        terminated = False
        while accepted < self.script.conn_max:
            stopping = self.stop.is_set()
            if stopping and not self.signalled:
                break           # a connection failed: stop at once
            if not stopping:
                if any(t.is_alive() for t in threads):
                    deadline = time.monotonic() + self.timeout
                elif time.monotonic() > deadline:
                    break
            # after a signal, still take connections already waiting in the backlog
            r, _, _ = select.select([listener], [], [], 0 if stopping else 0.1)
            if not r:
                if stopping:
                    terminated = self.signalled
                    break
                continue
            try:
                sock, addr = listener.accept()
            except OSError:
                continue
            accepted += 1
            conn = Connection(self, sock, addr, accepted)
            t = threading.Thread(target=conn.run, name="conn-%d" % accepted, daemon=True)
            t.start()
            threads.append(t)
        # wait for the connections; one more than allowed is a divergence
        while any(t.is_alive() for t in threads):
            r, _, _ = select.select([listener], [], [], 0.1)
            if r and not self.stop.is_set():
                try:
                    extra, addr = listener.accept()
                except OSError:
                    continue
                extra.close()
                accepted += 1
                self.fail(0, "the client opened connection %d but the script allows %d "
                          "(see !: CONNECTIONS)" % (accepted, self.script.conn_max))
        if not self.failures and accepted < self.script.conn_min:
            why = "terminated" if terminated else "no connection for %g s" % self.timeout
            self.failures.append("expected %s connection%s, got %d (%s)" % (
                self.script.conn_min if self.script.conn_min == self.script.conn_max
                else "at least %d" % self.script.conn_min,
                "" if self.script.conn_min == 1 else "s", accepted, why))
        self.log(0, "--- end: %s" % ("ok" if not self.failures else "FAILED"), verbose=False)
        return not self.failures


class Connection:
    def __init__(self, server, sock, addr, number):
        self.server = server
        self.script = server.script
        self.sock = sock
        self.addr = addr
        self.no = number
        self.timeout = server.timeout
        self.raw = bytearray()          # handshake bytes not yet consumed
        self.dechunker = ps.Dechunker()
        self.out = bytearray()
        self.out_lines = []
        self.new_input = False          # client messages arrived since the last flush
        self.peeked = None
        self.closed = False
        self.history = []               # recent C:/S: lines for the report
        self.step_line = None           # script line being played

    # -- logging ----------------------------------------------------------
    def log(self, text, verbose=True, short=None):
        self.server.log(self.no, text, verbose, short)

    def remember(self, text):
        self.history.append(text)
        if len(self.history) > 12:
            del self.history[0]

    def fail(self, text):
        if self.history:
            text += "\n  last messages on this connection:\n" + "\n".join(
                "    " + h for h in self.history)
        self.log("--- divergence: " + text.splitlines()[0], verbose=False)
        self.server.fail(self.no, text)

    # -- socket primitives --------------------------------------------------
    def _readable(self, timeout):
        """True when data (or EOF) can be read within timeout seconds.

        After SIGTERM/SIGINT, whatever the client already sent is still
        processed; Stopped is raised only when the stub would have to wait."""
        if isinstance(self.sock, ssl.SSLSocket) and self.sock.pending():
            return True
        end = time.monotonic() + timeout
        while True:
            stopping = self.server.stop.is_set()
            left = end - time.monotonic()
            wait = 0 if stopping else max(0.0, min(left, 0.1))
            r, _, _ = select.select([self.sock], [], [], wait)
            if r:
                return True
            if stopping:
                raise Stopped()
            if left <= 0:
                return False

    def recv(self):
        """One network read event; b'' on EOF. Raises IdleTimeout/Stopped."""
        while True:
            if not self._readable(self.timeout):
                raise IdleTimeout()
            try:
                data = self.sock.recv(65536)
            except ssl.SSLWantReadError:
                continue
            except (ConnectionResetError, ConnectionAbortedError):
                raise ClientClosed("reset the connection")
            except ssl.SSLError as e:
                raise ClientClosed("broke the TLS session (%s)" % e)
            except socket.timeout:
                raise IdleTimeout()
            if data:
                self.log("--- read %d bytes" % len(data), verbose=False)
            return data

    def flush(self, handshake=False):
        if not self.out:
            return
        data = bytes(self.out)
        self.out.clear()
        lines = self.out_lines
        self.out_lines = []
        try:
            self.sock.sendall(data)
        except socket.timeout:
            raise ClientClosed("stopped reading: sending %s timed out after %g s"
                               % ("; ".join(lines[:2]) or "the answer", self.timeout))
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, ssl.SSLError) as e:
            raise ClientClosed("closed the connection before the stub could send %s (%s)"
                               % ("; ".join(lines[:2]) or "its answer", e.__class__.__name__))
        if handshake:
            self.log("--- handshake reply", verbose=False)
        elif self.new_input:
            self.log("--- flush", verbose=False)
        else:
            self.log("--- push", verbose=False)
        self.new_input = False

    def send_step(self, st):
        """Queue (or perform) one server step. Returns False after <EXIT>."""
        self.step_line = st.line
        if st.kind in ("msg", "noop", "raw"):
            self.out += st.value
            self.out_lines.append("line %d" % st.line)
            self.log("S: " + st.text, short="S: " + _clip(st.text, REPORT_LIMIT))
            self.remember("S: " + (st.text if len(st.text) < 200 else st.text[:200] + "..."))
            return True
        if st.kind == "sleep":
            self.flush()
            self.log("S: " + st.text)
            end = time.monotonic() + st.value
            while True:
                left = end - time.monotonic()
                if left <= 0:
                    break
                if self.server.stop.is_set():
                    break       # terminating: the client is gone, do not linger
                time.sleep(min(left, 0.05))
            return True
        if st.kind == "exit":
            self.flush()
            self.log("S: <EXIT>")
            return False
        raise AssertionError(st.kind)

    # -- handshake ------------------------------------------------------------
    def read_raw(self, n, what):
        while len(self.raw) < n:
            data = self.recv()
            if not data:
                if not self.raw:
                    raise ClientClosed("closed the connection before sending %s" % what)
                raise ClientClosed("closed the connection in the middle of %s (got %s)"
                                   % (what, self.raw.hex(" ")))
            self.raw += data
        b = bytes(self.raw[:n])
        del self.raw[:n]
        return b

    def read_varint(self, what):
        while True:
            try:
                r = ps.decode_varint(self.raw)
            except ValueError:
                raise Divergence("handshake: %s is not a valid varint (%s)"
                                 % (what, self.raw.hex(" ")))
            if r is not None:
                v, end = r
                del self.raw[:end]
                return v
            data = self.recv()
            if not data:
                raise ClientClosed("closed the connection before sending %s" % what)
            self.raw += data

    def handshake(self):
        """Returns True to go on with the conversation, False when done."""
        sc = self.script
        if sc.handshake_raw is not None:
            # emulate some other service: wait for the first bytes, answer, close
            data = self.recv()
            if not data:
                raise ClientClosed("closed the connection before sending anything")
            self.log("--- handshake: client sent %s" % data[:20].hex(" "), verbose=False)
            self.out += sc.handshake_raw
            self.log("S: <HANDSHAKE_RAW> %s" % json.dumps(sc.handshake_raw.decode("utf-8",
                                                                                     "replace")))
            self.flush(handshake=True)
            return False
        magic = self.read_raw(4, "the Bolt magic 60 60 B0 17")
        if magic != MAGIC:
            more = bytes(self.raw[:40])
            hint = ""
            if (magic + more)[:4] in (b"GET ", b"POST", b"HEAD", b"PUT "):
                hint = " (that is an HTTP request)"
            elif magic[:1] == b"\x16":
                hint = " (that looks like a TLS ClientHello: the client wants TLS, " \
                       "start the stub with --cert/--key)"
            raise Divergence("handshake: expected the Bolt magic 60 60 B0 17, got %s%s"
                             % ((magic + more).hex(" "), hint))
        proposals_raw = self.read_raw(16, "its four version proposals")
        proposals = [proposals_raw[i:i + 4] for i in range(0, 16, 4)]
        offered = ", ".join("%s [%s]" % (describe_proposal(p), p.hex(" ")) for p in proposals)
        self.log("C: <HANDSHAKE> 60 60 B0 17 %s" % proposals_raw.hex(" "))
        self.log("--- handshake: client offers %s" % offered, verbose=False)
        self.remember("C: <HANDSHAKE> offers %s" % offered)
        if sc.handshake_bytes is not None:
            self.out += sc.handshake_bytes
            self.log("S: <HANDSHAKE> %s" % sc.handshake_bytes.hex(" "))
            self.flush(handshake=True)
            return False
        version = sc.version
        choice = None
        for p in proposals:
            if p == MANIFEST_V1:
                if version >= (5, 7):
                    choice = "manifest"
                    break
            elif p[3] != 0xFF and _range_contains(p, version) and version < (6, 0):
                choice = "legacy"
                break
        if choice is None:
            self.out += b"\x00\x00\x00\x00"
            self.log("S: <HANDSHAKE> 00 00 00 00")
            try:
                self.flush(handshake=True)
            except ClientClosed:
                pass
            need = " via the manifest handshake (00 00 01 FF)" if version >= (6, 0) else ""
            raise Divergence("handshake: the script wants Bolt %d.%d%s but the client offered "
                             "%s; answered 00 00 00 00" % (version + (need, offered)))
        if choice == "legacy":
            reply = bytes([0, 0, version[1], version[0]])
            self.out += reply
            self.log("S: <HANDSHAKE> %s  (Bolt %d.%d)" % ((reply.hex(" "),) + version))
            self.flush(handshake=True)
            self.remember("S: <HANDSHAKE> Bolt %d.%d" % version)
        else:
            ranges = sc.manifest_versions or self.default_manifest(version)
            reply = bytearray(MANIFEST_V1)
            reply += ps.encode_varint(len(ranges))
            for r in ranges:
                reply += r
            reply += ps.encode_varint(0)
            self.out += reply
            self.log("S: <HANDSHAKE> %s  (manifest v1: %s)"
                     % (reply.hex(" "), ", ".join(describe_proposal(r) for r in ranges)))
            self.flush(handshake=True)
            self.remember("S: <HANDSHAKE> manifest v1")
            chosen = self.read_raw(4, "its manifest version choice")
            caps = self.read_varint("its manifest capabilities")
            self.log("C: <HANDSHAKE> %s capabilities %d" % (chosen.hex(" "), caps))
            self.remember("C: <HANDSHAKE> chose %s" % chosen.hex(" "))
            if chosen[0] != 0 or chosen[1] != 0:
                raise Divergence("handshake: the client's manifest choice %s must be a single "
                                 "version 00 00 minor major" % chosen.hex(" "))
            got = (chosen[3], chosen[2])
            if got != version:
                raise Divergence("handshake: the script wants Bolt %d.%d but the client chose "
                                 "%d.%d from the manifest" % (version + got))
            if caps != 0:
                raise Divergence("handshake: the client chose capabilities %d but the stub "
                                 "offered none" % caps)
        # anything pipelined behind the handshake belongs to the message stream
        if self.raw:
            self.dechunker.feed(bytes(self.raw))
            self.raw.clear()
        return True

    @staticmethod
    def default_manifest(version):
        out = []
        for r in (b"\x00\x00\x00\x06", b"\x00\x08\x08\x05", b"\x00\x00\x04\x04"):
            major, hi, span = r[3], r[2], r[1]
            if (major, hi - span) > version:
                continue
            if (major, hi) > version:       # cut the range at the script's version
                hi = version[1]
                span = hi - (r[2] - r[1])
            out.append(bytes([0, span, hi, major]))
        return out

    # -- messages -------------------------------------------------------------
    def next_message(self):
        """Next client message (a Structure) or None on EOF."""
        if self.peeked is not None:
            return self.peeked
        while True:
            item = self.dechunker.next()
            if item is not None:
                kind, payload = item
                if kind == "noop":
                    self.log("C: <NOOP>")
                    continue
                try:
                    msg = ps.unpack(payload)
                except ps.PackStreamError as e:
                    raise Divergence("the client sent a message the stub cannot decode (%s): %s"
                                     % (e, payload[:64].hex(" ")))
                if not isinstance(msg, ps.Structure):
                    raise Divergence("the client sent a message that is not a structure: %s"
                                     % ps.render_value(msg, REPORT_LIMIT))
                self.log("C: " + ps.render_message(msg, True, LOG_LIMIT),
                         short="C: " + ps.render_message(msg, True, REPORT_LIMIT))
                self.remember("C: " + ps.render_message(msg, True, 200))
                self.new_input = True
                self.peeked = msg
                return msg
            # need more bytes: answer what is queued first, unless the client is
            # still writing (coalesce pipelined writes into one round trip)
            if self.out:
                if not (self.server.batch_wait > 0 and self._readable(self.server.batch_wait)):
                    self.flush()
            data = self.recv()
            if not data:
                if self.dechunker.mid_message():
                    raise ClientClosed("closed the connection in the middle of a message")
                return None
            self.dechunker.feed(data)

    def consume(self):
        self.peeked = None

    # -- conversation ---------------------------------------------------------
    def run(self):
        try:
            self._run()
        except Exception as e:  # a bug in the stub: report, do not hang
            import traceback
            self.fail("internal error in the stub: %r\n%s" % (e, traceback.format_exc()))
        finally:
            try:
                self.sock.close()
            except OSError:
                pass
            self.log("--- connection %d closed" % self.no, verbose=False)

    def _tls(self):
        ctx = self.server.ssl_ctx
        self.sock.settimeout(self.timeout)
        try:
            self.sock = ctx.wrap_socket(self.sock, server_side=True)
        except (ssl.SSLError, OSError) as e:
            why = str(e) or e.__class__.__name__
            if self.server.tls_may_fail or self.script.tls_must_fail:
                self.log("--- TLS handshake failed as allowed: %s" % why)
                return False
            hint = ""
            if "alert" in why.lower():
                hint = " (the client rejected the stub's certificate; if that is expected, " \
                       "use !: TLS_MAY_FAIL or --expect-tls-failure)"
            elif "wrong version number" in why or "http request" in why.lower():
                hint = " (the client does not speak TLS: use a bolt+s:// or bolt+ssc:// URL, " \
                       "or start the stub without --cert)"
            raise Divergence("TLS handshake failed: %s%s" % (why, hint))
        if self.script.tls_must_fail:
            raise Divergence("TLS handshake succeeded, but the script says TLS_MUST_FAIL "
                             "(the client should have rejected the certificate)")
        self.log("--- TLS %s %s" % (self.sock.version(), self.sock.cipher()[0]), verbose=False)
        return True

    def _run(self):
        self.log("--- connection %d from %s:%d" % ((self.no,) + tuple(self.addr[:2])),
                 verbose=False)
        steps = self.script.steps
        i = 0
        skipped = []        # optional steps skipped since the last match
        try:
            if self.server.ssl_ctx is not None and not self._tls():
                return
            self.sock.settimeout(self.timeout)
            if not self.handshake():
                return
            while i < len(steps):
                st = steps[i]
                if isinstance(st, ServerStep):
                    if not self.send_step(st):
                        return          # <EXIT>
                    i += 1
                    continue
                self.step_line = st.line
                try:
                    msg = self.next_message()
                except ClientClosed:
                    if self._rest_optional(i):
                        msg = None      # a reset counts as a close here
                    else:
                        raise
                if msg is None:
                    if self._rest_optional(i):
                        self.log("--- client closed (remaining script lines are optional)",
                                 verbose=False)
                        return
                    # name the first required line (optional ones before it as alternatives)
                    j = i
                    while isinstance(steps[j], ClientStep) and steps[j].optional:
                        skipped.append(steps[j])
                        j += 1
                    st = steps[j]
                    if isinstance(st, ServerStep):
                        raise Divergence("line %d: the client closed the connection before the "
                                         "stub could send S: %s" % (st.line, _clip(st.text, 200)))
                    raise Divergence("line %d: expected %s but the client closed the connection"
                                     % (st.line, self._expected(skipped, st)))
                err = match_message(st, msg)
                if st.optional:
                    i += 1
                    if err is None:
                        self.consume()
                        skipped = []
                        for r in st.responses:
                            if not self.send_step(r):
                                return
                    else:
                        skipped.append(st)
                    continue
                if err is not None:
                    got = ps.render_message(msg, True, REPORT_LIMIT)
                    detail = "" if err == "message differs" else "\n  (%s)" % err
                    raise Divergence("line %d: expected %s but got C: %s%s"
                                     % (st.line, self._expected(skipped, st), got, detail))
                self.consume()
                skipped = []
                i += 1
            # end of the script: answer, then the client may say GOODBYE and/or close
            self.step_line = None
            try:
                msg = self.next_message()
            except ClientClosed as e:
                self.log("--- client %s" % e.how, verbose=False)
                return
            if msg is None:
                self.log("--- client closed", verbose=False)
                return
            if msg.tag == ps.REQUESTS["GOODBYE"]:
                self.consume()
                self.log("--- client said GOODBYE", verbose=False)
                return
            extra = " (the optional %s did not match)" % "; ".join(
                "line %d %s" % (s.line, s.describe()) for s in skipped) if skipped else ""
            raise Divergence("line %d: the script has ended but the client sent C: %s%s"
                             % (self._last_line(), ps.render_message(msg, True, REPORT_LIMIT),
                                extra))
        except Divergence as e:
            self.fail(str(e))
        except ClientClosed as e:
            where = self._where(i, skipped)
            self.fail("%sthe client %s" % (where, e.how))
        except IdleTimeout:
            where = self._where(i, skipped)
            if where:
                self.fail("%snothing from the client for %g s (timeout)" % (where, self.timeout))
            else:
                self.fail("the script has ended but the client neither closed the connection "
                          "nor sent GOODBYE within %g s (timeout)" % self.timeout)
        except Stopped:
            if not self.server.signalled:
                return      # another connection failed; that one reports
            if self.peeked is None and self._rest_optional(i):
                return      # everything required was played; only the close was missing
            self.fail("%sstub terminated by a signal" % self._where(i, skipped))
        finally:
            try:
                if not self.closed and self.out:
                    self.flush()
            except (ClientClosed, OSError):
                pass

    def _rest_optional(self, i):
        return all(isinstance(s, ClientStep) and s.optional for s in self.script.steps[i:])

    def _expected(self, skipped, st):
        if not skipped:
            return st.describe()
        return "%s (or optional %s)" % (st.describe(), "; ".join(
            "line %d %s" % (s.line, s.text) for s in skipped))

    def _where(self, i, skipped):
        steps = self.script.steps
        if i >= len(steps):
            return ""
        st = steps[i]
        if isinstance(st, ClientStep):
            return "line %d: expected %s, but " % (st.line, self._expected(skipped, st))
        return "line %d: while sending S: %s, " % (st.line, st.text[:200])

    def _last_line(self):
        last = 0
        for st in self.script.steps:
            last = max(last, st.line)
            if isinstance(st, ClientStep):
                for r in st.responses:
                    last = max(last, r.line)
        return last


# ---------------------------------------------------------------------------
# Main

def parse_listen(text):
    m = re.fullmatch(r"\[([^\]]+)\]:(\d+)|([^:]*):(\d+)", text)
    if not m:
        raise argparse.ArgumentTypeError("--listen takes HOST:PORT")
    if m.group(1):
        return m.group(1), int(m.group(2))
    return m.group(3) or "127.0.0.1", int(m.group(4))


def build_arg_parser():
    ap = argparse.ArgumentParser(prog="boltstub.py", description="Scripted Bolt stub server.")
    ap.add_argument("script")
    ap.add_argument("--listen", default="127.0.0.1:0", type=parse_listen,
                    help="HOST:PORT to listen on (port 0: any free port; default 127.0.0.1:0)")
    ap.add_argument("--cert", help="PEM certificate: serve TLS")
    ap.add_argument("--key", help="PEM private key for --cert")
    ap.add_argument("--timeout", type=float, default=10.0,
                    help="fail after this many seconds without activity (default 10)")
    ap.add_argument("--log", help="append a message/round-trip log to this file")
    ap.add_argument("--verbose", "-v", action="store_true",
                    help="log every message on stderr")
    ap.add_argument("--expect-tls-failure", action="store_true",
                    help="a failed TLS handshake counts as success (as !: TLS_MAY_FAIL)")
    ap.add_argument("--batch-wait", type=float, default=0.02,
                    help="seconds to wait for more pipelined client data before answering "
                         "(default 0.02; 0 = answer at once)")
    return ap


def run(argv, stdout=None, stderr=None, on_ready=None, install_signals=True):
    """The whole stub; returns the exit status.

    main() calls it with the process's streams.  selftest.py also runs it in a
    thread (install_signals=False) and stops it with server.terminate() from
    the on_ready(server, "host:port") callback's caller."""
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    ap = build_arg_parser()
    args = ap.parse_args(argv)
    if bool(args.cert) != bool(args.key):
        ap.error("--cert and --key go together")

    try:
        script = load_script(args.script)
    except (OSError, ScriptError) as e:
        stderr.write("boltstub: %s\n" % e)
        return 2

    try:
        server = Server(script, args, stderr)
    except (OSError, ssl.SSLError) as e:
        stderr.write("boltstub: %s\n" % e)
        return 2

    host, port = args.listen
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((host, port))
    except OSError as e:
        listener.close()
        stderr.write("boltstub: cannot listen on %s:%d: %s\n" % (host, port, e))
        return 2
    listener.listen(16)
    listener.setblocking(False)

    if install_signals:
        signal.signal(signal.SIGTERM, lambda signum, frame: server.terminate())
        signal.signal(signal.SIGINT, lambda signum, frame: server.terminate())

    bound = listener.getsockname()
    shown = "[%s]" % bound[0] if family == socket.AF_INET6 else bound[0]
    addr = "%s:%d" % (shown, bound[1])
    server.log(0, "--- stub %s listening on %s" % (args.script, addr), verbose=False)
    stdout.write("listening on %s\n" % addr)
    stdout.flush()
    if on_ready:
        on_ready(server, addr)

    try:
        ok = server.run(listener)
    finally:
        listener.close()
        server.close()
    if ok:
        if args.verbose:
            stderr.write("boltstub: conversation completed as scripted\n")
        return 0
    for f in server.failures:
        stderr.write(f + "\n")
    stderr.write("boltstub: %s: the conversation diverged from the script\n" % args.script)
    stderr.flush()
    return 1


def main():
    return run(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
