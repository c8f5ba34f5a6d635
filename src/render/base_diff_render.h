// `certgate plan --base REF` as people and programs read it: what the change of the desired state
// since REF means for people (plan/base_diff.h), as a text block for the plan output or a pull
// request comment, and as JSON (standalone, or under "base" in the JSON plan,
// schemas/plan.schema.json $defs/base_diff). PURE: values in, strings out.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "plan/base_diff.h"
#include "render/plan_render.h"

namespace certgate::render {

// The human block, ending in a newline:
//   Compared with main (commit 1a2b3c4):
//     + added      alice-phone               groups admins
//     - revoked    carol-ipad                keyCompromise
//     + site       wiki
//   Access:
//     + alice-phone -> admin                 new device
//     - carol-ipad -> admin                  revoked (keyCompromise)
//   Warning: site wiki becomes public: ...
// "No change for people." stands for the device lines and the Access section when there are none.
std::string base_diff_text(const plan::BaseDiff& diff, const TextStyle& style);

// The JSON object: ref, commit, devices [{device, kind, detail}], sites_added, sites_removed,
// access (the entries of the plan's "access"), revocations, warnings. Every key is always there,
// in this order.
nlohmann::ordered_json base_diff_value(const plan::BaseDiff& diff);

// base_diff_value pretty-printed, ending in a newline. Byte-identical for equal diffs.
std::string base_diff_json(const plan::BaseDiff& diff);

}  // namespace certgate::render
