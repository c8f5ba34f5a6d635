#include "plan/stale.h"

#include <doctest/doctest.h>

namespace certgate::plan {
namespace {

using namespace std::chrono;

Plan a_plan() {
  Plan p;
  p.now = sys_days{2026y / December / 3};
  p.inputs = {"file certgate.toml", "", "/state", {{"source:certgate.toml", "aa"}}};
  Action renew;
  renew.kind = ActionKind::renew;
  renew.subject = "alice";
  renew.serial = "4A01";
  renew.detail = "new key type; new certificate, the old one stays valid until 2026-12-10";
  renew.after = "2026-12-10T00:00:00Z";
  Action revoke;
  revoke.kind = ActionKind::revoke;
  revoke.subject = "bob";
  revoke.serial = "4B02";
  revoke.revocation_reason = base::RevocationReason::keyCompromise;
  revoke.detail = "serial 4B02, reason keyCompromise";
  p.actions = {renew, revoke};
  p.access = {{AccessKind::device, "bob", "admin", AccessChangeKind::lose, "revoked"}};
  return p;
}

}  // namespace

TEST_CASE("stale: the same plan computed again is not stale, whatever its time") {
  Plan fresh = a_plan();
  fresh.now += hours{2};
  fresh.actions[0].after = "2026-12-10T02:00:00Z";  // now + overlap, from the later time
  fresh.notes = {"the last apply was 2h ago"};
  CHECK(stale_reason(a_plan(), fresh) == "");
}

TEST_CASE("stale: each difference a reviewer would see makes the saved plan stale") {
  const Plan saved = a_plan();
  Plan fresh = a_plan();
  SUBCASE("an input") {
    fresh.inputs.fingerprints["source:certgate.toml"] = "bb";
    CHECK(stale_reason(saved, fresh) == "source:certgate.toml changed");
    fresh.inputs.fingerprints["state:ca/crl.pem"] = "cc";
    CHECK(stale_reason(saved, fresh) == "source:certgate.toml changed");
  }
  SUBCASE("a new input") {
    fresh.inputs.fingerprints["state:ca/crl.pem"] = "cc";
    CHECK(stale_reason(saved, fresh) == "state:ca/crl.pem is new since the plan");
  }
  SUBCASE("an action's detail") {
    fresh.actions[1].detail = "serial 4B02, reason superseded";
    CHECK(stale_reason(saved, fresh) ==
          "action 2 (revoke device bob) differs: detail was \"serial 4B02, reason "
          "keyCompromise\", now \"serial 4B02, reason superseded\"");
  }
  SUBCASE("an action's revocation reason") {
    fresh.actions[1].revocation_reason = base::RevocationReason::superseded;
    CHECK(stale_reason(saved, fresh)
              .starts_with("action 2 (revoke device bob) differs: "
                           "revocation reason was \"keyCompromise\""));
  }
  SUBCASE("another action") {
    fresh.actions[1].subject = "carol";
    CHECK(stale_reason(saved, fresh) ==
          "action 2 (revoke device bob) differs: it was revoke device bob, now revoke device "
          "carol");
  }
  SUBCASE("one action more") {
    fresh.actions.push_back(fresh.actions[1]);
    CHECK(stale_reason(saved, fresh).starts_with("the actions differ now: the plan has 2"));
  }
  SUBCASE("who loses the door") {
    fresh.access[0].who = "carol";
    CHECK(stale_reason(saved, fresh) ==
          "the access changes differ: the plan says lose device bob -> admin (revoked), now lose "
          "device carol -> admin (revoked)");
  }
  SUBCASE("why") {
    fresh.access[0].why = "deleted";
    CHECK(stale_reason(saved, fresh).starts_with("the access changes differ"));
  }
  SUBCASE("a warning") {
    fresh.warnings = {"site admin becomes public"};
    CHECK(stale_reason(saved, fresh) == "the warnings differ now");
  }
  SUBCASE("the refusal") {
    fresh.refusal = "mass revocation";
    CHECK(stale_reason(saved, fresh) == "the refusal differs now");
  }
}

}  // namespace certgate::plan
