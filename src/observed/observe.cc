#include "observed/observe.h"

#include <algorithm>

#include "observed/tiers.h"
#include "pki/ca_database.h"
#include "pki/ca_generations.h"
#include "pki/inspect.h"
#include "pki/random.h"

namespace certgate::observed {

namespace {

CertStatus status_of(pki::IndexStatus s) {
  switch (s) {
    case pki::IndexStatus::valid:
      return CertStatus::valid;
    case pki::IndexStatus::revoked:
      return CertStatus::revoked;
    case pki::IndexStatus::expired:
      return CertStatus::expired;
  }
  return CertStatus::valid;
}

// The certificate's own details, for those that still matter (not revoked): from the cache
// when it has them, else from newcerts/SERIAL.pem.
void read_details(sys::Filesystem& fs, const pki::CaDatabase& db, const pki::CertCache& cache,
                  Cert& c) {
  if (auto it = cache.find(c.serial); it != cache.end()) {
    c.has_file = true;
    c.is_cached = true;
    c.not_before = it->second.not_before;
    c.key = it->second.key;
    c.owner = it->second.owner;
    c.public_key_sha256 = it->second.public_key_sha256;
    c.key_origin = it->second.origin == "server" ? KeyOrigin::server
                   : it->second.origin == "csr"  ? KeyOrigin::csr
                                                 : KeyOrigin::unknown;
    return;
  }
  auto pem = fs.read(db.newcert_path(c.serial));
  if (!pem) return;
  auto info = pki::inspect_certificate(*pem);
  if (!info) return;
  c.has_file = true;
  c.not_before = info->not_before;
  c.key = info->key;
  c.owner = info->email;
  c.public_key_sha256 = info->public_key_sha256;
}

}  // namespace

Crl read_crl(const std::string& crl_pem, const std::string& ca_cert_pem) {
  Crl out;
  auto info = pki::inspect_crl(crl_pem, ca_cert_pem);
  if (!info) return out;
  out.exists = true;
  out.number = info->number;
  out.this_update = info->this_update;
  out.next_update = info->next_update;
  out.serials = std::move(info->serials);
  out.is_signed_by_ca = info->is_signed_by_ca;
  return out;
}

namespace {

Result<void> observe_ca(const pki::CaFiles& files, const pki::CaDatabase& db, Ca& ca) {
  if (!files.ca_cert_pem && files.has_ca_key && files.intermediate_csr_pem && files.index.empty()) {
    auto csr = pki::load_csr(*files.intermediate_csr_pem);
    if (!csr)
      return make_error(Errc::invalid, db.intermediate_csr_path() + ": " + csr.error().message);
    ca.awaiting_root = true;
    ca.csr_public_key_sha256 = csr->public_key_sha256;
    return {};
  }
  if (!files.ca_cert_pem) {
    if (files.has_ca_key || !files.index.empty())
      return make_error(Errc::invalid, db.ca_dir() + " has " +
                                           (files.has_ca_key ? "ca.key" : "certificates") +
                                           " but no ca.crt: an interrupted setup or a damaged "
                                           "CA; restore ca.crt from a backup");
    return {};
  }
  if (!files.has_ca_key)
    return make_error(Errc::invalid, db.key_path() + " is missing while ca.crt exists");
  auto info = pki::inspect_certificate(*files.ca_cert_pem);
  if (!info) return make_error(Errc::invalid, db.cert_path() + ": " + info.error().message);
  ca.exists = true;
  ca.common_name = info->common_name;
  ca.not_before = info->not_before;
  ca.not_after = info->not_after;
  ca.key = info->key;
  ca.serial = info->serial;
  ca.public_key_sha256 = info->public_key_sha256;
  ca.cert_pem = *files.ca_cert_pem;
  ca.subject_serial_number = info->serial_number;
  if (files.root_cert_pem) {
    auto root = pki::inspect_certificate(*files.root_cert_pem);
    if (!root) return make_error(Errc::invalid, db.root_cert_path() + ": " + root.error().message);
    ca.root_common_name = root->common_name;
    ca.root_public_key_sha256 = root->public_key_sha256;
    if (files.root_crl_pem) ca.root_crl = read_crl(*files.root_crl_pem, *files.root_cert_pem);
  }
  return {};
}

void observe_crl(const pki::CaFiles& files, Crl& crl) {
  // An unreadable CRL is as good as none: the planner regenerates it.
  if (files.crl_pem && files.ca_cert_pem) crl = read_crl(*files.crl_pem, *files.ca_cert_pem);
}

// The probe certificate counts only while it is revoked, unexpired and its files are there.
bool has_revoked_probe(sys::Filesystem& fs, const std::string& state_dir, const ObservedState& o,
                       base::Instant now) {
  const bool in_database = std::any_of(o.certs.begin(), o.certs.end(), [now](const Cert& c) {
    return c.device == kRevokedProbeName && c.status == CertStatus::revoked && now < c.not_after &&
           !c.previous_ca;  // a probe of the outgoing CA of a rollover proves nothing after it
  });
  return in_database && fs.stat(sys::join_path(state_dir, kRevokedProbeKey)) &&
         fs.stat(sys::join_path(state_dir, kRevokedProbeCert));
}

Result<std::optional<AppliedRecord>> read_last_applied(sys::Filesystem& fs,
                                                       const std::string& state_dir) {
  const std::string path = sys::join_path(state_dir, "state.json");
  auto text = fs.read(path);
  if (!text) {
    if (text.error().code == Errc::not_found) return std::optional<AppliedRecord>{};
    return text.error();
  }
  auto record = parse_applied_record(*text);
  if (!record) return make_error(Errc::invalid, path + ": " + record.error().message);
  return std::optional<AppliedRecord>{std::move(*record)};
}

}  // namespace

std::vector<Csr> observe_csrs(const desired::DesiredState& desired) {
  std::vector<Csr> out;
  for (const desired::Device& d : desired.devices) {
    if (!d.has_csr()) continue;
    Csr csr{d.name, std::nullopt, "", ""};
    if (auto info = pki::load_csr(d.csr_pem)) {
      csr.key = info->key;
      csr.public_key_sha256 = info->public_key_sha256;
    } else {
      csr.problem = info.error().message;
    }
    out.push_back(std::move(csr));
  }
  return out;
}

const Csr* ObservedState::find_csr(const std::string& device) const {
  auto it = std::lower_bound(csrs.begin(), csrs.end(), device,
                             [](const Csr& c, const std::string& d) { return c.device < d; });
  return it != csrs.end() && it->device == device ? &*it : nullptr;
}

Result<ObservedState> observe(sys::Filesystem& fs, const std::string& state_dir,
                              const desired::DesiredState& desired, base::Instant now) {
  auto o = observe_state(fs, state_dir, now);
  if (o) {
    o->csrs = observe_csrs(desired);
    o->tiers = observe_tiers(desired.ca, *o, now);
  }
  return o;
}

namespace {

// The certificates of `files` into `o.certs` (tagged `previous`), and the fingerprints of the
// database's files under `dir` ("ca" or "ca-previous").
void read_index(sys::Filesystem& fs, const pki::CaDatabase& db, const pki::CaFiles& files,
                const pki::CertCache& cache, const std::string& dir, bool previous,
                ObservedState& o) {
  for (const pki::IndexEntry& e : files.index) {
    Cert c;
    c.serial = e.serial;
    c.device = e.common_name();
    c.status = status_of(e.status);
    c.not_after = e.expires;
    c.revoked_at = e.revoked_at;
    c.reason = e.reason;
    c.previous_ca = previous;
    // Details of valid certificates, and of keys revoked as compromised (never to be signed
    // again); other revoked certificates are history.
    const bool compromised =
        c.status == CertStatus::revoked && c.reason == base::RevocationReason::keyCompromise;
    if (c.status == CertStatus::valid || compromised) read_details(fs, db, cache, c);
    o.certs.push_back(std::move(c));
  }
  if (!files.index.empty() || files.ca_cert_pem) {
    o.fingerprints[dir + "/index.txt"] = pki::sha256_hex(files.index_text);
    o.fingerprints[dir + "/serial"] = pki::sha256_hex(files.serial_text);
    o.fingerprints[dir + "/crlnumber"] = pki::sha256_hex(files.crlnumber_text);
  }
  if (files.ca_cert_pem) o.fingerprints[dir + "/ca.crt"] = pki::sha256_hex(*files.ca_cert_pem);
  if (files.crl_pem) o.fingerprints[dir + "/crl.pem"] = pki::sha256_hex(*files.crl_pem);
}

// STATE/ca-previous, when a rollover is under way.
Result<void> observe_previous(sys::Filesystem& fs, const std::string& state_dir,
                              const pki::CertCache& cache, ObservedState& o) {
  auto there = pki::has_previous_ca(fs, state_dir);
  if (!there) return there.error();
  if (!*there) return {};
  pki::CaDatabase db(fs, state_dir, pki::kPreviousCaDir);
  auto files = db.read();
  if (!files) return files.error();
  if (auto r = observe_ca(*files, db, o.previous.ca); !r) return r.error();
  o.previous.exists = true;
  o.previous.next_crl_number = files->next_crl_number;
  observe_crl(*files, o.previous.crl);
  read_index(fs, db, *files, cache, pki::kPreviousCaDir, true, o);
  return {};
}

// STATE/ca-next: a two-tier rollover's next intermediate, or what an interrupted rollover left.
Result<void> observe_next(sys::Filesystem& fs, const std::string& state_dir, ObservedState& o) {
  auto there = fs.stat(sys::join_path(state_dir, pki::kNextCaDir));
  if (!there) return there.error().code == Errc::not_found ? Result<void>{} : there.error();
  // Its key and CSR, with the certificate the root signed once an apply began installing it
  // (apply/rollover.h): either way the next apply installs the source's and moves it in.
  // Without STATE/ca, beside ca-previous: the swap was cut halfway (recovery finishes it).
  auto files = pki::CaDatabase(fs, state_dir, pki::kNextCaDir).read();
  if (files && pki::is_next_intermediate(*files) && (o.ca.exists || !o.previous.exists)) {
    auto csr = pki::load_csr(*files->intermediate_csr_pem);
    o.next.awaiting_root = true;
    o.next.csr_public_key_sha256 = csr->public_key_sha256;
    o.fingerprints[std::string(pki::kNextCaDir) + "/intermediate.csr"] =
        pki::sha256_hex(*files->intermediate_csr_pem);
    return {};
  }
  o.interrupted_rollover = true;
  return {};
}

}  // namespace

Result<ObservedState> observe_state(sys::Filesystem& fs, const std::string& state_dir,
                                    base::Instant now) {
  ObservedState o;
  o.state_dir = state_dir;
  pki::CaDatabase db(fs, state_dir);
  auto files = db.read();
  if (!files) return files.error();
  if (auto r = observe_ca(*files, db, o.ca); !r) return r.error();
  o.next_crl_number = files->next_crl_number;
  const pki::CertCache cache = db.read_cert_cache();
  observe_crl(*files, o.crl);
  read_index(fs, db, *files, cache, pki::kCaDir, false, o);
  if (auto r = observe_previous(fs, state_dir, cache, o); !r) return r.error();
  if (auto r = observe_next(fs, state_dir, o); !r) return r.error();
  std::sort(o.certs.begin(), o.certs.end(),
            [](const Cert& a, const Cert& b) { return a.serial < b.serial; });
  for (auto [name, pem] : {std::pair{"ca/intermediate.csr", &files->intermediate_csr_pem},
                           std::pair{"ca/root.crt", &files->root_cert_pem},
                           std::pair{"ca/root.crl", &files->root_crl_pem}}) {
    if (*pem) o.fingerprints[name] = pki::sha256_hex(**pem);
  }
  o.has_revoked_probe = has_revoked_probe(fs, state_dir, o, now);
  auto applied = read_last_applied(fs, state_dir);
  if (!applied) return applied.error();
  o.last_applied = std::move(*applied);
  auto links = read_enroll_links(fs, state_dir, now);
  if (!links) return links.error();
  o.enroll_links = std::move(links->open);
  o.enroll_link_problems = std::move(links->problems);
  return o;
}

}  // namespace certgate::observed
