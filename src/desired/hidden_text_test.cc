#include "desired/hidden_text.h"

#include <doctest/doctest.h>

#include "desired/parse.h"
#include "support/mem_filesystem.h"

namespace certgate::desired {
namespace {

std::string problem_of(std::string_view text, Tabs tabs = Tabs::refused) {
  return hidden_text_problem(text, tabs).value_or("");
}

// The error lines load_desired gives for `text`, as "line:col: message".
std::vector<std::string> errors_of(const std::string& text) {
  testing::MemFilesystem fs;
  source::SourceSnapshot snap;
  snap.file_path = "t.toml";
  snap.text = text;
  snap.tree = source::make_filesystem_tree(fs, ".");
  std::vector<std::string> out;
  for (const auto& d : load_desired(snap, std::nullopt).diagnostics.sorted()) {
    if (d.severity == base::Severity::error)
      out.push_back(std::to_string(d.loc.line) + ":" + std::to_string(d.loc.column) + ": " +
                    d.message);
  }
  return out;
}

const std::string kHead = "schema = 1\n[ca]\ncommon_name = \"CA\"\n";

}  // namespace

TEST_CASE("hidden text: C0 and DEL and C1 controls are refused and named by code point") {
  CHECK(problem_of("alice@example.com") == "");
  CHECK(problem_of("Zürich Ltd — ünïcödé ☃") == "");
  CHECK(problem_of("a\nb") == "control character U+000A (line feed) at character 2");
  CHECK(problem_of("\x1b[31m") == "control character U+001B (escape) at character 1");
  CHECK(problem_of(std::string("Ex\0Ltd", 6)) == "control character U+0000 (NUL) at character 3");
  CHECK(problem_of("x\x7f") == "control character U+007F at character 2");
  CHECK(problem_of("é\xc2\x85") == "control character U+0085 at character 2");
  CHECK(problem_of("a\rb") == "control character U+000D (carriage return) at character 2");
}

TEST_CASE("hidden text: tabs pass only where commands allow them") {
  CHECK(problem_of("nginx\t-t") == "control character U+0009 (tab) at character 6");
  CHECK(problem_of("nginx\t-t", Tabs::allowed) == "");
  CHECK(problem_of("nginx -t\nrm -rf /", Tabs::allowed) ==
        "control character U+000A (line feed) at character 9");
}

TEST_CASE("hidden text: bidirectional formatting and line separators are refused") {
  for (const char* bidi : {"\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067",
                           "\u2068", "\u2069", "\u200e", "\u200f", "\u061c"}) {
    CAPTURE(bidi);
    CHECK(
        problem_of(std::string("ab") + bidi).starts_with("bidirectional formatting character U+"));
  }
  CHECK(problem_of("ab\u202e") == "bidirectional formatting character U+202E at character 3");
  CHECK(problem_of("a\u2028") == "line separator U+2028 at character 2");
  CHECK(problem_of("\u2010\u2030\u2065") == "");  // neighbours of the refused ranges
}

TEST_CASE("hidden text: every kind of string value is checked at its line and column") {
  const std::string text = kHead +
                           "organization = \"Ex\\u0000Ltd\"\n"
                           "[[device]]\nname = \"alice\"\nowner = \"a@example.com\\n\"\n"
                           "groups = [\"ok\", \"adm\\u202Eins\"]\n"
                           "not_after = \"2027-01-01T00:00:00Z\\u001b\"\n"
                           "[nginx]\ntest = \"nginx\\t-t\"\nreload = \"nginx -s reload\\nx\"\n";
  CHECK(errors_of(text) ==
        std::vector<std::string>{
            "4:16: \"organization\": control character U+0000 (NUL) at character 3 is not allowed",
            "7:9: \"owner\": control character U+000A (line feed) at character 14 is not allowed",
            "8:17: \"groups\": bidirectional formatting character U+202E at character 4 is not "
            "allowed",
            "9:13: \"not_after\": control character U+001B (escape) at character 21 is not "
            "allowed",
            "12:10: \"reload\": control character U+000A (line feed) at character 16 is not "
            "allowed"});
}

TEST_CASE("hidden text: an unknown quoted key is reported without echoing it") {
  CHECK(errors_of(kHead + "\"x\\u001b[2J\" = 1\n") ==
        std::vector<std::string>{"4:1: unknown key with a control character U+001B (escape) at "
                                 "character 2 in [ca]"});
}

}  // namespace certgate::desired
