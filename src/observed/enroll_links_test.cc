#include "observed/enroll_links.h"

#include <doctest/doctest.h>

#include "support/mem_filesystem.h"

namespace certgate::observed {
namespace {

using namespace std::chrono;

const base::Instant kNow = sys_days{2026y / November / 23} + 12h;
const std::string kToken = "0123456789abcdef0123456789abcdef01234567";

EnrollLink link(const std::string& device, std::string token = kToken,
                base::Instant expires = kNow + 24h) {
  return {device, std::move(token), kNow - 1h, expires};
}

void put(testing::MemFilesystem& fs, const EnrollLink& l, std::uint32_t mode = 0600) {
  fs.put(enroll_link_path("/state", l.device), format_enroll_link(l), mode);
}

}  // namespace

TEST_CASE("enroll links: a link file round-trips") {
  const EnrollLink l = link("alice-phone");
  CHECK(parse_enroll_link(format_enroll_link(l)).value() == l);
  CHECK(format_enroll_link(l) ==
        "{\n  \"format_version\": 1,\n  \"device\": \"alice-phone\",\n  \"token\": \"" + kToken +
            "\",\n  \"created_at\": \"2026-11-23T11:00:00Z\",\n"
            "  \"expires_at\": \"2026-11-24T12:00:00Z\"\n}\n");
  CHECK(enroll_link_path("/state", "alice-phone") == "/state/enroll/alice-phone.json");
}

TEST_CASE("enroll links: tokens are 32 to 128 lowercase hex digits") {
  CHECK(token_problem(kToken) == "");
  CHECK(token_problem(std::string(32, 'a')) == "");
  CHECK(token_problem(std::string(31, 'a')) != "");
  CHECK(token_problem(std::string(129, 'a')) != "");
  CHECK(token_problem(std::string(40, 'A')) == "not lowercase hex digits");
  CHECK(token_problem("../../../../etc/passwd/0123456789abcdef") != "");
}

TEST_CASE("enroll links: malformed files are refused without quoting them") {
  const std::string secret = std::string(40, 'f');
  const std::vector<std::string> bads = {
      std::string("not json ") + secret,
      std::string("[\"") + secret + "\"]",
      "{\"format_version\":2,\"device\":\"a\",\"token\":\"" + secret + "\"}",
      "{\"format_version\":1,\"device\":\"A B\",\"token\":\"" + secret + "\"}",
      "{\"format_version\":1,\"device\":\"a\",\"token\":\"" + secret + "\"}",
      "{\"format_version\":1,\"device\":\"a\",\"token\":7}",
      "{\"format_version\":1,\"device\":\"a\",\"token\":\"" + secret +
          "\",\"created_at\":\"2026-11-24T00:00:00Z\",\"expires_at\":\"2026-11-23T00:00:"
          "00Z\"}"};
  for (const std::string& bad : bads) {
    auto r = parse_enroll_link(bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Errc::invalid);
    CHECK(r.error().message.find(secret) == std::string::npos);
  }
}

TEST_CASE("enroll links: no enroll folder means no link") {
  testing::MemFilesystem fs;
  auto links = read_enroll_links(fs, "/state", kNow);
  REQUIRE(links);
  CHECK(links->open.empty());
  CHECK(links->expired.empty());
  CHECK(links->problems.empty());
}

TEST_CASE("enroll links: open and expired links are told apart at now, sorted by device") {
  testing::MemFilesystem fs;
  put(fs, link("alice-phone", std::string(40, '1')));
  put(fs, link("alice", std::string(40, '2')));
  put(fs, link("bob", std::string(40, '3'), kNow));  // expires exactly now: closed
  fs.put("/state/enroll/.carol.json.tmp.12.0", "half-written", 0600);
  auto links = read_enroll_links(fs, "/state", kNow);
  REQUIRE(links);
  REQUIRE(links->open.size() == 2);
  CHECK(links->open[0].device == "alice");
  CHECK(links->open[1].device == "alice-phone");
  REQUIRE(links->expired.size() == 1);
  CHECK(links->expired[0].device == "bob");
  CHECK(links->problems.empty());
  auto earlier = read_enroll_links(fs, "/state", kNow - 1s);
  REQUIRE(earlier);
  CHECK(earlier->open.size() == 3);
}

TEST_CASE("enroll links: bad files are ignored and reported") {
  testing::MemFilesystem fs;
  put(fs, link("good", std::string(40, '1')));
  put(fs, link("loose", std::string(40, '2')), 0644);
  fs.put("/state/enroll/other.json", format_enroll_link(link("x", std::string(40, '3'))), 0600);
  fs.put("/state/enroll/garbage.json", "{", 0600);
  fs.put("/state/enroll/notes.txt", "", 0600);
  put(fs, link("twin-a", std::string(40, '4')));
  put(fs, link("twin-b", std::string(40, '4')));
  auto links = read_enroll_links(fs, "/state", kNow);
  REQUIRE(links);
  REQUIRE(links->open.size() == 1);
  CHECK(links->open[0].device == "good");
  const std::vector<std::string> want = {
      "/state/enroll/garbage.json: not a JSON object (ignored)",
      "/state/enroll/loose.json: mode 0644, want 0600 (ignored)",
      "/state/enroll/notes.txt: not an enrollment link file (ignored)",
      "/state/enroll/other.json: holds the link of device x (ignored)",
      "/state/enroll/twin-a.json: its token is in another file too (ignored)",
      "/state/enroll/twin-b.json: its token is in another file too (ignored)"};
  CHECK(links->problems == want);
}

}  // namespace certgate::observed
