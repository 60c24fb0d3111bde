#include "redirector/admin/admin_server.h"

#include <atomic>
#include <future>
#include <thread>
#include <vector>

#include <absl/strings/str_cat.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "redirector/base/listener.h"

#include <fcntl.h>

namespace redirector {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

namespace {
class Session;
}  // namespace

struct AdminServer::State {
  State(AdminServerOptions o, AdminContext c)
      : options(std::move(o)), context(std::move(c)), acceptor(ioc) {}
  AdminServerOptions options;
  AdminContext context;
  net::io_context ioc;
  // Keeps run() going while paused, when no operation is pending.
  net::executor_work_guard<net::io_context::executor_type> work{ioc.get_executor()};
  tcp::acceptor acceptor;
  // Pause/Resume (binary upgrade). Admin thread only, except `active`, which Pause polls.
  bool paused = false;
  std::vector<std::weak_ptr<Session>> sessions;
  std::atomic<int> active{0};  // requests whose header arrived, until their answer is written
};

namespace {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(AdminServer::State& state, tcp::socket socket)
      : state_(state), stream_(std::move(socket)) {
    // Beast reads no more than the buffer's free space (at least 512 bytes): a small buffer
    // turns a bulk body into thousands of reads, each re-arming the timeout's timer.
    buffer_.reserve(kReadBytes);
  }
  ~Session() { SetBusy(false); }

  // Pausing: a connection waiting for its next request is closed (the client reconnects and
  // waits in the listener's backlog for whoever accepts next); one mid-request finishes it.
  void CloseIfIdle() {
    if (!busy_) Close();
  }

  void Read() {
    parser_.emplace();
    parser_->body_limit(state_.options.max_body_bytes);
    parser_->header_limit(state_.options.header_limit);
    stream_.expires_after(std::chrono::seconds(state_.options.read_timeout_seconds));
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
  }

 private:
  // A client that sent "Expect: 100-continue" (curl does for large bodies) waits for our go
  // before sending the body; without it, it stalls for a second.
  void OnHeader(beast::error_code ec) {
    if (ec) {
      OnRead(ec);
      return;
    }
    if (state_.paused) {  // arrived after Pause: nothing is done, the client retries
      AdminResponse r;
      r.status = 503;
      r.body = R"({"error":"the daemon is handing over to a new binary; retry in a second"})"
               "\n";
      Write(std::move(r), false);
      return;
    }
    SetBusy(true);
    auto expect = parser_->get()[http::field::expect];
    if (!beast::iequals(expect, "100-continue")) {
      ReadBody();
      return;
    }
    static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
    net::async_write(stream_, net::buffer(kContinue.data(), kContinue.size()),
                     [self = shared_from_this()](beast::error_code wec, size_t) {
                       if (wec) {
                         self->Close();
                         return;
                       }
                       self->ReadBody();
                     });
  }

  void ReadBody() {
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnRead(ec); });
  }

  void OnRead(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == net::error::operation_aborted ||
        ec == beast::error::timeout) {
      Close();
      return;
    }
    if (ec) {
      int status = ec == http::error::body_limit     ? 413
                   : ec == http::error::header_limit ? 431
                                                     : 400;
      AdminResponse r;
      r.status = status;
      r.body = absl::StrCat(R"({"error":")", ec.message(), "\"}\n");
      Write(std::move(r), false);
      return;
    }
    const auto& req = parser_->get();
    AdminRequest ar;
    ar.method = std::string_view(req.method_string().data(), req.method_string().size());
    ar.target = std::string_view(req.target().data(), req.target().size());
    auto auth = req[http::field::authorization];
    ar.authorization = std::string_view(auth.data(), auth.size());
    ar.body = req.body();
    auto hmac = req["X-Shopify-Hmac-Sha256"];
    ar.shopify_hmac = std::string_view(hmac.data(), hmac.size());
    AdminResponse r = HandleAdmin(ar, state_.context);
    Write(std::move(r), req.keep_alive());
  }

  void Write(AdminResponse r, bool keep_alive) {
    auto res = std::make_shared<http::response<http::string_body>>();
    res->result(static_cast<unsigned>(r.status));
    res->version(11);
    res->set(http::field::server, "redirector");
    res->set(http::field::content_type, r.content_type);
    if (r.status == 401) res->set(http::field::www_authenticate, "Bearer");
    res->keep_alive(keep_alive);
    res->body() = std::move(r.body);  // bulk answers are megabytes: no copy
    res->prepare_payload();
    http::async_write(stream_, *res,
                      [self = shared_from_this(), res, keep_alive](beast::error_code ec, size_t) {
                        self->SetBusy(false);
                        if (ec || !keep_alive || self->state_.paused) {
                          self->Close();
                          return;
                        }
                        self->Read();
                      });
  }

  void SetBusy(bool busy) {
    if (busy == busy_) return;
    busy_ = busy;
    state_.active.fetch_add(busy ? 1 : -1, std::memory_order_acq_rel);
  }

  void Close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.socket().close(ec);
  }

  AdminServer::State& state_;
  beast::tcp_stream stream_;
  static constexpr size_t kReadBytes = 64 * 1024;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  bool busy_ = false;
};

void Accept(AdminServer::State& state) {
  state.acceptor.async_accept([&state](beast::error_code ec, tcp::socket socket) {
    if (state.paused || !state.acceptor.is_open()) return;  // Resume or nothing accepts again
    if (!ec) {
      // Asio accepts without close-on-exec: a binary upgrade's new process must not inherit it.
      (void)::fcntl(socket.native_handle(), F_SETFD, FD_CLOEXEC);
      auto session = std::make_shared<Session>(state, std::move(socket));
      std::erase_if(state.sessions, [](const auto& w) { return w.expired(); });
      state.sessions.push_back(session);
      session->Read();
    }
    Accept(state);
  });
}

}  // namespace

AdminServer::AdminServer(AdminServerOptions options, AdminContext context)
    : options_(options), state_(std::make_unique<State>(std::move(options), std::move(context))) {}

AdminServer::~AdminServer() { Stop(); }

absl::Status AdminServer::Listen(int inherited_fd) {
  beast::error_code ec;
  auto address = net::ip::make_address(options_.host, ec);
  if (ec) return absl::InvalidArgumentError(absl::StrCat("bad admin host ", options_.host));
  tcp::endpoint ep(address, options_.port);
  auto& a = state_->acceptor;
  OpenListener(a, ep, false, inherited_fd, ec);
  if (ec) {
    return absl::UnavailableError(
        absl::StrCat("admin listener on ", options_.host, ":", options_.port, ": ", ec.message()));
  }
  port_ = a.local_endpoint().port();
  return absl::OkStatus();
}

void AdminServer::Start() {
  Accept(*state_);
  thread_ = std::thread([this] { state_->ioc.run(); });
}

void AdminServer::Reconfigure(std::string token, std::string shopify_secret,
                              std::string public_url) {
  State& st = *state_;
  net::post(st.ioc, [&st, token = std::move(token), secret = std::move(shopify_secret),
                     url = std::move(public_url)]() mutable {
    st.context.token = std::move(token);
    st.context.shopify_secret = std::move(secret);
    st.context.public_url = std::move(url);
  });
}

int AdminServer::listener_fd() { return state_->acceptor.native_handle(); }

bool AdminServer::Pause(std::chrono::milliseconds timeout,
                        const std::function<bool()>& cancelled) {
  State& st = *state_;
  auto paused = std::make_shared<std::promise<void>>();
  net::post(st.ioc, [&st, paused] {
    st.paused = true;
    beast::error_code ec;
    st.acceptor.cancel(ec);
    for (auto& w : st.sessions) {
      if (auto session = w.lock()) session->CloseIfIdle();
    }
    paused->set_value();
  });
  // Once the admin thread has paused, no request starts; then the ones under way finish.
  auto deadline = std::chrono::steady_clock::now() + timeout;
  if (paused->get_future().wait_until(deadline) != std::future_status::ready) return false;
  while (st.active.load(std::memory_order_acquire) > 0) {
    if (std::chrono::steady_clock::now() >= deadline || (cancelled && cancelled())) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

void AdminServer::Resume() {
  State& st = *state_;
  net::post(st.ioc, [&st] {
    if (!st.paused) return;
    st.paused = false;
    Accept(st);
  });
}

void AdminServer::Stop() {
  if (!thread_.joinable()) return;
  net::post(state_->ioc, [this] {
    beast::error_code ec;
    state_->acceptor.close(ec);
  });
  state_->ioc.stop();
  thread_.join();
}

}  // namespace redirector
