// The pages nginx answers certgate's refusals with (DESIGN.md section 3, "Refusals a browser can
// show"), as the directives render/nginx_files.cc puts in http.conf and the site's includes.
// PURE: values in, text out.
//
// Every refusal is an explicit `text/html; charset=utf-8` page, never the `default_type` the
// operator's config leaves in force (Debian's application/octet-stream makes Chromium show
// ERR_INVALID_RESPONSE), nor a type picked by the request's extension. nginx sets a response's
// type only from a location's `types` and `default_type`, which `if` blocks cannot hold, so all
// refusals go to one named location, `@certgate_ID_refused`, in SITE.conf:
//   - the server-level gate returns 490, a code of certgate's own; SITE.conf's server-level
//     `error_page 490 =403` sends it there as a 403. `error_page` is not allowed in a server-level
//     `if` (nginx 1.22: NGX_HTTP_LIF_CONF but not NGX_HTTP_SIF_CONF, ngx_http_core_module.c), and
//     a server-level `error_page 403` would also catch the operator's own 403s;
//   - the location-level gate of SITE.proxy.conf holds its `error_page 403` inside its `if`
//     (allowed there), so the operator's location still inherits the server's error_page lines;
//   - nginx's own 495 (a certificate it rejects: revoked, expired, of another CA) and 496 (none
//     sent where `ssl_verify_client on` requires one) go there by `error_page 495 496 =400`, as
//     400s like nginx's own pages, before any location or gate runs.
// A named location starts at the location rewrite phase, so the server-level gate does not run
// again on the way to the page. The page's sentence comes from a map of the site keyed on
// "$ssl_client_verify:$certgate_device": $request_uri does not change on internal redirects, and
// the same keys tell every case apart. The page names nothing an attacker could use beyond the
// device's own name ([a-z0-9._-], as site names are): no serial, path or version.
#pragma once

#include <string>
#include <string_view>

#include "desired/desired_state.h"

namespace certgate::render {

// The status the server-level gate returns, never sent: SITE.conf turns it into a 403 page. Not
// a code nginx, IANA or a common proxy assigns, so no error_page of the operator's matches it.
inline constexpr int kGateRefusalCode = 490;

// http.conf's map that gives the sentence of `site`'s refusal page, $certgate_ID_refusal (ID =
// nginx_identifier(site.name)): no certificate ("A client certificate of this site's CA is
// required", then where to get one: `enroll_url` when it is not empty, else the administrator),
// a valid one of a device the site does not allow ("bob is not allowed on admin"), a valid one
// of no device, and the certificate failures nginx reports in $ssl_client_verify (revoked,
// expired, another CA, an unusable CRL).
std::string refusal_map(const desired::Site& site, const std::string& enroll_url);

// SITE.conf's part: the error_page lines, the server-level gate and the named location.
std::string refusal_server_part(const desired::Site& site);

// SITE.proxy.conf's gate: the same check at location level, answered with the same page.
std::string refusal_location_gate(const desired::Site& site);

// A URL as HTML text that is also safe inside a double-quoted nginx string: letters, digits and
// "-._~:/?#[]@!()*+,;=%" as they are, '&' as "&amp;", other printable ASCII (quotes, '<', '$',
// '\\', braces...) as "&#N;", and any other byte percent-encoded ("%0A", "%C3").
std::string html_escaped_url(std::string_view url);

}  // namespace certgate::render
