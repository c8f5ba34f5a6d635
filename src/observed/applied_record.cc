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
  j["targets"] = nlohmann::ordered_json::array();
  for (const RecordedTarget& t : record.targets)
    j["targets"].push_back({{"name", t.name},
                            {"address", t.address},
                            {"port", t.port},
                            {"user", t.user},
                            {"dir", t.dir},
                            {"test", t.test},
                            {"reload", t.reload},
                            {"worker_group", t.worker_group}});
  j["crl"] = {{"validity_seconds", record.crl_validity.count()},
              {"refresh_before_seconds", record.crl_refresh_before.count()}};
  if (!record.publish.repo.empty())
    j["publish"] = {{"repo", record.publish.repo},
                    {"branch", record.publish.branch},
                    {"signing_key", record.publish.signing_key},
                    {"hosts", record.publish.hosts}};
  return j.dump(2) + "\n";
}

namespace {

Result<AppliedRecord> parse_json(const nlohmann::json& j) {
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
  if (j.contains("targets") && j["targets"].is_array()) {
    for (const auto& t : j["targets"]) {
      if (!t.is_object() || !t.contains("name") || !t["name"].is_string()) return bad;
      RecordedTarget rt;
      rt.name = t["name"].get<std::string>();
      rt.address = t.value("address", "");
      rt.port = t.value("port", 22);
      rt.user = t.value("user", "");
      rt.dir = t.value("dir", "");
      rt.test = t.value("test", "");
      rt.reload = t.value("reload", "");
      rt.worker_group = t.value("worker_group", "");
      r.targets.push_back(std::move(rt));
    }
  }
  if (j.contains("crl") && j["crl"].is_object()) {
    r.crl_validity = std::chrono::seconds{j["crl"].value("validity_seconds", 0L)};
    r.crl_refresh_before = std::chrono::seconds{j["crl"].value("refresh_before_seconds", 0L)};
  }
  if (j.contains("publish") && j["publish"].is_object()) {
    const auto& p = j["publish"];
    r.publish.repo = p.value("repo", "");
    r.publish.branch = p.value("branch", "");
    r.publish.signing_key = p.value("signing_key", "");
    r.publish.hosts = p.value("hosts", std::vector<std::string>{});
  }
  return r;
}

}  // namespace

Result<AppliedRecord> parse_applied_record(std::string_view text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  // value() throws on a field of the wrong type: a file edited by hand is "not ours" then.
  try {
    return parse_json(j);
  } catch (const nlohmann::json::exception&) {
    return make_error(Errc::invalid, "state.json: not a certgate state file");
  }
}

}  // namespace certgate::observed
