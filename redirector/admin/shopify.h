#pragma once
// Shopify's orders/create webhook, pure: signature check and the fields of an order we use.
// Shopify signs every webhook with X-Shopify-Hmac-Sha256: base64 of HMAC-SHA256 over the raw
// body, keyed with the app's shared secret.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <absl/status/statusor.h>

namespace redirector {

// True when `header_b64` is the signature of `body` under `secret` (compared in constant time).
bool VerifyShopifyHmac(std::string_view body, std::string_view header_b64, std::string_view secret);
// base64(HMAC-SHA256(secret, body)), what Shopify sends; for tests and tools.
std::string ShopifyHmac(std::string_view body, std::string_view secret);

struct ShopifyOrder {
  std::string id;  // the order's numeric id, as text
  double total_price = 0;
  std::string currency;
  std::string landing_site;  // path and query of the first page the buyer saw, may be empty
  std::vector<std::string> discount_codes;
  int64_t created_at_us = 0;  // 0: absent
  bool test = false;
};

// The fields above from an orders/create payload; other fields are ignored (Shopify adds
// fields over time). InvalidArgument when id, total_price or currency is missing or malformed.
absl::StatusOr<ShopifyOrder> ParseShopifyOrder(std::string_view body);

// The raw value of the first query parameter `name` in a URL or path ("/p?smsclid=x&y=1"), or
// nullopt.
std::optional<std::string_view> QueryParam(std::string_view url, std::string_view name);

}  // namespace redirector
