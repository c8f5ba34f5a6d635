// Carrying out a CA rollover (plan/rollover.h) on STATE: the next CA is made whole in
// STATE/ca-next, then STATE/ca becomes STATE/ca-previous and STATE/ca-next becomes STATE/ca,
// each rename durable before the next. A kill at any point leaves either the old CA in STATE/ca
// (ca-next is set aside by recover_rollover, having signed nothing) or the new one there with
// the old in ca-previous. Retiring moves STATE/ca-previous to STATE/retired/ca-SERIAL and
// destroys its key. REQUIRES: the caller holds STATE/lock.
#pragma once

#include <string>

#include "apply/pki_apply.h"

namespace certgate::apply {

// Two tiers: makes the next intermediate's key (encrypted when [ca] asks) and CSR in
// STATE/ca-next, its subject's serialNumber `generation` (plan::next_generation), for the root
// to sign. It waits there (recover_rollover keeps it) until the source holds what the root signed.
Result<void> request_next_intermediate(const desired::DesiredState& desired, ApplyContext& ctx,
                                       const std::string& generation);

// Makes the CA [ca] describes in STATE/ca-next (its key encrypted when [ca] asks, Errc::refused
// before anything is made without a passphrase), or for two tiers installs the source's
// intermediate beside the next key there, and moves it into STATE/ca.
Result<void> start_rollover(const desired::DesiredState& desired, ApplyContext& ctx);

// Moves STATE/ca-previous (the CA whose certificate serial is `serial`) to
// STATE/retired/ca-SERIAL and removes its key, durably.
Result<void> retire_previous_ca(ApplyContext& ctx, const std::string& serial);

// The rollover's step `plan` takes before anything is signed (request_next_intermediate or
// start_rollover), noted in `report`.
Result<void> roll_over(const plan::Plan& plan, const desired::DesiredState& desired,
                       const observed::ObservedState& observed, ApplyContext& ctx,
                       ApplyReport& report);

struct RolloverRecovery {
  bool finished_swap = false;   // STATE/ca-next was moved into STATE/ca
  bool set_aside_next = false;  // an unfinished STATE/ca-next went to STATE/retired/
  int removed_keys = 0;         // keys of retired CAs an interrupted retirement left
};

// Finishes what an interrupted rollover or retirement left: STATE/ca missing with ca-previous
// and ca-next there (the swap half done) gets ca-next moved in; a ca-next beside STATE/ca never
// took effect and goes to STATE/retired/ca-next-interrupted-N (a key is never destroyed on a
// guess), unless it is a next intermediate (kept); a retired CA's key is removed.
Result<RolloverRecovery> recover_rollover(sys::Filesystem& fs, const std::string& state_dir);

}  // namespace certgate::apply
