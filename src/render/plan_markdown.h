// The plan as a pull-request comment (`certgate plan --format markdown`, issue #14): what a
// reviewer reads in the pull request itself. A heading and a one-line summary (action counts,
// who gains and loses access, a refusal in bold), then who gains and loses which site as a table,
// the warnings, the actions as a table, the notes, and, against a base ref, the device and site
// changes. Every piece of input text is escaped (render/markdown.h), so a hostile site name,
// path or reason can neither break a table nor add markup or HTML.
// PURE: values in, a string out; the same inputs give byte-identical output.
#pragma once

#include <cstddef>
#include <string>

#include "plan/base_diff.h"
#include "plan/plan.h"

namespace certgate::render {

struct MarkdownOptions {
  size_t max_bytes = 60000;  // GitHub comments allow 65536 characters
};

// The comment, ending in a newline, at most `options.max_bytes` bytes long. `plan` is the plan
// against the CA host's state (or its snapshot); `base` what the change means against the desired
// state at a base ref. Either pointer may be null, not both; neither is kept after the call.
//
// When everything does not fit, the heading, the summary, the refusal and the warnings stay
// whole; table rows and notes are cut from the end of the comment backwards (the access table
// last), and each cut table ends in a line that says how many rows it lost and where to see
// them. Should the warnings alone not fit, they are cut the same way; should not even the summary
// fit (a limit of a few hundred bytes), the comment is cut at a line end.
// REQUIRES: plan != nullptr || base != nullptr.
std::string plan_markdown(const plan::Plan* plan, const plan::BaseDiff* base,
                          const MarkdownOptions& options);

}  // namespace certgate::render
