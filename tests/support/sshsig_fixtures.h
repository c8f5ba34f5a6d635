// Real SSH signature fixtures for src/pki/sshsig_test.cc, made with OpenSSH 9.2 and git 2.39
// so that the tests do not trust certgate's own code. Public keys, signatures and signed data
// only; the private keys were thrown away. How they were made, in an empty directory:
//   ssh-keygen -t ed25519 -N '' -C alice@example.com -f ed        (and ecdsa -b 256 -f ec256,
//     ecdsa -b 384 -f ec384, rsa -b 2048 -f rsa; ed25519 -f stranger, which is never allowed)
//   printf 'certgate sshsig test message\n' > msg
//   ssh-keygen -Y sign -f ed -n git msg            (each key; -n file for the wrong namespace;
//     -O hashalg=sha256 for the sha256 one; the default hash is sha512)
//   git -c gpg.format=ssh -c user.signingkey=ed.pub commit -S ...    (then ec256.pub)
//   git cat-file commit HEAD: the gpgsig header, its continuation lines without their leading
//     space, is the signature; the object without that header is the signed payload.
// Every signature was checked with `ssh-keygen -Y verify -f allowed_signers -I ... -n git`,
// and the fingerprints are `ssh-keygen -lf KEY.pub`.
#pragma once

namespace certgate::testing {

inline constexpr const char* kEd25519Pub =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEH1L+yy2+TCzDwxC8jacmLvyNqtSYYupHxGTdD6k3Qd";
inline constexpr const char* kEcdsaP256Pub =
    "ecdsa-sha2-nistp256 "
    "AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBGmRHIz2C9bMy0uXxHJoL0XZXMoOFUgedXMcw1dpME"
    "Camxb5dTOfZCfdEQKVmiJW6ygJdG48p46l3t+aAaBgavw=";
inline constexpr const char* kEcdsaP384Pub =
    "ecdsa-sha2-nistp384 "
    "AAAAE2VjZHNhLXNoYTItbmlzdHAzODQAAAAIbmlzdHAzODQAAABhBOLhOS3zhXR7jDpfdiSsN1Ab0NttkMTxS6OEC1lvcl"
    "EC71osv5mHxbmTjAp3Ej4QM1bubbKjKLrzAgmvJTkF1AAvFogR6t0JRhQrGWTX+UbrPUoRlkowyrKLT2vm9BZlqw==";
inline constexpr const char* kRsaPub =
    "ssh-rsa "
    "AAAAB3NzaC1yc2EAAAADAQABAAABAQDlwxzAFSJe7INxNvFVHUr7mJS0gyxD7eXY5eZoTDCKReBZgrlY9PODdGq4tJCGEC"
    "5njtu7fmJgptTbMb8AlELeGa1lILquCD7nfSh9HBmVmnD1VOypJNqFvKuaimlVcA56HUTFyTO784N4IFAjdIbslcCe6QAW"
    "kwM1jO1NqSIz8KMLt8IALxcb/GF2etSQN4S6ha+6XngZuB0Mx18/2JRK+4e1fKqecsuo8pf/"
    "kzLSnU+3IbyIuqU5GWT+"
    "ujabmgaZ650MOiDg7kSU1LyiWbgaWmKpFZJ0xGS8Z3q8l17P8hDnebP7Q7K6ImZuUCophfdDQLc2b/lA+Ih55xjzYGFR";
inline constexpr const char* kStrangerPub =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGrtCw3O2sdC+XxPPL6TCgJKv277QJ2/Yw7MGl8+FZbe";

inline constexpr const char* kEd25519Fingerprint =
    "SHA256:4nJY3SgOI7pp3cP+7aliy1W/0Uz6FfWKJ2V/W2FejhE";
inline constexpr const char* kEcdsaP256Fingerprint =
    "SHA256:i7MYUYQfFLK0jrnUZXFdkjZrI72ScCsfTrgkErH+Cbo";
inline constexpr const char* kEcdsaP384Fingerprint =
    "SHA256:3zFn7kE8fL4V2bXYCqtV7pJBuTh1RAn5/1Wh0Ext9xk";
inline constexpr const char* kRsaFingerprint = "SHA256:hPA1LA/xjt+uc+aNJm1MGPUuesGLxpruKf0IlsvGk+I";
inline constexpr const char* kStrangerFingerprint =
    "SHA256:7fTN9jUOsqI48voLO3XGSkQgVSKKeoTOIRxoK1WXGO4";

inline constexpr const char* kMessage = R"fx(certgate sshsig test message
)fx";

inline constexpr const char* kMessageSigEd25519 = R"fx(-----BEGIN SSH SIGNATURE-----
U1NIU0lHAAAAAQAAADMAAAALc3NoLWVkMjU1MTkAAAAgQfUv7LLb5MLMPDELyNpyYu/I2q
1Jhi6kfEZN0PqTdB0AAAADZ2l0AAAAAAAAAAZzaGE1MTIAAABTAAAAC3NzaC1lZDI1NTE5
AAAAQDcTz3hlWXu50fdQQVPRtdbsxQKggwET+tnif3aEyOAOLMMcuUwVZ0ObZq3xnptAvR
zf814stJfflnI3JwmsFgw=
-----END SSH SIGNATURE-----
)fx";

inline constexpr const char* kMessageSigEcdsaP256 = R"fx(-----BEGIN SSH SIGNATURE-----
U1NIU0lHAAAAAQAAAGgAAAATZWNkc2Etc2hhMi1uaXN0cDI1NgAAAAhuaXN0cDI1NgAAAE
EEaZEcjPYL1szLS5fEcmgvRdlcyg4VSB51cxzDV2kwQJqbFvl1M59kJ90RApWaIlbrKAl0
bjynjqXe35oBoGBq/AAAAANnaXQAAAAAAAAABnNoYTUxMgAAAGMAAAATZWNkc2Etc2hhMi
1uaXN0cDI1NgAAAEgAAAAgPVyVs8n7Zo3bKeC8/xNTUg0sttk/dachVt6ArY1JlrAAAAAg
GU5XTHCGk2Gmbs8pCJs2NcD6fGuCZIhAQCDRG37mUcY=
-----END SSH SIGNATURE-----
)fx";

inline constexpr const char* kMessageSigEcdsaP256Sha256 = R"fx(-----BEGIN SSH SIGNATURE-----
U1NIU0lHAAAAAQAAAGgAAAATZWNkc2Etc2hhMi1uaXN0cDI1NgAAAAhuaXN0cDI1NgAAAE
EEaZEcjPYL1szLS5fEcmgvRdlcyg4VSB51cxzDV2kwQJqbFvl1M59kJ90RApWaIlbrKAl0
bjynjqXe35oBoGBq/AAAAANnaXQAAAAAAAAABnNoYTI1NgAAAGQAAAATZWNkc2Etc2hhMi
1uaXN0cDI1NgAAAEkAAAAgRmpEdT0/PoGx5kaMPLSu1IpU1SFuSZtXPIdigAeiXIAAAAAh
ALUlCXL5Xq8jstMnnHqncemP2K1bXxMRl4gS5kDslwyi
-----END SSH SIGNATURE-----
)fx";

inline constexpr const char* kMessageSigEcdsaP384 = R"fx(-----BEGIN SSH SIGNATURE-----
U1NIU0lHAAAAAQAAAIgAAAATZWNkc2Etc2hhMi1uaXN0cDM4NAAAAAhuaXN0cDM4NAAAAG
EE4uE5LfOFdHuMOl92JKw3UBvQ222QxPFLo4QLWW9yUQLvWiy/mYfFuZOMCncSPhAzVu5t
sqMouvMCCa8lOQXUAC8WiBHq3QlGFCsZZNf5Rus9ShGWSjDKsotPa+b0FmWrAAAAA2dpdA
AAAAAAAAAGc2hhNTEyAAAAhQAAABNlY2RzYS1zaGEyLW5pc3RwMzg0AAAAagAAADEAg8bU
n7+YG0FUX4H65NG0W6kr4omeedLS2fsW7NSzyGmfk/yrRhjhj6ckCCTcV71zAAAAMQDXvs
ruHmtQHdVyl1J80Ti7cKivycTmPa5FGxO6zUKJDMzByKF7zHPjxgxbIomncAw=
-----END SSH SIGNATURE-----
)fx";

inline constexpr const char* kMessageSigRsa = R"fx(-----BEGIN SSH SIGNATURE-----
U1NIU0lHAAAAAQAAARcAAAAHc3NoLXJzYQAAAAMBAAEAAAEBAOXDHMAVIl7sg3E28VUdSv
uYlLSDLEPt5djl5mhMMIpF4FmCuVj084N0ari0kIYQLmeO27t+YmCm1NsxvwCUQt4ZrWUg
uq4IPud9KH0cGZWacPVU7Kkk2oW8q5qKaVVwDnodRMXJM7vzg3ggUCN0huyVwJ7pABaTAz
WM7U2pIjPwowu3wgAvFxv8YXZ61JA3hLqFr7peeBm4HQzHXz/YlEr7h7V8qp5yy6jyl/+T
MtKdT7chvIi6pTkZZP66NpuaBpnrnQw6IODuRJTUvKJZuBpaYqkVknTEZLxneryXXs/yEO
d5s/tDsroiZm5QKimF90NAtzZv+UD4iHnnGPNgYVEAAAADZ2l0AAAAAAAAAAZzaGE1MTIA
AAEUAAAADHJzYS1zaGEyLTUxMgAAAQDa2dgqsXLbDq0CxoMsnm318Mpb3fcNVrvBeQX0ul
utAqXYYdz+QLHIfPVgyLPw7s8no5j1Dgz0EaJEOfO+2IViQtsHu3LOoWRc5+fYH88zCiKf
q+XtdVmeaJs9cgwRA0UUPM6RfDp/OxPC4Aeixzk2TsmbvQJrWMOtcVrEaC6DuwTlxCqkVd
yU/id5IrWJvX7AWzpxEeO/48ZVI62ITqCfLn39cUGOwKcO47dkBeL3ZD8uCcXnGsTnf/LY
7ZKER3SoUYIyEMSx9nDkYBzCKN3ABYOvHuKFqjga+f40wJY3oIMzT2+ws6PH0xsx3Zrx72
0f02S/NKz1zgUoOQYAXt/q
-----END SSH SIGNATURE-----
)fx";

inline constexpr const char* kMessageSigStranger = R"fx(-----BEGIN SSH SIGNATURE-----
U1NIU0lHAAAAAQAAADMAAAALc3NoLWVkMjU1MTkAAAAgau0LDc7ax0L5fE88vpMKAkq/bv
tAnb9jDswaXz4Vlt4AAAADZ2l0AAAAAAAAAAZzaGE1MTIAAABTAAAAC3NzaC1lZDI1NTE5
AAAAQGiT52h7rPmbtfvl6naLpGr1Jsuhu2ts9fJ6pBIuytIjFWd8loW17H87eKIogGChho
LgFKG4DrFOPcU4Zcv5KgI=
-----END SSH SIGNATURE-----
)fx";

inline constexpr const char* kMessageSigEd25519FileNamespace = R"fx(-----BEGIN SSH SIGNATURE-----
U1NIU0lHAAAAAQAAADMAAAALc3NoLWVkMjU1MTkAAAAgQfUv7LLb5MLMPDELyNpyYu/I2q
1Jhi6kfEZN0PqTdB0AAAAEZmlsZQAAAAAAAAAGc2hhNTEyAAAAUwAAAAtzc2gtZWQyNTUx
OQAAAEB1zxcYs3Z0ip/cewU1C48hKDd90HMCc6lKLM+zGdCuEC84mShmPfZxOqV6EH4LKq
B1KNFKLeZNiP926uLphxsI
-----END SSH SIGNATURE-----
)fx";

inline constexpr const char* kCommitEd25519Payload =
    R"fx(tree 57e7913f200cc9b4c544566f932cac31d5d9e66b
author Alice <alice@example.com> 1735787045 +0000
committer Alice <alice@example.com> 1735787045 +0000

Add certgate.toml
)fx";

inline constexpr const char* kCommitEd25519Sig = R"fx(-----BEGIN SSH SIGNATURE-----
U1NIU0lHAAAAAQAAADMAAAALc3NoLWVkMjU1MTkAAAAgQfUv7LLb5MLMPDELyNpyYu/I2q
1Jhi6kfEZN0PqTdB0AAAADZ2l0AAAAAAAAAAZzaGE1MTIAAABTAAAAC3NzaC1lZDI1NTE5
AAAAQGiymTdviOJqSpEueSOAUCka5uChFycGG4VJj/2Tf1YToAdsXVLe1MBrvtSF88pBNa
mxX15ONMBNssnozNci6Q4=
-----END SSH SIGNATURE-----
)fx";

inline constexpr const char* kCommitEcdsaP256Payload =
    R"fx(tree b2ce3f2d1bec98a72c64aa89cb4e5a53e932e7ba
parent 6f6ee33c222432b8ccc5553bc5dbb38d3260f825
author Bob <bob@example.com> 1735873445 +0000
committer Bob <bob@example.com> 1735873445 +0000

Rename the CA
)fx";

inline constexpr const char* kCommitEcdsaP256Sig = R"fx(-----BEGIN SSH SIGNATURE-----
U1NIU0lHAAAAAQAAAGgAAAATZWNkc2Etc2hhMi1uaXN0cDI1NgAAAAhuaXN0cDI1NgAAAE
EEaZEcjPYL1szLS5fEcmgvRdlcyg4VSB51cxzDV2kwQJqbFvl1M59kJ90RApWaIlbrKAl0
bjynjqXe35oBoGBq/AAAAANnaXQAAAAAAAAABnNoYTUxMgAAAGQAAAATZWNkc2Etc2hhMi
1uaXN0cDI1NgAAAEkAAAAhAO3+6xREMlkDRE6uR8sWHVRdI1sAO/mWKFYw311nnptrAAAA
IDsKFTuekYn/Z4ehJRkSTrxB2pg+XpovJeNf6C3lIHCZ
-----END SSH SIGNATURE-----
)fx";

inline constexpr const char* kCommitEcdsaP256Raw =
    R"fx(tree b2ce3f2d1bec98a72c64aa89cb4e5a53e932e7ba
parent 6f6ee33c222432b8ccc5553bc5dbb38d3260f825
author Bob <bob@example.com> 1735873445 +0000
committer Bob <bob@example.com> 1735873445 +0000
gpgsig -----BEGIN SSH SIGNATURE-----
 U1NIU0lHAAAAAQAAAGgAAAATZWNkc2Etc2hhMi1uaXN0cDI1NgAAAAhuaXN0cDI1NgAAAE
 EEaZEcjPYL1szLS5fEcmgvRdlcyg4VSB51cxzDV2kwQJqbFvl1M59kJ90RApWaIlbrKAl0
 bjynjqXe35oBoGBq/AAAAANnaXQAAAAAAAAABnNoYTUxMgAAAGQAAAATZWNkc2Etc2hhMi
 1uaXN0cDI1NgAAAEkAAAAhAO3+6xREMlkDRE6uR8sWHVRdI1sAO/mWKFYw311nnptrAAAA
 IDsKFTuekYn/Z4ehJRkSTrxB2pg+XpovJeNf6C3lIHCZ
 -----END SSH SIGNATURE-----

Rename the CA
)fx";

}  // namespace certgate::testing
