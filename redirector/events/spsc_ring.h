#pragma once
// SpscRing: a fixed-capacity single-producer, single-consumer ring of variable-size records,
// each a T followed by up to `extra` bytes of its own (a hit's user agent, say), so a record
// takes the bytes it needs rather than its worst case. The producer fills a record in place
// (Reserve, then Commit); the consumer reads in place (Front/Pop, or Peek/PopPeeked). Never
// allocates after construction, never blocks: a full ring makes Reserve() return nullptr and the
// caller decides what to shed.
//
// Positions (committed(), Span::end_position()) count bytes since construction; they only grow,
// so "everything up to position P" names a prefix of the records.
//
// Layout: records are contiguous and 8-byte aligned, each behind an 8-byte frame giving the
// distance to the next one. A record that does not fit before the end of the buffer starts at
// its beginning, and the space it skipped is framed as padding the consumer steps over.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <type_traits>

namespace redirector {

template <typename T>
class SpscRing {
  static_assert(std::is_trivially_destructible_v<T> && alignof(T) <= 8);

 public:
  // Records carry at most `max_extra` bytes. The capacity is `bytes` rounded up to a power of
  // two, and at least twice the largest record: a record of at most half the ring fits an empty
  // ring wherever its head is (a larger one could be refused forever: too little room before
  // the end, and the padding to the start leaves too little after it).
  explicit SpscRing(size_t bytes, size_t max_extra = 0) : max_extra_(max_extra) {
    size_t c = 64;
    while (c < bytes || c < 2 * RecordBytes(max_extra)) c <<= 1;
    mask_ = c - 1;
    buffer_ = std::make_unique<std::byte[]>(c);  // (operator new[] aligns to at least 16)
  }

  // Producer: a default-initialized T followed by `extra` writable bytes (at the T's end,
  // `this + 1`), or nullptr when the ring has no room for them now. `extra` over the
  // constructor's `max_extra` is always refused.
  T* Reserve(size_t extra = 0) {
    if (extra > max_extra_) return nullptr;
    size_t need = RecordBytes(extra);
    uint64_t head = head_.load(std::memory_order_relaxed);
    size_t offset = head & mask_;
    size_t pad = mask_ + 1 - offset < need ? mask_ + 1 - offset : 0;
    if (head + pad + need - cached_tail_ > mask_ + 1) {
      cached_tail_ = tail_.load(std::memory_order_acquire);
      if (head + pad + need - cached_tail_ > mask_ + 1) return nullptr;
    }
    pending_pad_ = pad;
    pending_size_ = need;
    return new (At(head + pad) + sizeof(Frame)) T;
  }
  // Producer: publishes the record returned by the last Reserve().
  void Commit() {
    uint64_t head = head_.load(std::memory_order_relaxed);
    if (pending_pad_ > 0) new (At(head)) Frame{static_cast<uint32_t>(pending_pad_), 1};
    new (At(head + pending_pad_)) Frame{static_cast<uint32_t>(pending_size_), 0};
    head_.store(head + pending_pad_ + pending_size_, std::memory_order_release);
  }
  // Producer: the position just past the last committed record.
  uint64_t committed() const { return head_.load(std::memory_order_relaxed); }

  // Consumer: the oldest record, or nullptr when empty.
  const T* Front() {
    uint64_t tail = tail_.load(std::memory_order_relaxed);
    if (tail >= cached_head_) {  // (Pop alone may have passed the cached head)
      cached_head_ = head_.load(std::memory_order_acquire);
    }
    // Padding is committed with the record after it, so what it skips to is a record, or the end.
    uint64_t at = SkipPadding(tail, cached_head_);
    if (at != tail) tail_.store(at, std::memory_order_release);
    return at == cached_head_ ? nullptr : RecordAt(at);
  }
  // Consumer: frees the oldest record (the one Front() returns; the ring must not be empty).
  void Pop() {
    uint64_t at =
        SkipPadding(tail_.load(std::memory_order_relaxed), head_.load(std::memory_order_acquire));
    tail_.store(at + FrameAt(at)->next, std::memory_order_release);
  }

  // Consumer: every record committed now, oldest first, read in place; PopPeeked() frees them.
  class Span {
   public:
    class Iterator {
     public:
      Iterator(const SpscRing* r, uint64_t at, uint64_t end)
          : r_(r), at_(r->SkipPadding(at, end)), end_(end) {}
      const T* operator*() const { return r_->RecordAt(at_); }
      Iterator& operator++() {
        at_ = r_->SkipPadding(at_ + r_->FrameAt(at_)->next, end_);
        return *this;
      }
      bool operator!=(const Iterator& o) const { return at_ != o.at_; }

     private:
      const SpscRing* r_;
      uint64_t at_, end_;
    };
    Iterator begin() const { return {r_, from_, to_}; }
    Iterator end() const { return {r_, to_, to_}; }
    uint64_t end_position() const { return to_; }  // committed() as of the Peek

   private:
    friend class SpscRing;
    Span(const SpscRing* r, uint64_t from, uint64_t to) : r_(r), from_(from), to_(to) {}
    const SpscRing* r_;
    uint64_t from_, to_;
  };
  Span Peek() {
    uint64_t tail = tail_.load(std::memory_order_relaxed);
    cached_head_ = head_.load(std::memory_order_acquire);
    peeked_ = cached_head_;
    return Span(this, tail, cached_head_);
  }
  void PopPeeked() { tail_.store(peeked_, std::memory_order_release); }

  size_t capacity_bytes() const { return mask_ + 1; }
  size_t max_extra() const { return max_extra_; }

 private:
  struct Frame {
    uint32_t next;     // bytes from this frame to the next one
    uint32_t padding;  // 1: no record here, only the space skipped to wrap around
  };
  static_assert(sizeof(Frame) == 8);
  // A record's bytes in the ring: its frame, the T and its extra bytes, 8-aligned.
  static constexpr size_t RecordBytes(size_t extra) {
    return (sizeof(Frame) + sizeof(T) + extra + 7) & ~size_t{7};
  }
  std::byte* At(uint64_t position) const { return &buffer_[position & mask_]; }
  const Frame* FrameAt(uint64_t position) const {
    return std::launder(reinterpret_cast<const Frame*>(At(position)));
  }
  // The first position from `at` (up to `end`) that is not padding.
  uint64_t SkipPadding(uint64_t at, uint64_t end) const {
    while (at != end && FrameAt(at)->padding) at += FrameAt(at)->next;
    return at;
  }
  const T* RecordAt(uint64_t position) const {
    return std::launder(reinterpret_cast<const T*>(At(position) + sizeof(Frame)));
  }

  size_t max_extra_;
  size_t mask_;
  std::unique_ptr<std::byte[]> buffer_;
  size_t pending_pad_ = 0;   // producer: the last Reserve()'s padding before its record
  size_t pending_size_ = 0;  // producer: and its record's size with the frame
  alignas(64) std::atomic<uint64_t> head_{0};
  uint64_t cached_tail_ = 0;  // producer's copy
  alignas(64) std::atomic<uint64_t> tail_{0};
  uint64_t cached_head_ = 0;  // consumer's copy
  uint64_t peeked_ = 0;       // consumer: end of the last Peek()
};

}  // namespace redirector
