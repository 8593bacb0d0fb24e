// src/core/util/thread_spare.h
// One spare buffer per thread and kind, handed from an object that is done
// with its storage to the next object of the same kind built on the same
// thread. A search over pages (a query's, an insert's) fills a visited set,
// and every query builds a new search: without a spare, each one
// allocated, grew and freed the same table again (RefSet's grow and
// rebuild were about 4% of a query's time in the server).
//
// INVARIANTS
//   take() returns the spare (emptied by the caller's own clear) or a
//   default-constructed T, and leaves no spare behind; give() keeps a
//   buffer only if its bytes are at most max_bytes and it is larger than
//   the spare it would replace, so a thread holds at most max_bytes per
//   kind between queries, and a rare huge search does not pin its memory.
//   Each thread has its own spares (thread_local): a build's worker threads
//   never share one. The spares live outside PostgreSQL's memory contexts
//   (at most max_bytes per kind and thread) until the process exits.
#pragma once

#include <cstddef>
#include <utility>

namespace vecsim::core {

// Kind distinguishes users of the same T; Bytes(t) is what t holds.
template <class T, class Kind>
class ThreadSpare {
 public:
  static T take() {
    T out = std::move(spare());
    spare() = T{};
    return out;
  }

  template <class Bytes>
  static void give(T&& t, std::size_t max_bytes, Bytes bytes) {
    const std::size_t held = bytes(t);
    if (held == 0 || held > max_bytes || held <= bytes(spare())) return;
    spare() = std::move(t);
  }

 private:
  // Allocated on first use and never freed: a thread_local object with a
  // destructor would be destroyed at exit before PostgreSQL's atexit
  // callback, whose abort can still destroy a set that gives back to it.
  static T& spare() {
    thread_local T* kept = nullptr;
    if (kept == nullptr) kept = new T{};
    return *kept;
  }
};

}  // namespace vecsim::core
