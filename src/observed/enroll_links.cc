#include "observed/enroll_links.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "base/names.h"

namespace certgate::observed {
namespace {

constexpr size_t kMinTokenLength = 32;  // 128 bits of hex
constexpr size_t kMaxTokenLength = 128;
constexpr std::string_view kSuffix = ".json";

Result<base::Instant> instant_field(const nlohmann::json& j, const char* key) {
  if (!j.contains(key) || !j[key].is_string())
    return make_error(Errc::invalid, std::string("no \"") + key + "\" instant");
  auto t = base::parse_rfc3339(j[key].get<std::string>());
  if (!t) return make_error(Errc::invalid, std::string("\"") + key + "\": " + t.error().message);
  return *t;
}

Result<EnrollLink> parse_json(const nlohmann::json& j) {
  if (j.is_discarded() || !j.is_object()) return make_error(Errc::invalid, "not a JSON object");
  if (j.value("format_version", 0) != 1) return make_error(Errc::invalid, "format_version not 1");
  EnrollLink link;
  link.device = j.value("device", "");
  if (auto problem = base::name_problem(link.device))
    return make_error(Errc::invalid, "\"device\": " + *problem);
  link.token = j.value("token", "");
  if (std::string problem = token_problem(link.token); !problem.empty())
    return make_error(Errc::invalid, "\"token\": " + problem);
  auto created = instant_field(j, "created_at");
  if (!created) return created.error();
  auto expires = instant_field(j, "expires_at");
  if (!expires) return expires.error();
  link.created_at = *created;
  link.expires_at = *expires;
  if (link.expires_at <= link.created_at)
    return make_error(Errc::invalid, "expires_at is not after created_at");
  return link;
}

std::string octal(std::uint32_t mode) {
  std::string out = "0";
  for (int shift = 6; shift >= 0; shift -= 3) out += static_cast<char>('0' + ((mode >> shift) & 7));
  return out;
}

// The link in file `name`, or why it is ignored.
Result<EnrollLink> read_one(sys::Filesystem& fs, const std::string& path, const std::string& name) {
  auto info = fs.stat(path);
  if (!info) return info.error();
  if (info->kind != sys::FileKind::file) return make_error(Errc::invalid, "not a regular file");
  if ((info->mode & 077) != 0)
    return make_error(Errc::invalid, "mode " + octal(info->mode & 0777) + ", want 0600");
  auto text = fs.read(path);
  if (!text) return text.error();
  auto link = parse_enroll_link(*text);
  if (!link) return link.error();
  if (name != link->device + std::string(kSuffix))
    return make_error(Errc::invalid, "holds the link of device " + link->device);
  return link;
}

}  // namespace

std::string token_placeholder(std::string_view device) {
  return "{token:" + std::string(device) + "}";
}

std::string enroll_link_path(const std::string& state_dir, std::string_view device) {
  return sys::join_path(sys::join_path(state_dir, kEnrollDir), std::string(device) + ".json");
}

std::string token_problem(std::string_view token) {
  if (token.size() < kMinTokenLength || token.size() > kMaxTokenLength)
    return "not 32 to 128 characters long";
  const bool is_hex = std::all_of(token.begin(), token.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  });
  return is_hex ? "" : "not lowercase hex digits";
}

std::string format_enroll_link(const EnrollLink& link) {
  nlohmann::ordered_json j;
  j["format_version"] = 1;
  j["device"] = link.device;
  j["token"] = link.token;
  j["created_at"] = base::format_rfc3339(link.created_at);
  j["expires_at"] = base::format_rfc3339(link.expires_at);
  return j.dump(2) + "\n";
}

Result<EnrollLink> parse_enroll_link(std::string_view text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  // value() throws on a field of the wrong type, which makes the file "not ours".
  try {
    return parse_json(j);
  } catch (const nlohmann::json::exception&) {
    return make_error(Errc::invalid, "a field has the wrong type");
  }
}

Result<EnrollLinks> read_enroll_links(sys::Filesystem& fs, const std::string& state_dir,
                                      base::Instant now) {
  const std::string dir = sys::join_path(state_dir, kEnrollDir);
  EnrollLinks out;
  auto names = fs.list(dir);
  if (!names && names.error().code == Errc::not_found) return out;
  if (!names) return names.error();
  std::vector<EnrollLink> found;
  for (const std::string& name : *names) {
    if (name.starts_with(".")) continue;
    const std::string path = sys::join_path(dir, name);
    if (!name.ends_with(kSuffix)) {
      out.problems.push_back(path + ": not an enrollment link file (ignored)");
      continue;
    }
    auto link = read_one(fs, path, name);
    if (!link && link.error().code == Errc::io) return link.error();
    if (!link && link.error().code != Errc::not_found)
      out.problems.push_back(path + ": " + link.error().message + " (ignored)");
    if (link) found.push_back(std::move(*link));
  }
  // Two devices with one token would share a page: a copied file, never a random draw.
  std::map<std::string, int> uses;
  for (const EnrollLink& link : found) ++uses[link.token];
  for (EnrollLink& link : found) {
    if (uses[link.token] > 1) {
      out.problems.push_back(enroll_link_path(state_dir, link.device) +
                             ": its token is in another file too (ignored)");
    } else {
      (link.is_open(now) ? out.open : out.expired).push_back(std::move(link));
    }
  }
  // File names sort "alice-phone.json" before "alice.json"; devices sort the other way.
  const auto by_device = [](const EnrollLink& a, const EnrollLink& b) {
    return a.device < b.device;
  };
  std::sort(out.open.begin(), out.open.end(), by_device);
  std::sort(out.expired.begin(), out.expired.end(), by_device);
  return out;
}

}  // namespace certgate::observed
