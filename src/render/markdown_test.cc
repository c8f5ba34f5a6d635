#include "render/markdown.h"

#include <doctest/doctest.h>

namespace certgate::render::md {
namespace {

TEST_CASE("markdown: escape keeps plain text as it is") {
  CHECK(escape("alice-phone") == "alice-phone");
  CHECK(escape("ec-p256, 365d, groups admins") == "ec-p256, 365d, groups admins");
  CHECK(escape("/etc/nginx/certgate/sites/admin.conf") == "/etc/nginx/certgate/sites/admin.conf");
  CHECK(escape("crlNumber 7 -> 8") == "crlNumber 7 -&gt; 8");
}

TEST_CASE("markdown: escape makes pipes, code, emphasis, links and HTML inert") {
  CHECK(escape("a|b") == "a\\|b");
  CHECK(escape("`rm -rf`") == "\\`rm -rf\\`");
  CHECK(escape("*bold* _em_") == "\\*bold\\* \\_em\\_");
  CHECK(escape("[x](https://evil)") == "\\[x\\](https://evil)");
  CHECK(escape("<script>alert(1)</script>") == "&lt;script&gt;alert(1)&lt;/script&gt;");
  CHECK(escape("&lt;b&gt;") == "&amp;lt;b&amp;gt;");
  CHECK(escape("~~gone~~ $x$") == "&#126;&#126;gone&#126;&#126; &#36;x&#36;");
  CHECK(escape("back\\slash") == "back\\\\slash");
}

TEST_CASE("markdown: escape puts everything on one line without control characters") {
  CHECK(escape("one\ntwo\r\nthree") == "one two  three");
  CHECK(escape("tab\there\x01\x7f") == "tab here");
  CHECK(escape("  padded  ") == "padded");
  CHECK(escape("line\xE2\x80\xA8sep") == "line sep");
  // U+202E RIGHT-TO-LEFT OVERRIDE would make the rest of a row read backwards.
  CHECK(escape("admin\xE2\x80\xAEnimda") == "admin\xEF\xBF\xBDnimda");
  CHECK(escape("x\xE2\x81\xA6y") == "x\xEF\xBF\xBDy");
  CHECK(escape("caf\xC3\xA9 \xE2\x80\xA6") == "caf\xC3\xA9 \xE2\x80\xA6");
}

TEST_CASE("markdown: escape stops a leading heading or list marker") {
  CHECK(escape("# big") == "\\# big");
  CHECK(escape("- item") == "\\- item");
  CHECK(escape("+ item") == "\\+ item");
  CHECK(escape("12. item") == "12\\. item");
  CHECK(escape("3) item") == "3\\) item");
  CHECK(escape("365d, -1") == "365d, -1");
  CHECK(escape("\n# after a newline") == "\\# after a newline");
}

TEST_CASE("markdown: escape cuts long text at a character boundary") {
  CHECK(escape("abcdef", 4) == "abcd…");
  // "é" is two bytes: a cut inside it drops the whole character.
  CHECK(escape("abc\xC3\xA9", 4) == "abc…");
  CHECK(escape(std::string(5000, 'x')).size() == kMaxTextBytes + 3);
}

TEST_CASE("markdown: table header and rows") {
  CHECK(table_header({"A", "B"}) == "| A | B |\n| --- | --- |\n");
  CHECK(table_row({"a|b", ""}) == "| a\\|b | — |\n");
}

TEST_CASE("markdown: counts with thousands separators") {
  CHECK(thousands(0) == "0");
  CHECK(thousands(999) == "999");
  CHECK(thousands(9412) == "9,412");
  CHECK(thousands(1234567) == "1,234,567");
  CHECK(count(1, "action", "actions") == "1 action");
  CHECK(count(10000, "action", "actions") == "10,000 actions");
}

}  // namespace
}  // namespace certgate::render::md
