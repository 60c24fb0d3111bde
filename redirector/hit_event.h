#pragma once
// Turning a HitRecord (what the redirect path captured) into a store::Event (what the log
// keeps). Pure; runs on the log writer thread, reusing `out`'s string capacity.

#include <string_view>

#include "store/event.h"

#include "redirector/hit_record.h"

namespace redirector {

void HitToEvent(const HitRecord& hit, std::string_view node, store::Event* out);

}  // namespace redirector
