// certgate enroll DEVICE [--qr] [--cancel]: a one-time enrollment link for a device (DESIGN.md
// section 3, "First enrollment"). It records the link's token in STATE/enroll/DEVICE.json and
// prints the link and the bundle password; the next apply or sync deploys the page behind it.
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdio>

#include "apply/enroll_store.h"
#include "base/duration.h"
#include "base/names.h"
#include "cli/audit.h"
#include "cli/commands.h"
#include "cli/load.h"
#include "pki/secret.h"
#include "render/enroll_pages.h"
#include "render/terminal_qr.h"
#include "sys/clock.h"
#include "sys/file_lock.h"
#include "sys/real_filesystem.h"
#include "sys/secret_file.h"

namespace certgate::cli {
namespace {

struct EnrollFlags {
  std::string device;
  bool qr = false;
  bool cancel = false;
};

// Why `device` gets no enrollment link, or "" when it may have one.
std::string refusal(const desired::Device* device, const std::string& name, base::Instant now) {
  if (device == nullptr) return "no device \"" + name + "\" in the desired state";
  if (device->is_revoked())
    return "device " + name + " is revoked (" + std::string(base::to_string(*device->revoked)) +
           "): it gets no enrollment link";
  if (device->not_after && now >= *device->not_after)
    return "device " + name + " ended at " + base::format_rfc3339(*device->not_after) +
           " (not_after): it gets no enrollment link";
  if (device->has_csr())
    return "device " + name +
           " has a CSR: its key never leaves the device, so there is no bundle to enroll; its "
           "certificate (public) is in the state directory's devices/" +
           name + "/cert.pem";
  return "";
}

// The device's bundle password, or nullopt when no bundle was made yet.
Result<std::optional<pki::SecretString>> bundle_password(sys::Filesystem& fs,
                                                         const std::string& dir) {
  auto cert = fs.stat(sys::join_path(dir, "cert.pem"));
  if (!cert && cert.error().code == Errc::not_found) return std::optional<pki::SecretString>{};
  auto pass = sys::read_secret(fs, sys::join_path(dir, "bundle.pass"));
  if (!pass && pass.error().code == Errc::not_found) return std::optional<pki::SecretString>{};
  if (!pass) return pass.error();
  pki::SecretString secret(std::move(*pass));
  std::string trimmed = secret.reveal();
  while (!trimmed.empty() && (trimmed.back() == '\n' || trimmed.back() == '\r')) trimmed.pop_back();
  return std::optional<pki::SecretString>(pki::SecretString(std::move(trimmed)));
}

// Human notes go to stderr, the link and the password to stdout (line 1 and line 2), so
// `certgate enroll DEVICE | sed -n 1p` gives the link alone.
void note(const std::string& text) {
  std::fflush(stdout);
  std::fprintf(stderr, "%s\n", text.c_str());
}

int print_link(const std::string& url, const std::optional<pki::SecretString>& password,
               const observed::EnrollLink& link, bool qr, const std::string& device_dir) {
  std::string code;
  if (qr) {
    auto drawn = render::terminal_qr(
        url, ::isatty(STDOUT_FILENO) ? render::QrColors::ansi : render::QrColors::none);
    if (!drawn) return fail(drawn.error().message);
    code = std::move(*drawn);
  }
  note("Enrollment link for " + link.device + " (send it by chat or mail" +
       (qr ? ", or let the phone scan the code below" : "") + "):");
  std::printf("%s\n", url.c_str());
  if (password) {
    note("Password of its bundle (tell it separately, e.g. by phone; it is not in the link):");
    std::printf("%s\n", password->reveal().c_str());
  } else {
    note(link.device +
         " has no certificate yet: the next apply or sync issues it, and the link "
         "serves it from then on; its password will be in " +
         sys::join_path(device_dir, "bundle.pass") + ".");
  }
  if (qr) std::fputs(code.c_str(), stdout);
  note("The link goes live at the next apply or sync and works until " +
       base::format_rfc3339(link.expires_at) + " (" +
       base::format_duration(link.expires_at - link.created_at) + "), or until `certgate enroll " +
       link.device + " --cancel`. Running `certgate enroll " + link.device +
       "` again replaces it.");
  return 0;
}

int run_enroll(const GlobalOptions& g, const EnrollFlags& flags) {
  auto now = evaluation_time(g);  // the real clock: refuse_now has run
  if (!now) return fail(now.error().message);
  sys::RealFilesystem fs;
  auto loaded = load_and_report(g, *now, fs);
  if (!loaded) return 1;
  const desired::DesiredState& desired = loaded->state;
  if (!desired.enroll)
    return fail("enroll " + flags.device +
                ": the desired state has no [enroll] table; add one naming the site that serves "
                "enrollment links (site = \"...\")");
  const std::string why = refusal(desired.find_device(flags.device), flags.device, *now);
  if (!why.empty()) return fail("enroll " + flags.device + ": " + why);
  const desired::Site* site = desired.find_site(desired.enroll->site);
  CG_CHECK(site != nullptr);  // desired/ checks that [enroll].site names a site
  if (!render::enroll_authority(*site))
    return fail("enroll " + flags.device + ": site " + site->name +
                " has no server name without a wildcard to put in the link");
  const std::string state = absolute_state_dir(g);
  // A state directory others may enter would expose the token file's folder.
  if (auto r = sys::prepare_private_dir(fs, state); !r) return fail(r.error().message);
  auto lock = sys::FileLock::acquire(sys::join_path(state, "lock"));
  if (!lock) return fail(lock.error().message);
  const std::string device_dir = sys::join_path(sys::join_path(state, "devices"), flags.device);
  auto password = bundle_password(fs, device_dir);
  if (!password) return fail("enroll " + flags.device + ": " + password.error().message);
  auto link = apply::open_enroll_link(fs, state, flags.device, *now, desired.enroll->link_validity);
  if (!link) return fail("enroll " + flags.device + ": " + link.error().message);
  // The token is the link's secret: the log and the audit trail name the device and the expiry.
  spdlog::info("enroll link opened device={} expires={}", flags.device,
               base::format_rfc3339(link->expires_at));
  if (auto r = record_audit(fs, state, audit_origin("enroll", *now, &loaded->snapshot, ""),
                            {{"enroll", flags.device, "", "", "",
                              "link opened, expires " + base::format_rfc3339(link->expires_at)}});
      !r)
    return fail("enroll " + flags.device + ": " + r.error().message);
  return print_link(render::enroll_link_url(*site, *desired.enroll, link->token), *password, *link,
                    flags.qr, device_dir);
}

// Works without a desired state (one that does not parse must not keep a link alive) and for a
// device no longer in it.
int run_cancel(const GlobalOptions& g, const EnrollFlags& flags) {
  sys::RealFilesystem fs;
  const std::string state = absolute_state_dir(g);
  bool cancelled = false;
  if (fs.stat(state)) {
    auto lock = sys::FileLock::acquire(sys::join_path(state, "lock"));
    if (!lock) return fail(lock.error().message);
    auto r = apply::cancel_enroll_link(fs, state, flags.device);
    if (!r) return fail("enroll " + flags.device + " --cancel: " + r.error().message);
    cancelled = *r;
  }
  if (!cancelled) {
    std::printf("%s has no open enrollment link; nothing to cancel.\n", flags.device.c_str());
    return 0;
  }
  spdlog::info("enroll link cancelled device={}", flags.device);
  if (auto r = record_audit(fs, state, audit_origin("enroll", sys::RealClock().now(), nullptr, ""),
                            {{"enroll", flags.device, "", "", "", "link cancelled"}});
      !r)
    return fail("enroll " + flags.device + " --cancel: " + r.error().message);
  std::printf(
      "Cancelled the enrollment link of %s: the next apply or sync takes its page down, and the "
      "link answers \"expired or cancelled\" from then on.\n",
      flags.device.c_str());
  return 0;
}

int run(const GlobalOptions& g, const EnrollFlags& flags) {
  if (auto r = refuse_now(g, "enroll"); !r) return fail(r.error().message);
  if (auto problem = base::name_problem(flags.device))
    return fail("enroll: \"" + flags.device + "\" is not a device name: " + *problem);
  return flags.cancel ? run_cancel(g, flags) : run_enroll(g, flags);
}

}  // namespace

void add_enroll_command(CLI::App& app, GlobalOptions& g, CommandTable& commands) {
  auto flags = std::make_shared<EnrollFlags>();
  CLI::App* cmd = app.add_subcommand(
      "enroll", "Print a one-time enrollment link for a device, and its bundle password");
  cmd->add_option("DEVICE", flags->device, "Device name")->required();
  CLI::Option* qr =
      cmd->add_flag("--qr", flags->qr, "Also print the link as a QR code (never the password)");
  cmd->add_flag("--cancel", flags->cancel,
                "End the device's open link (its page goes at the next apply or sync)")
      ->excludes(qr);
  cmd->footer(
      "The link (https://SERVER{[enroll].path}e/TOKEN/, SERVER the [enroll] site's first server\n"
      "name) goes live at the next apply or sync and serves, without a client certificate, a\n"
      "page with the device's bundle.p12 and bundle.mobileconfig until [enroll].link_validity\n"
      "has passed or --cancel. One link per device: enrolling again replaces it. The token is\n"
      "kept in STATE/enroll/DEVICE.json (0600). Stdout has the link, then the password; notes\n"
      "go to stderr.");
  commands[cmd] = [&g, flags] { return run(g, *flags); };
}

}  // namespace certgate::cli
