#pragma once
// SpscRing: a fixed-capacity single-producer, single-consumer ring. The producer fills a slot
// in place (Reserve, then Commit); the consumer reads in place (Front, then Pop). Never
// allocates after construction, never blocks: a full ring makes Reserve() return nullptr and
// the caller decides what to shed.

#include <atomic>
#include <cstddef>
#include <memory>

namespace redirector {

template <typename T>
class SpscRing {
 public:
  // `capacity` is rounded up to a power of two.
  explicit SpscRing(size_t capacity) {
    size_t c = 1;
    while (c < capacity) c <<= 1;
    mask_ = c - 1;
    slots_ = std::make_unique<T[]>(c);
  }

  // Producer: a slot to fill, or nullptr when full.
  T* Reserve() {
    size_t head = head_.load(std::memory_order_relaxed);
    if (head - cached_tail_ > mask_) {
      cached_tail_ = tail_.load(std::memory_order_acquire);
      if (head - cached_tail_ > mask_) return nullptr;
    }
    return &slots_[head & mask_];
  }
  // Producer: publishes the slot returned by Reserve().
  void Commit() {
    head_.store(head_.load(std::memory_order_relaxed) + 1, std::memory_order_release);
  }
  // Producer: how many slots were ever committed (the position of the last one).
  size_t committed() const { return head_.load(std::memory_order_relaxed); }

  // Consumer: the oldest slot, or nullptr when empty.
  const T* Front() {
    size_t tail = tail_.load(std::memory_order_relaxed);
    if (tail == cached_head_) {
      cached_head_ = head_.load(std::memory_order_acquire);
      if (tail == cached_head_) return nullptr;
    }
    return &slots_[tail & mask_];
  }
  // Consumer: frees the slot returned by Front().
  void Pop() { tail_.store(tail_.load(std::memory_order_relaxed) + 1, std::memory_order_release); }

  // Consumer: every slot filled now, oldest first, read in place; PopPeeked() frees them.
  class Span {
   public:
    class Iterator {
     public:
      Iterator(const SpscRing* r, size_t i) : r_(r), i_(i) {}
      const T* operator*() const { return &r_->slots_[i_ & r_->mask_]; }
      Iterator& operator++() {
        ++i_;
        return *this;
      }
      bool operator!=(const Iterator& o) const { return i_ != o.i_; }

     private:
      const SpscRing* r_;
      size_t i_;
    };
    Iterator begin() const { return {r_, from_}; }
    Iterator end() const { return {r_, to_}; }
    size_t end_position() const { return to_; }  // committed() as of the Peek

   private:
    friend class SpscRing;
    Span(const SpscRing* r, size_t from, size_t to) : r_(r), from_(from), to_(to) {}
    const SpscRing* r_;
    size_t from_, to_;
  };
  Span Peek() {
    size_t tail = tail_.load(std::memory_order_relaxed);
    cached_head_ = head_.load(std::memory_order_acquire);
    peeked_ = cached_head_;
    return Span(this, tail, cached_head_);
  }
  void PopPeeked() { tail_.store(peeked_, std::memory_order_release); }

  size_t capacity() const { return mask_ + 1; }

 private:
  size_t mask_;
  std::unique_ptr<T[]> slots_;
  alignas(64) std::atomic<size_t> head_{0};
  size_t cached_tail_ = 0;  // producer's copy
  alignas(64) std::atomic<size_t> tail_{0};
  size_t cached_head_ = 0;  // consumer's copy
  size_t peeked_ = 0;       // consumer: end of the last Peek()
};

}  // namespace redirector
