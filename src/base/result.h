// Result<T>: a value or an Error, the subset of C++23's std::expected that certgate uses.
//
// g++ 12 offers <expected> only under -std=c++2b, so this header stands in for it until the move
// to C++23, which is then a rename. Errors in code travel as Result; problems in user input
// travel as Diagnostics (diagnostic.h). CG_CHECK is for programmer bugs only.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

// Aborts with file:line when a programmer's invariant does not hold. Never used for input.
#define CG_CHECK(cond)                                                              \
  do {                                                                              \
    if (!(cond)) {                                                                  \
      std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                 \
    }                                                                               \
  } while (0)

namespace certgate {

// The few error codes callers branch on (../shared/STYLE.md section 3).
enum class Errc { not_found, invalid, io, crypto, command_failed, refused, stale };

// What went wrong: the message says what was being done, then why
// ("write /etc/nginx/certgate/crl.pem: No space left on device").
struct Error {
  Errc code = Errc::invalid;
  std::string message;

  bool operator==(const Error&) const = default;
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}      // NOLINT: implicit
  Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT: implicit

  bool has_value() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }

  // REQUIRES: has_value().
  T& value() & {
    CG_CHECK(has_value());
    return std::get<0>(v_);
  }
  const T& value() const& {
    CG_CHECK(has_value());
    return std::get<0>(v_);
  }
  T&& value() && {
    CG_CHECK(has_value());
    return std::get<0>(std::move(v_));
  }
  // REQUIRES: !has_value().
  const Error& error() const& {
    CG_CHECK(!has_value());
    return std::get<1>(v_);
  }
  Error&& error() && {
    CG_CHECK(!has_value());
    return std::get<1>(std::move(v_));
  }

  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT: implicit

  bool has_value() const noexcept { return ok_; }
  explicit operator bool() const noexcept { return ok_; }
  // REQUIRES: !has_value().
  const Error& error() const& {
    CG_CHECK(!ok_);
    return error_;
  }

 private:
  Error error_;
  bool ok_ = true;
};

// Shorthand for building an Error in a return statement.
inline Error make_error(Errc code, std::string message) { return Error{code, std::move(message)}; }

}  // namespace certgate
