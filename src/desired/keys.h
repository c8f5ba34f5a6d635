// The keys each table of certgate.toml accepts, in one place.
//
// The parser reads exactly these and reports every other key as unknown; schema_test.cc checks
// that schemas/certgate.schema.json lists the same keys, so the two cannot drift apart.
#pragma once

#include <span>
#include <string_view>

namespace certgate::desired {

struct TableKeys {
  std::string_view table;  // "" for the top level, "site.fallback" for a nested table
  std::span<const std::string_view> keys;
};

// Every table of the file with its keys.
std::span<const TableKeys> all_table_keys();

// The keys of one table. REQUIRES: `table` is one of all_table_keys().
std::span<const std::string_view> keys_of(std::string_view table);

}  // namespace certgate::desired
