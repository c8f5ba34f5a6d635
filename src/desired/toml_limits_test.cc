#include "desired/toml_limits.h"

#include <doctest/doctest.h>

#include "desired/parse.h"
#include "support/mem_filesystem.h"

namespace certgate::desired {
namespace {

std::string repeat(std::string_view s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

std::string dotted(int parts) { return "a" + repeat(".a", parts - 1); }

// "line:column: message" of the first limit exceeded, or "" when none is.
std::string scan(std::string_view text) {
  auto p = check_toml_limits(text);
  if (!p) return "";
  return std::to_string(p->line) + ":" + std::to_string(p->column) + ": " + p->message;
}

}  // namespace

TEST_CASE("toml limits: 64 dotted parts pass and the 65th is refused at its dot") {
  CHECK(scan("[" + dotted(64) + "]\n" + dotted(64) + " = 1\n") == "");
  CHECK(scan("[" + dotted(65) + "]\n") == "1:129: table header has more than 64 dotted parts");
  CHECK(scan("[[" + dotted(65) + "]]\n") == "1:130: table header has more than 64 dotted parts");
  CHECK(scan("x = 1\n" + dotted(65) + " = 1\n") == "2:128: dotted key has more than 64 parts");
  CHECK(scan("x = { " + dotted(65) + " = 1 }\n") == "1:134: dotted key has more than 64 parts");
  CHECK(scan("x = { b = 1, " + dotted(65) + " = 1 }\n") ==
        "1:141: dotted key has more than 64 parts");
}

TEST_CASE("toml limits: 64 nested arrays or inline tables pass and the 65th is refused") {
  CHECK(scan("x = " + repeat("[", 64) + repeat("]", 64) + "\n") == "");
  CHECK(scan("x = " + repeat("[", 65) + repeat("]", 65) + "\n") ==
        "1:69: arrays and inline tables are nested more than 64 deep");
  CHECK(scan("x = " + repeat("{a=", 64) + "1" + repeat("}", 64) + "\n") == "");
  CHECK(scan("x = " + repeat("{a=", 65) + "1" + repeat("}", 65) + "\n") ==
        "1:197: arrays and inline tables are nested more than 64 deep");
  // Depth is counted over the whole document: closed brackets do not add up.
  CHECK(scan(repeat("x = [[[[[[[[[[]]]]]]]]]]\n", 100)) == "");
  CHECK(scan("x = [\n" + repeat("  [[1], {a = [2]}],\n", 1000) + "]\n") == "");
}

TEST_CASE("toml limits: dots and brackets in values or strings or comments are not counted") {
  const std::string many = repeat(".[{", 100);
  CHECK(scan("x = [" + repeat("1.5, ", 200) + "]\n") == "");
  CHECK(scan("t = 1979-05-27T07:32:00.999Z\n" + dotted(3) + " = 1.25\n") == "");
  CHECK(scan("s = \"" + many + "\"\n") == "");
  CHECK(scan("s = '" + many + "'\n") == "");
  CHECK(scan("s = \"\"\"\n" + many + "\n\\\"\"\"" + many + "\n\"\"\"\"\"\n") == "");
  CHECK(scan("s = '''\n" + many + "\n'''''\n") == "");
  CHECK(scan("# " + many + "\nx = 1 # " + many + "\n") == "");
  CHECK(scan("s = \"a\\\"" + many + "\"\n") == "");
  CHECK(scan("\"" + many + "\".b = 1\n[\"" + many + "\"]\n") == "");
  CHECK(scan("x = {}\ny = [{}, {a = 1}]\n" + dotted(64) + " = 1\n") == "");
}

TEST_CASE("toml limits: a file over 8 MiB is refused at its start") {
  CHECK(scan(std::string(kMaxTomlSize, '#')) == "");
  CHECK(scan(std::string(kMaxTomlSize + 1, '#')) ==
        "1:1: file is larger than 8 MiB (8388609 bytes); certgate reads no desired state that big");
}

TEST_CASE(
    "toml limits: load_desired refuses 50000-part keys and 50000-deep values before parsing") {
  // toml++ 3.3 overflows an 8 MiB stack on this (SIGSEGV); the scan must stop it first.
  for (const std::string& text :
       {"[" + dotted(50'000) + "]\n", dotted(50'000) + " = 1\n",
        "x = " + repeat("[", 50'000) + "\n", "x = " + repeat("{a=", 50'000) + "\n"}) {
    testing::MemFilesystem fs;
    source::SourceSnapshot snap;
    snap.file_path = "big.toml";
    snap.text = text;
    snap.tree = source::make_filesystem_tree(fs, ".");
    LoadResult r = load_desired(snap, std::nullopt);
    REQUIRE(r.diagnostics.error_count() == 1);
    CHECK(r.diagnostics.sorted()[0].loc.file == "big.toml");
  }
}

}  // namespace certgate::desired
