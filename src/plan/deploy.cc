#include "plan/deploy.h"

#include <algorithm>
#include <set>

#include "base/names.h"

namespace certgate::plan {
namespace {

std::vector<std::string_view> split_lines(const std::string& text) {
  std::vector<std::string_view> out;
  std::string_view rest = text;
  while (!rest.empty()) {
    size_t nl = rest.find('\n');
    out.push_back(rest.substr(0, nl));
    if (nl == std::string_view::npos) break;
    rest.remove_prefix(nl + 1);
  }
  std::sort(out.begin(), out.end());
  return out;
}

Action file_action(const TargetWant& want, const std::string& rel) {
  Action a;
  a.kind = ActionKind::file;
  a.object = ObjectKind::file;
  a.target = want.target;
  a.subject = want.dir + "/" + rel;
  return a;
}

// The file action for `rel`, or nullopt when the target already holds the wanted bytes.
std::optional<Action> compare(const TargetWant& want, const std::string& rel,
                              const WantedFile& wanted, const observed::TargetFiles* deployed,
                              const std::map<std::string, std::string>* recorded) {
  const observed::DeployedFile* have = nullptr;
  if (deployed) {
    if (auto it = deployed->files.find(rel); it != deployed->files.end()) have = &it->second;
  }
  if (have && !wanted.sha256.empty() && have->sha256 == wanted.sha256) return std::nullopt;
  Action a = file_action(want, rel);
  a.after = wanted.sha256;
  if (!have) {
    a.detail = "(new)";
    a.reason = "missing on the target";
    return a;
  }
  a.before = have->sha256;
  if (!wanted.text.empty() || !have->text.empty()) {
    auto [plus, minus] = changed_lines(have->text, wanted.text);
    a.detail = "(+" + std::to_string(plus) + " -" + std::to_string(minus) + ")";
  } else {
    a.detail = wanted.sha256.empty() ? "(signed by apply)" : "(replaced)";
  }
  a.reason = "the desired content changed";
  if (recorded) {
    auto it = recorded->find(rel);
    if (it != recorded->end() && it->second != have->sha256) {
      a.reason = "edited by hand since the last apply (drift)";
      a.detail.insert(a.detail.size() - 1, ", edited by hand");
    }
  }
  return a;
}

void plan_target(const TargetWant& want, const observed::ObservedState& observed, Plan& plan) {
  const observed::TargetFiles* deployed = nullptr;
  for (const observed::TargetFiles& t : observed.targets)
    if (t.target == want.target) deployed = &t;
  const std::map<std::string, std::string>* recorded = nullptr;
  if (observed.last_applied) {
    const auto& deployed_by_target = observed.last_applied->deployed;
    if (auto it = deployed_by_target.find(want.target); it != deployed_by_target.end())
      recorded = &it->second;
  }
  size_t first = plan.actions.size();
  for (const auto& [rel, wanted] : want.files) {
    if (auto a = compare(want, rel, wanted, deployed, recorded)) plan.actions.push_back(*a);
  }
  if (deployed) {
    for (const auto& [rel, have] : deployed->files) {
      if (want.files.contains(rel) || !have.is_generated || !rel.starts_with("sites/")) continue;
      Action a = file_action(want, rel);
      a.before = have.sha256;
      a.detail = "(remove)";
      a.reason = "no longer generated (its site is gone)";
      plan.actions.push_back(std::move(a));
    }
  }
  const bool interrupted = deployed && deployed->has_interrupted_deploy;
  if (plan.actions.size() == first && !interrupted) return;
  Action r;
  r.kind = ActionKind::reload;
  r.object = ObjectKind::file;
  r.target = want.target;
  r.subject = "nginx";
  r.detail = want.test + ", " + want.reload;
  r.reason = plan.actions.size() == first ? "an earlier deploy stopped before its reload"
                                          : "its files change";
  plan.actions.push_back(std::move(r));
}

}  // namespace

std::pair<int, int> changed_lines(const std::string& before, const std::string& after) {
  auto a = split_lines(before);
  auto b = split_lines(after);
  std::vector<std::string_view> only_b, only_a;
  std::set_difference(b.begin(), b.end(), a.begin(), a.end(), std::back_inserter(only_b));
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(only_a));
  return {static_cast<int>(only_b.size()), static_cast<int>(only_a.size())};
}

void add_deploy_actions(const std::vector<TargetWant>& wants,
                        const observed::ObservedState& observed, Plan& plan) {
  for (const TargetWant& want : wants) plan_target(want, observed, plan);
}

std::vector<std::pair<std::string, std::string>> live_certs_after(
    const Plan& plan, const observed::ObservedState& observed, base::Instant now) {
  std::set<std::string> replaced;
  std::vector<std::pair<std::string, std::string>> out;
  for (const Action& a : plan.actions) {
    if (a.object != ObjectKind::device) continue;
    if (!a.serial.empty()) replaced.insert(a.serial);
    if (a.kind == ActionKind::issue || a.kind == ActionKind::renew)
      out.emplace_back(a.subject, "(new)");
  }
  for (const observed::Cert& c : observed.certs) {
    if (c.is_live(now) && !replaced.contains(c.serial) && base::is_valid_name(c.device))
      out.emplace_back(c.device, c.serial);
  }
  std::sort(out.begin(), out.end(), [](const auto& x, const auto& y) {
    return std::tie(x.second, x.first) < std::tie(y.second, y.first);
  });
  return out;
}

long crl_number_after(const Plan& plan, const observed::ObservedState& observed) {
  for (const Action& a : plan.actions) {
    if (a.kind == ActionKind::crl) return std::stol(a.after);
  }
  return observed.crl.exists ? observed.crl.number : 0;
}

}  // namespace certgate::plan
