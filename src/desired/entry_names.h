// The names of the [[device]] or [[site]] entries of a desired-state file, for shell completion
// (`certgate __complete`): read from a file that may not validate yet (one being edited), so
// only its TOML must parse.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace certgate::desired {

// The `name` of each entry of the array of tables `array` ("device", "site") in `toml`, in file
// order; names with characters a device or site name cannot hold are left out. Empty when the
// text is not TOML or is over the limits every command enforces (desired/toml_limits.h).
std::vector<std::string> entry_names(std::string_view toml, std::string_view array);

}  // namespace certgate::desired
