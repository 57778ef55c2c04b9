#!/usr/bin/env bash
# `make check-valgrind`: the regress suite with every backend under valgrind.
# Fails when valgrind reports an invalid read or write, a bad free, a use of
# an uninitialised value or a definite leak whose stack passes through our
# code (neo4j_fdw.so: src/fdw/ or src/driver/). Reports on PostgreSQL's own
# code are counted but not ours to fix.
#
#   bash test/pg/check-valgrind.sh [TEST ...]   (default: every test but the timing ones)
#
# Tests that assert wall-clock bounds (cancel, faults, retry) or run 10,000
# statements (pooled) are left out by default: under valgrind they only
# measure valgrind.
set -uo pipefail
cd "$(dirname "$0")/../.."
logs=$PWD/build/valgrind
rm -rf "$logs"
tests=("$@")
if [ ${#tests[@]} -eq 0 ]; then
  for f in sql/*.sql; do
    t=$(basename "$f" .sql)
    case " cancel faults retry pooled " in *" $t "*) continue ;; esac
    tests+=("$t")
  done
fi
echo "== regress under valgrind: ${tests[*]}"
PG_VALGRIND=$logs bash test/pg/run-regress.sh "${tests[@]}" | tee "$logs.tap"
regress=${PIPESTATUS[0]}
if ! grep -q '^ok ' "$logs.tap"; then
  echo "check-valgrind: the regress suite did not run"
  exit 1
fi
python3 - "$logs" <<'PY'
import pathlib, re, sys
# a frame in our code: neo4j_fdw.so, or one of our source files by name
names = sorted(p.name for d in ("src/fdw", "src/driver") for p in pathlib.Path(d).glob("*.c"))
ours = re.compile(r"neo4j_fdw\.so|\((?:%s):\d+\)" % "|".join(re.escape(n) for n in names))
kinds = re.compile(r"Invalid (read|write|free)|Mismatched free|uninitialised|are definitely lost|Source and destination overlap")
found, others = [], 0
for log in sorted(pathlib.Path(sys.argv[1]).glob("*.log")):
    # one report per block of "==PID==" lines separated by an empty one
    blocks = re.split(r"\n==\d+== ?\n", log.read_text())
    for block in blocks:
        if not kinds.search(block):
            continue
        if ours.search(block):
            found.append((log.name, block.strip()))
        else:
            others += 1
for name, block in found:
    print("--- %s\n%s" % (name, block))
print("valgrind: %d report(s) in our code, %d in PostgreSQL's own, %d backend log(s)"
      % (len(found), others, len(list(pathlib.Path(sys.argv[1]).glob("*.log")))))
sys.exit(1 if found else 0)
PY
valgrind_status=$?
if [ "$regress" -ne 0 ]; then echo "(some regress outputs differ under valgrind; see build/regress)"; fi
exit $valgrind_status
