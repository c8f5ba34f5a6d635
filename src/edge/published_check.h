// edge/: the edge side of pull mode (issue #15, `certgate edge`). An edge host fetches the files
// the CA host published for it (source/git_published.h), checks them here, and deploys them with
// apply/deploy.h. This file is the check: everything a hostile or broken publish repository could
// put in HOST/ is refused before anything on the edge changes.
//
// What HOST/ may hold: ca.pem, crl.pem, http.conf, sites/SITE.conf and sites/SITE.proxy.conf (SITE
// a certgate name) and .certgate-manifest.json (observed/manifest.h), which names the host, the
// nginx dir the files were rendered for and the sha256 of every other file. No bundle, no key, no
// pickup/ file is ever published, so none is accepted.
//
// Pure but for OpenSSL's CRL signature check (pki/inspect.h); nothing is read or written here.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/time.h"
#include "observed/manifest.h"

namespace certgate::edge {

// The CRL nginx is given, as metrics report it: with several CRLs in crl.pem (a chain), the one
// whose nextUpdate comes first, since that is when nginx starts refusing every client.
struct CrlDates {
  long number = -1;
  base::Instant this_update;
  base::Instant next_update;

  bool operator==(const CrlDates&) const = default;
};

// What an edge deploys for its host: checked, nothing else in it.
struct PublishedFiles {
  observed::Manifest manifest;               // HOST/.certgate-manifest.json as published
  std::map<std::string, std::string> files;  // relative to the nginx dir -> bytes; no manifest
  CrlDates crl;

  bool operator==(const PublishedFiles&) const = default;
};

struct CheckInputs {
  std::string host;       // --host: the manifest's target must be this
  std::string nginx_dir;  // --nginx-dir: the manifest's dir must be this (the files name it)
  base::Instant now;      // the CRL's nextUpdate must be at least an hour after it
};

// True for the paths HOST/ may hold: "ca.pem", "crl.pem", "http.conf", the manifest, and
// "sites/NAME.conf" with NAME a valid certgate name (base/names.h), which SITE.proxy also is.
bool is_allowed_path(std::string_view rel);

// Checks the regular files of HOST/ (`tree`: relative path -> bytes) and the entries that are
// not regular files (`not_regular`, each already described). Errc::refused, with a message that
// names the first problem and the file ("HOST/sites/x.sh: not a file certgate publishes"), for:
// any entry not regular; a path not allowed; no manifest, or one that does not parse; a manifest
// for another host or another dir; a file the manifest lists that is missing or whose sha256
// differs; a file it does not list; no ca.pem, crl.pem or http.conf; a CRL check_crl refuses.
Result<PublishedFiles> check_published(const std::map<std::string, std::string>& tree,
                                       const std::vector<std::string>& not_regular,
                                       const CheckInputs& in);

// The CRLs of `crl_pem` (one or more PEM blocks, after any header lines) against the CA
// certificates of `ca_pem`. Errc::invalid when there is no CRL or one does not parse; the dates
// of the CRL that expires first otherwise.
Result<CrlDates> crl_dates(std::string_view crl_pem, std::string_view ca_pem);

// crl_dates, and Errc::refused when a CRL is signed by none of the certificates of `ca_pem`, when
// a certificate of `ca_pem` has no CRL (nginx checks revocation along the whole chain), or
// when its nextUpdate is less than an hour after `now` (`nginx -t` accepts both, and an expired
// CRL makes nginx refuse every client; the CA host refuses the same: apply/target_files.cc).
Result<CrlDates> check_crl(std::string_view crl_pem, std::string_view ca_pem, base::Instant now);

}  // namespace certgate::edge
