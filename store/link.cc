#include "store/link.h"

#include <absl/strings/str_cat.h>

#include "store/coding.h"
#include "store/string_view.h"

namespace store {
namespace {

// Format 2 added coupons (campaign: flag and prefix; link: its coupon); format 1 still decodes.
constexpr uint8_t kCampaignFormat = 2;
constexpr uint8_t kLinkFormat = 2;

bool IsUtmKeyChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

bool GetTimestamp(std::string_view* in, int64_t* out) {
  uint64_t v;
  if (!GetVarint64(in, &v) || v > static_cast<uint64_t>(kMaxTimestamp)) return false;
  *out = static_cast<int64_t>(v);
  return true;
}

}  // namespace

bool IsCodeChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

absl::Status ValidateId(std::string_view what, std::string_view id, size_t max_len) {
  if (id.empty() || id.size() > max_len) {
    return absl::InvalidArgumentError(
        absl::StrCat(AV(what), " must be 1 to ", max_len, " characters"));
  }
  for (char c : id) {
    if (!IsCodeChar(c)) {
      return absl::InvalidArgumentError(
          absl::StrCat(AV(what), " may only contain A-Z a-z 0-9 _ -"));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateCode(std::string_view code) {
  if (code.size() < kMinCodeLength || code.size() > kMaxCodeLength) {
    return absl::InvalidArgumentError(
        absl::StrCat("code must be ", kMinCodeLength, " to ", kMaxCodeLength, " characters"));
  }
  return ValidateId("code", code, kMaxCodeLength);
}

absl::Status ValidateDestination(std::string_view url) {
  if (url.size() > kMaxDestinationLength) {
    return absl::InvalidArgumentError(
        absl::StrCat("destination is longer than ", kMaxDestinationLength, " bytes"));
  }
  for (char c : url) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) {
      return absl::InvalidArgumentError(
          "destination may not contain whitespace, control or non-ASCII bytes "
          "(percent-encode them)");
    }
  }
  std::string_view rest;
  if (url.substr(0, 7) == "http://") {
    rest = url.substr(7);
  } else if (url.substr(0, 8) == "https://") {
    rest = url.substr(8);
  } else {
    return absl::InvalidArgumentError("destination must start with http:// or https://");
  }
  size_t host_end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, host_end);
  if (authority.find('@') != std::string_view::npos) {
    return absl::InvalidArgumentError("destination may not carry user info (user@host)");
  }
  if (authority.empty() || authority[0] == ':') {
    return absl::InvalidArgumentError("destination must name a host");
  }
  if (authority.find('\\') != std::string_view::npos) {
    return absl::InvalidArgumentError("destination host may not contain a backslash");
  }
  return absl::OkStatus();
}

absl::Status ValidateCampaign(const Campaign& c) {
  if (auto s = ValidateId("campaign id", c.id, kMaxIdLength); !s.ok()) return s;
  if (auto s = ValidateDestination(c.destination); !s.ok()) return s;
  if (auto s = ValidateId("click_param", c.click_param, 32); !s.ok()) return s;
  for (const auto& [key, value] : c.utm) {
    if (key.empty() || key.size() > 32) {
      return absl::InvalidArgumentError("utm keys must be 1 to 32 characters");
    }
    // Keys are stored without the prefix the redirect adds; the API accepts "utm_source" for
    // "source" by removing one "utm_". A key that still starts with it would become
    // "utm_utm_..." in the URL, and would not read back the same from the API's own output.
    if (key.rfind("utm_", 0) == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("utm key '", key,
                       "' repeats the utm_ prefix (give \"source\" or "
                       "\"utm_source\")"));
    }
    for (char ch : key) {
      if (!IsUtmKeyChar(ch)) {
        return absl::InvalidArgumentError(
            absl::StrCat("utm key '", key, "' may only contain A-Z a-z 0-9 _"));
      }
    }
    if (value.size() > 256) {
      return absl::InvalidArgumentError(absl::StrCat("utm ", key, " is over 256 bytes"));
    }
    for (char ch : value) {
      if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f) {
        return absl::InvalidArgumentError(
            absl::StrCat("utm ", key, " may not contain control characters"));
      }
    }
  }
  if (c.variants.size() > 64) return absl::InvalidArgumentError("at most 64 variants");
  for (size_t i = 0; i < c.variants.size(); ++i) {
    const Variant& v = c.variants[i];
    if (auto s = ValidateId("variant name", v.name, 32); !s.ok()) return s;
    if (!v.destination.empty()) {
      if (auto s = ValidateDestination(v.destination); !s.ok()) return s;
    }
    for (size_t j = 0; j < i; ++j) {
      if (c.variants[j].name == v.name) {
        return absl::InvalidArgumentError(absl::StrCat("variant '", v.name, "' is repeated"));
      }
    }
  }
  if (c.attribution_window_seconds <= 0) {
    return absl::InvalidArgumentError("attribution window must be positive");
  }
  if (c.coupon_prefix.size() > 16) {
    return absl::InvalidArgumentError("coupon prefix must be at most 16 characters");
  }
  for (char ch : c.coupon_prefix) {
    if (!IsCodeChar(ch)) {
      return absl::InvalidArgumentError("coupon prefix may only contain A-Z a-z 0-9 _ -");
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateCoupon(std::string_view coupon) {
  if (coupon.size() < 4 || coupon.size() > 32) {
    return absl::InvalidArgumentError("coupon must be 4 to 32 characters");
  }
  return ValidateId("coupon", coupon, 32);
}

void NormalizeCoupon(std::string* coupon) {
  for (char& ch : *coupon) {
    if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
  }
}

absl::Status ValidateLink(const Link& l) {
  if (auto s = ValidateCode(l.code); !s.ok()) return s;
  if (auto s = ValidateId("campaign", l.campaign, kMaxIdLength); !s.ok()) return s;
  if (!l.variant.empty()) {
    if (auto s = ValidateId("variant", l.variant, 32); !s.ok()) return s;
  }
  if (l.recipient.size() > kMaxRecipientLength) {
    return absl::InvalidArgumentError(
        absl::StrCat("recipient is longer than ", kMaxRecipientLength, " bytes"));
  }
  for (char ch : l.recipient) {
    if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f) {
      return absl::InvalidArgumentError("recipient may not contain control characters");
    }
  }
  if (l.sent_at < 0 || l.sent_at > kMaxTimestamp || l.expires_at < 0 ||
      l.expires_at > kMaxTimestamp) {
    return absl::InvalidArgumentError("sent_at and expires_at must lie in 1970..2106");
  }
  if (!l.coupon.empty()) {
    if (auto s = ValidateCoupon(l.coupon); !s.ok()) return s;
  }
  if (!l.destination.empty()) return ValidateDestination(l.destination);
  return absl::OkStatus();
}

std::string EncodeCampaign(const Campaign& c) {
  std::string out;
  out.push_back(static_cast<char>(kCampaignFormat));
  PutLengthPrefixed(&out, c.id);
  PutLengthPrefixed(&out, c.destination);
  PutLengthPrefixed(&out, c.click_param);
  PutVarint64(&out, static_cast<uint64_t>(c.attribution_window_seconds));
  PutVarint64(&out, c.utm.size());
  for (const auto& [k, v] : c.utm) {
    PutLengthPrefixed(&out, k);
    PutLengthPrefixed(&out, v);
  }
  PutVarint64(&out, c.variants.size());
  for (const auto& v : c.variants) {
    PutLengthPrefixed(&out, v.name);
    PutLengthPrefixed(&out, v.destination);
  }
  out.push_back(static_cast<char>(c.coupons ? 1 : 0));
  PutLengthPrefixed(&out, c.coupon_prefix);
  return out;
}

std::optional<Campaign> DecodeCampaign(std::string_view in) {
  Campaign c;
  uint8_t format;
  uint64_t window, n;
  if (!GetByte(&in, &format) || format < 1 || format > kCampaignFormat) return std::nullopt;
  if (!GetLengthPrefixed(&in, &c.id) || !GetLengthPrefixed(&in, &c.destination) ||
      !GetLengthPrefixed(&in, &c.click_param) || !GetVarint64(&in, &window) ||
      !GetVarint64(&in, &n) || n > 256) {
    return std::nullopt;
  }
  c.attribution_window_seconds = static_cast<int64_t>(window);
  c.utm.resize(n);
  for (auto& [k, v] : c.utm) {
    if (!GetLengthPrefixed(&in, &k) || !GetLengthPrefixed(&in, &v)) return std::nullopt;
  }
  if (!GetVarint64(&in, &n) || n > 64) return std::nullopt;
  c.variants.resize(n);
  for (auto& v : c.variants) {
    if (!GetLengthPrefixed(&in, &v.name) || !GetLengthPrefixed(&in, &v.destination)) {
      return std::nullopt;
    }
  }
  if (format >= 2) {
    uint8_t coupons;
    if (!GetByte(&in, &coupons) || coupons > 1 || !GetLengthPrefixed(&in, &c.coupon_prefix)) {
      return std::nullopt;
    }
    c.coupons = coupons == 1;
  }
  if (!in.empty()) return std::nullopt;
  return c;
}

std::string EncodeLink(const Link& l) {
  std::string out;
  out.push_back(static_cast<char>(kLinkFormat));
  out.push_back(static_cast<char>(l.disabled ? 1 : 0));
  PutLengthPrefixed(&out, l.campaign);
  PutLengthPrefixed(&out, l.variant);
  PutLengthPrefixed(&out, l.recipient);
  PutVarint64(&out, static_cast<uint64_t>(l.sent_at));
  PutVarint64(&out, static_cast<uint64_t>(l.expires_at));
  PutLengthPrefixed(&out, l.destination);
  PutLengthPrefixed(&out, l.coupon);
  return out;
}

std::optional<Link> DecodeLink(std::string_view code, std::string_view in) {
  Link l;
  l.code.assign(code.data(), code.size());
  uint8_t format, flags;
  if (!GetByte(&in, &format) || format < 1 || format > kLinkFormat || !GetByte(&in, &flags) ||
      flags > 1 || !GetLengthPrefixed(&in, &l.campaign) || !GetLengthPrefixed(&in, &l.variant) ||
      !GetLengthPrefixed(&in, &l.recipient) || !GetTimestamp(&in, &l.sent_at) ||
      !GetTimestamp(&in, &l.expires_at) || !GetLengthPrefixed(&in, &l.destination) ||
      (format >= 2 && !GetLengthPrefixed(&in, &l.coupon)) || !in.empty()) {
    return std::nullopt;
  }
  l.disabled = flags == 1;
  return l;
}

}  // namespace store
