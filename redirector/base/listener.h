#pragma once
// Opening a listening acceptor, or adopting one a binary upgrade handed over (upgrade.h). Shared
// by the public and admin listeners.

#include <boost/asio/ip/tcp.hpp>
#include <boost/system/error_code.hpp>

namespace redirector {

// Binds and listens on `ep` (SO_REUSEADDR, and SO_REUSEPORT when `reuse_port`: each public
// worker has its own socket on the port). With `inherited_fd` ≥ 0 takes that descriptor
// instead: already bound and listening, maybe with connections waiting in its backlog.
void OpenListener(boost::asio::ip::tcp::acceptor& acceptor,
                  const boost::asio::ip::tcp::endpoint& ep, bool reuse_port, int inherited_fd,
                  boost::system::error_code& ec);

}  // namespace redirector
