// Escaping text for XML and HTML, shared by the Apple configuration profile (pki/mobileconfig.h)
// and the enrollment pages (render/enroll_pages.h). No I/O.
#pragma once

#include <string>
#include <string_view>

namespace certgate::base {

// `text` safe as XML or HTML character data and as a quoted attribute value: '&', '<', '>', '"'
// and '\'' become entities; control characters that XML 1.0 does not allow (everything below
// U+0020 except tab, newline and carriage return, and DEL) become U+FFFD. Other bytes (UTF-8
// included) pass through unchanged.
std::string escape_markup(std::string_view text);

}  // namespace certgate::base
