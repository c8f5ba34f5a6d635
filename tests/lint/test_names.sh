# Every ctest entry of certgate_unit runs exactly one doctest case, and every case has its own
# entry. doctest_discover_tests splits a case name at ';' (a CMake list separator), an unclosed
# '[' or a trailing '\' join names, and doctest reads '*', '?' and ',' in --test-case as
# wildcards and separators: such a name gives ctest entries that run no case, or several, and
# pass anyway. Run by ctest from the build directory (CERTGATE_UNIT, CTEST).
set -u
unit=${CERTGATE_UNIT:?CERTGATE_UNIT is the certgate_unit binary}
ctest_bin=${CTEST:-ctest}
python3 - "$unit" "$ctest_bin" <<'PY'
import json, subprocess, sys

unit, ctest = sys.argv[1], sys.argv[2]

def case_names(args):
    out = subprocess.run([unit, *args, "--list-test-cases"], capture_output=True, text=True,
                         check=True).stdout
    return [l for l in out.split("\n") if l and not l.startswith(("[doctest]", "====="))]

every = case_names([])
tests = json.loads(subprocess.run([ctest, "--show-only=json-v1"], capture_output=True,
                                  text=True, check=True).stdout)["tests"]
entries = [t for t in tests if t.get("command") and t["command"][0] == unit]
problems, seen = [], {}
for t in entries:
    ran = case_names(t["command"][1:])
    if len(ran) != 1:
        problems.append(f"ctest entry {t['name']!r} runs {len(ran)} test cases: {ran[:3]}")
    for name in ran:
        seen.setdefault(name, []).append(t["name"])
for name in every:
    if len(seen.get(name, [])) != 1:
        problems.append(f"test case {name!r} runs under {len(seen.get(name, []))} ctest entries")
for p in problems:
    print("FAIL:", p)
if not every or len(entries) != len(every):
    print(f"FAIL: {len(every)} test cases but {len(entries)} ctest entries of {unit}")
    problems.append("count")
print(f"test names: {len(every)} cases, {len(entries)} ctest entries, {len(problems)} problems")
sys.exit(1 if problems else 0)
PY
