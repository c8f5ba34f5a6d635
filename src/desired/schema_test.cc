// schemas/certgate.schema.json and the parser must accept the same keys in every table; this
// test fails when one of them gains a key the other lacks.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "desired/keys.h"
#include "sys/real_filesystem.h"

namespace certgate::desired {
namespace {

// The JSON Schema object describing `table` ("" is the top level, "site.fallback" nested).
const nlohmann::json& schema_object(const nlohmann::json& root, std::string_view table) {
  const nlohmann::json* node = &root;
  size_t start = 0;
  while (start < table.size()) {
    const size_t dot = std::min(table.find('.', start), table.size());
    const std::string part(table.substr(start, dot - start));
    node = &(*node)["properties"][part];
    if (node->contains("items")) node = &(*node)["items"];
    start = dot + 1;
  }
  return *node;
}

}  // namespace

TEST_CASE("schema: every table has the parser's keys, and no others, and refuses the rest") {
  sys::RealFilesystem fs;
  auto text = fs.read(std::string(CERTGATE_SOURCE_DIR) + "/schemas/certgate.schema.json");
  REQUIRE(text);
  const nlohmann::json root = nlohmann::json::parse(*text);
  CHECK(root["$schema"] == "https://json-schema.org/draft/2020-12/schema");
  for (const TableKeys& t : all_table_keys()) {
    CAPTURE(t.table);
    const nlohmann::json& obj = schema_object(root, t.table);
    REQUIRE(obj.is_object());
    CHECK(obj["additionalProperties"] == false);
    std::set<std::string> in_schema, in_parser;
    for (const auto& [key, value] : obj["properties"].items()) in_schema.insert(key);
    for (std::string_view k : t.keys) in_parser.insert(std::string(k));
    CHECK(in_schema == in_parser);
  }
}

}  // namespace certgate::desired
