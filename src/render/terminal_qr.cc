#include "render/terminal_qr.h"

#include <qrencode.h>

#include <memory>

#include "base/free_with.h"

namespace certgate::render {
namespace {

using QrCodePtr = std::unique_ptr<QRcode, base::FreeWith<QRcode_free>>;

constexpr int kQuietZone = 4;  // modules, ISO/IEC 18004 section 6.3.8

// Indexed by (top << 1) | bottom, where true means the cell's ink covers that half.
constexpr const char* kGlyphs[4] = {" ", "\xE2\x96\x84", "\xE2\x96\x80", "\xE2\x96\x88"};

}  // namespace

Result<std::string> terminal_qr(std::string_view text, QrColors colors) {
  if (text.empty()) return make_error(Errc::invalid, "QR code: nothing to encode");
  const std::string input(text);  // libqrencode wants a NUL-terminated string
  // Version 0: the smallest that fits. Case-sensitive byte mode keeps the URL as it is.
  QrCodePtr code(QRcode_encodeString(input.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1));
  if (code == nullptr)
    return make_error(Errc::invalid, "QR code: a text of " + std::to_string(text.size()) +
                                         " bytes does not fit in one");
  const int width = code->width;
  const int size = width + 2 * kQuietZone;
  const bool ansi = colors == QrColors::ansi;
  // libqrencode: bit 0 of each byte is the module's colour (1 = dark).
  const auto ink = [&](int x, int y) {
    const int mx = x - kQuietZone;
    const int my = y - kQuietZone;
    const bool dark =
        mx >= 0 && my >= 0 && mx < width && my < width && (code->data[my * width + mx] & 1) != 0;
    // With ANSI colours the ink is black; without, it is the terminal's (light) text colour.
    return ansi ? dark : !dark;
  };
  std::string out;
  for (int y = 0; y < size; y += 2) {
    if (ansi) out += "\x1b[30;47m";
    for (int x = 0; x < size; ++x) {
      // An odd number of rows leaves a last half row below the code: quiet zone, like the rest.
      const bool bottom = y + 1 < size ? ink(x, y + 1) : ink(x, -1);
      out += kGlyphs[(ink(x, y) ? 2 : 0) | (bottom ? 1 : 0)];
    }
    if (ansi) out += "\x1b[0m";
    out += '\n';
  }
  return out;
}

}  // namespace certgate::render
