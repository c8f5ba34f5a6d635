// certgate bundle DEVICE: (re-)export a device's PKCS#12 bundle from its stored key.
#include <cstdio>

#include "apply/bundle_export.h"
#include "cli/commands.h"
#include "cli/load.h"
#include "cli/pipeline.h"
#include "sys/file_lock.h"
#include "sys/real_filesystem.h"
#include "sys/secret_file.h"

namespace certgate::cli {
namespace {

struct BundleFlags {
  std::string device;
  std::string profile;
  std::string out;
};

int run_bundle(const GlobalOptions& g, const BundleFlags& flags) {
  auto now = evaluation_time(g);
  if (!now) return fail(now.error().message);
  sys::RealFilesystem fs;
  auto loaded = load_and_report(g, *now, fs);
  if (!loaded) return 1;
  const desired::Device* device = loaded->state.find_device(flags.device);
  if (device == nullptr) return fail("no device \"" + flags.device + "\" in the desired state");
  base::P12Profile profile = device->p12_profile;
  if (!flags.profile.empty()) profile = *base::parse_p12_profile(flags.profile);
  const std::string state = absolute_state_dir(g);
  if (auto r = sys::check_private(fs, state); !r) return fail(r.error().message);
  auto lock = sys::FileLock::acquire(sys::join_path(state, "lock"));
  if (!lock) return fail(lock.error().message);
  const std::string dir = sys::join_path(sys::join_path(state, "devices"), flags.device);
  const std::string out = flags.out.empty() ? sys::join_path(dir, "bundle.p12") : flags.out;
  if (auto r = apply::export_bundle(fs, state, flags.device, profile, out); !r)
    return fail("bundle " + flags.device + ": " + r.error().message);
  std::printf("Wrote %s (%s profile); its password is in %s.\n", out.c_str(),
              std::string(base::to_string(profile)).c_str(),
              sys::join_path(dir, "bundle.pass").c_str());
  return 0;
}

}  // namespace

void add_bundle_command(CLI::App& app, GlobalOptions& g, CommandTable& commands) {
  auto flags = std::make_shared<BundleFlags>();
  CLI::App* cmd = app.add_subcommand("bundle", "(Re-)export a device's PKCS#12 bundle");
  cmd->add_option("DEVICE", flags->device, "Device name")->required();
  cmd->add_option("--profile", flags->profile,
                  "compat (default: imports everywhere) or modern (AES-256, PBKDF2)")
      ->check(CLI::IsMember({"compat", "modern"}));
  cmd->add_option("--out", flags->out, "Write the bundle here (default: the device's folder)");
  commands[cmd] = [&g, flags] { return run_bundle(g, *flags); };
}

}  // namespace certgate::cli
