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
              {{"local", kNow - seconds{5}}}};
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

}  // namespace
}  // namespace certgate::render
