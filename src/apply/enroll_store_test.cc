#include "apply/enroll_store.h"

#include <doctest/doctest.h>

#include <set>

#include "support/mem_filesystem.h"

namespace certgate::apply {
namespace {

using namespace std::chrono;

const base::Instant kNow = sys_days{2026y / November / 23} + 12h;

}  // namespace

TEST_CASE("enroll store: a link is written 0600 in a 0700 folder and read back open") {
  testing::MemFilesystem fs;
  REQUIRE(fs.make_dirs("/state", 0700));
  auto link = open_enroll_link(fs, "/state", "alice-phone", kNow, 24h);
  REQUIRE(link);
  CHECK(link->device == "alice-phone");
  CHECK(link->created_at == kNow);
  CHECK(link->expires_at == kNow + 24h);
  CHECK(observed::token_problem(link->token) == "");
  CHECK(link->token.size() == 40);
  CHECK(fs.files().at("/state/enroll/alice-phone.json").mode == 0600);
  CHECK(fs.dirs().contains("/state/enroll"));  // its mode: tests/integration/enroll.sh
  CHECK(fs.written() == std::vector<std::string>{"/state/enroll/alice-phone.json"});
  auto links = observed::read_enroll_links(fs, "/state", kNow);
  REQUIRE(links);
  CHECK(links->open == std::vector<observed::EnrollLink>{*link});
  CHECK(links->problems.empty());
}

TEST_CASE("enroll store: a new link replaces the device's old one") {
  testing::MemFilesystem fs;
  auto first = open_enroll_link(fs, "/state", "alice-phone", kNow, 24h);
  auto second = open_enroll_link(fs, "/state", "alice-phone", kNow + 1h, 2h);
  REQUIRE(first);
  REQUIRE(second);
  CHECK(first->token != second->token);
  auto links = observed::read_enroll_links(fs, "/state", kNow + 1h);
  REQUIRE(links);
  CHECK(links->open == std::vector<observed::EnrollLink>{*second});
  CHECK(observed::read_enroll_links(fs, "/state", kNow + 3h)->open.empty());
}

TEST_CASE("enroll store: cancel removes the link and says whether there was one") {
  testing::MemFilesystem fs;
  REQUIRE(open_enroll_link(fs, "/state", "alice-phone", kNow, 24h));
  REQUIRE(open_enroll_link(fs, "/state", "bob-laptop", kNow, 24h));
  CHECK(cancel_enroll_link(fs, "/state", "alice-phone").value());
  CHECK_FALSE(cancel_enroll_link(fs, "/state", "alice-phone").value());
  CHECK_FALSE(cancel_enroll_link(fs, "/nowhere", "alice-phone").value());
  auto links = observed::read_enroll_links(fs, "/state", kNow);
  REQUIRE(links);
  REQUIRE(links->open.size() == 1);
  CHECK(links->open[0].device == "bob-laptop");
}

TEST_CASE("enroll store: tokens are fresh each time") {
  testing::MemFilesystem fs;
  std::set<std::string> tokens;
  for (int i = 0; i < 50; ++i) tokens.insert(open_enroll_link(fs, "/s", "d", kNow, 1h)->token);
  CHECK(tokens.size() == 50);
}

}  // namespace certgate::apply
