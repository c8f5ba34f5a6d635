#include "observed/manifest.h"

#include <doctest/doctest.h>

namespace certgate::observed {

TEST_CASE("manifest: format and parse give back the same record") {
  Manifest m{"git commit abc", "abc", "edge-1", "/etc/nginx/certgate", "2026-12-02T10:00:00Z"};
  m.published_commit = "def";
  m.files["http.conf"] = std::string(64, 'a');
  m.files["sites/admin.conf"] = std::string(64, 'b');
  auto back = parse_manifest(format_manifest(m), "x");
  REQUIRE(back);
  CHECK(*back == m);
  CHECK(format_manifest(m) == format_manifest(*back));
}

TEST_CASE("manifest: what is not one is refused, naming the file") {
  CHECK(parse_manifest("[]", "M").error().message.starts_with("M: "));
  CHECK_FALSE(parse_manifest(R"({"format":2})", "M"));
  CHECK_FALSE(parse_manifest(R"({"format":1,"source":3})", "M"));
  const std::string sha(64, 'a');
  for (const char* path : {"/etc/passwd", "../x", "sites/../../x", "a//b", "./a", "a/"}) {
    auto r = parse_manifest(
        R"({"format":1,"files":{")" + std::string(path) + R"(":")" + sha + R"("}})", "M");
    CHECK_MESSAGE(!r, path);
  }
  CHECK_FALSE(parse_manifest(R"({"format":1,"files":{"a":"XYZ"}})", "M"));
  CHECK(parse_manifest(R"({"format":1,"files":{"sites/a.conf":")" + sha + R"("}})", "M"));
}

}  // namespace certgate::observed
