#pragma once
// A Report as JSON (the contract's shape, plus the A/B details), CSV (one row per variant) or
// an aligned text table for people.

#include <string>

#include "redirector/report/report.h"

namespace redirector {

std::string ReportToJson(const Report& r);
std::string ReportToCsv(const Report& r);
std::string ReportToTable(const Report& r);

}  // namespace redirector
