#!/usr/bin/env python3
"""Runs Bolt stub conversation tests and prints TAP.

    python3 test/stub/run_stub_tests.py [--bin DIR] [--tools DIR] [--certs DIR]
                                        [-j N] [-v] [SCRIPT ...]

Without SCRIPT arguments every test/stub/scripts/*.script is run.  Each
script carries `#> key: value` header lines telling how to drive the client
and what to expect (see README.md).  For every script the runner starts
boltstub.py on 127.0.0.1 (port 0), runs the client command through
/bin/sh -c, waits for the stub and checks the expectations.

Exit status: 0 when every test passed, 1 otherwise, 2 on usage errors.
Standard library only.
"""

import argparse
import concurrent.futures
import os
import re
import select
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
STUB = os.path.join(HERE, "boltstub.py")

CLIENT_TIMEOUT = 20.0       # seconds the client command may run
STUB_START_TIMEOUT = 10.0   # seconds to wait for "listening on"
STUB_GRACE = 0.5            # seconds the stub may take to finish on its own after the
                            # client exited; then SIGTERM (the stub still processes what
                            # the client sent, then reports where it stands)

MULTI_KEYS = {"stdout", "stdout-exact", "stdout-contains", "stdout-absent",
              "stderr-contains", "stderr-absent", "dead"}
SINGLE_KEYS = {"run", "url", "env", "tls", "exit", "stub-exit", "round-trips", "stub-args",
               "timeout", "stdin", "skip", "stub-timeout"}


class HeaderError(Exception):
    pass


NAME_RE = r"[A-Za-z][A-Za-z0-9_-]*"


def parse_header(path):
    """The `#> key: value` lines of a script, in order.  `#> stub NAME: FILE`
    lines go to multi["stubs"] as (name, file) pairs."""
    single = {}
    multi = {k: [] for k in MULTI_KEYS}
    multi["stubs"] = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.startswith("#>"):
                continue
            body = line[2:].rstrip("\r\n")
            m = re.match(r"\s*stub\s+(%s)\s*:\s*(\S+)\s*$" % NAME_RE, body)
            if m:
                if m.group(1) == "main" or m.group(1) in [s for s, _ in multi["stubs"]]:
                    raise HeaderError("line %d: stub name `%s` used twice (or `main`)" % (n, m.group(1)))
                multi["stubs"].append((m.group(1), m.group(2)))
                continue
            m = re.match(r"\s*([A-Za-z][A-Za-z0-9-]*)\s*:(.*)$", body)
            if not m:
                raise HeaderError("line %d: a header looks like `#> key: value`" % n)
            key = m.group(1).lower()
            value = m.group(2)
            value = value[1:] if value.startswith(" ") else value
            if key in MULTI_KEYS:
                multi[key].append(value)
            elif key in SINGLE_KEYS:
                if key in single:
                    raise HeaderError("line %d: `%s:` given twice" % (n, key))
                single[key] = value.strip()
            else:
                raise HeaderError("line %d: unknown header key `%s`" % (n, key))
    if "run" not in single:
        raise HeaderError("the script has no `#> run:` header")
    for d in multi["dead"]:
        if not re.fullmatch(NAME_RE, d.strip()):
            raise HeaderError("`dead:` takes a name, got %r" % d)
    return single, multi


def reserve_ports(n):
    """n free loopback ports: bound to port 0 together (so distinct), then
    released for the stubs' --listen (a tiny race, fine on a test machine)."""
    socks = []
    try:
        for _ in range(n):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


SCRIPT_PLACEHOLDER = re.compile(r"\{(addr|host|port)(?::(%s))?\}" % NAME_RE)


def substitute_script(text, servers):
    """{addr:NAME}, {host:NAME}, {port:NAME} (and {addr} etc. for the main
    stub) inside a conversation script; unknown names are left alone."""
    def one(m):
        server = servers.get(m.group(2) or "main")
        if server is None:
            return m.group(0)
        return {"addr": "%s:%d" % server, "host": server[0], "port": str(server[1])}[m.group(1)]
    return SCRIPT_PLACEHOLDER.sub(one, text)


def substitute(text, values):
    # plain replacement (not str.format): commands are full of JSON braces
    for k, v in values.items():
        text = text.replace("{" + k + "}", v)
    return text


def count_compare(spec, n):
    m = re.fullmatch(r"\s*(<=|>=|<|>|=)?\s*(\d+)\s*", spec)
    if not m:
        raise HeaderError("round-trips takes N, <=N or >=N, got %r" % spec)
    op, want = m.group(1) or "=", int(m.group(2))
    return {"=": n == want, "<=": n <= want, ">=": n >= want,
            "<": n < want, ">": n > want}[op]


def lines_in_order(expected, output_lines):
    """Index of the first expected line not found (in order), or None."""
    pos = 0
    for i, want in enumerate(expected):
        while pos < len(output_lines) and output_lines[pos] != want:
            pos += 1
        if pos >= len(output_lines):
            return i
        pos += 1
    return None


def kill_group(proc, sig=signal.SIGKILL):
    try:
        os.killpg(proc.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


class Stub:
    """One boltstub.py process."""

    def __init__(self, script, workdir, name, cert=None, key=None, extra=(), timeout=None, port=0):
        self.name = name
        self.log_path = os.path.join(workdir, name + ".log")
        self.err_path = os.path.join(workdir, name + ".stderr")
        cmd = [sys.executable, STUB, "--listen", "127.0.0.1:%d" % port, "--log", self.log_path]
        if cert:
            cmd += ["--cert", cert, "--key", key]
        if timeout:
            cmd += ["--timeout", str(timeout)]
        cmd += list(extra) + [script]
        self.cmd = cmd
        self.err = open(self.err_path, "w")
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=self.err,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
        self.addr = None
        self.rc = None

    def wait_listening(self):
        end = time.monotonic() + STUB_START_TIMEOUT
        buf = b""
        while b"\n" not in buf:
            left = end - time.monotonic()
            if left <= 0:
                raise RuntimeError("the stub did not print `listening on` within %g s"
                                   % STUB_START_TIMEOUT)
            r, _, _ = select.select([self.proc.stdout], [], [], left)
            if r:
                chunk = os.read(self.proc.stdout.fileno(), 4096)
                if not chunk:
                    self.proc.wait()
                    raise RuntimeError("the stub exited (status %s) before listening"
                                       % self.proc.returncode)
                buf += chunk
        line = buf.split(b"\n", 1)[0].decode("utf-8", "replace").strip()
        m = re.fullmatch(r"listening on (.+):(\d+)", line)
        if not m:
            raise RuntimeError("unexpected first line from the stub: %r" % line)
        self.host, self.port = m.group(1), m.group(2)
        self.addr = "%s:%s" % (self.host, self.port)
        return self.addr

    def finish(self):
        """Wait for the stub to end (terminating it if it lingers)."""
        notes = []
        try:
            self.rc = self.proc.wait(STUB_GRACE)
        except subprocess.TimeoutExpired:
            kill_group(self.proc, signal.SIGTERM)
            try:
                self.rc = self.proc.wait(5)
            except subprocess.TimeoutExpired:
                notes.append("the stub ignored SIGTERM; killed")
                kill_group(self.proc)
                self.rc = self.proc.wait()
        self.proc.stdout.close()
        self.err.close()
        return notes

    def stderr_text(self):
        try:
            with open(self.err_path, encoding="utf-8", errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def log_lines(self):
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as f:
                return f.read().splitlines()
        except OSError:
            return []

    def round_trips(self):
        return sum(1 for l in self.log_lines() if re.fullmatch(r"(\[\d+\] )?--- flush", l))


class Result:
    def __init__(self, name):
        self.name = name
        self.ok = True
        self.skip = None
        self.problems = []
        self.diag = []

    def problem(self, text):
        self.ok = False
        self.problems.append(text)


def _block(title, text, limit=60):
    lines = text.rstrip("\n").splitlines()
    if not lines:
        return ["%s: (empty)" % title]
    out = ["%s:" % title]
    if len(lines) > limit:
        out.append("  ... (%d lines omitted)" % (len(lines) - limit))
        lines = lines[-limit:]
    out += ["  " + l for l in lines]
    return out


def run_one(path, opts):
    name = os.path.basename(path)
    if name.endswith(".script"):
        name = name[:-len(".script")]
    res = Result(name)
    try:
        single, multi = parse_header(path)
    except (HeaderError, OSError) as e:
        res.problem("bad header: %s" % e)
        return res
    if "skip" in single:
        res.skip = single["skip"] or "skipped"
        return res

    workdir = tempfile.mkdtemp(prefix="stubtest-%s-" % name)
    values = {
        "bin": opts.bin, "tools": opts.tools, "certs": opts.certs,
        "script": os.path.abspath(path), "dir": os.path.dirname(os.path.abspath(path)),
        "tmp": workdir, "stubdir": HERE,
    }

    # TLS for the stub
    cert = key = None
    if "tls" in single:
        spec = single["tls"].split()
        kv = dict(p.split("=", 1) if "=" in p else ("both", p) for p in spec)
        if "both" in kv:
            kv.setdefault("cert", kv["both"])
            kv.setdefault("key", kv["both"])
        if "cert" not in kv or "key" not in kv:
            res.problem("bad header: tls takes `cert=NAME key=NAME` or `NAME`")
            return res

        def tls_file(v, ext):
            v = substitute(v, values)
            if "/" not in v and not v.endswith((".pem", ".key", ".crt")):
                v += ext
            return v if os.path.isabs(v) else os.path.join(opts.certs, v)
        cert, key = tls_file(kv["cert"], ".pem"), tls_file(kv["key"], ".key")
        for f in (cert, key):
            if not os.path.exists(f):
                res.problem("TLS file %s does not exist (--certs %s)" % (f, opts.certs))
                return res

    extra = shlex.split(substitute(single.get("stub-args", ""), values))
    if opts.stub_verbose and "--verbose" not in extra:
        extra.append("--verbose")
    stub_timeout = single.get("stub-timeout")

    # every stub gets a reserved port first, so that the scripts can name
    # each other's addresses ({addr:NAME}) before any stub starts
    specs = [("main", os.path.abspath(path))]
    for sname, sfile in multi["stubs"]:
        sfile = substitute(sfile, values)
        if not os.path.isabs(sfile):
            sfile = os.path.join(os.path.dirname(os.path.abspath(path)), sfile)
        if not os.path.isfile(sfile):
            res.problem("bad header: stub %s: no such script %s" % (sname, sfile))
            return res
        specs.append((sname, sfile))
    dead = [d.strip() for d in multi["dead"]]
    ports = reserve_ports(len(specs) + len(dead))
    servers = {n: ("127.0.0.1", p) for (n, _), p in zip(specs, ports)}
    servers.update({n: ("127.0.0.1", p) for n, p in zip(dead, ports[len(specs):])})
    for n, (h, p) in servers.items():
        values["addr:" + n] = "%s:%d" % (h, p)
        values["host:" + n] = h
        values["port:" + n] = str(p)

    stubs = []
    for sname, sfile in specs:
        with open(sfile, encoding="utf-8") as f:
            text = f.read()
        subst = substitute_script(text, servers)
        if subst != text:
            sfile = os.path.join(workdir, sname + "-" + os.path.basename(sfile))
            with open(sfile, "w", encoding="utf-8") as f:
                f.write(subst)
        stubs.append(Stub(sfile, workdir, "stub" if sname == "main" else "stub-" + sname, cert, key, extra,
                          stub_timeout, servers[sname][1]))
    stub = stubs[0]
    for st in stubs:
        res.diag.append("stub command: %s" % " ".join(shlex.quote(c) for c in st.cmd))
    try:
        for st in stubs:
            try:
                st.wait_listening()
            except RuntimeError as e:
                for other in stubs:
                    kill_group(other.proc)
                    other.proc.wait()
                res.problem("stub %s: %s" % (st.name, e))
                res.diag += _block("stub %s stderr" % st.name, st.stderr_text())
                return res
        addr = stub.addr
        values.update({"addr": addr, "host": stub.host, "port": stub.port})
        values["url"] = substitute(single.get("url", "bolt://{addr}"), values)

        # the client
        cmd = substitute(single["run"], values)
        env = dict(os.environ)
        for item in shlex.split(single.get("env", "")):
            if "=" not in item:
                res.problem("bad header: env takes KEY=VALUE items, got %r" % item)
                return res
            k, v = item.split("=", 1)
            env[k] = substitute(v, values)
        stdin_data = None
        if "stdin" in single:
            stdin_data = substitute(single["stdin"], values).replace(
                "\\n", "\n").encode("utf-8")
        timeout = float(single.get("timeout", CLIENT_TIMEOUT))
        res.diag.append("client command: %s" % cmd)
        t0 = time.monotonic()
        proc = subprocess.Popen(["/bin/sh", "-c", cmd], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE,
                                stdin=subprocess.PIPE if stdin_data is not None
                                else subprocess.DEVNULL,
                                env=env, start_new_session=True)
        try:
            out, err = proc.communicate(stdin_data, timeout=timeout)
        except subprocess.TimeoutExpired:
            kill_group(proc)
            out, err = proc.communicate()
            res.problem("the client did not finish within %g s (killed)" % timeout)
        elapsed = time.monotonic() - t0
        out = out.decode("utf-8", "replace")
        err = err.decode("utf-8", "replace")
        notes = []
        for st in stubs:
            notes += st.finish()
    finally:
        for st in stubs:
            if st.proc.poll() is None:
                kill_group(st.proc)
                st.proc.wait()

    # expectations (placeholders allowed, e.g. an address in an error message)
    for k in ("stdout", "stdout-exact", "stdout-contains", "stdout-absent",
              "stderr-contains", "stderr-absent"):
        multi[k] = [substitute(v, values) for v in multi[k]]
    want_exit = single.get("exit", "0").strip()
    if want_exit in ("nonzero", "!0", "fail"):
        if proc.returncode == 0:
            res.problem("client exit status 0, expected non-zero")
    else:
        try:
            if proc.returncode != int(want_exit):
                res.problem("client exit status %s, expected %s" % (proc.returncode, want_exit))
        except ValueError:
            res.problem("bad header: exit takes a number or `nonzero`")
    out_lines = [l.rstrip("\r") for l in out.splitlines()]
    if multi["stdout"]:
        miss = lines_in_order(multi["stdout"], out_lines)
        if miss is not None:
            res.problem("stdout line %d not found (in order): %s"
                        % (miss + 1, multi["stdout"][miss]))
    if multi["stdout-exact"]:
        want = "\n".join(multi["stdout-exact"])
        if "\n".join(out_lines) != want:
            res.problem("stdout differs from stdout-exact:")
            res.problem("\n".join("  expected: " + l for l in multi["stdout-exact"]))
    for s in multi["stdout-contains"]:
        if s not in out:
            res.problem("stdout does not contain: %s" % s)
    for s in multi["stdout-absent"]:
        if s in out:
            res.problem("stdout contains (but must not): %s" % s)
    for s in multi["stderr-contains"]:
        if s not in err:
            res.problem("stderr does not contain: %s" % s)
    for s in multi["stderr-absent"]:
        if s in err:
            res.problem("stderr contains (but must not): %s" % s)
    want_stub = single.get("stub-exit", "0").strip()
    if str(stub.rc) != want_stub:
        first = stub.stderr_text().strip().splitlines()
        res.problem("stub exit status %s, expected %s%s" % (
            stub.rc, want_stub, ": " + first[0] if first and stub.rc != 0 else ""))
    for st in stubs[1:]:        # the other stubs must play their scripts through
        if st.rc != 0:
            first = st.stderr_text().strip().splitlines()
            res.problem("stub %s exit status %s, expected 0%s" % (
                st.name, st.rc, ": " + first[0] if first else ""))
    if "round-trips" in single:
        n = stub.round_trips()
        try:
            if not count_compare(single["round-trips"], n):
                res.problem("round trips: %d, expected %s" % (n, single["round-trips"].strip()))
        except HeaderError as e:
            res.problem("bad header: %s" % e)

    for n in notes:
        res.diag.append(n)
    res.diag.append("client exit status %s after %.2f s" % (proc.returncode, elapsed))
    res.diag += _block("client stdout", out)
    res.diag += _block("client stderr", err)
    for st in stubs:
        label = "stub" if st is stub else st.name
        res.diag += _block("%s exit status %s, stderr" % (label, st.rc), st.stderr_text())
        res.diag += _block("%s log (%s)" % (label, st.log_path), "\n".join(st.log_lines()), 40)
    if res.ok and not opts.keep:
        _rmtree(workdir)
    return res


def _rmtree(d):
    for root, dirs, files in os.walk(d, topdown=False):
        for f in files:
            try:
                os.unlink(os.path.join(root, f))
            except OSError:
                pass
        for sub in dirs:
            try:
                os.rmdir(os.path.join(root, sub))
            except OSError:
                pass
    try:
        os.rmdir(d)
    except OSError:
        pass


def main(argv=None):
    ap = argparse.ArgumentParser(description="Run Bolt stub conversation tests (TAP output).")
    ap.add_argument("scripts", nargs="*", help="script files (default: test/stub/scripts/*.script)")
    ap.add_argument("--bin", default="bin", help="{bin}: directory of the client (default bin)")
    ap.add_argument("--tools", default="build/tools", help="{tools} (default build/tools)")
    ap.add_argument("--certs", default="build/tls", help="certificates dir (default build/tls)")
    ap.add_argument("-j", "--jobs", type=int, default=2, help="parallel tests (default 2)")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="print diagnostics for passing tests too")
    ap.add_argument("--stub-verbose", action="store_true",
                    help="run the stubs with --verbose (transcript in their stderr)")
    ap.add_argument("--keep", action="store_true", help="keep the work dirs of passing tests")
    opts = ap.parse_args(argv)
    for attr in ("bin", "tools", "certs"):
        setattr(opts, attr, os.path.abspath(getattr(opts, attr)))

    scripts = opts.scripts
    if not scripts:
        d = os.path.join(HERE, "scripts")
        scripts = sorted(os.path.join(d, f) for f in os.listdir(d)
                         if f.endswith(".script")) if os.path.isdir(d) else []
    for s in scripts:
        if not os.path.isfile(s):
            sys.stderr.write("run_stub_tests: no such script: %s\n" % s)
            return 2

    print("1..%d" % len(scripts), flush=True)
    failed = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, opts.jobs)) as pool:
        futures = [pool.submit(run_one, s, opts) for s in scripts]
        for n, (s, fut) in enumerate(zip(scripts, futures), 1):
            try:
                res = fut.result()
            except Exception as e:   # a runner bug: report it as a failure
                res = Result(os.path.basename(s))
                res.problem("runner error: %r" % e)
            if res.skip:
                print("ok %d - %s # SKIP %s" % (n, res.name, res.skip))
            elif res.ok:
                print("ok %d - %s" % (n, res.name))
            else:
                failed += 1
                print("not ok %d - %s" % (n, res.name))
            if not res.ok or opts.verbose:
                for p in res.problems:
                    for l in p.splitlines():
                        print("# " + l)
                for d in res.diag:
                    print("#   " + d)
            sys.stdout.flush()
    if failed:
        print("# %d of %d failed" % (failed, len(scripts)))
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:
        sys.exit(1)
