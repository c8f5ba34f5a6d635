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
  using plan::AccessKind;
  p.access = {
      {AccessKind::device, "alice-phone", "admin", plan::AccessChangeKind::gain, "group admins"},
      {AccessKind::device, "carol-ipad", "admin", plan::AccessChangeKind::lose,
       "revoked (keyCompromise)"},
      {AccessKind::device, "carol-ipad", "grafana", plan::AccessChangeKind::lose,
       "revoked (keyCompromise)"}};
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

TEST_CASE("render: a pull host's file actions end in a publish line, counted apart") {
  plan::Plan p = sample();
  p.actions.clear();
  p.access.clear();
  plan::Action file;
  file.kind = plan::ActionKind::file;
  file.object = plan::ObjectKind::file;
  file.target = "edge-1";
  file.subject = "/etc/nginx/certgate/crl.pem";
  file.detail = "(signed by apply)";
  plan::Action publish;
  publish.kind = plan::ActionKind::publish;
  publish.object = plan::ObjectKind::file;
  publish.target = "edge-1";
  publish.subject = "ssh://git@git.example.com/edges.git";
  publish.detail = "branch main";
  p.actions = {file, publish};
  const std::string text = plan_text(p, {});
  CHECK(text.find("  ~ file    edge-1:/etc/nginx/certgate/crl.pem (signed by apply)\n"
                  "  ! publish edge-1: ssh://git@git.example.com/edges.git branch main\n"
                  "Plan: 1 file, 1 publish.\n") != std::string::npos);
  auto j = nlohmann::json::parse(plan_json(p));
  CHECK(j["actions"][1]["kind"] == "publish");
  CHECK(j["actions"][1]["target"] == "edge-1");
}

TEST_CASE("render: the JSON plan names kinds, subjects, serials and access") {
  auto j = nlohmann::json::parse(plan_json(sample()));
  CHECK(j["format_version"] == 1);
  CHECK(j["actions"][1]["kind"] == "revoke");
  CHECK(j["actions"][1]["serial"] == "5F3A01");
  CHECK(j["actions"][1]["revocation_reason"] == "keyCompromise");
  CHECK(j["actions"][2]["after"] == "8");
  CHECK(j["access"][0] == nlohmann::json{{"kind", "device"},
                                         {"device", "alice-phone"},
                                         {"site", "admin"},
                                         {"change", "gain"},
                                         {"why", "group admins"}});
  CHECK(plan_json(sample()) == plan_json(sample()));
}

TEST_CASE("render: public paths and fallback doors in the access line and JSON, with warnings") {
  plan::Plan p = sample();
  p.access.push_back(
      {plan::AccessKind::public_path, "/", "admin", plan::AccessChangeKind::gain, "public_paths"});
  p.access.push_back(
      {plan::AccessKind::fallback, "0.0.0.0/0", "wiki", plan::AccessChangeKind::lose});
  p.warnings = {"site admin becomes public"};
  const std::string text = plan_text(p, {});
  CHECK(text.find("Access: + alice-phone -> admin  + public / -> admin  - carol-ipad -> admin, "
                  "grafana  - fallback 0.0.0.0/0 -> wiki\n") != std::string::npos);
  CHECK(text.ends_with("Plan: 1 issue, 1 revoke, 1 crl.\nWARNING: site admin becomes public\n"));
  auto j = nlohmann::json::parse(plan_json(p));
  CHECK(j["access"][3] == nlohmann::json{{"kind", "public_path"},
                                         {"path", "/"},
                                         {"site", "admin"},
                                         {"change", "gain"},
                                         {"why", "public_paths"}});
  CHECK(j["access"][4]["cidr"] == "0.0.0.0/0");
  CHECK(j["warnings"][0] == "site admin becomes public");
}

TEST_CASE("render: a plan without actions still shows its refusal, notes and access") {
  plan::Plan p;
  p.inputs.source = "file certgate.toml";
  p.inputs.state_dir = "/s";
  p.now = sys_days{2026y / November / 23};
  p.notes = {"certificates of alice are not valid yet"};
  p.refusal = "the clock reads ...";
  p.access = {{plan::AccessKind::device, "alice", "nas", plan::AccessChangeKind::lose}};
  CHECK(plan_text(p, {}) ==
        "certgate plan — source file certgate.toml, state /s, at 2026-11-23T00:00:00Z\n"
        "No changes: the CA, the certificates and the CRL match the desired state.\n"
        "Access: - alice -> nas\n"
        "Note: certificates of alice are not valid yet\n"
        "Refused: the clock reads ...\n");
}

}  // namespace
}  // namespace certgate::render
