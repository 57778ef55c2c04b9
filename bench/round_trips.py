#!/usr/bin/env python3
"""Counts the network round trips of small queries with the scripted stub.

For each bench/roundtrips/*.script: start test/stub/boltstub.py with --log,
run the script's client (its `#> bench-run:` header), and read the log. A
round trip is one `--- flush` (a batch of answers the client waited for);
the client messages each one answered are listed, so the table shows what
was pipelined. The Bolt handshake is one more round trip before them (and a
TLS handshake before that), which the log does not count.

    python3 bench/round_trips.py [--bin bin] [--tools build/tools] [--certs build/tls]

Prints one line per script: "roundtrips NAME count=N batches=HELLO+LOGON|RUN+PULL".
The FDW script needs PGHOST/PGPORT of a cluster with neo4j_fdw installed.
"""
import argparse
import os
import pathlib
import re
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent


def header(text, key):
    m = re.search(r"^#> %s:\s*(.*)$" % re.escape(key), text, re.M)
    return m.group(1).strip() if m else ""


def batches(log):
    """The client messages answered by each flush, in order."""
    out, current = [], []
    for line in log.splitlines():
        m = re.match(r"^(?:\[\d+\] )?C: ([A-Z]+)", line)
        if m and m.group(1) not in ("GOODBYE",):
            current.append(m.group(1))
        elif re.match(r"^(?:\[\d+\] )?--- flush", line):
            out.append("+".join(current) if current else "(more records)")
            current = []
    return out


def run(script, args):
    text = script.read_text()
    with tempfile.TemporaryDirectory() as tmp:
        log = pathlib.Path(tmp) / "stub.log"
        extra = header(text, "bench-stub-args").replace("{certs}", args.certs).split()
        stub = subprocess.Popen(
            [sys.executable, str(ROOT / "test/stub/boltstub.py"), "--listen", "127.0.0.1:0", "--log", str(log),
             "--timeout", "20", *extra, str(script)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        addr = stub.stdout.readline().strip().removeprefix("listening on ")
        cmd = (header(text, "bench-run").replace("{url}", "bolt://" + addr).replace("{port}", addr.rsplit(":", 1)[1])
               .replace("{bin}", args.bin).replace("{tools}", args.tools).replace("{dir}", str(script.parent)))
        env = dict(os.environ, NEO4J_USER="neo4j", NEO4J_PASSWORD="pass")
        client = subprocess.run(cmd, shell=True, env=env, capture_output=True, text=True, timeout=60)
        try:
            _, err = stub.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            stub.terminate()
            _, err = stub.communicate()
        if client.returncode != 0 or stub.returncode != 0:
            sys.stderr.write("%s: client %d, stub %d\n%s%s%s" % (script.name, client.returncode, stub.returncode,
                                                                  client.stdout, client.stderr, err))
            return None
        return batches(log.read_text())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", default=str(ROOT / "bin"))
    parser.add_argument("--tools", default=str(ROOT / "build/tools"))
    parser.add_argument("--certs", default=str(ROOT / "build/tls"))
    args = parser.parse_args()
    failed = 0
    for script in sorted((ROOT / "bench/roundtrips").glob("*.script")):
        found = run(script, args)
        if found is None:
            failed += 1
            continue
        print("roundtrips name=%s count=%d batches=%s" % (script.stem, len(found), "|".join(found)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
