// The Prometheus text exposition format's two building blocks, shared by the metrics of a sync
// (render/metrics.h) and of an edge tick (render/edge_metrics.h). PURE.
#pragma once

#include <string>

namespace certgate::render::prometheus {

// A label value: backslash, double quote and newline escaped (exposition format).
std::string label(const std::string& value);

// Appends the "# HELP" and "# TYPE" lines of metric family `name` to `out`.
void family(std::string& out, const char* name, const char* type, const char* help);

}  // namespace certgate::render::prometheus
