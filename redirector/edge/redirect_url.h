#pragma once
// Building the Location of a redirect: the destination (the link's override, else its variant's,
// else the campaign's) with its own query and fragment kept, the campaign's UTM parameters added
// (a key the destination already has is not duplicated), values percent-encoded, and the click
// id last. Pure: writes into a caller-owned buffer, allocates nothing.
//
//   https://shop.example/s?x=1#top + {source: sms} + smsclid=K
//   → https://shop.example/s?x=1&utm_source=sms&smsclid=K#top

#include <cstddef>
#include <span>
#include <string_view>

#include "store/link.h"
#include "store/link_index.h"

namespace redirector {

// Location can be at most this long: destination (≤ 2048) plus UTM and click id.
inline constexpr size_t kMaxLocation = 8192;

// The destination a link redirects to (views into `link` or `campaign`).
std::string_view DestinationOf(const store::LinkEntry& link, const store::Campaign& campaign);

// Writes the Location into `out` and returns its length, or 0 if it does not fit.
size_t BuildLocation(std::string_view destination, const store::Campaign& campaign,
                     std::string_view click_id, std::span<char> out);

// Appends `value` percent-encoded (RFC 3986 unreserved bytes kept) at out[pos...]; returns the
// new position, or SIZE_MAX if it does not fit (or pos already was SIZE_MAX).
size_t AppendPercentEncoded(std::string_view value, std::span<char> out, size_t pos);

}  // namespace redirector
