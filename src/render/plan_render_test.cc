#include "render/plan_render.h"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

namespace certgate::render {
namespace {

using namespace std::chrono;

plan::Plan sample() {
  plan::Plan p;
  p.inputs.source = "file certgate.toml";
  p.inputs.state_dir = "/var/lib/certgate";
  p.now = sys_days{2026y / November / 23};
  plan::Action issue;
  issue.subject = "alice-phone";
  issue.detail = "ec-p256, 1y, groups admins";
  issue.reason = "no valid certificate";
  plan::Action revoke;
  revoke.kind = plan::ActionKind::revoke;
  revoke.subject = "carol-ipad";
  revoke.serial = "5F3A01";
  revoke.revocation_reason = base::RevocationReason::keyCompromise;
  revoke.detail = "serial 5F3A01, reason keyCompromise";
  plan::Action crl;
  crl.kind = plan::ActionKind::crl;
  crl.object = plan::ObjectKind::crl;
  crl.subject = "crl";
  crl.detail = "crlNumber 7 -> 8   nextUpdate 2026-12-23";
  crl.before = "7";
  crl.after = "8";
  p.actions = {issue, revoke, crl};
  p.access = {{"alice-phone", "admin", plan::AccessChangeKind::gain},
              {"carol-ipad", "admin", plan::AccessChangeKind::lose},
              {"carol-ipad", "grafana", plan::AccessChangeKind::lose}};
  return p;
}

TEST_CASE("render: the human plan, one line per action, access and a count") {
  CHECK(plan_text(sample(), {}) ==
        "certgate plan — source file certgate.toml, state /var/lib/certgate, at "
        "2026-11-23T00:00:00Z\n"
        "  + issue   device alice-phone         ec-p256, 1y, groups admins\n"
        "  - revoke  device carol-ipad          serial 5F3A01, reason keyCompromise\n"
        "  ~ crl     crlNumber 7 -> 8   nextUpdate 2026-12-23\n"
        "Access: + alice-phone -> admin  - carol-ipad -> admin, grafana\n"
        "Plan: 1 issue, 1 revoke, 1 crl.\n");
  CHECK(plan_text(sample(), {true}).find("\033[31m-") != std::string::npos);
}

TEST_CASE("render: the JSON plan names kinds, subjects, serials and access") {
  auto j = nlohmann::json::parse(plan_json(sample()));
  CHECK(j["format_version"] == 1);
  CHECK(j["actions"][1]["kind"] == "revoke");
  CHECK(j["actions"][1]["serial"] == "5F3A01");
  CHECK(j["actions"][1]["revocation_reason"] == "keyCompromise");
  CHECK(j["actions"][2]["after"] == "8");
  CHECK(j["access"][0] ==
        nlohmann::json{{"device", "alice-phone"}, {"site", "admin"}, {"change", "gain"}});
  CHECK(plan_json(sample()) == plan_json(sample()));
}

}  // namespace
}  // namespace certgate::render
