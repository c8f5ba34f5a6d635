// The lines an operator adds to their own nginx config once, so that nginx reads certgate's
// files: `certgate init --nginx` prints them, and apply names them when a door is still open
// after the reload. PURE.
#pragma once

#include <string>

#include "desired/desired_state.h"

namespace certgate::render {

// For each site of `state`: where http.conf, SITE.conf and SITE.proxy.conf go, in the
// `[nginx].dir` of the local target (and a line per [[host]] whose dir differs).
std::string include_lines(const desired::DesiredState& state);

// The same for one site in `dir`, indented as a server{} block.
std::string site_include_lines(const desired::Site& site, const std::string& dir);

}  // namespace certgate::render
