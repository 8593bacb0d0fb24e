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
#include <new>
#include <utility>

namespace vecsim::core {

// Kind distinguishes users of the same T; Bytes(t) is what t holds.
template <class T, class Kind>
class ThreadSpare {
 public:
  static T take() {
    T* kept = spare(false);
    if (kept == nullptr) return T{};
    T out = std::move(*kept);
    *kept = T{};
    return out;
  }

  template <class Bytes>
  static void give(T&& t, std::size_t max_bytes, Bytes bytes) {
    const std::size_t held = bytes(t);
    if (held == 0 || held > max_bytes) return;
    T* kept = spare(true);
    if (kept == nullptr || held <= bytes(*kept)) return;
    *kept = std::move(t);
  }

 private:
  // The thread's spare (made on first use when create), or null if that
  // allocation fails or once the thread is exiting. It is reached through
  // trivially destructible thread_locals: a set that PostgreSQL's atexit
  // callback destroys after the thread's destructors have run (an abort
  // resetting memory contexts) finds null and keeps its table to itself,
  // and the release object frees the spare when the thread ends (no leak
  // per thread).
  static T* spare(bool create) {
    thread_local T* kept = nullptr;
    thread_local bool ended = false;
    struct Release {
      T** kept;
      bool* ended;
      ~Release() {
        delete *kept;
        *kept = nullptr;
        *ended = true;
      }
    };
    thread_local Release release{&kept, &ended};
    (void)release;
    // nothrow: give() runs in destructors, where a throw would terminate
    if (kept == nullptr && create && !ended) kept = new (std::nothrow) T{};
    return kept;
  }
};

}  // namespace vecsim::core
