#include "observed/manifest.h"

#include <nlohmann/json.hpp>

namespace certgate::observed {
namespace {

constexpr int kFormat = 1;

bool is_sha256(const std::string& s) {
  return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

// Relative, no empty, "." or ".." part: a manifest never points outside its dir.
bool is_relative_path(const std::string& p) {
  if (p.empty() || p.front() == '/' || p.back() == '/') return false;
  size_t start = 0;
  while (start <= p.size()) {
    size_t end = p.find('/', start);
    if (end == std::string::npos) end = p.size();
    std::string_view part(p.data() + start, end - start);
    if (part.empty() || part == "." || part == "..") return false;
    start = end + 1;
  }
  return true;
}

}  // namespace

std::string format_manifest(const Manifest& m) {
  nlohmann::ordered_json j;
  j["format"] = kFormat;
  j["source"] = m.source;
  j["commit"] = m.commit;
  j["target"] = m.target;
  j["dir"] = m.dir;
  j["generated_at"] = m.generated_at;
  if (!m.published_commit.empty()) j["published_commit"] = m.published_commit;
  j["files"] = nlohmann::ordered_json::object();
  for (const auto& [rel, sha] : m.files) j["files"][rel] = sha;
  return j.dump(2) + "\n";
}

Result<Manifest> parse_manifest(std::string_view text, std::string_view name) {
  const std::string where(name);
  auto bad = [&](const std::string& what) {
    return make_error(Errc::invalid, where + ": " + what);
  };
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return bad("not a certgate manifest (not a JSON object)");
  if (!j.contains("format") || !j["format"].is_number_integer() || j["format"] != kFormat)
    return bad("\"format\" is not " + std::to_string(kFormat));
  Manifest m;
  for (auto [key, field] : {std::pair{"source", &m.source},
                            {"commit", &m.commit},
                            {"target", &m.target},
                            {"dir", &m.dir},
                            {"generated_at", &m.generated_at},
                            {"published_commit", &m.published_commit}}) {
    if (!j.contains(key)) continue;
    if (!j[key].is_string()) return bad(std::string("\"") + key + "\" is not a string");
    *field = j[key].get<std::string>();
  }
  if (j.contains("files")) {
    if (!j["files"].is_object()) return bad("\"files\" is not an object");
    for (auto it = j["files"].begin(); it != j["files"].end(); ++it) {
      if (!is_relative_path(it.key()))
        return bad("file \"" + it.key() + "\" is not a relative path inside the dir");
      if (!it.value().is_string() || !is_sha256(it.value().get<std::string>()))
        return bad("file \"" + it.key() + "\" has no sha256 (64 lowercase hex digits)");
      m.files[it.key()] = it.value().get<std::string>();
    }
  }
  return m;
}

}  // namespace certgate::observed
