#include "observed/applied_record.h"

#include <nlohmann/json.hpp>

namespace certgate::observed {

std::string format_applied_record(const AppliedRecord& record) {
  nlohmann::ordered_json j;
  j["format_version"] = 1;
  j["last_applied"] = {{"source", record.source},
                       {"commit", record.commit},
                       {"source_sha256", record.source_sha256},
                       {"at", base::format_rfc3339(record.applied_at)}};
  j["deployed"] = record.deployed;
  return j.dump(2) + "\n";
}

Result<AppliedRecord> parse_applied_record(std::string_view text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  const auto bad = make_error(Errc::invalid, "state.json: not a certgate state file");
  if (j.is_discarded() || !j.is_object() || !j.contains("last_applied")) return bad;
  const auto& last = j["last_applied"];
  if (!last.is_object() || !last.contains("at") || !last["at"].is_string()) return bad;
  auto at = base::parse_rfc3339(last["at"].get<std::string>());
  if (!at) return bad;
  AppliedRecord r;
  r.source = last.value("source", "");
  r.commit = last.value("commit", "");
  r.source_sha256 = last.value("source_sha256", "");
  r.applied_at = *at;
  if (j.contains("deployed") && j["deployed"].is_object()) {
    for (const auto& [target, files] : j["deployed"].items()) {
      if (!files.is_object()) return bad;
      for (const auto& [path, sha] : files.items()) {
        if (!sha.is_string()) return bad;
        r.deployed[target][path] = sha.get<std::string>();
      }
    }
  }
  return r;
}

}  // namespace certgate::observed
