// certgate ca protect: encrypts the CA key in place ([ca] key_protection = "passphrase",
// pki/key_protection.h), crash-safely: ca.key is replaced by one rename, after the encrypted key
// was checked to open with the passphrase and to belong to ca.crt, so a kill at any point leaves
// either the plain key or the encrypted one, never neither.
#include <cstdio>
#include <memory>

#include "cli/ca_passphrase.h"
#include "cli/commands.h"
#include "pki/ca.h"
#include "pki/ca_database.h"
#include "pki/key_protection.h"
#include "sys/file_lock.h"
#include "sys/real_filesystem.h"
#include "sys/secret_file.h"

namespace certgate::cli {
namespace {

// The encrypted key opens with `passphrase` and signs for `cert_pem`.
Result<void> check_sealed(const pki::SecretString& sealed, const pki::SecretString& passphrase,
                          const std::string& cert_pem) {
  auto plain = pki::decrypt_key(sealed.reveal(), &passphrase);
  if (!plain) return plain.error();
  auto signer = pki::CaSigner::open(plain->reveal(), cert_pem);
  if (!signer) return signer.error();
  return {};
}

int run_protect(const GlobalOptions& g) {
  const std::string state = absolute_state_dir(g);
  sys::RealFilesystem fs;
  pki::CaDatabase db(fs, state);
  if (!fs.stat(db.key_path())) return fail("no CA key at " + db.key_path());
  if (auto r = sys::check_private(fs, state); !r) return fail(r.error().message);
  auto lock = sys::FileLock::acquire(sys::join_path(state, "lock"));
  if (!lock) return fail(lock.error().message);
  auto passphrase = read_ca_passphrase(fs, g);
  if (!passphrase) return fail(passphrase.error().message);
  if (!*passphrase)
    return fail("ca protect needs the passphrase: give it with " + passphrase_hint());
  auto key = db.read_key();
  if (!key) return fail(key.error().message);
  auto cert = fs.read(db.cert_path());
  if (!cert) return fail(cert.error().message);
  const pki::SecretString& pass = (*passphrase)->value;
  if (pki::is_encrypted_key(key->reveal())) {
    if (!check_sealed(*key, pass, *cert))
      return fail(db.key_path() + " is encrypted already, and not with the passphrase from " +
                  (*passphrase)->origin);
    std::printf("%s is encrypted already; nothing to do.\n", db.key_path().c_str());
    return 0;
  }
  auto sealed = pki::encrypt_key(key->reveal(), pass);
  if (!sealed) return fail("encrypt the CA key: " + sealed.error().message);
  if (auto r = check_sealed(*sealed, pass, *cert); !r)
    return fail("the encrypted key did not open again, ca.key was left as it was: " +
                r.error().message);
  if (auto r = fs.write_atomic(db.key_path(), sealed->reveal(), 0600); !r)
    return fail(r.error().message);
  std::printf(
      "%s is encrypted now (PKCS#8, scrypt, AES-256); apply, sync and agent need the passphrase "
      "from %s.\nCopies made before now (backups, disk images, snapshots) still hold the plain "
      "key: destroy them, or roll the CA over if one may have leaked.\n",
      db.key_path().c_str(), passphrase_hint().c_str());
  return 0;
}

}  // namespace

void add_ca_command(CLI::App& app, GlobalOptions& g, CommandTable& commands) {
  CLI::App* cmd = app.add_subcommand("ca", "Operations on the CA of the state directory");
  cmd->require_subcommand(1);
  CLI::App* protect = cmd->add_subcommand(
      "protect", "Encrypt the CA key in place (key_protection = \"passphrase\")");
  commands[cmd] = [&g, protect] {
    if (protect->parsed()) return run_protect(g);
    return 1;
  };
}

}  // namespace certgate::cli
