// Names that certgate writes into file names, certificate subjects and nginx configuration.
//
// Device, group, site and host names share one rule, [a-z0-9][a-z0-9._-]{0,62}, so that they are
// safe as a file name, a certificate CN, an nginx map value and a log field without quoting.
// Other strings that end up in nginx files (server names, paths) have rules of their own here,
// because a stray ';' or '{' in them would change the meaning of the generated configuration.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace certgate::base {

// True when `name` matches [a-z0-9][a-z0-9._-]{0,62}.
bool is_valid_name(std::string_view name);

// Why `name` is not a valid name (for a diagnostic), or nullopt when it is valid.
std::optional<std::string> name_problem(std::string_view name);

// A site name as part of an nginx variable or zone name: [a-z0-9_] only and injective
// ("_" -> "__", "-" -> "_d", "." -> "_p"), so "a-b" and "a_b" never share a variable.
std::string nginx_identifier(std::string_view name);

// The longest nginx_identifier a site may have. Measured on nginx 1.22 with the
// variables_hash_bucket_size 128 that http.conf sets: a variable name of 110 characters builds,
// 111 fails "could not build variables_hash" (each hash element takes 8 + align8(length + 2)
// bytes, and a bucket ends with 8 more). The longest variable certgate names per site is
// $certgate_ID_fallback: 9 + 92 + 9 = 110.
inline constexpr size_t kMaxNginxIdentifier = 92;

// Why site `name` (a valid name) cannot name nginx variables: its identifier is too long.
std::optional<std::string> site_name_problem(std::string_view name);

// The longest public path, owner (RFC 5321: 254 for an address) and absolute path accepted. A
// public path becomes a quoted regex in a map (characters escaped, at most twice as long, plus
// 9): nginx refuses a parameter of 4,093 characters or more ("too long parameter"), so 1,024
// leaves room; no real path is near it.
inline constexpr size_t kMaxPublicPath = 1024;
inline constexpr size_t kMaxEmail = 254;
inline constexpr size_t kMaxAbsolutePath = 1024;
// A probe URL and a git repository URL ([publish].repo).
inline constexpr size_t kMaxUrl = 2048;

// "WHAT \"start...\" (N characters) is longer than MAX characters" when `value` is longer than
// `max`, else nullopt.
std::optional<std::string> too_long(std::string_view what, std::string_view value, size_t max);

// A server_name as nginx takes it: a DNS name, optionally starting with "*." (no regexes).
std::optional<std::string> server_name_problem(std::string_view name);

// A URI path prefix for public_paths: starts with '/', printable ASCII, nothing nginx would
// read as syntax (whitespace, quotes, ';', '{', '}', '$', '\\', '#'), at most kMaxPublicPath.
std::optional<std::string> public_path_problem(std::string_view path);

// An absolute file system path that nginx reads unquoted ([nginx].dir): starts with '/', none of
// the characters public_path_problem refuses.
std::optional<std::string> nginx_path_problem(std::string_view path);

// An email address for the certificate's SAN: local@domain, printable ASCII, no spaces, at most
// kMaxEmail characters.
std::optional<std::string> email_problem(std::string_view email);

// A host address for SSH: a DNS name or an IP literal, never starting with '-'.
std::optional<std::string> address_problem(std::string_view address);

// A POSIX user name for SSH: [a-z_][a-z0-9_.-]*, at most 32 characters.
std::optional<std::string> user_problem(std::string_view user);

// A git branch name as `git check-ref-format --branch` takes it: at most 255 characters, not
// "@", not starting with '-' or '/', not ending with '/' or '.', no "..", "@{" or "//", no
// component starting with '.' or ending with ".lock", no space, control character or any of
// ~^:?*[\ .
std::optional<std::string> branch_name_problem(std::string_view branch);

}  // namespace certgate::base
