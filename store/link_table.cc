#include "store/link_table.h"

#include <algorithm>
#include <filesystem>

#include <absl/container/flat_hash_set.h>
#include <absl/strings/str_cat.h>
#include <rocksdb/db.h>
#include <rocksdb/memtablerep.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>

#include "store/rocks_status.h"
#include "store/status_macros.h"
#include "store/string_view.h"

namespace store {
namespace {

constexpr std::string_view kCampaignPrefix = "c/";
constexpr std::string_view kLinkPrefix = "l/";
enum Family { kDefault = 0, kCoupons = 1, kLedger = 2 };

std::string Key(std::string_view prefix, std::string_view id) {
  std::string k(prefix);
  k.append(id);
  return k;
}

}  // namespace

LinkTable::LinkTable(std::string dir, std::unique_ptr<rocksdb::DB> db,
                     std::vector<rocksdb::ColumnFamilyHandle*> families, bool read_only)
    : dir_(std::move(dir)),
      read_only_(read_only),
      db_(std::move(db)),
      families_(std::move(families)),
      ledger_(std::make_unique<Ledger>(db_.get(), families_[kLedger])) {}

LinkTable::~LinkTable() { CloseDb(); }

void LinkTable::CloseDb() {
  if (db_ == nullptr) return;
  // Persist the memtables so the next Open() reads SST files instead of replaying the WAL
  // (a bulk import is one large WAL record).
  if (!read_only_) (void)db_->Flush(rocksdb::FlushOptions(), families_);
  for (rocksdb::ColumnFamilyHandle* f : families_) (void)db_->DestroyColumnFamilyHandle(f);
  families_.clear();
  db_.reset();
}

namespace {

struct OpenedDb {
  std::unique_ptr<rocksdb::DB> db;
  std::vector<rocksdb::ColumnFamilyHandle*> families;
};

absl::StatusOr<OpenedDb> OpenDb(const std::string& dir, bool read_only) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return absl::UnavailableError(absl::StrCat("creating ", dir, ": ", ec.message()));
  rocksdb::DBOptions options;
  options.create_if_missing = true;
  options.create_missing_column_families = true;
  options.max_open_files = 256;
  options.keep_log_file_num = 4;
  // The vector memtable below cannot take concurrent writes; we have one writer.
  options.allow_concurrent_memtable_write = false;
  rocksdb::ColumnFamilyOptions links;
  links.write_buffer_size = 16 << 20;
  // Links arrive in large batches and are read back only by the full scan at start-up, so an
  // append-only vector memtable (sorted once, at flush) beats the default skiplist, whose
  // random inserts were a third of bulk-load time. Point reads go to the in-memory index.
  links.memtable_factory = std::make_shared<rocksdb::VectorRepFactory>();
  // Coupons and the ledger are read by key: the default skiplist memtable.
  rocksdb::ColumnFamilyOptions by_key;
  by_key.write_buffer_size = 4 << 20;
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors = {
      {rocksdb::kDefaultColumnFamilyName, links}, {"coupons", by_key}, {"ledger", by_key}};
  OpenedDb opened;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s =
      read_only ? rocksdb::DB::OpenForReadOnly(options, dir, descriptors, &opened.families, &raw)
                : rocksdb::DB::Open(options, dir, descriptors, &opened.families, &raw);
  if (!s.ok()) return FromRocks(s, absl::StrCat("opening link database ", dir));
  opened.db.reset(raw);
  return opened;
}

}  // namespace

absl::StatusOr<std::unique_ptr<LinkTable>> LinkTable::Open(const std::string& dir) {
  return OpenMode(dir, false);
}

absl::StatusOr<std::unique_ptr<LinkTable>> LinkTable::OpenReadOnly(const std::string& dir) {
  return OpenMode(dir, true);
}

absl::StatusOr<std::unique_ptr<LinkTable>> LinkTable::OpenMode(const std::string& dir,
                                                               bool read_only) {
  ASSIGN_OR_RETURN(OpenedDb opened, OpenDb(dir, read_only));
  std::unique_ptr<LinkTable> table(
      new LinkTable(dir, std::move(opened.db), std::move(opened.families), read_only));
  RETURN_IF_ERROR(table->Load());
  return table;
}

absl::Status LinkTable::Promote() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!read_only_) return absl::FailedPreconditionError("link table is already read-write");
  if (db_ == nullptr) return absl::FailedPreconditionError("link table is closed");
  rocksdb::SequenceNumber loaded = db_->GetLatestSequenceNumber();
  CloseDb();
  ASSIGN_OR_RETURN(OpenedDb opened, OpenDb(dir_, false));
  db_ = std::move(opened.db);
  families_ = std::move(opened.families);
  read_only_ = false;
  ledger_ = std::make_unique<Ledger>(db_.get(), families_[kLedger]);
  if (rocksdb::SequenceNumber now = db_->GetLatestSequenceNumber(); now != loaded) {
    return absl::FailedPreconditionError(absl::StrCat(
        "link database changed after it was loaded (sequence ", loaded, " then ", now, ")"));
  }
  return absl::OkStatus();
}

absl::Status LinkTable::Load() {
  std::lock_guard<std::mutex> lock(mu_);
  rocksdb::ReadOptions once;
  once.fill_cache = false;  // every block is read once: caching them would only add to RSS
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(once));
  for (it->Seek(rocksdb::Slice(kCampaignPrefix.data(), kCampaignPrefix.size()));
       it->Valid() && it->key().starts_with(rocksdb::Slice("c/", 2)); it->Next()) {
    auto c = DecodeCampaign(std::string_view(it->value().data(), it->value().size()));
    if (!c) {
      return absl::DataLossError(
          absl::StrCat("link database: campaign record ", it->key().ToString(), " is corrupt"));
    }
    if (campaigns_.Put(std::move(*c)) < 0)
      return absl::ResourceExhaustedError("too many campaigns");
  }
  uint64_t estimate = 0;
  db_->GetIntProperty("rocksdb.estimate-num-keys", &estimate);
  links_.Reserve(static_cast<size_t>(estimate));
  for (it->Seek(rocksdb::Slice(kLinkPrefix.data(), kLinkPrefix.size()));
       it->Valid() && it->key().starts_with(rocksdb::Slice("l/", 2)); it->Next()) {
    std::string_view code(it->key().data() + 2, it->key().size() - 2);
    auto link = DecodeLink(code, std::string_view(it->value().data(), it->value().size()));
    if (!link) {
      return absl::DataLossError(absl::StrCat("link database: link ", AV(code), " is corrupt"));
    }
    int64_t slot = campaigns_.SlotOf(link->campaign);
    if (slot < 0) {
      return absl::DataLossError(absl::StrCat("link database: link ", AV(code),
                                              " names unknown campaign ", link->campaign));
    }
    int variant = VariantIndex(*campaigns_.Get(static_cast<uint32_t>(slot)), link->variant);
    Publish(*link, static_cast<uint32_t>(slot),
            variant < 0 ? kNoVariant : static_cast<uint8_t>(variant));
  }
  return FromRocks(it->status(), "reading link database");
}

int LinkTable::VariantIndex(const Campaign& c, std::string_view variant) {
  if (variant.empty()) return kNoVariant;
  for (size_t i = 0; i < c.variants.size(); ++i) {
    if (c.variants[i].name == variant) return static_cast<int>(i);
  }
  return -1;
}

void LinkTable::Publish(const Link& l, uint32_t campaign_slot, uint8_t variant_index) {
  LinkEntryFields f;
  f.code = l.code;
  f.campaign_slot = campaign_slot;
  f.variant_index = variant_index;
  f.recipient = l.recipient;
  f.destination = l.destination;
  f.coupon = l.coupon;
  f.sent_at = static_cast<uint32_t>(l.sent_at);
  f.expires_at = static_cast<uint32_t>(l.expires_at);
  f.disabled = l.disabled;
  links_.Put(f);
}

absl::Status LinkTable::CreateCampaign(Campaign c) { return PutCampaign(std::move(c), true); }
absl::Status LinkTable::UpdateCampaign(Campaign c) { return PutCampaign(std::move(c), false); }

absl::Status LinkTable::PutCampaign(Campaign c, bool create) {
  RETURN_IF_ERROR(ValidateCampaign(c));
  std::lock_guard<std::mutex> lock(mu_);
  int64_t slot = campaigns_.SlotOf(c.id);
  if (create && slot >= 0) {
    return absl::AlreadyExistsError(absl::StrCat("campaign ", c.id, " already exists"));
  }
  if (!create) {
    if (slot < 0) return absl::NotFoundError(absl::StrCat("campaign ", c.id, " not found"));
    const Campaign* old = campaigns_.Get(static_cast<uint32_t>(slot));
    if (c.variants.size() < old->variants.size()) {
      return absl::InvalidArgumentError("variants may be added, not removed");
    }
    for (size_t i = 0; i < old->variants.size(); ++i) {
      if (c.variants[i].name != old->variants[i].name) {
        return absl::InvalidArgumentError(absl::StrCat("variant ", old->variants[i].name,
                                                       " must stay at position ", i + 1,
                                                       ": links refer to variants by position"));
      }
    }
  }
  rocksdb::WriteOptions wo;
  wo.sync = true;
  RETURN_IF_ERROR(
      FromRocks(db_->Put(wo, Key(kCampaignPrefix, c.id), EncodeCampaign(c)), "writing campaign"));
  if (campaigns_.Put(std::move(c)) < 0) return absl::ResourceExhaustedError("too many campaigns");
  return absl::OkStatus();
}

absl::StatusOr<Campaign> LinkTable::GetCampaign(std::string_view id) const {
  std::lock_guard<std::mutex> lock(mu_);
  int64_t slot = campaigns_.SlotOf(id);
  if (slot < 0) return absl::NotFoundError(absl::StrCat("campaign ", AV(id), " not found"));
  return *campaigns_.Get(static_cast<uint32_t>(slot));
}

std::vector<std::string> LinkTable::ClickParams() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> params;
  for (size_t slot = 0; slot < campaigns_.size(); ++slot) {
    const Campaign* c = campaigns_.Get(static_cast<uint32_t>(slot));
    if (c != nullptr && std::find(params.begin(), params.end(), c->click_param) == params.end()) {
      params.push_back(c->click_param);
    }
  }
  return params;
}

size_t LinkTable::campaign_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return campaigns_.size();
}

size_t LinkTable::IndexMemoryBytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return links_.MemoryBytes();
}

absl::Status LinkTable::CreateLinks(std::vector<Link>* links) {
  std::lock_guard<std::mutex> lock(mu_);
  struct Placed {
    uint32_t campaign_slot;
    uint8_t variant_index;
  };
  std::vector<Placed> placed;
  placed.reserve(links->size());
  absl::flat_hash_set<std::string> batch_codes;
  batch_codes.reserve(links->size());
  absl::flat_hash_set<std::string> batch_coupons;
  for (size_t i = 0; i < links->size(); ++i) {
    Link& l = (*links)[i];
    auto fail = [i](std::string_view why) {
      return absl::InvalidArgumentError(absl::StrCat("link ", i + 1, ": ", AV(why)));
    };
    bool generated = l.code.empty();
    while (l.code.empty()) {
      ASSIGN_OR_RETURN(std::string code, codes_.Next());
      if (links_.Find(code) == nullptr && !batch_codes.contains(code)) l.code = std::move(code);
    }
    if (auto s = ValidateLink(l); !s.ok())
      return fail(std::string_view(s.message().data(), s.message().size()));
    if (!generated && (links_.Find(l.code) != nullptr || batch_codes.contains(l.code))) {
      return absl::AlreadyExistsError(
          absl::StrCat("link ", i + 1, ": code ", l.code, " is already taken"));
    }
    batch_codes.insert(l.code);
    int64_t slot = campaigns_.SlotOf(l.campaign);
    if (slot < 0) return fail(absl::StrCat("campaign ", l.campaign, " not found"));
    const Campaign& campaign = *campaigns_.Get(static_cast<uint32_t>(slot));
    int variant = VariantIndex(campaign, l.variant);
    if (variant < 0) {
      return fail(absl::StrCat("campaign ", l.campaign, " has no variant ", l.variant));
    }
    if (!l.coupon.empty()) {
      NormalizeCoupon(&l.coupon);
      ASSIGN_OR_RETURN(bool taken, CouponTaken(l.coupon));
      if (taken || batch_coupons.contains(l.coupon)) {
        return absl::AlreadyExistsError(
            absl::StrCat("link ", i + 1, ": coupon ", l.coupon, " is already taken"));
      }
    } else if (campaign.coupons) {
      ASSIGN_OR_RETURN(l.coupon, NewCoupon(campaign.coupon_prefix, batch_coupons));
    }
    if (!l.coupon.empty()) batch_coupons.insert(l.coupon);
    placed.push_back({static_cast<uint32_t>(slot), static_cast<uint8_t>(variant)});
  }
  rocksdb::WriteBatch batch(links->size() * 96);  // about a link's key and value: no regrowth
  for (const Link& l : *links) {
    batch.Put(Key(kLinkPrefix, l.code), EncodeLink(l));
    if (!l.coupon.empty()) batch.Put(families_[kCoupons], l.coupon, l.code);
  }
  rocksdb::WriteOptions wo;
  wo.sync = true;
  RETURN_IF_ERROR(FromRocks(db_->Write(wo, &batch), "writing links"));
  links_.Reserve(links_.size() + links->size());
  for (size_t i = 0; i < links->size(); ++i) {
    Publish((*links)[i], placed[i].campaign_slot, placed[i].variant_index);
  }
  return absl::OkStatus();
}

absl::StatusOr<Link> LinkTable::GetLink(std::string_view code) const {
  // The index holds every field of every link, so reads never touch RocksDB (whose memtable is
  // tuned for bulk appends, not point reads).
  const LinkEntry* e = links_.Find(code);
  if (e == nullptr) return absl::NotFoundError(absl::StrCat("link ", AV(code), " not found"));
  const Campaign* c = campaigns_.Get(e->campaign_slot());
  Link l;
  l.code.assign(e->code());
  l.campaign = c->id;
  if (e->variant_index() < c->variants.size()) l.variant = c->variants[e->variant_index()].name;
  l.recipient.assign(e->recipient());
  l.sent_at = e->sent_at();
  l.expires_at = e->expires_at();
  l.destination.assign(e->destination());
  l.coupon.assign(e->coupon());
  l.disabled = e->disabled();
  return l;
}

absl::StatusOr<bool> LinkTable::CouponTaken(const std::string& coupon) const {
  absl::StatusOr<std::string> code = CodeForCoupon(coupon);
  if (code.status().code() == absl::StatusCode::kNotFound) return false;
  if (!code.ok()) return code.status();
  return true;
}

absl::StatusOr<std::string> LinkTable::NewCoupon(std::string_view prefix,
                                                 const absl::flat_hash_set<std::string>& batch) {
  for (;;) {
    ASSIGN_OR_RETURN(std::string coupon, codes_.NextCoupon(prefix));
    NormalizeCoupon(&coupon);
    ASSIGN_OR_RETURN(bool taken, CouponTaken(coupon));
    if (!taken && !batch.contains(coupon)) return coupon;
  }
}

absl::StatusOr<std::string> LinkTable::CodeForCoupon(std::string_view coupon) const {
  std::string key(coupon);
  NormalizeCoupon(&key);
  std::string code;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), families_[kCoupons], key, &code);
  if (s.IsNotFound()) return absl::NotFoundError(absl::StrCat("coupon ", key, " not found"));
  if (!s.ok()) return FromRocks(s, "reading coupons");
  return code;
}

absl::Status LinkTable::DisableLink(std::string_view code) {
  std::lock_guard<std::mutex> lock(mu_);
  ASSIGN_OR_RETURN(Link link, GetLink(code));
  if (link.disabled) return absl::OkStatus();
  link.disabled = true;
  rocksdb::WriteOptions wo;
  wo.sync = true;
  RETURN_IF_ERROR(
      FromRocks(db_->Put(wo, Key(kLinkPrefix, code), EncodeLink(link)), "writing link"));
  const LinkEntry* old = links_.Find(code);
  Publish(link, old->campaign_slot(), old->variant_index());
  return absl::OkStatus();
}

}  // namespace store
