// TableReader: typed, diagnosed access to one TOML table. Internal to desired/.
//
// Each getter marks its key as known, checks the value's type and form, and on a problem adds a
// diagnostic at the value's line and column and returns nullopt, so the parser can go on and
// report every problem in one run. report_unknown_keys() then flags whatever the table holds
// that the schema (keys.h) does not name, with a "did you mean" where a key looks like a typo.
#pragma once

#include <toml++/toml.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/diagnostic.h"
#include "base/time.h"
#include "desired/hidden_text.h"

namespace certgate::desired {

struct LocatedString {
  std::string value;
  base::SourceLoc loc;
};

// How a bare date (no time of day) is read where an instant is expected.
enum class BareDate { refused, end_of_day };

base::SourceLoc to_loc(const toml::source_region& region, const std::string& file);

class TableReader {
 public:
  // `table` names the schema table ("ca", "device", "site.fallback"); `label` is how messages
  // name it ("[ca]", "[[device]] \"alice\""). All references must outlive the reader.
  TableReader(const toml::table& t, std::string_view table, std::string label,
              const std::string& file, base::Diagnostics& diags);

  base::SourceLoc loc() const;
  base::SourceLoc loc_of(std::string_view key) const;
  bool has(std::string_view key) const;
  void set_label(std::string label) { label_ = std::move(label); }

  // Adds "missing required key" when `key` is absent. Returns whether it is present.
  bool require(std::string_view key);

  // Strings refuse control and bidirectional formatting characters (hidden_text.h), as every
  // getter that reads a string does; command() also accepts tabs.
  std::optional<LocatedString> string(std::string_view key);
  std::optional<LocatedString> command(std::string_view key);
  std::optional<std::int64_t> integer(std::string_view key, std::int64_t min, std::int64_t max);
  std::optional<bool> boolean(std::string_view key);
  std::optional<std::vector<LocatedString>> strings(std::string_view key);
  std::optional<std::chrono::seconds> duration(std::string_view key);
  std::optional<base::Instant> instant(std::string_view key, BareDate bare_date);
  const toml::table* table(std::string_view key);
  const toml::array* array_of_tables(std::string_view key);

  // Adds an error for each key of the table that no getter asked for and keys.h does not list.
  void report_unknown_keys();

  void error(const base::SourceLoc& loc, std::string message);
  void warning(const base::SourceLoc& loc, std::string message);

 private:
  const toml::node* get(std::string_view key) const;
  void wrong_type(std::string_view key, const toml::node& n, std::string_view expected);
  std::optional<LocatedString> string_of(std::string_view key, Tabs tabs);
  // Adds an error and returns false when the string `n` holds a hidden character.
  bool check_visible(std::string_view key, const toml::node& n, Tabs tabs);

  const toml::table& t_;
  std::span<const std::string_view> keys_;
  std::string label_;
  const std::string& file_;
  base::Diagnostics& diags_;
};

}  // namespace certgate::desired
