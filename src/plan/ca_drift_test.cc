#include "plan/ca_drift.h"

#include <doctest/doctest.h>

namespace certgate::plan {
namespace {

using namespace std::chrono;

const base::Instant kMade = sys_days{2026y / January / 1};

// A CA as certgate makes it for `spec`: backdated, valid for spec.validity.
observed::Ca made_for(const desired::CaSpec& spec) {
  return {true, spec.common_name, kMade - observed::kBackdate, kMade + spec.validity, spec.key};
}

}  // namespace

TEST_CASE("ca drift: a CA made for [ca] matches it, and no CA has nothing to differ") {
  desired::CaSpec spec;
  spec.common_name = "Home CA";
  CHECK(ca_differences(spec, made_for(spec)).empty());
  CHECK(ca_differences(spec, observed::Ca{}).empty());
  // openssl req -days 3650: no backdate, the same validity to within a day.
  observed::Ca by_hand{true, "Home CA", kMade, kMade + days{3650}, base::KeyType::ec_p256};
  CHECK(ca_differences(spec, by_hand).empty());
}

TEST_CASE("ca drift: each difference is named, [ca]'s value beside the certificate's") {
  desired::CaSpec was;
  was.common_name = "Home CA";
  const observed::Ca have = made_for(was);
  desired::CaSpec want = was;
  want.common_name = "Office CA";
  want.key = base::KeyType::ec_p384;
  want.validity = 5 * 365 * desired::kDay;
  const std::vector<std::string> diffs = ca_differences(want, have);
  REQUIRE(diffs.size() == 3);
  CHECK(diffs[0] == "common_name is \"Office CA\" in [ca], \"Home CA\" in the CA certificate");
  CHECK(diffs[1] == "key is ec-p384 in [ca], ec-p256 in the CA certificate");
  INFO(diffs[2]);
  CHECK(diffs[2] == "validity is 5y in [ca], 10y in the CA certificate (until 2035-12-30)");
  const std::string note = ca_drift_note(diffs);
  CHECK(note.starts_with("the CA in the state does not match [ca]: common_name is"));
  CHECK(note.find("makes a rollover to a new CA") != std::string::npos);
}

}  // namespace certgate::plan
