#include "desired/keys.h"

#include <array>

#include "base/result.h"

namespace certgate::desired {
namespace {

using K = std::string_view;
constexpr std::array<K, 11> kRoot = {"schema", "ca",      "defaults", "device", "site",   "nginx",
                                     "host",   "rollout", "safety",   "enroll", "publish"};
constexpr std::array<K, 14> kCa = {
    "common_name", "organization", "organizational_unit", "country",        "key",
    "validity",    "crl_validity", "crl_refresh_before",  "key_protection", "mode",
    "root_cert",   "root_crl",     "intermediate_cert",   "rollover_before"};
constexpr std::array<K, 5> kDefaults = {"key", "validity", "renew_before", "p12_profile",
                                        "overlap"};
constexpr std::array<K, 10> kDevice = {"name",        "owner",  "groups",   "csr",
                                       "not_after",   "key",    "validity", "renew_before",
                                       "p12_profile", "revoked"};
constexpr std::array<K, 9> kSite = {"name",          "server_names", "allow_groups",
                                    "allow_devices", "public_paths", "forward_identity",
                                    "verify_depth",  "probe",        "fallback"};
constexpr std::array<K, 2> kFallback = {"allow_ips", "until"};
constexpr std::array<K, 5> kNginx = {"dir", "test", "reload", "access_log", "worker_group"};
constexpr std::array<K, 11> kHost = {"name",   "mode",       "address",     "port",
                                     "user",   "sites",      "dir",         "test",
                                     "reload", "access_log", "worker_group"};
constexpr std::array<K, 3> kRollout = {"canary", "batch", "max_failures"};
constexpr std::array<K, 1> kSafety = {"max_revocations"};
constexpr std::array<K, 3> kEnroll = {"site", "path", "link_validity"};
constexpr std::array<K, 3> kPublish = {"repo", "branch", "signing_key"};

constexpr std::array<TableKeys, 12> kTables = {{
    {"", kRoot},
    {"ca", kCa},
    {"defaults", kDefaults},
    {"device", kDevice},
    {"site", kSite},
    {"site.fallback", kFallback},
    {"nginx", kNginx},
    {"host", kHost},
    {"rollout", kRollout},
    {"safety", kSafety},
    {"enroll", kEnroll},
    {"publish", kPublish},
}};

}  // namespace

std::span<const TableKeys> all_table_keys() { return kTables; }

std::span<const std::string_view> keys_of(std::string_view table) {
  for (const TableKeys& t : kTables) {
    if (t.table == table) return t.keys;
  }
  CG_CHECK(false && "unknown table");
  return {};
}

}  // namespace certgate::desired
