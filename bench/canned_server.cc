// canned_server: the physical-limit anchor for bench/compare_nginx.py. One thread, one epoll
// set, level-triggered; every complete request head in a read is answered with the same 302
// (one send per read). No parsing beyond finding "\r\n\r\n", no lookup, no log: what is left
// is the kernel's cost of accept, recv, send and epoll on loopback, which no server can avoid
// without paying fewer system calls per request.
//
//   canned_server PORT
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace {

// About the size of redirector's answer to a tap (its Location carries UTM and a click id).
constexpr char kResponse[] =
    "HTTP/1.1 302 Found\r\nDate: Fri, 27 Nov 2026 12:00:00 GMT\r\nContent-Length: 0\r\n"
    "Cache-Control: private, max-age=0\r\nReferrer-Policy: no-referrer\r\n"
    "Location: https://shop.example.com/spring/collection/item-000123?ref=sms-campaign-0001"
    "&utm_source=sms&utm_medium=sms&utm_campaign=c-0001&rid=n1.AbCdEfGhIjKlMnOp\r\n\r\n";

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2 || std::atoi(argv[1]) <= 0 || std::atoi(argv[1]) > 65535) {
    std::fprintf(stderr, "usage: canned_server PORT (listens on 127.0.0.1)\n");
    return 2;
  }
  int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int one = 1;
  ::setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(std::atoi(argv[1])));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listener, 1024) != 0) {
    std::perror("canned_server: listen");
    return 1;
  }
  int epfd = ::epoll_create1(EPOLL_CLOEXEC);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = listener;
  ::epoll_ctl(epfd, EPOLL_CTL_ADD, listener, &ev);
  epoll_event events[256];
  static char in[16384];
  static char out[65536];
  for (;;) {
    int n = ::epoll_wait(epfd, events, 256, -1);
    for (int i = 0; i < n; ++i) {
      int fd = events[i].data.fd;
      if (fd == listener) {
        for (int c;
             (c = ::accept4(listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0;) {
          ::setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          epoll_event e{};
          e.events = EPOLLIN;
          e.data.fd = c;
          ::epoll_ctl(epfd, EPOLL_CTL_ADD, c, &e);
        }
        continue;
      }
      ssize_t got = ::recv(fd, in, sizeof in, 0);
      if (got <= 0) {
        ::close(fd);
        continue;
      }
      size_t len = 0;
      for (ssize_t j = 3; j < got; ++j) {
        if (std::memcmp(in + j - 3, "\r\n\r\n", 4) == 0 && len + sizeof kResponse < sizeof out) {
          std::memcpy(out + len, kResponse, sizeof kResponse - 1);
          len += sizeof kResponse - 1;
        }
      }
      if (len > 0) (void)!::send(fd, out, len, MSG_NOSIGNAL);
    }
  }
}
