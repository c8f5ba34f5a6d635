#include "plan/base_diff.h"

#include <doctest/doctest.h>

#include <algorithm>

namespace certgate::plan {
namespace {

using namespace std::chrono;
using base::RevocationReason;

const base::Instant kNow = sys_days{2026y / November / 23} + 12h;

desired::Device device(const std::string& name, std::vector<std::string> groups = {}) {
  desired::Device d;
  d.name = name;
  d.groups = std::move(groups);
  return d;
}

desired::Site site(const std::string& name, std::vector<std::string> groups = {},
                   std::vector<std::string> devices = {}) {
  desired::Site s;
  s.name = name;
  s.allow_groups = std::move(groups);
  s.allow_devices = std::move(devices);
  return s;
}

desired::DesiredState state(std::vector<desired::Device> devices,
                            std::vector<desired::Site> sites) {
  desired::DesiredState s;
  std::sort(devices.begin(), devices.end(), [](auto& a, auto& b) { return a.name < b.name; });
  std::sort(sites.begin(), sites.end(), [](auto& a, auto& b) { return a.name < b.name; });
  s.devices = std::move(devices);
  s.sites = std::move(sites);
  return s;
}

// "revoked carol: keyCompromise"
std::vector<std::string> devices(const BaseDiff& d) {
  std::vector<std::string> out;
  for (const DeviceChange& c : d.devices)
    out.push_back(std::string(to_string(c.kind)) + " " + c.device + ": " + c.detail);
  return out;
}

// "alice + admin: new device", "public / + wiki: public_paths", "fallback 0.0.0.0/0 - wiki: ..."
std::vector<std::string> access(const BaseDiff& d) {
  std::vector<std::string> out;
  for (const AccessChange& c : d.access) {
    std::string who = c.kind == AccessKind::device        ? c.who
                      : c.kind == AccessKind::public_path ? "public " + c.who
                                                          : "fallback " + c.who;
    out.push_back(who + (c.change == AccessChangeKind::gain ? " + " : " - ") + c.site + ": " +
                  c.why);
  }
  return out;
}

using Lines = std::vector<std::string>;

TEST_CASE("base diff: equal states change nothing for people") {
  auto s = state({device("alice", {"admins"})}, {site("admin", {"admins"})});
  const BaseDiff d = diff_desired(s, s, kNow);
  CHECK(d.is_empty());
  CHECK(d.warnings.empty());
  CHECK(d.revocations == 0);
}

TEST_CASE("base diff: devices added, removed, revoked, unrevoked, regrouped and given an end") {
  desired::Device carol = device("carol");
  desired::Device dave = device("dave");
  dave.revoked = RevocationReason::superseded;
  desired::Device erin = device("erin");
  desired::Device frank = device("frank");
  frank.not_after = sys_days{2027y / March / 31} + 86399s;
  desired::Device gina = device("gina");
  gina.not_after = kNow + days{10};
  desired::Device hank = device("hank");
  hank.revoked = RevocationReason::keyCompromise;
  auto base =
      state({device("alice", {"admins"}), device("bob"), carol, dave, erin, frank, gina, hank}, {});
  carol.revoked = RevocationReason::keyCompromise;
  dave.revoked.reset();
  dave.groups = {"admins"};
  erin.not_after = sys_days{2026y / December / 1};
  frank.not_after = kNow - days{1};
  gina.not_after.reset();
  auto head = state({device("alice", {"admins", "ops"}), carol, dave, erin, frank, gina,
                     device("ivan", {"ops", "wiki"}), device("judy")},
                    {});
  const BaseDiff d = diff_desired(base, head, kNow);
  CHECK(devices(d) == Lines{"groups alice: admins -> admins, ops",
                            "removed bob: ", "revoked carol: keyCompromise",
                            "unrevoked dave: was superseded", "groups dave: no groups -> admins",
                            "expires erin: not_after 2026-12-01T00:00:00Z",
                            "expires frank: not_after 2027-03-31 -> 2026-11-22T12:00:00Z (passed)",
                            "expires gina: not_after 2026-12-03T12:00:00Z removed",
                            "removed hank: already revoked", "added ivan: groups ops, wiki",
                            "added judy: no groups"});
  CHECK(d.access.empty());    // no site
  CHECK(d.revocations == 3);  // bob, carol, frank; hank was revoked already
}

TEST_CASE("base diff: a device that gains a site says which change let it in") {
  desired::Device dave = device("dave", {"admins"});
  dave.revoked = RevocationReason::keyCompromise;
  desired::Device erin = device("erin", {"admins"});
  erin.not_after = kNow - days{1};
  auto base = state({device("alice", {"admins"}), device("bob"), device("carol"), dave, erin,
                     device("frank", {"ops"}), device("gina")},
                    {site("admin", {"admins"}), site("nas", {"admins"})});
  dave.revoked.reset();
  erin.not_after = sys_days{2027y / March / 31} + 86399s;
  auto head =
      state({device("alice", {"admins"}), device("bob"), device("carol", {"admins"}), dave, erin,
             device("frank", {"ops"}), device("gina"), device("ivan", {"admins"})},
            {site("admin", {"admins", "ops"}, {"bob"}), site("nas"), site("wiki", {"admins"})});
  const BaseDiff d = diff_desired(base, head, kNow);
  CHECK(access(d) ==
        Lines{"alice + wiki: new site", "bob + admin: in allow_devices",
              "bob + nas: site allows any device of the CA", "carol + admin: joined group admins",
              "carol + nas: site allows any device of the CA", "carol + wiki: new site",
              "dave + admin: unrevoked", "dave + nas: unrevoked", "dave + wiki: unrevoked",
              "erin + admin: not_after moved to 2027-03-31",
              "erin + nas: not_after moved to 2027-03-31",
              "erin + wiki: not_after moved to 2027-03-31",
              "frank + admin: group ops added to allow_groups",
              "frank + nas: site allows any device of the CA",
              "gina + nas: site allows any device of the CA", "ivan + admin: new device",
              "ivan + nas: new device", "ivan + wiki: new device"});
  CHECK(d.sites_added == Lines{"wiki"});
  CHECK(d.sites_removed.empty());
  CHECK(d.warnings == Lines{"site nas now lets in any device of the CA: it has no allow_groups "
                            "and no allow_devices any more"});
  CHECK(d.revocations == 0);
}

TEST_CASE("base diff: a device that loses a site says what shut it out") {
  auto base =
      state({device("alice", {"admins"}), device("bob", {"admins"}), device("carol", {"admins"}),
             device("dave", {"admins"}), device("erin", {"admins"}), device("frank", {"ops"}),
             device("gina"), device("hank")},
            {site("admin", {"admins", "ops"}, {"gina"}), site("nas"), site("old", {"admins"})});
  desired::Device bob = device("bob", {"admins"});
  bob.revoked = RevocationReason::keyCompromise;
  desired::Device carol = device("carol", {"admins"});
  carol.not_after = kNow;
  auto head = state({bob, carol, device("dave", {"admins"}), device("erin"),
                     device("frank", {"ops"}), device("gina"), device("hank")},
                    {site("admin", {"admins"}), site("nas", {"admins"})});
  const BaseDiff d = diff_desired(base, head, kNow);
  CHECK(access(d) ==
        Lines{"alice - admin: deleted", "alice - nas: deleted", "alice - old: deleted",
              "bob - admin: revoked (keyCompromise)", "bob - nas: revoked (keyCompromise)",
              "bob - old: revoked (keyCompromise)", "carol - admin: not_after passed",
              "carol - nas: not_after passed", "carol - old: not_after passed",
              "dave - old: site removed", "erin - admin: left group admins",
              "erin - nas: site no longer allows any device of the CA", "erin - old: site removed",
              "frank - admin: group ops removed from allow_groups",
              "frank - nas: site no longer allows any device of the CA",
              "gina - admin: removed from allow_devices",
              "gina - nas: site no longer allows any device of the CA",
              "hank - nas: site no longer allows any device of the CA"});
  CHECK(d.sites_removed == Lines{"old"});
  CHECK(d.revocations == 3);  // alice, bob, carol
  // 3 of the 8 live devices, at most [safety].max_revocations = 5: no refusal.
  CHECK(d.warnings.empty());
}

TEST_CASE("base diff: public paths, [enroll] links and fallback doors") {
  desired::Site wiki = site("wiki", {"admins"});
  wiki.public_paths = {"/healthz"};
  wiki.fallback = desired::Fallback{{*base::parse_cidr("203.0.113.7/32")}, kNow + days{1}};
  desired::Site old = site("old");
  old.public_paths = {"/status"};
  old.fallback = wiki.fallback;
  auto base = state({}, {wiki, old});
  base.enroll.emplace();
  base.enroll->site = "old";
  wiki.public_paths = {"/", "/api/"};
  wiki.fallback = desired::Fallback{
      {*base::parse_cidr("0.0.0.0/0"), *base::parse_cidr("203.0.113.7/32")}, kNow + days{2}};
  desired::Site nas = site("nas");
  nas.fallback = desired::Fallback{{*base::parse_cidr("198.51.100.0/24")}, kNow - days{1}};
  auto head = state({}, {wiki, nas});
  head.enroll.emplace();
  head.enroll->site = "wiki";
  const BaseDiff d = diff_desired(base, head, kNow);
  CHECK(access(d) == Lines{"public / + wiki: public_paths",
                           "public /.well-known/certgate/e/ - old: site removed",
                           "public /.well-known/certgate/e/ + wiki: [enroll] links",
                           "public /api/ + wiki: public_paths",
                           "public /healthz - wiki: removed from public_paths",
                           "public /status - old: site removed",
                           "fallback 0.0.0.0/0 + wiki: fallback until 2026-11-25T12:00:00Z",
                           "fallback 203.0.113.7/32 - old: site removed"});
  CHECK(d.sites_added == Lines{"nas"});
  CHECK(d.sites_removed == Lines{"old"});
  CHECK(d.warnings ==
        Lines{"site wiki becomes public: public path \"/\" lets anyone in without a certificate",
              "site wiki opens to much of the Internet: fallback 0.0.0.0/0 (a prefix shorter "
              "than /8) lets anyone from it in without a certificate until "
              "2026-11-25T12:00:00Z"});
  // The [enroll] links move away and the fallback's `until` passes.
  auto later = head;
  later.enroll.reset();
  later.sites[1].fallback->until = kNow;
  CHECK(access(diff_desired(head, later, kNow)) ==
        Lines{"public /.well-known/certgate/e/ - wiki: [enroll] links removed",
              "fallback 0.0.0.0/0 - wiki: fallback closed",
              "fallback 203.0.113.7/32 - wiki: fallback closed"});
}

TEST_CASE("base diff: revoking more than [safety].max_revocations warns that apply refuses") {
  std::vector<desired::Device> all;
  for (char c = 'a'; c < 'k'; ++c) all.push_back(device(std::string("dev-") + c));
  auto base = state(all, {});
  auto head = base;
  for (int i = 0; i < 6; ++i) head.devices[i].revoked = RevocationReason::keyCompromise;
  BaseDiff d = diff_desired(base, head, kNow);
  CHECK(d.revocations == 6);
  CHECK(d.warnings == Lines{"apply will refuse this change without --allow-mass-revoke: it "
                            "revokes 6 of the 10 live devices, more than "
                            "[safety].max_revocations = 5"});
  head.safety.max_revocations = 6;
  d = diff_desired(base, head, kNow);
  CHECK(d.warnings == Lines{"apply will refuse this change without --allow-mass-revoke: it "
                            "revokes 6 of the 10 live devices, more than half of them"});
  head.devices.erase(head.devices.begin() + 1, head.devices.end());  // 9 deleted, 1 revoked
  head.safety.max_revocations = 20;
  CHECK(diff_desired(base, head, kNow).revocations == 10);
}

TEST_CASE("base diff: the relative rule needs two revocations and more than half the devices") {
  auto base = state({device("a"), device("b"), device("c")}, {});
  auto one = state({device("b"), device("c")}, {});
  CHECK(diff_desired(state({device("a")}, {}), state({}, {}), kNow).warnings.empty());
  CHECK(diff_desired(base, one, kNow).warnings.empty());  // 1 of 3
  auto two = state({device("c")}, {});
  CHECK(diff_desired(base, two, kNow).warnings ==
        Lines{"apply will refuse this change without --allow-mass-revoke: it revokes 2 of the "
              "3 live devices, more than half of them"});
  auto four = state({device("a"), device("b"), device("c"), device("d")}, {});
  CHECK(diff_desired(four, two, kNow).warnings.empty() == false);  // 3 of 4
  CHECK(diff_desired(four, one, kNow).warnings.empty());           // 2 of 4: not more than half
}

}  // namespace
}  // namespace certgate::plan
