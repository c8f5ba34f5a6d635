#include "render/plan_parse.h"

#include <doctest/doctest.h>

#include "render/plan_render.h"

namespace certgate::render {
namespace {

using namespace std::chrono;

// A plan with a field of every kind plan_json writes.
plan::Plan full_plan() {
  plan::Plan p;
  p.now = sys_days{2026y / December / 3} + hours{6};
  p.inputs = {"git 1a2b3c4 (main)",
              "1a2b3c4",
              "/var/lib/certgate",
              {{"source:certgate.toml", "aa"}, {"state:ca/index.txt", "bb"}}};
  plan::Action renew;
  renew.kind = plan::ActionKind::renew;
  renew.subject = "alice";
  renew.serial = "4A01";
  renew.detail = "expires soon; new certificate, the old one stays valid until 2027-01-02";
  renew.reason = "expires 2026-12-20 < renew_before 30d";
  renew.before = "2026-12-20T00:00:00Z";
  renew.after = "2027-01-02T00:00:00Z";
  plan::Action revoke;
  revoke.kind = plan::ActionKind::revoke;
  revoke.subject = "bob";
  revoke.serial = "4B02";
  revoke.revocation_reason = base::RevocationReason::keyCompromise;
  plan::Action file;
  file.kind = plan::ActionKind::file;
  file.object = plan::ObjectKind::file;
  file.target = "edge1";
  file.subject = "/etc/nginx/certgate/http.conf";
  file.detail = "(+1 -1)";
  p.actions = {renew, revoke, file};
  p.access = {
      {plan::AccessKind::device, "bob", "admin", plan::AccessChangeKind::lose, "revoked"},
      {plan::AccessKind::public_path, "/healthz", "admin", plan::AccessChangeKind::gain,
       "public_paths"},
      {plan::AccessKind::fallback, "10.0.0.0/8", "admin", plan::AccessChangeKind::gain, ""}};
  p.revocations = 1;
  p.max_revocations = 10;
  p.live_devices = 2;
  p.notes = {"the CA expires on 2035-12-01"};
  p.warnings = {"site admin becomes public"};
  p.refusal = "";
  return p;
}

}  // namespace

TEST_CASE("plan parse: what plan_json writes reads back as the same plan") {
  const plan::Plan p = full_plan();
  auto back = parse_plan(plan_json(p));
  REQUIRE(back);
  CHECK(*back == p);
}

TEST_CASE("plan parse: a malformed plan is an error naming the field, never an exception") {
  const std::string good = plan_json(full_plan());
  auto error_of = [](const std::string& text) {
    auto r = parse_plan(text);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Errc::invalid);
    return r.error().message;
  };
  auto with = [&good](const std::string& from, const std::string& to) {
    std::string s = good;
    const size_t at = s.find(from);
    REQUIRE(at != std::string::npos);
    return s.replace(at, from.size(), to);
  };
  CHECK(error_of("{") == "not JSON: not a plan certgate wrote");
  CHECK(error_of("[]") == "\"(the document)\" is an array; a plan has an object");
  CHECK(error_of(with("\"format_version\": 1", "\"format_version\": \"1\"")) ==
        "\"format_version\" is the string \"1\"; this certgate reads and writes the number 1");
  CHECK(error_of(with("\"format_version\": 1", "\"format_version\": 2")) ==
        "\"format_version\" is the number 2; this certgate reads and writes the number 1");
  std::string inputs = good;
  const size_t i = inputs.find("\"inputs\": {");
  const size_t end = inputs.find("\n  },", i);
  inputs.replace(i, end + 4 - i, "\"inputs\": \"x\"");
  CHECK(error_of(inputs) == "\"inputs\" is the string \"x\"; a plan has an object");
  CHECK(error_of(with("\"kind\": \"renew\"", "\"kind\": \"replace\"")) ==
        "\"actions[0].kind\" is \"replace\", which is not one certgate writes");
  CHECK(error_of(with("\"detail\": \"(+1 -1)\"", "\"detail\": 3")) ==
        "\"actions[2].detail\" is the number 3; a plan has a string");
  CHECK(error_of(
            with("\"revocation_reason\": \"keyCompromise\"", "\"revocation_reason\": \"lost\"")) ==
        "\"actions[1].revocation_reason\" is \"lost\", not a revocation reason");
  CHECK(error_of(with("\"live_devices\": 2", "\"live_devices\": \"2\"")) ==
        "\"live_devices\" is the string \"2\"; a plan has a whole number");
  CHECK(error_of(with("\"now\": \"2026-12-03T06:00:00Z\"", "\"now\": \"soon\"")) ==
        "\"now\" is \"soon\", not an RFC 3339 time");
}

}  // namespace certgate::render
