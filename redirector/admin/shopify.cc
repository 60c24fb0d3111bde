#include "redirector/admin/shopify.h"

#include <absl/strings/numbers.h>
#include <absl/strings/str_cat.h>
#include <boost/json.hpp>

#include "store/string_view.h"

#include "redirector/model/json_model.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace redirector {

namespace json = boost::json;
using store::AV;

std::string ShopifyHmac(std::string_view body, std::string_view secret) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(body.data()), body.size(), mac, &mac_len);
  std::string b64(4 * ((mac_len + 2) / 3), '\0');
  int n =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(b64.data()), mac, static_cast<int>(mac_len));
  b64.resize(static_cast<size_t>(n));
  return b64;
}

bool VerifyShopifyHmac(std::string_view body, std::string_view header_b64,
                       std::string_view secret) {
  if (secret.empty()) return false;
  std::string expected = ShopifyHmac(body, secret);
  return header_b64.size() == expected.size() &&
         CRYPTO_memcmp(header_b64.data(), expected.data(), expected.size()) == 0;
}

std::optional<std::string_view> QueryParam(std::string_view url, std::string_view name) {
  size_t q = url.find('?');
  if (q == std::string_view::npos) return std::nullopt;
  std::string_view query = url.substr(q + 1);
  query = query.substr(0, query.find('#'));
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    size_t eq = pair.find('=');
    if (pair.substr(0, eq) == name) {
      return eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    }
  }
  return std::nullopt;
}

absl::StatusOr<ShopifyOrder> ParseShopifyOrder(std::string_view body) {
  json::error_code ec;
  json::value v = json::parse(json::string_view(body.data(), body.size()), ec);
  if (ec) return absl::InvalidArgumentError(absl::StrCat("invalid JSON: ", ec.message()));
  if (!v.is_object()) return absl::InvalidArgumentError("expected an order object");
  const json::object& o = v.as_object();
  ShopifyOrder order;
  auto string_field = [&](std::string_view key) -> const json::string* {
    auto it = o.find(json::string_view(key.data(), key.size()));
    return it != o.end() && it->value().is_string() ? &it->value().as_string() : nullptr;
  };
  if (auto it = o.find("id");
      it != o.end() && (it->value().is_uint64() || it->value().is_int64())) {
    order.id = json::serialize(it->value());
  } else if (const json::string* s = string_field("id"); s != nullptr && !s->empty()) {
    order.id.assign(s->data(), s->size());
  } else {
    return absl::InvalidArgumentError("order has no id");
  }
  const json::string* total = string_field("total_price");
  if (total == nullptr ||
      !absl::SimpleAtod(absl::string_view(total->data(), total->size()), &order.total_price) ||
      !(order.total_price >= 0)) {
    return absl::InvalidArgumentError("order has no valid total_price");
  }
  const json::string* currency = string_field("currency");
  if (currency == nullptr) return absl::InvalidArgumentError("order has no currency");
  order.currency.assign(currency->data(), currency->size());
  if (const json::string* s = string_field("landing_site")) {
    order.landing_site.assign(s->data(), s->size());
  }
  if (auto it = o.find("discount_codes"); it != o.end() && it->value().is_array()) {
    for (const json::value& d : it->value().as_array()) {
      if (!d.is_object()) continue;
      auto code = d.as_object().find("code");
      if (code != d.as_object().end() && code->value().is_string()) {
        order.discount_codes.emplace_back(code->value().as_string().data(),
                                          code->value().as_string().size());
      }
    }
  }
  if (const json::string* s = string_field("created_at")) {
    auto us = ParseTimeMicros(std::string_view(s->data(), s->size()));
    if (!us.ok())
      return absl::InvalidArgumentError(absl::StrCat("created_at: ", us.status().message()));
    order.created_at_us = *us;
  }
  if (auto it = o.find("test"); it != o.end() && it->value().is_bool()) {
    order.test = it->value().as_bool();
  }
  return order;
}

}  // namespace redirector
