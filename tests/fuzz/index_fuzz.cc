// libFuzzer target for certgate::pki::parse_index, the reader of `openssl ca`'s index.txt
// (src/pki/index_format.cc). Any input must parse or fail cleanly, with no crash, leak or
// undefined behaviour. When the parse succeeds, the entries must also survive a round trip:
// parse_index(format_index(entries)) succeeds and gives equal entries, or the target traps.
//
// Built and run by tests/fuzz/run.sh; seeds are in tests/fuzz/corpus/index/.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "pki/index_format.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto entries = certgate::pki::parse_index(text);
  if (!entries) return 0;

  const std::string formatted = certgate::pki::format_index(*entries);
  auto again = certgate::pki::parse_index(formatted);
  if (!again || *again != *entries) __builtin_trap();

  // Every entry's CN is some suffix of its subject; exercise the splitter too.
  for (const auto& e : *entries) {
    if (e.common_name().size() > e.subject.size()) __builtin_trap();
  }
  return 0;
}
