#include "cli/ca_passphrase.h"

#include <cstdlib>

#include "sys/secret_file.h"

namespace certgate::cli {

namespace {

Result<CaPassphrase> read_from(sys::Filesystem& fs, const std::string& path, std::string origin,
                               bool check_mode) {
  if (!fs.stat(path)) return make_error(Errc::not_found, origin + ": no such file");
  auto bytes = check_mode ? sys::read_secret(fs, path) : fs.read(path);
  if (!bytes) return bytes.error();
  // Trimmed in its own buffer, which SecretString then owns and wipes.
  std::string& value = *bytes;
  if (value.ends_with("\n")) {
    value.pop_back();
    if (value.ends_with("\r")) value.pop_back();
  }
  pki::SecretString passphrase(std::move(value));
  if (passphrase.empty())
    return make_error(Errc::refused, origin + " is empty: a CA key needs a real passphrase");
  return CaPassphrase{std::move(passphrase), std::move(origin)};
}

}  // namespace

Result<std::optional<CaPassphrase>> read_ca_passphrase(sys::Filesystem& fs,
                                                       const GlobalOptions& g) {
  if (!g.ca_passphrase_file.empty()) {
    auto p =
        read_from(fs, g.ca_passphrase_file, "--ca-passphrase-file " + g.ca_passphrase_file, true);
    if (!p) return p.error();
    return std::optional<CaPassphrase>(std::move(*p));
  }
  const char* credentials = std::getenv("CREDENTIALS_DIRECTORY");
  if (credentials == nullptr || *credentials == '\0') return std::optional<CaPassphrase>();
  const std::string path = sys::join_path(credentials, kCredentialName);
  if (!fs.stat(path)) return std::optional<CaPassphrase>();
  // systemd makes the credential readable by the service alone, in a folder only it can enter.
  auto p = read_from(fs, path, std::string("the systemd credential ") + kCredentialName, false);
  if (!p) return p.error();
  return std::optional<CaPassphrase>(std::move(*p));
}

std::string passphrase_hint() {
  return std::string(
             "--ca-passphrase-file FILE, CERTGATE_CA_PASSPHRASE_FILE or the systemd "
             "credential ") +
         kCredentialName;
}

Result<void> unlock_with_passphrase(sys::Filesystem& fs, const GlobalOptions& g,
                                    std::optional<CaPassphrase>& held, apply::ApplyContext& ctx) {
  ctx.passphrase_hint = passphrase_hint();
  auto p = read_ca_passphrase(fs, g);
  if (!p) return p.error();
  held = std::move(*p);
  if (held) {
    ctx.ca_passphrase = &held->value;
    ctx.passphrase_origin = held->origin;
  }
  return {};
}

}  // namespace certgate::cli
