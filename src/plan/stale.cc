#include "plan/stale.h"

namespace certgate::plan {

namespace {

std::string action_name(const Action& a) {
  return std::string(to_string(a.kind)) + " " + std::string(to_string(a.object)) + " " + a.subject +
         (a.target.empty() || a.target == "local" ? "" : " on " + a.target);
}

// A renewal's `after` is now (overlap 0s) or min(old notAfter, now + overlap): an instant of the
// evaluation time, which a saved plan always has otherwise.
bool after_from_now(const Action& a) { return a.kind == ActionKind::renew; }

// The first field in which `s` and `f` differ, "" when none does.
std::string action_difference(const Action& s, const Action& f) {
  auto differs = [](const std::string& field, const std::string& a, const std::string& b) {
    return a == b ? std::string() : field + " was \"" + a + "\", now \"" + b + "\"";
  };
  if (s.kind != f.kind || s.object != f.object || s.target != f.target || s.subject != f.subject)
    return "it was " + action_name(s) + ", now " + action_name(f);
  for (const std::string& d :
       {differs("serial", s.serial, f.serial),
        differs("revocation reason",
                s.revocation_reason ? std::string(to_string(*s.revocation_reason)) : "",
                f.revocation_reason ? std::string(to_string(*f.revocation_reason)) : ""),
        differs("detail", s.detail, f.detail), differs("reason", s.reason, f.reason),
        differs("before", s.before, f.before),
        after_from_now(s) ? std::string() : differs("after", s.after, f.after),
        differs("revokes_predecessor", s.revokes_predecessor ? "true" : "false",
                f.revokes_predecessor ? "true" : "false")})
    if (!d.empty()) return d;
  return "";
}

std::string access_name(const AccessChange& c) {
  return std::string(to_string(c.change)) + " " + std::string(to_string(c.kind)) + " " + c.who +
         " -> " + c.site + (c.why.empty() ? "" : " (" + c.why + ")");
}

}  // namespace

std::string stale_reason(const Plan& saved, const Plan& fresh) {
  const auto& a = saved.inputs.fingerprints;
  const auto& b = fresh.inputs.fingerprints;
  for (const auto& [key, sha] : b) {
    auto it = a.find(key);
    if (it == a.end()) return key + " is new since the plan";
    if (it->second != sha) return key + " changed";
  }
  for (const auto& [key, sha] : a)
    if (!b.contains(key)) return key + " is gone since the plan";
  if (saved.inputs.source != fresh.inputs.source || saved.inputs.commit != fresh.inputs.commit)
    return "the source is " + fresh.inputs.source + " now, the plan's was " + saved.inputs.source;
  if (saved.inputs.state_dir != fresh.inputs.state_dir)
    return "the plan was made for the state directory " + saved.inputs.state_dir;
  if (saved.actions.size() != fresh.actions.size())
    return "the actions differ now: the plan has " + std::to_string(saved.actions.size()) +
           ", now there are " + std::to_string(fresh.actions.size()) + " (time rules moved on)";
  for (size_t i = 0; i < saved.actions.size(); ++i) {
    const std::string d = action_difference(saved.actions[i], fresh.actions[i]);
    if (!d.empty())
      return "action " + std::to_string(i + 1) + " (" + action_name(saved.actions[i]) +
             ") differs: " + d;
  }
  if (saved.access != fresh.access) {
    for (size_t i = 0; i < std::max(saved.access.size(), fresh.access.size()); ++i) {
      const std::string was = i < saved.access.size() ? access_name(saved.access[i]) : "nothing";
      const std::string now = i < fresh.access.size() ? access_name(fresh.access[i]) : "nothing";
      if (was != now) return "the access changes differ: the plan says " + was + ", now " + now;
    }
  }
  if (saved.warnings != fresh.warnings) return "the warnings differ now";
  if (saved.refusal != fresh.refusal) return "the refusal differs now";
  return "";
}

}  // namespace certgate::plan
