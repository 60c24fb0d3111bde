#include "redirector/admin/admin_api.h"

#include <vector>

#include <absl/strings/str_cat.h>
#include <boost/json.hpp>

#include "store/string_view.h"

#include "redirector/admin/admin_response.h"
#include "redirector/admin/conversions_api.h"
#include "redirector/base/text_lines.h"
#include "redirector/model/json_model.h"

namespace redirector {

using store::AV;
namespace {

std::string UrlOf(const AdminContext& ctx, std::string_view code) {
  return absl::StrCat(ctx.public_url, "/", AV(code));
}

AdminResponse PostLinks(std::string_view body, AdminContext& ctx) {
  std::vector<NumberedLine> lines = SplitLines(body);
  std::vector<store::Link> links;
  links.reserve(lines.size());
  for (const NumberedLine& line : lines) {
    auto link = LinkFromJson(line.text);
    if (!link.ok()) {
      return Error(400, absl::StrCat("line ", line.number, ": ", link.status().message()));
    }
    links.push_back(std::move(*link));
  }
  if (links.empty()) return Error(400, "no links: send NDJSON, one link object per line");
  if (absl::Status s = ctx.table->CreateLinks(&links); !s.ok()) return FromStatus(s);
  AdminResponse r;
  r.status = 201;
  r.content_type = "application/x-ndjson";
  // One line per link, {"code":…,"url":…[,"coupon":…]}, written directly: codes and coupons
  // are validated to [A-Za-z0-9_-], which JSON needs no escape for; the URL's prefix is
  // escaped once.
  std::string url_prefix = boost::json::serialize(boost::json::string(ctx.public_url + "/"));
  url_prefix.pop_back();  // the closing quote: the code follows
  r.body.reserve(links.size() * (url_prefix.size() + 48));
  for (const store::Link& l : links) {
    absl::StrAppend(&r.body, R"({"code":")", l.code, R"(","url":)", url_prefix, l.code, "\"");
    if (!l.coupon.empty()) absl::StrAppend(&r.body, R"(,"coupon":")", l.coupon, "\"");
    r.body.append("}\n");
  }
  return r;
}

}  // namespace

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  size_t n = a.size() > b.size() ? a.size() : b.size();
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < n; ++i) {
    auto x = static_cast<unsigned char>(i < a.size() ? a[i] : 0);
    auto y = static_cast<unsigned char>(i < b.size() ? b[i] : 0);
    diff |= static_cast<unsigned char>(x ^ y);
  }
  return diff == 0;
}

AdminResponse HandleAdmin(const AdminRequest& req, AdminContext& ctx) {
  std::string_view path = req.target.substr(0, req.target.find('?'));
  if (path == "/healthz") {
    if (req.method != "GET" && req.method != "HEAD") return Error(405, "use GET");
    return Json(200, R"({"status":"ok"})");
  }
  // Shopify cannot send our bearer token; the body's HMAC authenticates it instead.
  if (path == "/v1/webhooks/shopify/orders") {
    if (req.method != "POST") return Error(405, "use POST");
    return PostShopifyOrder(req, ctx);
  }
  if (!ctx.token.empty()) {
    std::string_view auth = req.authorization;
    constexpr std::string_view kBearer = "Bearer ";
    if (auth.substr(0, kBearer.size()) != kBearer ||
        !ConstantTimeEquals(auth.substr(kBearer.size()), ctx.token)) {
      AdminResponse r = Error(401, "missing or wrong bearer token");
      return r;
    }
  }
  if (path == "/metrics") {
    if (req.method != "GET") return Error(405, "use GET");
    AdminResponse r;
    r.content_type = "text/plain; version=0.0.4";
    r.body = ctx.metrics ? ctx.metrics() : std::string();
    return r;
  }
  if (path == "/v1/campaigns") {
    if (req.method != "POST") return Error(405, "use POST to create a campaign");
    auto c = CampaignFromJson(req.body);
    if (!c.ok()) return FromStatus(c.status());
    std::string out = CampaignToJson(*c);
    if (absl::Status s = ctx.table->CreateCampaign(std::move(*c)); !s.ok()) return FromStatus(s);
    return Json(201, out);
  }
  constexpr std::string_view kCampaignPrefix = "/v1/campaigns/";
  if (path.substr(0, kCampaignPrefix.size()) == kCampaignPrefix) {
    std::string_view id = path.substr(kCampaignPrefix.size());
    if (req.method == "GET") {
      auto c = ctx.table->GetCampaign(id);
      if (!c.ok()) return FromStatus(c.status());
      return Json(200, CampaignToJson(*c));
    }
    if (req.method == "PUT") {
      auto c = CampaignFromJson(req.body);
      if (!c.ok()) return FromStatus(c.status());
      if (c->id != id) return Error(400, "the body's id must match the URL");
      std::string out = CampaignToJson(*c);
      if (absl::Status s = ctx.table->UpdateCampaign(std::move(*c)); !s.ok()) {
        return FromStatus(s);
      }
      return Json(200, out);
    }
    return Error(405, "use GET or PUT");
  }
  if (path == "/v1/links") {
    if (req.method != "POST") return Error(405, "use POST with NDJSON lines");
    return PostLinks(req.body, ctx);
  }
  constexpr std::string_view kLinkPrefix = "/v1/links/";
  if (path.substr(0, kLinkPrefix.size()) == kLinkPrefix) {
    std::string_view code = path.substr(kLinkPrefix.size());
    if (req.method == "GET") {
      auto l = ctx.table->GetLink(code);
      if (!l.ok()) return FromStatus(l.status());
      return Json(200, LinkToJson(*l, UrlOf(ctx, code)));
    }
    if (req.method == "DELETE") {
      if (absl::Status s = ctx.table->DisableLink(code); !s.ok()) return FromStatus(s);
      auto l = ctx.table->GetLink(code);
      if (!l.ok()) return FromStatus(l.status());
      return Json(200, LinkToJson(*l, UrlOf(ctx, code)));
    }
    return Error(405, "use GET or DELETE");
  }
  if (path == "/v1/conversions") {
    if (req.method != "POST") return Error(405, "use POST with JSON or NDJSON");
    return PostConversions(req.body, ctx);
  }
  constexpr std::string_view kCouponPrefix = "/v1/coupons/";
  if (path.substr(0, kCouponPrefix.size()) == kCouponPrefix) {
    std::string_view rest = path.substr(kCouponPrefix.size());
    constexpr std::string_view kRedeem = "/redeem";
    if (rest.size() > kRedeem.size() && rest.substr(rest.size() - kRedeem.size()) == kRedeem) {
      if (req.method != "POST") return Error(405, "use POST to redeem");
      return RedeemCoupon(rest.substr(0, rest.size() - kRedeem.size()), req.body, ctx);
    }
    if (req.method != "GET") return Error(405, "use GET, or POST .../redeem");
    return GetCoupon(rest, ctx);
  }
  return Error(404, "no such endpoint");
}

}  // namespace redirector
