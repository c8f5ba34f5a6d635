// certgate.toml(5) from schemas/certgate.schema.json (render/man_page.h).
#include <nlohmann/json.hpp>

#include "render/man_page.h"

namespace certgate::render {
namespace {

using Json = nlohmann::ordered_json;

// A property with its $ref resolved: the definition's fields, then the property's own.
Json resolved(const Json& schema, const Json& p) {
  if (!p.contains("$ref")) return p;
  const std::string ref = p["$ref"].get<std::string>();
  const std::string prefix = "#/$defs/";
  Json out = Json::object();
  if (ref.starts_with(prefix) && schema["$defs"].contains(ref.substr(prefix.size())))
    out = schema["$defs"][ref.substr(prefix.size())];
  // The definition's own description says what kind of value it is; keep both.
  if (out.contains("description")) out["kind"] = out["description"];
  for (const auto& [k, v] : p.items()) out[k] = v;
  return out;
}

std::string type_of(const Json& p) {
  if (p.contains("enum") || p.contains("const")) return "string";
  if (!p.contains("type")) return "value";
  const std::string t = p["type"].is_string() ? p["type"].get<std::string>() : "value";
  if (t == "array") return "array of " + (p.contains("items") ? type_of(p["items"]) : "values");
  if (t == "object") return "table";
  return t;
}

std::string values_of(const Json& p) {
  std::string out;
  const Json* list = p.contains("enum") ? &p["enum"] : nullptr;
  if (!list) return p.contains("const") ? bold(p["const"].dump()) : "";
  for (const Json& v : *list)
    out += (out.empty() ? "" : ", ") + bold(v.is_string() ? v.get<std::string>() : v.dump());
  return out;
}

// `text` ending in a full stop.
std::string sentence(std::string text) {
  if (!text.empty() && text.back() != '.') text += ".";
  return text;
}

void key_item(std::string& out, const Json& schema, const std::string& key, const Json& raw) {
  const Json p = resolved(schema, raw);
  // A value of a named kind says so: "(duration)", "(key)", "(names)".
  std::string type = type_of(p);
  if (raw.contains("$ref")) {
    const std::string ref = raw["$ref"].get<std::string>();
    type = ref.substr(ref.rfind('/') + 1);
  }
  out += ".TP\n" + bold(key) + " (" + roff_escape(type) + ")\n";
  if (p.contains("description")) out += paragraph(sentence(p["description"].get<std::string>()));
  if (p.contains("kind") && p["kind"] != p.value("description", Json()))
    out += paragraph(sentence(p["kind"].get<std::string>()));
  if (const std::string v = values_of(p); !v.empty()) out += "Values: " + v + ".\n";
  if (p.contains("minimum") && p.contains("maximum"))
    out += "From " + p["minimum"].dump() + " to " + p["maximum"].dump() + ".\n";
}

// The table's properties, itself when it is an array of tables' items.
const Json* properties(const Json& table) {
  const Json& t = table.contains("items") ? table["items"] : table;
  return t.contains("properties") ? &t["properties"] : nullptr;
}

Result<void> table_section(std::string& out, const Json& schema, const std::string& name,
                           const Json& table) {
  const Json* props = properties(table);
  if (!props) return make_error(Errc::invalid, "schema: table " + name + " has no properties");
  const bool array = table.value("type", "") == "array";
  out += ".SS \"" + std::string(array ? "[[" : "[") + name + (array ? "]]" : "]") + "\"\n";
  if (table.contains("description"))
    out += paragraph(sentence(table["description"].get<std::string>()));
  std::vector<std::pair<std::string, const Json*>> nested;
  for (const auto& [key, p] : props->items()) {
    if (p.value("type", "") == "object" && p.contains("properties")) nested.push_back({key, &p});
    key_item(out, schema, key, p);
  }
  for (const auto& [key, p] : nested)
    if (auto r = table_section(out, schema, name + "." + key, *p); !r) return r;
  return {};
}

}  // namespace

Result<std::string> man_page_certgate_toml(const std::string& schema_json,
                                           const std::string& version) {
  const Json schema = Json::parse(schema_json, nullptr, false);
  if (!schema.is_object() || !schema.contains("properties"))
    return make_error(Errc::invalid, "schema: not a JSON Schema with properties");
  std::string out = man_header("CERTGATE.TOML", 5, version);
  out += ".SH NAME\ncertgate.toml \\- the desired state of certgate\n";
  out += ".SH DESCRIPTION\n" + paragraph(schema.value("description", "")) +
         ".PP\nThe file lives in git and holds no secret.\n.B certgate validate\nchecks it and "
         "prints every problem as\n.IR file : line : col : message .\nAn unknown key is an "
         "error.\n";
  out += ".SH TOP LEVEL\n";
  std::vector<std::pair<std::string, const Json*>> tables;
  for (const auto& [key, p] : schema["properties"].items()) {
    if (properties(p)) {
      tables.push_back({key, &p});
    } else {
      key_item(out, schema, key, p);
    }
  }
  out += ".SH TABLES\n";
  for (const auto& [key, p] : tables)
    if (auto r = table_section(out, schema, key, *p); !r) return r.error();
  out += ".SH EXAMPLE\n.EX\n" +
         roff_escape(
             "schema = 1\n[ca]\ncommon_name = \"Example Admin CA\"\n"
             "[[device]]\nname = \"alice-phone\"\ngroups = [\"admins\"]\n"
             "[[site]]\nname = \"admin\"\nserver_names = "
             "[\"admin.example.com\"]\nallow_groups = [\"admins\"]\n") +
         ".EE\n";
  out += ".SH SEE ALSO\n.BR certgate (1)\n";
  return wrap_lines(out);
}

}  // namespace certgate::render
