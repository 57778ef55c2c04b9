#!/usr/bin/env bash
# Writes the seed corpus of fuzz_packstream: small PackStream values and Bolt
# messages covering every marker family and structure. Re-run after editing:
#   bash test/fuzz/make-seeds.sh
set -euo pipefail
out="$(dirname "$0")/corpus/fuzz_packstream"
mkdir -p "$out"

seed() {   # seed NAME HEX...
    local name=$1; shift
    local hex
    hex=$(echo "$*" | tr -d ' \n')
    printf '%b' "$(echo "$hex" | sed 's/../\\x&/g')" > "$out/$name"
}

# scalars and every integer width
seed ints        "B1 71 9A 00 7F F0 C8 EF C9 8000 CA 7FFFFFFF CB 8000000000000000 C0 C3 C2"
seed floats      "B1 71 94 C1 3FF199999999999A C1 8000000000000000 C1 7FF8000000000000 C1 FFF0000000000000"
# strings, bytes, lists and maps in tiny/8/16/32-bit forms
seed sized       "B1 71 99 80 8F 414243444546474849 4A4B4C4D4E4F D0 01 41 D1 0001 42 D2 00000001 43 CC 02 0102 CD 0000 CE 00000001 FF D4 01 01"
seed containers  "B1 71 94 D5 0002 01 02 D6 00000001 C0 D8 01 81 61 A0 DA 00000001 D0 01 62 D9 0000"
# SUCCESS with typical metadata
seed success     "B1 70 A3 86 6669656C6473 92 81 6E 81 6D 87 745F6669727374 03 83 716964 00"
seed failure     "B1 7F A2 84 636F6465 85 4E656F2E58 87 6D657373616765 83 626164"
# graph structures, 4.x and 5.x forms
seed node4       "B1 71 91 B3 4E 01 92 81 41 81 42 A1 84 6E616D65 82 7879"
seed node5       "B1 71 91 B4 4E 01 91 81 41 A0 84 343A7831"
seed rels        "B1 71 92 B5 52 0B 02 03 85 4B4E4F5753 A0 B8 52 0B 02 03 85 4B4E4F5753 A0 81 72 81 73 81 65"
seed path        "B1 71 91 B3 50 92 B3 4E 01 90 A0 B3 4E 02 90 A0 91 B4 72 0A 81 52 A0 81 72 94 01 01 FF 00"
# temporal and spatial, UTC (Bolt 5+) and legacy (Bolt 4.4) DateTime forms
seed temporal    "B1 71 96 B1 44 C9 4E20 B2 54 CA 05F5E100 C9 0E10 B1 74 01 B2 64 01 02 B4 45 01 02 03 04 B3 58 C9 10E6 C1 3FF0000000000000 C1 4000000000000000"
seed datetime    "B1 71 92 B3 49 C9 1194 2A C9 0E10 B3 69 C9 1194 2A 8C 4575726F70652F5061726973"
seed legacy      "B1 71 92 B3 46 C9 1FA4 2A C9 0E10 B3 66 C9 1FA4 2A 83 555443"
seed point3d     "B4 59 C9 2317 C1 3FF0000000000000 C1 4000000000000000 C1 4008000000000000"
# Bolt 6.0
seed vector      "B1 71 92 B2 56 CC 01 C1 CC 10 3FF0000000000000 4000000000000000 B2 56 CC 01 C8 CC 03 0102FF"
seed unsupported "B4 3F 8C 5175616E74756D466C6F6174 2A 15 A1 87 6D657373616765 82 6869"
# nesting and an unknown structure tag
seed nested      "91 91 91 91 A1 81 6B 91 B2 7A 01 90"
seed ignored     "B0 7E"
