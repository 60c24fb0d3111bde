// Fuzz target: the classifier's input. The first byte picks method and header flags, the rest
// is split into a user agent and the prefetch/preview header values; its last 16 bytes are also
// the client's address. The same bytes go through the token and network file parsers (ops'
// input), and tokens that parse are compiled and matched against the user agent.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <vector>

#include "redirector/classify/classifier_data.h"
#include "redirector/classify/classify.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  uint8_t flags = data[0];
  std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  redirector::HitFacts h;
  h.method = flags & 1 ? redirector::HttpMethod::kHead : redirector::HttpMethod::kGet;
  h.has_accept = flags & 2;
  h.has_accept_language = flags & 4;
  h.seconds_since_sent = (flags & 8) ? -1 : static_cast<int64_t>(flags >> 4);
  size_t cut = rest.find('\n');
  h.user_agent = rest.substr(0, cut);
  if (cut != std::string_view::npos) {
    std::string_view headers = rest.substr(cut + 1);
    h.purpose = headers.substr(0, headers.size() / 2);
    h.x_purpose = headers.substr(headers.size() / 2);
  }
  redirector::Ip16 client;
  if (rest.size() >= client.size()) {
    std::memcpy(client.data(), rest.data() + rest.size() - client.size(), client.size());
    h.client = &client;
  }
  std::vector<redirector::TokenMatcher::Token> tokens;
  if (redirector::ParseUaTokens(rest, "fuzz", &tokens).ok() && !tokens.empty()) {
    uint64_t groups = redirector::TokenMatcher(tokens).Match(h.user_agent);
    if (groups >> 8) std::abort();  // only the eight groups exist
  }
  redirector::NetworkTable networks;
  if (redirector::ParseNetworks(rest, "fuzz", redirector::NetworkKind::kScanner, &networks).ok()) {
    networks.Build();
    if (h.client != nullptr) (void)networks.Find(client);
  }
  redirector::Classification c = redirector::Classify(h, redirector::ClassifierConfig());
  if (static_cast<int>(c.verdict) > 3) std::abort();
  if (c.reasons >> redirector::kReasonCount) std::abort();
  if (c.verdict == redirector::Verdict::kHuman &&
      (c.reasons & ~static_cast<uint32_t>(redirector::kReasonInApp))) {
    std::abort();  // a human verdict carries no ghost reason
  }
  return 0;
}
