// The plan as people and programs read it: the human form of DESIGN.md section 2 (one line per
// action, an Access summary, a count) and one JSON document (schemas/plan.schema.json).
// PURE: strings in, strings out.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>

#include "plan/base_diff.h"
#include "plan/plan.h"

namespace certgate::render {

struct TextStyle {
  bool color = false;  // ANSI colours, for a TTY only
};

// The human plan, ending in a newline.
std::string plan_text(const plan::Plan& plan, const TextStyle& style);

// The JSON plan, pretty-printed, ending in a newline. Byte-identical for equal plans.
std::string plan_json(const plan::Plan& plan);
// The same with `base` (plan --base REF) under "base", as base_diff_value gives it.
std::string plan_json(const plan::Plan& plan, const plan::BaseDiff& base);

// One entry of an "access" array (schemas/plan.schema.json $defs/access_change): kind, device,
// path or cidr, site, change and why.
nlohmann::ordered_json access_value(const plan::AccessChange& c);

}  // namespace certgate::render
