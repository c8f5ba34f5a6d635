// The plan as people and programs read it: the human form of DESIGN.md section 2 (one line per
// action, an Access summary, a count) and one JSON document (schemas/plan.schema.json).
// PURE: strings in, strings out.
#pragma once

#include <string>

#include "plan/plan.h"

namespace certgate::render {

struct TextStyle {
  bool color = false;  // ANSI colours, for a TTY only
};

// The human plan, ending in a newline.
std::string plan_text(const plan::Plan& plan, const TextStyle& style);

// The JSON plan, pretty-printed, ending in a newline. Byte-identical for equal plans.
std::string plan_json(const plan::Plan& plan);

}  // namespace certgate::render
