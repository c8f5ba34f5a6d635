#include "plan/ca_drift.h"

#include "base/duration.h"
#include "base/time.h"

namespace certgate::plan {

std::vector<std::string> ca_differences(const desired::CaSpec& want, const observed::Ca& have) {
  std::vector<std::string> out;
  if (!have.exists) return out;
  if (have.common_name != want.common_name)
    out.push_back("common_name is \"" + want.common_name + "\" in [ca], \"" + have.common_name +
                  "\" in the CA certificate");
  if (!have.key || *have.key != want.key)
    out.push_back("key is " + std::string(to_string(want.key)) + " in [ca], " +
                  (have.key ? std::string(to_string(*have.key)) : "another type") +
                  " in the CA certificate");
  if (!want.is_intermediate() && !have.root_common_name.empty())
    out.push_back(
        "mode is \"self-signed\" in [ca], but the CA in the state is an intermediate of "
        "the root " +
        have.root_common_name + " (set mode = \"intermediate\" to keep watching the root's CRL)");
  // A two-tier CA's validity is the root's choice (`certgate root sign --validity`).
  if (want.is_intermediate()) return out;
  const std::chrono::seconds span =
      std::chrono::duration_cast<std::chrono::seconds>(have.not_after - have.not_before) -
      observed::kBackdate;
  const std::chrono::seconds gap =
      span > want.validity ? span - want.validity : want.validity - span;
  if (gap > std::chrono::seconds{86400})
    out.push_back("validity is " + base::format_duration(want.validity) + " in [ca], " +
                  base::format_duration(span) + " in the CA certificate (until " +
                  base::format_date(have.not_after) + ")");
  return out;
}

std::string ca_drift_note(const std::vector<std::string>& differences) {
  std::string out = "the CA in the state does not match [ca]: ";
  for (size_t i = 0; i < differences.size(); ++i) out += (i ? "; " : "") + differences[i];
  return out +
         ". certgate keeps signing with the CA it has: set [ca] to what the CA is (another key "
         "type or common_name makes a rollover to a new CA, once none is under way)";
}

}  // namespace certgate::plan
