// Fuzz target: bytes from a client, through the same steps as a connection: parse requests in
// the buffer one after another → HandleTap → response bytes. Checks that a redirect's Location
// is exactly a stored link's destination shape (never request bytes) and carries no CR/LF.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>

#include "store/link_table.h"

#include "redirector/edge/redirect_url.h"
#include "redirector/edge/request_parser.h"
#include "redirector/edge/response_writer.h"
#include "redirector/edge/tap.h"

#include "tests/fuzz/scratch_dir.h"

namespace {
store::LinkTable* Table() {
  static store::LinkTable* table = [] {
    auto t = store::LinkTable::Open(fuzz::ScratchDir("request") + "/links");
    if (!t.ok()) std::abort();
    store::Campaign c;
    c.id = "spring";
    c.destination = "https://shop.example/s?x=1#top";
    c.utm = {{"source", "sms"}};
    c.variants = {{"A", ""}, {"B", "https://shop.example/b"}};
    if (!(*t)->CreateCampaign(c).ok()) std::abort();
    std::vector<store::Link> links = {
        {"liveA01", "spring", "A", "r-1", 1790000000, 0, "", "", false},
        {"liveB01", "spring", "B", "r-2", 1790000000, 0, "", "", false}};
    if (!(*t)->CreateLinks(&links).ok()) std::abort();
    return t->release();
  }();
  return table;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static redirector::ClassifierConfig config;
  static redirector::ClickIdGenerator ids("fuzz", 1790000000000, 0);
  static redirector::DateCache dates;
  std::string in(reinterpret_cast<const char*>(data), size);
  size_t pos = 0;
  char location[redirector::kMaxLocation];
  char out[16384];
  while (pos < in.size()) {
    std::optional<redirector::RequestParser> parser;
    parser.emplace(redirector::RequestParser::Limits{2048, 1024, 32});
    boost::beast::error_code ec;
    size_t used = parser->Feed(in.data() + pos, in.size() - pos, ec);
    if (ec || !parser->is_done() || used == 0) break;
    redirector::TapContext ctx{Table(), &config, &ids, 1790003600};
    auto outcome =
        redirector::HandleTap(parser->facts(), ctx, std::span<char>(location, sizeof(location)));
    if (outcome.status == redirector::TapStatus::kRedirect) {
      std::string_view loc = outcome.location;
      if (loc.substr(0, 22) != "https://shop.example/s" &&
          loc.substr(0, 22) != "https://shop.example/b") {
        std::abort();
      }
      if (loc.find_first_of("\r\n") != std::string_view::npos) std::abort();
    }
    size_t n = redirector::WriteTapResponse(outcome, false, true, dates.Get(1790003600),
                                            std::span<char>(out, sizeof(out)), 0);
    if (n == 0) std::abort();
    pos += used;
  }
  return 0;
}
