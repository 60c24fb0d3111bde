#pragma once
// The admin routes that record conversions: POST /v1/conversions, the coupon routes
// (GET /v1/coupons/{coupon}, POST /v1/coupons/{coupon}/redeem) and the Shopify orders/create
// webhook (POST /v1/webhooks/shopify/orders). HandleAdmin dispatches here.
//
// Every route resolves what it can at once — a code or a coupon to its link's campaign,
// variant and recipient — so the logged event stands on its own; a click id, or a campaign +
// recipient pair, is resolved by the report (see report.h), which has the clicks and links.
//
// Nothing is lost and nothing counts twice: events are appended durably (AdminContext::record)
// before the ledger records their order ids or the redemption; a failed append answers 503 and
// records nothing, so a retry is safe. A repeated order id (in the ledger, or earlier in the
// same request) is answered "duplicate" and not written again; a coupon is redeemed once (409
// after). A crash between the append and the ledger write lets a retry append the event again;
// reports drop such repeats by order id and coupon.

#include <string_view>

#include "redirector/admin/admin_api.h"

namespace redirector {

// JSON (one object) or NDJSON (one object a line; 100,000 lines are fine). All lines are
// valid or nothing is written: a bad line answers 400 naming it. One object answers
// {"status":"recorded"|"duplicate",...}; NDJSON answers one such line per input line.
AdminResponse PostConversions(std::string_view body, AdminContext& ctx);
AdminResponse GetCoupon(std::string_view coupon, AdminContext& ctx);
// Body: empty, or {"value":..,"currency":..,"order_id":..,"ts":..}.
AdminResponse RedeemCoupon(std::string_view coupon, std::string_view body, AdminContext& ctx);
// Verifies the HMAC (401, nothing written, when it does not match), then records the order as
// a purchase: by the click id in its landing_site query, else by a discount code that is one of
// our coupons, else it is acknowledged as "ignored". Order id "shopify-<id>".
AdminResponse PostShopifyOrder(const AdminRequest& request, AdminContext& ctx);

}  // namespace redirector
