#include "pki/x509_build.h"

namespace certgate::pki {

Result<void> add_conf_ext(X509* cert, X509V3_CTX* ctx, int nid, const char* value) {
  X509ExtensionPtr ext(X509V3_EXT_conf_nid(nullptr, ctx, nid, value));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1)
    return openssl_error(std::string("add extension ") + OBJ_nid2sn(nid));
  return {};
}

Result<void> add_email_san(X509* cert, const std::string& email) {
  GeneralNamesPtr names(GENERAL_NAMES_new());
  GeneralNamePtr name(GENERAL_NAME_new());
  Asn1StringPtr ia5(ASN1_IA5STRING_new());
  if (!names || !name || !ia5 ||
      ASN1_STRING_set(ia5.get(), email.data(), static_cast<int>(email.size())) != 1)
    return openssl_error("build subjectAltName");
  GENERAL_NAME_set0_value(name.get(), GEN_EMAIL, ia5.release());  // takes ownership
  if (sk_GENERAL_NAME_push(names.get(), name.get()) == 0) return openssl_error("build SAN");
  name.release();  // owned by `names` now
  if (X509_add1_ext_i2d(cert, NID_subject_alt_name, names.get(), 0, X509V3_ADD_DEFAULT) != 1)
    return openssl_error("add subjectAltName");
  return {};
}

Result<void> set_validity(X509* cert, base::Instant not_before, base::Instant not_after) {
  auto nb = to_asn1_time(not_before);
  if (!nb) return nb.error();
  auto na = to_asn1_time(not_after);
  if (!na) return na.error();
  if (X509_set1_notBefore(cert, nb->get()) != 1 || X509_set1_notAfter(cert, na->get()) != 1)
    return openssl_error("set validity");
  return {};
}

Result<void> set_serial(X509* cert, const std::string& hex) {
  BIGNUM* raw = nullptr;
  if (BN_hex2bn(&raw, hex.c_str()) == 0) return openssl_error("parse serial " + hex);
  BignumPtr bn(raw);
  Asn1IntegerPtr serial(BN_to_ASN1_INTEGER(bn.get(), nullptr));
  if (!serial || X509_set_serialNumber(cert, serial.get()) != 1) return openssl_error("set serial");
  return {};
}

Result<void> add_name_entry(X509_NAME* name, const char* field, const std::string& value) {
  if (value.empty()) return {};
  if (X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(value.c_str()), -1, -1,
                                 0) != 1)
    return openssl_error(std::string("set subject ") + field);
  return {};
}

Result<X509NamePtr> ca_name(const CaSubject& subject) {
  X509NamePtr name(X509_NAME_new());
  if (!name) return openssl_error("X509_NAME_new");
  for (auto [field, value] :
       {std::pair{"C", &subject.country}, std::pair{"O", &subject.organization},
        std::pair{"OU", &subject.organizational_unit}, std::pair{"CN", &subject.common_name},
        std::pair{"serialNumber", &subject.serial_number}}) {
    if (auto r = add_name_entry(name.get(), field, *value); !r) return r.error();
  }
  return name;
}

}  // namespace certgate::pki
