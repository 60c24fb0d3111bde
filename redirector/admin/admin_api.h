#pragma once
// The admin API's routes, as API.md beside this file gives them, over plain values: a request
// (method, target, Authorization header, body) in, a response (status, content type, body) out.
// The HTTP shell (admin_server) does the sockets; this file does no I/O of its own beyond the
// LinkTable and EventSink it is given.
//
// Bulk links (POST /v1/links, NDJSON): all lines are stored or none. A bad line answers 400
// naming the line ("line 3: ...") and nothing is stored. Conversions, coupons and the Shopify
// webhook are in conversions_api.h.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <absl/status/status.h>

#include "store/event.h"
#include "store/link_table.h"

namespace redirector {

struct AdminRequest {
  std::string_view method;  // "GET", "POST", ...
  std::string_view target;  // "/v1/links/aB3xK9qZ"
  std::string_view authorization;
  std::string_view body;
  std::string_view shopify_hmac;  // X-Shopify-Hmac-Sha256, for the Shopify webhook
};

struct AdminResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
};

struct AdminContext {
  store::LinkTable* table = nullptr;
  std::string token;       // empty: no token configured (loopback only)
  std::string public_url;  // base of short links, e.g. "https://s.brand.example"
  // Renders Prometheus text for GET /metrics.
  std::function<std::string()> metrics;
  // Appends conversion events to the event log and returns once they are durable (see
  // EventSink::SubmitDurable). Unset: conversion endpoints answer 503.
  std::function<absl::Status(std::vector<store::Event>)> record;
  std::string node_id;
  // Shared secret of the Shopify app (HMAC-SHA256 key). Empty: the webhook answers 404.
  std::string shopify_secret;
  // Wall clock, Unix microseconds; unset: the system clock. Tests set it.
  std::function<int64_t()> now_us;
};

AdminResponse HandleAdmin(const AdminRequest& request, AdminContext& ctx);

// Constant-time comparison (for tokens): time depends only on the lengths.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace redirector
