#include "base/names.h"

#include <arpa/inet.h>

#include <algorithm>

namespace certgate::base {
namespace {

bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool is_alnum(char c) { return is_lower_alnum(c) || (c >= 'A' && c <= 'Z'); }

// One DNS label: letters, digits and inner hyphens, 1 to 63 characters (RFC 1123).
bool is_dns_label(std::string_view label) {
  if (label.empty() || label.size() > 63) return false;
  if (label.front() == '-' || label.back() == '-') return false;
  for (char c : label) {
    if (!is_alnum(c) && c != '-') return false;
  }
  return true;
}

bool is_dns_name(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  size_t start = 0;
  while (true) {
    const size_t dot = name.find('.', start);
    const std::string_view label = name.substr(start, dot - start);
    if (!is_dns_label(label)) return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

bool is_ip_literal(std::string_view text) {
  const std::string s(text);
  unsigned char buf[16];
  return inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

}  // namespace

bool is_valid_name(std::string_view name) {
  if (name.empty() || name.size() > 63) return false;
  if (!is_lower_alnum(name.front())) return false;
  for (char c : name) {
    if (!is_lower_alnum(c) && c != '.' && c != '_' && c != '-') return false;
  }
  return true;
}

std::optional<std::string> name_problem(std::string_view name) {
  if (is_valid_name(name)) return std::nullopt;
  const std::string quoted = "\"" + std::string(name) + "\"";
  if (name.empty()) return "name is empty";
  if (name.size() > 63) return "name " + quoted + " is longer than 63 characters";
  return "name " + quoted +
         " must match [a-z0-9][a-z0-9._-]{0,62} (lowercase letters, digits, '.', '_', '-')";
}

std::string nginx_identifier(std::string_view name) {
  std::string out;
  for (char c : name) {
    if (c == '_') {
      out += "__";
    } else if (c == '-') {
      out += "_d";
    } else if (c == '.') {
      out += "_p";
    } else {
      out += c;
    }
  }
  return out;
}

std::optional<std::string> site_name_problem(std::string_view name) {
  const size_t length = nginx_identifier(name).size();
  if (length <= kMaxNginxIdentifier) return std::nullopt;
  return "site name \"" + std::string(name) + "\" is too long for nginx: its variable " +
         "$certgate_" + nginx_identifier(name) + "_fallback would have " +
         std::to_string(length + 18) + " characters, and nginx builds at most 110 (" +
         std::to_string(kMaxNginxIdentifier) +
         " characters for the name, where '.', '_' and '-' count twice)";
}

std::optional<std::string> server_name_problem(std::string_view name) {
  std::string_view rest = name;
  if (rest.starts_with("*.")) rest.remove_prefix(2);
  if (rest.ends_with(".")) rest.remove_suffix(1);
  if (is_dns_name(rest) || is_ip_literal(name)) return std::nullopt;
  return "server name \"" + std::string(name) +
         "\" is not a DNS name (letters, digits, '-' and '.', optionally starting with \"*.\")";
}

namespace {

// `value` for a message: its start and its length when it is long.
std::string shown(std::string_view value) {
  if (value.size() <= 64) return "\"" + std::string(value) + "\"";
  return "\"" + std::string(value.substr(0, 40)) + "...\" (" + std::to_string(value.size()) +
         " characters)";
}

// Characters that nginx would read as syntax in an unquoted argument, plus anything unprintable.
bool is_unsafe_for_nginx(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u <= 0x20 || u >= 0x7f || c == '"' || c == '\'' || c == ';' || c == '{' || c == '}' ||
         c == '$' || c == '\\' || c == '#';
}

std::optional<std::string> absolute_path_problem(std::string_view what, std::string_view path) {
  const std::string quoted = std::string(what) + " \"" + std::string(path) + "\"";
  if (path.empty() || path.front() != '/') return quoted + " must start with '/'";
  for (char c : path) {
    if (is_unsafe_for_nginx(c)) {
      return quoted +
             " contains a character that is not allowed (whitespace, quotes, ';', '{', '}', "
             "'$', '\\', '#' or non-ASCII)";
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> too_long(std::string_view what, std::string_view value, size_t max) {
  if (value.size() <= max) return std::nullopt;
  return std::string(what) + " " + shown(value) + " is longer than " + std::to_string(max) +
         " characters";
}

std::optional<std::string> public_path_problem(std::string_view path) {
  if (auto p = too_long("public path", path, kMaxPublicPath)) return p;
  if (auto problem = absolute_path_problem("public path", path)) return problem;
  // The gate matches public paths against the raw request path (render/nginx_files.cc), which
  // must not be spelled two ways: no percent-encoding, query, repeated slash or dot segment.
  const std::string quoted = "public path \"" + std::string(path) + "\"";
  if (path.find_first_of("%?") != std::string_view::npos)
    return quoted + " contains '%' or '?': give the path as clients send it, unencoded";
  if (path.find("//") != std::string_view::npos) return quoted + " contains '//'";
  const std::string slashed = std::string(path) + "/";
  if (slashed.find("/./") != std::string::npos || slashed.find("/../") != std::string::npos)
    return quoted + " contains a '.' or '..' segment";
  return std::nullopt;
}

std::optional<std::string> nginx_path_problem(std::string_view path) {
  if (auto p = too_long("path", path, kMaxAbsolutePath)) return p;
  return absolute_path_problem("path", path);
}

std::optional<std::string> email_problem(std::string_view email) {
  if (email.size() > kMaxEmail)
    return "owner " + shown(email) + " is longer than an email address can be (" +
           std::to_string(kMaxEmail) + " characters, RFC 5321)";
  const size_t at = email.find('@');
  const std::string quoted = "\"" + std::string(email) + "\"";
  if (at == std::string_view::npos || at == 0 ||
      email.find('@', at + 1) != std::string_view::npos) {
    return "owner " + quoted + " is not an email address (local@domain)";
  }
  for (char c : email) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f || c == ',' || c == '"' || c == '<' || c == '>' || c == '\\') {
      return "owner " + quoted + " contains a character not allowed in an email address";
    }
  }
  if (!is_dns_name(email.substr(at + 1))) {
    return "owner " + quoted + " has no valid domain after '@'";
  }
  return std::nullopt;
}

std::optional<std::string> address_problem(std::string_view address) {
  if (is_dns_name(address) || is_ip_literal(address)) return std::nullopt;
  return "address \"" + std::string(address) + "\" is neither a DNS name nor an IP address";
}

std::optional<std::string> user_problem(std::string_view user) {
  bool ok = !user.empty() && user.size() <= 32 &&
            ((user.front() >= 'a' && user.front() <= 'z') || user.front() == '_');
  for (char c : user) {
    if (!is_lower_alnum(c) && c != '_' && c != '.' && c != '-') ok = false;
  }
  if (ok) return std::nullopt;
  return "user \"" + std::string(user) + "\" must match [a-z_][a-z0-9_.-]* (at most 32 characters)";
}

std::optional<std::string> branch_name_problem(std::string_view branch) {
  const auto bad = [&](std::string_view why) {
    return "branch \"" + std::string(branch) + "\" is not a valid git branch name (" +
           std::string(why) + ")";
  };
  if (branch.empty() || branch.size() > 255) return bad("1 to 255 characters");
  if (branch == "@" || branch.front() == '-') return bad("not \"@\", no leading '-'");
  for (unsigned char c : branch) {
    if (c < 0x20 || c == 0x7f ||
        std::string_view(" ~^:?*[\\").find(static_cast<char>(c)) != std::string_view::npos)
      return bad("no space, control character or any of ~^:?*[\\");
  }
  for (std::string_view seq : {"..", "@{", "//"}) {
    if (branch.find(seq) != std::string_view::npos) return bad("no \"..\", \"@{\" or \"//\"");
  }
  if (branch.front() == '/' || branch.back() == '/' || branch.back() == '.')
    return bad("no leading '/', no trailing '/' or '.'");
  size_t begin = 0;
  while (begin <= branch.size()) {
    const size_t end = std::min(branch.find('/', begin), branch.size());
    const std::string_view part = branch.substr(begin, end - begin);
    if (part.starts_with('.') || part.ends_with(".lock"))
      return bad("no part starting with '.' or ending with \".lock\"");
    begin = end + 1;
  }
  return std::nullopt;
}

}  // namespace certgate::base
