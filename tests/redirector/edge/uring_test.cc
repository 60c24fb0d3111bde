// The io_uring wrapper against a real kernel ring: a socket pair on this machine, nothing else.
#include "redirector/edge/uring.h"

#include <cerrno>
#include <cstring>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>

#include <sys/socket.h>
#include <unistd.h>

namespace {
struct Done {
  uint64_t tag;
  int result;
};

// Waits (up to `tries` timeouts of 100 ms) until `n` completions have come back.
std::vector<Done> WaitFor(redirector::Uring& ring, size_t n, int tries = 20) {
  std::vector<Done> done;
  for (int i = 0; i < tries && done.size() < n; ++i) {
    int error = 0;
    REQUIRE(ring.SubmitAndWait(100, &error));
    ring.Drain([&](uint64_t tag, int result, bool) { done.push_back({tag, result}); });
  }
  return done;
}
}  // namespace

TEST_CASE("Uring submits, waits and hands back each completion with its tag", "[uring]") {
  auto opened = redirector::Uring::Open(64);
  if (!opened.ok()) {
    WARN("io_uring not available here: " << opened.status().message());
    return;
  }
  redirector::Uring& ring = **opened;
  REQUIRE(ring.Enable().ok());
  int fds[2];
  REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == 0);

  // A wait with nothing in flight ends at its timeout, and that is not an error (with the
  // no-iowait flag where the kernel has it: an unknown flag would fail here with EINVAL).
  int error = 0;
  CHECK(ring.SubmitAndWait(10, &error));
  CHECK(error == 0);

  char in[16] = {};
  ring.Recv(fds[0], in, sizeof in, 7);
  REQUIRE(::write(fds[1], "ping", 4) == 4);
  std::vector<Done> got = WaitFor(ring, 1);
  REQUIRE(got.size() == 1);
  CHECK(got[0].tag == 7);
  CHECK(got[0].result == 4);
  CHECK(std::string_view(in, 4) == "ping");

  // Several prepared before one wait go out together, each with its own tag.
  const char* words[] = {"a", "bb", "ccc"};
  for (uint64_t i = 0; i < 3; ++i) ring.Send(fds[0], words[i], std::strlen(words[i]), 10 + i);
  got = WaitFor(ring, 3);
  REQUIRE(got.size() == 3);
  uint64_t tags = 0;
  for (const Done& d : got) {
    CHECK(d.result == static_cast<int>(d.tag - 9));
    tags |= uint64_t{1} << (d.tag - 10);
  }
  CHECK(tags == 7);
  char out[8] = {};
  CHECK(::read(fds[1], out, sizeof out) == 6);
  CHECK(std::string_view(out, 6) == "abbccc");

  // More requests than the submission queue holds: the wrapper hands the full queue over first.
  std::vector<char> sink(200);
  for (uint64_t i = 0; i < 100; ++i) ring.Send(fds[0], "x", 1, 100 + i);
  got = WaitFor(ring, 100);
  CHECK(got.size() == 100);
  CHECK(::read(fds[1], sink.data(), sink.size()) == 100);

  // A recv in flight is cancelled and still completes.
  ring.Recv(fds[0], in, sizeof in, 500);
  (void)ring.SubmitAndWait(0, &error);
  ring.CancelAll(501);
  got = WaitFor(ring, 2);
  REQUIRE(got.size() == 2);
  for (const Done& d : got) {
    if (d.tag == 500) CHECK(d.result == -ECANCELED);
    if (d.tag == 501) CHECK(d.result == 1);  // one request cancelled
  }
  ::close(fds[0]);
  ::close(fds[1]);
}
