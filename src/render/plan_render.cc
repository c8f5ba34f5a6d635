#include "render/plan_render.h"

#include <map>
#include <nlohmann/json.hpp>

#include "base/time.h"
#include "render/base_diff_render.h"

namespace certgate::render {

namespace {

using plan::Action;
using plan::ActionKind;

const char* sign(ActionKind kind) {
  switch (kind) {
    case ActionKind::issue:
      return "+";
    case ActionKind::revoke:
    case ActionKind::retire:
      return "-";
    case ActionKind::reload:
    case ActionKind::publish:
      return "!";
    default:
      return "~";
  }
}

const char* color_of(ActionKind kind) {
  switch (kind) {
    case ActionKind::issue:
      return "\033[32m";
    case ActionKind::revoke:
    case ActionKind::retire:
      return "\033[31m";
    default:
      return "\033[33m";
  }
}

std::string pad(std::string s, size_t width) {
  // Width in characters, counting a UTF-8 sequence ("…") as one.
  size_t chars = 0;
  for (unsigned char c : s) chars += (c & 0xC0) != 0x80;
  if (chars < width) s.append(width - chars, ' ');
  return s;
}

std::string action_line(const Action& a, const TextStyle& style) {
  std::string subject = a.object == plan::ObjectKind::device ? "device " + a.subject : a.subject;
  if (a.kind == ActionKind::crl) subject = a.detail;
  if (a.object == plan::ObjectKind::probe) subject = "probe certificate";
  if (a.kind == ActionKind::file) subject = a.target + ":" + a.subject;
  // "! reload  local: nginx -t, nginx -s reload"
  if (a.kind == ActionKind::reload) subject = a.target + ": " + a.detail;
  // "! publish edge-1: ssh://git@git.example.com/infra/edges.git branch main"
  if (a.kind == ActionKind::publish) subject = a.target + ": " + a.subject + " " + a.detail;
  std::string line = "  ";
  if (style.color) line += color_of(a.kind);
  line += sign(a.kind);
  line += " " + pad(std::string(plan::to_string(a.kind)), 8);
  if (style.color) line += "\033[0m";
  if (a.kind == ActionKind::crl || a.kind == ActionKind::reload || a.kind == ActionKind::publish) {
    line += subject;
  } else {
    line += pad(subject, 26) + " " + a.detail;
  }
  while (!line.empty() && line.back() == ' ') line.pop_back();
  return line + "\n";
}

// "alice-phone", "public /healthz", "fallback 203.0.113.7/32": who passes, as a reviewer reads it.
std::string access_label(const plan::AccessChange& c) {
  switch (c.kind) {
    case plan::AccessKind::device:
      return c.who;
    case plan::AccessKind::public_path:
      return "public " + c.who;
    case plan::AccessKind::fallback:
      return "fallback " + c.who;
  }
  return c.who;
}

// "Access: + alice-phone -> admin      - carol-ipad -> admin, grafana"
std::string access_line(const plan::Plan& plan) {
  std::map<std::string, std::string> gains, losses;
  for (const plan::AccessChange& c : plan.access) {
    auto& m = c.change == plan::AccessChangeKind::gain ? gains : losses;
    std::string& sites = m[access_label(c)];
    sites += (sites.empty() ? "" : ", ") + c.site;
  }
  std::string out;
  for (const auto& [device, sites] : gains) out += "  + " + device + " -> " + sites;
  for (const auto& [device, sites] : losses) out += "  - " + device + " -> " + sites;
  return out.empty() ? "" : "Access:" + out.substr(1) + "\n";
}

std::string summary(const plan::Plan& plan) {
  std::string out;
  for (ActionKind k :
       {ActionKind::issue, ActionKind::renew, ActionKind::revoke, ActionKind::crl, ActionKind::file,
        ActionKind::reload, ActionKind::publish, ActionKind::retire}) {
    if (int n = plan.count(k)) {
      out += (out.empty() ? "" : ", ") + std::to_string(n) + " " + std::string(to_string(k));
    }
  }
  return "Plan: " + out + ".\n";
}

// Notes, warnings and the refusal: printed whether or not there are actions, as a refused plan
// or a clock that went back can come with none.
std::string trailer(const plan::Plan& plan, const TextStyle& style) {
  std::string out;
  for (const std::string& note : plan.notes) out += "Note: " + note + "\n";
  for (const std::string& w : plan.warnings) {
    out += style.color ? "\033[1;31mWARNING:\033[0m " : "WARNING: ";
    out += w + "\n";
  }
  if (!plan.refusal.empty()) out += "Refused: " + plan.refusal + "\n";
  return out;
}

}  // namespace

std::string plan_text(const plan::Plan& plan, const TextStyle& style) {
  std::string out = "certgate plan — source " + plan.inputs.source + ", state " +
                    plan.inputs.state_dir + ", at " + base::format_rfc3339(plan.now) + "\n";
  if (plan.is_empty()) {
    out += plan.ca_differences.empty()
               ? "No changes: the CA, the certificates and the CRL match the desired state.\n"
               : "No changes: the certificates and the CRL match the desired state; the CA does "
                 "not (see the note), and is kept.\n";
    return out + access_line(plan) + trailer(plan, style);
  }
  for (const Action& a : plan.actions) out += action_line(a, style);
  out += access_line(plan);
  out += summary(plan);
  return out + trailer(plan, style);
}

nlohmann::ordered_json access_value(const plan::AccessChange& c) {
  // "device" names the device; a public path or a fallback network is in "path" or "cidr".
  const char* field = c.kind == plan::AccessKind::device        ? "device"
                      : c.kind == plan::AccessKind::public_path ? "path"
                                                                : "cidr";
  return {{"kind", plan::to_string(c.kind)},
          {field, c.who},
          {"site", c.site},
          {"change", plan::to_string(c.change)},
          {"why", c.why}};
}

namespace {

nlohmann::ordered_json action_value(const Action& a) {
  nlohmann::ordered_json action = {{"kind", plan::to_string(a.kind)},
                                   {"target", a.target},
                                   {"object", plan::to_string(a.object)},
                                   {"subject", a.subject},
                                   {"reason", a.reason},
                                   {"detail", a.detail}};
  if (!a.serial.empty()) action["serial"] = a.serial;
  if (a.revocation_reason) action["revocation_reason"] = to_string(*a.revocation_reason);
  if (!a.before.empty()) action["before"] = a.before;
  if (!a.after.empty()) action["after"] = a.after;
  if (a.kind == plan::ActionKind::renew) action["revokes_predecessor"] = a.revokes_predecessor;
  return action;
}

nlohmann::ordered_json plan_value(const plan::Plan& plan) {
  nlohmann::ordered_json j;
  j["format_version"] = plan.format_version;
  j["now"] = base::format_rfc3339(plan.now);
  j["inputs"] = {{"source", plan.inputs.source},
                 {"commit", plan.inputs.commit},
                 {"state_dir", plan.inputs.state_dir},
                 {"fingerprints", plan.inputs.fingerprints}};
  j["actions"] = nlohmann::ordered_json::array();
  for (const Action& a : plan.actions) j["actions"].push_back(action_value(a));
  j["access"] = nlohmann::ordered_json::array();
  for (const plan::AccessChange& c : plan.access) j["access"].push_back(access_value(c));
  j["revocations"] = plan.revocations;
  j["max_revocations"] = plan.max_revocations;
  j["live_devices"] = plan.live_devices;
  if (!plan.notes.empty()) j["notes"] = plan.notes;
  if (!plan.warnings.empty()) j["warnings"] = plan.warnings;
  if (!plan.refusal.empty()) j["refusal"] = plan.refusal;
  return j;
}

}  // namespace

std::string plan_json(const plan::Plan& plan) { return plan_value(plan).dump(2) + "\n"; }

std::string plan_json(const plan::Plan& plan, const plan::BaseDiff& base) {
  nlohmann::ordered_json j = plan_value(plan);
  j["base"] = base_diff_value(base);
  return j.dump(2) + "\n";
}

}  // namespace certgate::render
