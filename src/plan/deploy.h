// The deploy half of the plan: which nginx files change on which target, and which targets
// reload. PURE, like compute_plan: the wanted files come in rendered (cli/ renders them with
// render/nginx_files from the certificates the plan leaves live), the deployed ones observed.
//
// A file action says why: missing, the desired content changed, edited by hand since the last
// apply (drift), or no longer generated (a site was removed). A target reloads when any of its
// files change, or when an earlier deploy was interrupted before its reload.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "observed/observed_state.h"
#include "plan/plan.h"

namespace certgate::plan {

// The serial live_certs_after gives a certificate the plan issues: apply chooses the real one.
inline constexpr const char* kPlannedSerial = "(new)";

struct WantedFile {
  std::string sha256;  // empty: the bytes exist only once apply has signed them (new CA, CRL)
  // The bytes apply writes (sha256 is theirs). When sha256 is empty: for a .conf a preview with
  // planned serials, for the changed-line counts; else empty. A plan from a snapshot may know
  // only the sha256 of a file (a bundle it cannot see), and leave bytes empty.
  std::string bytes;
  // Set with an empty sha256 by a plan from a snapshot (plan --observed) for a file whose bytes
  // hold secrets it cannot see (the enrollment links' tokens): it changes, to bytes only the CA
  // host knows.
  bool hidden = false;

  bool operator==(const WantedFile&) const = default;
};

// What one target should hold once the plan has run.
struct TargetWant {
  std::string target;  // "local" or a host name
  std::string dir;     // [nginx].dir
  std::string test;    // [nginx].test and .reload, as the reload action shows them
  std::string reload;
  std::map<std::string, WantedFile> files;  // path relative to dir
  // A pull host ([[host]] mode = "pull"): the [publish] repository and branch its files are
  // committed to, and its deployed files are what that branch holds for it. Its changes end in a
  // publish action instead of a reload (`certgate edge` tests and reloads on the host). Empty for
  // a target the CA host deploys to itself.
  std::string publish_repo = "";
  std::string publish_branch = "";

  bool operator==(const TargetWant&) const = default;
};

// Appends file and reload (or publish) actions for every target of `wants` to `plan`, comparing
// with observed.targets (same names) and with what the last apply recorded (observed.last_applied).
// The one rule for what goes: a generated file under sites/ or pickup/ that is not wanted. A new
// pickup/.group (nginx's worker group) rewrites every pickup/ file: same bytes, another group.
void add_deploy_actions(const std::vector<TargetWant>& wants,
                        const observed::ObservedState& observed, Plan& plan);

// Appends a publish action for each host folder of the [publish] branch (`stale`, sorted) that
// is no pull host of the desired state any more (deleted, or back to push): the next publish
// commit leaves its folder out.
void add_unpublish_actions(const std::vector<std::string>& stale, const std::string& repo,
                           const std::string& branch, Plan& plan);

// The certificates nginx should let in once `plan` has run, as (device, serial) sorted by
// serial: the live ones it neither revokes nor renews, and "(new)" for each it issues (its
// serial is chosen by apply).
std::vector<std::pair<std::string, std::string>> live_certs_after(
    const Plan& plan, const observed::ObservedState& observed, base::Instant now);

// Lines only in `after` and lines only in `before`, counted as multisets ("+2 -1").
std::pair<int, int> changed_lines(const std::string& before, const std::string& after);

}  // namespace certgate::plan
