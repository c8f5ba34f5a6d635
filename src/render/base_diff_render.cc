#include "render/base_diff_render.h"

namespace certgate::render {

namespace {

using plan::DeviceChangeKind;

constexpr const char* kGreen = "\033[32m";
constexpr const char* kRed = "\033[31m";
constexpr const char* kYellow = "\033[33m";
constexpr const char* kReset = "\033[0m";

std::string pad(std::string s, size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

// "+" for what lets a device in again, "-" for what shuts it out, "~" for the rest.
char sign(DeviceChangeKind kind) {
  switch (kind) {
    case DeviceChangeKind::added:
    case DeviceChangeKind::unrevoked:
      return '+';
    case DeviceChangeKind::removed:
    case DeviceChangeKind::revoked:
      return '-';
    default:
      return '~';
  }
}

const char* color_of(char sign) { return sign == '+' ? kGreen : sign == '-' ? kRed : kYellow; }

// "  + added      alice-phone               groups admins", trailing blanks trimmed.
std::string line(char sign, std::string_view word, const std::string& subject,
                 const std::string& detail, const TextStyle& style) {
  std::string out = "  ";
  if (style.color) out += color_of(sign);
  out += sign;
  out += " " + pad(std::string(word), 11);
  if (style.color) out += kReset;
  out += pad(subject, 26) + detail;
  while (out.back() == ' ') out.pop_back();
  return out + "\n";
}

// "alice-phone -> admin", "public /healthz -> wiki", "fallback 203.0.113.7/32 -> wiki".
std::string access_label(const plan::AccessChange& c) {
  switch (c.kind) {
    case plan::AccessKind::device:
      return c.who + " -> " + c.site;
    case plan::AccessKind::public_path:
      return "public " + c.who + " -> " + c.site;
    case plan::AccessKind::fallback:
      return "fallback " + c.who + " -> " + c.site;
  }
  return c.who;
}

std::string access_line(const plan::AccessChange& c, const TextStyle& style) {
  const char s = c.change == plan::AccessChangeKind::gain ? '+' : '-';
  std::string out = "  ";
  if (style.color) out += color_of(s);
  out += s;
  if (style.color) out += kReset;
  out += " " + pad(access_label(c), 37) + " " + c.why;
  while (out.back() == ' ') out.pop_back();
  return out + "\n";
}

std::string header(const plan::BaseDiff& diff) {
  if (diff.base_commit.empty()) return "Compared with " + diff.base_ref + ":\n";
  return "Compared with " + diff.base_ref + " (commit " + diff.base_commit.substr(0, 7) + "):\n";
}

}  // namespace

std::string base_diff_text(const plan::BaseDiff& diff, const TextStyle& style) {
  std::string out = header(diff);
  for (const plan::DeviceChange& d : diff.devices)
    out += line(sign(d.kind), plan::to_string(d.kind), d.device, d.detail, style);
  for (const std::string& s : diff.sites_added) out += line('+', "site", s, "", style);
  for (const std::string& s : diff.sites_removed) out += line('-', "site", s, "", style);
  if (!diff.access.empty()) out += "Access:\n";
  for (const plan::AccessChange& c : diff.access) out += access_line(c, style);
  if (diff.is_empty()) out += "No change for people.\n";
  for (const std::string& w : diff.warnings) {
    out += style.color ? "\033[1;31mWarning:\033[0m " : "Warning: ";
    out += w + "\n";
  }
  return out;
}

nlohmann::ordered_json base_diff_value(const plan::BaseDiff& diff) {
  nlohmann::ordered_json j;
  j["ref"] = diff.base_ref;
  j["commit"] = diff.base_commit;
  j["devices"] = nlohmann::ordered_json::array();
  for (const plan::DeviceChange& d : diff.devices)
    j["devices"].push_back(
        {{"device", d.device}, {"kind", plan::to_string(d.kind)}, {"detail", d.detail}});
  j["sites_added"] = diff.sites_added;
  j["sites_removed"] = diff.sites_removed;
  j["access"] = nlohmann::ordered_json::array();
  for (const plan::AccessChange& c : diff.access) j["access"].push_back(access_value(c));
  j["revocations"] = diff.revocations;
  j["warnings"] = diff.warnings;
  return j;
}

std::string base_diff_json(const plan::BaseDiff& diff) {
  return base_diff_value(diff).dump(2) + "\n";
}

}  // namespace certgate::render
