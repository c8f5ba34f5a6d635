#include "pki/ca_database.h"

#include <doctest/doctest.h>

#include "support/mem_filesystem.h"

namespace certgate::pki {
namespace {

TEST_CASE("ca_database: create lays out openssl ca's files with safe modes, and never twice") {
  testing::MemFilesystem fs;
  CaDatabase db(fs, "/state");
  REQUIRE(db.create(SecretString("KEY"), "CERT", "4A01"));
  CHECK(fs.files().at("/state/ca/ca.key").mode == 0600);
  CHECK(fs.files().at("/state/ca/ca.key").bytes == "KEY");
  CHECK(fs.files().at("/state/ca/ca.crt").bytes == "CERT");
  CHECK(fs.files().at("/state/ca/index.txt").bytes.empty());
  CHECK(fs.files().at("/state/ca/index.txt.attr").bytes == "unique_subject = no\n");
  CHECK(fs.files().at("/state/ca/crlnumber").bytes == "01\n");
  CHECK(fs.files().at("/state/ca/serial").bytes == "4A01\n");
  CHECK(fs.files().at("/state/ca/openssl.cnf").bytes.find("dir = /state/ca\n") !=
        std::string::npos);
  auto again = db.create(SecretString("OTHER"), "CERT2", "4A02");
  REQUIRE_FALSE(again);
  CHECK(again.error().code == Errc::refused);
  CHECK(fs.files().at("/state/ca/ca.key").bytes == "KEY");
}

TEST_CASE("ca_database: read returns index, crlnumber, newcerts, and absent files are empty") {
  testing::MemFilesystem fs;
  CaDatabase db(fs, "/state");
  auto empty = db.read();
  REQUIRE(empty);
  CHECK(empty->index.empty());
  CHECK_FALSE(empty->ca_cert_pem.has_value());
  CHECK(empty->next_crl_number == 1);
  fs.put("/state/ca/ca.crt", "CERT");
  fs.put("/state/ca/index.txt", "V\t271123120000Z\t\t0A\tunknown\t/CN=a\n");
  fs.put("/state/ca/crlnumber", "1F\n");
  fs.put("/state/ca/newcerts/0A.pem", "PEM");
  fs.put("/state/ca/newcerts/notes.txt", "x");
  auto r = db.read();
  REQUIRE(r);
  CHECK(r->index.size() == 1);
  CHECK(r->next_crl_number == 31);
  CHECK(*db.list_newcerts() == std::vector<std::string>{"0A.pem", "notes.txt"});
}

TEST_CASE("ca_database: a malformed crlnumber or index.txt is an error, not an empty state") {
  testing::MemFilesystem fs;
  CaDatabase db(fs, "/state");
  fs.put("/state/ca/crlnumber", "twelve\n");
  auto r = db.read();
  REQUIRE_FALSE(r);
  CHECK(r.error().message == "crlnumber: \"twelve\" is not a hexadecimal number");
  fs.put("/state/ca/crlnumber", "02\n");
  fs.put("/state/ca/index.txt", "garbage\n");
  CHECK(db.read().error().message == "index.txt:1: expected 6 tab-separated fields, found 1");
}

TEST_CASE("ca_database: a CA key readable by others is refused") {
  testing::MemFilesystem fs;
  CaDatabase db(fs, "/state");
  fs.put("/state/ca/ca.key", "KEY", 0644);
  auto r = db.read_key();
  REQUIRE_FALSE(r);
  CHECK(r.error().code == Errc::refused);
  CHECK(r.error().message.find("its mode is 0644") != std::string::npos);
  fs.put("/state/ca/ca.key", "KEY", 0600);
  CHECK(db.read_key()->reveal() == "KEY");
}

TEST_CASE("ca_database: write_crl bumps crlnumber before it writes the CRL") {
  testing::MemFilesystem fs;
  CaDatabase db(fs, "/state");
  REQUIRE(db.create(SecretString("KEY"), "CERT", "4A01"));
  REQUIRE(db.write_crl("CRL", 10));
  CHECK(fs.files().at("/state/ca/crlnumber").bytes == "0B\n");
  REQUIRE(db.write_crl("CRL", 255));
  CHECK(fs.files().at("/state/ca/crlnumber").bytes == "0100\n");
  CHECK(fs.files().at("/state/ca/crl.pem").bytes == "CRL");
}

}  // namespace
}  // namespace certgate::pki
