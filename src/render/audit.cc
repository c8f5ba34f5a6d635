#include "render/audit.h"

#include <nlohmann/json.hpp>

namespace certgate::render {
namespace {

void put(nlohmann::ordered_json& j, const char* key, const std::string& value) {
  if (!value.empty()) j[key] = value;
}

}  // namespace

std::string audit_lines(const AuditOrigin& origin, const std::vector<AuditEvent>& events) {
  std::string out;
  for (const AuditEvent& e : events) {
    nlohmann::ordered_json j;
    j["time"] = base::format_rfc3339(origin.at);
    j["action"] = e.action;
    put(j, "device", e.device);
    put(j, "serial", e.serial);
    put(j, "reason", e.reason);
    put(j, "target", e.target);
    put(j, "detail", e.detail);
    if (e.count >= 0) j["count"] = e.count;
    j["command"] = origin.command;
    put(j, "source", origin.source);
    put(j, "commit", origin.commit);
    put(j, "author", origin.author);
    put(j, "signer", origin.signer);
    // Invalid UTF-8 (a hand-made CSR's subject, an nginx message) is replaced, never refused:
    // the trail must always be written.
    out += j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  }
  return out;
}

std::string audit_log_fields(const AuditEvent& e) {
  std::string out = "audit action=" + e.action;
  auto field = [&](const char* key, const std::string& value) {
    if (!value.empty()) out += std::string(" ") + key + "=" + value;
  };
  field("device", e.device);
  field("serial", e.serial);
  field("target", e.target);
  field("detail", e.detail);
  if (e.count >= 0) out += " count=" + std::to_string(e.count);
  // Last: a refusal's reason is a sentence.
  field("reason", e.reason);
  return out;
}

std::string status_with_audit(std::string status, bool json,
                              const std::vector<std::string>& lines) {
  if (json) {
    auto doc = nlohmann::ordered_json::parse(status);
    doc["audit"] = nlohmann::ordered_json::array();
    for (const std::string& line : lines)
      doc["audit"].push_back(nlohmann::ordered_json::parse(line));
    return doc.dump(2) + "\n";
  }
  status += "\nAudit (STATE/audit.log, last " + std::to_string(lines.size()) + "):\n";
  for (const std::string& line : lines) status += "  " + line + "\n";
  return status;
}

std::vector<std::string> last_audit_lines(const std::string& text, size_t n) {
  std::vector<std::string> lines;
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) break;  // cut off by a crash: not a whole line
    std::string line = text.substr(pos, nl - pos);
    pos = nl + 1;
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_object()) lines.push_back(std::move(line));
  }
  if (lines.size() > n) lines.erase(lines.begin(), lines.end() - static_cast<long>(n));
  return lines;
}

}  // namespace certgate::render
