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

// A server_name as nginx takes it: a DNS name, optionally starting with "*." (no regexes).
std::optional<std::string> server_name_problem(std::string_view name);

// A URI path prefix for public_paths: starts with '/', printable ASCII, nothing nginx would
// read as syntax (whitespace, quotes, ';', '{', '}', '$', '\\', '#').
std::optional<std::string> public_path_problem(std::string_view path);

// An absolute file system path that nginx reads unquoted ([nginx].dir): starts with '/', none of
// the characters public_path_problem refuses.
std::optional<std::string> nginx_path_problem(std::string_view path);

// An email address for the certificate's SAN: local@domain, printable ASCII, no spaces.
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
