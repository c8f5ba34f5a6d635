// What `certgate edge` checks once its nginx has been reloaded, for the sites given with
// --probe SITE=URL: that new connections meet the files just deployed (apply/reload_wait.h, the
// X-Certgate-Generation header), then the parts of the gate check of apply/gate_check.h an edge
// can run without the CA host's state: a client without a certificate and one with a certificate
// of a throwaway foreign CA must both be refused. The revoked-certificate check needs the CA
// host's revoked probe certificate and key, which are never published: `certgate verify` on the
// CA host (or any host holding them) runs it.
//
// The edge knows a site's probe only from its own command line: the desired state's probe URL
// names where the CA host connects, and the edge should check its own nginx.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/time.h"
#include "desired/desired_state.h"

namespace certgate::cli {

// Sites to probe, built from --probe SITE=URL and --probe-server-name SITE=NAME (the SNI and
// Host header, when the URL's host is an address). Each has its name, probe and server names
// only: no public paths and no fallback, so point each probe at a gated path the probe's
// address is not let in by a [site.fallback].
// Errc::invalid for a malformed option, a bad URL, a site named twice, or a server name for a
// site that has no probe.
Result<std::vector<desired::Site>> edge_probe_sites(const std::vector<std::string>& probes,
                                                    const std::vector<std::string>& server_names);

// After a reload that installed `files` (relative path -> bytes, as published): for each of
// `sites` whose sites/SITE.conf is among them, waits until new connections name the generation of
// files' http.conf, then checks the gate (retrying for a few seconds while old workers answer).
// Prints the checks; returns false, with why on stderr, when a site still serves other files, a
// door is open or a check could not connect. The files are not rolled back then: they are what
// was published, the server{} around them or nginx is not right.
bool edge_gates_closed(const std::vector<desired::Site>& sites,
                       const std::map<std::string, std::string>& files, base::Instant now);

}  // namespace certgate::cli
