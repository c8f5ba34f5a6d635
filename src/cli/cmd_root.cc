// certgate root init DIR / root sign DIR CSR --out CERT / root crl DIR [--revoke CERT]: the root of
// a two-tier CA ([ca] mode = "intermediate"), on a machine kept offline. No state directory, git
// or network: DIR holds the root's database in the layout of the agent's STATE/ca (DIR/ca/ca.key,
// ca.crt, index.txt, crlnumber, crl.pem, newcerts/), so `openssl ca -config DIR/ca/openssl.cnf`
// works on it too. The root key is encrypted when a passphrase is given (cli/ca_passphrase.h).
#include <algorithm>
#include <cstdio>
#include <memory>

#include "base/duration.h"
#include "cli/ca_passphrase.h"
#include "cli/commands.h"
#include "observed/observed_state.h"
#include "pki/ca.h"
#include "pki/ca_database.h"
#include "pki/inspect.h"
#include "pki/intermediate.h"
#include "pki/key_protection.h"
#include "pki/random.h"
#include "sys/clock.h"
#include "sys/file_lock.h"
#include "sys/real_filesystem.h"
#include "sys/secret_file.h"

namespace certgate::cli {
namespace {

using observed::kBackdate;

struct RootFlags {
  std::string dir;
  std::string common_name = "certgate root CA";
  std::string organization;
  std::string key = "ec-p384";
  std::string validity = "20y";      // root init
  std::string sign_validity = "5y";  // root sign
  std::string crl_validity = "1y";
  std::string csr;
  std::string out;
  std::string revoke;
  std::string reason = "cACompromise";
};

Result<std::chrono::seconds> duration_flag(const std::string& text, const char* flag) {
  auto d = base::parse_duration(text);
  if (!d) return make_error(Errc::invalid, std::string(flag) + ": " + d.error().message);
  return d;
}

// The root's key, plain, from DIR (decrypted with the passphrase when it is encrypted).
Result<pki::SecretString> root_key(sys::Filesystem& fs, const GlobalOptions& g,
                                   const pki::CaDatabase& db) {
  auto key = db.read_key();
  if (!key) return key.error();
  if (!pki::is_encrypted_key(key->reveal())) return key;
  auto passphrase = read_ca_passphrase(fs, g);
  if (!passphrase) return passphrase.error();
  if (!*passphrase)
    return make_error(Errc::refused, db.key_path() + " is encrypted: give its passphrase with " +
                                         passphrase_hint());
  auto plain = pki::decrypt_key(key->reveal(), &(*passphrase)->value);
  if (!plain)
    return make_error(Errc::refused, db.key_path() + " does not decrypt with the passphrase from " +
                                         (*passphrase)->origin);
  return plain;
}

// Signs the root's CRL from its index (every revoked, unexpired intermediate), numbered next.
Result<long> sign_root_crl(sys::Filesystem& fs, const GlobalOptions& g, pki::CaDatabase& db,
                           const pki::CaFiles& files, std::chrono::seconds validity,
                           base::Instant now) {
  auto key = root_key(fs, g, db);
  if (!key) return key.error();
  auto signer = pki::CaSigner::open(key->reveal(), *files.ca_cert_pem);
  if (!signer) return signer.error();
  std::vector<pki::CrlEntry> entries;
  for (const pki::IndexEntry& e : files.index) {
    if (e.status == pki::IndexStatus::revoked && e.revoked_at && e.expires > now)
      entries.push_back(
          {e.serial, *e.revoked_at, e.reason.value_or(base::RevocationReason::unspecified)});
  }
  const long number = files.next_crl_number;
  auto crl = signer->make_crl(entries, number, now - kBackdate, now + validity);
  if (!crl) return crl.error();
  if (auto r = db.write_crl(*crl, number); !r) return r.error();
  return number;
}

Result<pki::CaFiles> open_root(const pki::CaDatabase& db) {
  auto files = db.read();
  if (!files) return files.error();
  if (!files->ca_cert_pem || !files->has_ca_key)
    return make_error(Errc::not_found, db.ca_dir() + " holds no root: run certgate root init");
  return files;
}

// The root's database under DIR/lock, for a command that changes it.
struct LockedRoot {
  sys::FileLock lock;
  pki::CaFiles files;
};

Result<LockedRoot> lock_root(const pki::CaDatabase& db, const std::string& dir) {
  auto lock = sys::FileLock::acquire(sys::join_path(dir, "lock"));
  if (!lock) return lock.error();
  auto files = open_root(db);
  if (!files) return files.error();
  return LockedRoot{std::move(*lock), std::move(*files)};
}

// The gates tell intermediates of one root apart by their subject (the issuer DN of the devices'
// certificates): a second valid intermediate with the subject of another, for another key, would
// pass for it. The same key signed again (the intermediate renewed) is fine.
Result<void> refuse_same_subject(sys::Filesystem& fs, const pki::CaDatabase& db,
                                 const std::vector<pki::IndexEntry>& index,
                                 const std::string& cert_pem, const pki::CertInfo& info,
                                 base::Instant now) {
  auto subject = pki::subject_rfc2253(cert_pem);
  if (!subject) return subject.error();
  for (const pki::IndexEntry& e : index) {
    if (e.status != pki::IndexStatus::valid || e.expires <= now) continue;
    auto pem = fs.read(db.newcert_path(e.serial));
    if (!pem) continue;
    auto other = pki::inspect_certificate(*pem);
    auto other_subject = pki::subject_rfc2253(*pem);
    if (!other || !other_subject || *other_subject != *subject ||
        other->public_key_sha256 == info.public_key_sha256)
      continue;
    return make_error(
        Errc::refused,
        "intermediate " + e.serial + " has the subject \"" + *subject +
            "\" for another key and is valid until " + base::format_rfc3339(e.expires) +
            ": devices' gates tell intermediates apart by subject; give the new "
            "one another common name, or revoke the old one first (root crl --revoke)");
  }
  return {};
}

int run_init(const GlobalOptions& g, const RootFlags& f) {
  sys::RealFilesystem fs;
  auto key_type = base::parse_key_type(f.key);
  if (!key_type) return fail("--key: " + key_type.error().message);
  auto validity = duration_flag(f.validity, "--validity");
  if (!validity) return fail(validity.error().message);
  auto crl_validity = duration_flag(f.crl_validity, "--crl-validity");
  if (!crl_validity) return fail(crl_validity.error().message);
  auto passphrase = read_ca_passphrase(fs, g);
  if (!passphrase) return fail(passphrase.error().message);
  if (auto r = sys::prepare_private_dir(fs, f.dir); !r) return fail(r.error().message);
  pki::CaDatabase db(fs, f.dir);
  const base::Instant now = sys::RealClock().now();
  auto root = pki::create_ca({f.common_name, f.organization, "", ""}, *key_type, now - kBackdate,
                             now + *validity);
  if (!root) return fail(root.error().message);
  if (*passphrase) {
    auto sealed = pki::encrypt_key(root->key_pem.reveal(), (*passphrase)->value);
    if (!sealed) return fail(sealed.error().message);
    root->key_pem = std::move(*sealed);
  }
  auto serial = pki::random_serial();
  if (!serial) return fail(serial.error().message);
  if (auto r = db.create(root->key_pem, root->cert_pem, *serial); !r)
    return fail(r.error().message);
  auto files = open_root(db);
  if (!files) return fail(files.error().message);
  auto number = sign_root_crl(fs, g, db, *files, *crl_validity, now);
  if (!number) return fail(number.error().message);
  std::printf(
      "Root \"%s\" (%s, %s) made in %s, its key %s.\n"
      "Commit these two public files to the desired state's repository:\n"
      "  %s -> ca/root.crt\n  %s -> ca/root.crl\n"
      "Then sign the intermediate's CSR: certgate root sign %s intermediate.csr --out "
      "intermediate.crt\n",
      f.common_name.c_str(), f.key.c_str(), f.validity.c_str(), db.ca_dir().c_str(),
      *passphrase ? "encrypted" : "NOT encrypted (no passphrase given)", db.cert_path().c_str(),
      db.crl_path().c_str(), f.dir.c_str());
  return 0;
}

int run_sign(const GlobalOptions& g, const RootFlags& f) {
  sys::RealFilesystem fs;
  pki::CaDatabase db(fs, f.dir);
  auto validity = duration_flag(f.sign_validity, "--validity");
  if (!validity) return fail(validity.error().message);
  auto root = lock_root(db, f.dir);
  if (!root) return fail(root.error().message);
  pki::CaFiles* files = &root->files;
  auto csr = fs.read(f.csr);
  if (!csr) return fail(csr.error().message);
  auto key = root_key(fs, g, db);
  if (!key) return fail(key.error().message);
  auto serial = pki::random_serial();
  if (!serial) return fail(serial.error().message);
  const base::Instant now = sys::RealClock().now();
  auto cert = pki::sign_intermediate(key->reveal(), *files->ca_cert_pem, *csr, *serial,
                                     now - kBackdate, now + *validity);
  if (!cert) return fail(f.csr + ": " + cert.error().message);
  auto info = pki::inspect_certificate(*cert);
  if (!info) return fail(info.error().message);
  if (auto r = refuse_same_subject(fs, db, files->index, *cert, *info, now); !r)
    return fail(r.error().message);
  // Recorded before it leaves: the root can always revoke what it signed.
  if (auto r = db.write_newcert_deferred(*serial, *cert); !r) return fail(r.error().message);
  if (auto r = fs.sync(); !r) return fail(r.error().message);
  std::vector<pki::IndexEntry> index = files->index;
  index.push_back({pki::IndexStatus::valid, info->not_after, std::nullopt, std::nullopt, "",
                   *serial, "unknown", "/CN=" + info->common_name});
  if (auto r = db.write_index(index); !r) return fail(r.error().message);
  if (auto r = fs.write_atomic(f.out, *cert, 0644); !r) return fail(r.error().message);
  std::printf(
      "Signed intermediate \"%s\" (serial %s) until %s: %s\nCommit it to the desired state's "
      "repository as [ca].intermediate_cert (default ca/intermediate.crt).\n",
      info->common_name.c_str(), serial->c_str(), base::format_rfc3339(info->not_after).c_str(),
      f.out.c_str());
  return 0;
}

int run_crl(const GlobalOptions& g, const RootFlags& f) {
  sys::RealFilesystem fs;
  pki::CaDatabase db(fs, f.dir);
  auto crl_validity = duration_flag(f.crl_validity, "--crl-validity");
  if (!crl_validity) return fail(crl_validity.error().message);
  auto reason = base::parse_revocation_reason(f.reason);
  if (!reason) return fail("--reason: " + reason.error().message);
  auto root = lock_root(db, f.dir);
  if (!root) return fail(root.error().message);
  pki::CaFiles* files = &root->files;
  const base::Instant now = sys::RealClock().now();
  // The root key opens before anything is recorded: a wrong passphrase changes nothing.
  if (auto key = root_key(fs, g, db); !key) return fail(key.error().message);
  if (!f.revoke.empty()) {
    auto pem = fs.read(f.revoke);
    if (!pem) return fail(pem.error().message);
    auto info = pki::inspect_certificate(*pem);
    if (!info) return fail(f.revoke + ": " + info.error().message);
    auto it = std::find_if(files->index.begin(), files->index.end(),
                           [&](const pki::IndexEntry& e) { return e.serial == info->serial; });
    if (it == files->index.end())
      return fail(f.revoke + " (serial " + info->serial + ") was not signed by this root");
    if (it->status != pki::IndexStatus::revoked) {
      it->status = pki::IndexStatus::revoked;
      it->revoked_at = now;
      it->reason = *reason;
      it->revocation_field.clear();
      if (auto r = db.write_index(files->index); !r) return fail(r.error().message);
      std::printf("Revoked intermediate \"%s\" (serial %s), reason %s.\n",
                  info->common_name.c_str(), info->serial.c_str(),
                  std::string(to_string(*reason)).c_str());
    }
  }
  auto number = sign_root_crl(fs, g, db, *files, *crl_validity, now);
  if (!number) return fail(number.error().message);
  if (!f.out.empty()) {
    auto crl = fs.read(db.crl_path());
    if (!crl) return fail(crl.error().message);
    if (auto r = fs.write_atomic(f.out, *crl, 0644); !r) return fail(r.error().message);
  }
  std::printf(
      "Root CRL number %ld, nextUpdate %s: %s\nCommit it to the desired state's "
      "repository as [ca].root_crl (default ca/root.crl) before that date.\n",
      *number, base::format_rfc3339(now + *crl_validity).c_str(),
      (f.out.empty() ? db.crl_path() : f.out).c_str());
  return 0;
}

}  // namespace

void add_root_command(CLI::App& app, GlobalOptions& g, CommandTable& commands) {
  auto f = std::make_shared<RootFlags>();
  CLI::App* cmd = app.add_subcommand(
      "root", "The offline root of a two-tier CA ([ca] mode = \"intermediate\")");
  cmd->require_subcommand(1);
  CLI::App* init = cmd->add_subcommand("init", "Make the root key and self-signed certificate");
  init->add_option("DIR", f->dir, "The root's folder (made 0700)")->required();
  init->add_option("--common-name", f->common_name, "The root's subject CN");
  init->add_option("--organization", f->organization, "The root's subject O");
  init->add_option("--key", f->key, "Key type");
  init->add_option("--validity", f->validity, "How long the root is valid");
  init->add_option("--crl-validity", f->crl_validity, "nextUpdate of the root's first CRL");
  CLI::App* sign = cmd->add_subcommand("sign", "Sign an intermediate's CSR");
  sign->add_option("DIR", f->dir, "The root's folder")->required();
  sign->add_option("CSR", f->csr, "STATE/ca/intermediate.csr from the agent host")->required();
  sign->add_option("--out", f->out, "Where to write the intermediate's certificate")->required();
  sign->add_option("--validity", f->sign_validity,
                   "How long the intermediate is valid (capped by the root's notAfter)");
  CLI::App* crl = cmd->add_subcommand("crl", "Sign the root's CRL (refresh it before nextUpdate)");
  crl->add_option("DIR", f->dir, "The root's folder")->required();
  crl->add_option("--revoke", f->revoke, "Revoke this intermediate certificate first");
  crl->add_option("--reason", f->reason, "RFC 5280 reason of --revoke");
  crl->add_option("--crl-validity", f->crl_validity, "nextUpdate = now + this");
  crl->add_option("--out", f->out, "Also copy the CRL here");
  commands[cmd] = [&g, f, init, sign, crl] {
    if (init->parsed()) return run_init(g, *f);
    if (sign->parsed()) return run_sign(g, *f);
    if (crl->parsed()) return run_crl(g, *f);
    return 1;
  };
}

}  // namespace certgate::cli
