// What the [enroll] site's nginx files add (DESIGN.md section 3, "Pickup through the gate" and
// "First enrollment"). PURE: values in, text out; render/nginx_files.cc puts the pieces in place.
//
// Pickup: any valid, unrevoked certificate of this CA reaches {path}bundle.p12,
// {path}bundle.mobileconfig and {path}cert.pem on the enroll site, whatever the allowlists
// (http.conf's $certgate_ID_pickup opens the gate for exactly those three raw paths when
// $certgate_device names the certificate). Each answers with a file of DIR/pickup/ named after
// the device that $ssl_client_serial maps to (`try_files /$certgate_device.p12`): nginx picks the
// file by the serial the TLS handshake verified, and no part of the request's path or query
// builds a file name, so a device never gets another device's file.
//
// First enrollment: each open link is three exact locations {path}e/TOKEN/, .../bundle.p12 and
// .../bundle.mobileconfig in DIR/pickup/links.conf (the token is a secret: that file is
// 0640 root:worker_group like the bundles, never world-readable), reachable without a
// certificate (link-shaped raw paths are public); any other {path}e/... answers with the dead-link
// page.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "desired/desired_state.h"

namespace certgate::render {

// An open first-enrollment link as the files need it.
struct EnrollLinkRef {
  std::string device;
  std::string token;  // secret: 32 to 128 lowercase hex digits (observed::token_problem)
  // sha256 of the token: the files' generation (nginx_files.h) mixes this, not the token, so a
  // plan from a snapshot (observed/snapshot.h), which has no token, computes the same one.
  std::string token_sha256 = "";

  bool operator==(const EnrollLinkRef&) const = default;
};

// The folder of DIR that holds the bundles, profiles, certificates, pages and links.conf.
inline constexpr const char* kPickupDir = "pickup";
inline constexpr const char* kLinksConf = "pickup/links.conf";

// True when `site` serves [enroll] in `desired`.
bool is_enroll_site(const desired::DesiredState& desired, const desired::Site& site);

// True when a target serving `sites` serves the [enroll] site: it holds DIR/pickup/.
bool serves_enroll(const desired::DesiredState& desired, const std::vector<std::string>& sites);

// http.conf: $certgate_ID_pickup, 1 when a certificate of a device asks for a pickup file.
std::string pickup_map(const std::string& id, const desired::Enroll& enroll);

// A public-map entry: the raw paths of link-shaped {path}e/TOKEN/ requests, with or without a
// query (chat apps add one); no certificate needed, an unknown token meets the dead-link page.
std::string enroll_public_entry(const desired::Enroll& enroll);

// SITE.conf of the enroll site (`id`: render::nginx_identifier of its name): the pickup
// locations, the page their refusals end at (never the operator's error_page lines), the
// dead-link location and the include of DIR/pickup/links.conf. `dead_link_page` is the HTML of
// render::dead_link_page().
std::string pickup_locations(const std::string& id, const desired::Enroll& enroll,
                             const std::string& dir, const std::string& dead_link_page);

// DIR/pickup/links.conf's locations, one set per link (sorted by device), not logged (their URIs
// hold the token); `header` goes first.
std::string links_conf(const std::string& id, const desired::Enroll& enroll, const std::string& dir,
                       const std::vector<EnrollLinkRef>& links, const std::string& header);

// `links_conf` (a deployed pickup/links.conf) without the locations of links whose token is not
// in `open`: what a refused apply deploys (cli/crl_guard.h), so that a cancelled or expired link
// dies even while the desired state cannot be applied.
std::string without_links(std::string_view links_conf, const std::set<std::string>& open);

}  // namespace certgate::render
