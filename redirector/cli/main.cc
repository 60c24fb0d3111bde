// redirector: an edge daemon for SMS marketing links. See README.md.
#include <cstdio>
#include <string_view>

#include "redirector/cli/commands.h"

namespace {

constexpr const char* kUsage =
    "usage: redirector COMMAND [flags]\n"
    "\n"
    "commands:\n"
    "  serve          run the redirect daemon (public + admin listeners)\n"
    "  check-config   validate a serve config file and print the effective configuration\n"
    "  links import   bulk-load links from NDJSON, offline\n"
    "  tail           print events from the event log as NDJSON\n"
    "  classify       classify request lines (NDJSON) as the daemon would\n"
    "  report         clicks, conversions, revenue and A/B winners per campaign\n"
    "  ship           publish the event log to NATS JetStream, exactly once\n"
    "\n"
    "Every command takes --help.\n";

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  std::string_view cmd = argv[1];
  if (cmd == "--help" || cmd == "-h" || cmd == "help") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (cmd == "--version") {
    std::puts("redirector 0.1.0");
    return 0;
  }
  if (cmd == "serve") return redirector::ServeMain(argc, argv);
  if (cmd == "check-config") return redirector::CheckConfigMain(argc, argv);
  if (cmd == "tail") return redirector::TailMain(argc, argv);
  if (cmd == "classify") return redirector::ClassifyMain(argc, argv);
  if (cmd == "report") return redirector::ReportMain(argc, argv);
  if (cmd == "ship") return redirector::ShipMain(argc, argv);
  if (cmd == "links") {
    if (argc >= 3 && std::string_view(argv[2]) == "import") {
      return redirector::LinksImportMain(argc, argv);
    }
    std::fputs("usage: redirector links import FILE|- --data-dir DIR\n", stderr);
    return 2;
  }
  std::fprintf(stderr, "redirector: unknown command '%s'\n\n%s", argv[1], kUsage);
  return 2;
}
