#include "apply/device_files.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "observed/enroll_links.h"
#include "pki/inspect.h"
#include "sys/secret_file.h"

namespace certgate::apply {

namespace {
constexpr std::uint32_t kDirMode = 0700;
constexpr std::uint32_t kSecretMode = 0600;
constexpr std::uint32_t kPublicMode = 0644;
constexpr const char* kFiles[] = {"key.pem", "cert.pem", "bundle.p12", "bundle.pass"};
}  // namespace

DeviceFiles::DeviceFiles(sys::Filesystem& fs, std::string state_dir)
    : fs_(fs), state_dir_(std::move(state_dir)) {}

std::string DeviceFiles::devices_dir() const { return sys::join_path(state_dir_, "devices"); }
std::string DeviceFiles::dir(const std::string& device) const {
  return sys::join_path(devices_dir(), device);
}
std::string DeviceFiles::next_dir(const std::string& device) const {
  return sys::join_path(dir(device), "next");
}

namespace {
// In STATE itself, a small folder that recovery cleans of temp files on every run (devices/ may
// hold 10,000 folders and is not listed).
constexpr const char* kJournal = "staging";
}  // namespace

Result<void> DeviceFiles::begin_batch(const std::vector<std::string>& devices) {
  std::string text;
  for (const std::string& d : devices) text += d + "\n";
  if (auto r = fs_.make_dirs(devices_dir(), kDirMode); !r) return r;
  return fs_.write_atomic(sys::join_path(state_dir_, kJournal), text, kSecretMode);
}

Result<std::optional<std::vector<std::string>>> DeviceFiles::unfinished_batch() {
  auto text = fs_.read(sys::join_path(state_dir_, kJournal));
  if (!text) {
    if (text.error().code == Errc::not_found) return std::optional<std::vector<std::string>>();
    return text.error();
  }
  std::vector<std::string> devices;
  size_t start = 0;
  for (size_t i = 0; i < text->size(); ++i) {
    if ((*text)[i] != '\n') continue;
    std::string name = text->substr(start, i - start);
    // Only plain device names: the journal must not steer recovery outside devices/.
    if (!name.empty() && name.find('/') == std::string::npos && name[0] != '.')
      devices.push_back(std::move(name));
    start = i + 1;
  }
  return std::optional<std::vector<std::string>>(std::move(devices));
}

Result<void> DeviceFiles::end_batch() { return fs_.remove(sys::join_path(state_dir_, kJournal)); }

Result<void> DeviceFiles::write_set(const std::string& d, const DeviceMaterial& m) {
  if (auto r = fs_.make_dirs(d, kDirMode); !r) return r;
  if (m.has_key()) {
    if (auto r = fs_.write_deferred(sys::join_path(d, "key.pem"), m.key_pem.reveal(), kSecretMode);
        !r)
      return r;
    if (auto r =
            fs_.write_deferred(sys::join_path(d, "bundle.p12"), m.bundle.reveal(), kSecretMode);
        !r)
      return r;
    const pki::SecretString line(m.password.reveal() + "\n");
    if (auto r = fs_.write_deferred(sys::join_path(d, "bundle.pass"), line.reveal(), kSecretMode);
        !r)
      return r;
  }
  return fs_.write_deferred(sys::join_path(d, "cert.pem"), m.cert_pem, kPublicMode);
}

Result<void> DeviceFiles::stage(const DeviceMaterial& m) {
  if (auto r = clear_next(m.device); !r) return r;
  return write_set(next_dir(m.device), m);
}

Result<void> DeviceFiles::install(const std::string& device) {
  // Renames, not new writes: staged files are already complete, and creating and deleting
  // thousands of inodes dominated a large batch.
  for (const char* name : {"key.pem", "bundle.p12", "bundle.pass", "cert.pem"}) {
    auto r = fs_.rename(sys::join_path(next_dir(device), name), sys::join_path(dir(device), name));
    if (!r && r.error().code != Errc::not_found) return r;
  }
  return {};
}

Result<void> DeviceFiles::remove_stale_secrets(const std::string& device) {
  auto key = fs_.read(sys::join_path(dir(device), "key.pem"));
  if (!key) return key.error().code == Errc::not_found ? Result<void>() : key.error();
  pki::SecretString key_pem(std::move(*key));
  auto cert = fs_.read(sys::join_path(dir(device), "cert.pem"));
  if (cert && pki::key_matches(key_pem.reveal(), *cert)) return {};
  return remove_secrets(device);
}

Result<void> DeviceFiles::clear_next(const std::string& device) {
  const std::string next = next_dir(device);
  auto names = fs_.list(next);
  if (!names) return names.error().code == Errc::not_found ? Result<void>() : names.error();
  for (const std::string& n : *names) {
    if (auto r = fs_.remove(sys::join_path(next, n)); !r) return r;
  }
  return fs_.remove(next);
}

Result<std::optional<DeviceMaterial>> DeviceFiles::read_next(const std::string& device) {
  const std::string next = next_dir(device);
  auto cert = fs_.read(sys::join_path(next, "cert.pem"));
  if (!cert) {
    if (cert.error().code == Errc::not_found) return std::optional<DeviceMaterial>();
    return cert.error();
  }
  auto info = pki::inspect_certificate(*cert);
  if (!info) return std::optional<DeviceMaterial>();  // torn: never committed
  DeviceMaterial m;
  m.device = device;
  m.serial = info->serial;
  m.not_after = info->not_after;
  m.cert_pem = std::move(*cert);
  const std::string secrets[] = {"key.pem", "bundle.p12", "bundle.pass"};
  pki::SecretString* slots[] = {&m.key_pem, &m.bundle, &m.password};
  for (int i = 0; i < 3; ++i) {
    auto bytes = fs_.read(sys::join_path(next, secrets[i]));
    if (!bytes && bytes.error().code != Errc::not_found) return bytes.error();
    if (bytes) {
      std::string v = std::move(*bytes);
      if (i == 2 && !v.empty() && v.back() == '\n') v.pop_back();
      *slots[i] = pki::SecretString(std::move(v));
    }
  }
  return std::optional<DeviceMaterial>(std::move(m));
}

Result<void> DeviceFiles::remove_secrets(const std::string& device) {
  for (const char* name : kFiles) {
    if (std::string(name) == "cert.pem") continue;
    if (auto r = fs_.remove(sys::join_path(dir(device), name)); !r) return r;
  }
  // An open enrollment link serves the device's bundle: it ends with the key, so that a device
  // revoked and later restored (or a new device of the same name) does not revive it.
  return fs_.remove(observed::enroll_link_path(state_dir_, device));
}

Result<std::optional<pki::SecretString>> DeviceFiles::read_password(const std::string& device) {
  auto text = sys::read_secret(fs_, sys::join_path(dir(device), "bundle.pass"));
  if (!text && text.error().code == Errc::refused) return text.error();
  if (!text) return std::optional<pki::SecretString>{};
  pki::SecretString line(std::move(*text));
  std::string_view pass = line.reveal();
  while (!pass.empty() && (pass.back() == '\n' || pass.back() == '\r')) pass.remove_suffix(1);
  // What random_password makes, and what a hand-made one could sensibly be.
  const bool usable =
      !pass.empty() && pass.size() <= 256 &&
      std::all_of(pass.begin(), pass.end(), [](char c) { return c > 0x20 && c < 0x7f; });
  if (!usable) {
    spdlog::warn(
        "device={}: its bundle.pass is empty or not printable; the renewed bundle gets a "
        "new password",
        device);
    return std::optional<pki::SecretString>{};
  }
  return std::optional<pki::SecretString>(pki::SecretString(std::string(pass)));
}

}  // namespace certgate::apply
