// Fuzz target: admin input (a campaign or an NDJSON link line). Whatever parses must validate
// and survive the storage codec unchanged; nothing may crash.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "store/link.h"

#include "redirector/model/json_model.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  if (auto c = redirector::CampaignFromJson(in); c.ok()) {
    if (!store::ValidateCampaign(*c).ok()) std::abort();
    auto back = store::DecodeCampaign(store::EncodeCampaign(*c));
    if (!back || back->id != c->id || back->destination != c->destination || back->utm != c->utm ||
        back->variants.size() != c->variants.size()) {
      std::abort();
    }
    if (!redirector::CampaignFromJson(redirector::CampaignToJson(*c)).ok()) std::abort();
  }
  if (auto l = redirector::LinkFromJson(in); l.ok()) {
    if (l->code.empty()) l->code = "generated";
    if (store::ValidateLink(*l).ok()) {
      auto back = store::DecodeLink(l->code, store::EncodeLink(*l));
      if (!back || back->recipient != l->recipient || back->sent_at != l->sent_at ||
          back->destination != l->destination) {
        std::abort();
      }
    }
  }
  // The storage decoders must refuse or accept garbage without reading past it.
  (void)store::DecodeCampaign(in);
  (void)store::DecodeLink("code", in);
  return 0;
}
