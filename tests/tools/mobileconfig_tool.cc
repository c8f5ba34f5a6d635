// certgate_mobileconfig DEVICE CA_CERT BUNDLE: prints the Apple configuration profile that
// pki::make_mobileconfig makes for DEVICE's bundle file BUNDLE (a .p12) under the CA certificate
// CA_CERT, for tests/integration/mobileconfig.sh to check with plistlib and openssl. Test-only:
// the product deploys profiles through apply, not through a command.
#include <cstdio>

#include "pki/inspect.h"
#include "pki/mobileconfig.h"
#include "sys/real_filesystem.h"

int main(int argc, char** argv) {
  using namespace certgate;
  if (argc != 4) {
    std::fprintf(stderr, "usage: certgate_mobileconfig DEVICE CA_CERT BUNDLE\n");
    return 2;
  }
  sys::RealFilesystem fs;
  auto ca_pem = fs.read(argv[2]);
  auto bundle = fs.read(argv[3]);
  if (!ca_pem || !bundle) {
    std::fprintf(stderr, "%s\n", (!ca_pem ? ca_pem.error() : bundle.error()).message.c_str());
    return 1;
  }
  auto ca = pki::inspect_certificate(*ca_pem);
  auto sha = pki::certificate_sha256(*ca_pem);
  if (!ca || !sha) {
    std::fprintf(stderr, "%s: not a certificate\n", argv[2]);
    return 1;
  }
  const pki::SecretString profile =
      pki::make_mobileconfig({argv[1], ca->common_name, *sha, *bundle});
  std::fwrite(profile.reveal().data(), 1, profile.reveal().size(), stdout);
  return 0;
}
