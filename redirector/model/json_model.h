#pragma once
// JSON forms of the model, as redirector/admin/API.md spells them: campaigns and links for the
// admin API and `links import`, events for `tail`. Parsing is strict: unknown fields, wrong
// types and bad values are errors that name the field.
//
// Campaign: {"id":"spring","destination":"https://shop.example/s",
//            "utm":{"source":"sms"},"variants":{"A":null,"B":"https://shop.example/s2"},
//            "click_param":"smsclid","attribution_window_hours":168,
//            "coupons":{"prefix":"SPRING-"}}          (or "coupons":true|false)
// Link in:  {"campaign":"spring","variant":"A","recipient":"r-1",
//            "sent_at":"2026-11-27T10:00:00Z","code":"...","expires_at":"...","destination":"...",
//            "coupon":"..."}

#include <cstdint>
#include <string>
#include <string_view>

#include <absl/status/statusor.h>

#include "store/event.h"
#include "store/link.h"

#include "redirector/model/conversion.h"

namespace redirector {

absl::StatusOr<store::Campaign> CampaignFromJson(std::string_view json);
std::string CampaignToJson(const store::Campaign& c);

absl::StatusOr<store::Link> LinkFromJson(std::string_view json);
// The full link, as GET /v1/links/{code} answers.
std::string LinkToJson(const store::Link& l, std::string_view url);

// {"click_id":"...","kind":"purchase","value":19.99,"currency":"USD","order_id":"o-1",
//  "ts":"2026-11-27T10:00:00Z"}; instead of click_id: code, campaign + recipient, or coupon.
// Validated (ValidateConversion).
absl::StatusOr<Conversion> ConversionFromJson(std::string_view json);

// One NDJSON line of `tail` (no trailing newline).
std::string EventToJson(const store::Event& e);

// RFC 3339 ("2026-11-27T10:00:00Z", offsets and fractions allowed) → Unix seconds.
absl::StatusOr<int64_t> ParseTimeSeconds(std::string_view text);
absl::StatusOr<int64_t> ParseTimeMicros(std::string_view text);
// Unix microseconds → "2026-11-27T10:00:00.123456Z".
std::string FormatTimeMicros(int64_t us);

}  // namespace redirector
