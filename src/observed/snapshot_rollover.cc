#include "observed/snapshot_json.h"

namespace certgate::observed {

namespace {

// The outgoing CA: what the planner and the gates read of it (public, like ca.crt itself).
Json previous_json(const PreviousCa& p) {
  const Ca& ca = p.ca;
  Json j{{"common_name", ca.common_name},
         {"not_before", time_text(ca.not_before)},
         {"not_after", time_text(ca.not_after)},
         {"serial", ca.serial},
         {"public_key_sha256", ca.public_key_sha256},
         {"subject_serial_number", ca.subject_serial_number},
         {"root_common_name", ca.root_common_name},
         {"root_public_key_sha256", ca.root_public_key_sha256},
         {"pem", ca.cert_pem},
         {"crl", crl_json(p.crl)},
         {"next_crl_number", p.next_crl_number}};
  if (ca.key) j["key"] = base::to_string(*ca.key);
  return j;
}

PreviousCa read_previous(const Reader& r, const nlohmann::json& j) {
  PreviousCa p;
  p.exists = true;
  Ca& ca = p.ca;
  ca.exists = true;
  ca.common_name = r.text(j, "common_name");
  ca.not_before = r.instant(j, "not_before");
  ca.not_after = r.instant(j, "not_after");
  ca.key = read_key(r, j);
  ca.serial = r.text(j, "serial");
  ca.public_key_sha256 = r.text(j, "public_key_sha256");
  ca.subject_serial_number = r.text(j, "subject_serial_number");
  ca.root_common_name = r.text(j, "root_common_name");
  ca.root_public_key_sha256 = r.text(j, "root_public_key_sha256");
  ca.cert_pem = r.text(j, "pem");
  p.crl = read_crl_json(r.at("crl"), r.field(j, "crl"));
  p.next_crl_number = r.number(j, "next_crl_number");
  return p;
}

}  // namespace

Json crl_json(const Crl& c) {
  return {{"exists", c.exists},
          {"number", c.number},
          {"this_update", time_text(c.this_update)},
          {"next_update", time_text(c.next_update)},
          {"serials", c.serials},
          {"signed_by_ca", c.is_signed_by_ca}};
}

Crl read_crl_json(const Reader& r, const nlohmann::json& j) {
  Crl c;
  c.exists = r.flag(j, "exists");
  c.number = r.number(j, "number");
  c.this_update = r.instant(j, "this_update");
  c.next_update = r.instant(j, "next_update");
  const auto& serials = r.array(j, "serials");
  for (size_t i = 0; i < serials.size(); ++i) {
    if (!serials[i].is_string()) r.at("serials").at(i).bad("not a string");
    c.serials.push_back(serials[i].get<std::string>());
  }
  c.is_signed_by_ca = r.flag(j, "signed_by_ca");
  return c;
}

Json rollover_json(const ObservedState& o) {
  Json j{{"interrupted", o.interrupted_rollover}};
  j["previous"] = o.previous.exists ? previous_json(o.previous) : Json(nullptr);
  j["next"] = o.next.awaiting_root ? Json{{"csr_public_key_sha256", o.next.csr_public_key_sha256}}
                                   : Json(nullptr);
  return j;
}

void read_rollover(const Reader& r, const nlohmann::json& j, ObservedState& o) {
  o.interrupted_rollover = r.flag(j, "interrupted");
  if (const auto& p = r.field(j, "previous"); !p.is_null())
    o.previous = read_previous(r.at("previous"), p);
  if (const auto& n = r.field(j, "next"); !n.is_null()) {
    o.next.awaiting_root = true;
    o.next.csr_public_key_sha256 = r.at("next").text(n, "csr_public_key_sha256");
  }
}

}  // namespace certgate::observed
