// The JSON of a snapshot (observed/snapshot.h), shared by the .cc files that write and read its
// parts: snapshot.cc, and snapshot_rollover.cc for a CA rollover's outgoing and next CAs.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>

#include "base/time.h"
#include "observed/observed_state.h"

namespace certgate::observed {

using Json = nlohmann::ordered_json;

inline std::string time_text(base::Instant t) { return base::format_rfc3339(t); }

// Reads a snapshot's JSON, naming the path of whatever is wrong.
class Reader {
 public:
  explicit Reader(std::string path) : path_(std::move(path)) {}

  [[noreturn]] void bad(const std::string& what) const {
    throw std::runtime_error("snapshot: " + path_ + (path_.empty() ? "" : ": ") + what);
  }
  Reader at(const std::string& key) const {
    return Reader(path_.empty() ? key : path_ + "." + key);
  }
  Reader at(size_t i) const { return Reader(path_ + "[" + std::to_string(i) + "]"); }

  const nlohmann::json& field(const nlohmann::json& j, const char* key) const {
    if (!j.is_object()) bad("not an object");
    if (!j.contains(key)) at(key).bad("missing");
    return j[key];
  }
  std::string text(const nlohmann::json& j, const char* key) const {
    const auto& v = field(j, key);
    if (!v.is_string()) at(key).bad("not a string");
    return v.get<std::string>();
  }
  std::string text_or(const nlohmann::json& j, const char* key) const {
    return j.contains(key) ? text(j, key) : std::string();
  }
  bool flag(const nlohmann::json& j, const char* key) const {
    const auto& v = field(j, key);
    if (!v.is_boolean()) at(key).bad("not true or false");
    return v.get<bool>();
  }
  long number(const nlohmann::json& j, const char* key) const {
    const auto& v = field(j, key);
    if (!v.is_number_integer()) at(key).bad("not an integer");
    return v.get<long>();
  }
  base::Instant instant(const nlohmann::json& j, const char* key) const {
    auto t = base::parse_rfc3339(text(j, key));
    if (!t) at(key).bad("not an RFC 3339 instant");
    return *t;
  }
  const nlohmann::json& array(const nlohmann::json& j, const char* key) const {
    const auto& v = field(j, key);
    if (!v.is_array()) at(key).bad("not an array");
    return v;
  }

 private:
  std::string path_;
};

// The optional "key" of `j`.
std::optional<base::KeyType> read_key(const Reader& r, const nlohmann::json& j);

// A CRL's fields (exists, number, this_update, next_update, serials, signed_by_ca).
Json crl_json(const Crl& c);
Crl read_crl_json(const Reader& r, const nlohmann::json& j);

// A CA rollover's part of the snapshot ("rollover"): the outgoing CA (STATE/ca-previous) with its
// CRL, a two-tier CA's next intermediate waiting for the root (STATE/ca-next), and whether a
// rollover was interrupted. Absent from snapshots of certgate before rollovers: none then.
Json rollover_json(const ObservedState& o);
void read_rollover(const Reader& r, const nlohmann::json& j, ObservedState& o);

}  // namespace certgate::observed
