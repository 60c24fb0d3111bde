#include "redirector/model/conversion.h"

#include <cmath>

#include <absl/strings/str_cat.h>

#include "store/link.h"

#include "redirector/model/click_id.h"
#include "redirector/model/currency.h"

namespace redirector {
bool IsConversionKind(std::string_view kind) {
  return kind == "purchase" || kind == "redemption" || kind == "signup" || kind == "review" ||
         kind == "custom";
}

absl::Status ValidateConversion(const Conversion& c) {
  if (!IsConversionKind(c.kind)) {
    return absl::InvalidArgumentError(
        "kind must be one of purchase, redemption, signup, review, custom");
  }
  if (!std::isfinite(c.value) || c.value < 0 || c.value >= 1e12) {
    return absl::InvalidArgumentError("value must be a number from 0 to 1e12");
  }
  if (!c.currency.empty() && !IsCurrencyCode(c.currency)) {
    return absl::InvalidArgumentError(
        absl::StrCat("currency '", c.currency, "' is not an ISO 4217 code such as USD or EUR"));
  }
  if (c.value > 0 && c.currency.empty()) {
    return absl::InvalidArgumentError("a conversion with a value needs its currency");
  }
  if (c.order_id.size() > kMaxOrderIdLength) {
    return absl::InvalidArgumentError(
        absl::StrCat("order_id is longer than ", kMaxOrderIdLength, " bytes"));
  }
  for (char ch : c.order_id) {
    if (static_cast<unsigned char>(ch) <= 0x20 || static_cast<unsigned char>(ch) >= 0x7f) {
      return absl::InvalidArgumentError("order_id must be printable ASCII without spaces");
    }
  }
  int keys = !c.click_id.empty() + !c.code.empty() + !c.coupon.empty() +
             (!c.campaign.empty() || !c.recipient.empty());
  if (keys != 1) {
    return absl::InvalidArgumentError(
        "name exactly one of: click_id, code, campaign + recipient, coupon");
  }
  if (!c.click_id.empty() && !IsClickId(c.click_id)) {
    return absl::InvalidArgumentError(
        absl::StrCat("click_id must be ", kClickIdLength, " characters of [0-9A-Za-z]"));
  }
  if (!c.code.empty()) return store::ValidateCode(c.code);
  if (!c.coupon.empty()) return store::ValidateCoupon(c.coupon);
  if (!c.campaign.empty() || !c.recipient.empty()) {
    if (c.campaign.empty() || c.recipient.empty()) {
      return absl::InvalidArgumentError("campaign and recipient go together");
    }
    if (auto s = store::ValidateId("campaign", c.campaign, store::kMaxIdLength); !s.ok()) return s;
    if (c.recipient.size() > store::kMaxRecipientLength) {
      return absl::InvalidArgumentError("recipient is too long");
    }
  }
  return absl::OkStatus();
}

store::Event ConversionEvent(const Conversion& c) {
  store::Event e;
  e.type = store::log::RecordType::kConversion;
  e.ts_us = c.ts_us;
  e.click_id = c.click_id;
  e.code = c.code;
  e.campaign = c.campaign;
  e.recipient = c.recipient;
  e.coupon = c.coupon;
  store::NormalizeCoupon(&e.coupon);
  e.kind = c.kind;
  e.value = c.value;
  e.currency = c.currency;
  e.order_id = c.order_id;
  return e;
}

}  // namespace redirector
