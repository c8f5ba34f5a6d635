// certgate.toml(5) names exactly the keys the parser reads (desired/keys.cc), table by table;
// certgate(1) names every command and option of the application `certgate` parses with.
#include "render/man_page.h"

#include <doctest/doctest.h>

#include <map>
#include <set>

#include "cli/commands.h"
#include "cli/doc_model.h"
#include "desired/keys.h"
#include "sys/real_filesystem.h"

namespace certgate::render {
namespace {

std::string schema_text() {
  sys::RealFilesystem fs;
  auto text = fs.read(std::string(CERTGATE_SOURCE_DIR) + "/schemas/certgate.schema.json");
  REQUIRE(text);
  return *text;
}

// Table ("" for TOP LEVEL, "site.fallback") -> the keys the page lists in its section, read
// from the page's own requests: `.SS "[ca]"` or `.SS "[[device]]"`, then `.TP` and `\fBkey\fR`.
std::map<std::string, std::set<std::string>> keys_in_page(const std::string& page) {
  std::map<std::string, std::set<std::string>> out;
  std::string table;
  bool in_tables = false, after_tp = false;
  size_t pos = 0;
  while (pos < page.size()) {
    size_t nl = page.find('\n', pos);
    if (nl == std::string::npos) nl = page.size();
    const std::string line = page.substr(pos, nl - pos);
    pos = nl + 1;
    if (line == ".SH TOP LEVEL") table = "";
    if (line == ".SH TABLES") in_tables = true;
    if (line.starts_with(".SH ") && line != ".SH TOP LEVEL" && line != ".SH TABLES") {
      table = "-";  // not a key section
      in_tables = false;
    }
    if (in_tables && line.starts_with(".SS \"[")) {
      std::string name = line.substr(5, line.size() - 6);
      while (!name.empty() && name.front() == '[') name.erase(0, 1);
      while (!name.empty() && name.back() == ']') name.pop_back();
      table = name;
      // A table is a key of its parent.
      const size_t dot = name.rfind('.');
      out[dot == std::string::npos ? "" : name.substr(0, dot)].insert(
          dot == std::string::npos ? name : name.substr(dot + 1));
    }
    if (after_tp && line.starts_with("\\fB") && table != "-") {
      const size_t end = line.find("\\fR");
      std::string key = line.substr(3, end - 3);
      for (size_t i; (i = key.find("\\-")) != std::string::npos;) key.replace(i, 2, "-");
      out[table].insert(key);
    }
    after_tp = line == ".TP";
  }
  return out;
}

}  // namespace

TEST_CASE("man page certgate.toml(5) lists every key of every table, and no other") {
  auto page = man_page_certgate_toml(schema_text(), "0");
  REQUIRE(page);
  auto listed = keys_in_page(*page);
  std::set<std::string> tables;
  for (const desired::TableKeys& t : desired::all_table_keys()) {
    CAPTURE(t.table);
    tables.insert(std::string(t.table));
    const std::set<std::string> want(t.keys.begin(), t.keys.end());
    CHECK(listed[std::string(t.table)] == want);
  }
  for (const auto& [table, keys] : listed) {
    CAPTURE(table);
    CHECK(tables.contains(table));
  }
}

TEST_CASE("man page certgate(1) names every command and option the binary parses") {
  CLI::App app{cli::kDescription, "certgate"};
  cli::GlobalOptions g;
  cli::CommandTable commands;
  cli::add_commands(app, g, commands);
  const std::string page = man_page_certgate(cli::describe_app(app), "0");
  // Walk the application itself, not the model the page was made from.
  std::vector<std::pair<std::string, const CLI::App*>> todo{{"certgate", &app}};
  int commands_seen = 0;
  while (!todo.empty()) {
    auto [path, a] = todo.back();
    todo.pop_back();
    for (const CLI::App* sub : a->get_subcommands([](const CLI::App*) { return true; })) {
      if (sub->get_name().empty()) continue;  // an option group
      if (sub->get_group().empty()) {
        CHECK(page.find(".SS \"" + roff_escape(path + " " + sub->get_name())) ==
              std::string::npos);  // hidden
        continue;
      }
      todo.push_back({path + " " + sub->get_name(), sub});
    }
    const auto options = a->get_options(
        [](const CLI::Option* o) { return o->get_lnames() != std::vector<std::string>{"help"}; });
    const bool leaf =
        a->get_subcommands([](const CLI::App* x) { return !x->get_name().empty(); }).empty();
    if (a != &app && (leaf || !options.empty())) {
      CAPTURE(path);
      ++commands_seen;
      const size_t section = page.find(".SS \"" + roff_escape(path) + "\"");
      REQUIRE(section != std::string::npos);
      for (const CLI::Option* o : options) {
        for (const std::string& l : o->get_lnames()) {
          CAPTURE(l);
          CHECK(page.find("\\fB" + roff_escape("--" + l) + "\\fR", section) != std::string::npos);
        }
      }
    }
  }
  CHECK(commands_seen >= 16);  // 12 top-level commands, root init/sign/crl, ca protect
}

TEST_CASE("man pages: roff escapes backslashes, dashes and a leading dot") {
  CHECK(roff_escape("a-b\\c") == "a\\-b\\ec");
  CHECK(roff_escape(".TH x") == "\\&.TH x");
  CHECK(roff_escape("'quote") == "\\&'quote");
  CHECK(wrap_lines(std::string(60, 'a') + " " + ".b" + std::string(30, 'c') + "\n") ==
        std::string(60, 'a') + "\n\\&.b" + std::string(30, 'c') + "\n");
}

}  // namespace certgate::render
