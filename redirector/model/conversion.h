#pragma once
// Conversions as they come in (admin API, coupon redemptions, store webhooks): what happened,
// what it was worth, and one key that ties it to a link. Pure: validation and the event it
// becomes; finding the link is the caller's (conversions_api.cc).

#include <cstdint>
#include <string>
#include <string_view>

#include <absl/status/status.h>

#include "store/event.h"

namespace redirector {

// Exactly one key: click_id; code; campaign + recipient; coupon.
struct Conversion {
  std::string click_id;
  std::string code;
  std::string campaign;
  std::string recipient;
  std::string coupon;
  std::string kind;  // purchase | redemption | signup | review | custom
  double value = 0;  // ≥ 0, in `currency`
  std::string currency;
  std::string order_id;  // optional; a repeated order id counts once
  int64_t ts_us = 0;     // when it happened (Unix µs); 0: when it is recorded
};

inline constexpr size_t kMaxOrderIdLength = 128;

bool IsConversionKind(std::string_view kind);

// Checks kind, value (finite, ≥ 0, below 1e12), currency (ISO 4217; required when value > 0),
// order id (≤ 128 printable ASCII bytes), exactly one attribution key and each key's form.
absl::Status ValidateConversion(const Conversion& c);

// The event for `c` (type conversion), with its keys as given; the caller fills in the link's
// fields it resolved (code, campaign, variant, recipient) and the time.
store::Event ConversionEvent(const Conversion& c);

}  // namespace redirector
