#include "render/plan_markdown.h"

#include <doctest/doctest.h>

#include <cstdio>
#include <sstream>

#include "render/markdown.h"

namespace certgate::render {
namespace {

using namespace std::chrono;
using plan::AccessChangeKind;
using plan::AccessKind;
using plan::ActionKind;

plan::Action action(ActionKind kind, std::string subject, std::string detail,
                    std::string reason = "") {
  plan::Action a;
  a.kind = kind;
  a.object = kind == ActionKind::file || kind == ActionKind::reload ? plan::ObjectKind::file
                                                                    : plan::ObjectKind::device;
  a.subject = std::move(subject);
  a.detail = std::move(detail);
  a.reason = std::move(reason);
  return a;
}

plan::Plan typical() {
  plan::Plan p;
  p.inputs.source = "git 1a2b3c4 (main)";
  p.now = sys_days{2026y / November / 23};
  p.actions = {
      action(ActionKind::issue, "alice-phone", "ec-p256, 365d, groups admins", "new device"),
      action(ActionKind::revoke, "carol-ipad", "serial 5F3A01, reason keyCompromise",
             "revoked = keyCompromise"),
      action(ActionKind::file, "/etc/nginx/certgate/http.conf", "(+2 -1)",
             "the desired content changed"),
      action(ActionKind::reload, "nginx", "nginx -t, nginx -s reload", "its files change")};
  p.access = {
      {AccessKind::device, "alice-phone", "admin", AccessChangeKind::gain, "new device"},
      {AccessKind::device, "carol-ipad", "admin", AccessChangeKind::lose,
       "revoked (keyCompromise)"},
      {AccessKind::public_path, "/healthz", "admin", AccessChangeKind::gain, "public_paths"}};
  p.notes = {"the CA expires on 2036-01-01"};
  return p;
}

plan::BaseDiff base_diff() {
  plan::BaseDiff d;
  d.base_ref = "origin/main";
  d.base_commit = "0123456789abcdef0123456789abcdef01234567";
  d.devices = {{plan::DeviceChangeKind::added, "alice-phone", "groups admins"},
               {plan::DeviceChangeKind::revoked, "carol-ipad", "keyCompromise"}};
  d.sites_added = {"wiki"};
  d.access = {{AccessKind::device, "alice-phone", "admin", AccessChangeKind::gain, "new device"},
              {AccessKind::device, "carol-ipad", "admin", AccessChangeKind::lose,
               "revoked (keyCompromise)"},
              {AccessKind::fallback, "0.0.0.0/0", "wiki", AccessChangeKind::gain,
               "fallback until 2026-12-15T00:00:00Z"}};
  d.warnings = {"site wiki opens to much of the Internet: fallback 0.0.0.0/0"};
  d.revocations = 1;
  return d;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// The cells of a table line: '|' not escaped by a backslash, less one.
size_t cells(const std::string& line) {
  size_t pipes = 0;
  for (size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '\\') {
      ++i;
    } else if (line[i] == '|') {
      ++pipes;
    }
  }
  return pipes - 1;
}

// The body rows of the table whose header is `header`; CHECKs each has as many cells.
size_t table_rows(const std::string& md, const std::string& header) {
  const std::vector<std::string> lines = lines_of(md);
  size_t rows = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i] != header) continue;
    REQUIRE(i + 1 < lines.size());
    CHECK(lines[i + 1].starts_with("| --- |"));
    for (size_t j = i + 2; j < lines.size() && lines[j].starts_with("|"); ++j, ++rows) {
      CHECK(cells(lines[j]) == cells(header));
      CHECK(lines[j].ends_with(" |"));
    }
  }
  return rows;
}

TEST_CASE("plan markdown: a typical plan, access first") {
  const plan::Plan p = typical();
  CHECK(plan_markdown(&p, nullptr, {}) ==
        "### certgate plan\n"
        "\n"
        "1 issue, 1 revoke, 1 file, 1 reload · 1 device gains access, 1 loses it · 1 door opens "
        "to anyone\n"
        "\n"
        "Source git 1a2b3c4 (main) · at 2026-11-23T00:00:00Z\n"
        "\n"
        "#### Access changes\n"
        "\n"
        "| Device | Site | Change | Why |\n"
        "| --- | --- | --- | --- |\n"
        "| alice-phone | admin | gains | new device |\n"
        "| carol-ipad | admin | loses | revoked (keyCompromise) |\n"
        "| anyone on /healthz | admin | gains | public\\_paths |\n"
        "\n"
        "#### Actions\n"
        "\n"
        "| Action | Target | Subject | Detail |\n"
        "| --- | --- | --- | --- |\n"
        "| issue | local | alice-phone | ec-p256, 365d, groups admins (new device) |\n"
        "| revoke | local | carol-ipad | serial 5F3A01, reason keyCompromise (revoked = "
        "keyCompromise) |\n"
        "| file | local | /etc/nginx/certgate/http.conf | (+2 -1) (the desired content changed) |\n"
        "| reload | local | nginx | nginx -t, nginx -s reload (its files change) |\n"
        "\n"
        "#### Notes\n"
        "\n"
        "- the CA expires on 2036-01-01\n");
  CHECK(plan_markdown(&p, nullptr, {}) == plan_markdown(&p, nullptr, {}));
}

TEST_CASE("plan markdown: an empty plan says so") {
  plan::Plan p;
  p.inputs.source = "file certgate.toml";
  CHECK(plan_markdown(&p, nullptr, {}) ==
        "### certgate plan\n\nNo changes\n\nSource file certgate.toml · at 1970-01-01T00:00:00Z\n");
}

TEST_CASE("plan markdown: a refusal and the warnings come before the tables") {
  plan::Plan p = typical();
  p.refusal = "this plan revokes the certificates of 3 devices of the 3 that hold a live one";
  p.warnings = {"site admin becomes public: public path \"/\""};
  const std::string out = plan_markdown(&p, nullptr, {});
  CHECK(
      out.starts_with("### certgate plan\n\n**refused**: this plan revokes the certificates of "
                      "3 devices of the 3 that hold a live one\n\n1 issue, 1 revoke"));
  const size_t warning =
      out.find("\n> **Warning:** site admin becomes public: public path \"/\"\n");
  CHECK(warning != std::string::npos);
  CHECK(warning > out.find("| Device | Site | Change | Why |"));
  CHECK(warning < out.find("| Action | Target | Subject | Detail |"));
}

TEST_CASE("plan markdown: a base diff alone") {
  const plan::BaseDiff d = base_diff();
  const std::string out = plan_markdown(nullptr, &d, {});
  CHECK(
      out.starts_with("### certgate plan\n\nDevices: 1 added, 1 revoked; sites: 1 added · 1 "
                      "device gains access, 1 loses it · 1 door opens to anyone\n\nCompared "
                      "with base origin/main (0123456789ab)\n\n#### Access changes\n"));
  CHECK(out.find(
            "| anyone from 0.0.0.0/0 | wiki | gains | fallback until 2026-12-15T00:00:00Z |\n") !=
        std::string::npos);
  CHECK(out.find("> **Warning:** site wiki opens to much of the Internet") != std::string::npos);
  CHECK(out.find("#### Actions") == std::string::npos);
  CHECK(
      out.ends_with("#### Device changes against origin/main\n\n"
                    "| Device | Change | Detail |\n| --- | --- | --- |\n"
                    "| alice-phone | added | groups admins |\n"
                    "| carol-ipad | revoked | keyCompromise |\n\n"
                    "#### Site changes against origin/main\n\n- added: wiki\n"));
  CHECK(table_rows(out, "| Device | Site | Change | Why |") == 3);
  plan::BaseDiff same;
  same.base_ref = "main";
  CHECK(plan_markdown(nullptr, &same, {}).find("\n\nNo change against the base\n") !=
        std::string::npos);
}

TEST_CASE("plan markdown: plan and base diff share one access table") {
  plan::Plan p = typical();
  plan::BaseDiff d = base_diff();
  p.warnings = {d.warnings[0]};
  const std::string out = plan_markdown(&p, &d, {});
  CHECK(out.find("1 issue, 1 revoke, 1 file, 1 reload · devices: 1 added, 1 revoked; sites: 1 "
                 "added · 1 device gains access, 1 loses it · 2 doors open to anyone\n") !=
        std::string::npos);
  CHECK(out.find("· compared with base origin/main (0123456789ab)\n") != std::string::npos);
  CHECK(table_rows(out, "| Device | Site | Change | Why |") == 4);
  // Rows both have appear once; a row only one of them has says which.
  CHECK(out.find("| alice-phone | admin | gains | new device |\n") != std::string::npos);
  CHECK(out.find("| anyone on /healthz | admin | gains | public\\_paths · on the CA host only, "
                 "not from this change |\n") != std::string::npos);
  CHECK(out.find("| wiki | gains | fallback until 2026-12-15T00:00:00Z · not in the plan against "
                 "the CA host |\n") != std::string::npos);
  // The same warning from both is said once.
  const std::string w = "> **Warning:** site wiki opens";
  CHECK(out.find(w) != std::string::npos);
  CHECK(out.find(w, out.find(w) + 1) == std::string::npos);
  CHECK(table_rows(out, "| Action | Target | Subject | Detail |") == 4);
  CHECK(table_rows(out, "| Device | Change | Detail |") == 2);
  CHECK(out.find("- added: wiki\n") != std::string::npos);
}

TEST_CASE("plan markdown: hostile cells stay inside their cell and make no markup") {
  plan::Plan p = typical();
  const std::string hostile = "x | y\n| --- |\n<script>alert(1)</script> `code` *b* _i_ [l](u)";
  p.access = {{AccessKind::public_path, "/a|b<img src=x onerror=alert(1)>", hostile,
               AccessChangeKind::gain, hostile}};
  p.actions[2].subject = "/etc/nginx/" + hostile;
  p.actions[2].detail = hostile;
  p.notes = {"# heading\n- item", hostile};
  p.warnings = {hostile};
  p.refusal = hostile;
  const std::string out = plan_markdown(&p, nullptr, {});
  CHECK(out.find("<script") == std::string::npos);
  CHECK(out.find("<img") == std::string::npos);
  CHECK(out.find("\n| --- |\n") == std::string::npos);
  CHECK(table_rows(out, "| Device | Site | Change | Why |") == 1);
  CHECK(table_rows(out, "| Action | Target | Subject | Detail |") == 4);
  CHECK(out.find("| anyone on /a\\|b&lt;img src=x onerror=alert(1)&gt; | x \\| y \\| --- \\| "
                 "&lt;script&gt;alert(1)&lt;/script&gt; \\`code\\` \\*b\\* \\_i\\_ \\[l\\](u) | "
                 "gains |") != std::string::npos);
  CHECK(out.find("**refused**: x \\| y \\| --- \\| &lt;script&gt;") != std::string::npos);
  CHECK(out.find("> **Warning:** x \\| y \\| --- \\|") != std::string::npos);
  CHECK(out.find("- \\# heading - item\n") != std::string::npos);
}

plan::Plan many_devices(size_t n) {
  plan::Plan p;
  p.inputs.source = "file certgate.toml";
  for (size_t i = 0; i < n; ++i) {
    char name[16];
    std::snprintf(name, sizeof name, "d%05zu", i + 1);
    p.actions.push_back(
        action(ActionKind::issue, name, "ec-p256, 365d, groups staff", "no valid certificate"));
    p.access.push_back({AccessKind::device, name, "admin", AccessChangeKind::gain, "group staff"});
  }
  p.actions.push_back(action(ActionKind::file, "/etc/nginx/certgate/http.conf", "(new)"));
  p.warnings = {"site admin opens to every device of the CA"};
  return p;
}

TEST_CASE("plan markdown: 10,000 devices fit the comment limit and say what was cut") {
  const plan::Plan p = many_devices(10000);
  const std::string out = plan_markdown(&p, nullptr, {});
  CHECK(out.size() <= 60000);
  CHECK(out.size() > 59000);
  CHECK(out.find("10,000 issue, 1 file · 10,000 devices gain access\n") != std::string::npos);
  CHECK(out.find("> **Warning:** site admin opens to every device of the CA\n") !=
        std::string::npos);
  const size_t shown = table_rows(out, "| Device | Site | Change | Why |");
  CHECK(shown > 100);
  CHECK(out.find("\n\n… and " + md::thousands(10000 - shown) +
                 " more access changes (not shown: the comment limit is 60000 bytes); run "
                 "`certgate plan` for all of them\n") != std::string::npos);
  CHECK(out.find("#### Actions\n\n10,001 actions not shown (the comment limit is 60000 bytes); "
                 "run `certgate plan` for all of them\n") != std::string::npos);
  CHECK(out.ends_with("\n"));
  CHECK(!out.ends_with("\n\n"));
  for (size_t limit : {2000u, 5000u, 65536u}) {
    const std::string cut = plan_markdown(&p, nullptr, {limit});
    CHECK(cut.size() <= limit);
    CHECK(cut.find("> **Warning:** site admin opens") != std::string::npos);
    CHECK(cut.find("the comment limit is " + std::to_string(limit) + " bytes") !=
          std::string::npos);
  }
  // A plan that fits is not cut.
  const plan::Plan few = many_devices(20);
  CHECK(plan_markdown(&few, nullptr, {}).find("not shown") == std::string::npos);
}

}  // namespace
}  // namespace certgate::render
