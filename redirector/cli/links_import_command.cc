// `redirector links import FILE|- --data-dir DIR`: offline bulk load of link rows (NDJSON, as
// for POST /v1/links). Every line is parsed and checked first; only when all are good are they
// written, in batches, so a bad line stores nothing. Codes go to stdout, one per line, in input
// order (a link with a coupon: code, a tab, the coupon); progress goes to stderr.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>

#include "store/link_table.h"

#include "redirector/base/flags.h"
#include "redirector/cli/commands.h"
#include "redirector/model/json_model.h"

namespace redirector {

int LinksImportMain(int argc, char** argv) {
  std::string data_dir;
  std::vector<std::string> positional;
  Flags flags("redirector links import FILE|- --data-dir DIR");
  flags.String("data-dir", &data_dir, "data directory (the daemon must not be running on it)");
  flags.AllowPositional(&positional, 1);
  if (auto exit = ParseCommandLine(flags, argc, argv, 3, "redirector links import")) return *exit;
  if (data_dir.empty() || positional.size() != 1) {
    std::fputs("redirector links import: need FILE (or -) and --data-dir DIR\n", stderr);
    return 2;
  }
  std::ifstream file;
  std::istream* in = &std::cin;
  if (positional[0] != "-") {
    file.open(positional[0]);
    if (!file) {
      std::fprintf(stderr, "redirector links import: cannot read %s\n", positional[0].c_str());
      return 1;
    }
    in = &file;
  }
  auto table = store::LinkTable::Open(data_dir + "/links");
  if (!table.ok()) {
    std::fprintf(stderr, "redirector links import: %s\n",
                 std::string(table.status().message()).c_str());
    return 1;
  }
  auto start = std::chrono::steady_clock::now();
  std::vector<store::Link> links;
  std::string line;
  size_t line_no = 0;
  while (std::getline(*in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    auto link = LinkFromJson(line);
    if (!link.ok()) {
      std::fprintf(stderr, "redirector links import: line %zu: %s (nothing imported)\n", line_no,
                   std::string(link.status().message()).c_str());
      return 1;
    }
    links.push_back(std::move(*link));
    if (links.size() % 1000000 == 0) {
      std::fprintf(stderr, "parsed %zu links\n", links.size());
    }
  }
  // One call stores every link or none: the whole file is one RocksDB write batch.
  if (auto s = (*table)->CreateLinks(&links); !s.ok()) {
    std::fprintf(stderr, "redirector links import: %s (nothing imported)\n",
                 std::string(s.message()).c_str());
    return 1;
  }
  std::string out;
  for (const auto& l : links) {
    out.append(l.code);
    if (!l.coupon.empty()) out.append("\t").append(l.coupon);
    out.push_back('\n');
    if (out.size() > (1 << 20)) {
      std::fwrite(out.data(), 1, out.size(), stdout);
      out.clear();
    }
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fflush(stdout);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::fprintf(stderr, "imported %zu links in %.2f s (%.0f links/s); table now holds %zu\n",
               links.size(), secs, secs > 0 ? static_cast<double>(links.size()) / secs : 0.0,
               (*table)->link_count());
  return 0;
}

}  // namespace redirector
