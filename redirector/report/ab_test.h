#pragma once
// A/B statistics for reports, pure: a two-proportion z-test of each variant against the
// control on converting recipients over sent, the relative lift with a 95% confidence
// interval, and the rule that names a winner.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace redirector {

struct ZTest {
  double z = 0;
  double p_value = 1;  // two-sided; 1 when either group is empty or nothing varies
};

// Pooled two-proportion z-test of x2/n2 against x1/n1.
ZTest TwoProportionZTest(uint64_t x1, uint64_t n1, uint64_t x2, uint64_t n2);

struct Lift {
  std::optional<double> lift;  // p2/p1 - 1; none when p1 is 0
  // 95% interval of the lift (Katz's log method for a risk ratio); none when x1 or x2 is 0.
  std::optional<std::pair<double, double>> ci95;
};
Lift RelativeLift(uint64_t x1, uint64_t n1, uint64_t x2, uint64_t n2);

struct Arm {
  std::string name;
  uint64_t converted = 0;  // converting recipients
  uint64_t sent = 0;
};

struct Comparison {
  std::string variant;
  ZTest test;
  Lift lift;
};

struct AbResult {
  std::string control;
  std::vector<Comparison> comparisons;  // every arm but the control, in order
  // The arm with the highest conversion rate, when it is unique.
  std::optional<std::string> best;
  // The p-value that decides: the best challenger against the control; when the control is
  // best, the largest p among its comparisons (it must beat every challenger). 1 otherwise.
  double p_value = 1;
  bool min_sample_reached = false;  // every arm has sent ≥ min_sample
  // `best`, named only when p_value < alpha and min_sample_reached.
  std::optional<std::string> winner;
};

// arms[0] is the control. Needs at least two arms.
AbResult CompareArms(const std::vector<Arm>& arms, uint64_t min_sample, double alpha = 0.05);

}  // namespace redirector
