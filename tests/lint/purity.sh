# ../shared/STYLE.md "Checks anyone can run": the planner and renderer stay pure, each
# third-party library stays in its folder, files stay under 400 lines.
set -u
cd "$(dirname "$0")/../.."
fail=0
check_empty() {  # check_empty WHAT OUTPUT
  if [ -n "$2" ]; then echo "FAIL: $1"; echo "$2" | sed 's/^/  /'; fail=1; fi
}
pure_dirs=$(ls -d src/plan src/render 2>/dev/null)
if [ -n "$pure_dirs" ]; then
  check_empty "I/O includes in plan/render" \
    "$(grep -rnE '#include <(fstream|filesystem|spdlog|openssl|git2|libssh|toml\+\+)' $pure_dirs)"
  check_empty "clock/env/randomness in plan/render" \
    "$(grep -rnE 'system_clock::now|getenv|random_device|RAND_bytes' $pure_dirs)"
fi
check_empty "OpenSSL outside src/pki" "$(grep -rl '<openssl/' src | grep -v '^src/pki/')"
check_empty "libgit2 outside src/source" "$(grep -rl 'git2.h' src | grep -v '^src/source/')"
check_empty "libssh outside src/targets" "$(grep -rl '<libssh/' src | grep -v '^src/targets/')"
check_empty "libqrencode outside src/render/terminal_qr.cc" \
  "$(grep -rl 'qrencode.h' src | grep -v '^src/render/terminal_qr.cc$')"
check_empty "toml++ outside src/desired" "$(grep -rl 'toml++' src | grep -v '^src/desired/')"
check_empty "spdlog outside apply/targets/agent/cli" \
  "$(grep -rl 'spdlog' src | grep -vE '^src/(apply|targets|agent|cli)/')"
check_empty "files over 400 lines" \
  "$(find src tests \( -name '*.cc' -o -name '*.h' \) -exec wc -l {} + | awk '$1>400 && $2!="total"')"
# ctest (doctest_discover_tests) splits a case name at ';' and joins names at an unclosed '[' or
# a '\'; doctest matches '*' and '?' as wildcards. tests/lint/test_names.sh checks the result.
check_empty "unit test case names with ; * ? \\ or unbalanced [ ]" \
  "$(grep -rnoE 'TEST_CASE[A-Z_]*\("[^"]*' src tests --include='*.cc' --include='*.h' |
    awk '{ n = $0; sub(/^[^"]*"/, "", n); o = gsub(/\[/, "[", n); c = gsub(/\]/, "]", n)
           if (n ~ /[;*?\\]/ || o != c) print }')"
[ "$fail" = 0 ] && echo "purity: 1 passed, 0 failed"
exit "$fail"
