// The planner's unit-test fixture: a desired state and an observed CA with a current CRL, at
// kNow. Shared by planner_test.cc and overlap_test.cc.
#pragma once

#include <string>
#include <vector>

#include "plan/planner.h"

namespace certgate::plan::testing {

using namespace std::chrono;
using observed::Cert;

inline const base::Instant kNow = sys_days{2026y / November / 23} + 12h;

inline desired::Device device(const std::string& name, std::vector<std::string> groups = {}) {
  desired::Device d;
  d.name = name;
  d.groups = std::move(groups);
  return d;
}

inline Cert cert(const std::string& serial, const std::string& device, base::Instant not_after) {
  Cert c;
  c.serial = serial;
  c.device = device;
  c.not_after = not_after;
  c.has_file = true;
  c.not_before = not_after - days{365};
  c.key = base::KeyType::ec_p256;
  return c;
}

struct Fixture {
  desired::DesiredState desired;
  observed::ObservedState observed;

  Fixture() {
    desired.ca.common_name = "Test CA";
    // The CA [ca] describes (plan/ca_drift.h): its name, key type and validity.
    observed.ca = {true, "Test CA", kNow - observed::kBackdate, kNow + days{3650},
                   base::KeyType::ec_p256};
    observed.crl.exists = true;
    observed.crl.is_signed_by_ca = true;
    observed.crl.number = 4;
    observed.next_crl_number = 5;
    observed.crl.next_update = kNow + days{20};
  }

  Plan plan(base::Instant now = kNow, bool allow_mass_revoke = false) {
    return compute_plan(desired, observed, PlanInputs{}, PlanOptions{allow_mass_revoke}, now);
  }

  // One line per action: "kind subject: reason".
  std::vector<std::string> lines(base::Instant now = kNow) {
    std::vector<std::string> out;
    for (const Action& a : plan(now).actions)
      out.push_back(std::string(to_string(a.kind)) + " " + a.subject + ": " + a.reason);
    return out;
  }
};

}  // namespace certgate::plan::testing
