#include "desired/entry_names.h"

#include <toml++/toml.h>

#include "base/names.h"
#include "desired/toml_limits.h"

namespace certgate::desired {

std::vector<std::string> entry_names(std::string_view toml_text, std::string_view array) {
  std::vector<std::string> out;
  if (check_toml_limits(toml_text)) return out;
  toml::table root;
  try {
    root = toml::parse(toml_text);
  } catch (const toml::parse_error&) {
    return out;
  }
  const toml::array* entries = root[array].as_array();
  if (!entries) return out;
  for (const toml::node& entry : *entries) {
    const toml::table* t = entry.as_table();
    if (!t) continue;
    const std::optional<std::string> name = (*t)["name"].value<std::string>();
    if (!name) continue;
    const auto problem =
        array == "site" ? base::site_name_problem(*name) : base::name_problem(*name);
    if (!problem) out.push_back(*name);
  }
  return out;
}

}  // namespace certgate::desired
