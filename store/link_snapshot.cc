#include "store/link_snapshot.h"

#include <filesystem>
#include <memory>

#include <absl/strings/str_cat.h>
#include <rocksdb/db.h>
#include <rocksdb/options.h>

#include "store/rocks_status.h"
#include "store/string_view.h"

namespace store {

absl::Status ScanLinkDatabase(const std::string& dir,
                              const std::function<void(const Campaign&)>& on_campaign,
                              const std::function<void(const Link&)>& on_link) {
  std::error_code ec;
  if (!std::filesystem::exists(std::filesystem::path(dir) / "CURRENT", ec)) {
    return absl::NotFoundError(absl::StrCat("no link database in ", dir));
  }
  rocksdb::Options options;
  options.max_open_files = 256;
  rocksdb::DB* raw = nullptr;
  // Only the default column family (campaigns and links) is opened; read-only mode allows a
  // subset.
  rocksdb::Status s = rocksdb::DB::OpenForReadOnly(options, dir, &raw);
  if (!s.ok()) return FromRocks(s, absl::StrCat("opening link database ", dir));
  std::unique_ptr<rocksdb::DB> db(raw);
  rocksdb::ReadOptions ro;
  ro.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(ro));
  for (it->Seek("c/"); it->Valid() && it->key().starts_with("c/"); it->Next()) {
    auto c = DecodeCampaign(std::string_view(it->value().data(), it->value().size()));
    if (!c) {
      return absl::DataLossError(
          absl::StrCat("link database: campaign record ", it->key().ToString(), " is corrupt"));
    }
    on_campaign(*c);
  }
  for (it->Seek("l/"); it->Valid() && it->key().starts_with("l/"); it->Next()) {
    std::string_view code(it->key().data() + 2, it->key().size() - 2);
    auto link = DecodeLink(code, std::string_view(it->value().data(), it->value().size()));
    if (!link) {
      return absl::DataLossError(absl::StrCat("link database: link ", AV(code), " is corrupt"));
    }
    on_link(*link);
  }
  return FromRocks(it->status(), "reading link database");
}

}  // namespace store
