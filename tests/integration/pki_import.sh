#!/usr/bin/env bash
# A CA database made by hand with `openssl ca`, as the seed guides do, is taken over by
# certgate: its certificates are recognised (no re-issue), its revocations kept, and what
# certgate adds stays readable by `openssl ca`.
source "$(dirname "$0")/lib.sh"
S=$TMP/state
CA=$S/ca
mkdir -p "$CA/newcerts"
chmod 700 "$S"
cd "$CA"

# The seeds' workflow, abridged: a CA, three client certificates, one revoked, a CRL.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.crt \
  -days 3650 -subj "/O=Home/CN=Home CA" 2>/dev/null
touch index.txt
echo 1000 >serial
echo 1000 >crlnumber
cat >manual.cnf <<CNF
[ ca ]
default_ca = manual
[ manual ]
dir = $CA
database = \$dir/index.txt
new_certs_dir = \$dir/newcerts
certificate = \$dir/ca.crt
private_key = \$dir/ca.key
serial = \$dir/serial
crlnumber = \$dir/crlnumber
default_md = sha256
default_days = 365
default_crl_days = 30
policy = anything
unique_subject = no
[ anything ]
commonName = supplied
organizationName = optional
[ client ]
basicConstraints = CA:FALSE
extendedKeyUsage = clientAuth
CNF
for dev in iphone-admin laptop old-tablet; do
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$TMP/$dev.key" \
    -subj "/CN=$dev/O=Home" -out "$TMP/$dev.csr" 2>/dev/null
  openssl ca -batch -config manual.cnf -extensions client -in "$TMP/$dev.csr" \
    -out "$TMP/$dev.crt" 2>/dev/null
done
openssl ca -config manual.cnf -revoke "$TMP/old-tablet.crt" -crl_reason keyCompromise 2>/dev/null
openssl ca -config manual.cnf -gencrl -out crl.pem 2>/dev/null
chmod 600 ca.key
cd "$TMP"

cat >certgate.toml <<TOML
schema = 1

[ca]
common_name = "Home CA"
organization = "Home"

[[device]]
name = "iphone-admin"

[[device]]
name = "laptop"
TOML
cg() { "$CERTGATE" --source certgate.toml --state-dir "$S" "$@"; }

# Everything matches: the imported certificates count as the devices' certificates.
expect_exit 0 cg plan --detailed-exitcode
expect_grep 'No changes' "$TMP/out"
expect_exit 0 cg plan --json
expect_grep '"actions": \[\]' "$TMP/out"

# Deleting a device revokes its imported certificate; a new device is issued by the same CA.
laptop=$(openssl x509 -in "$TMP/laptop.crt" -noout -serial | cut -d= -f2)
sed -i 's/name = "laptop"/name = "new-phone"/' certgate.toml
expect_exit 0 cg plan
expect_grep "^  - revoke  device laptop .*cessationOfOperation" "$TMP/out"
expect_grep '^  \+ issue   device new-phone' "$TMP/out"
expect_exit 0 cg apply
expect_grep 'Apply complete: 1 issued, 0 renewed, 1 revoked, CRL 4097' "$TMP/out"
[ "$(openssl ca -config "$CA/openssl.cnf" -status "$laptop" 2>&1 | tail -1)" = "$laptop=Revoked (R)" ] &&
  ok || bad "laptop not revoked in index.txt"
grep -q $'^R\t.*\t.*,keyCompromise\t1002\tunknown\t/CN=old-tablet/O=Home$' "$CA/index.txt" &&
  ok || bad "the hand-made revocation line changed"
openssl crl -in "$CA/crl.pem" -noout -text >"$TMP/crl.txt"
expect_grep 'Serial Number: 1002' "$TMP/crl.txt"
expect_grep "Serial Number: $laptop" "$TMP/crl.txt"
expect_exit 0 openssl verify -CAfile "$CA/ca.crt" -crl_check -CRLfile "$CA/crl.pem" \
  "$TMP/iphone-admin.crt" "$S/devices/new-phone/cert.pem"
expect_exit 0 openssl ca -config "$CA/openssl.cnf" -gencrl -out "$TMP/again.pem"
expect_exit 0 cg plan --detailed-exitcode

# A broken index.txt is refused with its line, never read as an empty database.
cp "$CA/index.txt" "$TMP/index.good"
printf 'V\tnot-a-time\t\t99\tunknown\t/CN=x\n' >>"$CA/index.txt"
expect_exit 1 cg plan
expect_grep 'index.txt:5: time "not-a-time" is not' "$TMP/err"
cp "$TMP/index.good" "$CA/index.txt"

finish
