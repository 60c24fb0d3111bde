// Scores the classifier on the labelled corpus in tests/data/ua-corpus.tsv (tests/data/README.md:
// each row keeps the repository, commit and path it came from).
// Every row is classified as a GET with the headers a browser sends, an hour after the send, so
// only the user agent decides. Bars: no person flagged, at least 99.5% of ghosts caught, and
// every previewer named `preview` (security link scanners may be named `scanner`).
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "redirector/classify/classify.h"

namespace {
struct Row {
  std::string label, category, ua;
};

std::vector<Row> LoadCorpus() {
  std::ifstream in(std::string(REDIRECTOR_TEST_DATA_DIR) + "/ua-corpus.tsv");
  std::vector<Row> rows;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::stringstream ss(line);
    Row r;
    std::getline(ss, r.label, '\t');
    std::getline(ss, r.category, '\t');
    std::getline(ss, r.ua, '\t');
    rows.push_back(std::move(r));
  }
  return rows;
}
}  // namespace

TEST_CASE("The classifier scores the labelled corpus", "[redirector][classify][corpus]") {
  std::vector<Row> rows = LoadCorpus();
  REQUIRE(rows.size() >= 2000);
  size_t humans = 0, humans_flagged = 0, ghosts = 0, ghosts_caught = 0, previews = 0,
         previews_named = 0;
  std::string flagged_examples, misnamed_examples;
  for (const Row& r : rows) {
    redirector::HitFacts h;
    h.user_agent = r.ua;
    h.has_accept = h.has_accept_language = true;
    h.seconds_since_sent = 3600;
    redirector::Verdict v = redirector::Classify(h, redirector::ClassifierConfig()).verdict;
    if (r.label == "human") {
      ++humans;
      if (v != redirector::Verdict::kHuman) {
        ++humans_flagged;
        flagged_examples += r.ua.substr(0, 120) + "\n";
      }
      continue;
    }
    ++ghosts;
    if (v != redirector::Verdict::kHuman) ++ghosts_caught;
    if (r.label == "preview") {
      ++previews;
      bool named = v == redirector::Verdict::kPreview ||
                   (r.category == "security_scanner" && v == redirector::Verdict::kScanner);
      if (named) {
        ++previews_named;
      } else {
        misnamed_examples += r.ua.substr(0, 120) + "\n";
      }
    }
  }
  double caught = 100.0 * static_cast<double>(ghosts_caught) / static_cast<double>(ghosts);
  WARN("corpus: " << rows.size() << " rows; humans flagged " << humans_flagged << "/" << humans
                  << "; ghosts caught " << ghosts_caught << "/" << ghosts << " (" << caught
                  << "%); previews named " << previews_named << "/" << previews);
  INFO("humans flagged:\n" << flagged_examples);
  CHECK(humans_flagged == 0);
  CHECK(caught >= 99.5);
  INFO("previews misnamed:\n" << misnamed_examples);
  CHECK(previews_named == previews);
}
