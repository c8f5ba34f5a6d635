// Walks tests/data/invalid/ and tests/data/warnings/: each NAME.toml must produce exactly the
// diagnostics in NAME.expected (toml++'s conformance-corpus style). Every parser fix adds a file.
#include <doctest/doctest.h>

#include <sstream>

#include "desired/parse.h"
#include "support/string_vector.h"
#include "sys/real_filesystem.h"

namespace certgate::desired {
namespace {

using namespace std::chrono;

std::vector<std::string> read_lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// Checks every file of one corpus folder; returns how many were checked.
int check_corpus(const std::string& folder, bool expect_errors) {
  sys::RealFilesystem fs;
  const std::string dir = std::string(CERTGATE_SOURCE_DIR) + "/tests/data/" + folder;
  int checked = 0;
  auto names = fs.list(dir);
  REQUIRE(names);
  for (const std::string& name : *names) {
    if (!name.ends_with(".toml")) continue;
    const std::string stem = name.substr(0, name.size() - 5);
    CAPTURE(name);
    source::SourceSnapshot snap;
    snap.kind = "file";
    snap.file_path = name;
    snap.text = *fs.read(dir + "/" + name);
    snap.tree = source::make_filesystem_tree(fs, dir);
    LoadResult r = load_desired(snap, sys_days(2026y / November / 23));
    std::vector<std::string> got;
    for (const auto& d : r.diagnostics.sorted()) got.push_back(base::format_diagnostic(d));
    auto expected = fs.read(dir + "/" + stem + ".expected");
    REQUIRE_MESSAGE(expected, "missing " << stem << ".expected");
    CHECK(got == read_lines(*expected));
    CHECK(r.diagnostics.has_errors() == expect_errors);
    ++checked;
  }
  return checked;
}

}  // namespace

TEST_CASE("desired: each broken file in tests/data/invalid gives exactly its expected errors") {
  CHECK(check_corpus("invalid", true) >= 15);
}

TEST_CASE("desired: each file in tests/data/warnings is valid with exactly its warnings") {
  CHECK(check_corpus("warnings", false) >= 1);
}

}  // namespace certgate::desired
