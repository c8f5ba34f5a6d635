// certgate init [DIR]: write a commented starter certgate.toml that validates as it is.
#include <cstdio>

#include "cli/commands.h"
#include "cli/load.h"
#include "render/include_lines.h"
#include "sys/clock.h"
#include "sys/real_filesystem.h"

namespace certgate::cli {
namespace {

constexpr const char* kStarter =
    R"toml(# certgate desired state: who may reach which private site through nginx.
# Commit this file to git; it holds no secret. `certgate validate` checks it,
# `certgate plan` shows what would change, `certgate apply` does it.
schema = 1

[ca]
common_name = "My Private Sites CA"   # the CA's subject; never change it once issued
# organization = "Example Ltd"
key = "ec-p256"                       # ec-p256 | ec-p384 | ed25519 | rsa-2048 | rsa-3072 | rsa-4096
validity = "10y"
crl_validity = "30d"                  # CRL nextUpdate = thisUpdate + crl_validity
crl_refresh_before = "7d"             # regenerate the CRL when nextUpdate is nearer than this

[defaults]                            # for every device unless it says otherwise
key = "ec-p256"
validity = "365d"
renew_before = "30d"
p12_profile = "compat"                # compat: imports on macOS, iOS, Android, Windows, Firefox
                                      # modern: AES-256/PBKDF2, Firefox/Windows 10+/recent Android

# One [[device]] per certificate holder: a phone, a laptop, a browser profile.
[[device]]
name = "admin-laptop"                 # [a-z0-9][a-z0-9._-]{0,62}; the certificate's CN
owner = "admin@example.com"           # optional: email in the certificate
groups = ["admins"]
# csr = "csr/admin-laptop.csr"        # sign a CSR from this repo: the key never leaves the device
# not_after = "2027-03-31"            # hard end: not renewed past it, revoked after it
# revoked = "keyCompromise"           # revoke now (RFC 5280 reason); deleting the entry also revokes

# One [[site]] per nginx server{} to guard.
[[site]]
name = "admin"                        # include files are named after it
server_names = ["admin.example.com"]
allow_groups = ["admins"]             # no allow_groups/allow_devices: any valid device may enter
# allow_devices = ["admin-laptop"]
# public_paths = ["/healthz"]         # reachable without a certificate
forward_identity = true               # X-Client-* headers to the upstream
# probe = "https://127.0.0.1:443"     # where `certgate verify` knocks

# [site.fallback]                     # a temporary side door while devices enrol
# allow_ips = ["203.0.113.7/32"]
# until = "2026-12-15T00:00:00Z"      # closed by the agent after this instant

[nginx]                               # where the include files go on each target
dir = "/etc/nginx/certgate"
test = "nginx -t"
reload = "nginx -s reload"

# [[host]]                            # absent: deploy to this machine only
# name = "edge-1"
# address = "edge-1.example.com"
# user = "deploy"

[rollout]
canary = 1                            # hosts done one by one first
batch = 5                             # then this many at once
max_failures = 0                      # stop after more failed hosts than this

[safety]
max_revocations = 5                   # more in one apply needs --allow-mass-revoke
)toml";

int run_init(const GlobalOptions& g, const std::string& dir) {
  sys::RealFilesystem fs;
  const std::string path = sys::join_path(dir, g.source.file);
  if (!source::is_safe_relative_path(g.source.file)) {
    return fail("init: --file " + g.source.file + " must be a relative path");
  }
  if (fs.stat(path)) return fail("init: " + path + " already exists; it was left as it is");
  if (auto r = fs.make_dirs(sys::parent_path(path), 0755); !r) {
    return fail("init: " + r.error().message);
  }
  if (auto r = fs.write_atomic(path, kStarter, 0644); !r) return fail("init: " + r.error().message);
  std::printf("wrote %s\nnext: edit it, then run `certgate validate --source %s`\n", path.c_str(),
              dir.c_str());
  return 0;
}

// certgate init --nginx: the include lines for the sites of the desired state (--source).
int run_init_nginx(const GlobalOptions& g) {
  sys::RealFilesystem fs;
  auto loaded = load_and_report(g, sys::RealClock().now(), fs);
  if (!loaded) return 1;
  std::printf("%s", render::include_lines(loaded->state).c_str());
  return 0;
}

}  // namespace

void add_init_command(CLI::App& app, GlobalOptions& g, CommandTable& commands) {
  CLI::App* cmd = app.add_subcommand("init", "Write a commented starter certgate.toml");
  auto dir = std::make_shared<std::string>(".");
  auto nginx = std::make_shared<bool>(false);
  cmd->add_option("DIR", *dir, "Directory to write it in (created if missing)");
  cmd->add_flag("--nginx", *nginx,
                "Write nothing; print the include lines nginx needs for the sites of --source");
  commands[cmd] = [&g, dir, nginx] { return *nginx ? run_init_nginx(g) : run_init(g, *dir); };
}

}  // namespace certgate::cli
