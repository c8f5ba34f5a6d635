// A QR code of a short text (an enrollment link) drawn with Unicode half blocks for a terminal,
// so `certgate enroll DEVICE --qr` can be scanned with a phone's camera (DESIGN.md section 2).
//
// Pure: text in, text out. libqrencode does the encoding (it stays in this file's .cc); two
// modules stacked in one character cell keep the code square in common terminal fonts.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"

namespace certgate::render {

enum class QrColors {
  // No escape codes: light modules are drawn as blocks, dark ones as blanks, which reads right
  // on a dark terminal (libqrencode's own UTF8 output does the same).
  none,
  // ANSI black on white around the code, which reads right on any terminal background. For a
  // TTY only.
  ansi,
};

// `text` as a QR code (error correction M, byte mode, the smallest version that fits) with the
// 4-module quiet zone ISO/IEC 18004 asks for, one line per two module rows, each ending in
// '\n'. Errc::invalid when the text is empty or too long for a QR code. Never pass it a
// password: a QR code on screen is easy to photograph.
Result<std::string> terminal_qr(std::string_view text, QrColors colors);

}  // namespace certgate::render
