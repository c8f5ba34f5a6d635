#include "render/target_contents.h"

#include <doctest/doctest.h>

#include <set>

#include "desired/parse.h"
#include "source/source.h"
#include "support/mem_filesystem.h"

namespace certgate::render {
namespace {

using namespace std::chrono;

const base::Instant kNow = sys_days{2026y / November / 23};

constexpr const char* kToml = R"(schema = 1
[ca]
common_name = "Test CA"

[[device]]
name = "alice"
owner = "alice@example.com"
groups = ["admins"]

[[device]]
name = "bob"
owner = "bob@example.com"
groups = ["admins"]

[[site]]
name = "admin"
server_names = ["admin.example.com"]
allow_groups = ["admins"]

[[site]]
name = "grafana"
server_names = ["grafana.example.com"]
allow_groups = ["ops"]
)";

desired::DesiredState load(const std::string& text) {
  testing::MemFilesystem fs;
  fs.put("repo/certgate.toml", text);
  auto snap = source::load({"repo", "main", "certgate.toml", "", false, "", ""}, fs);
  REQUIRE(snap);
  auto loaded = desired::load_desired(*snap, kNow);
  if (loaded.diagnostics.has_errors())
    for (const auto& d : loaded.diagnostics.sorted()) MESSAGE(d.message);
  REQUIRE_FALSE(loaded.diagnostics.has_errors());
  return loaded.state;
}

NginxInputs inputs(std::vector<LiveCert> certs, long crl_number) {
  NginxInputs in;
  in.dir = "/etc/nginx/certgate";
  in.certs = std::move(certs);
  in.crl_number = crl_number;
  in.now = kNow;
  in.ca_pem = "-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n";
  in.crl_pem =
      "-----BEGIN X509 CRL-----\nCRL " + std::to_string(crl_number) + "\n-----END X509 CRL-----\n";
  return in;
}

const std::vector<LiveCert> kCerts = {{"alice", "A1"}, {"bob", "B2"}};

// The files whose bytes differ between `a` and `b`, or that only one of them has.
std::set<std::string> differing(const TargetContents& a, const TargetContents& b) {
  std::set<std::string> out;
  for (const auto& [rel, c] : a)
    if (!b.contains(rel) || b.at(rel) != c) out.insert(rel);
  for (const auto& [rel, c] : b)
    if (!a.contains(rel)) out.insert(rel);
  return out;
}

TEST_CASE("target contents: a comment-only edit of certgate.toml gives the same bytes") {
  const auto before = load(kToml);
  const auto after = load(std::string("# reviewed by carol\n") + kToml + "\n# the end\n");
  CHECK_FALSE(before == after);  // the source locations moved
  auto a = target_contents(before, {"admin"}, inputs(kCerts, 7), {}, {});
  auto b = target_contents(after, {"admin"}, inputs(kCerts, 7), {}, {});
  CHECK(differing(a, b).empty());
  for (const auto& [rel, c] : a) CHECK(c.known);
}

TEST_CASE("target contents: a device no site of the target allows changes none of its files") {
  const auto before = load(kToml);
  // zed is allowed on grafana only (group ops); this target serves admin only.
  const auto after = load(std::string(kToml) +
                          "\n[[device]]\nname = \"zed\"\nowner = \"zed@example.com\"\n"
                          "groups = [\"ops\"]\n");
  std::vector<LiveCert> with_zed = kCerts;
  with_zed.push_back({"zed", "Z3"});
  auto a = target_contents(before, {"admin"}, inputs(kCerts, 7), {}, {});
  auto b = target_contents(after, {"admin"}, inputs(with_zed, 7), {}, {});
  CHECK(differing(a, b).empty());
  // On a target serving grafana, zed's certificate is in the maps.
  auto g = target_contents(after, {"admin", "grafana"}, inputs(with_zed, 7), {}, {});
  CHECK(g.at("http.conf").bytes.find("\"Z3\" zed;") != std::string::npos);
}

TEST_CASE("target contents: a revocation changes crl.pem and http.conf only") {
  const auto state = load(kToml);
  auto a = target_contents(state, {"admin", "grafana"}, inputs(kCerts, 7), {}, {});
  // bob revoked: his serial leaves the maps, and CRL 8 lists it.
  auto b = target_contents(state, {"admin", "grafana"}, inputs({{"alice", "A1"}}, 8), {}, {});
  CHECK(differing(a, b) == std::set<std::string>{"crl.pem", "http.conf"});
  CHECK(b.at("http.conf").bytes.find("B2") == std::string::npos);
}

TEST_CASE("target contents: what only apply makes is unknown, the rest known") {
  const auto state = load(kToml);
  // A CRL to be signed: crl.pem unknown, http.conf known (its generation names the CRL number).
  NginxInputs in = inputs(kCerts, 8);
  in.crl_pem.reset();
  auto c = target_contents(state, {"admin"}, in, {}, {});
  CHECK_FALSE(c.at("crl.pem").known);
  CHECK(c.at("http.conf").known);
  CHECK(c.at("sites/admin.conf").known);
  // A certificate to be issued: its serial is apply's, so http.conf is unknown, with a preview.
  in = inputs({{"alice", "A1"}, {"bob", "B2"}, {"carol", plan::kPlannedSerial}}, 7);
  const auto with_carol = load(std::string(kToml) +
                               "\n[[device]]\nname = \"carol\"\nowner = \"carol@example.com\"\n"
                               "groups = [\"admins\"]\n");
  c = target_contents(with_carol, {"admin"}, in, {}, {});
  CHECK_FALSE(c.at("http.conf").known);
  CHECK(c.at("http.conf").bytes.find("\"(new)\" carol;") != std::string::npos);
  CHECK(c.at("crl.pem").known);
  CHECK(c.at("ca.pem").known);
  // ... but a certificate issued to a device no site of this target allows leaves it known: the
  // file does not name that device.
  const auto with_zed = load(std::string(kToml) +
                             "\n[[device]]\nname = \"zed\"\nowner = \"zed@example.com\"\n"
                             "groups = [\"ops\"]\n");
  in = inputs({{"alice", "A1"}, {"bob", "B2"}, {"zed", plan::kPlannedSerial}}, 7);
  c = target_contents(with_zed, {"admin"}, in, {}, {});
  CHECK(c.at("http.conf").known);
  CHECK(c.at("http.conf") ==
        target_contents(with_zed, {"admin"}, inputs(kCerts, 7), {}, {}).at("http.conf"));
  CHECK_FALSE(target_contents(with_zed, {"admin", "grafana"}, in, {}, {}).at("http.conf").known);
  // A new CA: ca.pem and http.conf (whose generation mixes ca.pem) are unknown.
  in = inputs({}, 0);
  in.ca_pem.reset();
  in.crl_pem.reset();
  c = target_contents(state, {"admin"}, in, {}, {});
  CHECK_FALSE(c.at("ca.pem").known);
  CHECK_FALSE(c.at("http.conf").known);
  CHECK(c.at("sites/admin.conf").known);
  // New bundles: unknown, and so is http.conf.
  c = target_contents(state, {"admin"}, inputs(kCerts, 7), {{"pickup/.group", "www-data\n"}},
                      {"pickup/carol.p12"});
  CHECK_FALSE(c.at("pickup/carol.p12").known);
  CHECK(c.at("pickup/.group").known);
  CHECK_FALSE(c.at("http.conf").known);
}

}  // namespace
}  // namespace certgate::render
