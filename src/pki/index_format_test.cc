#include "pki/index_format.h"

#include <doctest/doctest.h>

namespace certgate::pki {
namespace {

constexpr const char* kOpensslWritten =
    "V\t271123120000Z\t\t5F3A01\tunknown\t/CN=alice-phone\n"
    "R\t271123120000Z\t261201093000Z,keyCompromise\t61b2\tunknown\t/O=Ex Ltd/CN=carol-ipad\n"
    "R\t271123120000Z\t261201093000Z\t0A\tunknown\t/CN=dave\n"
    "E\t250101000000Z\t\t0B\tunknown\t/CN=erin\n"
    "V\t20510101000000Z\t\t0C\tunknown\t/CN=frank\n";

TEST_CASE("index: reads what openssl ca writes") {
  auto entries = parse_index(kOpensslWritten);
  REQUIRE(entries);
  REQUIRE(entries->size() == 5);
  const IndexEntry& carol = (*entries)[1];
  CHECK(carol.status == IndexStatus::revoked);
  CHECK(carol.serial == "61B2");  // normalised to uppercase, as nginx prints serials
  CHECK(carol.common_name() == "carol-ipad");
  CHECK(carol.reason == base::RevocationReason::keyCompromise);
  CHECK(base::format_rfc3339(*carol.revoked_at) == "2026-12-01T09:30:00Z");
  CHECK_FALSE((*entries)[2].reason.has_value());
  CHECK((*entries)[3].status == IndexStatus::expired);
  CHECK(base::format_rfc3339((*entries)[4].expires) == "2051-01-01T00:00:00Z");
}

TEST_CASE("index: formatting round-trips, with UTCTime before 2050 and GeneralizedTime after") {
  auto entries = parse_index(kOpensslWritten);
  REQUIRE(entries);
  std::string text = format_index(*entries);
  CHECK(text.find("20510101000000Z") != std::string::npos);
  CHECK(text.find("\t271123120000Z\t") != std::string::npos);
  auto again = parse_index(text);
  REQUIRE(again);
  CHECK(*again == *entries);
}

TEST_CASE("index: openssl's spelling of reasons") {
  CHECK(index_reason_name(base::RevocationReason::cACompromise) == "CACompromise");
  CHECK(index_reason_name(base::RevocationReason::superseded) == "superseded");
  CHECK_FALSE(index_reason_name(base::RevocationReason::privilegeWithdrawn).has_value());
  auto e = parse_index("R\t271123120000Z\t261201093000Z,CACompromise\t01\tunknown\t/CN=x\n");
  REQUIRE(e);
  CHECK((*e)[0].reason == base::RevocationReason::cACompromise);
}

TEST_CASE("index: openssl ca -revoke's extra forms are read, any case, and kept as written") {
  const std::string text =
      "R\t271123120000Z\t261201093000Z,keyTime,20261130000000Z\t01\tunknown\t/CN=a\n"
      "R\t271123120000Z\t261201093000Z,holdInstruction,holdInstructionReject\t02\tunknown\t/CN=b\n"
      "R\t271123120000Z\t261201093000Z,KEYCOMPROMISE\t03\tunknown\t/CN=c\n";
  auto e = parse_index(text);
  REQUIRE(e);
  CHECK((*e)[0].reason == base::RevocationReason::keyCompromise);
  CHECK((*e)[1].reason == base::RevocationReason::certificateHold);
  CHECK((*e)[2].reason == base::RevocationReason::keyCompromise);
  CHECK(format_index(*e) == text);
}

TEST_CASE("index: a malformed line fails the whole file with its line number") {
  struct Case {
    const char* text;
    const char* message;
  };
  const Case cases[] = {
      {"V\t271123120000Z\t\t01\tunknown\t/CN=a\nV\t2711\t\t02\tunknown\t/CN=b\n",
       "index.txt:2: time \"2711\" is not YYMMDDHHMMSSZ or YYYYMMDDHHMMSSZ"},
      {"X\t271123120000Z\t\t01\tunknown\t/CN=a\n",
       "index.txt:1: status must be V, R or E, not \"X\""},
      {"V\t271123120000Z\t01\tunknown\t/CN=a\n",
       "index.txt:1: expected 6 tab-separated fields, found 5"},
      {"V\t271123120000Z\t\tXYZ\tunknown\t/CN=a\n", "index.txt:1: serial must be hexadecimal"},
      {"R\t271123120000Z\t261201093000Z,lost\t01\tunknown\t/CN=a\n",
       "index.txt:1: unknown revocation reason \"lost\""},
      {"V\t271323120000Z\t\t01\tunknown\t/CN=a\n",
       "index.txt:1: time \"271323120000Z\" is out of range"},
      {"V\t271123120000Z\t261201093000Z\t01\tunknown\t/CN=a\n",
       "index.txt:1: only R lines have a revocation date"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.text);
    auto r = parse_index(c.text);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Errc::invalid);
    CHECK(r.error().message == c.message);
  }
}

TEST_CASE("index: an empty file is an empty database") {
  auto r = parse_index("");
  REQUIRE(r);
  CHECK(r->empty());
}

}  // namespace
}  // namespace certgate::pki
