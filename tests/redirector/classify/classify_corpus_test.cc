// Scores the classifier on the two labelled sets of tests/data/ (tests/data/README.md: where
// each row came from and how it was labelled). Every row is classified as a GET with the headers
// a browser sends, an hour after the send, so only the user agent decides.
//   ua-corpus.tsv, the development set the tokens were tuned on: no person flagged, at least
//     99.5% of ghosts caught, every previewer named `preview` (security link scanners may be
//     named `scanner`).
//   ua-eval.tsv, user agents from sources never used in development (nothing may be tuned on
//     it): today's classifier flags 3.96% of its people (mostly feature phones and old desktop
//     browsers that carry no browser token) and lets 2.82% of its ghosts through. The bars hold
//     those levels (no worse); the aims are 0.2% and 0.5% (redirector/classify/CLICKS.md). Its 6
//     previewers are too few to score: reported only.
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

std::vector<Row> Load(const std::string& file) {
  std::ifstream in(std::string(REDIRECTOR_TEST_DATA_DIR) + "/" + file);
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

struct Score {
  size_t rows = 0, humans = 0, humans_flagged = 0, ghosts = 0, ghosts_caught = 0, previews = 0,
         previews_named = 0;
  std::string flagged, missed, misnamed;  // examples
  double flagged_pct() const { return 100.0 * double(humans_flagged) / double(humans); }
  double missed_pct() const { return 100.0 * double(ghosts - ghosts_caught) / double(ghosts); }
};

Score Run(const std::string& file) {
  Score s;
  for (const Row& r : Load(file)) {
    ++s.rows;
    redirector::HitFacts h;
    h.user_agent = r.ua;
    h.has_accept = h.has_accept_language = true;
    h.seconds_since_sent = 3600;
    redirector::Verdict v = redirector::Classify(h, redirector::ClassifierConfig()).verdict;
    if (r.label == "human") {
      ++s.humans;
      if (v != redirector::Verdict::kHuman) {
        ++s.humans_flagged;
        s.flagged += r.ua.substr(0, 160) + "\n";
      }
      continue;
    }
    ++s.ghosts;
    if (v != redirector::Verdict::kHuman) {
      ++s.ghosts_caught;
    } else {
      s.missed += r.ua.substr(0, 160) + "\n";
    }
    if (r.label == "preview") {
      ++s.previews;
      bool named = v == redirector::Verdict::kPreview ||
                   (r.category == "security_scanner" && v == redirector::Verdict::kScanner);
      if (named) {
        ++s.previews_named;
      } else {
        s.misnamed += r.ua.substr(0, 160) + "\n";
      }
    }
  }
  WARN(file << ": " << s.rows << " rows; humans flagged " << s.humans_flagged << "/" << s.humans
            << " (" << s.flagged_pct() << "%); ghosts caught " << s.ghosts_caught << "/" << s.ghosts
            << " (" << 100.0 - s.missed_pct() << "%); previews named " << s.previews_named << "/"
            << s.previews);
  return s;
}
}  // namespace

TEST_CASE("The classifier scores the labelled corpus", "[redirector][classify][corpus]") {
  Score s = Run("ua-corpus.tsv");
  REQUIRE(s.rows >= 2000);
  INFO("humans flagged:\n" << s.flagged);
  CHECK(s.humans_flagged == 0);
  INFO("ghosts missed:\n" << s.missed);
  CHECK(s.missed_pct() <= 0.5);
  INFO("previews misnamed:\n" << s.misnamed);
  CHECK(s.previews_named == s.previews);
}

TEST_CASE("The classifier scores user agents it was not developed on",
          "[redirector][classify][eval]") {
  Score s = Run("ua-eval.tsv");
  REQUIRE(s.rows >= 2000);
  INFO("humans flagged:\n" << s.flagged);
  CHECK(s.flagged_pct() <= 4.0);
  INFO("ghosts missed:\n" << s.missed);
  CHECK(s.missed_pct() <= 3.0);
}
