// Fuzz target: conversion input from outside — a POST /v1/conversions line, a Shopify
// orders/create body, a landing-page query. Whatever parses must validate, become an event that
// survives the log codec unchanged, and nothing may crash.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "store/event.h"

#include "redirector/admin/shopify.h"
#include "redirector/model/conversion.h"
#include "redirector/model/json_model.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  if (auto c = redirector::ConversionFromJson(in); c.ok()) {
    if (!redirector::ValidateConversion(*c).ok()) std::abort();
    store::Event e = redirector::ConversionEvent(*c);
    std::string payload;
    store::EncodeEvent(e, &payload);
    auto back = store::DecodeEvent(e.type, store::kEventVersion, 1, payload);
    if (!back || back->order_id != e.order_id || back->click_id != e.click_id ||
        back->coupon != e.coupon || !(back->value == e.value) || back->currency != e.currency) {
      std::abort();
    }
  }
  if (auto order = redirector::ParseShopifyOrder(in); order.ok()) {
    if (order->id.empty() || !(order->total_price >= 0)) std::abort();
    (void)redirector::QueryParam(order->landing_site, "smsclid");
  }
  (void)redirector::QueryParam(in, "smsclid");
  (void)redirector::VerifyShopifyHmac(in, in.substr(0, 44), "secret");
  store::EventView view;
  (void)store::DecodeEventView(store::log::RecordType::kConversion, store::kEventVersion, 1, in,
                               &view);
  return 0;
}
