#pragma once
// ISO 4217 currency codes.

#include <string_view>

namespace redirector {

// True for an active ISO 4217 alphabetic code ("USD", "EUR", ...), upper case. The list
// (ISO 4217 amendment 179, 2025) leaves out XXX ("no currency") and XTS (testing).
bool IsCurrencyCode(std::string_view code);

}  // namespace redirector
