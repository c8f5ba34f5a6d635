#include "plan/base_diff.h"

#include <algorithm>
#include <set>
#include <tuple>

#include "plan/access.h"

namespace certgate::plan {

namespace {

using desired::DesiredState;
using desired::Device;
using desired::Site;

bool contains(const std::vector<std::string>& sorted, const std::string& s) {
  return std::binary_search(sorted.begin(), sorted.end(), s);
}

std::string join(const std::vector<std::string>& v, const char* none) {
  if (v.empty()) return none;
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

// A not_after given as a date alone ends that day at 23:59:59Z (desired/): print it as the date.
std::string when(base::Instant t) {
  const std::string s = base::format_rfc3339(t);
  return s.ends_with("T23:59:59Z") ? s.substr(0, 10) : s;
}

bool is_live(const Device& d, base::Instant now) {
  return !d.is_revoked() && !(d.not_after && now >= *d.not_after);
}

// What the agent makes true on each side: every device that is not revoked and not past its
// not_after holds a live certificate.
std::set<std::string> live_devices(const DesiredState& state, base::Instant now) {
  std::set<std::string> out;
  for (const Device& d : state.devices)
    if (is_live(d, now)) out.insert(d.name);
  return out;
}

std::string expires_detail(const Device& b, const Device& h, base::Instant now) {
  if (!h.not_after) return "not_after " + when(*b.not_after) + " removed";
  std::string out = "not_after " + (b.not_after ? when(*b.not_after) + " -> " : "");
  out += when(*h.not_after);
  return now >= *h.not_after ? out + " (passed)" : out;
}

// The changes of one device, `b` in base and `h` in head (either may be null, not both).
void diff_device(const Device* b, const Device* h, base::Instant now,
                 std::vector<DeviceChange>& out) {
  const std::string& name = h ? h->name : b->name;
  if (b == nullptr) {
    std::string detail = h->groups.empty() ? "no groups" : "groups " + join(h->groups, "");
    if (h->revoked) detail += ", revoked (" + std::string(to_string(*h->revoked)) + ")";
    out.push_back({DeviceChangeKind::added, name, detail});
    return;
  }
  if (h == nullptr) {
    out.push_back({DeviceChangeKind::removed, name, b->is_revoked() ? "already revoked" : ""});
    return;
  }
  if (h->revoked && !b->revoked)
    out.push_back({DeviceChangeKind::revoked, name, std::string(to_string(*h->revoked))});
  if (!h->revoked && b->revoked)
    out.push_back(
        {DeviceChangeKind::unrevoked, name, "was " + std::string(to_string(*b->revoked))});
  if (h->groups != b->groups)
    out.push_back({DeviceChangeKind::groups, name,
                   join(b->groups, "no groups") + " -> " + join(h->groups, "no groups")});
  if (h->not_after != b->not_after)
    out.push_back({DeviceChangeKind::expires, name, expires_detail(*b, *h, now)});
}

void diff_devices(const DesiredState& base, const DesiredState& head, base::Instant now,
                  std::vector<DeviceChange>& out) {
  std::set<std::string> names;
  for (const Device& d : base.devices) names.insert(d.name);
  for (const Device& d : head.devices) names.insert(d.name);
  for (const std::string& name : names)
    diff_device(base.find_device(name), head.find_device(name), now, out);
  std::stable_sort(out.begin(), out.end(), [](const DeviceChange& x, const DeviceChange& y) {
    return std::tie(x.device, x.kind) < std::tie(y.device, y.kind);
  });
}

struct Sides {
  const DesiredState& base;
  const DesiredState& head;
  base::Instant now;
  std::set<std::string> base_live;
  std::set<std::string> head_live;
};

// Head lets the device in through `hs` and base did not through `bs`: which route is new.
// Any other route would have let it in on the base side already.
std::string route_gained(const Site& bs, const Site& hs, const Device& h) {
  if (hs.allows_any_device()) return "site allows any device of the CA";
  if (contains(hs.allow_devices, h.name)) return "in allow_devices";
  for (const std::string& g : h.groups) {
    if (!contains(hs.allow_groups, g)) continue;
    return contains(bs.allow_groups, g) ? "joined group " + g
                                        : "group " + g + " added to allow_groups";
  }
  return "";
}

// Base let the device in through `bs` and head does not through `hs`: the first route lost.
std::string route_lost(const Site& bs, const Site& hs, const Device& b) {
  if (bs.allows_any_device()) return "site no longer allows any device of the CA";
  if (contains(bs.allow_devices, b.name)) return "removed from allow_devices";
  for (const std::string& g : b.groups) {
    if (!contains(bs.allow_groups, g)) continue;
    return contains(hs.allow_groups, g) ? "left group " + g
                                        : "group " + g + " removed from allow_groups";
  }
  return "";
}

// Most specific first: what happened to the device, then to the site, then to the route.
std::string device_gain_why(const Sides& s, const AccessChange& c) {
  const Device* b = s.base.find_device(c.who);
  const Device& h = *s.head.find_device(c.who);
  const Site* bs = s.base.find_site(c.site);
  if (b == nullptr) return "new device";
  if (b->is_revoked()) return "unrevoked";
  if (!s.base_live.contains(c.who))
    return h.not_after ? "not_after moved to " + when(*h.not_after) : "not_after removed";
  if (bs == nullptr) return "new site";
  return route_gained(*bs, *s.head.find_site(c.site), h);
}

std::string device_loss_why(const Sides& s, const AccessChange& c) {
  const Device* h = s.head.find_device(c.who);
  const Site* hs = s.head.find_site(c.site);
  if (h == nullptr) return "deleted";
  if (h->revoked) return "revoked (" + std::string(to_string(*h->revoked)) + ")";
  if (!s.head_live.contains(c.who)) return "not_after passed";
  if (hs == nullptr) return "site removed";
  return route_lost(*s.base.find_site(c.site), *hs, *s.base.find_device(c.who));
}

bool is_enroll_prefix(const DesiredState& state, const AccessChange& c) {
  return state.enroll && state.enroll->site == c.site && state.enroll->path + "e/" == c.who;
}

std::string why_of(const Sides& s, const AccessChange& c) {
  if (c.kind == AccessKind::device)
    return c.change == AccessChangeKind::gain ? device_gain_why(s, c) : device_loss_why(s, c);
  if (c.change == AccessChangeKind::gain) return door_gain_why(s.head, c);
  if (s.head.find_site(c.site) == nullptr) return "site removed";
  if (c.kind == AccessKind::fallback) return "fallback closed";
  return is_enroll_prefix(s.base, c) ? "[enroll] links removed" : "removed from public_paths";
}

void add_changes(const Sides& s, AccessKind kind, const std::string& site,
                 const std::set<std::string>& before, const std::set<std::string>& after,
                 std::vector<AccessChange>& out) {
  for (const std::string& who : after) {
    if (before.contains(who)) continue;
    AccessChange c{kind, who, site, AccessChangeKind::gain};
    c.why = why_of(s, c);
    out.push_back(std::move(c));
  }
  for (const std::string& who : before) {
    if (after.contains(who)) continue;
    AccessChange c{kind, who, site, AccessChangeKind::lose};
    c.why = why_of(s, c);
    out.push_back(std::move(c));
  }
}

SiteAccess access_of(const DesiredState& state, const std::string& site,
                     const std::set<std::string>& live, base::Instant now) {
  const Site* found = state.find_site(site);
  return found ? wanted_access(state, *found, live, now) : SiteAccess{};
}

void diff_access(const Sides& s, BaseDiff& diff) {
  std::set<std::string> sites;
  for (const Site& site : s.base.sites) sites.insert(site.name);
  for (const Site& site : s.head.sites) sites.insert(site.name);
  for (const std::string& name : sites) {
    const bool in_base = s.base.find_site(name) != nullptr;
    const bool in_head = s.head.find_site(name) != nullptr;
    if (!in_base) diff.sites_added.push_back(name);
    if (!in_head) diff.sites_removed.push_back(name);
    const SiteAccess was = access_of(s.base, name, s.base_live, s.now);
    const SiteAccess will = access_of(s.head, name, s.head_live, s.now);
    add_changes(s, AccessKind::device, name, was.devices, will.devices, diff.access);
    add_changes(s, AccessKind::public_path, name, was.public_paths, will.public_paths, diff.access);
    add_changes(s, AccessKind::fallback, name, was.fallback, will.fallback, diff.access);
  }
  std::sort(diff.access.begin(), diff.access.end());
}

// The planner's guard (planner.cc mass_revocation), applied to the devices this change revokes.
std::string mass_revocation_warning(const Sides& s, int revocations) {
  const int live = static_cast<int>(s.base_live.size());
  const int max = s.head.safety.max_revocations;
  const std::string what =
      "apply will refuse this change without --allow-mass-revoke: it revokes " +
      std::to_string(revocations) + " of the " + std::to_string(live) + " live devices";
  if (revocations > max)
    return what + ", more than [safety].max_revocations = " + std::to_string(max);
  if (revocations >= 2 && revocations * 2 > live) return what + ", more than half of them";
  return "";
}

void add_warnings(const Sides& s, BaseDiff& diff) {
  for (const AccessChange& c : diff.access) {
    if (std::string w = broad_warning(s.head, c); !w.empty()) diff.warnings.push_back(w);
  }
  for (const Site& hs : s.head.sites) {
    const Site* bs = s.base.find_site(hs.name);
    if (bs && !bs->allows_any_device() && hs.allows_any_device())
      diff.warnings.push_back("site " + hs.name +
                              " now lets in any device of the CA: it has no allow_groups and "
                              "no allow_devices any more");
  }
  if (std::string w = mass_revocation_warning(s, diff.revocations); !w.empty())
    diff.warnings.push_back(w);
}

}  // namespace

std::string_view to_string(DeviceChangeKind kind) {
  switch (kind) {
    case DeviceChangeKind::added:
      return "added";
    case DeviceChangeKind::removed:
      return "removed";
    case DeviceChangeKind::revoked:
      return "revoked";
    case DeviceChangeKind::unrevoked:
      return "unrevoked";
    case DeviceChangeKind::groups:
      return "groups";
    case DeviceChangeKind::expires:
      return "expires";
  }
  return "?";
}

BaseDiff diff_desired(const desired::DesiredState& base, const desired::DesiredState& head,
                      base::Instant now) {
  Sides s{base, head, now, live_devices(base, now), live_devices(head, now)};
  BaseDiff diff;
  diff_devices(base, head, now, diff.devices);
  diff_access(s, diff);
  for (const std::string& name : s.base_live) diff.revocations += !s.head_live.contains(name);
  add_warnings(s, diff);
  return diff;
}

}  // namespace certgate::plan
