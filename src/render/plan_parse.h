// A saved plan (`plan --out`, render::plan_json) read back into the plan::Plan it was written
// from: render/ owns the format both ways. Every field is checked for its type, so a file that
// is not one of certgate's plans is an error naming the field and what was found, never an
// exception: "plan.json: \"format_version\" is the string \"1\"; certgate writes the number 1".
// What parse gives back equals what plan_json was given, but for the evaluation time (kept to
// the second) and Plan's derived fields (crl_number, crl_refresh_due, ca_differences), which the
// format does not hold.
#pragma once

#include <string_view>

#include "base/result.h"
#include "plan/plan.h"

namespace certgate::render {

// Errc::invalid with a message naming the field when `text` is not a plan of this format.
Result<plan::Plan> parse_plan(std::string_view text);

}  // namespace certgate::render
