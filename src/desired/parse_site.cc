// [[site]] and [[host]] tables: the gates to render and the machines that serve them.
#include <algorithm>
#include <charconv>

#include "base/cidr.h"
#include "base/names.h"
#include "base/text.h"
#include "desired/parse.h"
#include "desired/parse_internal.h"

namespace certgate::desired {

Result<Probe> parse_probe(const std::string& url) {
  if (auto p = base::too_long("\"probe\"", url, base::kMaxUrl))
    return make_error(Errc::invalid, *p);
  const auto bad = [&](std::string_view why) {
    return make_error(Errc::invalid, "\"probe\" \"" + url + "\": " + std::string(why) +
                                         " (expected https://HOST[:PORT][/PATH])");
  };
  if (!url.starts_with("https://")) return bad("must start with https://");
  Probe p;
  p.url = url;
  std::string_view rest = std::string_view(url).substr(8);
  const size_t slash = rest.find('/');
  if (slash != std::string_view::npos) {
    p.path = std::string(rest.substr(slash));
    rest = rest.substr(0, slash);
  }
  std::string_view port;
  if (rest.starts_with("[")) {
    const size_t close = rest.find(']');
    if (close == std::string_view::npos) return bad("unclosed '['");
    p.host = std::string(rest.substr(1, close - 1));
    if (close + 1 < rest.size()) {
      if (rest[close + 1] != ':') return bad("unexpected text after ']'");
      port = rest.substr(close + 2);
    }
  } else {
    const size_t colon = rest.find(':');
    p.host = std::string(rest.substr(0, colon));
    if (colon != std::string_view::npos) port = rest.substr(colon + 1);
  }
  if (p.host.empty() || base::address_problem(p.host)) return bad("bad host");
  if (!port.empty() || rest.ends_with(":")) {
    int n = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), n);
    if (port.empty() || ec != std::errc() || end != port.data() + port.size() || n < 1 ||
        n > 65535) {
      return bad("port must be 1 to 65535");
    }
    p.port = n;
  }
  if (auto problem = base::public_path_problem(p.path)) return bad("bad path");
  return p;
}

namespace {

void parse_fallback(TableReader& r, Site& site) {
  Fallback fb;
  bool ok = r.require("allow_ips") & r.require("until");
  if (auto items = r.strings("allow_ips")) {
    if (items->empty()) r.error(r.loc_of("allow_ips"), "\"allow_ips\" must not be empty");
    for (const LocatedString& item : *items) {
      auto cidr = base::parse_cidr(item.value);
      if (!cidr) {
        r.error(item.loc, cidr.error().message);
        ok = false;
        continue;
      }
      if (cidr->is_broad()) {
        r.warning(item.loc, "\"" + item.value + "\" opens the site to much of the Internet " +
                                "(a prefix shorter than /" +
                                std::to_string(base::Cidr::kBroadPrefix) +
                                "): anyone from it gets in without a certificate");
      }
      if (cidr->has_host_bits()) {
        r.warning(item.loc, "\"" + item.value +
                                "\" has bits set past its prefix; nginx reads it as " +
                                "the whole network");
      }
      fb.allow_ips.push_back(*cidr);
    }
    std::sort(fb.allow_ips.begin(), fb.allow_ips.end());
  }
  if (auto until = r.instant("until", BareDate::refused)) {
    fb.until = *until;
  } else {
    ok = false;
  }
  r.report_unknown_keys();
  if (ok) site.fallback = std::move(fb);
}

// Each entry of allow_devices must name a [[device]] of this file.
void check_allow_devices(TableReader& r, ParseContext& ctx) {
  auto items = r.strings("allow_devices");
  if (!items) return;
  std::vector<std::string_view> known;
  for (const auto& [name, loc] : ctx.device_locs) known.push_back(name);
  for (const LocatedString& item : *items) {
    if (base::name_problem(item.value)) continue;  // reported by read_checked_list
    if (ctx.device_locs.contains(item.value)) {
      const Device* d = nullptr;
      for (const Device& dev : ctx.state.devices) {
        if (dev.name == item.value) d = &dev;
      }
      if (d && d->is_revoked()) {
        r.warning(item.loc, "device \"" + item.value + "\" is revoked and will not get in");
      }
      continue;
    }
    std::string message = "allow_devices names unknown device \"" + item.value + "\"";
    if (auto near = base::closest_match(item.value, known)) {
      message += "; did you mean \"" + *near + "\"?";
    }
    r.error(item.loc, message);
  }
}

// public_paths = ["/"] is every path: the site is open to anyone without a certificate.
void warn_public_root(TableReader& r, const Site& s) {
  if (std::find(s.public_paths.begin(), s.public_paths.end(), "/") != s.public_paths.end())
    r.warning(r.loc_of("public_paths"),
              "public path \"/\" opens the whole site to anyone without a certificate");
}

void parse_site(const toml::table& t, ParseContext& ctx) {
  TableReader r(t, "site", "[[site]]", ctx.file, ctx.diags);
  Site s;
  s.loc = r.loc();
  auto name = read_unique_name(r, "site", ctx.site_locs);
  if (name) s.name = name->value;
  if (name) {
    if (auto p = base::site_name_problem(name->value)) r.error(name->loc, *p);
  }
  s.server_names = read_checked_list(r, "server_names", base::server_name_problem);
  const auto group_problem = [](const std::string& g) {
    auto p = base::name_problem(g);
    return p ? std::optional<std::string>("group " + *p) : std::nullopt;
  };
  s.allow_groups = read_checked_list(r, "allow_groups", group_problem);
  s.allow_devices = read_checked_list(r, "allow_devices", [](const std::string& d) {
    auto p = base::name_problem(d);
    return p ? std::optional<std::string>("device " + *p) : std::nullopt;
  });
  check_allow_devices(r, ctx);
  s.public_paths = read_checked_list(r, "public_paths", base::public_path_problem);
  warn_public_root(r, s);
  if (auto v = r.boolean("forward_identity")) s.forward_identity = *v;
  // A device's chain is leaf, intermediate, root in mode = "intermediate": nginx needs depth 2.
  const bool two_tiers = ctx.state.ca.is_intermediate();
  if (two_tiers) s.verify_depth = 2;
  if (auto v = r.integer("verify_depth", 1, 10)) {
    if (two_tiers && *v < 2) {
      r.error(r.loc_of("verify_depth"),
              "\"verify_depth\" must be at least 2 with [ca] mode = \"intermediate\": a device's "
              "chain is its certificate, the intermediate and the root");
    } else {
      s.verify_depth = static_cast<int>(*v);
    }
  }
  if (auto probe = r.string("probe")) {
    if (auto p = parse_probe(probe->value)) {
      s.probe = *p;
    } else {
      r.error(probe->loc, p.error().message);
    }
  }
  if (const toml::table* fb = r.table("fallback")) {
    TableReader fr(*fb, "site.fallback", "[site.fallback]", ctx.file, ctx.diags);
    parse_fallback(fr, s);
    if (s.fallback && ctx.now && s.fallback->until <= *ctx.now) {
      fr.warning(fr.loc_of("until"), "fallback window ended at " +
                                         base::format_rfc3339(s.fallback->until) +
                                         ": the side door is closed");
    }
  }
  r.report_unknown_keys();
  if (name) ctx.state.sites.push_back(std::move(s));
}

void parse_host(const toml::table& t, ParseContext& ctx) {
  TableReader r(t, "host", "[[host]]", ctx.file, ctx.diags);
  Host h;
  h.loc = r.loc();
  auto name = read_unique_name(r, "host", ctx.host_locs);
  if (name) h.name = name->value;
  if (auto mode = r.string("mode")) {
    if (mode->value == "pull") {
      h.mode = HostMode::pull;
      if (name) ctx.pull_mode_locs.emplace(name->value, mode->loc);
    } else if (mode->value != "push") {
      r.error(mode->loc, "\"mode\" \"" + mode->value + "\" must be \"push\" or \"pull\"");
    }
  }
  // A pull host is never contacted over SSH: it needs no address.
  if (h.is_pull() ? r.has("address") : r.require("address")) {
    if (auto a = r.string("address")) {
      if (auto p = base::address_problem(a->value)) r.error(a->loc, *p);
      h.address = a->value;
    }
  }
  if (auto port = r.integer("port", 1, 65535)) h.port = static_cast<int>(*port);
  if (auto user = r.string("user")) {
    if (auto p = base::user_problem(user->value)) r.error(user->loc, *p);
    h.user = user->value;
  }
  if (auto sites = r.strings("sites")) {
    for (const LocatedString& site : *sites) {
      if (!ctx.site_locs.contains(site.value)) {
        r.error(site.loc, "host names unknown site \"" + site.value + "\"");
      } else if (std::find(h.sites.begin(), h.sites.end(), site.value) == h.sites.end()) {
        h.sites.push_back(site.value);
      }
    }
  } else {
    for (const auto& [site, loc] : ctx.site_locs) h.sites.push_back(site);
  }
  std::sort(h.sites.begin(), h.sites.end());
  h.nginx = ctx.state.nginx;
  parse_nginx(r, h.nginx);  // dir / test / reload override [nginx]; also reports unknown keys
  if (name) ctx.state.hosts.push_back(std::move(h));
}

}  // namespace

void parse_sites(const toml::array& tables, ParseContext& ctx) {
  for (const toml::node& n : tables) {
    if (const toml::table* t = n.as_table()) parse_site(*t, ctx);
  }
}

void parse_hosts(const toml::array& tables, ParseContext& ctx) {
  for (const toml::node& n : tables) {
    if (const toml::table* t = n.as_table()) parse_host(*t, ctx);
  }
}

}  // namespace certgate::desired
