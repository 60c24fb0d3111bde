// Writes a data directory for `redirector report` benchmarks: one A/B campaign with LINKS
// links (half per variant) and EVENTS events: 90% clicks (70% human, 15% preview, 10% scanner,
// 5% bot, realistic user agents and addresses) and 10% conversions (half by click id, the rest
// by code), the shape the daemon writes.
//
//   make_report_data DIR [EVENTS=10000000] [LINKS=1000000]
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "store/event.h"
#include "store/link_table.h"
#include "store/log_writer.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fputs("usage: make_report_data DIR [EVENTS=10000000] [LINKS=1000000]\n", stderr);
    return 2;
  }
  std::string dir = argv[1];
  uint64_t events = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 10000000;
  uint64_t link_count = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 1000000;
  const int64_t sent = 1790000000;

  std::vector<store::Link> links(link_count);
  {
    auto table = store::LinkTable::Open(dir + "/links");
    if (!table.ok())
      return std::fprintf(stderr, "%s\n", std::string(table.status().message()).c_str()), 1;
    store::Campaign c;
    c.id = "bench";
    c.destination = "https://shop.example/landing/spring-sale?ref=sms";
    c.variants = {{"A", ""}, {"B", "https://shop.example/landing/spring-sale-b?ref=sms"}};
    if (!(*table)->CreateCampaign(c).ok()) return 1;
    for (uint64_t i = 0; i < link_count; ++i) {
      links[i].campaign = "bench";
      links[i].variant = i % 2 ? "B" : "A";
      links[i].recipient = "r-" + std::to_string(i);
      links[i].sent_at = sent;
    }
    for (size_t at = 0; at < links.size(); at += 100000) {
      std::vector<store::Link> batch(
          links.begin() + static_cast<long>(at),
          links.begin() + static_cast<long>(std::min(links.size(), at + 100000)));
      if (!(*table)->CreateLinks(&batch).ok()) return 1;
      for (size_t j = 0; j < batch.size(); ++j) links[at + j].code = batch[j].code;
    }
  }
  store::log::LogOptions options;
  options.dir = dir + "/events";
  auto writer = store::log::LogWriter::Open(options, nullptr);
  if (!writer.ok()) return 1;
  std::mt19937_64 rnd(42);
  std::vector<std::string> click_ids;
  const char* uas[] = {
      ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
       "Gecko) Version/17.1 Mobile/15E148 Safari/604.1"),
      "WhatsApp/2.23.20.0 A", "Mozilla/5.0 (compatible; Barracuda Sentinel (EE))", "curl/7.88.1"};
  const char* verdicts[] = {"human", "preview", "scanner", "bot"};
  std::string payload;
  for (uint64_t n = 0; n < events; ++n) {
    const store::Link& l = links[rnd() % links.size()];
    store::Event e;
    e.node = "bench-node";
    e.ts_us = (sent + 3600 + static_cast<int64_t>(n / 1000)) * 1000000;
    e.code = l.code;
    e.campaign = l.campaign;
    e.variant = l.variant;
    e.recipient = l.recipient;
    if (n % 10 == 9) {
      e.type = store::log::RecordType::kConversion;
      e.kind = "purchase";
      e.value = 10 + static_cast<double>(rnd() % 9000) / 100;
      e.currency = "USD";
      e.order_id = "o-" + std::to_string(n);
      if (n % 20 == 19 && !click_ids.empty()) {
        e.click_id = click_ids[rnd() % click_ids.size()];
        e.code.clear();
        e.campaign.clear();
        e.variant.clear();
        e.recipient.clear();
      }
    } else {
      e.type = store::log::RecordType::kClick;
      unsigned pick = static_cast<unsigned>(rnd() % 100);
      int v = pick < 70 ? 0 : pick < 85 ? 1 : pick < 95 ? 2 : 3;
      e.verdict = verdicts[v];
      e.ua = uas[v];
      e.method = "GET";
      e.ip = "203.0.113." + std::to_string(rnd() % 256);
      e.status = 302;
      e.seconds_since_sent = 3600;
      e.classifier = 1;
      e.signals = {"accept", "accept-language"};
      e.click_id = std::to_string(rnd());
      e.click_id.resize(22, '0');
      if (click_ids.size() < 100000) click_ids.push_back(e.click_id);
    }
    payload.clear();
    store::EncodeEvent(e, &payload);
    (*writer)->Add(e.type, store::kEventVersion, payload);
    if (n % 4096 == 4095 && !(*writer)->Flush().ok()) return 1;
  }
  if (!(*writer)->Flush().ok() || !(*writer)->Sync().ok()) return 1;
  std::fprintf(stderr, "make_report_data: %llu links, %llu events in %s\n",
               static_cast<unsigned long long>(link_count), static_cast<unsigned long long>(events),
               dir.c_str());
  return 0;
}
