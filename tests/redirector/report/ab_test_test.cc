#include "redirector/report/ab_test.h"

#include <catch2/catch.hpp>

using redirector::Arm;
using redirector::CompareArms;

// Reference values from the textbook formulas, computed separately (Python, math.erfc):
// 45/500 against 65/500: z 2.02134, p 0.0432449; lift 4/9 with Katz 95% CI [0.00846, 1.06892].
TEST_CASE("Two-proportion z-test and lift match reference values", "[redirector][ab]") {
  auto t = redirector::TwoProportionZTest(45, 500, 65, 500);
  CHECK(t.z == Approx(2.0213366465));
  CHECK(t.p_value == Approx(0.0432449280));
  auto l = redirector::RelativeLift(45, 500, 65, 500);
  REQUIRE(l.lift.has_value());
  CHECK(*l.lift == Approx(4.0 / 9.0));
  REQUIRE(l.ci95.has_value());
  CHECK(l.ci95->first == Approx(0.0084564492));
  CHECK(l.ci95->second == Approx(1.0689240023));

  auto swapped = redirector::TwoProportionZTest(65, 500, 45, 500);
  CHECK(swapped.z == Approx(-t.z));
  CHECK(swapped.p_value == Approx(t.p_value));
  CHECK(redirector::TwoProportionZTest(0, 0, 5, 10).p_value == 1);
  CHECK(redirector::TwoProportionZTest(0, 100, 0, 100).p_value == 1);
  CHECK_FALSE(redirector::RelativeLift(0, 100, 5, 100).lift.has_value());
  CHECK_FALSE(redirector::RelativeLift(5, 100, 0, 100).ci95.has_value());
}

TEST_CASE("A winner needs p below alpha and the minimum sample everywhere", "[redirector][ab]") {
  std::vector<Arm> arms = {{"A", 45, 500}, {"B", 65, 500}};
  auto r = CompareArms(arms, 100);
  CHECK(r.control == "A");
  CHECK(r.best == "B");
  CHECK(r.p_value == Approx(0.0432449280));
  CHECK(r.winner == "B");
  CHECK_FALSE(CompareArms(arms, 501).winner.has_value());  // B's sample is too small
  CHECK_FALSE(CompareArms(arms, 100, 0.01).winner.has_value());

  // The control wins only when it beats every challenger.
  std::vector<Arm> control_best = {{"A", 65, 500}, {"B", 45, 500}, {"C", 60, 500}};
  auto c = CompareArms(control_best, 100);
  CHECK(c.best == "A");
  CHECK(c.p_value > 0.05);  // A vs C is close
  CHECK_FALSE(c.winner.has_value());
  std::vector<Arm> clear = {{"A", 90, 500}, {"B", 45, 500}, {"C", 40, 500}};
  CHECK(CompareArms(clear, 100).winner == "A");

  std::vector<Arm> tie = {{"A", 10, 100}, {"B", 10, 100}};
  auto t = CompareArms(tie, 10);
  CHECK_FALSE(t.best.has_value());
  CHECK_FALSE(t.winner.has_value());
  CHECK(t.p_value == 1);
}
