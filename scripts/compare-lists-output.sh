#!/usr/bin/env bash
# Byte-for-byte comparison of `resolute lists inspect|diff|show` between two builds.
#
#   scripts/compare-lists-output.sh OLD_BIN NEW_BIN [WORK_DIR]
#
# Runs the same commands with both binaries (one after the other, command by command) and compares
# stdout, stderr and the exit code of each. Inputs:
#   - inspect (--json --issues, and the text form) of every file under data/lists, tests/fixtures
#     and, when present, $SHARED_DATA/un and $SHARED_DATA/ofac (default /work/shared/data; a user's
#     clone has none, and the script then says so);
#   - diff --json (and the text form) of consecutive UN versions (all UN files, ordered by date),
#     both directions, with and without --program DPRK;
#   - show REF --json --list FILE for every ${SHOW_EVERY:-7}th reference of each UN file (DPRK
#     references: every 2nd), every ${SDN_EVERY:-150}th ent_num of each SDN file, a few refs in the
#     bundled lists without --list, and the text form for some.
# Files listed in EXPECTED_CHANGES are fixtures for behaviour that changed on purpose (their
# outputs are shown, not counted as failures). Exit status: 0 when every other output is identical.
set -uo pipefail
cd "$(dirname "$0")/.."

OLD="${1:?usage: $0 OLD_BIN NEW_BIN [WORK_DIR]}"
NEW="${2:?usage: $0 OLD_BIN NEW_BIN [WORK_DIR]}"
WORK="${3:-$(mktemp -d /tmp/compare-lists-output.XXXXXX)}"
SHARED_DATA="${SHARED_DATA:-/work/shared/data}"
SHOW_EVERY="${SHOW_EVERY:-7}"
SDN_EVERY="${SDN_EVERY:-150}"
mkdir -p "$WORK/old" "$WORK/new"

# Fixtures of bad input that the new parser refuses or reports on purpose (issue #19 section 2).
EXPECTED_CHANGES=(
  tests/fixtures/bad/un-doctype-xxe.xml
  tests/fixtures/bad/un-doctype-parameter-entity.xml
  tests/fixtures/bad/un-doctype-entity-bomb.xml
  tests/fixtures/bad/un-doctype-plain.xml
  tests/fixtures/bad/un-duplicate-reference.xml
  tests/fixtures/bad/sdn-cut-last-line.csv
  tests/fixtures/bad/sdn-cut-in-remarks.csv
  tests/fixtures/bad/sdn-duplicate-reference.csv
)

total=0
same=0
failed=0
expected=0

is_expected() {
  local x
  for x in "${EXPECTED_CHANGES[@]}"; do
    [[ "$*" == *"$x"* ]] && return 0
  done
  return 1
}

# compare NAME ARGS...: run both binaries with ARGS and compare their outputs.
compare() {
  local name="$1"
  shift
  total=$((total + 1))
  local side bin
  for side in old new; do
    [[ $side == old ]] && bin="$OLD" || bin="$NEW"
    "$bin" "$@" >"$WORK/$side/$name.out" 2>"$WORK/$side/$name.err"
    echo "$?" >"$WORK/$side/$name.rc"
  done
  if cmp -s "$WORK/old/$name.out" "$WORK/new/$name.out" &&
    cmp -s "$WORK/old/$name.err" "$WORK/new/$name.err" &&
    cmp -s "$WORK/old/$name.rc" "$WORK/new/$name.rc"; then
    same=$((same + 1))
  elif is_expected "$*"; then
    expected=$((expected + 1))
    echo "changed on purpose: $*"
    echo "  old: rc $(cat "$WORK/old/$name.rc"), $(head -c 300 "$WORK/old/$name.err" | tr '\n' ' ')"
    echo "  new: rc $(cat "$WORK/new/$name.rc"), $(head -c 300 "$WORK/new/$name.err" | tr '\n' ' ')"
  else
    failed=$((failed + 1))
    echo "DIFFERS: $*"
    for part in rc out err; do
      diff -u "$WORK/old/$name.$part" "$WORK/new/$name.$part" | head -n 20
    done
  fi
}

files=()
while IFS= read -r f; do files+=("$f"); done < <(find data/lists tests/fixtures -type f | sort)
if [[ -d "$SHARED_DATA" ]]; then
  while IFS= read -r f; do files+=("$f"); done < <(find "$SHARED_DATA/un" "$SHARED_DATA/ofac" -type f | sort)
else
  echo "note: $SHARED_DATA absent: only the repository's files are compared"
fi

n=0
for f in "${files[@]}"; do
  n=$((n + 1))
  compare "inspect-json-$n" lists inspect --json --issues "$f"
  compare "inspect-text-$n" lists inspect "$f"
done

# UN versions ordered by date (the date in the file name), each date once.
declare -A by_date=()
for f in "${files[@]}"; do
  if [[ $f =~ consolidated-([0-9]{4}-[0-9]{2}-[0-9]{2})\.xml$ ]]; then
    by_date[${BASH_REMATCH[1]}]="$f"
  fi
done
mapfile -t dates < <(printf '%s\n' "${!by_date[@]}" | sort)
for ((i = 0; i + 1 < ${#dates[@]}; i++)); do
  a="${by_date[${dates[i]}]}"
  b="${by_date[${dates[i + 1]}]}"
  compare "diff-$i-fwd" lists diff --json "$a" "$b"
  compare "diff-$i-back" lists diff --json "$b" "$a"
  compare "diff-$i-fwd-dprk" lists diff --json --program DPRK "$a" "$b"
  compare "diff-$i-back-dprk" lists diff --json --program DPRK "$b" "$a"
  compare "diff-$i-text" lists diff "$a" "$b"
done
compare "diff-first-last" lists diff --json "${by_date[${dates[0]}]}" "${by_date[${dates[-1]}]}"
compare "diff-small" lists diff --json tests/fixtures/bad/un-three-records.xml tests/fixtures/bad/un-bad-records.xml
compare "diff-sources" lists diff --json tests/fixtures/bad/un-three-records.xml data/lists/ofac/sdn-2024-05-03.csv

shows=0
for f in "${files[@]}"; do
  case "$f" in
  *.xml)
    mapfile -t refs < <(grep -o '<REFERENCE_NUMBER>[^<]*' "$f" 2>/dev/null | sed 's/<REFERENCE_NUMBER>//' | awk -v every="$SHOW_EVERY" '
      /^ *KP/ { if (kp++ % 2 == 0) print; next } { if (n++ % every == 0) print }')
    ;;
  *.csv)
    mapfile -t refs < <(grep -aoE '^[0-9]+,' "$f" 2>/dev/null | tr -d , | awk -v every="$SDN_EVERY" 'NR % every == 1')
    ;;
  *) refs=() ;;
  esac
  for r in "${refs[@]}"; do
    shows=$((shows + 1))
    compare "show-$shows" lists show --json --list "$f" "$r"
    if ((shows % 10 == 0)); then
      compare "show-text-$shows" lists show --list "$f" "$r"
    fi
  done
done
for r in KPe.047 KPi.033 kpi.016 " KPe.020 " 15667 17069 9345 NOPE.1; do
  shows=$((shows + 1))
  compare "show-bundled-$shows" lists show --json "$r"
  compare "show-bundled-text-$shows" lists show "$r"
done

echo "compared $total commands ($n files, $shows show refs): $same identical, $failed differ, $expected changed on purpose"
echo "outputs in $WORK"
[[ $failed -eq 0 ]]
