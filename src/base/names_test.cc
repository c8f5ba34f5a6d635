#include "base/names.h"

#include <doctest/doctest.h>

#include <string>

namespace certgate::base {

TEST_CASE("names: the design's rule [a-z0-9][a-z0-9._-]{0,62}") {
  for (const char* ok : {"a", "alice-phone", "0day", "edge-1.example", "a_b", "x.y-z_0"}) {
    CAPTURE(ok);
    CHECK(is_valid_name(ok));
    CHECK_FALSE(name_problem(ok));
  }
  CHECK(is_valid_name(std::string(63, 'a')));
  for (const char* bad : {"", "-a", ".a", "_a", "Alice", "a b", "a/b", "a;b", "ä"}) {
    CAPTURE(bad);
    CHECK_FALSE(is_valid_name(bad));
    CHECK(name_problem(bad));
  }
  CHECK_FALSE(is_valid_name(std::string(64, 'a')));
  CHECK(name_problem(std::string(64, 'a'))->find("longer than 63") != std::string::npos);
}

TEST_CASE("names: strings that reach nginx cannot carry its syntax") {
  CHECK_FALSE(server_name_problem("admin.example.com"));
  CHECK_FALSE(server_name_problem("*.ci.example.com"));
  CHECK_FALSE(server_name_problem("127.0.0.1"));
  CHECK(server_name_problem("admin.example.com;"));
  CHECK(server_name_problem("a b"));
  CHECK(server_name_problem("-x.example.com"));
  CHECK_FALSE(public_path_problem("/healthz"));
  CHECK_FALSE(public_path_problem("/api/public/"));
  CHECK(public_path_problem("healthz"));
  CHECK(public_path_problem("/a b"));
  CHECK(public_path_problem("/x;deny"));
  CHECK(public_path_problem("/x{"));
  CHECK(public_path_problem("/$uri"));
  CHECK_FALSE(nginx_path_problem("/etc/nginx/certgate"));
  CHECK(nginx_path_problem("etc/nginx"));
}

TEST_CASE("names: owners, SSH addresses and users") {
  CHECK_FALSE(email_problem("alice@example.com"));
  CHECK(email_problem("alice"));
  CHECK(email_problem("alice@@example.com"));
  CHECK(email_problem("a,b@example.com"));
  CHECK(email_problem("alice@"));
  CHECK_FALSE(address_problem("10.0.0.5"));
  CHECK_FALSE(address_problem("::1"));
  CHECK_FALSE(address_problem("edge-1.example.com"));
  CHECK(address_problem("-oProxyCommand=x"));
  CHECK(address_problem("a b"));
  CHECK_FALSE(user_problem("deploy"));
  CHECK_FALSE(user_problem("_svc-1"));
  CHECK(user_problem("Deploy"));
  CHECK(user_problem("-l"));
  CHECK(user_problem(""));
}

TEST_CASE("names: git branch names follow git check-ref-format --branch") {
  for (const char* ok : {"main", "certgate/edges", "release-1.2", "a/b/c", "x@y", "v1.0_rc"}) {
    CAPTURE(ok);
    CHECK_FALSE(branch_name_problem(ok));
  }
  for (const char* bad :
       {"",     "@",       "-main", "/main",  "main/",    "main.", "a..b", "a@{1}",
        "a//b", ".hidden", "a/.b",  "a.lock", "a.lock/b", "a b",   "a~1",  "a^",
        "a:b",  "a?",      "a*",    "a[",     "a\\b",     "a\tb",  "a\x7f"}) {
    CAPTURE(bad);
    auto p = branch_name_problem(bad);
    REQUIRE(p);
    CHECK(p->find("is not a valid git branch name") != std::string::npos);
  }
  CHECK(branch_name_problem(std::string(256, 'a')));
  CHECK_FALSE(branch_name_problem(std::string(255, 'a')));
}

}  // namespace certgate::base
