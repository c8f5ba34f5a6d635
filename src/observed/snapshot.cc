#include "observed/snapshot.h"

#include "observed/applied_record.h"
#include "observed/snapshot_json.h"
#include "pki/inspect.h"
#include "pki/random.h"

namespace certgate::observed {

namespace {

constexpr std::string_view kTokenDigits = "0123456789abcdef";
constexpr size_t kMinToken = 32, kMaxToken = 128;

std::string_view to_string(CertStatus s) {
  switch (s) {
    case CertStatus::valid:
      return "valid";
    case CertStatus::revoked:
      return "revoked";
    case CertStatus::expired:
      return "expired";
  }
  return "valid";
}

std::string_view to_string(KeyOrigin o) {
  switch (o) {
    case KeyOrigin::server:
      return "server";
    case KeyOrigin::csr:
      return "csr";
    case KeyOrigin::unknown:
      return "unknown";
  }
  return "unknown";
}

Json cert_json(const Cert& c) {
  Json j{{"serial", c.serial},
         {"device", c.device},
         {"state", to_string(c.status)},
         {"not_after", time_text(c.not_after)}};
  if (c.revoked_at) j["revoked_at"] = time_text(*c.revoked_at);
  if (c.reason) j["reason"] = base::to_string(*c.reason);
  j["has_file"] = c.has_file;
  j["not_before"] = time_text(c.not_before);
  if (c.key) j["key"] = base::to_string(*c.key);
  j["owner"] = c.owner;
  j["public_key_sha256"] = c.public_key_sha256;
  j["key_origin"] = to_string(c.key_origin);
  j["cached"] = c.is_cached;
  if (c.previous_ca) j["previous_ca"] = true;  // signed by the outgoing CA of a rollover
  return j;
}

Json target_json(const TargetFiles& t) {
  Json files = Json::object();
  for (const auto& [rel, f] : t.files) {
    Json file{{"sha256", f.sha256}, {"generated", f.is_generated}};
    if (!f.text.empty()) file["text"] = f.text;
    files[rel] = std::move(file);
  }
  return Json{{"name", t.target},
              {"dir", t.dir},
              {"generated_from", t.generated_from},
              {"unreachable", t.unreachable},
              {"interrupted_deploy", t.has_interrupted_deploy},
              {"files", std::move(files)}};
}

Cert read_cert(const Reader& r, const nlohmann::json& j) {
  Cert c;
  c.serial = r.text(j, "serial");
  c.device = r.text(j, "device");
  const std::string state = r.text(j, "state");
  if (state == "valid")
    c.status = CertStatus::valid;
  else if (state == "revoked")
    c.status = CertStatus::revoked;
  else if (state == "expired")
    c.status = CertStatus::expired;
  else
    r.at("state").bad("not valid, revoked or expired");
  c.not_after = r.instant(j, "not_after");
  if (j.contains("revoked_at")) c.revoked_at = r.instant(j, "revoked_at");
  if (j.contains("reason")) {
    auto reason = base::parse_revocation_reason(r.text(j, "reason"));
    if (!reason) r.at("reason").bad("not an RFC 5280 reason");
    c.reason = *reason;
  }
  c.has_file = r.flag(j, "has_file");
  c.not_before = r.instant(j, "not_before");
  c.key = read_key(r, j);
  c.owner = r.text(j, "owner");
  c.public_key_sha256 = r.text(j, "public_key_sha256");
  const std::string origin = r.text(j, "key_origin");
  c.key_origin = origin == "server" ? KeyOrigin::server
                 : origin == "csr"  ? KeyOrigin::csr
                                    : KeyOrigin::unknown;
  c.is_cached = r.flag(j, "cached");
  c.previous_ca = j.contains("previous_ca") && r.flag(j, "previous_ca");
  return c;
}

TargetFiles read_target(const Reader& r, const nlohmann::json& j) {
  TargetFiles t;
  t.target = r.text(j, "name");
  t.dir = r.text(j, "dir");
  t.generated_from = r.text(j, "generated_from");
  t.unreachable = r.text(j, "unreachable");
  t.has_interrupted_deploy = r.flag(j, "interrupted_deploy");
  const auto& files = r.field(j, "files");
  if (!files.is_object()) r.at("files").bad("not an object");
  for (const auto& [rel, f] : files.items()) {
    const Reader fr = r.at("files").at(rel);
    t.files[rel] = {fr.text(f, "sha256"), fr.text_or(f, "text"), fr.flag(f, "generated")};
  }
  return t;
}

void read_ca(const Reader& r, const nlohmann::json& j, Snapshot& s) {
  Ca& ca = s.observed.ca;
  ca.exists = r.flag(j, "exists");
  ca.common_name = r.text(j, "common_name");
  ca.not_before = r.instant(j, "not_before");
  ca.not_after = r.instant(j, "not_after");
  ca.key = read_key(r, j);
  s.ca_pem = r.text(j, "pem");
  const auto blocks = pki::pem_blocks(s.ca_pem, "CERTIFICATE");
  if (!blocks.empty()) ca.cert_pem = std::string(blocks.front()) + "\n";
  if (!j.contains("two_tier")) return;  // no CA
  const Reader t = r.at("two_tier");
  const nlohmann::json& tj = j["two_tier"];
  ca.serial = t.text(tj, "serial");
  ca.public_key_sha256 = t.text(tj, "public_key_sha256");
  ca.awaiting_root = t.flag(tj, "awaiting_root");
  ca.csr_public_key_sha256 = t.text(tj, "csr_public_key_sha256");
  ca.subject_serial_number = t.text_or(tj, "subject_serial_number");
  ca.root_common_name = t.text(tj, "root_common_name");
  ca.root_public_key_sha256 = t.text(tj, "root_public_key_sha256");
  const Reader c = t.at("root_crl");
  const nlohmann::json& cj = t.field(tj, "root_crl");
  ca.root_crl.exists = c.flag(cj, "exists");
  ca.root_crl.number = c.number(cj, "number");
  ca.root_crl.this_update = c.instant(cj, "this_update");
  ca.root_crl.next_update = c.instant(cj, "next_update");
  ca.root_crl.is_signed_by_ca = c.flag(cj, "signed_by_root");
  for (const auto& v : c.array(cj, "serials")) ca.root_crl.serials.push_back(v.get<std::string>());
}

void read_crl(const Reader& r, const nlohmann::json& j, Snapshot& s) {
  s.observed.crl = read_crl_json(r, j);
  s.crl_pem = r.text(j, "pem");
}

Snapshot read_snapshot(const nlohmann::json& j) {
  const Reader r("");
  if (!j.is_object()) r.bad("not a JSON object");
  if (!j.contains("format_version") || !j["format_version"].is_number_integer())
    r.bad("no format_version: not a certgate snapshot");
  if (j["format_version"].get<int>() != kSnapshotFormatVersion)
    r.bad("format_version " + j["format_version"].dump() + ", this certgate reads " +
          std::to_string(kSnapshotFormatVersion));
  Snapshot s;
  ObservedState& o = s.observed;
  s.taken_at = r.instant(j, "taken_at");
  o.state_dir = r.text(j, "state_dir");
  read_ca(r.at("ca"), r.field(j, "ca"), s);
  read_crl(r.at("crl"), r.field(j, "crl"), s);
  o.next_crl_number = r.number(j, "next_crl_number");
  if (j.contains("rollover")) read_rollover(r.at("rollover"), j["rollover"], o);
  const auto& certs = r.array(j, "certificates");
  for (size_t i = 0; i < certs.size(); ++i)
    o.certs.push_back(read_cert(r.at("certificates").at(i), certs[i]));
  const auto& prints = r.field(j, "fingerprints");
  if (!prints.is_object()) r.at("fingerprints").bad("not an object");
  for (const auto& [name, sha] : prints.items()) {
    if (!sha.is_string()) r.at("fingerprints").at(name).bad("not a string");
    o.fingerprints[name] = sha.get<std::string>();
  }
  o.has_revoked_probe = r.flag(j, "revoked_probe");
  if (const auto& last = r.field(j, "last_applied"); !last.is_null()) {
    auto record = parse_applied_record(last.dump());
    if (!record) r.at("last_applied").bad(record.error().message);
    o.last_applied = std::move(*record);
  }
  const auto& targets = r.array(j, "targets");
  for (size_t i = 0; i < targets.size(); ++i)
    o.targets.push_back(read_target(r.at("targets").at(i), targets[i]));
  const auto& links = r.array(j, "enroll_links");
  for (size_t i = 0; i < links.size(); ++i) {
    const Reader lr = r.at("enroll_links").at(i);
    o.enroll_links.push_back(
        EnrollLink{lr.text(links[i], "device"), "", lr.instant(links[i], "created_at"),
                   lr.instant(links[i], "expires_at"), lr.text(links[i], "token_sha256")});
  }
  const Reader pr = r.at("pickup");
  const auto& pickup = r.field(j, "pickup");
  s.pickup_ca_common_name = pr.text(pickup, "ca_common_name");
  const auto& devices = pr.field(pickup, "devices");
  if (!devices.is_object()) pr.at("devices").bad("not an object");
  for (const auto& [device, d] : devices.items()) {
    const Reader dr = pr.at("devices").at(device);
    s.pickup[device] = {dr.text_or(d, "pem"), dr.text_or(d, "p12"), dr.text_or(d, "mobileconfig")};
  }
  return s;
}

}  // namespace

std::string redact_links(std::string_view links_conf, const std::vector<EnrollLink>& open) {
  std::string out;
  size_t pos = 0;
  while (pos < links_conf.size()) {
    const size_t e = links_conf.find("e/", pos);
    if (e == std::string_view::npos) break;
    const size_t start = e + 2;
    size_t end = start;
    while (end < links_conf.size() && kTokenDigits.find(links_conf[end]) != std::string_view::npos)
      ++end;
    out.append(links_conf.substr(pos, start - pos));
    pos = start;
    const size_t n = end - start;
    if (n < kMinToken || n > kMaxToken || end >= links_conf.size() || links_conf[end] != '/')
      continue;
    const std::string_view token = links_conf.substr(start, n);
    std::string device = "closed";
    for (const EnrollLink& l : open)
      if (l.token == token) device = l.device;
    out += token_placeholder(device);
    pos = end;
  }
  out.append(links_conf.substr(pos));
  return out;
}

ObservedState without_secrets(const ObservedState& observed) {
  ObservedState o = observed;
  o.csrs.clear();
  o.enroll_link_problems.clear();
  for (EnrollLink& l : o.enroll_links) {
    if (!l.token.empty()) l.token_sha256 = pki::sha256_hex(l.token);
    l.token.clear();
  }
  for (TargetFiles& t : o.targets) {
    for (auto& [rel, f] : t.files) {
      if (rel == "pickup/links.conf")
        f.text = redact_links(f.text, observed.enroll_links);
      else if (rel.starts_with("pickup/"))
        f.text.clear();
    }
  }
  return o;
}

std::string format_snapshot(const Snapshot& s) {
  const ObservedState& o = s.observed;
  Json j;
  j["format_version"] = kSnapshotFormatVersion;
  j["kind"] = "certgate snapshot";
  j["taken_at"] = time_text(s.taken_at);
  j["state_dir"] = o.state_dir;
  j["ca"] = {{"exists", o.ca.exists},
             {"common_name", o.ca.common_name},
             {"not_before", time_text(o.ca.not_before)},
             {"not_after", time_text(o.ca.not_after)}};
  if (o.ca.key) j["ca"]["key"] = base::to_string(*o.ca.key);
  if (auto it = o.fingerprints.find("ca/ca.crt"); it != o.fingerprints.end())
    j["ca"]["file_sha256"] = it->second;
  j["ca"]["pem"] = s.ca_pem;
  if (const Crl& rc = o.ca.root_crl; o.ca.awaiting_root || !o.ca.serial.empty())
    j["ca"]["two_tier"] = {{"serial", o.ca.serial},
                           {"public_key_sha256", o.ca.public_key_sha256},
                           {"awaiting_root", o.ca.awaiting_root},
                           {"csr_public_key_sha256", o.ca.csr_public_key_sha256},
                           {"subject_serial_number", o.ca.subject_serial_number},
                           {"root_common_name", o.ca.root_common_name},
                           {"root_public_key_sha256", o.ca.root_public_key_sha256},
                           {"root_crl",
                            {{"exists", rc.exists},
                             {"number", rc.number},
                             {"this_update", time_text(rc.this_update)},
                             {"next_update", time_text(rc.next_update)},
                             {"serials", rc.serials},
                             {"signed_by_root", rc.is_signed_by_ca}}}};
  j["crl"] = crl_json(o.crl);
  j["crl"]["pem"] = s.crl_pem;
  j["next_crl_number"] = o.next_crl_number;
  j["rollover"] = rollover_json(o);
  j["certificates"] = Json::array();
  for (const Cert& c : o.certs) j["certificates"].push_back(cert_json(c));
  j["fingerprints"] = o.fingerprints;
  j["revoked_probe"] = o.has_revoked_probe;
  j["last_applied"] =
      o.last_applied ? Json::parse(format_applied_record(*o.last_applied)) : Json(nullptr);
  j["targets"] = Json::array();
  for (const TargetFiles& t : o.targets) j["targets"].push_back(target_json(t));
  j["enroll_links"] = Json::array();
  for (const EnrollLink& l : o.enroll_links)
    j["enroll_links"].push_back({{"device", l.device},
                                 {"created_at", time_text(l.created_at)},
                                 {"expires_at", time_text(l.expires_at)},
                                 {"token_sha256", l.token_sha256}});
  Json devices = Json::object();
  for (const auto& [device, d] : s.pickup) {
    Json entry = Json::object();
    if (!d.pem.empty()) entry["pem"] = d.pem;
    if (!d.p12.empty()) entry["p12"] = d.p12;
    if (!d.mobileconfig.empty()) entry["mobileconfig"] = d.mobileconfig;
    devices[device] = std::move(entry);
  }
  j["pickup"] = {{"ca_common_name", s.pickup_ca_common_name}, {"devices", std::move(devices)}};
  return j.dump(2) + "\n";
}

Result<Snapshot> parse_snapshot(std::string_view text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded()) return make_error(Errc::invalid, "snapshot: not JSON");
  try {
    return read_snapshot(j);
  } catch (const std::exception& e) {
    return make_error(Errc::invalid, e.what());
  }
}

std::optional<base::KeyType> read_key(const Reader& r, const nlohmann::json& j) {
  if (!j.contains("key")) return std::nullopt;
  auto key = base::parse_key_type(r.text(j, "key"));
  if (!key) r.at("key").bad("not a key type");
  return *key;
}

}  // namespace certgate::observed
