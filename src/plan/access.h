// The access half of the plan: who passes each site's gate before the plan (what the http.conf
// deployed on the targets lets in now) and after it (the desired state, with the devices that
// hold a live certificate once the plan has run), and the difference as AccessChange values.
// PURE, like compute_plan, which calls plan_access.
//
// The "before" side is read from the deployed files rather than from a record of the last apply:
// it is what nginx enforces, so hand edits, a host a failed rollout left behind and the first
// apply (nothing deployed: nobody passes yet) all show as they are.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "desired/desired_state.h"
#include "observed/observed_state.h"
#include "plan/plan.h"

namespace certgate::plan {

struct SiteAccess {
  std::set<std::string> devices;
  std::set<std::string> public_paths;
  std::set<std::string> fallback;  // networks, canonical CIDR text

  bool operator==(const SiteAccess&) const = default;
};

// Site name -> what the http.conf files of `targets` let in, united over the targets (a device
// one host lets in passes now). Read from what certgate writes in each site's maps: the
// "# DEVICE" comment of every `_cert` map line, the key of every `_public` map line (quotes,
// "~^" and regex escapes removed, so "~^/api/public/" is "/api/public/") and the network of
// every line of the `_fallback` geo block. Targets without http.conf add nothing.
std::map<std::string, SiteAccess> deployed_access(
    const std::vector<observed::TargetFiles>& targets);

// What `site` lets in once the plan has run: the devices of `live_after` it allows, its public
// paths, and its fallback networks while `now` is before the fallback's `until`.
SiteAccess wanted_access(const desired::DesiredState& desired, const desired::Site& site,
                         const std::set<std::string>& live_after, base::Instant now);

// Why `site` lets `device` in: "in allow_devices", "group admins" (the first of the device's
// groups the site allows) or "any device of the CA"; "" when it does not (site.allows false).
std::string allowed_because(const desired::Site& site, const desired::Device& device);

// Why the public path or fallback network of the gain `c` passes its site of `desired`:
// "[enroll] links" (the first-enrollment prefix), "public_paths", "fallback until
// 2026-12-15T00:00:00Z"; "" for a device or a site `desired` does not have.
std::string door_gain_why(const desired::DesiredState& desired, const AccessChange& c);

// What a reviewer must not miss about the gain `c`, or "": "site admin becomes public: ..." for
// the public path "/", "site wiki opens to much of the Internet: ..." for a broad fallback
// network (base::Cidr::is_broad), with its `until` in `desired`.
std::string broad_warning(const desired::DesiredState& desired, const AccessChange& c);

// Fills plan.access (sorted) with every difference between deployed_access(observed.targets)
// and wanted_access of each desired site, each with its `why` ("group admins", "revoked
// (keyCompromise)", "deleted", "not_after passed", "no live certificate", "no longer allowed",
// "public_paths", "removed from public_paths", "fallback until ...", "fallback closed", "site
// removed"), and adds broad_warning of each gain to plan.warnings.
void plan_access(const desired::DesiredState& desired, const observed::ObservedState& observed,
                 const std::set<std::string>& live_after, base::Instant now, Plan& plan);

}  // namespace certgate::plan
