#include "redirector/edge/redirect_url.h"

#include <algorithm>
#include <cstring>

namespace redirector {
namespace {

constexpr size_t kOverflow = static_cast<size_t>(-1);

bool IsUnreserved(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

size_t Append(std::string_view s, std::span<char> out, size_t pos) {
  if (pos == kOverflow || pos + s.size() > out.size()) return kOverflow;
  std::copy(s.begin(), s.end(), out.data() + pos);
  return pos + s.size();
}

// True if `query` (without '?') has a parameter named `key`.
bool HasKey(std::string_view query, std::string_view prefix, std::string_view key) {
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view param = query.substr(0, amp);
    std::string_view name = param.substr(0, param.find('='));
    if (name.size() == prefix.size() + key.size() && name.substr(0, prefix.size()) == prefix &&
        name.substr(prefix.size()) == key) {
      return true;
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return false;
}

}  // namespace

std::string_view DestinationOf(const store::LinkEntry& link, const store::Campaign& campaign) {
  if (!link.destination().empty()) return link.destination();
  if (link.variant_index() < campaign.variants.size()) {
    const std::string& d = campaign.variants[link.variant_index()].destination;
    if (!d.empty()) return d;
  }
  return campaign.destination;
}

size_t AppendPercentEncoded(std::string_view value, std::span<char> out, size_t pos) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (char c : value) {
    if (pos == kOverflow || pos + 3 > out.size()) return kOverflow;
    if (IsUnreserved(c)) {
      out[pos++] = c;
    } else {
      auto u = static_cast<unsigned char>(c);
      out[pos++] = '%';
      out[pos++] = kHex[u >> 4];
      out[pos++] = kHex[u & 15];
    }
  }
  return pos;
}

size_t BuildLocation(std::string_view destination, const store::Campaign& campaign,
                     std::string_view click_id, std::span<char> out) {
  size_t hash = destination.find('#');
  std::string_view fragment =
      hash == std::string_view::npos ? std::string_view() : destination.substr(hash);
  std::string_view base = destination.substr(0, hash);
  size_t q = base.find('?');
  std::string_view query = q == std::string_view::npos ? std::string_view() : base.substr(q + 1);

  size_t pos = Append(base, out, 0);
  // The separator before the next parameter: none needed after a bare '?' or a trailing '&'.
  std::string_view sep = q == std::string_view::npos              ? "?"
                         : (query.empty() || query.back() == '&') ? ""
                                                                  : "&";
  for (const auto& [key, value] : campaign.utm) {
    if (HasKey(query, "utm_", key)) continue;
    pos = Append(sep, out, pos);
    pos = Append("utm_", out, pos);
    pos = Append(key, out, pos);
    pos = Append("=", out, pos);
    pos = AppendPercentEncoded(value, out, pos);
    sep = "&";
  }
  if (!click_id.empty()) {
    pos = Append(sep, out, pos);
    pos = Append(campaign.click_param, out, pos);
    pos = Append("=", out, pos);
    pos = AppendPercentEncoded(click_id, out, pos);
  }
  pos = Append(fragment, out, pos);
  return pos == kOverflow ? 0 : pos;
}

}  // namespace redirector
