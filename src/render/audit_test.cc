#include "render/audit.h"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

namespace certgate::render {
namespace {

AuditOrigin origin() {
  return {base::Instant{std::chrono::seconds{1'800'000'000}},
          "sync",
          "git 1a2b3c4 (main)",
          "1a2b3c4d",
          "Alice <alice@example.com>",
          ""};
}

}  // namespace

TEST_CASE("audit: one JSON line per event, empty fields left out") {
  const std::string text = audit_lines(
      origin(), {{"issue", "alice-phone", "5F3A"},
                 {"deploy", "", "", "", "local", "reloaded", 6},
                 {"refuse", "", "", "refusing commit 1a2b3c4: it is not signed\nnothing"}});
  const auto lines = last_audit_lines(text, 10);
  REQUIRE(lines.size() == 3);
  const auto issue = nlohmann::json::parse(lines[0]);
  CHECK(issue["time"] == "2027-01-15T08:00:00Z");
  CHECK(issue["action"] == "issue");
  CHECK(issue["device"] == "alice-phone");
  CHECK(issue["serial"] == "5F3A");
  CHECK(issue["command"] == "sync");
  CHECK(issue["commit"] == "1a2b3c4d");
  CHECK(issue["author"] == "Alice <alice@example.com>");
  CHECK_FALSE(issue.contains("reason"));
  CHECK_FALSE(issue.contains("count"));
  CHECK_FALSE(issue.contains("signer"));
  CHECK(nlohmann::json::parse(lines[1])["count"] == 6);
  // A newline in a message stays inside its JSON string: one event, one line.
  CHECK(nlohmann::json::parse(lines[2])["reason"] ==
        "refusing commit 1a2b3c4: it is not signed\nnothing");
  CHECK(std::count(text.begin(), text.end(), '\n') == 3);
}

TEST_CASE("audit: invalid UTF-8 in a message is replaced, never a reason to lose the line") {
  const std::string text = audit_lines(origin(), {{"deploy-failed", "", "", "bad \xff byte"}});
  const auto lines = last_audit_lines(text, 1);
  REQUIRE(lines.size() == 1);
  CHECK(nlohmann::json::parse(lines[0])["reason"] == "bad \xEF\xBF\xBD byte");
}

TEST_CASE("audit: the last N whole lines, without a line a crash cut off or junk") {
  const std::string a = audit_lines(origin(), {{"crl", "", "", "", "", "crlNumber 1"}});
  const std::string b = audit_lines(origin(), {{"crl", "", "", "", "", "crlNumber 2"}});
  const std::string text = a + "not json\n" + b + b.substr(0, 20);
  const auto lines = last_audit_lines(text, 5);
  REQUIRE(lines.size() == 2);
  CHECK(lines[1] + "\n" == b);
  CHECK(last_audit_lines(text, 1) == std::vector<std::string>{b.substr(0, b.size() - 1)});
}

TEST_CASE("audit: the log line names the action and the device, the reason last") {
  CHECK(audit_log_fields({"revoke", "bob", "01AB", "keyCompromise"}) ==
        "audit action=revoke device=bob serial=01AB reason=keyCompromise");
}

}  // namespace certgate::render
