// One HTTPS request over a live TLS connection, for `certgate verify` and the gate check that
// apply runs after an nginx reload (apply/gate_check.h).
//
// probe_https connects over plain sockets, does a TLS 1.2 or 1.3 handshake with OpenSSL (SNI,
// optionally a client certificate), sends one GET and reads the status line. It does not verify
// the server's certificate: the gate under test is the client-certificate check, and private
// sites often have private server certificates. It records what the server did, as plain values;
// deciding whether that means "refused" is apply/gate_check's job.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "base/result.h"
#include "pki/secret.h"

namespace certgate::pki {

// A client certificate and its key, PEM.
struct ClientIdentity {
  std::string cert_pem;
  SecretString key_pem;
};

struct ProbeRequest {
  std::string host;  // DNS name or IP literal (IPv6 without brackets) to connect to
  int port = 443;
  std::string sni;          // the server_name extension; empty: none (RFC 6066 forbids IP literals)
  std::string host_header;  // the Host header; empty: `host`
  std::string path = "/";
  const ClientIdentity* identity = nullptr;  // borrowed; nullptr: no client certificate
  // For the TCP connect, for the handshake, and for the request and its status line, each.
  std::chrono::milliseconds timeout{5000};
};

struct ProbeResult {
  std::string local_address;             // this side of the connection, "127.0.0.1" (getsockname)
  bool handshake_ok = false;             // SSL_connect completed
  bool saw_server_certificate = false;   // the server sent its Certificate message
  bool saw_certificate_request = false;  // the server asked for a client certificate
  std::string protocol;                  // "TLSv1.3", once negotiated
  std::string alert;        // a fatal alert the server sent, "certificate required"; empty: none
  std::string error;        // what failed after connecting (handshake, write, read); empty: nothing
  bool timed_out = false;   // that failure was a timeout
  int http_status = 0;      // 0 when no status line was read
  std::string status_line;  // "HTTP/1.1 403 Forbidden", at most 200 characters
  std::string head;         // the status line and headers as received, at most 16 KiB

  bool operator==(const ProbeResult&) const = default;
};

// Connects to request.host:request.port (every address it resolves to, in order, until one
// accepts), handshakes, sends `GET path HTTP/1.1` with `Host` and `Connection: close`, and reads
// the response's status line. Fails with Errc::io only when no TCP connection could be made
// ("connect 127.0.0.1:8443: Connection refused", "resolve x.example: Name or service not
// known", "connect 10.0.0.5:443: timed out after 5000 ms"), and with Errc::invalid when the
// client certificate or key does not load. Whatever happens after the connection is made is in
// the ProbeResult. Touches the network only; the socket is closed on return.
Result<ProbeResult> probe_https(const ProbeRequest& request);

// The value of header `name` (matched case-insensitively) in a response `head`, without the
// surrounding blanks; empty when the header is absent.
std::string header_value(std::string_view head, std::string_view name);

// "127.0.0.1:8443", "[::1]:8443".
std::string host_port(const std::string& host, int port);

// The status code of an HTTP/1.x status line ("HTTP/1.1 403 Forbidden" -> 403); 0 when `line`
// is not one.
int parse_status_code(std::string_view line);

}  // namespace certgate::pki
