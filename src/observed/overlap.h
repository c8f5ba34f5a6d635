// A device's live certificates during a renewal overlap (DESIGN.md section 3, "Device
// lifecycle"): which one is newest, and when an older one stops working. Pure functions over
// ObservedState values, shared by status and the metrics (render/) and meant for the planner
// too, so that what status announces is what the next apply does.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "base/time.h"
#include "desired/desired_state.h"
#include "observed/observed_state.h"

namespace certgate::observed {

// The planner's order of a device's certificates: the latest notBefore, then the latest
// notAfter, then the greater serial. True when `a` comes before (is newer than) `b`.
bool is_newer(const Cert& a, const Cert& b);

// The certificates of `device` live at `now`, newest first (is_newer). Pointers into
// `observed.certs`, valid while it is.
std::vector<const Cert*> live_certs(const ObservedState& observed, const std::string& device,
                                    base::Instant now);

// True when `c` still fits `d`: same key type (or the key of d's CSR, when it parses), same
// key origin (CSR or made here), same owner. An older certificate that fits is the predecessor
// of a renewal for expiry; one that does not was replaced for another reason. A certificate
// without its file cannot be compared and counts as fitting. `csr` is observed.find_csr(d.name).
// Why `c` no longer fits `d` (a new key type, key or owner, or a change between a CSR and a key
// made by certgate), or "" when it still does; expiry is not a reason here. The planner
// replaces a certificate for it; an older certificate that does not fit ends with the overlap.
std::string mismatch(const desired::Device& d, const Cert& c, const Csr* csr);
bool fits_device(const desired::Device& d, const Cert& c, const Csr* csr);

// When `old`, a live certificate older than `newest` of the same device, stops working: its own
// notAfter when it fits the device (kept beside a renewal for expiry), else the end of the
// overlap after `newest` was issued (overlap_end), or its notAfter if that comes first. Also
// its notAfter when `newest`'s notBefore is unknown (no file). At and after that instant an old
// certificate that is still live is revoked as superseded by the next apply.
base::Instant predecessor_end(const Cert& old, const Cert& newest, bool fits,
                              std::chrono::seconds overlap);

}  // namespace certgate::observed
