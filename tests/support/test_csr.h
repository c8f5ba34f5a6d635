// A CSR made with OpenSSL's own CLI, so tests do not trust certgate's code to make one:
//   openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null
//     -subj /CN=something-else
#pragma once

namespace certgate::testing {

inline constexpr const char* kTestCsr = R"(-----BEGIN CERTIFICATE REQUEST-----
MIHTMHsCAQAwGTEXMBUGA1UEAwwOc29tZXRoaW5nLWVsc2UwWTATBgcqhkjOPQIB
BggqhkjOPQMBBwNCAATWlUNljwA2TLP8wOaM1QR/YGSxe+omVc9bLjrO0cY3a3Xo
b22Zqp9yJe5wuSqFooxFm8fUdbSwjizxxL/qoQ8MoAAwCgYIKoZIzj0EAwIDSAAw
RQIhAMZuV8z4jc4fWjWaUPgnM0idWrz/PuyDEu1O/tUjq+UnAiB13ofRa/A2w+io
fr5FVYvErcRH3kpEoB7u69BFol0qgw==
-----END CERTIFICATE REQUEST-----
)";

}  // namespace certgate::testing
