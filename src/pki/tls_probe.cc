#include "pki/tls_probe.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <utility>

#include "pki/ossl.h"

namespace certgate::pki {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// A socket descriptor, closed when it goes out of scope.
class Socket {
 public:
  explicit Socket(int fd = -1) : fd_(fd) {}
  Socket(Socket&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Socket& operator=(Socket&& other) noexcept {
    std::swap(fd_, other.fd_);
    return *this;
  }
  ~Socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  int fd() const { return fd_; }

 private:
  int fd_;
};

// OpenSSL writes to the socket with write(2), which raises SIGPIPE when the server has already
// reset the connection (a gate that hangs up on a bad certificate may). That must fail the
// write, not kill certgate: the signal is blocked on this thread for the probe's duration and a
// SIGPIPE it raised is taken off the pending set before unblocking (as libcurl and libpq do).
// Process-wide signal handling stays in agent/.
class SigpipeBlock {
 public:
  SigpipeBlock() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
    sigset_t pending;
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
  }
  ~SigpipeBlock() {
    sigset_t pending;
    sigpending(&pending);
    if (!was_pending_ && sigismember(&pending, SIGPIPE) == 1) {
      const timespec zero{};
      while (sigtimedwait(&pipe_, nullptr, &zero) == -1 && errno == EINTR) {
      }
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  SigpipeBlock(const SigpipeBlock&) = delete;
  SigpipeBlock& operator=(const SigpipeBlock&) = delete;

 private:
  sigset_t pipe_;
  sigset_t old_;
  bool was_pending_ = false;
};

std::string timeout_text(milliseconds timeout) {
  return "timed out after " + std::to_string(timeout.count()) + " ms";
}

// Waits until `fd` is ready for `events` or `deadline` passes; false on timeout.
bool wait_for(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd, events, 0};
    const int n = ::poll(&p, 1, static_cast<int>(left.count()));
    if (n > 0) return true;
    if (n == 0) return false;
    if (errno != EINTR) return true;  // let the next call report the error
  }
}

std::string numeric_host(const sockaddr* addr, socklen_t len) {
  char host[NI_MAXHOST];
  if (getnameinfo(addr, len, host, sizeof host, nullptr, 0, NI_NUMERICHOST) != 0) return "?";
  return host;
}

// One non-blocking connect to `ai`, waiting at most `timeout`. The error names the address.
Result<Socket> connect_one(const addrinfo* ai, int port, milliseconds timeout) {
  const std::string where =
      "connect " + host_port(numeric_host(ai->ai_addr, ai->ai_addrlen), port) + ": ";
  Socket s(::socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (s.fd() < 0) return make_error(Errc::io, where + std::strerror(errno));
  if (::connect(s.fd(), ai->ai_addr, ai->ai_addrlen) == 0) return s;
  if (errno != EINPROGRESS) return make_error(Errc::io, where + std::strerror(errno));
  if (!wait_for(s.fd(), POLLOUT, Clock::now() + timeout))
    return make_error(Errc::io, where + timeout_text(timeout));
  int err = 0;
  socklen_t len = sizeof err;
  if (::getsockopt(s.fd(), SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
  if (err != 0) return make_error(Errc::io, where + std::strerror(err));
  return s;
}

// Tries every address `host` resolves to, in order; the last address's error when none accepts.
Result<Socket> connect_tcp(const std::string& host, int port, milliseconds timeout) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* raw = nullptr;
  const std::string service = std::to_string(port);
  if (const int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &raw); rc != 0)
    return make_error(Errc::io, "resolve " + host + ": " + gai_strerror(rc));
  std::unique_ptr<addrinfo, FreeWith<freeaddrinfo>> list(raw);
  Error last = make_error(Errc::io, "connect " + host_port(host, port) + ": no address");
  for (const addrinfo* ai = list.get(); ai != nullptr; ai = ai->ai_next) {
    auto s = connect_one(ai, port, timeout);
    if (s) return std::move(*s);
    last = s.error();
  }
  return last;
}

// This side's address; an IPv4-mapped IPv6 address is given as IPv4, as nginx's geo matches it.
std::string local_address(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return "";
  char buf[INET6_ADDRSTRLEN] = "";
  if (ss.ss_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(&ss)->sin_addr, buf, sizeof buf);
  } else if (ss.ss_family == AF_INET6) {
    const in6_addr& a = reinterpret_cast<sockaddr_in6*>(&ss)->sin6_addr;
    if (IN6_IS_ADDR_V4MAPPED(&a)) {
      inet_ntop(AF_INET, a.s6_addr + 12, buf, sizeof buf);
    } else {
      inet_ntop(AF_INET6, &a, buf, sizeof buf);
    }
  }
  return buf;
}

// SSL_alert_desc_string_long names the alerts of TLS 1.2; OpenSSL 3.0 calls TLS 1.3's "unknown".
std::string alert_name(int code) {
  switch (code) {
    case 109:
      return "missing extension";
    case 116:
      return "certificate required";  // RFC 8446 6.2: no client certificate
    case 120:
      return "no application protocol";
  }
  const std::string name = SSL_alert_desc_string_long(code);
  return name == "unknown" ? "alert " + std::to_string(code) : name;
}

// Records what the server sends: its Certificate and CertificateRequest messages, and a fatal
// alert (TLS 1.3 treats every alert but close_notify and user_canceled as fatal, RFC 8446 6).
void on_message(int write_p, int /*version*/, int content_type, const void* buf, size_t len,
                SSL* /*ssl*/, void* arg) {
  auto* out = static_cast<ProbeResult*>(arg);
  const auto* b = static_cast<const unsigned char*>(buf);
  if (write_p != 0 || len < 1) return;
  if (content_type == SSL3_RT_HANDSHAKE) {
    if (b[0] == SSL3_MT_CERTIFICATE) out->saw_server_certificate = true;
    if (b[0] == SSL3_MT_CERTIFICATE_REQUEST) out->saw_certificate_request = true;
  } else if (content_type == SSL3_RT_ALERT && len >= 2) {
    if (b[1] != SSL_AD_CLOSE_NOTIFY && b[1] != SSL_AD_USER_CANCELLED && out->alert.empty())
      out->alert = alert_name(b[1]);
  }
}

// What an SSL_* call's failure was, without OpenSSL's error codes: "sslv3 alert bad
// certificate". Leaves the error queue empty.
std::string tls_failure(int ssl_error, int saved_errno) {
  std::string out;
  while (const unsigned long code = ERR_get_error()) {
    const char* reason = ERR_reason_error_string(code);
    out += (out.empty() ? "" : "; ") + std::string(reason != nullptr ? reason : "unknown error");
  }
  if (!out.empty()) return out;
  if (ssl_error == SSL_ERROR_ZERO_RETURN) return "connection closed by the server";
  if (ssl_error == SSL_ERROR_SYSCALL && saved_errno != 0) return std::strerror(saved_errno);
  return "connection closed by the server";
}

struct IoOutcome {
  int ret = 0;  // > 0: success
  std::string error;
  bool timed_out = false;
};

// Runs `op` on the non-blocking `ssl` until it succeeds, fails or `timeout` passes, waiting on
// the socket whenever OpenSSL asks to.
template <class Op>
IoOutcome drive(SSL* ssl, int fd, milliseconds timeout, Op op) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    ERR_clear_error();
    errno = 0;
    const int r = op();
    if (r > 0) return {r, "", false};
    const int saved_errno = errno;
    const int e = SSL_get_error(ssl, r);
    if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) {
      return {r, tls_failure(e, saved_errno), false};
    }
    if (!wait_for(fd, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline)) {
      ERR_clear_error();
      return {0, timeout_text(timeout), true};
    }
  }
}

Result<SslPtr> new_ssl(SSL_CTX* ctx, const ProbeRequest& req) {
  SslPtr ssl(SSL_new(ctx));
  if (!ssl) return openssl_error("SSL_new");
  if (!req.sni.empty() && SSL_set_tlsext_host_name(ssl.get(), req.sni.c_str()) != 1)
    return openssl_error("set SNI " + req.sni);
  if (req.identity == nullptr) return ssl;
  auto cert = parse_certificate(req.identity->cert_pem, "client certificate");
  if (!cert) return cert.error();
  auto key = parse_private_key(req.identity->key_pem.reveal(), "client key");
  if (!key) return key.error();
  // SSL_use_* take their own references.
  if (SSL_use_certificate(ssl.get(), cert->get()) != 1 ||
      SSL_use_PrivateKey(ssl.get(), key->get()) != 1 || SSL_check_private_key(ssl.get()) != 1) {
    Error e = openssl_error("load client certificate and key");
    e.code = Errc::invalid;
    return e;
  }
  return ssl;
}

Result<SslCtxPtr> new_ctx() {
  SslCtxPtr ctx(SSL_CTX_new(TLS_client_method()));
  if (!ctx || SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION) != 1)
    return openssl_error("SSL_CTX_new");
  // The server's certificate is not checked: this probes the client gate, not the server.
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_NONE, nullptr);
  SSL_CTX_set_session_cache_mode(ctx.get(), SSL_SESS_CACHE_OFF);
  SSL_CTX_set_msg_callback(ctx.get(), on_message);
  return ctx;
}

// Reads the status line and the headers (until the blank line, 16 KiB, or the end of the
// stream).
void read_response_head(SSL* ssl, int fd, milliseconds timeout, ProbeResult& out) {
  std::string got;
  char buf[2048];
  while (got.find("\r\n\r\n") == std::string::npos && got.size() < 16384) {
    IoOutcome r =
        drive(ssl, fd, timeout, [&] { return SSL_read(ssl, buf, static_cast<int>(sizeof buf)); });
    if (r.ret <= 0) {
      if (got.empty()) {
        out.error = "read response: " + r.error;
        out.timed_out = r.timed_out;
      }
      break;
    }
    got.append(buf, static_cast<size_t>(r.ret));
  }
  std::string line = got.substr(0, got.find('\n'));
  if (!line.empty() && line.back() == '\r') line.pop_back();
  out.status_line = line.substr(0, 200);
  out.http_status = parse_status_code(line);
  if (out.http_status == 0 && !got.empty()) out.error = "no HTTP status line in the response";
  out.head = got.substr(0, got.find("\r\n\r\n"));
}

void exchange(SSL* ssl, int fd, const ProbeRequest& req, ProbeResult& out) {
  IoOutcome hs = drive(ssl, fd, req.timeout, [&] { return SSL_connect(ssl); });
  out.handshake_ok = hs.ret > 0;
  if (!out.handshake_ok) {
    out.error = "TLS handshake: " + hs.error;
    out.timed_out = hs.timed_out;
    return;
  }
  out.protocol = SSL_get_version(ssl);
  const std::string host = req.host_header.empty() ? req.host : req.host_header;
  const std::string request =
      "GET " + req.path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n";
  IoOutcome w = drive(ssl, fd, req.timeout, [&] {
    return SSL_write(ssl, request.data(), static_cast<int>(request.size()));
  });
  // TLS 1.3 clients finish the handshake before the server has judged their certificate; its
  // verdict (an alert) may come only now, so read even when the write failed.
  read_response_head(ssl, fd, req.timeout, out);
  if (w.ret <= 0 && out.http_status == 0 && out.alert.empty()) {
    out.error = "send request: " + w.error;
    out.timed_out = w.timed_out;
  }
}

}  // namespace

std::string header_value(std::string_view head, std::string_view name) {
  size_t pos = head.find('\n');
  while (pos != std::string_view::npos && pos + 1 < head.size()) {
    const size_t start = pos + 1;
    pos = head.find('\n', start);
    std::string_view line = head.substr(start, pos == std::string_view::npos ? pos : pos - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const size_t colon = line.find(':');
    if (colon != name.size() || colon == std::string_view::npos) continue;
    bool same = true;
    for (size_t i = 0; i < colon; ++i)
      same = same && std::tolower(static_cast<unsigned char>(line[i])) ==
                         std::tolower(static_cast<unsigned char>(name[i]));
    if (!same) continue;
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
      value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    return std::string(value);
  }
  return "";
}

std::string host_port(const std::string& host, int port) {
  const bool is_v6 = host.find(':') != std::string::npos;
  return (is_v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

int parse_status_code(std::string_view line) {
  if (!line.starts_with("HTTP/1.") || line.size() < 12 || line[8] != ' ') return 0;
  if (line.size() > 12 && line[12] != ' ') return 0;
  int code = 0;
  const char* first = line.data() + 9;
  auto [end, ec] = std::from_chars(first, first + 3, code);
  if (ec != std::errc() || end != first + 3 || code < 100 || code > 599) return 0;
  return code;
}

Result<ProbeResult> probe_https(const ProbeRequest& request) {
  auto ctx = new_ctx();
  if (!ctx) return ctx.error();
  auto ssl = new_ssl(ctx->get(), request);
  if (!ssl) return ssl.error();
  auto sock = connect_tcp(request.host, request.port, request.timeout);
  if (!sock) return sock.error();
  const SigpipeBlock no_sigpipe;
  ProbeResult out;
  out.local_address = local_address(sock->fd());
  SSL_set_msg_callback_arg(ssl->get(), &out);
  if (SSL_set_fd(ssl->get(), sock->fd()) != 1) return openssl_error("SSL_set_fd");
  exchange(ssl->get(), sock->fd(), request, out);
  SSL_set_msg_callback_arg(ssl->get(), nullptr);  // `out` is moved out next
  return out;
}

}  // namespace certgate::pki
