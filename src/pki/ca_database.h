// CaDatabase: the CA's files under STATE/ca (DESIGN.md section 4), in `openssl ca`'s layout so
// an operator can still inspect or repair them by hand with `openssl ca -config
// STATE/ca/openssl.cnf`.
//
// One format, one place (../shared/STYLE.md section 1): observed/ reads the database through
// read(), apply/ writes through the write_* calls. Every call goes through sys::Filesystem; the
// durable calls end with the bytes on disk, the deferred ones wait for Filesystem::sync().
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "pki/cert_cache.h"
#include "pki/index_format.h"
#include "pki/secret.h"
#include "sys/filesystem.h"

namespace certgate::pki {

// Everything read from STATE/ca. Absent files are empty/nullopt, not errors.
struct CaFiles {
  std::optional<std::string> ca_cert_pem;
  bool has_ca_key = false;
  std::uint32_t ca_key_mode = 0;
  std::vector<IndexEntry> index;  // in file order
  std::string index_text;         // the raw bytes, for fingerprints
  std::string serial_text;
  std::string crlnumber_text;
  long next_crl_number = 1;  // from crlnumber (hex); 1 when absent
  std::optional<std::string> crl_pem;
  // A two-tier CA ([ca] mode = "intermediate"): the intermediate's CSR waiting for the root, and
  // the root's certificate and CRL installed from the source.
  std::optional<std::string> intermediate_csr_pem;
  std::optional<std::string> root_cert_pem;
  std::optional<std::string> root_crl_pem;
};

class CaDatabase {
 public:
  // `state_dir` is STATE; the database lives in STATE/`dir` (STATE/ca; during a CA rollover the
  // outgoing CA's in STATE/ca-previous, pki/ca_generations.h). `fs` must outlive this object.
  CaDatabase(sys::Filesystem& fs, std::string state_dir, std::string dir = "ca");

  std::string ca_dir() const;
  std::string key_path() const;
  std::string cert_path() const;
  std::string crl_path() const;
  std::string index_path() const;
  std::string newcert_path(const std::string& serial) const;
  std::string intermediate_csr_path() const;  // STATE/ca/intermediate.csr
  std::string root_cert_path() const;         // STATE/ca/root.crt
  std::string root_crl_path() const;          // STATE/ca/root.crl

  // Reads the whole database. Errc::invalid when index.txt or crlnumber is malformed (the
  // message names the file and line), Errc::io when a file cannot be read.
  Result<CaFiles> read() const;

  // Names of the entries of newcerts/ (certificates SERIAL.pem and any temp files), sorted;
  // empty when there is no such folder. Listing 10,000 files is not free: recovery calls it
  // only after an interrupted batch.
  Result<std::vector<std::string>> list_newcerts() const;

  // Errc::refused when ca.key is readable by group or others; fine when there is no key yet.
  Result<void> check_key_mode() const;

  // The CA key, for CaSigner. Errc::refused when the file is readable by group or others: a
  // leaked CA key is the one mistake certgate must never make quietly.
  Result<SecretString> read_key() const;

  // Creates STATE/ca and STATE/ca/newcerts (0700), then the CA: the key (0600) first, then the
  // certificate, an empty index.txt, index.txt.attr, serial, crlnumber and openssl.cnf, each
  // durable. Errc::refused when a CA certificate or key already exists: a CA is never replaced.
  Result<void> create(const SecretString& key_pem, const std::string& cert_pem,
                      const std::string& first_serial);

  // A two-tier CA's first step: like create(), but with the intermediate's CSR (written last,
  // durably) in place of ca.crt, which install_intermediate() writes once the root signed it.
  Result<void> create_pending(const SecretString& key_pem, const std::string& csr_pem,
                              const std::string& first_serial);
  // Installs the root's certificate and CRL, then the intermediate's certificate as ca.crt (the
  // commit point), each durable.
  Result<void> install_intermediate(const std::string& cert_pem, const std::string& root_cert_pem,
                                    const std::string& root_crl_pem);
  // Replaces root.crl (a newer CRL of the root from the source), durably.
  Result<void> write_root_crl(const std::string& crl_pem);
  // root.crt for a CA taken over without it, durably; and whether there is one.
  Result<void> write_root_cert(const std::string& cert_pem);
  bool has_root_cert() const;

  // What nginx verifies clients against: ca.crt, then root.crt when there is one. Errc::not_found
  // without ca.crt.
  Result<std::string> read_trust_pem() const;
  // What nginx checks revocation with: crl.pem, then root.crl when there is one (nginx checks
  // every CA of the chain, DESIGN.md section 7). Errc::not_found without crl.pem.
  Result<std::string> read_crl_bundle() const;

  // Replaces index.txt, durably: the commit point of every issuance and revocation.
  Result<void> write_index(const std::vector<IndexEntry>& entries);
  // Writes newcerts/SERIAL.pem, deferred (made durable by the next Filesystem::sync()).
  Result<void> write_newcert_deferred(const std::string& serial, const std::string& pem);
  Result<void> remove_newcert(const std::string& serial);
  // `serial` holds the next serial `openssl ca` would use; certgate keeps a fresh random one
  // there so a hand-issued certificate cannot collide with ours. Deferred.
  Result<void> write_next_serial_deferred(const std::string& serial);
  // crlnumber (the next number, hex, as openssl ca keeps it), then crl.pem, both durable, in
  // that order: a crash between them skips a number, which RFC 5280 5.2.3 allows, and never
  // reuses one.
  Result<void> write_crl(const std::string& crl_pem, long number);
  // STATE/cache/certs.tsv (cert_cache.h): empty when missing or unreadable, never an error.
  CertCache read_cert_cache() const;
  // Replaces it (durably) unless it already holds exactly `cache`.
  Result<void> write_cert_cache(const CertCache& cache);

  // Rewrites openssl.cnf and index.txt.attr (they are generated, never edited by hand).
  // The crlNumber the next CRL gets: a rollover's new CA goes on from the old one's.
  Result<void> write_next_crl_number(long next);
  Result<void> write_config();
  // write_config() when an openssl.cnf is there naming another folder (the database was moved
  // by a rollover and the rewrite was cut); nothing when it is right or absent.
  Result<void> refresh_config();

 private:
  // newcerts/, the key (0600) and an empty database (index.txt, serial, crlnumber, openssl.cnf).
  Result<void> write_key_and_database(const SecretString& key_pem, const std::string& first_serial);

  sys::Filesystem& fs_;
  std::string state_dir_;
  std::string dir_;
};

// The generated openssl.cnf for a database in `ca_dir`: `openssl ca -config` works with it for
// -status, -gencrl, -revoke and signing, with certgate's extensions for client certificates.
std::string openssl_config(const std::string& ca_dir);

}  // namespace certgate::pki
