#include "plan/access.h"

#include <algorithm>

#include "base/cidr.h"

namespace certgate::plan {

namespace {

enum class Block { none, cert, public_path, fallback };

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> out;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    out.push_back(text.substr(0, nl));
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

std::string_view first_token(std::string_view line) {
  line = trim(line);
  return line.substr(0, line.find_first_of(" \t;"));
}

// "map $ssl_client_serial $certgate_admin_cert {": which of a site's blocks this line opens,
// named by the variable it sets (the last word before the brace).
Block block_of(std::string_view line) {
  line = trim(line);
  if (!(line.starts_with("map ") || line.starts_with("geo ")) || !line.ends_with("{"))
    return Block::none;
  std::string_view head = trim(line.substr(0, line.size() - 1));
  const std::string_view var = head.substr(head.find_last_of(" \t") + 1);
  if (var.ends_with("_cert")) return Block::cert;
  if (var.ends_with("_public")) return Block::public_path;
  if (var.ends_with("_fallback")) return Block::fallback;
  return Block::none;
}

// A `_public` map key back to the public path it was made from: "\"/healthz\"" and
// "\"~^/api/public/\"" give "/healthz" and "/api/public/"; a regex stops at its first operator
// that is not escaped ("~^/healthz(\?|$)" gives "/healthz").
std::string public_path_of(std::string_view key) {
  if (key.size() >= 2 && key.front() == '"' && key.back() == '"')
    key = key.substr(1, key.size() - 2);
  if (!key.starts_with('~')) return std::string(key);
  key.remove_prefix(1);
  if (key.starts_with('*')) key.remove_prefix(1);
  if (key.starts_with('^')) key.remove_prefix(1);
  std::string out;
  for (size_t i = 0; i < key.size(); ++i) {
    if (key[i] == '\\' && i + 1 < key.size()) {
      out += key[++i];
      continue;
    }
    if (std::string_view("$()|?*+[{.").find(key[i]) != std::string_view::npos) break;
    out += key[i];
  }
  return out;
}

void read_entry(Block block, std::string_view line, SiteAccess& access) {
  const std::string_view key = first_token(line);
  if (key.empty() || key == "default") return;
  if (block == Block::cert) {
    const size_t hash = line.find('#');
    if (hash != std::string_view::npos)
      access.devices.insert(std::string(trim(line.substr(hash + 1))));
  } else if (block == Block::public_path) {
    // An entry mapping to 0 keeps paths private (the ambiguous spellings); only 1 is public.
    const std::string_view value = trim(line.substr(line.find(key) + key.size()));
    if (value.starts_with("1")) access.public_paths.insert(public_path_of(key));
  } else if (block == Block::fallback) {
    auto cidr = base::parse_cidr(key);
    access.fallback.insert(cidr ? cidr->to_string() : std::string(key));
  }
}

void read_http_conf(std::string_view text, std::map<std::string, SiteAccess>& out) {
  SiteAccess* site = nullptr;
  Block block = Block::none;
  for (std::string_view line : split_lines(text)) {
    if (line.starts_with("# site ")) {
      site = &out[std::string(trim(line.substr(7)))];
      block = Block::none;
    } else if (trim(line) == "}") {
      block = Block::none;
    } else if (block != Block::none) {
      read_entry(block, line, *site);
    } else if (site) {
      block = block_of(line);
    }
  }
}

void add_changes(AccessKind kind, const std::string& site, const std::set<std::string>& before,
                 const std::set<std::string>& after, std::vector<AccessChange>& out) {
  for (const std::string& who : after) {
    if (!before.contains(who)) out.push_back({kind, who, site, AccessChangeKind::gain});
  }
  for (const std::string& who : before) {
    if (!after.contains(who)) out.push_back({kind, who, site, AccessChangeKind::lose});
  }
}

// Why a device passes no more, from the desired state alone: the deployed side says nothing of
// why it let the device in.
std::string device_loss_why(const desired::DesiredState& desired, const AccessChange& c,
                            const std::set<std::string>& live_after, base::Instant now) {
  const desired::Device* d = desired.find_device(c.who);
  if (d == nullptr) return "deleted";
  if (d->revoked) return "revoked (" + std::string(to_string(*d->revoked)) + ")";
  if (d->not_after && now >= *d->not_after) return "not_after passed";
  if (!live_after.contains(c.who)) return "no live certificate";
  return "no longer allowed";
}

std::string why_of(const desired::DesiredState& desired, const AccessChange& c,
                   const std::set<std::string>& live_after, base::Instant now) {
  const desired::Site* site = desired.find_site(c.site);
  if (c.change == AccessChangeKind::gain) {
    // A gain comes from wanted_access, so the site exists and allows the device.
    if (c.kind != AccessKind::device) return door_gain_why(desired, c);
    const desired::Device* d = desired.find_device(c.who);
    return site && d ? allowed_because(*site, *d) : "";
  }
  if (site == nullptr) return "site removed";
  switch (c.kind) {
    case AccessKind::device:
      return device_loss_why(desired, c, live_after, now);
    case AccessKind::public_path:
      return "removed from public_paths";
    case AccessKind::fallback:
      return "fallback closed";
  }
  return "";
}

}  // namespace

std::string allowed_because(const desired::Site& site, const desired::Device& device) {
  if (site.allows_any_device()) return "any device of the CA";
  if (std::binary_search(site.allow_devices.begin(), site.allow_devices.end(), device.name))
    return "in allow_devices";
  for (const std::string& g : device.groups) {
    if (std::binary_search(site.allow_groups.begin(), site.allow_groups.end(), g))
      return "group " + g;
  }
  return "";
}

std::string door_gain_why(const desired::DesiredState& desired, const AccessChange& c) {
  const desired::Site* site = desired.find_site(c.site);
  if (c.kind == AccessKind::public_path) {
    const bool is_enroll =
        desired.enroll && desired.enroll->site == c.site && desired.enroll->path + "e/" == c.who;
    return is_enroll ? "[enroll] links" : "public_paths";
  }
  if (c.kind == AccessKind::fallback && site && site->fallback)
    return "fallback until " + base::format_rfc3339(site->fallback->until);
  return "";
}

// A gained door that lets everyone in deserves more than a line among the others.
std::string broad_warning(const desired::DesiredState& desired, const AccessChange& c) {
  if (c.change != AccessChangeKind::gain) return "";
  if (c.kind == AccessKind::public_path && c.who == "/") {
    return "site " + c.site +
           " becomes public: public path \"/\" lets anyone in without a certificate";
  }
  if (c.kind != AccessKind::fallback) return "";
  auto cidr = base::parse_cidr(c.who);
  if (!cidr || !cidr->is_broad()) return "";
  const desired::Site* site = desired.find_site(c.site);
  return "site " + c.site + " opens to much of the Internet: fallback " + c.who +
         " (a prefix shorter than /" + std::to_string(base::Cidr::kBroadPrefix) +
         ") lets anyone from it in without a certificate" +
         (site && site->fallback ? " until " + base::format_rfc3339(site->fallback->until)
                                 : std::string());
}

std::map<std::string, SiteAccess> deployed_access(
    const std::vector<observed::TargetFiles>& targets) {
  std::map<std::string, SiteAccess> out;
  for (const observed::TargetFiles& t : targets) {
    auto it = t.files.find("http.conf");
    if (it != t.files.end()) read_http_conf(it->second.text, out);
  }
  return out;
}

namespace {

// The desired devices of `names` (those the file still has), looked up once for every site.
std::vector<const desired::Device*> devices_of(const desired::DesiredState& desired,
                                               const std::set<std::string>& names) {
  std::vector<const desired::Device*> out;
  out.reserve(names.size());
  for (const std::string& name : names)
    if (const desired::Device* d = desired.find_device(name)) out.push_back(d);
  return out;
}

SiteAccess site_access(const desired::DesiredState& desired, const desired::Site& site,
                       const std::vector<const desired::Device*>& live, base::Instant now) {
  SiteAccess a;
  // Sorted by name, as `live` is: inserted at the end each time.
  for (const desired::Device* d : live)
    if (site.allows(*d)) a.devices.insert(a.devices.end(), d->name);
  a.public_paths.insert(site.public_paths.begin(), site.public_paths.end());
  // First-enrollment links need no certificate (render/pickup_conf.h): their prefix is public,
  // as the deployed http.conf's entry reads back.
  if (desired.enroll && desired.enroll->site == site.name)
    a.public_paths.insert(desired.enroll->path + "e/");
  if (site.fallback && now < site.fallback->until) {
    for (const base::Cidr& ip : site.fallback->allow_ips) a.fallback.insert(ip.to_string());
  }
  return a;
}

}  // namespace

SiteAccess wanted_access(const desired::DesiredState& desired, const desired::Site& site,
                         const std::set<std::string>& live_after, base::Instant now) {
  return site_access(desired, site, devices_of(desired, live_after), now);
}

void plan_access(const desired::DesiredState& desired, const observed::ObservedState& observed,
                 const std::set<std::string>& live_after, base::Instant now, Plan& plan) {
  std::map<std::string, SiteAccess> before = deployed_access(observed.targets);
  std::map<std::string, SiteAccess> after;
  const std::vector<const desired::Device*> live = devices_of(desired, live_after);
  for (const desired::Site& site : desired.sites)
    after[site.name] = site_access(desired, site, live, now);
  for (const auto& [name, access] : after) before.try_emplace(name);  // a new site: nobody yet
  for (const auto& [name, was] : before) {
    const SiteAccess& will = after[name];  // a removed site: nobody any more
    add_changes(AccessKind::device, name, was.devices, will.devices, plan.access);
    add_changes(AccessKind::public_path, name, was.public_paths, will.public_paths, plan.access);
    add_changes(AccessKind::fallback, name, was.fallback, will.fallback, plan.access);
  }
  for (AccessChange& c : plan.access) c.why = why_of(desired, c, live_after, now);
  std::sort(plan.access.begin(), plan.access.end());
  for (const AccessChange& c : plan.access) {
    if (std::string w = broad_warning(desired, c); !w.empty()) plan.warnings.push_back(w);
  }
}

}  // namespace certgate::plan
