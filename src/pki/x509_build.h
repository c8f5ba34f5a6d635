// Building certificates with OpenSSL, for the .cc files of pki/ that sign (ca.cc, intermediate.cc).
#pragma once

#include <string>

#include "pki/ca.h"
#include "pki/ossl.h"

namespace certgate::pki {

// Adds one extension given in openssl.cnf syntax. Only constant values go through this parser;
// anything from the desired state (the owner's email) is built as a typed object instead.
Result<void> add_conf_ext(X509* cert, X509V3_CTX* ctx, int nid, const char* value);
Result<void> add_email_san(X509* cert, const std::string& email);
Result<void> set_validity(X509* cert, base::Instant not_before, base::Instant not_after);
// `hex`: uppercase hexadecimal.
Result<void> set_serial(X509* cert, const std::string& hex);
// Appends FIELD=value to `name`; an empty value is left out.
Result<void> add_name_entry(X509_NAME* name, const char* field, const std::string& value);

// The name of a CA: C, O, OU, CN and serialNumber, the empty ones left out.
Result<X509NamePtr> ca_name(const CaSubject& subject);

}  // namespace certgate::pki
