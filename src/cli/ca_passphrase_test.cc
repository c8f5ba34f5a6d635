#include "cli/ca_passphrase.h"

#include <doctest/doctest.h>

#include <cstdlib>

#include "support/mem_filesystem.h"

namespace certgate::cli {
namespace {

using testing::MemFilesystem;

Result<std::optional<CaPassphrase>> read_file(MemFilesystem& fs, const std::string& bytes,
                                              std::uint32_t mode = 0600) {
  fs.put("/etc/certgate/pass", bytes, mode);
  GlobalOptions g;
  g.ca_passphrase_file = "/etc/certgate/pass";
  return read_ca_passphrase(fs, g);
}

TEST_CASE("ca passphrase: one trailing newline is not part of it, other bytes are") {
  MemFilesystem fs;
  for (auto [bytes, want] :
       {std::pair{"s3cret\n", "s3cret"}, std::pair{"s3cret\r\n", "s3cret"},
        std::pair{"s3cret", "s3cret"}, std::pair{" two words \n\n", " two words \n"},
        std::pair{"s3cret\r", "s3cret\r"}}) {
    auto p = read_file(fs, bytes);
    REQUIRE(p);
    REQUIRE(p->has_value());
    CHECK((*p)->value.reveal() == want);
    CHECK((*p)->origin == "--ca-passphrase-file /etc/certgate/pass");
  }
}

TEST_CASE("ca passphrase: an empty file, a missing one or one open to others is refused") {
  MemFilesystem fs;
  auto empty = read_file(fs, "\n");
  REQUIRE_FALSE(empty);
  CHECK(empty.error().message.find("is empty") != std::string::npos);
  auto open = read_file(fs, "s3cret\n", 0640);
  REQUIRE_FALSE(open);
  CHECK(open.error().code == Errc::refused);
  CHECK(open.error().message.find("s3cret") == std::string::npos);
  GlobalOptions g;
  g.ca_passphrase_file = "/nowhere";
  auto missing = read_ca_passphrase(fs, g);
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == Errc::not_found);
}

TEST_CASE("ca passphrase: systemd's credential when no file is named, else none") {
  MemFilesystem fs;
  GlobalOptions g;
  ::unsetenv("CREDENTIALS_DIRECTORY");
  auto none = read_ca_passphrase(fs, g);
  REQUIRE(none);
  CHECK_FALSE(none->has_value());
  ::setenv("CREDENTIALS_DIRECTORY", "/run/credentials/certgate.service", 1);
  auto still_none = read_ca_passphrase(fs, g);  // the folder holds no such credential
  REQUIRE(still_none);
  CHECK_FALSE(still_none->has_value());
  fs.put("/run/credentials/certgate.service/certgate-ca-passphrase", "from-tpm\n", 0440);
  auto credential = read_ca_passphrase(fs, g);
  REQUIRE(credential);
  REQUIRE(credential->has_value());
  CHECK((*credential)->value.reveal() == "from-tpm");
  CHECK((*credential)->origin == "the systemd credential certgate-ca-passphrase");
  g.ca_passphrase_file = "/etc/certgate/pass";  // the option wins
  fs.put("/etc/certgate/pass", "from-file", 0600);
  auto file = read_ca_passphrase(fs, g);
  REQUIRE(file);
  CHECK((*file)->value.reveal() == "from-file");
  ::unsetenv("CREDENTIALS_DIRECTORY");
}

}  // namespace
}  // namespace certgate::cli
