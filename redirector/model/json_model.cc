#include "redirector/model/json_model.h"

#include <absl/strings/str_cat.h>
#include <absl/time/time.h>
#include <boost/json.hpp>

#include "store/string_view.h"

namespace redirector {

using store::AV;
namespace json = boost::json;

namespace {

absl::StatusOr<json::object> ParseObject(std::string_view text) {
  json::error_code ec;
  json::value v = json::parse(json::string_view(text.data(), text.size()), ec);
  if (ec) return absl::InvalidArgumentError(absl::StrCat("invalid JSON: ", ec.message()));
  if (!v.is_object()) return absl::InvalidArgumentError("expected a JSON object");
  return std::move(v.as_object());
}

absl::Status GetString(const json::value& v, std::string_view field, std::string* out) {
  if (!v.is_string()) {
    return absl::InvalidArgumentError(absl::StrCat("field ", AV(field), " must be a string"));
  }
  out->assign(v.as_string().data(), v.as_string().size());
  return absl::OkStatus();
}

absl::Status UnknownField(std::string_view key) {
  return absl::InvalidArgumentError(absl::StrCat("unknown field ", AV(key)));
}

}  // namespace

absl::StatusOr<int64_t> ParseTimeSeconds(std::string_view text) {
  auto us = ParseTimeMicros(text);
  if (!us.ok()) return us.status();
  return *us / 1000000 - (*us % 1000000 < 0 ? 1 : 0);  // floor
}

absl::StatusOr<int64_t> ParseTimeMicros(std::string_view text) {
  absl::Time t;
  std::string err;
  if (!absl::ParseTime(absl::RFC3339_full, AV(text), &t, &err)) {
    return absl::InvalidArgumentError(
        absl::StrCat("bad time '", AV(text), "': want RFC 3339 like 2026-11-27T10:00:00Z"));
  }
  return absl::ToUnixMicros(t);
}

std::string FormatTimeMicros(int64_t us) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", absl::FromUnixMicros(us), absl::UTCTimeZone());
}

absl::StatusOr<store::Campaign> CampaignFromJson(std::string_view text) {
  auto obj = ParseObject(text);
  if (!obj.ok()) return obj.status();
  store::Campaign c;
  bool has_id = false, has_destination = false;
  for (const auto& [key, v] : *obj) {
    std::string_view k(key.data(), key.size());
    absl::Status s;
    if (k == "id") {
      s = GetString(v, k, &c.id);
      has_id = true;
    } else if (k == "destination") {
      s = GetString(v, k, &c.destination);
      has_destination = true;
    } else if (k == "click_param") {
      s = GetString(v, k, &c.click_param);
    } else if (k == "attribution_window_hours") {
      if (!v.is_int64() || v.as_int64() <= 0 || v.as_int64() > 24 * 3650) {
        s = absl::InvalidArgumentError("attribution_window_hours must be a whole number 1..87600");
      } else {
        c.attribution_window_seconds = v.as_int64() * 3600;
      }
    } else if (k == "coupons") {
      // true/false, or {"prefix":"SPRING-"}.
      if (v.is_bool()) {
        c.coupons = v.as_bool();
      } else if (v.is_object()) {
        c.coupons = true;
        for (const auto& [ck, cv] : v.as_object()) {
          if (std::string_view(ck.data(), ck.size()) != "prefix") {
            s = UnknownField(absl::StrCat("coupons.", AV(std::string_view(ck.data(), ck.size()))));
          } else if (s = GetString(cv, "coupons.prefix", &c.coupon_prefix); s.ok()) {
            store::NormalizeCoupon(&c.coupon_prefix);
          }
          if (!s.ok()) break;
        }
      } else if (!v.is_null()) {
        s = absl::InvalidArgumentError(R"(coupons must be true, false or {"prefix":"..."})");
      }
    } else if (k == "utm") {
      if (!v.is_object()) {
        s = absl::InvalidArgumentError("utm must be an object of strings");
      } else {
        for (const auto& [uk, uv] : v.as_object()) {
          std::string value;
          if (s = GetString(uv, absl::StrCat("utm.", AV(std::string_view(uk.data(), uk.size()))),
                            &value);
              !s.ok()) {
            break;
          }
          std::string name(uk.data(), uk.size());
          if (name.rfind("utm_", 0) == 0) name.erase(0, 4);  // accept "utm_source" too
          c.utm.emplace_back(std::move(name), std::move(value));
        }
      }
    } else if (k == "variants") {
      if (!v.is_object()) {
        s = absl::InvalidArgumentError("variants must be an object: name → destination or null");
      } else {
        for (const auto& [vk, vv] : v.as_object()) {
          store::Variant var;
          var.name.assign(vk.data(), vk.size());
          if (!vv.is_null()) {
            if (s = GetString(vv, absl::StrCat("variants.", var.name), &var.destination); !s.ok()) {
              break;
            }
          }
          c.variants.push_back(std::move(var));
        }
      }
    } else {
      s = UnknownField(k);
    }
    if (!s.ok()) return s;
  }
  if (!has_id) return absl::InvalidArgumentError("missing field id");
  if (!has_destination) return absl::InvalidArgumentError("missing field destination");
  if (auto s = store::ValidateCampaign(c); !s.ok()) return s;
  return c;
}

std::string CampaignToJson(const store::Campaign& c) {
  json::object o;
  o["id"] = c.id;
  o["destination"] = c.destination;
  json::object utm;
  for (const auto& [k, v] : c.utm) utm[k] = v;
  o["utm"] = std::move(utm);
  json::object variants;
  for (const auto& v : c.variants) {
    if (v.destination.empty()) {
      variants[v.name] = nullptr;
    } else {
      variants[v.name] = v.destination;
    }
  }
  o["variants"] = std::move(variants);
  o["click_param"] = c.click_param;
  o["attribution_window_hours"] = c.attribution_window_seconds / 3600;
  if (c.coupons) {
    o["coupons"] = {{"prefix", c.coupon_prefix}};
  } else {
    o["coupons"] = false;
  }
  return json::serialize(o);
}

absl::StatusOr<store::Link> LinkFromJson(std::string_view text) {
  auto obj = ParseObject(text);
  if (!obj.ok()) return obj.status();
  store::Link l;
  bool has_campaign = false;
  for (const auto& [key, v] : *obj) {
    std::string_view k(key.data(), key.size());
    absl::Status s;
    if (k == "campaign") {
      s = GetString(v, k, &l.campaign);
      has_campaign = true;
    } else if (k == "variant") {
      if (!v.is_null()) s = GetString(v, k, &l.variant);
    } else if (k == "recipient") {
      s = GetString(v, k, &l.recipient);
    } else if (k == "code") {
      s = GetString(v, k, &l.code);
      if (s.ok() && l.code.empty()) s = absl::InvalidArgumentError("code may not be empty");
    } else if (k == "destination") {
      s = GetString(v, k, &l.destination);
    } else if (k == "coupon") {
      s = GetString(v, k, &l.coupon);
      if (s.ok()) s = store::ValidateCoupon(l.coupon);
    } else if (k == "sent_at" || k == "expires_at") {
      std::string t;
      s = GetString(v, k, &t);
      if (s.ok()) {
        auto secs = ParseTimeSeconds(t);
        if (!secs.ok()) {
          s = absl::InvalidArgumentError(absl::StrCat(AV(k), ": ", secs.status().message()));
        } else {
          (k == "sent_at" ? l.sent_at : l.expires_at) = *secs;
        }
      }
    } else {
      s = UnknownField(k);
    }
    if (!s.ok()) return s;
  }
  if (!has_campaign) return absl::InvalidArgumentError("missing field campaign");
  return l;
}

absl::StatusOr<Conversion> ConversionFromJson(std::string_view text) {
  auto obj = ParseObject(text);
  if (!obj.ok()) return obj.status();
  Conversion c;
  for (const auto& [key, v] : *obj) {
    std::string_view k(key.data(), key.size());
    absl::Status s;
    if (k == "click_id") {
      s = GetString(v, k, &c.click_id);
    } else if (k == "code") {
      s = GetString(v, k, &c.code);
    } else if (k == "campaign") {
      s = GetString(v, k, &c.campaign);
    } else if (k == "recipient") {
      s = GetString(v, k, &c.recipient);
    } else if (k == "coupon") {
      s = GetString(v, k, &c.coupon);
    } else if (k == "kind") {
      s = GetString(v, k, &c.kind);
    } else if (k == "currency") {
      s = GetString(v, k, &c.currency);
    } else if (k == "order_id") {
      s = GetString(v, k, &c.order_id);
    } else if (k == "value") {
      if (v.is_number()) {
        c.value = v.to_number<double>();
      } else {
        s = absl::InvalidArgumentError("field value must be a number");
      }
    } else if (k == "ts") {
      std::string t;
      s = GetString(v, k, &t);
      if (s.ok()) {
        auto us = ParseTimeMicros(t);
        if (!us.ok()) {
          s = absl::InvalidArgumentError(absl::StrCat("ts: ", us.status().message()));
        } else {
          c.ts_us = *us;
        }
      }
    } else {
      s = UnknownField(k);
    }
    if (!s.ok()) return s;
  }
  if (c.kind.empty()) return absl::InvalidArgumentError("missing field kind");
  if (auto s = ValidateConversion(c); !s.ok()) return s;
  return c;
}

std::string LinkToJson(const store::Link& l, std::string_view url) {
  json::object o;
  o["code"] = l.code;
  o["url"] = json::string_view(url.data(), url.size());
  o["campaign"] = l.campaign;
  o["variant"] = l.variant.empty() ? json::value(nullptr) : json::value(l.variant);
  o["recipient"] = l.recipient;
  o["sent_at"] =
      l.sent_at > 0 ? json::value(FormatTimeMicros(l.sent_at * 1000000)) : json::value(nullptr);
  o["expires_at"] = l.expires_at > 0 ? json::value(FormatTimeMicros(l.expires_at * 1000000))
                                     : json::value(nullptr);
  o["destination"] = l.destination.empty() ? json::value(nullptr) : json::value(l.destination);
  o["coupon"] = l.coupon.empty() ? json::value(nullptr) : json::value(l.coupon);
  o["disabled"] = l.disabled;
  return json::serialize(o);
}

std::string EventToJson(const store::Event& e) {
  json::object o;
  o["node"] = e.node;
  o["seq"] = e.seq;
  o["ts"] = FormatTimeMicros(e.ts_us);
  bool click = e.type == store::log::RecordType::kClick;
  o["type"] = click ? "click" : "conversion";
  o["code"] = e.code;
  o["campaign"] = e.campaign;
  o["variant"] = e.variant;
  o["recipient"] = e.recipient;
  o["click_id"] = e.click_id;
  if (click) {
    o["verdict"] = e.verdict;
    json::array reasons;
    for (const auto& r : e.reasons) reasons.emplace_back(r);
    o["reasons"] = std::move(reasons);
    o["method"] = e.method;
    o["ip"] = e.ip;
    o["ua"] = e.ua;
    o["status"] = e.status;
    o["seconds_since_sent"] =
        e.seconds_since_sent >= 0 ? json::value(e.seconds_since_sent) : json::value(nullptr);
    o["classifier"] = e.classifier;
    json::array signals;
    for (const auto& sig : e.signals) signals.emplace_back(sig);
    o["signals"] = std::move(signals);
  } else {
    o["kind"] = e.kind;
    o["value"] = e.value;
    o["currency"] = e.currency;
    o["order_id"] = e.order_id;
    o["coupon"] = e.coupon;
  }
  return json::serialize(o);
}

}  // namespace redirector
