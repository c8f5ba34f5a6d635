#include "apply/gate_check.h"

#include <doctest/doctest.h>

#include "pki/inspect.h"
#include "support/mem_filesystem.h"

namespace certgate::apply {
namespace {

using namespace std::chrono;

const base::Instant kNow = sys_days{2026y / November / 23};
const base::Instant kUntil = sys_days{2026y / December / 15};

desired::Site site() {
  desired::Site s;
  s.name = "admin";
  s.server_names = {"admin.example.com", "admin2.example.com"};
  s.public_paths = {"/api/public/", "/healthz"};
  s.probe = desired::Probe{"https://127.0.0.1:8443/", "127.0.0.1", 8443, "/"};
  return s;
}

desired::Site with_fallback(const std::string& cidr) {
  desired::Site s = site();
  s.fallback = desired::Fallback{{*base::parse_cidr(cidr)}, kUntil};
  return s;
}

// A connection whose handshake completed and whose server answered `status`.
pki::ProbeResult answered(int status) {
  pki::ProbeResult r;
  r.local_address = "127.0.0.1";
  r.handshake_ok = true;
  r.saw_server_certificate = true;
  r.saw_certificate_request = true;
  r.protocol = "TLSv1.2";
  r.http_status = status;
  r.status_line = "HTTP/1.1 " + std::to_string(status) + " Whatever";
  return r;
}

GateCheck classify(const Result<pki::ProbeResult>& r, const desired::Site& s = site(),
                   GateCheckKind kind = GateCheckKind::no_certificate, base::Instant now = kNow) {
  return classify_probe(kind, r, s, now);
}

TEST_CASE("gate: HTTP 400, 403, 495 and 496 are refusals, any other status is an open door") {
  for (int status : {400, 403, 495, 496}) {
    CAPTURE(status);
    const GateCheck c = classify(answered(status));
    CHECK(c.verdict == GateVerdict::refused);
    CHECK(c.detail == std::to_string(status));
    CHECK(c.http_status == status);
    CHECK(c.is_closed());
  }
  for (int status : {200, 204, 301, 302, 401, 404, 500, 502}) {
    CAPTURE(status);
    const GateCheck c = classify(answered(status), site(), GateCheckKind::foreign_ca);
    CHECK(c.verdict == GateVerdict::open_door);
    CHECK(c.detail == "HTTP " + std::to_string(status));
    CHECK_FALSE(c.is_closed());
  }
  pki::ProbeResult not_asked = answered(200);
  not_asked.saw_certificate_request = false;
  CHECK(classify(not_asked).detail == "HTTP 200; the server did not ask for a client certificate");
}

TEST_CASE("gate: a TLS failure after the server's certificate is a refusal") {
  pki::ProbeResult tls13;  // TLS 1.3: the handshake completes, the verdict comes as an alert
  tls13.handshake_ok = true;
  tls13.saw_server_certificate = true;
  tls13.alert = "certificate required";
  tls13.error = "read response: tlsv13 alert certificate required";
  CHECK(classify(tls13) == GateCheck{GateCheckKind::no_certificate, GateVerdict::refused,
                                     "TLS alert: certificate required", 0, 1});

  pki::ProbeResult tls12;
  tls12.saw_server_certificate = true;
  tls12.alert = "bad certificate";
  tls12.error = "TLS handshake: sslv3 alert bad certificate";
  CHECK(classify(tls12).verdict == GateVerdict::refused);

  pki::ProbeResult closed;  // no alert, the server just hung up mid-handshake
  closed.saw_server_certificate = true;
  closed.error = "TLS handshake: unexpected eof while reading";
  CHECK(classify(closed) == GateCheck{GateCheckKind::no_certificate, GateVerdict::refused,
                                      "TLS handshake: unexpected eof while reading", 0, 1});
}

TEST_CASE("gate: no connection, no TLS or no answer cannot be checked") {
  const Result<pki::ProbeResult> refused =
      make_error(Errc::io, "connect 127.0.0.1:8443: Connection refused");
  CHECK(classify(refused) == GateCheck{GateCheckKind::no_certificate, GateVerdict::cannot_check,
                                       "connect 127.0.0.1:8443: Connection refused", 0, 1});

  pki::ProbeResult plain_http;  // the probe points at a port without TLS
  plain_http.error = "TLS handshake: wrong version number";
  CHECK(classify(plain_http).verdict == GateVerdict::cannot_check);
  CHECK(classify(plain_http).detail == "TLS handshake: wrong version number");

  pki::ProbeResult sni;  // an alert before the server shows its certificate is not the gate
  sni.alert = "unrecognized name";
  sni.error = "TLS handshake: tlsv1 unrecognized name";
  CHECK(classify(sni).detail == "TLS alert before the server's certificate: unrecognized name");
  CHECK(classify(sni).verdict == GateVerdict::cannot_check);

  pki::ProbeResult slow;
  slow.saw_server_certificate = true;
  slow.error = "TLS handshake: timed out after 5000 ms";
  slow.timed_out = true;
  CHECK(classify(slow).verdict == GateVerdict::cannot_check);

  pki::ProbeResult silent = answered(0);  // handshake done, connection closed without a word
  CHECK(classify(silent) == GateCheck{GateCheckKind::no_certificate, GateVerdict::cannot_check,
                                      "no HTTP response", 0, 1});
}

TEST_CASE("gate: an open [site.fallback] admits a client without a certificate from its IPs") {
  const GateCheck in = classify(answered(200), with_fallback("127.0.0.0/8"));
  CHECK(in.verdict == GateVerdict::admitted_by_fallback);
  CHECK(in.detail == "admitted by [site.fallback] until 2026-12-15T00:00:00Z (from 127.0.0.1)");
  CHECK(in.is_closed());
  // A refusal stays a refusal.
  CHECK(classify(answered(403), with_fallback("127.0.0.1")).verdict == GateVerdict::refused);
  // Another address, a closed window, or a certificate check: an open door.
  CHECK(classify(answered(200), with_fallback("203.0.113.7/32")).verdict == GateVerdict::open_door);
  CHECK(classify(answered(200), with_fallback("127.0.0.1"), GateCheckKind::no_certificate, kUntil)
            .verdict == GateVerdict::open_door);
  CHECK(classify(answered(200), with_fallback("127.0.0.1"), GateCheckKind::foreign_ca).verdict ==
        GateVerdict::open_door);
  CHECK(classify(answered(200), with_fallback("::1")).verdict == GateVerdict::open_door);
}

TEST_CASE("gate: SNI is the first plain server name, else the probe host unless an IP") {
  desired::Site s = site();
  ProbeTarget t = probe_target(s);
  CHECK(t == ProbeTarget{"https://127.0.0.1:8443/", "127.0.0.1", 8443, "/", "admin.example.com",
                         "admin.example.com"});

  s.server_names = {"*.example.org", "www.example.org"};
  CHECK(probe_target(s).sni == "www.example.org");
  s.server_names = {"*.example.org"};
  CHECK(probe_target(s).sni == "certgate-probe.example.org");

  s.server_names = {};
  CHECK(probe_target(s).sni.empty());
  CHECK(probe_target(s).host_header == "127.0.0.1");
  s.probe = desired::Probe{"https://[::1]:443/x", "::1", 443, "/x"};
  CHECK(probe_target(s).sni.empty());
  CHECK(probe_target(s).host_header == "[::1]");
  s.probe = desired::Probe{"https://edge.example.com/x", "edge.example.com", 443, "/x"};
  CHECK(probe_target(s).sni == "edge.example.com");
  CHECK(probe_target(s).host_header == "edge.example.com");
}

TEST_CASE("gate: a probe path that is public is reported, exactly or under a prefix") {
  desired::Site s = site();
  CHECK_FALSE(public_probe_path_problem(s));
  for (const char* path : {"/healthz", "/healthz?x=1", "/api/public/", "/api/public/v1"}) {
    CAPTURE(path);
    s.probe->path = path;
    CHECK(public_probe_path_problem(s) ==
          "probe path " + std::string(path) + " is public; point probe at a gated path");
  }
  for (const char* path : {"/healthzz", "/healthz/", "/api/public", "/api/"}) {
    CAPTURE(path);
    s.probe->path = path;
    CHECK_FALSE(public_probe_path_problem(s));
  }
}

// A probe that answers from a script and records what it was asked.
struct FakeProbe {
  std::vector<Result<pki::ProbeResult>> answers;  // the last one repeats
  std::vector<pki::ProbeRequest> requests;
  std::vector<milliseconds> sleeps;

  GateCheckOptions options(milliseconds settle = milliseconds(0)) {
    GateCheckOptions o;
    o.settle = settle;
    o.probe = [this](const pki::ProbeRequest& r) {
      requests.push_back(r);
      return answers[std::min(requests.size(), answers.size()) - 1];
    };
    o.sleep = [this](milliseconds d) { sleeps.push_back(d); };
    return o;
  }
};

GateMaterials materials(bool with_revoked) {
  GateMaterials m;
  m.foreign = pki::ClientIdentity{"FOREIGN CERT", pki::SecretString("FOREIGN KEY")};
  if (with_revoked)
    m.revoked = pki::ClientIdentity{"REVOKED CERT", pki::SecretString("REVOKED KEY")};
  if (!with_revoked)
    m.revoked_missing =
        "no revoked probe certificate in /var/lib/certgate/probe (run certgate apply)";
  return m;
}

TEST_CASE("gate: check_gate knocks: no certificate, foreign CA, revoked, public path spellings") {
  FakeProbe fake{{answered(403), answered(400), answered(400), answered(403)}, {}, {}};
  const GateMaterials m = materials(true);
  const GateReport report = check_gate(site(), m, kNow, fake.options());
  REQUIRE(fake.requests.size() == 5);
  // A gated path that reads as each public path once nginx decodes it.
  CHECK(fake.requests[3].path == "/certgate-probe/..%2Fapi/public/x");
  CHECK(fake.requests[4].path == "/certgate-probe/..%2Fhealthz");
  CHECK(fake.requests[3].identity == nullptr);
  fake.requests.resize(3);
  CHECK(fake.requests[0].identity == nullptr);
  CHECK(fake.requests[1].identity == &m.foreign);
  CHECK(fake.requests[2].identity == &*m.revoked);
  for (const pki::ProbeRequest& r : fake.requests) {
    CHECK(r.host == "127.0.0.1");
    CHECK(r.port == 8443);
    CHECK(r.sni == "admin.example.com");
    CHECK(r.host_header == "admin.example.com");
    CHECK(r.path == "/");
    CHECK(r.timeout == milliseconds(5000));
  }
  CHECK(report.site == "admin");
  CHECK(report.error.empty());
  REQUIRE(report.checks.size() == 5);
  CHECK(report.checks[0].detail == "403");
  CHECK(report.checks[2].kind == GateCheckKind::revoked_certificate);
  CHECK(report.checks[4].kind == GateCheckKind::ambiguous_path);
  CHECK(report.is_closed());
  CHECK(fake.sleeps.empty());
}

TEST_CASE("gate: without the revoked probe certificate that check is not run, and fails") {
  FakeProbe fake{{answered(403)}, {}, {}};
  const GateReport report = check_gate(site(), materials(false), kNow, fake.options());
  CHECK(fake.requests.size() == 4);
  REQUIRE(report.checks.size() == 5);
  CHECK(report.checks[2] ==
        GateCheck{GateCheckKind::revoked_certificate, GateVerdict::not_run,
                  "no revoked probe certificate in /var/lib/certgate/probe (run certgate apply)", 0,
                  0});
  CHECK_FALSE(report.is_closed());
}

TEST_CASE("gate: a public probe path is an error and nothing is probed") {
  desired::Site s = site();
  s.probe->path = "/healthz";
  FakeProbe fake{{answered(200)}, {}, {}};
  const GateReport report = check_gate(s, materials(true), kNow, fake.options());
  CHECK(fake.requests.empty());
  CHECK(report.checks.empty());
  CHECK(report.error == "probe path /healthz is public; point probe at a gated path");
  CHECK_FALSE(report.is_closed());
}

TEST_CASE("gate: while settling, an open door is probed again until it closes") {
  FakeProbe fake{{answered(200), answered(200), answered(403)}, {}, {}};
  GateReport report = check_gate(site(), materials(true), kNow, fake.options(seconds(3)));
  CHECK(report.checks[0].verdict == GateVerdict::refused);
  CHECK(report.checks[0].attempts == 3);
  CHECK(report.checks[1].attempts == 1);
  CHECK(fake.sleeps == std::vector<milliseconds>{milliseconds(250), milliseconds(250)});

  // A door that stays open: 1 + 3 s / 250 ms probes, then it is reported.
  FakeProbe open{{answered(200)}, {}, {}};
  report = check_gate(site(), materials(true), kNow, open.options(seconds(3)));
  CHECK(report.checks[0].verdict == GateVerdict::open_door);
  CHECK(report.checks[0].attempts == 13);

  // No settle (the verify command): one probe each.
  FakeProbe once{{answered(200)}, {}, {}};
  report = check_gate(site(), materials(true), kNow, once.options());
  CHECK(once.requests.size() == 5);
  CHECK(once.sleeps.empty());
  CHECK(report.checks[0].attempts == 1);
}

TEST_CASE("gate: a public path spelling that the server lets in is an open door") {
  FakeProbe fake{{answered(403), answered(400), answered(400), answered(200)}, {}, {}};
  const GateReport report = check_gate(site(), materials(true), kNow, fake.options());
  REQUIRE(report.checks.size() == 5);
  CHECK(report.checks[3].verdict == GateVerdict::open_door);
  CHECK_FALSE(report.is_closed());
  desired::Site s = site();
  s.public_paths.clear();
  CHECK(ambiguous_paths(s).empty());
  s.probe->path = "/admin?x=1";
  s.public_paths = {"/healthz"};
  CHECK(ambiguous_paths(s) == std::vector<std::string>{"/admin/..%2Fhealthz"});
}

TEST_CASE("gate: the revoked probe certificate is read from STATE/probe") {
  testing::MemFilesystem fs;
  GateMaterials none = load_gate_materials(fs, "/state");
  CHECK_FALSE(none.revoked);
  CHECK(none.revoked_missing ==
        "no revoked probe certificate in /state/probe (run certgate apply)");
  fs.put("/state/probe/revoked.crt", "CERT");
  CHECK_FALSE(load_gate_materials(fs, "/state").revoked);
  fs.put("/state/probe/revoked.key", "KEY", 0600);
  GateMaterials both = load_gate_materials(fs, "/state");
  REQUIRE(both.revoked);
  CHECK(both.revoked->cert_pem == "CERT");
  CHECK(both.revoked->key_pem.reveal() == "KEY");
  CHECK(both.revoked_missing.empty());
}

TEST_CASE("gate: the foreign certificate copies the serial of a device the site lets in") {
  desired::DesiredState state;
  desired::Device alice, bob, carol;
  alice.name = "alice";
  alice.groups = {"admins"};
  bob.name = "bob";
  carol.name = "carol";
  carol.groups = {"admins"};
  carol.revoked = base::RevocationReason::keyCompromise;
  state.devices = {alice, bob, carol};
  desired::Site s = site();
  s.allow_groups = {"admins"};
  const auto entry = [](pki::IndexStatus status, base::Instant expires, std::string serial,
                        std::string cn) {
    pki::IndexEntry e;
    e.status = status;
    e.expires = expires;
    e.serial = std::move(serial);
    e.subject = "/CN=" + cn;
    return e;
  };
  std::vector<pki::IndexEntry> index = {
      entry(pki::IndexStatus::valid, kNow + days(1), "0B", "bob"),
      entry(pki::IndexStatus::revoked, kNow + days(1), "0A", "alice"),
      entry(pki::IndexStatus::valid, kNow, "1A", "alice"),
      entry(pki::IndexStatus::valid, kNow + days(1), "0C", "carol"),
  };
  CHECK(allowed_serial(state, s, index, kNow) == "");
  index.push_back(entry(pki::IndexStatus::valid, kNow + days(1), "2A", "alice"));
  CHECK(allowed_serial(state, s, index, kNow) == "2A");

  auto foreign = make_foreign_identity(kNow, "2A");
  REQUIRE(foreign);
  auto info = pki::inspect_certificate(foreign->cert_pem);
  REQUIRE(info);
  CHECK(info->serial == "2A");
  CHECK(info->issuer_common_name == "certgate verify: foreign CA");
  CHECK(info->not_before < kNow);
  CHECK(info->not_after > kNow);
  CHECK(pki::key_matches(foreign->key_pem.reveal(), foreign->cert_pem));
  auto random = make_foreign_identity(kNow, "");
  REQUIRE(random);
  CHECK(pki::inspect_certificate(random->cert_pem)->serial.size() == 32);
}

TEST_CASE("tls_probe: status lines and host:port") {
  CHECK(pki::parse_status_code("HTTP/1.1 403 Forbidden") == 403);
  CHECK(pki::parse_status_code("HTTP/1.0 200 OK") == 200);
  CHECK(pki::parse_status_code("HTTP/1.1 204") == 204);
  for (const char* bad : {"", "HTTP/1.1", "HTTP/1.1 20", "HTTP/1.1 2000 x", "HTTP/2 200",
                          "HTTP/1.1 abc x", "SSH-2.0-OpenSSH", "HTTP/1.1 099 x"}) {
    CAPTURE(bad);
    CHECK(pki::parse_status_code(bad) == 0);
  }
  CHECK(pki::host_port("127.0.0.1", 8443) == "127.0.0.1:8443");
  CHECK(pki::host_port("::1", 443) == "[::1]:443");
  CHECK(pki::host_port("edge.example.com", 443) == "edge.example.com:443");
}

}  // namespace
}  // namespace certgate::apply
