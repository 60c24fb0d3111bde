#pragma once
// An admin API over a link table in a temp dir, with the event log replaced by a vector: calls
// go straight to HandleAdmin (no sockets). `fail_writes` makes the log refuse appends.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>

#include "redirector/admin/admin_api.h"

#include "testing/temp_dir.h"

namespace testing {

class AdminFixture {
 public:
  AdminFixture() {
    auto t = store::LinkTable::Open(dir_.Sub("links"));
    REQUIRE(t.ok());
    table_ = std::move(*t);
    ctx_.table = table_.get();
    ctx_.token = "s3cret";
    ctx_.public_url = "https://s.example";
    ctx_.node_id = "n1";
    ctx_.shopify_secret = "shop-secret";
    ctx_.now_us = [this] { return now_us; };
    ctx_.record = [this](std::vector<store::Event> events) {
      if (fail_writes) return absl::UnavailableError("disk full");
      for (auto& e : events) recorded.push_back(std::move(e));
      return absl::OkStatus();
    };
  }
  redirector::AdminResponse Call(std::string_view method, std::string_view target,
                                 std::string_view body = "",
                                 std::string_view auth = "Bearer s3cret",
                                 std::string_view shopify_hmac = "") {
    return redirector::HandleAdmin(
        redirector::AdminRequest{method, target, auth, body, shopify_hmac}, ctx_);
  }
  store::LinkTable& table() { return *table_; }
  redirector::AdminContext& context() { return ctx_; }

  std::vector<store::Event> recorded;
  bool fail_writes = false;
  int64_t now_us = 1790000000LL * 1000000;  // 2026-09-21T14:13:20Z

 private:
  TempDir dir_;
  std::unique_ptr<store::LinkTable> table_;
  redirector::AdminContext ctx_;
};

}  // namespace testing
