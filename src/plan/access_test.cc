#include "plan/access.h"

#include <doctest/doctest.h>

#include "plan/planner.h"
#include "render/nginx_files.h"

namespace certgate::plan {
namespace {

using namespace std::chrono;
using observed::Cert;

const base::Instant kNow = sys_days{2026y / November / 23} + 12h;

desired::Device device(const std::string& name, std::vector<std::string> groups = {}) {
  desired::Device d;
  d.name = name;
  d.groups = std::move(groups);
  return d;
}

desired::Site site(const std::string& name, std::vector<std::string> groups = {}) {
  desired::Site s;
  s.name = name;
  s.allow_groups = std::move(groups);
  return s;
}

Cert cert(const std::string& serial, const std::string& device) {
  Cert c;
  c.serial = serial;
  c.device = device;
  c.not_after = kNow + days{200};
  c.has_file = true;
  c.not_before = kNow - days{100};
  c.key = base::KeyType::ec_p256;
  return c;
}

// A CA with a current CRL whose deployed http.conf is what `deployed` rendered: the "before"
// side comes from certgate's own renderer, so a change of its format that the reader misses
// fails here.
struct Fixture {
  desired::DesiredState desired;
  observed::ObservedState observed;

  Fixture() {
    observed.ca = {true, "", kNow - observed::kBackdate, kNow + days{3650}, base::KeyType::ec_p256};
    observed.crl.exists = true;
    observed.crl.is_signed_by_ca = true;
    observed.crl.next_update = kNow + days{20};
  }

  // Deploys the files `state` renders with the live certificates of `observed` on `target`.
  void deploy(const desired::DesiredState& state, const std::string& target = "local") {
    render::NginxInputs in;
    in.dir = "/etc/nginx/certgate";
    in.now = kNow;
    for (const Cert& c : observed.certs)
      if (c.is_live(kNow)) in.certs.push_back({c.device, c.serial});
    std::vector<std::string> sites;
    for (const desired::Site& s : state.sites) sites.push_back(s.name);
    observed::TargetFiles t;
    t.target = target;
    for (auto& [rel, text] : render::nginx_files(state, sites, in))
      t.files[rel] = {"sha", text, true};
    observed.targets.push_back(std::move(t));
  }

  // "alice + admin", "public /healthz - admin", "fallback 0.0.0.0/0 + wiki".
  std::vector<std::string> access() {
    std::vector<std::string> out;
    for (const AccessChange& c : compute_plan(desired, observed, {}, {}, kNow).access) {
      std::string who = c.kind == AccessKind::device        ? c.who
                        : c.kind == AccessKind::public_path ? "public " + c.who
                                                            : "fallback " + c.who;
      out.push_back(who + (c.change == AccessChangeKind::gain ? " + " : " - ") + c.site);
    }
    return out;
  }

  // "alice + admin: group admins": each change with its why.
  std::vector<std::string> whys() {
    std::vector<std::string> out = access();
    const Plan p = compute_plan(desired, observed, {}, {}, kNow);
    for (size_t i = 0; i < out.size(); ++i) out[i] += ": " + p.access[i].why;
    return out;
  }
};

TEST_CASE("access: the deployed maps are read back: devices, public paths, fallback networks") {
  desired::DesiredState state;
  desired::Site admin = site("admin-x.y_z", {"admins"});
  admin.public_paths = {"/api/public/", "/healthz"};
  admin.fallback = desired::Fallback{{*base::parse_cidr("203.0.113.7/32")}, kNow + days{1}};
  state.sites = {admin};
  state.devices = {device("alice", {"admins"}), device("bob")};
  Fixture f;
  f.observed.certs = {cert("0A", "alice"), cert("0B", "bob")};
  f.deploy(state);
  auto got = deployed_access(f.observed.targets);
  REQUIRE(got.size() == 1);
  CHECK(got["admin-x.y_z"] ==
        SiteAccess{{"alice"}, {"/api/public/", "/healthz"}, {"203.0.113.7/32"}});
}

TEST_CASE("access: a deleted device that was let in is lost") {
  Fixture f;
  f.desired.sites = {site("nas")};
  f.desired.devices = {device("alice"), device("bob")};
  f.observed.certs = {cert("0A", "alice"), cert("0B", "bob")};
  f.deploy(f.desired);
  CHECK(f.access().empty());
  f.desired.devices = {device("bob")};
  CHECK(f.access() == std::vector<std::string>{"alice - nas"});
}

TEST_CASE("access: editing allow_groups and allow_devices shows who gains and who loses") {
  Fixture f;
  f.desired.sites = {site("admin", {"admins"})};
  f.desired.devices = {device("alice", {"admins"}), device("bob", {"ops"}), device("carol")};
  f.observed.certs = {cert("0A", "alice"), cert("0B", "bob"), cert("0C", "carol")};
  f.deploy(f.desired);
  f.desired.sites = {site("admin", {"ops"})};
  CHECK(f.access() == std::vector<std::string>{"alice - admin", "bob + admin"});
  f.desired.sites[0].allow_devices = {"carol"};
  CHECK(f.access() == std::vector<std::string>{"alice - admin", "bob + admin", "carol + admin"});
}

TEST_CASE("access: public paths and fallback doors that open or close are listed") {
  Fixture f;
  desired::Site wiki = site("wiki", {"admins"});
  wiki.public_paths = {"/healthz"};
  f.desired.sites = {wiki};
  f.deploy(f.desired);
  wiki.public_paths = {"/", "/status/"};
  wiki.fallback = desired::Fallback{{*base::parse_cidr("0.0.0.0/0")}, kNow + days{1}};
  f.desired.sites = {wiki};
  CHECK(f.access() == std::vector<std::string>{"public / + wiki", "public /healthz - wiki",
                                               "public /status/ + wiki",
                                               "fallback 0.0.0.0/0 + wiki"});
  auto p = compute_plan(f.desired, f.observed, {}, {}, kNow);
  REQUIRE(p.warnings.size() == 2);
  CHECK(p.warnings[0] ==
        "site wiki becomes public: public path \"/\" lets anyone in without a certificate");
  CHECK(p.warnings[1].starts_with("site wiki opens to much of the Internet: fallback 0.0.0.0/0"));
  // A fallback past its `until` is a door that closes.
  f.observed.targets.clear();
  f.deploy(f.desired);
  CHECK(compute_plan(f.desired, f.observed, {}, {}, kNow + days{2}).access ==
        std::vector<AccessChange>{{AccessKind::fallback, "0.0.0.0/0", "wiki",
                                   AccessChangeKind::lose, "fallback closed"}});
}

TEST_CASE("access: a revoked device, a new device, a new and a removed site") {
  Fixture f;
  desired::Site admin = site("admin", {"admins"});
  f.desired.sites = {admin, site("old")};
  desired::Device carol = device("carol", {"admins"});
  f.desired.devices = {device("bob"), carol};
  f.observed.certs = {cert("0A", "carol"), cert("0B", "bob")};
  f.deploy(f.desired);
  carol.revoked = base::RevocationReason::keyCompromise;
  f.desired.devices = {device("alice", {"admins"}), device("bob"), carol};
  f.desired.sites = {admin, site("wiki")};
  CHECK(f.access() == std::vector<std::string>{"alice + admin", "alice + wiki", "bob - old",
                                               "bob + wiki", "carol - admin", "carol - old"});
}

TEST_CASE("access: before is what any target lets in, and nothing deployed means nobody yet") {
  Fixture f;
  f.desired.sites = {site("nas")};
  f.desired.devices = {device("alice")};
  f.observed.certs = {cert("0A", "alice")};
  CHECK(f.access() == std::vector<std::string>{"alice + nas"});
  desired::DesiredState none = f.desired;
  none.devices.clear();
  f.deploy(none, "edge-1");
  f.deploy(f.desired, "edge-2");
  CHECK(f.access().empty());
}

TEST_CASE("access: each gain says which route of the desired state lets it in") {
  Fixture f;
  f.desired.devices = {device("alice", {"admins", "ops"}), device("bob"), device("carol")};
  f.observed.certs = {cert("0A", "alice"), cert("0B", "bob"), cert("0C", "carol")};
  desired::Site admin = site("admin", {"ops", "root"});
  admin.allow_devices = {"bob"};
  admin.fallback = desired::Fallback{{*base::parse_cidr("203.0.113.7/32")}, kNow + days{1}};
  desired::Site wiki = site("wiki");
  wiki.public_paths = {"/healthz"};
  f.desired.sites = {admin, wiki};
  f.desired.enroll.emplace();
  f.desired.enroll->site = "wiki";
  CHECK(f.whys() == std::vector<std::string>{
                        "alice + admin: group ops", "alice + wiki: any device of the CA",
                        "bob + admin: in allow_devices", "bob + wiki: any device of the CA",
                        "carol + wiki: any device of the CA",
                        "public /.well-known/certgate/e/ + wiki: [enroll] links",
                        "public /healthz + wiki: public_paths",
                        "fallback 203.0.113.7/32 + admin: fallback until 2026-11-24T12:00:00Z"});
}

TEST_CASE("access: each loss says what the desired state did to the device or the door") {
  Fixture f;
  desired::Site admin = site("admin", {"admins"});
  admin.public_paths = {"/healthz"};
  admin.fallback = desired::Fallback{{*base::parse_cidr("203.0.113.7/32")}, kNow + days{1}};
  f.desired.sites = {admin, site("old")};
  f.desired.devices = {device("alice", {"admins"}), device("bob", {"admins"}),
                       device("carol", {"admins"}), device("dave", {"admins"})};
  f.observed.certs = {cert("0A", "alice"), cert("0B", "bob"), cert("0C", "carol"),
                      cert("0D", "dave")};
  f.deploy(f.desired);
  f.desired.devices[0].groups = {};
  f.desired.devices[1].revoked = base::RevocationReason::keyCompromise;
  f.desired.devices[2].not_after = kNow - days{1};
  f.desired.devices.pop_back();
  admin.public_paths = {};
  admin.fallback->until = kNow - days{1};
  f.desired.sites = {admin};
  CHECK(f.whys() ==
        std::vector<std::string>{"alice - admin: no longer allowed", "alice - old: site removed",
                                 "bob - admin: revoked (keyCompromise)", "bob - old: site removed",
                                 "carol - admin: not_after passed", "carol - old: site removed",
                                 "dave - admin: deleted", "dave - old: site removed",
                                 "public /healthz - admin: removed from public_paths",
                                 "fallback 203.0.113.7/32 - admin: fallback closed"});
  // A device of the desired state left without a live certificate (nothing could be signed).
  Plan p;
  f.desired.devices = {device("alice", {"admins"})};
  f.desired.sites = {site("admin", {"admins"}), site("old")};
  plan_access(f.desired, f.observed, {}, kNow, p);
  REQUIRE_FALSE(p.access.empty());
  CHECK(p.access[0].who == "alice");
  CHECK(p.access[0].why == "no live certificate");
}

}  // namespace
}  // namespace certgate::plan
