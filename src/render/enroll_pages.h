// Enrollment links and the pages behind them (DESIGN.md section 3, "First enrollment"): the URL
// `certgate enroll` prints, the small HTML page a phone opens at `{path}e/TOKEN/`, and the page
// every dead link (expired, cancelled, guessed) answers with.
//
// Pure: values in, text out. apply/ deploys the pages (observed/enroll_links.h says where and
// when); nginx serves them as text/html. The pages link to `bundle.mobileconfig` and
// `bundle.p12` relatively, so they resolve under the token's own folder, and to the pickup
// files `../../bundle.*` (`{path}bundle.*`) for later renewals. Neither page ever holds the
// password or the token, and both load nothing from elsewhere (no script, image or font).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/time.h"
#include "desired/desired_state.h"

namespace certgate::render {

// The host part of the enroll site's URLs: its first server name that is not a wildcard, with
// ":PORT" when the site's probe URL names a port other than 443 (server names carry no port,
// and the probe is where nginx listens for the site). nullopt when every server name is a
// wildcard or there is none.
std::optional<std::string> enroll_authority(const desired::Site& site);

// "https://AUTHORITY{path}": where the pickup files live ({path}bundle.p12, bundle.mobileconfig,
// cert.pem). REQUIRES: enroll_authority(site).
std::string enroll_base_url(const desired::Site& site, const desired::Enroll& enroll);

// "https://AUTHORITY{path}e/TOKEN/": the first-enrollment link. REQUIRES:
// enroll_authority(site) and a token without observed::token_problem.
std::string enroll_link_url(const desired::Site& site, const desired::Enroll& enroll,
                            std::string_view token);

struct EnrollPage {
  std::string_view device;          // whose bundle the link serves
  std::string_view ca_common_name;  // named so the owner knows what they install
  base::Instant expires_at;         // shown: "This link works until ..."
};

// The page at {path}e/TOKEN/ (index.html): what to tap on iOS/macOS (bundle.mobileconfig), on
// Android and on desktops (bundle.p12), what to do next (the password they were told, Android's
// "VPN & app user certificate"), and where renewals come from. Device and CA names are escaped.
std::string enroll_page(const EnrollPage& page);

// The page for a link that has expired, was cancelled or never existed: it names nothing, so a
// guessed token learns nothing.
std::string dead_link_page();

}  // namespace certgate::render
