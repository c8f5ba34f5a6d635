#include "desired/parse.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "base/duration.h"
#include "base/names.h"
#include "desired/parse_internal.h"
#include "desired/toml_limits.h"

namespace certgate::desired {
namespace {

constexpr std::int64_t kSchemaVersion = 1;
// X.520 upper bound for commonName and organizationName (RFC 5280 appendix A).
constexpr size_t kMaxSubjectField = 64;  // X.509's upper bound for O, OU and CN (RFC 5280)
// [nginx] test and reload: a command line, not a script.
constexpr size_t kMaxCommand = 4096;

void read_subject_field(TableReader& r, std::string_view key, std::string& out) {
  auto v = r.string(key);
  if (!v) return;
  if (v->value.empty() || v->value.size() > kMaxSubjectField) {
    r.error(v->loc, "\"" + std::string(key) + "\" must be 1 to 64 characters long");
    return;
  }
  out = v->value;
}

template <class Enum, class Parser>
std::optional<Enum> read_enum(TableReader& r, std::string_view key, Parser parser) {
  auto v = r.string(key);
  if (!v) return std::nullopt;
  auto e = parser(v->value);
  if (!e) {
    r.error(v->loc, e.error().message);
    return std::nullopt;
  }
  return *e;
}

// Refuses a period that would renew (or roll over) at once: `before` its end must leave some.
void check_longer(TableReader& r, std::string_view period_key, seconds period,
                  std::string_view before_key, seconds before, const base::SourceLoc& loc,
                  std::string_view happens = "renewed at once") {
  if (period > before) return;
  r.error(loc, "\"" + std::string(period_key) + "\" " + base::format_duration(period) +
                   " must be longer than \"" + std::string(before_key) + "\" " +
                   base::format_duration(before) + ", or it would be " + std::string(happens));
}

void parse_root_scalars(TableReader& r, ParseContext& ctx) {
  if (!r.require("schema")) return;
  if (auto v = r.integer("schema", 0, 1'000'000)) {
    if (*v != kSchemaVersion) {
      r.error(r.loc_of("schema"), "unsupported schema " + std::to_string(*v) +
                                      ": this certgate reads schema " +
                                      std::to_string(kSchemaVersion));
    }
    ctx.state.schema = static_cast<int>(*v);
  }
}

void parse_rollout(TableReader& r, Rollout& out) {
  if (auto v = r.integer("canary", 0, 10'000)) out.canary = static_cast<int>(*v);
  if (auto v = r.integer("batch", 1, 1'000)) out.batch = static_cast<int>(*v);
  if (auto v = r.integer("max_failures", 0, 10'000)) out.max_failures = static_cast<int>(*v);
  r.report_unknown_keys();
}

void parse_safety(TableReader& r, Safety& out) {
  if (auto v = r.integer("max_revocations", 0, 1'000'000)) {
    out.max_revocations = static_cast<int>(*v);
  }
  r.report_unknown_keys();
}

// Runs `part` on the table `key` of the root when it is present and a table.
template <class Part>
void with_table(TableReader& root, std::string_view key, ParseContext& ctx, Part part) {
  if (const toml::table* t = root.table(key)) {
    TableReader r(*t, key, "[" + std::string(key) + "]", ctx.file, ctx.diags);
    part(r);
  }
}

// Warnings that need the whole file: groups that an allowlist names but no device carries.
void check_groups(const toml::table& root, ParseContext& ctx) {
  std::set<std::string> groups;
  for (const Device& d : ctx.state.devices) {
    if (!d.is_revoked()) groups.insert(d.groups.begin(), d.groups.end());
  }
  const toml::array* sites = root["site"].as_array();
  if (!sites) return;
  for (const toml::node& site : *sites) {
    const toml::array* allow =
        site.is_table() ? site.as_table()->get_as<toml::array>("allow_groups") : nullptr;
    if (!allow) continue;
    for (const toml::node& g : *allow) {
      // A group with a hidden character has its error already; its name is not echoed.
      if (g.is_string() && !groups.contains(g.as_string()->get()) &&
          !hidden_text_problem(g.as_string()->get())) {
        ctx.diags.warning(
            to_loc(g.source(), ctx.file),
            "no device (that is not revoked) is in group \"" + g.as_string()->get() + "\"");
      }
    }
  }
}

template <class T>
void sort_by_name(std::vector<T>& v) {
  std::sort(v.begin(), v.end(), [](const T& a, const T& b) { return a.name < b.name; });
}

// The longest first-enrollment link certgate makes: a link is a bearer secret for a bundle.
constexpr seconds kMaxLinkValidity = 30 * kDay;

void parse_enroll(TableReader& r, ParseContext& ctx) {
  Enroll e;
  e.loc = r.loc();
  if (r.require("site")) {
    if (auto site = r.string("site")) {
      if (!ctx.site_locs.contains(site->value)) {
        r.error(site->loc, "[enroll] names unknown site \"" + site->value + "\"");
      } else {
        e.site = site->value;
      }
    }
  }
  if (auto path = r.string("path")) {
    // Rendered into location and map keys: the characters of a plain, unambiguous path only.
    const bool plain = path->value.find_first_not_of(
                           "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._~/-") ==
                       std::string::npos;
    if (auto p = base::public_path_problem(path->value)) {
      r.error(path->loc, "\"path\": " + *p);
    } else if (!plain || path->value.back() != '/') {
      r.error(path->loc, "\"path\" \"" + path->value +
                             "\" must end with '/' and hold only letters, digits and ._~/-");
    } else {
      e.path = path->value;
    }
  }
  if (auto v = r.duration("link_validity")) {
    if (*v > kMaxLinkValidity) {
      r.error(r.loc_of("link_validity"), "\"link_validity\" " + base::format_duration(*v) +
                                             " is longer than 30d: a link is a bearer secret");
    } else {
      e.link_validity = *v;
    }
  }
  r.report_unknown_keys();
  if (!e.site.empty()) ctx.state.enroll = std::move(e);
}

void parse_root(const toml::table& root, ParseContext& ctx) {
  TableReader r(root, "", "the top level", ctx.file, ctx.diags);
  parse_root_scalars(r, ctx);
  if (const toml::table* ca = r.table("ca")) {
    parse_ca(*ca, ctx);
  } else if (!r.has("ca")) {
    r.error(r.loc(), "missing [ca] table (the CA needs at least a common_name)");
  }
  if (const toml::table* d = r.table("defaults")) parse_defaults(*d, ctx);
  if (const toml::array* d = r.array_of_tables("device")) parse_devices(*d, ctx);
  if (const toml::array* s = r.array_of_tables("site")) parse_sites(*s, ctx);
  with_table(r, "nginx", ctx, [&](TableReader& t) { parse_nginx(t, ctx.state.nginx); });
  if (const toml::array* h = r.array_of_tables("host")) parse_hosts(*h, ctx);
  with_table(r, "rollout", ctx, [&](TableReader& t) { parse_rollout(t, ctx.state.rollout); });
  with_table(r, "safety", ctx, [&](TableReader& t) { parse_safety(t, ctx.state.safety); });
  with_table(r, "enroll", ctx, [&](TableReader& t) { parse_enroll(t, ctx); });
  with_table(r, "publish", ctx, [&](TableReader& t) { parse_publish(t, ctx); });
  r.report_unknown_keys();
  check_pull_hosts(ctx);
  check_groups(root, ctx);
}

}  // namespace

namespace {

// A public PEM file of the two-tier CA: absent is fine (not signed yet), anything else that is
// not a PEM `kind` ("CERTIFICATE", "X509 CRL") is an error at the key.
void read_ca_file(TableReader& r, std::string_view key, std::string_view kind, SourceFile& file,
                  ParseContext& ctx) {
  base::SourceLoc loc = r.loc();
  if (auto v = r.string(key)) {
    if (auto p = base::too_long("\"" + std::string(key) + "\"", v->value, base::kMaxAbsolutePath)) {
      r.error(v->loc, *p);
      return;
    }
    file.path = v->value;
    loc = v->loc;
  }
  auto pem = ctx.tree.read(file.path);
  if (!pem) {
    if (pem.error().code != Errc::not_found)
      r.error(loc, "\"" + std::string(key) + "\": " + pem.error().message);
    return;
  }
  if (pem->find("-----BEGIN " + std::string(kind) + "-----") == std::string::npos) {
    r.error(loc, "\"" + std::string(key) + "\": file \"" + file.path + "\" is not a PEM " +
                     std::string(kind) + " file");
    return;
  }
  file.pem = std::move(*pem);
}

}  // namespace

void parse_ca_tiers(TableReader& r, CaSpec& ca, ParseContext& ctx) {
  if (auto m = r.string("mode")) {
    if (m->value == "intermediate") {
      ca.mode = CaMode::intermediate;
    } else if (m->value != "self-signed") {
      r.error(m->loc,
              "unknown mode \"" + m->value + "\" (one of \"self-signed\" or \"intermediate\")");
    }
  }
  if (!ca.is_intermediate()) {
    for (std::string_view key : {"root_cert", "root_crl", "intermediate_cert"}) {
      if (r.has(key))
        r.error(r.loc_of(key), "\"" + std::string(key) + "\" needs mode = \"intermediate\"");
    }
    return;
  }
  read_ca_file(r, "root_cert", "CERTIFICATE", ca.root_cert, ctx);
  read_ca_file(r, "root_crl", "X509 CRL", ca.root_crl, ctx);
  read_ca_file(r, "intermediate_cert", "CERTIFICATE", ca.intermediate_cert, ctx);
}

void parse_ca(const toml::table& t, ParseContext& ctx) {
  CaSpec& ca = ctx.state.ca;
  TableReader r(t, "ca", "[ca]", ctx.file, ctx.diags);
  if (r.require("common_name")) read_subject_field(r, "common_name", ca.common_name);
  read_subject_field(r, "organization", ca.organization);
  read_subject_field(r, "organizational_unit", ca.organizational_unit);
  if (auto c = r.string("country")) {
    const bool ok =
        c->value.size() == 2 && std::all_of(c->value.begin(), c->value.end(),
                                            [](char ch) { return ch >= 'A' && ch <= 'Z'; });
    if (ok) {
      ca.country = c->value;
    } else {
      r.error(c->loc, "\"country\" must be a two-letter ISO 3166 code in capitals, like \"DE\"");
    }
  }
  if (auto k = read_enum<base::KeyType>(r, "key", base::parse_key_type)) ca.key = *k;
  if (auto d = r.duration("validity")) ca.validity = *d;
  if (auto d = r.duration("crl_validity")) ca.crl_validity = *d;
  if (auto d = r.duration("crl_refresh_before")) ca.crl_refresh_before = *d;
  check_longer(r, "crl_validity", ca.crl_validity, "crl_refresh_before", ca.crl_refresh_before,
               r.loc_of(r.has("crl_refresh_before") ? "crl_refresh_before" : "crl_validity"));
  ca.rollover_before = std::min(ca.rollover_before, ca.validity / 4);
  if (auto d = r.duration("rollover_before")) {
    ca.rollover_before = *d;
    check_longer(r, "validity", ca.validity, "rollover_before", *d, r.loc_of("rollover_before"),
                 "rolled over at once");
  }
  if (auto p = read_enum<base::KeyProtection>(r, "key_protection", base::parse_key_protection))
    ca.key_protection = *p;
  parse_ca_tiers(r, ca, ctx);
  r.report_unknown_keys();
}

void parse_defaults(const toml::table& t, ParseContext& ctx) {
  DeviceDefaults& d = ctx.state.defaults;
  TableReader r(t, "defaults", "[defaults]", ctx.file, ctx.diags);
  if (auto k = read_enum<base::KeyType>(r, "key", base::parse_key_type)) {
    d.key = *k;
    if (d.key == base::KeyType::ed25519) r.warning(r.loc_of("key"), kEd25519Warning);
  }
  if (auto v = r.duration("validity")) d.validity = *v;
  if (auto v = r.duration("renew_before")) d.renew_before = *v;
  if (auto p = read_enum<base::P12Profile>(r, "p12_profile", base::parse_p12_profile)) {
    d.p12_profile = *p;
  }
  if (auto v = r.string("overlap")) {
    // "0s" (any zero) revokes a replaced certificate at once; durations are otherwise positive.
    const bool zero = v->value.size() >= 2 &&
                      v->value.find_first_not_of('0') == v->value.size() - 1 &&
                      std::string_view("smhdwy").find(v->value.back()) != std::string_view::npos;
    if (zero) {
      d.overlap = seconds{0};
    } else if (auto o = r.duration("overlap")) {
      d.overlap = *o;
    }
  }
  check_longer(r, "validity", d.validity, "renew_before", d.renew_before,
               r.loc_of(r.has("renew_before") ? "renew_before" : "validity"));
  r.report_unknown_keys();
}

void parse_nginx(TableReader& r, NginxSpec& spec) {
  if (auto dir = r.string("dir")) {
    if (auto p = base::nginx_path_problem(dir->value)) {
      r.error(dir->loc, "\"dir\": " + *p);
    } else {
      spec.dir = dir->value;
    }
  }
  for (std::string_view key : {"test", "reload"}) {
    auto cmd = r.command(key);
    if (!cmd) continue;
    if (cmd->value.find_first_not_of(" \t") == std::string::npos) {
      r.error(cmd->loc, "\"" + std::string(key) + "\" must be a shell command, not empty");
    } else if (cmd->value.size() > kMaxCommand) {
      r.error(cmd->loc, "\"" + std::string(key) + "\" is longer than " +
                            std::to_string(kMaxCommand) + " characters");
    } else {
      (key == "test" ? spec.test : spec.reload) = cmd->value;
    }
  }
  if (auto log = r.string("access_log")) {
    if (auto p = base::nginx_path_problem(log->value)) {
      r.error(log->loc, "\"access_log\": " + *p);
    } else {
      spec.access_log = log->value;
    }
  }
  if (auto group = r.string("worker_group")) {
    const std::string& g = group->value;
    const bool ok =
        !g.empty() && g.size() <= 32 && (std::islower(g[0]) || g[0] == '_') &&
        g.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_-") == std::string::npos;
    if (ok) {
      spec.worker_group = g;
    } else {
      r.error(group->loc, "\"worker_group\" \"" + g +
                              "\" is not a group name ([a-z_][a-z0-9_-]*, at most 32 characters)");
    }
  }
  r.report_unknown_keys();
}

std::optional<LocatedString> read_unique_name(TableReader& r, std::string_view kind,
                                              std::map<std::string, base::SourceLoc>& seen) {
  if (!r.require("name")) return std::nullopt;
  auto name = r.string("name");
  if (!name) return std::nullopt;
  if (auto p = base::name_problem(name->value)) {
    r.error(name->loc, std::string(kind) + " " + *p);
    return std::nullopt;
  }
  r.set_label("[[" + std::string(kind) + "]] \"" + name->value + "\"");
  auto [it, inserted] = seen.emplace(name->value, name->loc);
  if (!inserted) {
    r.error(name->loc, "duplicate " + std::string(kind) + " name \"" + name->value +
                           "\" (first defined at line " + std::to_string(it->second.line) + ")");
    return std::nullopt;
  }
  return name;
}

LoadResult load_desired(const source::SourceSnapshot& snapshot, std::optional<base::Instant> now) {
  LoadResult out;
  // Before toml++ sees the text: it would overflow the stack on some shapes (toml_limits.h).
  if (auto p = check_toml_limits(snapshot.text)) {
    out.diagnostics.error({snapshot.file_path, p->line, p->column}, p->message);
    return out;
  }
  toml::table root;
  try {
    root = toml::parse(snapshot.text, snapshot.file_path);
  } catch (const toml::parse_error& e) {
    out.diagnostics.error(to_loc(e.source(), snapshot.file_path), std::string(e.description()));
    return out;
  }
  ParseContext ctx{snapshot.file_path, out.diagnostics, *snapshot.tree, now, out.state, {}, {}, {}};
  parse_root(root, ctx);
  sort_by_name(out.state.devices);
  sort_by_name(out.state.sites);
  sort_by_name(out.state.hosts);
  return out;
}

// Both containers are sorted by name (parse.cc sorts them before returning the state).
const Device* DesiredState::find_device(std::string_view name) const {
  auto it = std::lower_bound(devices.begin(), devices.end(), name,
                             [](const Device& d, std::string_view n) { return d.name < n; });
  return it != devices.end() && it->name == name ? &*it : nullptr;
}

bool Site::allows(const Device& device) const {
  if (allows_any_device()) return true;
  if (std::binary_search(allow_devices.begin(), allow_devices.end(), device.name)) return true;
  return std::any_of(device.groups.begin(), device.groups.end(), [&](const std::string& g) {
    return std::binary_search(allow_groups.begin(), allow_groups.end(), g);
  });
}

const Site* DesiredState::find_site(std::string_view name) const {
  auto it = std::lower_bound(sites.begin(), sites.end(), name,
                             [](const Site& s, std::string_view n) { return s.name < n; });
  return it != sites.end() && it->name == name ? &*it : nullptr;
}

}  // namespace certgate::desired
