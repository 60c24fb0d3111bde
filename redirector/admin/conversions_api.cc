#include "redirector/admin/conversions_api.h"

#include <string>
#include <vector>

#include <absl/container/flat_hash_set.h>
#include <absl/strings/str_cat.h>
#include <absl/time/clock.h>
#include <boost/json.hpp>

#include "store/status_macros.h"
#include "store/string_view.h"

#include "redirector/admin/admin_response.h"
#include "redirector/admin/shopify.h"
#include "redirector/base/log_line.h"
#include "redirector/base/text_lines.h"
#include "redirector/model/conversion.h"
#include "redirector/model/json_model.h"

namespace redirector {

namespace json = boost::json;
using store::AV;

namespace {

// How far in the future a conversion's `ts` may lie (clock skew between systems).
constexpr int64_t kMaxFutureSkewUs = 300LL * 1000000;

int64_t Now(const AdminContext& ctx) {
  return ctx.now_us ? ctx.now_us() : absl::ToUnixMicros(absl::Now());
}

std::string Message(const absl::Status& s) { return std::string(s.message()); }

// The event for `c`, with the link's fields filled in when it names a code or a coupon. An
// unknown code, coupon or campaign is NotFound.
absl::StatusOr<store::Event> Resolve(const Conversion& c, const AdminContext& ctx, int64_t now) {
  if (c.ts_us > now + kMaxFutureSkewUs) {
    return absl::InvalidArgumentError("ts lies in the future");
  }
  store::Event e = ConversionEvent(c);
  e.node = ctx.node_id;
  if (e.ts_us == 0) e.ts_us = now;
  if (!e.coupon.empty()) {
    ASSIGN_OR_RETURN(e.code, ctx.table->CodeForCoupon(e.coupon));
  }
  if (!e.code.empty()) {
    ASSIGN_OR_RETURN(store::Link link, ctx.table->GetLink(e.code));
    e.campaign = link.campaign;
    e.variant = link.variant;
    e.recipient = link.recipient;
  } else if (!e.campaign.empty()) {
    RETURN_IF_ERROR(ctx.table->GetCampaign(e.campaign).status());
  }
  return e;
}

struct Pending {
  store::Event event;
  bool duplicate = false;
};

// Marks repeated order ids (in the ledger or earlier in `items`), appends the rest durably,
// then records their order ids. An error means nothing new was recorded.
absl::Status Record(std::vector<Pending>* items, AdminContext& ctx) {
  absl::flat_hash_set<std::string> seen;
  std::vector<store::Event> fresh;
  std::vector<std::string> order_ids;
  for (Pending& p : *items) {
    const std::string& id = p.event.order_id;
    if (!id.empty()) {
      ASSIGN_OR_RETURN(auto at, ctx.table->ledger().OrderRecordedAt(id));
      p.duplicate = at.has_value() || !seen.insert(id).second;
      if (!p.duplicate) order_ids.push_back(id);
    }
    if (!p.duplicate) fresh.push_back(p.event);
  }
  if (fresh.empty()) return absl::OkStatus();
  if (!ctx.record) return absl::UnavailableError("the event log is not available");
  RETURN_IF_ERROR(ctx.record(std::move(fresh)));
  if (absl::Status s = ctx.table->ledger().RecordOrders(order_ids, Now(ctx)); !s.ok()) {
    // The events are in the log; a retry would add them again and reports would drop the
    // repeat by order id. Say so, but the conversions are recorded.
    LogLine("error", "ledger_write_failed", {{"error", Message(s)}});
  }
  return absl::OkStatus();
}

json::object Outcome(const Pending& p) {
  json::object o;
  o["status"] = p.duplicate ? "duplicate" : "recorded";
  if (!p.event.order_id.empty()) o["order_id"] = p.event.order_id;
  if (!p.event.campaign.empty()) o["campaign"] = p.event.campaign;
  if (!p.event.variant.empty()) o["variant"] = p.event.variant;
  return o;
}

AdminResponse Unavailable(const absl::Status& s) {
  return Error(503, absl::StrCat("nothing was recorded, retry: ", Message(s)));
}

}  // namespace

AdminResponse PostConversions(std::string_view body, AdminContext& ctx) {
  int64_t now = Now(ctx);
  json::error_code ec;
  json::value whole = json::parse(json::string_view(body.data(), body.size()), ec);
  bool single = !ec && whole.is_object();
  std::vector<NumberedLine> lines =
      single ? std::vector<NumberedLine>{{1, body}} : SplitLines(body);
  if (lines.empty()) return Error(400, "no conversions: send a JSON object or NDJSON lines");
  std::vector<Pending> items;
  items.reserve(lines.size());
  for (const NumberedLine& line : lines) {
    auto c = ConversionFromJson(line.text);
    absl::StatusOr<store::Event> e = c.ok() ? Resolve(*c, ctx, now) : c.status();
    if (!e.ok()) {
      if (single) return FromStatus(e.status());
      return Error(400, absl::StrCat("line ", line.number, ": ", e.status().message()));
    }
    items.push_back({std::move(*e), false});
  }
  if (absl::Status s = Record(&items, ctx); !s.ok()) return Unavailable(s);
  if (single) {
    return Json(items[0].duplicate ? 200 : 201, json::serialize(Outcome(items[0])));
  }
  AdminResponse r;
  r.status = 200;
  r.content_type = "application/x-ndjson";
  for (size_t i = 0; i < items.size(); ++i) {
    json::object o = Outcome(items[i]);
    o["line"] = lines[i].number;
    r.body.append(json::serialize(o));
    r.body.push_back('\n');
  }
  return r;
}

AdminResponse GetCoupon(std::string_view coupon, AdminContext& ctx) {
  if (auto s = store::ValidateCoupon(coupon); !s.ok()) return FromStatus(s);
  auto code = ctx.table->CodeForCoupon(coupon);
  if (!code.ok()) return FromStatus(code.status());
  auto link = ctx.table->GetLink(*code);
  if (!link.ok()) return FromStatus(link.status());
  auto redeemed = ctx.table->ledger().RedeemedAt(link->coupon);
  if (!redeemed.ok()) return FromStatus(redeemed.status());
  json::object o;
  o["coupon"] = link->coupon;
  o["code"] = link->code;
  o["campaign"] = link->campaign;
  o["variant"] = link->variant.empty() ? json::value(nullptr) : json::value(link->variant);
  o["recipient"] = link->recipient;
  o["redeemed_at"] =
      redeemed->has_value() ? json::value(FormatTimeMicros(**redeemed)) : json::value(nullptr);
  return Json(200, json::serialize(o));
}

AdminResponse RedeemCoupon(std::string_view coupon, std::string_view body, AdminContext& ctx) {
  if (auto s = store::ValidateCoupon(coupon); !s.ok()) return FromStatus(s);
  // The body may add value, currency, order_id and ts; the kind and the key are the route's.
  json::object fields;
  if (body.find_first_not_of(" \r\n\t") != std::string_view::npos) {
    json::error_code ec;
    json::value v = json::parse(json::string_view(body.data(), body.size()), ec);
    if (ec || !v.is_object()) return Error(400, "body must be empty or a JSON object");
    fields = std::move(v.as_object());
    for (const auto& [k, unused] : fields) {
      if (k != "value" && k != "currency" && k != "order_id" && k != "ts") {
        return Error(400, absl::StrCat("unknown field ", AV(std::string_view(k.data(), k.size())),
                                       ": a redemption takes value, currency, order_id, ts"));
      }
    }
  }
  fields["kind"] = "redemption";
  fields["coupon"] = json::string_view(coupon.data(), coupon.size());
  auto c = ConversionFromJson(json::serialize(fields));
  if (!c.ok()) return FromStatus(c.status());
  int64_t now = Now(ctx);
  auto e = Resolve(*c, ctx, now);
  if (!e.ok()) return FromStatus(e.status());
  auto redeemed = ctx.table->ledger().RedeemedAt(e->coupon);
  if (!redeemed.ok()) return FromStatus(redeemed.status());
  if (redeemed->has_value()) {
    json::object o;
    o["error"] = absl::StrCat("coupon ", e->coupon, " was already redeemed");
    o["redeemed_at"] = FormatTimeMicros(**redeemed);
    return Json(409, json::serialize(o));
  }
  std::vector<Pending> items = {{*e, false}};
  if (absl::Status s = Record(&items, ctx); !s.ok()) return Unavailable(s);
  if (absl::Status s = ctx.table->ledger().RecordRedemption(e->coupon, e->ts_us); !s.ok()) {
    LogLine("error", "ledger_write_failed", {{"error", Message(s)}});
  }
  json::object o = Outcome(items[0]);
  o["status"] = items[0].duplicate ? "duplicate" : "redeemed";
  o["coupon"] = e->coupon;
  o["code"] = e->code;
  return Json(201, json::serialize(o));
}

AdminResponse PostShopifyOrder(const AdminRequest& req, AdminContext& ctx) {
  if (ctx.shopify_secret.empty()) {
    return Error(404, "the Shopify webhook is not configured (--shopify-secret-file)");
  }
  if (!VerifyShopifyHmac(req.body, req.shopify_hmac, ctx.shopify_secret)) {
    return Error(401, "X-Shopify-Hmac-Sha256 does not match the body");
  }
  auto order = ParseShopifyOrder(req.body);
  if (!order.ok()) return FromStatus(order.status());
  auto ignored = [](std::string_view why) {
    json::object o;
    o["status"] = "ignored";
    o["reason"] = json::string_view(why.data(), why.size());
    return Json(200, json::serialize(o));
  };
  if (order->test) return ignored("test order");
  Conversion c;
  c.kind = "purchase";
  c.value = order->total_price;
  c.currency = order->currency;
  c.order_id = absl::StrCat("shopify-", order->id);
  c.ts_us = order->created_at_us;
  for (const std::string& param : ctx.table->ClickParams()) {
    auto id = QueryParam(order->landing_site, param);
    if (id && !id->empty()) {
      c.click_id.assign(id->data(), id->size());
      break;
    }
  }
  if (c.click_id.empty()) {
    for (const std::string& code : order->discount_codes) {
      if (store::ValidateCoupon(code).ok() && ctx.table->CodeForCoupon(code).ok()) {
        c.coupon = code;
        break;
      }
    }
  }
  if (c.click_id.empty() && c.coupon.empty()) {
    return ignored("the order carries neither a click id of ours nor one of our coupons");
  }
  if (auto s = ValidateConversion(c); !s.ok()) return FromStatus(s);
  auto e = Resolve(c, ctx, Now(ctx));
  if (!e.ok()) return FromStatus(e.status());
  std::vector<Pending> items = {{std::move(*e), false}};
  if (absl::Status s = Record(&items, ctx); !s.ok()) return Unavailable(s);
  return Json(items[0].duplicate ? 200 : 201, json::serialize(Outcome(items[0])));
}

}  // namespace redirector
