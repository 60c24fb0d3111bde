#pragma once
// LinkTable: campaigns and links, durable in RocksDB under a data directory and served from
// memory.
//
// Writes (admin API, offline import) go to RocksDB first, synced, then to the in-memory
// indexes; a failed RocksDB write changes nothing. Writers are serialized by one mutex that the
// redirect path never takes: Find() and CampaignOf() read the lock-free indexes (see
// link_index.h and campaign_index.h for how a reader sees a concurrent write).
//
// RocksDB keys (default column family): "c/<campaign id>" → EncodeCampaign, "l/<code>" →
// EncodeLink. Column family "coupons": coupon → code, for CodeForCoupon. Column family "ledger":
// see ledger.h. The default family is read only by the full scan in Open(); every later link
// read (Find, GetLink, GetCampaign) is served from memory.
//
//   ASSIGN_OR_RETURN(auto table, LinkTable::Open(dir + "/links"));
//   const LinkEntry* e = table->Find("aB3xK9qZ");

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <absl/base/thread_annotations.h>
#include <absl/container/flat_hash_set.h>
#include <absl/status/statusor.h>

#include "store/campaign_index.h"
#include "store/code_generator.h"
#include "store/ledger.h"
#include "store/link.h"
#include "store/link_index.h"

namespace rocksdb {
class ColumnFamilyHandle;
class DB;
}  // namespace rocksdb

namespace store {

class LinkTable {
 public:
  // Opens (creating if missing) the RocksDB database in `dir` and loads every campaign and link
  // into memory. Fails with FailedPrecondition if another process holds the database.
  static absl::StatusOr<std::unique_ptr<LinkTable>> Open(const std::string& dir);
  // For a binary upgrade (two steps, so the slow one runs while the old process still owns the
  // database): OpenReadOnly loads everything into memory through RocksDB's read-only mode,
  // which takes no lock; writers fail until Promote. Promote, called once the old owner has
  // closed the database, reopens it read-write and keeps the loaded indexes. FailedPrecondition
  // if the database changed in between (its sequence number moved): the indexes are then stale
  // and the caller must Open afresh. The table must not be used after a failed Promote.
  static absl::StatusOr<std::unique_ptr<LinkTable>> OpenReadOnly(const std::string& dir);
  absl::Status Promote();
  ~LinkTable();
  LinkTable(const LinkTable&) = delete;
  LinkTable& operator=(const LinkTable&) = delete;

  // --- The redirect path: any thread, no lock, no allocation. ---
  const LinkEntry* Find(std::string_view code) const { return links_.Find(code); }
  const Campaign* CampaignOf(const LinkEntry& e) const { return campaigns_.Get(e.campaign_slot()); }

  // --- Writers: any thread, serialized internally. ---
  // AlreadyExists if the id is taken.
  absl::Status CreateCampaign(Campaign c);
  // NotFound if unknown. Existing variants must stay, in order (links refer to them by
  // position); new ones may be appended.
  absl::Status UpdateCampaign(Campaign c);
  absl::StatusOr<Campaign> GetCampaign(std::string_view id) const;
  // Every campaign's click-id query parameter, without repeats.
  std::vector<std::string> ClickParams() const;

  // Stores every link or none. A link without a code gets a random one (written back into
  // `links`); a given code must be new. In a campaign with coupons, a link without a coupon gets
  // a random one (written back); a given coupon (any campaign) must be new. Errors name the
  // position ("link 3: ...").
  absl::Status CreateLinks(std::vector<Link>* links);
  absl::StatusOr<Link> GetLink(std::string_view code) const;
  // NotFound if unknown; disabling twice is fine.
  absl::Status DisableLink(std::string_view code);
  // The code of the link that carries `coupon` (any case); NotFound if none.
  absl::StatusOr<std::string> CodeForCoupon(std::string_view coupon) const;

  Ledger& ledger() { return *ledger_; }

  size_t link_count() const { return links_.size(); }
  size_t campaign_count() const;
  // Bytes held by the in-memory link index (not RocksDB's caches).
  size_t IndexMemoryBytes() const;

 private:
  LinkTable(std::string dir, std::unique_ptr<rocksdb::DB> db,
            std::vector<rocksdb::ColumnFamilyHandle*> families, bool read_only);
  static absl::StatusOr<std::unique_ptr<LinkTable>> OpenMode(const std::string& dir,
                                                             bool read_only);
  void CloseDb();
  absl::Status Load();
  absl::Status PutCampaign(Campaign c, bool create);
  // Adds a validated link to the in-memory index.
  void Publish(const Link& l, uint32_t campaign_slot, uint8_t variant_index)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The variant's index in `c`, kNoVariant for "", or -1 if `c` has no such variant.
  static int VariantIndex(const Campaign& c, std::string_view variant);

  // Generates a coupon no link has (nor any earlier link of `batch`).
  absl::StatusOr<std::string> NewCoupon(std::string_view prefix,
                                        const absl::flat_hash_set<std::string>& batch)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<bool> CouponTaken(const std::string& coupon) const;

  std::string dir_;
  bool read_only_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> families_;  // default, coupons, ledger
  std::unique_ptr<Ledger> ledger_;
  // std::mutex, not absl::Mutex: Debian's libabsl is not built with ThreadSanitizer, which
  // cannot see its locks and would report what they guard as races.
  mutable std::mutex mu_;
  CampaignIndex campaigns_;  // written under mu_
  LinkIndex links_;          // written under mu_
  CodeGenerator codes_ ABSL_GUARDED_BY(mu_);
};

}  // namespace store
