#include "desired/parse.h"

#include <doctest/doctest.h>

#include "support/mem_filesystem.h"
#include "support/string_vector.h"

namespace certgate::desired {
namespace {

using namespace std::chrono;

constexpr const char* kDesignExample = R"(schema = 1

[ca]
common_name = "Example Admin CA"
organization = "Example Ltd"
key = "ec-p256"
validity = "10y"
crl_validity = "30d"
crl_refresh_before = "7d"

[defaults]
key = "ec-p256"
validity = "365d"
renew_before = "30d"
p12_profile = "compat"

[[device]]
name = "alice-phone"
owner = "alice@example.com"
groups = ["admins"]

[[device]]
name = "zed-laptop"
groups = ["admins", "ops"]
csr = "csr/zed.csr"
not_after = "2027-03-31"
validity = "90d"
renew_before = "10d"

[[device]]
name = "carol-ipad"
revoked = "keyCompromise"
key = "rsa-4096"
p12_profile = "modern"

[[site]]
name = "admin"
server_names = ["admin.example.com"]
allow_groups = ["admins"]
allow_devices = []
public_paths = ["/healthz", "/api/public/"]
forward_identity = true
verify_depth = 1
probe = "https://127.0.0.1:443"

[site.fallback]
allow_ips = ["203.0.113.7/32"]
until = "2026-12-15T00:00:00Z"

[nginx]
dir = "/etc/nginx/certgate"
test = "nginx -t"
reload = "nginx -s reload"

[[host]]
name = "edge-1"
address = "10.0.0.5"
port = 22
user = "deploy"
sites = ["admin"]

[[host]]
name = "edge-0"
address = "edge-0.example.com"
reload = "systemctl reload nginx"

[rollout]
canary = 1
batch = 5
max_failures = 0

[safety]
max_revocations = 5
)";

constexpr const char* kCsr = R"(-----BEGIN CERTIFICATE REQUEST-----
MIHPMHcCAQAwFTETMBEGA1UEAwwKemVkLWxhcHRvcDBZMBMGByqGSM49AgEGCCqG
SM49AwEHA0IABMQHEIv56sMeuBdwYNangkzcQgJ3mI/lSRsJ/NEuPKdWWZUKu0Dp
lvp5UWSO0lz1E4F93ClnKdF/pyuv6ygzvFOgADAKBggqhkjOPQQDAgNIADBFAiAu
859zgmODqwJYqmDZHix8wJLr3sfgL85UTLpjyIwcGwIhAJOGeHsHM0igQLYRqcN4
ulsv93q3CHZD33axABHqGFrh
-----END CERTIFICATE REQUEST-----
)";

LoadResult load_text(testing::MemFilesystem& fs, const std::string& text) {
  fs.put("repo/certgate.toml", text);
  auto snap = source::load({"repo", "main", "certgate.toml", "", false, "", ""}, fs);
  REQUIRE(snap);
  return load_desired(*snap, sys_days(2026y / November / 23));
}

std::vector<std::string> lines(const base::Diagnostics& d) {
  std::vector<std::string> out;
  for (const auto& x : d.sorted()) out.push_back(base::format_diagnostic(x));
  return out;
}

}  // namespace

TEST_CASE("desired: the design's example parses into typed values with defaults applied") {
  testing::MemFilesystem fs;
  fs.put("repo/csr/zed.csr", kCsr);
  LoadResult r = load_text(fs, kDesignExample);
  CHECK(lines(r.diagnostics) == std::vector<std::string>{});
  const DesiredState& s = r.state;
  CHECK(s.schema == 1);
  CHECK(s.ca.common_name == "Example Admin CA");
  CHECK(s.ca.organization == "Example Ltd");
  CHECK(s.ca.validity == 3650 * kDay);
  CHECK(s.ca.crl_validity == 30 * kDay);
  CHECK(s.ca.crl_refresh_before == 7 * kDay);
  REQUIRE(s.devices.size() == 3);
  // Sorted by name, whatever the file order.
  CHECK(s.devices[0].name == "alice-phone");
  CHECK(s.devices[1].name == "carol-ipad");
  CHECK(s.devices[2].name == "zed-laptop");
  const Device& alice = s.devices[0];
  CHECK(alice.owner == "alice@example.com");
  CHECK(alice.key == base::KeyType::ec_p256);
  CHECK(alice.validity == 365 * kDay);
  CHECK(alice.renew_before == 30 * kDay);
  CHECK(alice.p12_profile == base::P12Profile::compat);
  CHECK_FALSE(alice.is_revoked());
  CHECK(alice.loc.line == 17);
  const Device& carol = s.devices[1];
  CHECK(carol.revoked == base::RevocationReason::keyCompromise);
  CHECK(carol.key == base::KeyType::rsa_4096);
  CHECK(carol.p12_profile == base::P12Profile::modern);
  const Device& zed = s.devices[2];
  CHECK(zed.groups == std::vector<std::string>{"admins", "ops"});
  CHECK(zed.csr_path == "csr/zed.csr");
  CHECK(zed.csr_pem == kCsr);
  CHECK(zed.not_after == sys_days(2027y / March / 31) + seconds(86399));
  CHECK(zed.validity == 90 * kDay);
  CHECK(zed.renew_before == 10 * kDay);
  REQUIRE(s.sites.size() == 1);
  const Site& admin = s.sites[0];
  CHECK(admin.public_paths == std::vector<std::string>{"/api/public/", "/healthz"});
  CHECK(admin.verify_depth == 1);
  REQUIRE(admin.probe);
  CHECK(admin.probe->host == "127.0.0.1");
  CHECK(admin.probe->port == 443);
  REQUIRE(admin.fallback);
  CHECK(admin.fallback->allow_ips.at(0).to_string() == "203.0.113.7/32");
  CHECK(admin.fallback->until == sys_days(2026y / December / 15));
  REQUIRE(s.hosts.size() == 2);
  CHECK(s.hosts[0].name == "edge-0");
  CHECK(s.hosts[0].sites == std::vector<std::string>{"admin"});  // default: all sites
  CHECK(s.hosts[0].nginx.reload == "systemctl reload nginx");
  CHECK(s.hosts[0].nginx.test == "nginx -t");  // inherited from [nginx]
  CHECK(s.hosts[0].port == 22);
  CHECK(s.hosts[1].user == "deploy");
  CHECK(s.rollout.batch == 5);
  CHECK(s.safety.max_revocations == 5);
}

TEST_CASE("desired: a minimal file gets the documented defaults") {
  testing::MemFilesystem fs;
  LoadResult r = load_text(fs, "schema = 1\n[ca]\ncommon_name = \"CA\"\n");
  CHECK_FALSE(r.diagnostics.has_errors());
  CHECK(r.state.ca.key == base::KeyType::ec_p256);
  CHECK(r.state.ca.validity == 3650 * kDay);
  CHECK(r.state.defaults.validity == 365 * kDay);
  CHECK(r.state.nginx.dir == "/etc/nginx/certgate");
  CHECK(r.state.nginx.reload == "nginx -s reload");
  CHECK(r.state.devices.empty());
  CHECK(r.state.hosts.empty());
  CHECK(r.state.rollout == Rollout{});
  CHECK(r.state.defaults.overlap == 7 * kDay);
  CHECK_FALSE(r.state.enroll.has_value());
  CHECK(r.state.nginx.access_log.empty());
}

TEST_CASE("desired: [enroll] gets its defaults, and overlap 0s means revoke at once") {
  testing::MemFilesystem fs;
  LoadResult r = load_text(fs, R"(schema = 1
[ca]
common_name = "CA"
[defaults]
overlap = "0s"
[nginx]
access_log = "/var/log/nginx/admin.log"
[[site]]
name = "admin"
server_names = ["admin.example.com"]
[enroll]
site = "admin"
)");
  CHECK(lines(r.diagnostics) == std::vector<std::string>{});
  CHECK(r.state.defaults.overlap == seconds{0});
  CHECK(r.state.nginx.access_log == "/var/log/nginx/admin.log");
  REQUIRE(r.state.enroll.has_value());
  CHECK(r.state.enroll->site == "admin");
  CHECK(r.state.enroll->path == "/.well-known/certgate/");
  CHECK(r.state.enroll->link_validity == std::chrono::hours{24});
}

TEST_CASE("desired: native TOML dates and date-times are accepted") {
  testing::MemFilesystem fs;
  LoadResult r = load_text(fs, R"(schema = 1
[ca]
common_name = "CA"
[[device]]
name = "a"
not_after = 2027-03-31
[[site]]
name = "s"
[site.fallback]
allow_ips = ["10.0.0.1"]
until = 2026-12-15T01:00:00+01:00
)");
  CHECK(lines(r.diagnostics) == std::vector<std::string>{});
  CHECK(r.state.devices[0].not_after == sys_days(2027y / March / 31) + seconds(86399));
  CHECK(r.state.sites[0].fallback->until == sys_days(2026y / December / 15));
}

TEST_CASE("desired: equal input gives equal values") {
  testing::MemFilesystem fs;
  fs.put("repo/csr/zed.csr", kCsr);
  LoadResult a = load_text(fs, kDesignExample);
  LoadResult b = load_text(fs, kDesignExample);
  CHECK(a.state == b.state);
}

TEST_CASE("desired: every problem is reported, not just the first") {
  testing::MemFilesystem fs;
  LoadResult r = load_text(fs, R"(schema = 1
[ca]
common_name = "CA"
validity = "forever"
[[device]]
name = "Bad Name"
[[device]]
name = "ok"
revoked = "lost"
[[site]]
name = "s"
allow_devices = ["nobody"]
public_paths = ["nope"]
)");
  CHECK(r.diagnostics.error_count() == 5);
  const auto l = lines(r.diagnostics);
  REQUIRE(l.size() == 5);
  CHECK(l[0].starts_with("repo/certgate.toml:4:12: error: \"validity\": bad duration"));
  CHECK(l[4].starts_with("repo/certgate.toml:13:17: error: public path \"nope\""));
}

TEST_CASE("desired: a pull host needs no address and [publish] gets its default branch") {
  testing::MemFilesystem fs;
  LoadResult r = load_text(fs, R"(schema = 1
[ca]
common_name = "CA"
[[site]]
name = "admin"
[[host]]
name = "edge-2"
mode = "pull"
[[host]]
name = "edge-1"
mode = "push"
address = "10.0.0.5"
[[host]]
name = "edge-0"
address = "10.0.0.4"
[publish]
repo = "ssh://git@git.example.com/infra/certgate-edges.git"
signing_key = "/etc/certgate/publish_ed25519"
)");
  CHECK(lines(r.diagnostics) == std::vector<std::string>{});
  REQUIRE(r.state.hosts.size() == 3);
  CHECK(r.state.hosts[0].mode == HostMode::push);  // the default
  CHECK(r.state.hosts[1].mode == HostMode::push);
  CHECK(r.state.hosts[2].is_pull());
  CHECK(r.state.hosts[2].address.empty());
  CHECK(r.state.hosts[2].sites == std::vector<std::string>{"admin"});
  REQUIRE(r.state.publish.has_value());
  CHECK(r.state.publish->repo == "ssh://git@git.example.com/infra/certgate-edges.git");
  CHECK(r.state.publish->branch == "main");
  CHECK(r.state.publish->signing_key == "/etc/certgate/publish_ed25519");
  CHECK(r.state.publish->loc.line == 16);
}

TEST_CASE("desired: [publish] takes scp-like, file:// and local repositories and a branch") {
  for (const char* repo : {"git@git.example.com:infra/edges.git", "file:///srv/git/edges.git",
                           "/srv/git/edges.git", "edges.git"}) {
    CAPTURE(repo);
    testing::MemFilesystem fs;
    LoadResult r = load_text(fs, std::string("schema = 1\n[ca]\ncommon_name = \"CA\"\n") +
                                     "[publish]\nrepo = \"" + repo +
                                     "\"\nbranch = \"certgate/edges\"\nsigning_key = \"/k\"\n");
    CHECK(lines(r.diagnostics) == std::vector<std::string>{});
    REQUIRE(r.state.publish.has_value());
    CHECK(r.state.publish->repo == repo);
    CHECK(r.state.publish->branch == "certgate/edges");
  }
}

TEST_CASE("desired: a pull host without [publish] or serving [enroll] is refused at its mode") {
  testing::MemFilesystem fs;
  LoadResult r = load_text(fs, R"(schema = 1
[ca]
common_name = "CA"
[[site]]
name = "admin"
[[site]]
name = "wiki"
[enroll]
site = "admin"
[[host]]
name = "edge-1"
mode = "pull"
[[host]]
name = "edge-2"
mode = "pull"
sites = ["wiki"]
)");
  CHECK(lines(r.diagnostics) ==
        std::vector<std::string>{
            "repo/certgate.toml:12:8: error: host \"edge-1\" has mode = \"pull\" and serves the "
            "[enroll] site \"admin\": its pickup files hold bundles and link tokens, secrets that "
            "must never go into git; leave \"admin\" out of its sites or push to it over SSH",
            "repo/certgate.toml:12:8: error: host \"edge-1\" has mode = \"pull\" but there is no "
            "[publish] table to commit its files to (repo, signing_key)",
            "repo/certgate.toml:15:8: error: host \"edge-2\" has mode = \"pull\" but there is no "
            "[publish] table to commit its files to (repo, signing_key)"});
}

}  // namespace certgate::desired
