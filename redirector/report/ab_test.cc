#include "redirector/report/ab_test.h"

#include <algorithm>
#include <cmath>

namespace redirector {

ZTest TwoProportionZTest(uint64_t x1, uint64_t n1, uint64_t x2, uint64_t n2) {
  ZTest t;
  if (n1 == 0 || n2 == 0) return t;
  double p1 = static_cast<double>(x1) / static_cast<double>(n1);
  double p2 = static_cast<double>(x2) / static_cast<double>(n2);
  double pooled = static_cast<double>(x1 + x2) / static_cast<double>(n1 + n2);
  double se = std::sqrt(pooled * (1 - pooled) *
                        (1 / static_cast<double>(n1) + 1 / static_cast<double>(n2)));
  if (!(se > 0)) return t;
  t.z = (p2 - p1) / se;
  t.p_value = std::erfc(std::fabs(t.z) / std::sqrt(2.0));
  return t;
}

Lift RelativeLift(uint64_t x1, uint64_t n1, uint64_t x2, uint64_t n2) {
  Lift l;
  if (n1 == 0 || n2 == 0 || x1 == 0) return l;
  double p1 = static_cast<double>(x1) / static_cast<double>(n1);
  double p2 = static_cast<double>(x2) / static_cast<double>(n2);
  double ratio = p2 / p1;
  l.lift = ratio - 1;
  if (x2 == 0) return l;
  double se = std::sqrt(1 / static_cast<double>(x2) - 1 / static_cast<double>(n2) +
                        1 / static_cast<double>(x1) - 1 / static_cast<double>(n1));
  constexpr double kZ95 = 1.959963984540054;
  l.ci95 = {std::exp(std::log(ratio) - kZ95 * se) - 1, std::exp(std::log(ratio) + kZ95 * se) - 1};
  return l;
}

AbResult CompareArms(const std::vector<Arm>& arms, uint64_t min_sample, double alpha) {
  AbResult r;
  if (arms.size() < 2) return r;
  const Arm& control = arms[0];
  r.control = control.name;
  r.min_sample_reached = true;
  auto rate = [](const Arm& a) {
    return a.sent == 0 ? 0.0 : static_cast<double>(a.converted) / static_cast<double>(a.sent);
  };
  size_t best = 0;
  bool tie = false;
  for (size_t i = 0; i < arms.size(); ++i) {
    if (arms[i].sent < min_sample) r.min_sample_reached = false;
    if (i == 0) continue;
    const Arm& a = arms[i];
    r.comparisons.push_back(
        {a.name, TwoProportionZTest(control.converted, control.sent, a.converted, a.sent),
         RelativeLift(control.converted, control.sent, a.converted, a.sent)});
    if (rate(a) > rate(arms[best])) {
      best = i;
      tie = false;
    } else if (rate(a) == rate(arms[best])) {
      tie = true;
    }
  }
  if (tie) return r;
  r.best = arms[best].name;
  if (best == 0) {
    r.p_value = 0;
    for (const Comparison& c : r.comparisons) r.p_value = std::max(r.p_value, c.test.p_value);
  } else {
    r.p_value = r.comparisons[best - 1].test.p_value;
  }
  if (r.p_value < alpha && r.min_sample_reached) r.winner = r.best;
  return r;
}

}  // namespace redirector
