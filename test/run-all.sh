#!/usr/bin/env bash
# The test command: installs what is needed, builds, runs every test suite and
# ends with "N passed, N failed". Each suite prints TAP lines ("ok N - ..." /
# "not ok N - ..."); a suite that dies without them counts as one failure.
set -uo pipefail
cd "$(dirname "$0")/.."

FUZZ_SECONDS=${FUZZ_SECONDS:-20}
LOGDIR=build/test-logs
passed=0
failed=0
failed_names=()

bash scripts/setup.sh || { echo "setup failed"; echo "0 passed, 1 failed"; exit 1; }

# Runs one suite: NAME COMMAND...; counts its TAP lines.
suite() {
  local name=$1; shift
  local log="$LOGDIR/$name.log"
  echo "== $name"
  "$@" >"$log" 2>&1
  local rc=$?
  local ok notok
  ok=$(grep -cE '^ok [0-9]+' "$log")
  notok=$(grep -cE '^not ok [0-9]+' "$log")
  if [ "$rc" -ne 0 ] && [ "$notok" -eq 0 ]; then
    notok=1
    echo "not ok - $name exited with status $rc" >>"$log"
  fi
  passed=$((passed + ok))
  failed=$((failed + notok))
  if [ "$notok" -gt 0 ]; then
    failed_names+=("$name")
    grep -E -A12 '^not ok' "$log" | head -n 60
    [ "$rc" -ne 0 ] && tail -n 15 "$log"
  fi
  echo "   $ok passed, $notok failed  ($log)"
}

mkdir -p "$LOGDIR"
echo "== build"
if ! make -s all >"$LOGDIR/build.log" 2>&1; then
  cat "$LOGDIR/build.log"
  echo "0 passed, 1 failed"
  exit 1
fi
bash test/tls/make-certs.sh build/tls >"$LOGDIR/certs.log" 2>&1 || { cat "$LOGDIR/certs.log"; echo "0 passed, 1 failed"; exit 1; }
export NEO4J_TEST_CERTS=$PWD/build/tls

for t in build/tests/test_*; do
  suite "unit-$(basename "$t")" "$t"
done
suite stub-selftest python3 test/stub/selftest.py
suite stub-conversations python3 test/stub/run_stub_tests.py --bin bin --tools build/tools --certs build/tls
suite crosscheck-official-codec node test/crosscheck/crosscheck.js build/tools/ps_codec
[ -f test/graphserver/selftest.js ] && suite graphserver-selftest node test/graphserver/selftest.js
suite pg-regress bash test/pg/run-regress.sh

# The same unit and stub tests with AddressSanitizer + UndefinedBehaviorSanitizer.
echo "== build with sanitizers"
SAN="-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined"
if make -s BUILD=build-asan BINDIR=build-asan/bin DRIVER_CC=clang DRIVER_CFLAGS="$SAN" \
     DRIVER_LDFLAGS="-fsanitize=address,undefined" driver-all >"$LOGDIR/build-asan.log" 2>&1; then
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  for t in build-asan/tests/test_*; do
    suite "asan-unit-$(basename "$t")" "$t"
  done
  suite asan-stub-conversations python3 test/stub/run_stub_tests.py --bin build-asan/bin --tools build-asan/tools --certs build/tls
  unset ASAN_OPTIONS UBSAN_OPTIONS
else
  tail -n 30 "$LOGDIR/build-asan.log"
  failed=$((failed + 1)); failed_names+=("build-asan")
fi

# A short fuzzing pass over each libFuzzer target (make fuzz FUZZ_SECONDS=N for longer runs).
fuzz_suite() {
  if make -s fuzz-build >"$LOGDIR/fuzz-build.log" 2>&1; then
    local n=0
    for f in build-fuzz/fuzz_*; do
      [ -x "$f" ] || continue
      n=$((n + 1))
      local name; name=$(basename "$f")
      mkdir -p "build-fuzz/corpus/$name"
      if "$f" -max_total_time="$FUZZ_SECONDS" -print_final_stats=1 "build-fuzz/corpus/$name" "test/fuzz/corpus/$name" \
           >"$LOGDIR/$name.log" 2>&1; then
        echo "ok $n - $name: $(grep -E 'stat::number_of_executed_units' "$LOGDIR/$name.log" | awk '{print $2}') executions, no crash"
      else
        echo "not ok $n - $name: crash or leak, see $LOGDIR/$name.log"
        grep -E 'ERROR|SUMMARY' "$LOGDIR/$name.log" | head -5
      fi
    done
  else
    cat "$LOGDIR/fuzz-build.log"; return 1
  fi
}
suite fuzz-short fuzz_suite

echo
if [ ${#failed_names[@]} -gt 0 ]; then echo "failing suites: ${failed_names[*]}"; fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
