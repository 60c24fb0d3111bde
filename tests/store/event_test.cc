#include "store/event.h"

#include <catch2/catch.hpp>

TEST_CASE("An event survives encode and decode", "[store][event]") {
  store::Event e;
  e.type = store::log::RecordType::kClick;
  e.ts_us = 1790000000123456;
  e.node = "edge-1";
  e.code = "aB3xK9qZ";
  e.campaign = "spring";
  e.variant = "B";
  e.recipient = "r-1";
  e.click_id = "3Qxe0ilnkjj5sg3BRekn5M";
  e.verdict = "preview";
  e.reasons = {"ua_preview", "head_request"};
  e.method = "HEAD";
  e.ip = "2001:db8::1";
  e.ua = "WhatsApp/2.23";
  e.status = 302;
  e.seconds_since_sent = 3;
  std::string payload;
  store::EncodeEvent(e, &payload);
  auto d = store::DecodeEvent(e.type, store::kEventVersion, 42, payload);
  REQUIRE(d.has_value());
  CHECK(d->seq == 42);
  CHECK(d->ts_us == e.ts_us);
  CHECK(d->node == e.node);
  CHECK(d->reasons == e.reasons);
  CHECK(d->ip == e.ip);
  CHECK(d->status == 302);
  CHECK(d->seconds_since_sent == 3);
  CHECK_FALSE(store::DecodeEvent(e.type, 99, 42, payload).has_value());
  for (size_t n = 0; n < payload.size(); ++n) {
    CHECK_FALSE(
        store::DecodeEvent(e.type, store::kEventVersion, 1, payload.substr(0, n)).has_value());
  }
}

TEST_CASE("A conversion keeps its value and currency", "[store][event]") {
  store::Event e;
  e.type = store::log::RecordType::kConversion;
  e.kind = "purchase";
  e.value = 19.99;
  e.currency = "USD";
  e.order_id = "o-1";
  e.coupon = "SPRING-7KQ2";
  e.seconds_since_sent = -1;
  std::string payload;
  store::EncodeEvent(e, &payload);
  auto d = store::DecodeEvent(e.type, store::kEventVersion, 7, payload);
  REQUIRE(d.has_value());
  CHECK(d->value == 19.99);
  CHECK(d->currency == "USD");
  CHECK(d->coupon == "SPRING-7KQ2");
  CHECK(d->seconds_since_sent == -1);
}

TEST_CASE("Versions 1 and 2 still decode, each lacks the fields added after it", "[store][event]") {
  store::Event e;
  e.code = "abcd1234";
  e.classifier = 1;
  e.signals = {"accept", "x-purpose"};
  std::string payload;
  store::EncodeEvent(e, &payload);
  payload.pop_back();  // v3 appended an empty coupon: one length byte
  auto d = store::DecodeEvent(e.type, 2, 5, payload);
  REQUIRE(d.has_value());
  CHECK(d->classifier == 1);
  CHECK(d->signals == e.signals);

  store::Event old;
  old.code = "abcd1234";
  std::string v3;
  store::EncodeEvent(old, &v3);
  std::string v2 = v3.substr(0, v3.size() - 1);
  std::string v1 = v2.substr(0, v2.size() - 2);  // v2 appended: classifier 0, no signals
  auto d1 = store::DecodeEvent(old.type, 1, 6, v1);
  REQUIRE(d1.has_value());
  CHECK(d1->code == "abcd1234");
  CHECK(d1->classifier == 0);
  CHECK(d1->signals.empty());
  CHECK_FALSE(store::DecodeEvent(old.type, 1, 6, v2).has_value());  // v1 has no trailing bytes
}
