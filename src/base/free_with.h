// FreeWith<F>: a std::unique_ptr deleter that calls a C library's free function, so each handle
// is wrapped on the line that creates it (STYLE.md section 4). Shared by pki/ (OpenSSL),
// source/ (libgit2) and targets/ (libssh); no library header is needed here.
#pragma once

namespace certgate::base {

template <auto Free>
struct FreeWith {
  template <class T>
  void operator()(T* p) const noexcept {
    Free(p);
  }
};

}  // namespace certgate::base
