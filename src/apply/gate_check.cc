#include "apply/gate_check.h"

#include <algorithm>
#include <thread>

#include "base/cidr.h"
#include "observed/observed_state.h"
#include "pki/ca.h"
#include "pki/random.h"

namespace certgate::apply {

namespace {

using std::chrono::milliseconds;

bool is_ip_literal(const std::string& host) { return base::parse_cidr(host).has_value(); }

// A server name to send as SNI: the first that is not a wildcard, else the first with its "*"
// replaced, since nginx matches "*.example.com" for any name under it.
std::string sni_of(const std::vector<std::string>& server_names) {
  for (const std::string& name : server_names) {
    if (!name.starts_with("*.")) return name;
  }
  return "certgate-probe" + server_names.front().substr(1);
}

// nginx answers a client certificate problem with 400 (495 and 496 are its internal codes,
// sent as 400 unless an error_page shows them), and the certgate gate with 403.
bool is_refusal_status(int status) {
  return status == 400 || status == 403 || status == 495 || status == 496;
}

std::optional<std::string> fallback_admission(const desired::Site& site,
                                              const std::string& local_address, base::Instant now) {
  if (!site.fallback || now >= site.fallback->until) return std::nullopt;
  auto address = base::parse_cidr(local_address);
  if (!address) return std::nullopt;
  for (const base::Cidr& allowed : site.fallback->allow_ips) {
    if (allowed.contains(*address)) {
      return "admitted by [site.fallback] until " + base::format_rfc3339(site.fallback->until) +
             " (from " + local_address + ")";
    }
  }
  return std::nullopt;
}

GateCheck verdict(GateCheckKind kind, GateVerdict v, std::string detail, int status = 0) {
  return GateCheck{kind, v, std::move(detail), status, 1};
}

// An answer with a status line: refused, admitted by the fallback, or an open door.
GateCheck classify_status(GateCheckKind kind, const pki::ProbeResult& r, const desired::Site& site,
                          base::Instant now) {
  const int status = r.http_status;
  if (is_refusal_status(status))
    return verdict(kind, GateVerdict::refused, std::to_string(status), status);
  if (kind == GateCheckKind::no_certificate || kind == GateCheckKind::ambiguous_path) {
    if (auto admitted = fallback_admission(site, r.local_address, now))
      return verdict(kind, GateVerdict::admitted_by_fallback, *admitted, status);
  }
  std::string detail = "HTTP " + std::to_string(status);
  if (!r.saw_certificate_request) detail += "; the server did not ask for a client certificate";
  return verdict(kind, GateVerdict::open_door, std::move(detail), status);
}

// One check, probed again while the door looks open or unreachable, until `settle` has passed.
GateCheck run_check(GateCheckKind kind, const pki::ClientIdentity* identity,
                    const desired::Site& site, base::Instant now, const GateCheckOptions& o,
                    const std::string& path = "") {
  pki::ProbeRequest request = probe_request(site, path, o.timeout);
  request.identity = identity;
  const ProbeFn probe = o.probe ? o.probe : ProbeFn(pki::probe_https);
  const auto deadline = std::chrono::steady_clock::now() + o.settle;
  const int max_attempts =
      1 + static_cast<int>(o.settle / std::max(o.retry_interval, milliseconds(1)));
  GateCheck check;
  for (int attempt = 1;; ++attempt) {
    check = classify_probe(kind, probe(request), site, now);
    check.attempts = attempt;
    if (check.is_closed() || attempt >= max_attempts) break;
    if (std::chrono::steady_clock::now() + o.retry_interval > deadline) break;
    if (o.sleep) {
      o.sleep(o.retry_interval);
    } else {
      std::this_thread::sleep_for(o.retry_interval);
    }
  }
  return check;
}

}  // namespace

std::string_view to_string(GateCheckKind kind) {
  switch (kind) {
    case GateCheckKind::no_certificate:
      return "no_certificate";
    case GateCheckKind::foreign_ca:
      return "foreign_ca";
    case GateCheckKind::revoked_certificate:
      return "revoked_certificate";
    case GateCheckKind::ambiguous_path:
      return "ambiguous_path";
  }
  return "?";
}

std::string_view to_string(GateVerdict verdict) {
  switch (verdict) {
    case GateVerdict::refused:
      return "refused";
    case GateVerdict::admitted_by_fallback:
      return "admitted_by_fallback";
    case GateVerdict::open_door:
      return "open_door";
    case GateVerdict::cannot_check:
      return "cannot_check";
    case GateVerdict::not_run:
      return "not_run";
  }
  return "?";
}

std::string_view describe(GateCheckKind kind) {
  switch (kind) {
    case GateCheckKind::no_certificate:
      return "no certificate";
    case GateCheckKind::foreign_ca:
      return "foreign CA";
    case GateCheckKind::revoked_certificate:
      return "revoked certificate";
    case GateCheckKind::ambiguous_path:
      return "public path spelling";
  }
  return "?";
}

pki::ProbeRequest probe_request(const desired::Site& site, const std::string& path,
                                std::chrono::milliseconds timeout) {
  const ProbeTarget t = probe_target(site);
  pki::ProbeRequest request;
  request.host = t.host;
  request.port = t.port;
  request.sni = t.sni;
  request.host_header = t.host_header;
  request.path = path.empty() ? t.path : path;
  request.timeout = timeout;
  return request;
}

std::vector<std::string> ambiguous_paths(const desired::Site& site) {
  std::string gated = probe_target(site).path;
  gated = gated.substr(0, gated.find('?'));
  if (gated.empty() || gated.back() != '/') gated += '/';
  // "/..%2Fhealthz" climbs above the root, which nginx refuses with 400 whatever the gate does;
  // one level down, only the gate decides.
  if (gated == "/") gated = "/certgate-probe/";
  std::vector<std::string> out;
  for (const std::string& p : site.public_paths) {
    // "/admin/..%2Fhealthz": "/healthz" once nginx decodes it, "/admin/<..%2Fhealthz>" upstream.
    std::string path = gated + "..%2F" + p.substr(1) + (p.back() == '/' ? "x" : "");
    if (std::find(out.begin(), out.end(), path) == out.end()) out.push_back(std::move(path));
    if (out.size() == 2) break;
  }
  return out;
}

ProbeTarget probe_target(const desired::Site& site) {
  CG_CHECK(site.probe.has_value());
  const desired::Probe& p = *site.probe;
  ProbeTarget t{p.url, p.host, p.port, p.path, "", ""};
  if (!site.server_names.empty()) {
    t.sni = sni_of(site.server_names);
  } else if (!is_ip_literal(p.host)) {
    t.sni = p.host;
  }
  if (!t.sni.empty()) {
    t.host_header = t.sni;
  } else {
    t.host_header = p.host.find(':') != std::string::npos ? "[" + p.host + "]" : p.host;
  }
  return t;
}

std::optional<std::string> public_probe_path_problem(const desired::Site& site) {
  if (!site.probe) return std::nullopt;
  const std::string& full = site.probe->path;
  // nginx matches public paths against $uri, which has no query string.
  const std::string path = full.substr(0, full.find('?'));
  for (const std::string& p : site.public_paths) {
    const bool is_prefix = p.ends_with('/');
    if (path == p || (is_prefix && path.starts_with(p))) {
      return "probe path " + full + " is public; point probe at a gated path";
    }
  }
  return std::nullopt;
}

GateCheck classify_probe(GateCheckKind kind, const Result<pki::ProbeResult>& probe,
                         const desired::Site& site, base::Instant now) {
  if (!probe) return verdict(kind, GateVerdict::cannot_check, probe.error().message);
  const pki::ProbeResult& r = *probe;
  if (r.http_status != 0) return classify_status(kind, r, site, now);
  // Past this point the server did not answer. It refused the client certificate when it had
  // shown its own and then ended the TLS session (RFC 8446 4.4.2.4, RFC 5246 7.4.6).
  if (r.saw_server_certificate && !r.alert.empty())
    return verdict(kind, GateVerdict::refused, "TLS alert: " + r.alert);
  if (r.saw_server_certificate && !r.handshake_ok && !r.timed_out)
    return verdict(kind, GateVerdict::refused, r.error);
  if (!r.alert.empty())
    return verdict(kind, GateVerdict::cannot_check,
                   "TLS alert before the server's certificate: " + r.alert);
  if (!r.error.empty()) return verdict(kind, GateVerdict::cannot_check, r.error);
  return verdict(kind, GateVerdict::cannot_check, "no HTTP response");
}

Result<pki::ClientIdentity> make_foreign_identity(base::Instant now, const std::string& serial) {
  const base::Instant from = now - std::chrono::hours(1);
  const base::Instant to = now + std::chrono::hours(24);
  auto ca = pki::create_ca({"certgate verify: foreign CA", "", "", ""}, base::KeyType::ec_p256,
                           from, to + std::chrono::hours(1));
  if (!ca) return ca.error();
  auto signer = pki::CaSigner::open(ca->key_pem.reveal(), ca->cert_pem);
  if (!signer) return signer.error();
  auto key = pki::generate_key(base::KeyType::ec_p256);
  if (!key) return key.error();
  pki::CertRequest request{"certgate-verify-foreign", "", serial, from, to};
  if (request.serial.empty()) {
    auto random = pki::random_serial();
    if (!random) return random.error();
    request.serial = *random;
  }
  auto cert = signer->issue_for_key(request, key->reveal());
  if (!cert) return cert.error();
  return pki::ClientIdentity{std::move(cert->cert_pem), std::move(*key)};
}

std::string allowed_serial(const desired::DesiredState& desired, const desired::Site& site,
                           const std::vector<pki::IndexEntry>& index, base::Instant now) {
  for (const pki::IndexEntry& e : index) {
    if (e.status != pki::IndexStatus::valid || e.expires <= now) continue;
    const desired::Device* device = desired.find_device(e.common_name());
    if (device && !device->is_revoked() && site.allows(*device)) return e.serial;
  }
  return "";
}

GateMaterials load_gate_materials(sys::Filesystem& fs, const std::string& state_dir) {
  GateMaterials m;
  auto cert = fs.read(sys::join_path(state_dir, observed::kRevokedProbeCert));
  auto key = fs.read(sys::join_path(state_dir, observed::kRevokedProbeKey));
  for (const Result<std::string>* r : {&cert, &key}) {
    if (!*r && r->error().code != Errc::not_found) {
      m.revoked_missing = "cannot read the revoked probe certificate: " + r->error().message;
      return m;
    }
  }
  if (!cert || !key) {
    m.revoked_missing = "no revoked probe certificate in " + sys::join_path(state_dir, "probe") +
                        " (run certgate apply)";
    return m;
  }
  m.revoked = pki::ClientIdentity{std::move(*cert), pki::SecretString(std::move(*key))};
  return m;
}

bool GateReport::is_closed() const {
  if (!error.empty()) return false;
  for (const GateCheck& c : checks) {
    if (!c.is_closed()) return false;
  }
  return true;
}

GateReport check_gate(const desired::Site& site, const GateMaterials& materials, base::Instant now,
                      const GateCheckOptions& options) {
  GateReport report{site.name, probe_target(site), "", {}};
  if (auto problem = public_probe_path_problem(site)) {
    report.error = *problem;
    return report;
  }
  report.checks.push_back(run_check(GateCheckKind::no_certificate, nullptr, site, now, options));
  report.checks.push_back(
      run_check(GateCheckKind::foreign_ca, &materials.foreign, site, now, options));
  if (materials.revoked) {
    report.checks.push_back(
        run_check(GateCheckKind::revoked_certificate, &*materials.revoked, site, now, options));
  } else {
    report.checks.push_back(GateCheck{GateCheckKind::revoked_certificate, GateVerdict::not_run,
                                      materials.revoked_missing, 0, 0});
  }
  for (const std::string& path : ambiguous_paths(site))
    report.checks.push_back(
        run_check(GateCheckKind::ambiguous_path, nullptr, site, now, options, path));
  return report;
}

}  // namespace certgate::apply
