#pragma once
// Turning a HitRecord (what the redirect path captured) into the event the log keeps, as a
// store::EventView for store::EncodeEvent: no string is copied. Pure; runs on the log writer
// thread.

#include <string>
#include <string_view>

#include "store/event.h"

#include "redirector/events/hit_record.h"

namespace redirector {

// Fills `out` with views of `hit` (its record, link and campaign), `node` and static names; the
// encoded reasons and signals go to `lists` (cleared first, capacity reused). `out` is valid while
// all of those are unchanged.
void HitToEventView(const HitRecord& hit, std::string_view node, std::string* lists,
                    store::EventView* out);

}  // namespace redirector
