#include "redirector/base/listener.h"

#include <cerrno>

#include <sys/socket.h>

namespace redirector {

using tcp = boost::asio::ip::tcp;

void OpenListener(tcp::acceptor& acceptor, const tcp::endpoint& ep, bool reuse_port,
                  int inherited_fd, boost::system::error_code& ec) {
  if (inherited_fd >= 0) {
    sockaddr_storage local{};
    socklen_t len = sizeof(local);
    if (::getsockname(inherited_fd, reinterpret_cast<sockaddr*>(&local), &len) != 0) {
      ec.assign(errno, boost::system::system_category());
      return;
    }
    acceptor.assign(local.ss_family == AF_INET6 ? tcp::v6() : tcp::v4(), inherited_fd, ec);
    return;
  }
  acceptor.open(ep.protocol(), ec);
  if (!ec) acceptor.set_option(boost::asio::socket_base::reuse_address(true), ec);
  if (!ec && reuse_port) {
    int one = 1;
    if (::setsockopt(acceptor.native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) != 0) {
      ec.assign(errno, boost::system::system_category());
    }
  }
  if (!ec) acceptor.bind(ep, ec);
  if (!ec) acceptor.listen(boost::asio::socket_base::max_listen_connections, ec);
}

}  // namespace redirector
