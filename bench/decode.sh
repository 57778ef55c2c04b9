#!/usr/bin/env bash
# PackStream decode benchmark: our C decoder vs the official JavaScript driver
# on the same RECORD stream. Prints a small table, then the raw result lines
# ("decode-c records_per_s=...") for bench/run.sh.
#   bash bench/decode.sh            (RECORDS=1000000 PASSES=3 by default)
#   BENCH_STRICT=1 bash bench/decode.sh   also fails when C is under 5x the JS raw decoder
set -euo pipefail
cd "$(dirname "$0")/.."

RECORDS=${RECORDS:-1000000}
PASSES=${PASSES:-3}
DATA=build/bench/records-$RECORDS.bin

make -s build/bench/ps_decode
[ -d node_modules/neo4j-driver ] || npm ci --silent
[ -f "$DATA" ] || build/bench/ps_decode --generate "$DATA" "$RECORDS"

c=$(build/bench/ps_decode "$DATA" "$PASSES")
js=$(node bench/ps_decode.js "$DATA" "$PASSES")

field() { sed -n "s/.*$1=\([^ ]*\).*/\1/p"; }
printf '%s\n%s\n' "$c" "$js" | awk -v size="$(stat -c %s "$DATA")" -v records="$RECORDS" '
    function f(line, key,   m) { match(line, key "=[^ ]*"); return substr(line, RSTART + length(key) + 1, RLENGTH - length(key) - 1) }
    { name[NR] = $1; rps[NR] = f($0, "records_per_s"); mbs[NR] = f($0, "mb_per_s"); sum[NR] = f($0, "checksum") }
    END {
        printf "PackStream decode, %d RECORD messages, %.1f MB (%.0f bytes/record)\n", records, size / 1e6, size / records
        printf "%-14s %14s %10s %10s\n", "decoder", "records/s", "MB/s", "vs C"
        for (i = 1; i <= NR; i++)
            printf "%-14s %14.0f %10.1f %9.1fx\n", name[i], rps[i], mbs[i], rps[1] / rps[i]
        for (i = 2; i <= NR; i++)
            if (sum[i] != sum[1]) { printf "checksum mismatch: %s %s != c %s\n", name[i], sum[i], sum[1]; exit 1 }
        printf "checksums agree (%s)\n", sum[1]
    }'

ratio=$(printf '%s\n%s\n' "$c" "$js" | awk '/^c /{split($0,a,"records_per_s=");split(a[2],b," ");c=b[1]} /^js-raw /{split($0,a,"records_per_s=");split(a[2],b," ");j=b[1]} END{printf "%.1f", c/j}')
echo "C / JS raw: ${ratio}x (target 5x)"
printf '%s\n%s\n' "$c" "$js" | sed 's/^/decode-/'
if [ "${BENCH_STRICT:-0}" = 1 ] && awk -v r="$ratio" 'BEGIN{exit !(r < 5)}'; then
    echo "FAIL: under the 5x target"; exit 1
fi
