#include "render/status_render.h"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

namespace certgate::render {
namespace {

using namespace std::chrono;

const base::Instant kNow = sys_days{2026y / November / 23};

observed::Cert cert(const std::string& serial, const std::string& device, base::Instant end,
                    observed::CertStatus status = observed::CertStatus::valid) {
  observed::Cert c;
  c.serial = serial;
  c.device = device;
  c.not_after = end;
  c.status = status;
  return c;
}

TEST_CASE("status: each device's state, with orphans of deleted devices") {
  desired::DesiredState d;
  for (const char* name : {"alice", "bob", "carol", "dave", "erin"}) {
    desired::Device dev;
    dev.name = name;
    d.devices.push_back(dev);
  }
  observed::ObservedState o;
  o.certs = {cert("01", "alice", kNow + days{200}),
             cert("02", "bob", kNow + days{10}),
             cert("03", "carol", kNow + days{200}, observed::CertStatus::revoked),
             cert("04", "dave", kNow - days{1}),
             cert("05", "zed", kNow + days{90}),
             cert("06", "alice", kNow + days{20}, observed::CertStatus::revoked)};
  std::vector<std::string> rows;
  for (const DeviceStatus& s : device_statuses(d, o, kNow))
    rows.push_back(s.name + " " + s.state + " " + s.serial);
  CHECK(rows == std::vector<std::string>{"alice valid 01", "bob renew-due 02", "carol revoked 03",
                                         "dave expired 04", "erin missing ", "zed orphan 05"});
  observed::AppliedRecord applied{"git 1a2b3c4 (main)", "1a2b3c4", "", kNow, {}, {}, {}, {}};
  auto j = nlohmann::json::parse(status_json(d, o, applied, plan::Plan{}, kNow));
  CHECK(j["last_applied_commit"] == "1a2b3c4");
  CHECK(j["devices"][0]["not_after"] == "2027-06-11T00:00:00Z");
  CHECK(j["crl"].is_null());
  CHECK(status_text(d, o, std::nullopt, plan::Plan{}, kNow).find("Applied  never\n") !=
        std::string::npos);
}

TEST_CASE("status: a device deleted from the desired state is listed while it is on the CRL") {
  desired::DesiredState d;
  desired::Device alice;
  alice.name = "alice";
  d.devices.push_back(alice);
  observed::ObservedState o;
  o.certs = {
      cert("01", "alice", kNow + days{200}),
      cert("07", "bob", kNow + days{200}, observed::CertStatus::revoked),
      cert("08", "old", kNow - days{1}, observed::CertStatus::revoked),
      cert("09", observed::kRevokedProbeName, kNow + days{200}, observed::CertStatus::revoked)};
  std::vector<std::string> rows;
  for (const DeviceStatus& s : device_statuses(d, o, kNow))
    rows.push_back(s.name + " " + s.state + " " + s.serial + (s.deleted ? " deleted" : ""));
  // bob's certificate is revoked and unexpired: on the CRL, so listed. old's has expired (off
  // the CRL, nothing to say); the revoked probe is certgate's own.
  CHECK(rows == std::vector<std::string>{"alice valid 01", "bob revoked 07 deleted"});
  auto j = nlohmann::json::parse(status_json(d, o, std::nullopt, plan::Plan{}, kNow));
  CHECK(j["devices"][1]["name"] == "bob");
  CHECK(j["devices"][1]["deleted"] == true);
  CHECK(j["devices"][0]["deleted"] == false);
  const std::string text = status_text(d, o, std::nullopt, plan::Plan{}, kNow);
  CHECK(text.find("bob") != std::string::npos);
  CHECK(text.find("(deleted from the desired state)") != std::string::npos);
}

TEST_CASE("status: each target's files that differ, with why, from the plan's file actions") {
  observed::ObservedState o;
  o.targets = {{"local", "/etc/nginx/certgate", {}, false, "", ""}};
  plan::Plan p;
  plan::Action drift;
  drift.kind = plan::ActionKind::file;
  drift.subject = "/etc/nginx/certgate/http.conf";
  drift.detail = "(+0 -1, edited by hand)";
  drift.reason = "edited by hand since the last apply (drift)";
  plan::Action missing = drift;
  missing.subject = "/etc/nginx/certgate/crl.pem";
  missing.detail = "(new)";
  missing.reason = "missing on the target";
  plan::Action reload;
  reload.kind = plan::ActionKind::reload;
  p.actions = {drift, missing, reload};
  auto t = target_statuses(o, p);
  REQUIRE(t.size() == 1);
  CHECK(t[0].files == std::vector<std::pair<std::string, std::string>>{{"http.conf", "drift"},
                                                                       {"crl.pem", "missing"}});
  CHECK(t[0].reload_pending);
  desired::DesiredState d;
  CHECK(status_text(d, o, std::nullopt, p, kNow)
            .find("Target   local /etc/nginx/certgate: 2 files differ: http.conf (drift) crl.pem "
                  "(missing)\n") != std::string::npos);
  auto j = nlohmann::json::parse(status_json(d, o, std::nullopt, plan::Plan{}, kNow));
  CHECK(j["targets"][0]["in_sync"] == true);
}

observed::Cert issued(const std::string& serial, const std::string& device, base::Instant from,
                      base::Instant end, base::KeyType key = base::KeyType::ec_p256) {
  observed::Cert c = cert(serial, device, end);
  c.has_file = true;
  c.not_before = from;
  c.key = key;
  c.key_origin = observed::KeyOrigin::server;
  return c;
}

// alice: renewed for expiry; bob: replaced for a new key type 2 days ago (overlap 7d); carol:
// the same 10 days ago, so the next apply revokes the old one; dave: one certificate.
struct OverlapFixture {
  desired::DesiredState d;
  observed::ObservedState o;
  OverlapFixture() {
    for (const char* name : {"alice", "bob", "carol", "dave"}) {
      desired::Device dev;
      dev.name = name;
      if (std::string(name) != "alice") dev.key = base::KeyType::ec_p384;
      d.devices.push_back(dev);
    }
    d.devices[3].key = base::KeyType::ec_p256;
    const auto p384 = base::KeyType::ec_p384;
    o.certs = {issued("0A", "alice", kNow - days{340}, kNow + days{25}),
               issued("0B", "alice", kNow - days{5}, kNow + days{360}),
               issued("0C", "bob", kNow - days{100}, kNow + days{265}),
               issued("0D", "bob", kNow - days{2}, kNow + days{363}, p384),
               issued("0E", "carol", kNow - days{100}, kNow + days{265}),
               issued("0F", "carol", kNow - days{10}, kNow + days{355}, p384),
               issued("10", "dave", kNow - days{10}, kNow + days{355})};
  }
};

std::vector<std::string> certificate_lines(const std::vector<DeviceStatus>& rows) {
  std::vector<std::string> out;
  for (const DeviceStatus& s : rows) {
    for (const CertificateStatus& c : s.certificates)
      out.push_back(s.name + " " + c.serial + (c.is_newest ? " newest " : " older ") + c.state +
                    " " + base::format_rfc3339(c.ends_at) + " " + c.ends_by);
  }
  return out;
}

TEST_CASE("status: a pull host shows the publish commit of its folder and its manifest's source") {
  desired::DesiredState d;
  desired::Host edge;
  edge.name = "edge-1";
  edge.mode = desired::HostMode::pull;
  desired::Host push;
  push.name = "h1";
  d.hosts = {edge, push};
  observed::ObservedState o;
  observed::TargetFiles pulled{"edge-1", "/etc/nginx/certgate",     {},
                               false,    "git commit 1a2b3c4d5e6f", ""};
  pulled.published_commit = "9f8e7d6c5b4a";
  observed::TargetFiles pushed{"h1", "/etc/nginx/certgate", {}, false, "", ""};
  observed::TargetFiles fresh{"edge-2", "/etc/nginx/certgate", {}, false, "", ""};
  d.hosts.push_back(edge);
  d.hosts.back().name = "edge-2";
  o.targets = {pulled, fresh, pushed};
  const std::string text = status_text(d, o, std::nullopt, plan::Plan{}, kNow);
  CHECK(text.find("Target   edge-1 /etc/nginx/certgate: in sync, commit 1a2b3c4, pull: publish "
                  "commit 9f8e7d6\n") != std::string::npos);
  CHECK(text.find("Target   edge-2 /etc/nginx/certgate: in sync, pull: nothing published yet\n") !=
        std::string::npos);
  CHECK(text.find("Target   h1 /etc/nginx/certgate: in sync\n") != std::string::npos);
  auto j = nlohmann::json::parse(status_json(d, o, std::nullopt, plan::Plan{}, kNow));
  CHECK(j["targets"][0]["mode"] == "pull");
  CHECK(j["targets"][0]["published_commit"] == "9f8e7d6c5b4a");
  CHECK(j["targets"][0]["last_applied_commit"] == "1a2b3c4d5e6f");
  CHECK(j["targets"][2]["mode"] == "push");
  CHECK(j["targets"][2]["published_commit"] == "");
}

TEST_CASE("status: a device with two live certificates shows both, newest first") {
  OverlapFixture f;
  const std::vector<DeviceStatus> rows = device_statuses(f.d, f.o, kNow);
  CHECK(certificate_lines(rows) ==
        std::vector<std::string>{
            "alice 0B newest valid 2027-11-18T00:00:00Z not_after",
            "alice 0A older overlap 2026-12-18T00:00:00Z not_after",
            "bob 0D newest valid 2027-11-21T00:00:00Z not_after",
            "bob 0C older overlap 2026-11-28T00:05:00Z overlap",  // 2 days ago + 5m + 7d
            "carol 0F newest valid 2027-11-13T00:00:00Z not_after",
            "carol 0E older superseded-pending 2026-11-20T00:05:00Z overlap",
            "dave 10 newest valid 2027-11-13T00:00:00Z not_after"});
  // The device's own serial and notAfter stay the newest certificate's.
  CHECK(rows[0].serial == "0B");
  CHECK(rows[0].state == "valid");
  const std::string text = status_text(f.d, f.o, std::nullopt, plan::Plan{}, kNow);
  CHECK(text.find("  newest 0B  valid, notAfter 2027-11-18\n"
                  "  older  0A  overlap, works until 2026-12-18 (notAfter)\n") !=
        std::string::npos);
  CHECK(text.find("  older  0C  overlap, works until 2026-11-28 (end of the overlap)\n") !=
        std::string::npos);
  CHECK(text.find("  older  0E  superseded-pending, ended 2026-11-20 (end of the overlap)\n") !=
        std::string::npos);
  CHECK(text.find("  newest 10") == std::string::npos);  // one certificate: the row says it all
  CHECK(text.find("last seen") == std::string::npos);    // no access log read
  auto j = nlohmann::json::parse(status_json(f.d, f.o, std::nullopt, plan::Plan{}, kNow));
  const auto& alice = j["devices"][0];
  CHECK(alice["serial"] == "0B");
  CHECK(alice["not_after"] == "2027-11-18T00:00:00Z");
  REQUIRE(alice["certificates"].size() == 2);
  CHECK(alice["certificates"][0]["newest"] == true);
  CHECK(alice["certificates"][0]["not_before"] == "2026-11-18T00:00:00Z");
  CHECK(alice["certificates"][1]["state"] == "overlap");
  CHECK(alice["certificates"][1]["ends_at"] == "2026-12-18T00:00:00Z");
  CHECK(alice["certificates"][1]["last_seen"].is_null());
  CHECK(alice["last_seen"].is_null());
  CHECK(alice["uses_old_certificate"] == false);
  CHECK(j["access_logs"].empty());
}

TEST_CASE("status: which serial each device presented last, from the access log") {
  OverlapFixture f;
  observed::AccessLogSeen log{"local", "/var/log/nginx/access.log", "", 2048, true, 3, {}};
  log.serials["0A"] = {kNow - hours{2}, "SUCCESS"};  // alice: still the old certificate
  log.serials["0B"] = {kNow - hours{30}, "SUCCESS"};
  log.serials["0D"] = {kNow - minutes{5}, "SUCCESS"};  // bob: the new one
  const std::vector<observed::AccessLogSeen> logs{log};
  const std::vector<DeviceStatus> rows = device_statuses(f.d, f.o, kNow, logs);
  CHECK(rows[0].uses_old_certificate());
  CHECK(rows[0].last_seen->serial == "0A");
  CHECK_FALSE(rows[1].uses_old_certificate());
  CHECK_FALSE(rows[2].last_seen);
  const std::string text = status_text(f.d, f.o, std::nullopt, plan::Plan{}, kNow, logs);
  CHECK(text.find("Log      local /var/log/nginx/access.log: 3 requests with a certificate in "
                  "the last 2 KiB\n") != std::string::npos);
  CHECK(text.find("  last seen 2026-11-22 22:00 UTC with serial 0A (old certificate: not "
                  "picked up the renewal)\n") != std::string::npos);
  CHECK(text.find("  last seen 2026-11-22 23:55 UTC with serial 0D\n") != std::string::npos);
  CHECK(text.find("  last seen: never (not in the access log read)\n") != std::string::npos);
  auto j = nlohmann::json::parse(status_json(f.d, f.o, std::nullopt, plan::Plan{}, kNow, logs));
  CHECK(j["devices"][0]["last_seen"]["serial"] == "0A");
  CHECK(j["devices"][0]["last_seen"]["at"] == "2026-11-22T22:00:00Z");
  CHECK(j["devices"][0]["last_seen"]["newest"] == false);
  CHECK(j["devices"][0]["uses_old_certificate"] == true);
  CHECK(j["devices"][0]["certificates"][0]["last_seen"] == "2026-11-21T18:00:00Z");
  CHECK(j["access_logs"][0]["read"] == true);
  // An unreadable log is said once, and nothing claims a device was never seen.
  observed::AccessLogSeen denied;
  denied.target = "local";
  denied.path = "/var/log/nginx/access.log";
  denied.problem = "open /var/log/nginx/access.log: Permission denied";
  const std::string no = status_text(f.d, f.o, std::nullopt, plan::Plan{}, kNow, {denied});
  CHECK(no.find("Log      local /var/log/nginx/access.log: not read (open "
                "/var/log/nginx/access.log: Permission denied): last seen unknown\n") !=
        std::string::npos);
  CHECK(no.find("\n  last seen") == std::string::npos);
}

TEST_CASE("status: state.json round-trips and a foreign file is refused") {
  observed::AppliedRecord r{"file certgate.toml", "", "ab", kNow, {}, {}, {}, {}};
  CHECK(*observed::parse_applied_record(observed::format_applied_record(r)) == r);
  r.publish = {"file:///srv/edges.git", "main", "/etc/certgate/publish_ed25519", {"e1", "e2"}};
  CHECK(*observed::parse_applied_record(observed::format_applied_record(r)) == r);
  CHECK_FALSE(observed::parse_applied_record("{\"x\": 1}"));
  CHECK_FALSE(observed::parse_applied_record("not json"));
}

}  // namespace
}  // namespace certgate::render
