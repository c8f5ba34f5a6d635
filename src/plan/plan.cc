#include "plan/plan.h"

#include <algorithm>

namespace certgate::plan {

int Plan::count(ActionKind kind) const {
  return static_cast<int>(std::count_if(actions.begin(), actions.end(),
                                        [kind](const Action& a) { return a.kind == kind; }));
}

bool makes_ca(const Plan& plan) {
  for (const Action& a : plan.actions) {
    if (a.kind == ActionKind::issue && a.object == ObjectKind::ca && a.subject == "ca") return true;
  }
  return false;
}

std::string_view to_string(ActionKind kind) {
  switch (kind) {
    case ActionKind::issue:
      return "issue";
    case ActionKind::renew:
      return "renew";
    case ActionKind::revoke:
      return "revoke";
    case ActionKind::crl:
      return "crl";
    case ActionKind::file:
      return "file";
    case ActionKind::reload:
      return "reload";
    case ActionKind::publish:
      return "publish";
    case ActionKind::retire:
      return "retire";
  }
  return "?";
}

std::string_view to_string(ObjectKind kind) {
  switch (kind) {
    case ObjectKind::ca:
      return "ca";
    case ObjectKind::device:
      return "device";
    case ObjectKind::crl:
      return "crl";
    case ObjectKind::file:
      return "file";
    case ObjectKind::probe:
      return "probe";
  }
  return "?";
}

std::string_view to_string(AccessChangeKind kind) {
  return kind == AccessChangeKind::gain ? "gain" : "lose";
}

std::string_view to_string(AccessKind kind) {
  switch (kind) {
    case AccessKind::device:
      return "device";
    case AccessKind::public_path:
      return "public_path";
    case AccessKind::fallback:
      return "fallback";
  }
  return "?";
}

}  // namespace certgate::plan
