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

TEST_CASE("status: state.json round-trips and a foreign file is refused") {
  observed::AppliedRecord r{"file certgate.toml", "", "ab", kNow, {}, {}, {}, {}};
  CHECK(*observed::parse_applied_record(observed::format_applied_record(r)) == r);
  CHECK_FALSE(observed::parse_applied_record("{\"x\": 1}"));
  CHECK_FALSE(observed::parse_applied_record("not json"));
}

}  // namespace
}  // namespace certgate::render
