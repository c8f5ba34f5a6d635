// The parts of load_desired, one per kind of table. Internal to desired/.
#pragma once

#include <toml++/toml.h>

#include <algorithm>
#include <map>
#include <optional>
#include <string>

#include "base/diagnostic.h"
#include "desired/desired_state.h"
#include "desired/table_reader.h"
#include "source/source.h"

namespace certgate::desired {

// What every part needs: where messages go and what has been read so far.
struct ParseContext {
  const std::string& file;
  base::Diagnostics& diags;
  const source::SourceTree& tree;
  std::optional<base::Instant> now;
  DesiredState& state;
  // Where each name was first defined, to report duplicates and to resolve references.
  std::map<std::string, base::SourceLoc> device_locs, site_locs, host_locs;
  // Host name -> where its `mode = "pull"` is, for the checks that need the whole file.
  std::map<std::string, base::SourceLoc> pull_mode_locs = {};
  bool has_publish_table = false;  // [publish] is there, whether or not it is valid
};

// [ca] mode, and in mode = "intermediate" the public files of the two tiers (read from the
// source; absent ones are not signed yet).
void parse_ca_tiers(TableReader& r, CaSpec& ca, ParseContext& ctx);

// Said where an ed25519 device key is chosen, in [defaults] or in a [[device]].
extern const char* const kEd25519Warning;

void parse_ca(const toml::table& t, ParseContext& ctx);
void parse_defaults(const toml::table& t, ParseContext& ctx);
void parse_devices(const toml::array& tables, ParseContext& ctx);
void parse_sites(const toml::array& tables, ParseContext& ctx);
void parse_nginx(TableReader& r, NginxSpec& spec);
void parse_hosts(const toml::array& tables, ParseContext& ctx);
void parse_publish(TableReader& r, ParseContext& ctx);
// After every table is read: each pull host needs [publish] and must not serve [enroll].
void check_pull_hosts(ParseContext& ctx);

// Reads a name key, checks its form and uniqueness; nullopt when missing or bad.
std::optional<LocatedString> read_unique_name(TableReader& r, std::string_view kind,
                                              std::map<std::string, base::SourceLoc>& seen);

// Reads an array of strings, checking each with `problem`, and returns them sorted and unique.
template <class Problem>
std::vector<std::string> read_checked_list(TableReader& r, std::string_view key, Problem problem) {
  std::vector<std::string> out;
  auto items = r.strings(key);
  if (!items) return out;
  for (const LocatedString& item : *items) {
    if (auto p = problem(item.value)) {
      r.error(item.loc, *p);
    } else if (std::find(out.begin(), out.end(), item.value) != out.end()) {
      r.warning(item.loc, "\"" + item.value + "\" is listed twice in \"" + std::string(key) + "\"");
    } else {
      out.push_back(item.value);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace certgate::desired
