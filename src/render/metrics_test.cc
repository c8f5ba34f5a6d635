#include "render/metrics.h"

#include <doctest/doctest.h>

namespace certgate::render {
namespace {

using namespace std::chrono;
const base::Instant kNow = sys_days{2026y / November / 23};

TEST_CASE("metrics: sync result, applied commit, expiries, CRL and revocation latency") {
  observed::ObservedState o;
  o.last_applied =
      observed::AppliedRecord{"git 1a2b3c4 (main)", "1a2b3c4d", "", kNow, {}, {}, {}, {}};
  observed::Cert alice;
  alice.serial = "4A";
  alice.device = "alice";
  alice.not_after = kNow + days{1};
  observed::Cert gone = alice;
  gone.serial = "4B";
  gone.status = observed::CertStatus::revoked;
  o.certs = {alice, gone};
  o.crl.exists = true;
  o.crl.number = 3;
  o.crl.next_update = kNow + days{30};
  SyncRun run{kNow,
              true,
              0.25,
              "git 1a2b3c4 (main)",
              "1a2b3c4d",
              kNow - seconds{90},
              4,
              {"bob"},
              {{"local", kNow - seconds{5}}},
              {}};
  const std::string m = sync_metrics(run, o);
  CHECK(m.find("certgate_sync_success 1\n") != std::string::npos);
  CHECK(m.find("# TYPE certgate_sync_success gauge\n") != std::string::npos);
  CHECK(
      m.find("certgate_applied_commit_info{commit=\"1a2b3c4d\",source=\"git 1a2b3c4 (main)\"} 1") !=
      std::string::npos);
  CHECK(m.find("certgate_certificate_expiry_timestamp_seconds{device=\"alice\",serial=\"4A\"} " +
               std::to_string((kNow + days{1}).time_since_epoch().count())) != std::string::npos);
  CHECK(m.find("serial=\"4B\"") == std::string::npos);  // revoked: no expiry to watch
  CHECK(m.find("certgate_crl_number 3\n") != std::string::npos);
  CHECK(m.find("certgate_revocation_latency_seconds{device=\"bob\",target=\"local\"} 85\n") !=
        std::string::npos);
  CHECK(m.find("certgate_pending_actions 0\n") != std::string::npos);
  run.succeeded = false;
  CHECK(sync_metrics(run, o).find("certgate_pending_actions 4\n") != std::string::npos);
}

TEST_CASE("metrics: live certificates per device, the newest's expiry and who uses an old one") {
  observed::ObservedState o;
  observed::Cert old;
  old.serial = "0A";
  old.device = "alice";
  old.has_file = true;
  old.not_before = kNow - days{340};
  old.not_after = kNow + days{25};
  observed::Cert newest = old;
  newest.serial = "0B";
  newest.not_before = kNow - days{5};
  newest.not_after = kNow + days{360};
  observed::Cert bob = newest;
  bob.serial = "0C";
  bob.device = "bob";
  observed::Cert carol = newest;
  carol.serial = "0D";
  carol.device = "carol";
  o.certs = {old, newest, bob, carol};
  SyncRun run;
  run.finished_at = kNow;
  const auto at = [](base::Instant t) { return std::to_string(t.time_since_epoch().count()); };
  std::string m = sync_metrics(run, o);
  CHECK(m.find("# TYPE certgate_device_certificates gauge\n") != std::string::npos);
  CHECK(m.find("certgate_device_certificates{device=\"alice\"} 2\n") != std::string::npos);
  CHECK(m.find("certgate_device_certificates{device=\"bob\"} 1\n") != std::string::npos);
  CHECK(m.find("certgate_device_expiry_timestamp_seconds{device=\"alice\"} " +
               at(newest.not_after) + "\n") != std::string::npos);
  CHECK(m.find("certgate_device_uses_old_certificate") == std::string::npos);  // no log known
  observed::AccessLogSeen log{"local", "/var/log/nginx/access.log", "", 100, false, 2, {}};
  log.serials["0A"] = {kNow - hours{1}, "SUCCESS"};
  log.serials["0B"] = {kNow - hours{2}, "SUCCESS"};
  log.serials["0C"] = {kNow - hours{3}, "SUCCESS"};
  run.access_logs = {log};
  m = sync_metrics(run, o);
  CHECK(m.find("certgate_access_log_read{target=\"local\",path=\"/var/log/nginx/access.log\"} "
               "1\n") != std::string::npos);
  CHECK(m.find("# HELP certgate_device_newest_certificate_last_seen_timestamp_seconds ") !=
        std::string::npos);
  CHECK(m.find("certgate_device_newest_certificate_last_seen_timestamp_seconds{device=\"alice\"} " +
               at(kNow - hours{2}) + "\n") != std::string::npos);
  CHECK(
      m.find("certgate_device_newest_certificate_last_seen_timestamp_seconds{device=\"carol\"}") ==
      std::string::npos);  // never seen
  CHECK(m.find("certgate_device_uses_old_certificate{device=\"alice\"} 1\n") != std::string::npos);
  CHECK(m.find("certgate_device_uses_old_certificate{device=\"bob\"} 0\n") != std::string::npos);
  CHECK(m.find("certgate_device_uses_old_certificate{device=\"carol\"} 0\n") != std::string::npos);
  run.access_logs[0].problem = "open /var/log/nginx/access.log: Permission denied";
  m = sync_metrics(run, o);
  CHECK(m.find("certgate_access_log_read{target=\"local\",path=\"/var/log/nginx/access.log\"} "
               "0\n") != std::string::npos);
  CHECK(m.find("certgate_device_uses_old_certificate") == std::string::npos);
}

}  // namespace
}  // namespace certgate::render
