// [[device]] tables: one certificate holder each, with [defaults] applied.
#include <algorithm>

#include "base/duration.h"
#include "base/names.h"
#include "base/text.h"
#include "desired/parse_internal.h"
#include "pki/inspect.h"

namespace certgate::desired {
namespace {

// Reads the CSR file a device names through the source, so a git commit works like a folder.
// It must exist, be a PEM certificate request whose signature verifies, and hold a key type
// certgate accepts.
void read_csr(TableReader& r, const LocatedString& path, Device& d, ParseContext& ctx) {
  if (auto p = base::too_long("\"csr\"", path.value, base::kMaxAbsolutePath)) {
    r.error(path.loc, *p);
    return;
  }
  auto pem = ctx.tree.read(path.value);
  if (!pem) {
    const bool missing = pem.error().code == Errc::not_found;
    r.error(path.loc, missing ? "\"csr\": file \"" + path.value + "\" is not in the source"
                              : "\"csr\": " + pem.error().message);
    return;
  }
  if (pem->find("-----BEGIN CERTIFICATE REQUEST-----") == std::string::npos &&
      pem->find("-----BEGIN NEW CERTIFICATE REQUEST-----") == std::string::npos) {
    r.error(path.loc, "\"csr\": file \"" + path.value +
                          "\" is not a PEM certificate request (BEGIN CERTIFICATE REQUEST)");
    return;
  }
  // Only the CSR's public key is used (pki::CaSigner::issue_for_csr); it must still prove
  // possession of that key, and be a key certgate would generate itself.
  auto info = pki::load_csr(*pem);
  if (!info) {
    r.error(path.loc, "\"csr\": file \"" + path.value + "\": " + info.error().message);
    return;
  }
  if (!info->key) {
    r.error(path.loc, "\"csr\": file \"" + path.value +
                          "\" has a key type certgate does not accept (one of " +
                          base::quoted_list(base::key_type_names()) + ")");
    return;
  }
  if (*info->key == base::KeyType::ed25519) r.warning(path.loc, kEd25519Warning);
  // Said by the plan that signs the CSR (plan/planner.cc), not on every command that loads it.
  if (hidden_text_problem(info->common_name)) {
    d.csr_cn_note =
        "its subject CN, which holds a control character, is ignored; "
        "the certificate will say CN=" +
        d.name;
  } else if (!info->common_name.empty() && info->common_name != d.name) {
    d.csr_cn_note = "its subject CN \"" + info->common_name +
                    "\" is ignored; the certificate will say CN=" + d.name;
  }
  d.csr_path = path.value;
  d.csr_pem = std::move(*pem);
}

}  // namespace

const char* const kEd25519Warning =
    "ed25519 device keys cannot be used by browsers or NSS; prefer ec-p256";

namespace {

void read_overrides(TableReader& r, Device& d, ParseContext& ctx) {
  const DeviceDefaults& defaults = ctx.state.defaults;
  d.key = defaults.key;
  d.validity = defaults.validity;
  d.renew_before = defaults.renew_before;
  d.p12_profile = defaults.p12_profile;
  if (auto k = r.string("key")) {
    if (auto key = base::parse_key_type(k->value)) {
      d.key = *key;
    } else {
      r.error(k->loc, key.error().message);
    }
  }
  if (auto v = r.duration("validity")) d.validity = *v;
  if (auto v = r.duration("renew_before")) d.renew_before = *v;
  if (auto p = r.string("p12_profile")) {
    if (auto profile = base::parse_p12_profile(p->value)) {
      d.p12_profile = *profile;
    } else {
      r.error(p->loc, profile.error().message);
    }
  }
  if ((r.has("validity") || r.has("renew_before")) && d.validity <= d.renew_before) {
    r.error(r.loc_of(r.has("validity") ? "validity" : "renew_before"),
            "\"validity\" " + base::format_duration(d.validity) +
                " must be longer than \"renew_before\" " + base::format_duration(d.renew_before) +
                ", or it would be renewed at once");
  }
}

// Warnings about choices that are valid but probably not what the author meant.
void warn_about(TableReader& r, const Device& d, ParseContext& ctx) {
  if (d.has_csr()) {
    for (std::string_view key : {"key", "p12_profile"}) {
      if (r.has(key)) {
        r.warning(r.loc_of(key), "\"" + std::string(key) +
                                     "\" is ignored for a device with a CSR: its key stays on "
                                     "the device and no bundle is made");
      }
    }
  } else if (d.key == base::KeyType::ed25519 && r.has("key")) {
    r.warning(r.loc_of("key"), kEd25519Warning);
  }
  if (d.validity > ctx.state.ca.validity) {
    r.warning(r.loc_of(r.has("validity") ? "validity" : "name"),
              "device validity " + base::format_duration(d.validity) + " is longer than the CA's " +
                  base::format_duration(ctx.state.ca.validity) +
                  "; certificates end when the CA does");
  }
  if (ctx.now && d.not_after && *d.not_after < *ctx.now && !d.is_revoked()) {
    r.warning(r.loc_of("not_after"), "not_after " + base::format_rfc3339(*d.not_after) +
                                         " has passed: the device will be revoked");
  }
}

void parse_device(const toml::table& t, ParseContext& ctx) {
  TableReader r(t, "device", "[[device]]", ctx.file, ctx.diags);
  Device d;
  d.loc = r.loc();
  auto name = read_unique_name(r, "device", ctx.device_locs);
  if (name) d.name = name->value;
  if (auto owner = r.string("owner")) {
    if (auto p = base::email_problem(owner->value)) {
      r.error(owner->loc, *p);
    } else {
      d.owner = owner->value;
    }
  }
  d.groups = read_checked_list(r, "groups", [](const std::string& g) {
    auto p = base::name_problem(g);
    return p ? std::optional<std::string>("group " + *p) : std::nullopt;
  });
  if (auto csr = r.string("csr")) read_csr(r, *csr, d, ctx);
  d.not_after = r.instant("not_after", BareDate::end_of_day);
  read_overrides(r, d, ctx);
  if (auto reason = r.string("revoked")) {
    auto parsed = base::parse_revocation_reason(reason->value);
    if (!parsed) {
      r.error(reason->loc, parsed.error().message);
    } else if (*parsed == base::RevocationReason::removeFromCRL) {
      r.error(reason->loc, "removeFromCRL is only for delta CRLs, not a reason to revoke");
    } else if (*parsed == base::RevocationReason::certificateHold) {
      r.error(reason->loc,
              "certificateHold is not supported: certgate revocations are final; to suspend "
              "access, take the device out of the site allowlists");
    } else if (*parsed == base::RevocationReason::privilegeWithdrawn ||
               *parsed == base::RevocationReason::aACompromise) {
      // openssl ca's index.txt knows reasons 0-8 only; `openssl ca -gencrl` would reject it.
      r.error(reason->loc, reason->value +
                               " cannot be recorded in an openssl ca database; use "
                               "affiliationChanged, cessationOfOperation or keyCompromise");
    } else {
      d.revoked = *parsed;
    }
  }
  warn_about(r, d, ctx);
  r.report_unknown_keys();
  if (name) ctx.state.devices.push_back(std::move(d));
}

}  // namespace

void parse_devices(const toml::array& tables, ParseContext& ctx) {
  for (const toml::node& n : tables) {
    if (const toml::table* t = n.as_table()) parse_device(*t, ctx);
  }
}

}  // namespace certgate::desired
