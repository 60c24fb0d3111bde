// Micro-benchmarks of the redirect path's user-space steps, and the whole of them per hit.
//   build/bin/hot_path_benchmark [--benchmark_min_time=2]
// Each benchmark reports allocs_per_iter: operator new is replaced in this binary and counted.
// The link table holds 1M links with random 8-character codes, so lookups miss the CPU caches
// as they do in production.
#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <new>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <benchmark/benchmark.h>

#include "store/event.h"
#include "store/link_table.h"
#include "store/log_writer.h"

#include "redirector/admin/admin_api.h"
#include "redirector/base/histogram.h"
#include "redirector/classify/classify.h"
#include "redirector/classify/ua_cache.h"
#include "redirector/edge/public_server.h"
#include "redirector/edge/redirect_url.h"
#include "redirector/edge/request_parser.h"
#include "redirector/edge/response_writer.h"
#include "redirector/edge/tap.h"
#include "redirector/events/event_sink.h"
#include "redirector/events/hit_event.h"
#include "redirector/events/hit_record.h"
#include "redirector/events/spsc_ring.h"

#include "testing/counting_new.h"

namespace testing_dir {
// A temporary directory removed at exit.
struct Dir {
  std::string path;
  Dir() {
    char tmpl[] = "/tmp/redirector-bench-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~Dir() { (void)!std::system(("rm -rf " + path).c_str()); }
};
}  // namespace testing_dir

namespace {

constexpr int kLinks = 1000000;
constexpr int64_t kSent = 1790000000;

struct World {
  std::string dir;
  std::unique_ptr<store::LinkTable> table;
  std::vector<std::string> codes;
  std::vector<std::string> all_codes;  // every code, in random order
  std::vector<std::string> requests;   // raw HTTP requests for random codes

  World() {
    char tmpl[] = "/tmp/redirector-bench-XXXXXX";
    dir = mkdtemp(tmpl);
    table = std::move(*store::LinkTable::Open(dir + "/links"));
    for (int c = 0; c < 1000; ++c) {
      store::Campaign camp;
      camp.id = "c" + std::to_string(c);
      camp.destination = "https://shop" + std::to_string(c % 1000) +
                         ".brand-example.com/collections/spring-sale-2026/products/item-" +
                         std::to_string(c) + "?ref=sms&lang=en";
      camp.utm = {{"source", "sms"}, {"medium", "sms"}, {"campaign", camp.id}};
      camp.variants = {{"A", ""}, {"B", camp.destination + "&v=b"}};
      (void)table->CreateCampaign(camp);
    }
    std::vector<store::Link> links(kLinks);
    for (int i = 0; i < kLinks; ++i) {
      links[static_cast<size_t>(i)] = {"",
                                       "c" + std::to_string(i % 1000),
                                       i % 2 ? "B" : "A",
                                       "r-" + std::to_string(i),
                                       kSent,
                                       0,
                                       "",
                                       "",
                                       false};
    }
    (void)table->CreateLinks(&links);
    std::mt19937 rng(42);
    for (const store::Link& l : links) all_codes.push_back(l.code);
    std::shuffle(all_codes.begin(), all_codes.end(), rng);
    for (int i = 0; i < 4096; ++i) {
      const std::string& code = links[rng() % kLinks].code;
      codes.push_back(code);
      requests.push_back(
          "GET /" + code +
          " HTTP/1.1\r\nHost: s.brand.example\r\nUser-Agent: Mozilla/5.0 (iPhone; CPU iPhone OS "
          "17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 "
          "Mobile/15E148 Safari/604.1\r\nAccept: text/html,application/xhtml+xml,application/"
          "xml;q=0.9,*/*;q=0.8\r\nAccept-Language: en-US,en;q=0.9\r\nAccept-Encoding: gzip, "
          "deflate, br\r\nConnection: keep-alive\r\n\r\n");
    }
  }
  ~World() {
    table.reset();
    std::string cmd = "rm -rf " + dir;
    (void)!std::system(cmd.c_str());
  }
};

World& TheWorld() {
  static World w;
  return w;
}

void ReportAllocs(benchmark::State& state, long before) {
  state.counters["allocs_per_iter"] = benchmark::Counter(
      static_cast<double>(testing::AllocationCount() - before), benchmark::Counter::kAvgIterations);
}

void BM_Lookup(benchmark::State& state) {
  World& w = TheWorld();
  size_t i = 0;
  long before = testing::AllocationCount();
  for (auto _ : state) {
    const store::LinkEntry* e = w.table->Find(w.codes[i++ & 4095]);
    benchmark::DoNotOptimize(w.table->CampaignOf(*e));
  }
  ReportAllocs(state, before);
}
BENCHMARK(BM_Lookup);

// Lookups of all 1M codes in random order, each waiting for the one before (as requests do:
// one lookup between two system calls), so cache and TLB misses are paid, not overlapped.
void BM_LookupCold(benchmark::State& state) {
  World& w = TheWorld();
  size_t i = 0;
  uintptr_t chain = 0;
  long before = testing::AllocationCount();
  for (auto _ : state) {
    const std::string& code = w.all_codes[(i++ + chain) % w.all_codes.size()];
    const store::LinkEntry* e = w.table->Find(code);
    const store::Campaign* c = w.table->CampaignOf(*e);
    chain = (reinterpret_cast<uintptr_t>(c) ^ reinterpret_cast<uintptr_t>(e)) & 1;  // always 0
    benchmark::DoNotOptimize(c);
  }
  ReportAllocs(state, before);
}
BENCHMARK(BM_LookupCold);

void BM_Parse(benchmark::State& state) {
  World& w = TheWorld();
  std::optional<redirector::RequestParser> parser;
  size_t i = 0;
  long before = testing::AllocationCount();
  for (auto _ : state) {
    const std::string& r = w.requests[i++ & 4095];
    parser.emplace(redirector::RequestParser::Limits{});
    boost::beast::error_code ec;
    benchmark::DoNotOptimize(parser->Feed(r.data(), r.size(), ec));
  }
  ReportAllocs(state, before);
}
BENCHMARK(BM_Parse);

void BM_Classify(benchmark::State& state) {
  const char* uas[] = {
      "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
      "Gecko) Version/17.1 Mobile/15E148 Safari/604.1",
      "Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
      "SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36",
      "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_11_1) AppleWebKit/601.2.4 (KHTML, like Gecko) "
      "Version/9.0.1 Safari/601.2.4 facebookexternalhit/1.1 Facebot Twitterbot/1.0",
      "WhatsApp/2.23.20.0 A"};
  // Client addresses: people (no range) and a Googlebot one, so the network lookup runs too.
  const redirector::Ip16 clients[] = {
      *redirector::ParseIp("203.0.113.9"), *redirector::ParseIp("2a00:1450:4001::9"),
      *redirector::ParseIp("66.249.66.1"), *redirector::ParseIp("198.51.100.77")};
  redirector::ClassifierConfig config;
  // Arg: with the worker's user-agent cache (1; these four agents then always hit) or not (0).
  auto cache = std::make_unique<redirector::UaGroupCache>();
  redirector::UaGroupCache* ua_cache = state.range(0) == 1 ? cache.get() : nullptr;
  size_t i = 0;
  long before = testing::AllocationCount();
  for (auto _ : state) {
    redirector::HitFacts h;
    h.user_agent = uas[i & 3];
    h.client = &clients[(i >> 2) & 3];
    ++i;
    h.has_accept = h.has_accept_language = true;
    h.seconds_since_sent = 3600;
    benchmark::DoNotOptimize(redirector::Classify(h, config, ua_cache));
  }
  ReportAllocs(state, before);
}
BENCHMARK(BM_Classify)->Arg(0)->Arg(1);

void BM_BuildResponse(benchmark::State& state) {
  World& w = TheWorld();
  const store::LinkEntry* e = w.table->Find(w.codes[0]);
  const store::Campaign* c = w.table->CampaignOf(*e);
  redirector::TapOutcome outcome;
  outcome.status = redirector::TapStatus::kRedirect;
  redirector::ClickIdGenerator ids("bench", 1790000000000, 0);
  redirector::DateCache dates;
  char location[redirector::kMaxLocation];
  char out[16384];
  long before = testing::AllocationCount();
  for (auto _ : state) {
    ids.Next(outcome.click_id);
    size_t n = redirector::BuildLocation(redirector::DestinationOf(*e, *c), *c,
                                         std::string_view(outcome.click_id, 22),
                                         std::span<char>(location, sizeof(location)));
    outcome.location = std::string_view(location, n);
    benchmark::DoNotOptimize(redirector::WriteTapResponse(outcome, false, true, dates.Get(kSent),
                                                          std::span<char>(out, sizeof(out)), 0));
  }
  ReportAllocs(state, before);
}
BENCHMARK(BM_BuildResponse);

// The log writer's side of the hand-off: ring pop, HitRecord → Event → payload bytes.
void BM_HandOff(benchmark::State& state) {
  World& w = TheWorld();
  redirector::SpscRing<redirector::HitRecord> ring(64 * 1024, redirector::HitRecord::kMaxUa);
  store::EventView view;
  std::string lists, payload;
  const store::LinkEntry* e = w.table->Find(w.codes[0]);
  long before = testing::AllocationCount();
  std::string_view agent = std::string_view(w.requests[0]).substr(60, 140);
  for (auto _ : state) {
    redirector::HitRecord* hit = ring.Reserve(redirector::HitRecord::UaBytes(agent));
    hit->ts_us = kSent * 1000000;
    hit->link = e;
    hit->campaign = w.table->CampaignOf(*e);
    hit->reasons = redirector::kReasonInApp;
    hit->status = 302;
    redirector::HitRecord::Copy(std::string_view("aB3xK9qZ"), hit->code, &hit->code_len);
    redirector::HitRecord::Copy(std::string_view("3Qxe0ilnkjj5sg3BRekn5M"), hit->click_id,
                                &hit->click_id_len);
    hit->SetUa(agent);
    redirector::HitRecord::Copy(std::string_view("203.0.113.9"), hit->ip, &hit->ip_len);
    ring.Commit();
    const redirector::HitRecord* h = ring.Front();
    redirector::HitToEventView(*h, "edge-1", &lists, &view);
    payload.clear();
    store::EncodeEvent(view, &payload);
    ring.Pop();
    benchmark::DoNotOptimize(payload.data());
  }
  ReportAllocs(state, before);
}
BENCHMARK(BM_HandOff);

// Everything the redirect path does in user space for one hit: parse → resolve → classify →
// click id → Location → response bytes → HitRecord into the ring.
void BM_WholeTap(benchmark::State& state) {
  World& w = TheWorld();
  redirector::ClassifierConfig config;
  // Arg: inline sweep detection on (1) or off (0).
  if (state.range(0) == 0) config.sweep_codes = 0;
  redirector::ClickIdGenerator ids("bench", 1790000000000, 0);
  redirector::DateCache dates;
  redirector::SpscRing<redirector::HitRecord> ring(64 * 1024, redirector::HitRecord::kMaxUa);
  std::optional<redirector::RequestParser> parser;
  char location[redirector::kMaxLocation];
  char out[16384];
  // Clients from 65,536 addresses, so the sweep detector's slots miss the cache as in real
  // traffic.
  std::vector<redirector::Ip16> clients(65536);
  for (size_t k = 0; k < clients.size(); ++k) {
    clients[k] = *redirector::ParseIp("10.0.0.0");
    clients[k][14] = static_cast<uint8_t>(k >> 8);
    clients[k][15] = static_cast<uint8_t>(k);
  }
  redirector::SweepDetector sweeps;
  auto ua_cache = std::make_unique<redirector::UaGroupCache>();  // as each worker has
  size_t i = 0;
  long before = testing::AllocationCount();
  for (auto _ : state) {
    const std::string& r = w.requests[i++ & 4095];
    parser.emplace(redirector::RequestParser::Limits{});
    boost::beast::error_code ec;
    parser->Feed(r.data(), r.size(), ec);
    const redirector::RequestFacts& req = parser->facts();
    redirector::TapContext ctx{
        w.table.get(), &config,       &ids, kSent + 3600, &clients[(i * 40503) & 65535],
        &sweeps,       ua_cache.get()};
    auto outcome = redirector::HandleTap(req, ctx, std::span<char>(location, sizeof(location)));
    benchmark::DoNotOptimize(redirector::WriteTapResponse(
        outcome, false, true, dates.Get(kSent + 3600), std::span<char>(out, sizeof(out)), 0));
    redirector::HitRecord* hit = ring.Reserve(redirector::HitRecord::UaBytes(req.user_agent));
    hit->link = outcome.link;
    hit->campaign = outcome.campaign;
    redirector::HitRecord::Copy(outcome.code, hit->code, &hit->code_len);
    hit->SetUa(req.user_agent);
    ring.Commit();
    ring.Pop();
  }
  ReportAllocs(state, before);
}
BENCHMARK(BM_WholeTap)->Arg(0)->Arg(1);

}  // namespace

namespace {

// The admin API's bulk path: 10,000 NDJSON link lines in one POST /v1/links, from the request
// body to the NDJSON answer (parse, validate, draw codes, RocksDB batch with sync, index).
void BM_AdminBulkLinks(benchmark::State& state) {
  static testing_dir::Dir dir;
  static std::unique_ptr<store::LinkTable> table = [] {
    auto t = std::move(*store::LinkTable::Open(dir.path + "/links"));
    store::Campaign c;
    c.id = "spring";
    c.destination = "https://shop.example/s";
    c.variants = {{"A", ""}, {"B", ""}};
    (void)t->CreateCampaign(c);
    return t;
  }();
  std::string body;
  for (int i = 0; i < 10000; ++i) {
    body += R"({"campaign":"spring","variant":")";
    body += (i % 2 ? "B" : "A");
    body += R"(","recipient":"r-)" + std::to_string(i) +
            R"(","sent_at":"2026-11-27T10:00:00Z"})"
            "\n";
  }
  redirector::AdminContext ctx;
  ctx.table = table.get();
  ctx.public_url = "https://s.example";
  for (auto _ : state) {
    auto r = redirector::HandleAdmin({"POST", "/v1/links", "", body}, ctx);
    if (r.status != 201) state.SkipWithError("bulk POST failed");
  }
  state.SetItemsProcessed(state.iterations() * 10000);
}
BENCHMARK(BM_AdminBulkLinks)->Unit(benchmark::kMillisecond);

}  // namespace

namespace {

// The log writer alone: frame and append events in batches of `range(0)` (one write() each),
// no fsync. Items/s is events/s.
void BM_LogAppend(benchmark::State& state) {
  testing_dir::Dir dir;
  auto writer = store::log::LogWriter::Open(store::log::LogOptions{dir.path + "/events"}, nullptr);
  if (!writer.ok()) {
    state.SkipWithError("open failed");
    return;
  }
  store::Event e;
  e.node = "edge-1";
  e.code = "aB3xK9qZ";
  e.campaign = "spring";
  e.variant = "A";
  e.recipient = "r-12345";
  e.click_id = "3Qxe0ilnkjj5sg3BRekn5M";
  e.verdict = "human";
  e.method = "GET";
  e.ip = "203.0.113.9";
  e.ua =
      "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
      "like Gecko) Version/17.1 Mobile/15E148 Safari/604.1";
  e.status = 302;
  std::string payload;
  store::EncodeEvent(e, &payload);
  const int64_t batch = state.range(0);
  for (auto _ : state) {
    for (int64_t i = 0; i < batch; ++i) {
      (*writer)->Add(store::log::RecordType::kClick, store::kEventVersion, payload);
    }
    if (!(*writer)->Flush().ok()) state.SkipWithError("write failed");
  }
  state.SetItemsProcessed(state.iterations() * batch);
}
BENCHMARK(BM_LogAppend)->Arg(100)->Arg(1000);

// What the request-duration histogram adds to a request: one more clock read (the first one
// also stamps the event) and one Observe.
void BM_RequestHistogram(benchmark::State& state) {
  redirector::Histogram h(redirector::kRequestBuckets);
  uint64_t start = redirector::MonotonicNs();
  for (auto _ : state) {
    uint64_t end = redirector::MonotonicNs();
    h.Observe(end - start);
    start = end;
  }
}
BENCHMARK(BM_RequestHistogram);

// Sustained appends through the real EventSink with --sync interval (fsync every 100 ms, group
// commit every 2 ms): this thread hands hits to one lane as fast as the ring takes them, the
// sink's thread frames, writes and syncs. Items/s is events on disk per second of wall time.
void BM_SinkInterval(benchmark::State& state) {
  testing_dir::Dir dir;
  auto writer = store::log::LogWriter::Open(store::log::LogOptions{dir.path + "/events"}, nullptr);
  if (!writer.ok()) {
    state.SkipWithError("open failed");
    return;
  }
  redirector::EventSinkOptions options;
  options.node_id = "edge-1";
  options.sync = redirector::SyncPolicy::kInterval;
  redirector::EventSink sink(options, std::move(*writer));
  redirector::EventSink::Lane* lane =
      sink.AddLane(redirector::PublicServerOptions{}.event_ring_bytes);
  sink.Start();
  std::string_view agent =
      "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 "
      "(KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1";
  const int64_t n = state.range(0);
  for (auto _ : state) {
    uint64_t target = sink.appended() + static_cast<uint64_t>(n);
    for (int64_t i = 0; i < n;) {
      redirector::HitRecord* hit = lane->ring.Reserve(redirector::HitRecord::UaBytes(agent));
      if (hit == nullptr) {  // the ring is full: the writer is behind
        std::this_thread::yield();
        continue;
      }
      hit->status = 302;
      redirector::HitRecord::Copy(std::string_view("aB3xK9qZ"), hit->code, &hit->code_len);
      redirector::HitRecord::Copy(std::string_view("203.0.113.9"), hit->ip, &hit->ip_len);
      hit->SetUa(agent);
      lane->ring.Commit();
      ++i;
    }
    while (sink.appended() < target) std::this_thread::yield();
  }
  sink.Stop();
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_SinkInterval)->Arg(1000000)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
