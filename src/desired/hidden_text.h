// Characters that must not reach a terminal, a plan or a log from certgate.toml. Internal to
// desired/.
//
// Every string certgate reads from the desired state ends up somewhere a person reads it: plan
// text, `status`, JSON logs, certificate subjects, nginx files. A newline there forges a plan or
// log line, ESC drives the terminal, NUL cuts a subject field short in OpenSSL, and Unicode's
// bidirectional formatting characters show a reviewer text in another order than the bytes
// (CVE-2021-42574, "Trojan Source"). TableReader refuses them in every string value it reads,
// so no key can be forgotten.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace certgate::desired {

// Whether a string may hold a tab: only shell commands (`[nginx].test`, `.reload`), where a tab
// is a blank like a space, shows as one and forges no line.
enum class Tabs { refused, allowed };

// What is wrong with the first hidden character of `text` (valid UTF-8, as toml++ gives it),
// without quoting the text: "control character U+001B (escape) at character 4". nullopt when
// there is none. Refused: C0 controls U+0000-U+001F (tab only if `tabs` allows it), DEL U+007F,
// C1 controls U+0080-U+009F, the line and paragraph separators U+2028-U+2029, and Unicode's
// Bidi_Control characters U+061C, U+200E-U+200F, U+202A-U+202E, U+2066-U+2069.
std::optional<std::string> hidden_text_problem(std::string_view text, Tabs tabs = Tabs::refused);

}  // namespace certgate::desired
