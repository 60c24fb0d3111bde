#pragma once
// The link model: campaigns (destination, UTM parameters, A/B variants, click-id parameter)
// and per-recipient links (code → campaign, variant, recipient, sent time). A link keeps its
// destination on the campaign, so one SMS blast of millions of links stays small.
//
// Validation (Validate*) is pure and runs before anything is stored; the binary codecs
// (Encode*/Decode*) are what LinkTable writes to RocksDB. Decoders never trust their input.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <absl/status/status.h>

namespace store {

struct Variant {
  std::string name;         // "A", "B", ...: 1–32 of [A-Za-z0-9_-]
  std::string destination;  // empty: the campaign's destination
};

struct Campaign {
  std::string id;           // 1–64 of [A-Za-z0-9_-]
  std::string destination;  // absolute http(s) URL, see ValidateDestination
  // UTM parameters in order, keys without the "utm_" prefix ("source" → utm_source).
  std::vector<std::pair<std::string, std::string>> utm;
  std::string click_param = "smsclid";  // query parameter that carries the click id
  // A/B variants in order; the first is the control. Empty: one unnamed variant.
  std::vector<Variant> variants;
  int64_t attribution_window_seconds = 7 * 24 * 3600;
  // Coupons: when on, every link made without one gets a unique coupon, coupon_prefix followed
  // by random characters (CodeGenerator::NextCoupon).
  bool coupons = false;
  std::string coupon_prefix;  // 0–16 of [A-Za-z0-9_-], stored upper case
};

struct Link {
  std::string code;         // the path of the short URL, see ValidateCode
  std::string campaign;     // Campaign::id
  std::string variant;      // a Variant::name of the campaign, or empty
  std::string recipient;    // opaque id, never a phone number; up to 64 bytes
  int64_t sent_at = 0;      // Unix seconds; 0: unknown
  int64_t expires_at = 0;   // Unix seconds; 0: never
  std::string destination;  // empty: the variant's or the campaign's
  std::string coupon;       // empty: none; else unique across links, upper case (NormalizeCoupon)
  bool disabled = false;
};

// Limits that keep a link small and a Location header bounded.
inline constexpr size_t kMaxCodeLength = 32;
inline constexpr size_t kMinCodeLength = 4;
inline constexpr size_t kMaxDestinationLength = 2048;
inline constexpr size_t kMaxRecipientLength = 64;
inline constexpr size_t kMaxIdLength = 64;
// sent_at/expires_at are kept in memory as 32-bit Unix seconds.
inline constexpr int64_t kMaxTimestamp = 0xffffffffLL;

// True when `c` is a byte allowed in codes, ids and variant names: [A-Za-z0-9_-].
bool IsCodeChar(char c);
// A code is 4–32 of [A-Za-z0-9_-].
absl::Status ValidateCode(std::string_view code);
// An id (campaign, variant) is 1–max_len of [A-Za-z0-9_-].
absl::Status ValidateId(std::string_view what, std::string_view id, size_t max_len);
// An absolute http:// or https:// URL with a host, at most kMaxDestinationLength bytes, no
// whitespace, control characters or bytes outside ASCII.
absl::Status ValidateDestination(std::string_view url);
absl::Status ValidateCampaign(const Campaign& c);
// A coupon is 4–32 of [A-Za-z0-9_-]; coupons compare without regard to case, so they are kept
// upper case: NormalizeCoupon upper-cases in place.
absl::Status ValidateCoupon(std::string_view coupon);
void NormalizeCoupon(std::string* coupon);
// Checks the link alone; that its campaign and variant exist is the table's job.
absl::Status ValidateLink(const Link& l);

std::string EncodeCampaign(const Campaign& c);
std::optional<Campaign> DecodeCampaign(std::string_view in);
// The code is the key, so it is not part of the encoding.
std::string EncodeLink(const Link& l);
std::optional<Link> DecodeLink(std::string_view code, std::string_view in);

}  // namespace store
