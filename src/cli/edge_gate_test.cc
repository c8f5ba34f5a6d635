#include "cli/edge_gate.h"

#include <doctest/doctest.h>

namespace certgate::cli {
namespace {

TEST_CASE("edge probes: SITE=URL with an optional server name per site") {
  auto sites = edge_probe_sites({"admin=https://127.0.0.1:8443/private/", "wiki=https://wiki.test"},
                                {"admin=admin.example.com"});
  REQUIRE(sites);
  REQUIRE(sites->size() == 2);
  const desired::Site& admin = (*sites)[0];
  CHECK(admin.name == "admin");
  REQUIRE(admin.probe);
  CHECK(admin.probe->host == "127.0.0.1");
  CHECK(admin.probe->port == 8443);
  CHECK(admin.probe->path == "/private/");
  CHECK(admin.server_names == std::vector<std::string>{"admin.example.com"});
  CHECK((*sites)[1].server_names.empty());
  CHECK((*sites)[1].public_paths.empty());
}

TEST_CASE("edge probes: malformed options are refused with the option named") {
  auto message = [](std::vector<std::string> probes, std::vector<std::string> names) {
    auto r = edge_probe_sites(probes, names);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Errc::invalid);
    return r.error().message;
  };
  CHECK(message({"admin"}, {}) == "--probe admin: expected SITE=VALUE");
  CHECK(message({"admin=http://x"}, {}).find("must start with https://") != std::string::npos);
  CHECK(message({"a=https://x", "a=https://y"}, {}) == "--probe a: given twice");
  CHECK(message({}, {"wiki=wiki.test"}) ==
        "--probe-server-name wiki=wiki.test: no --probe for wiki");
  CHECK(message({"a=https://x"}, {"a=bad name;"}).starts_with("--probe-server-name a=bad name;: "));
}

}  // namespace
}  // namespace certgate::cli
