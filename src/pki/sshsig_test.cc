#include "pki/sshsig.h"

#include <doctest/doctest.h>

#include "support/sshsig_fixtures.h"

namespace certgate::pki {
namespace {

using namespace certgate::testing;

SshSignature parsed(const char* armored) {
  auto sig = parse_ssh_signature(armored);
  REQUIRE_MESSAGE(sig, sig.error().message);
  return *sig;
}

std::vector<AllowedSigner> signers(const std::string& text) {
  auto list = parse_allowed_signers(text);
  REQUIRE_MESSAGE(list, list.error().message);
  return *list;
}

std::string parse_error(const std::string& text) {
  auto list = parse_allowed_signers(text);
  REQUIRE_FALSE(list);
  CHECK(list.error().code == Errc::invalid);
  return list.error().message;
}

// The four allowed keys, one per line, after a comment and a blank line.
std::string team() {
  return std::string("# who may sign certgate.toml\n\n") + "alice@example.com " + kEd25519Pub +
         " alice's laptop\n" + "bob@example.com " + kEcdsaP256Pub + "\n" + "carol@example.com " +
         kEcdsaP384Pub + "\n" + "dave@example.com " + kRsaPub + "\n";
}

TEST_CASE("sshsig: real ssh-keygen signatures of every supported key type verify") {
  for (const char* armored : {kMessageSigEd25519, kMessageSigEcdsaP256, kMessageSigEcdsaP256Sha256,
                              kMessageSigEcdsaP384, kMessageSigRsa, kMessageSigStranger}) {
    CAPTURE(armored);
    auto ok = verify_ssh_signature(parsed(armored), kMessage, "git");
    CHECK_MESSAGE(ok, ok.error().message);
  }
}

TEST_CASE("sshsig: a signature carries its key, namespace, hash and format") {
  const SshSignature ed = parsed(kMessageSigEd25519);
  CHECK(ed.key_type == "ssh-ed25519");
  CHECK(ed.namespace_name == "git");
  CHECK(ed.hash_algorithm == "sha512");
  CHECK(ed.signature_format == "ssh-ed25519");
  CHECK(ssh_fingerprint(ed.public_key) == kEd25519Fingerprint);
  CHECK(parsed(kMessageSigEcdsaP256Sha256).hash_algorithm == "sha256");
  CHECK(parsed(kMessageSigRsa).signature_format == "rsa-sha2-512");
}

TEST_CASE("sshsig: signed git commits verify against the commit without its gpgsig header") {
  auto ed = verify_ssh_signature(parsed(kCommitEd25519Sig), kCommitEd25519Payload, "git");
  CHECK_MESSAGE(ed, ed.error().message);
  auto ec = verify_ssh_signature(parsed(kCommitEcdsaP256Sig), kCommitEcdsaP256Payload, "git");
  CHECK_MESSAGE(ec, ec.error().message);
  // The header as git writes it, continuation lines indented, parses to the same signature.
  const std::string raw = kCommitEcdsaP256Raw;
  const size_t begin = raw.find("gpgsig ") + 7, end = raw.find("-----\n\n") + 6;
  auto indented = parse_ssh_signature(raw.substr(begin, end - begin));
  REQUIRE(indented);
  CHECK(*indented == parsed(kCommitEcdsaP256Sig));
}

TEST_CASE("sshsig: a modified payload or signature fails") {
  std::string payload = kCommitEd25519Payload;
  payload.replace(payload.find("Alice"), 5, "Mallo");
  auto r = verify_ssh_signature(parsed(kCommitEd25519Sig), payload, "git");
  REQUIRE_FALSE(r);
  CHECK(r.error().code == Errc::refused);
  CHECK(r.error().message ==
        std::string("SSH signature: does not verify with ssh-ed25519 key ") + kEd25519Fingerprint);
  auto ec = verify_ssh_signature(parsed(kCommitEcdsaP256Sig), kCommitEd25519Payload, "git");
  CHECK((!ec && ec.error().code == Errc::refused));
  SshSignature flipped = parsed(kMessageSigRsa);
  flipped.signature[flipped.signature.size() / 2] ^= 1;
  auto rsa = verify_ssh_signature(flipped, kMessage, "git");
  CHECK((!rsa && rsa.error().code == Errc::refused));
}

TEST_CASE("sshsig: a signature for another namespace fails") {
  auto file = verify_ssh_signature(parsed(kMessageSigEd25519FileNamespace), kMessage, "git");
  REQUIRE_FALSE(file);
  CHECK(file.error().code == Errc::refused);
  CHECK(file.error().message == "SSH signature: namespace \"file\", expected \"git\"");
  CHECK_FALSE(verify_ssh_signature(parsed(kMessageSigEd25519), kMessage, "file"));
  // Relabelling the namespace does not help: it is part of what was signed.
  SshSignature relabelled = parsed(kMessageSigEd25519FileNamespace);
  relabelled.namespace_name = "git";
  auto r = verify_ssh_signature(relabelled, kMessage, "git");
  CHECK((!r && r.error().code == Errc::refused));
}

TEST_CASE("sshsig: an unsupported algorithm is invalid, not refused") {
  SshSignature sig = parsed(kMessageSigRsa);
  sig.signature_format = "ssh-rsa";  // SHA-1, which OpenSSH refuses for sshsig too
  auto r = verify_ssh_signature(sig, kMessage, "git");
  REQUIRE_FALSE(r);
  CHECK(r.error().code == Errc::invalid);
  CHECK(r.error().message.starts_with(
      "SSH signature: unsupported algorithm \"ssh-rsa\" with a \"ssh-rsa\" key"));
}

TEST_CASE("sshsig: malformed signatures are invalid") {
  const std::string good = kMessageSigEd25519;
  for (const std::string& bad :
       {std::string(""), good.substr(0, good.find("-----END")), good.substr(good.find('\n') + 1),
        std::string(good).insert(good.find('\n') + 5, "!"),
        std::string(good).replace(good.find('\n') + 1, 4, "V1NI")}) {
    CAPTURE(bad);
    auto r = parse_ssh_signature(bad);
    CHECK((!r && r.error().code == Errc::invalid));
  }
}

TEST_CASE("sshsig: find_signer names the principal whose key signed") {
  const auto list = signers(team());
  REQUIRE(list.size() == 4);
  CHECK(list[0].line == 3);
  CHECK(list[0].principals == std::vector<std::string>{"alice@example.com"});
  CHECK(list[0].key_type == "ssh-ed25519");
  CHECK(ssh_fingerprint(list[0].key_blob) == kEd25519Fingerprint);
  CHECK(ssh_fingerprint(list[1].key_blob) == kEcdsaP256Fingerprint);
  CHECK(ssh_fingerprint(list[2].key_blob) == kEcdsaP384Fingerprint);
  CHECK(ssh_fingerprint(list[3].key_blob) == kRsaFingerprint);
  CHECK(find_signer(list, parsed(kCommitEd25519Sig), "git").value() == "alice@example.com");
  CHECK(find_signer(list, parsed(kCommitEcdsaP256Sig), "git").value() == "bob@example.com");
  CHECK(find_signer(list, parsed(kMessageSigRsa), "git").value() == "dave@example.com");
}

TEST_CASE("sshsig: a signer not in allowed_signers is refused with its fingerprint") {
  auto r = find_signer(signers(team()), parsed(kMessageSigStranger), "git");
  REQUIRE_FALSE(r);
  CHECK(r.error().code == Errc::refused);
  CHECK(r.error().message == std::string("signed by a key that is not in allowed_signers (") +
                                 kStrangerFingerprint + ")");
}

TEST_CASE("sshsig: namespaces= limits a key, with OpenSSH's patterns") {
  const SshSignature sig = parsed(kCommitEd25519Sig);
  auto only = [&](const std::string& ns) {
    return signers("alice@example.com namespaces=\"" + ns + "\" " + kEd25519Pub + "\n");
  };
  CHECK(find_signer(only("file,git"), sig, "git"));
  CHECK(find_signer(only("g?t"), sig, "git"));
  CHECK(find_signer(only("*,!file"), sig, "git"));
  CHECK_FALSE(find_signer(only("*,!git"), sig, "git"));
  auto r = find_signer(only("file"), sig, "git");
  REQUIRE_FALSE(r);
  CHECK(r.error().code == Errc::refused);
  CHECK(r.error().message == std::string("signed by key ") + kEd25519Fingerprint +
                                 ", but allowed_signers:1 does not allow namespace \"git\"");
  // A later line for the same key may still allow it.
  auto two = signers("a@x namespaces=\"file\" " + std::string(kEd25519Pub) + "\n\"b@x,c@x\" " +
                     kEd25519Pub + "\n");
  CHECK(find_signer(two, sig, "git").value() == "b@x,c@x");
}

TEST_CASE("sshsig: allowed_signers errors name the line") {
  const std::string ed = kEd25519Pub;
  CHECK(parse_error("# ok\n\nalice ssh-ed25519\n") ==
        "allowed_signers:3: missing key, or it is not base64, after \"ssh-ed25519\"");
  CHECK(parse_error("alice\n") == "allowed_signers:1: missing key type and key");
  CHECK(parse_error("a@x " + ed + "\r\n  \t\r\n\nb@x ssh-ed25519 AAAA!AAA\n") ==
        "allowed_signers:4: missing key, or it is not base64, after \"ssh-ed25519\"");
  CHECK(parse_error("a@x ecdsa-sha2-nistp256 " + ed.substr(12) + "\n") ==
        "allowed_signers:1: key type \"ecdsa-sha2-nistp256\" but the key is \"ssh-ed25519\"");
  CHECK(parse_error("a@x nosuch=\"1\" " + ed + "\n") ==
        "allowed_signers:1: unsupported option \"nosuch\"");
  CHECK(parse_error("a@x namespaces=git " + ed + "\n") ==
        "allowed_signers:1: the value of namespaces must be in double quotes");
  CHECK(parse_error("a@x namespaces=\"git\",namespaces=\"file\" " + ed + "\n") ==
        "allowed_signers:1: namespaces is given twice");
  CHECK(parse_error("a@x,,b@x " + ed + "\n") ==
        "allowed_signers:1: malformed principals \"a@x,,b@x\"");
}

TEST_CASE("sshsig: valid-after and valid-before are refused, not ignored") {
  const std::string ed = kEd25519Pub;
  CHECK(parse_error("a@x valid-after=\"20250101Z\" " + ed + "\n") ==
        "allowed_signers:1: valid-after is not supported yet: remove it or the line");
  CHECK(parse_error("a@x namespaces=\"git\",Valid-Before=\"20990101\" " + ed + "\n") ==
        "allowed_signers:1: valid-before is not supported yet: remove it or the line");
}

TEST_CASE("sshsig: cert-authority lines are refused as unsupported") {
  const std::string ed = kEd25519Pub;
  const std::string expected =
      "allowed_signers:2: cert-authority is not supported: list each signer's own key";
  CHECK(parse_error("a@x " + ed + "\n*@example.com cert-authority " + ed + "\n") == expected);
  CHECK(parse_error("a@x " + ed + "\n*@x Cert-Authority,namespaces=\"git\" " + ed + "\n") ==
        expected);
}

}  // namespace
}  // namespace certgate::pki
