// DesiredState: certgate.toml as typed, immutable values (DESIGN.md section 3).
//
// desired/ builds it from a SourceSnapshot (parse.h); every later stage reads it and none
// changes it. Defaults are already applied: a device carries its effective key, validity,
// renew_before and p12_profile, a host its effective nginx settings and site list. Containers
// are sorted by name so equal inputs give equal values and byte-identical output.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "base/cidr.h"
#include "base/diagnostic.h"
#include "base/pki_types.h"
#include "base/time.h"

namespace certgate::desired {

using std::chrono::seconds;

inline constexpr seconds kDay{86400};

// One tier (the CA signs itself) or two: an offline root signs the intermediate this host holds.
enum class CaMode { self_signed, intermediate };

// A public file of a two-tier CA, read from the source like a CSR: its path (relative to the
// desired-state file's folder) and its bytes, empty while the file is not there yet.
struct SourceFile {
  std::string path;
  std::string pem;

  bool operator==(const SourceFile&) const = default;
};

struct CaSpec {
  std::string common_name;
  // Optional subject fields; empty means absent.
  std::string organization;
  std::string organizational_unit;
  std::string country;
  base::KeyType key = base::KeyType::ec_p256;
  seconds validity = 3650 * kDay;
  seconds crl_validity = 30 * kDay;
  seconds crl_refresh_before = 7 * kDay;
  // The next CA is made this long before the CA ends (plan/rollover.h). Not set: a year, or a
  // quarter of `validity` when that is shorter.
  seconds rollover_before = 365 * kDay;
  // "passphrase": the CA key is encrypted on disk; apply needs the passphrase to sign.
  base::KeyProtection key_protection = base::KeyProtection::none;
  CaMode mode = CaMode::self_signed;
  // mode = "intermediate" only: the root's certificate and CRL (`certgate root init`, `root
  // crl`) and the intermediate's certificate the root signed from STATE/ca/intermediate.csr.
  SourceFile root_cert = {"ca/root.crt", ""};
  SourceFile root_crl = {"ca/root.crl", ""};
  SourceFile intermediate_cert = {"ca/intermediate.crt", ""};

  bool is_intermediate() const { return mode == CaMode::intermediate; }
  bool operator==(const CaSpec&) const = default;
};

struct DeviceDefaults {
  base::KeyType key = base::KeyType::ec_p256;
  seconds validity = 365 * kDay;
  seconds renew_before = 30 * kDay;
  base::P12Profile p12_profile = base::P12Profile::compat;
  // How long a certificate replaced for another reason than expiry (a new key type, owner or
  // CSR) stays valid beside its successor; 0 revokes it at once. Renewals for expiry keep the
  // predecessor until its own notAfter.
  seconds overlap = 7 * kDay;

  bool operator==(const DeviceDefaults&) const = default;
};

struct Device {
  std::string name;                     // the certificate CN
  std::string owner;                    // email SAN; empty means none
  std::vector<std::string> groups;      // sorted, unique
  std::optional<std::string> csr_path;  // relative to the desired-state file's folder
  std::string csr_pem;                  // that file's bytes, when csr_path is set
  // What the plan says once, when it signs this CSR, of a subject CN the certificate does not
  // carry ("its subject CN \"bob-laptop\" is ignored; ..."); empty when there is nothing to say.
  std::string csr_cn_note = "";
  std::optional<base::Instant> not_after;  // a date alone means the end of that day (UTC)
  base::KeyType key = base::KeyType::ec_p256;
  seconds validity = 365 * kDay;
  seconds renew_before = 30 * kDay;
  base::P12Profile p12_profile = base::P12Profile::compat;
  std::optional<base::RevocationReason> revoked;
  base::SourceLoc loc;  // where its [[device]] table starts

  bool is_revoked() const { return revoked.has_value(); }
  bool has_csr() const { return csr_path.has_value(); }
  bool operator==(const Device&) const = default;
};

struct Fallback {
  std::vector<base::Cidr> allow_ips;
  base::Instant until;

  bool operator==(const Fallback&) const = default;
};

// Where `certgate verify` connects: https://HOST[:PORT][/PATH].
struct Probe {
  std::string url;
  std::string host;
  int port = 443;
  std::string path = "/";

  bool operator==(const Probe&) const = default;
};

struct Site {
  std::string name;
  std::vector<std::string> server_names;
  std::vector<std::string> allow_groups;   // sorted, unique
  std::vector<std::string> allow_devices;  // sorted, unique
  std::vector<std::string> public_paths;   // sorted, unique
  bool forward_identity = true;
  int verify_depth = 1;
  std::optional<Probe> probe;
  std::optional<Fallback> fallback;
  base::SourceLoc loc;

  // No allow_groups and no allow_devices: any valid certificate of this CA gets in.
  bool allows_any_device() const { return allow_groups.empty() && allow_devices.empty(); }
  // True when `device` may pass this site's gate (by name, by group, or as any device).
  bool allows(const Device& device) const;
  bool operator==(const Site&) const = default;
};

struct NginxSpec {
  std::string dir = "/etc/nginx/certgate";
  std::string test = "nginx -t";
  std::string reload = "nginx -s reload";
  // An access log nginx writes in `log_format certgate` on the target; empty: none known.
  // status and the metrics read which serial each device presented last.
  std::string access_log;
  // The group nginx's worker processes run as (Debian's nginx.conf: `user www-data;`): the
  // bundles a target serves for [enroll] are 0640 root:worker_group, readable by nginx alone.
  std::string worker_group = "www-data";

  bool operator==(const NginxSpec&) const = default;
};

// How a [[host]] gets its files (DESIGN.md section 3).
enum class HostMode {
  push,  // the CA host rolls them out over SSH (address, port, user) and reloads nginx there
  pull,  // never contacted: the CA host commits them to [publish], `certgate edge` fetches them
};

struct Host {
  std::string name;
  HostMode mode = HostMode::push;
  std::string address;  // required for push; may be empty for a pull host
  int port = 22;
  std::string user;                // empty: the SSH default (the local user name)
  std::vector<std::string> sites;  // sorted; all sites when the file names none
  NginxSpec nginx;                 // [nginx] with this host's overrides applied
  base::SourceLoc loc;

  bool is_pull() const { return mode == HostMode::pull; }
  bool operator==(const Host&) const = default;
};

struct Rollout {
  int canary = 1;
  int batch = 5;
  int max_failures = 0;

  bool operator==(const Rollout&) const = default;
};

struct Safety {
  int max_revocations = 5;

  bool operator==(const Safety&) const = default;
};

// [enroll]: devices fetch their certificates through the gate of `site` (DESIGN.md section 3).
struct Enroll {
  std::string site;
  std::string path = "/.well-known/certgate/";  // starts and ends with '/'
  seconds link_validity = std::chrono::hours{24};
  base::SourceLoc loc;

  bool operator==(const Enroll&) const = default;
};

// [publish]: the git repository the files of pull hosts are committed to, one directory per
// host; nothing secret goes there (a pull host may not serve the [enroll] site).
struct Publish {
  std::string repo;  // file://, ssh://, scp-like (user@host:path) or a local path
  std::string branch = "main";
  std::string signing_key;  // absolute path of the SSH private key on the CA host that signs
                            // every publish commit (never read into certgate's memory)
  base::SourceLoc loc;      // where the [publish] table starts

  bool operator==(const Publish&) const = default;
};

struct DesiredState {
  int schema = 1;
  CaSpec ca;
  DeviceDefaults defaults;
  std::vector<Device> devices;  // sorted by name
  std::vector<Site> sites;      // sorted by name
  NginxSpec nginx;
  std::vector<Host> hosts;  // sorted by name; empty means this machine only
  Rollout rollout;
  Safety safety;
  std::optional<Enroll> enroll;
  std::optional<Publish> publish;  // required when a host has mode = "pull"

  // nullptr when there is no such name.
  const Device* find_device(std::string_view name) const;
  const Site* find_site(std::string_view name) const;
  bool operator==(const DesiredState&) const = default;
};

}  // namespace certgate::desired
