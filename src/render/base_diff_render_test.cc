#include "render/base_diff_render.h"

#include <doctest/doctest.h>

namespace certgate::render {
namespace {

using plan::AccessChangeKind;
using plan::AccessKind;
using plan::DeviceChangeKind;

plan::BaseDiff sample() {
  plan::BaseDiff d;
  d.base_ref = "main";
  d.base_commit = "1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d";
  d.devices = {{DeviceChangeKind::added, "alice-phone", "groups admins"},
               {DeviceChangeKind::revoked, "carol-ipad", "keyCompromise"},
               {DeviceChangeKind::groups, "dave", "ops -> admins, ops"},
               {DeviceChangeKind::expires, "erin", "not_after 2027-03-31"}};
  d.sites_added = {"wiki"};
  d.sites_removed = {"old"};
  d.access = {
      {AccessKind::device, "alice-phone", "admin", AccessChangeKind::gain, "new device"},
      {AccessKind::device, "carol-ipad", "admin", AccessChangeKind::lose,
       "revoked (keyCompromise)"},
      {AccessKind::public_path, "/", "wiki", AccessChangeKind::gain, "public_paths"},
      {AccessKind::fallback, "203.0.113.7/32", "old", AccessChangeKind::lose, "site removed"}};
  d.warnings = {"site wiki becomes public: public path \"/\" lets anyone in without a certificate"};
  d.revocations = 1;
  return d;
}

TEST_CASE("render: the base diff as text, one line per device change and per access change") {
  CHECK(base_diff_text(sample(), {}) ==
        "Compared with main (commit 1a2b3c4):\n"
        "  + added      alice-phone               groups admins\n"
        "  - revoked    carol-ipad                keyCompromise\n"
        "  ~ groups     dave                      ops -> admins, ops\n"
        "  ~ expires    erin                      not_after 2027-03-31\n"
        "  + site       wiki\n"
        "  - site       old\n"
        "Access:\n"
        "  + alice-phone -> admin                  new device\n"
        "  - carol-ipad -> admin                   revoked (keyCompromise)\n"
        "  + public / -> wiki                      public_paths\n"
        "  - fallback 203.0.113.7/32 -> old        site removed\n"
        "Warning: site wiki becomes public: public path \"/\" lets anyone in without a "
        "certificate\n");
  const std::string color = base_diff_text(sample(), {true});
  CHECK(color.find("\033[31m-") != std::string::npos);
  CHECK(color.find("\033[32m+") != std::string::npos);
}

TEST_CASE("render: a base diff with nothing for people says so") {
  plan::BaseDiff d;
  d.base_ref = "origin/main";
  d.base_commit = "1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d";
  CHECK(base_diff_text(d, {}) ==
        "Compared with origin/main (commit 1a2b3c4):\nNo change for people.\n");
  d.base_commit.clear();
  CHECK(base_diff_text(d, {}) == "Compared with origin/main:\nNo change for people.\n");
}

TEST_CASE("render: the base diff as JSON has every key in a stable order") {
  const std::string json = base_diff_json(sample());
  auto j = nlohmann::ordered_json::parse(json);
  std::vector<std::string> keys;
  for (auto it = j.begin(); it != j.end(); ++it) keys.push_back(it.key());
  CHECK(keys == std::vector<std::string>{"ref", "commit", "devices", "sites_added", "sites_removed",
                                         "access", "revocations", "warnings"});
  CHECK(j["commit"] == "1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d");
  CHECK(j["devices"][1] == nlohmann::ordered_json{{"device", "carol-ipad"},
                                                  {"kind", "revoked"},
                                                  {"detail", "keyCompromise"}});
  CHECK(j["access"][2] == nlohmann::ordered_json{{"kind", "public_path"},
                                                 {"path", "/"},
                                                 {"site", "wiki"},
                                                 {"change", "gain"},
                                                 {"why", "public_paths"}});
  CHECK(j["access"][3]["cidr"] == "203.0.113.7/32");
  CHECK(j["revocations"] == 1);
  CHECK(j["warnings"].size() == 1);
  CHECK(json == base_diff_json(sample()));
  CHECK(json.ends_with("}\n"));
  auto empty = nlohmann::ordered_json::parse(base_diff_json({}));
  CHECK(empty["devices"].is_array());
  CHECK(empty["sites_added"].is_array());
  CHECK(empty["warnings"].is_array());
}

TEST_CASE("render: the JSON plan embeds the base diff under base, and access says why") {
  plan::Plan p;
  p.access = {{AccessKind::device, "alice-phone", "admin", AccessChangeKind::gain, "group admins"}};
  auto j = nlohmann::ordered_json::parse(plan_json(p, sample()));
  CHECK(j["access"][0]["why"] == "group admins");
  CHECK(j["base"] == base_diff_value(sample()));
  CHECK_FALSE(nlohmann::ordered_json::parse(plan_json(p)).contains("base"));
}

}  // namespace
}  // namespace certgate::render
