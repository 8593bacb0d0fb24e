// src/core/util/parallel.h
// Work shared among the calling thread and helper threads, for code that
// runs inside a PostgreSQL backend: helpers block every signal (they must
// never run the host's handlers), no exception leaves a thread, and every
// started thread is joined before the call returns. Only the calling
// thread polls for a stop (a query cancel), between its own tasks.
//
//   parallel_tasks(threads, n, task, stop)  task(worker, i) for i < n, each
//       exactly once unless the run stops or fails; worker 0 is the caller,
//       1 .. threads - 1 the helpers (index per-thread scratch by it).
//
// INVARIANTS
//   The result says whether every task ran (kDone); after kStopped,
//   kOutOfMemory or kFailed some did not, and the caller must discard
//   what they were to produce. Tasks must not call back into the host.
#pragma once

#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <cstddef>
#include <new>
#include <thread>
#include <vector>

namespace vecsim::core {

enum class ParallelResult { kDone, kStopped, kOutOfMemory, kFailed };

// Blocks every signal in this thread until destroyed (threads created
// meanwhile inherit the mask).
class SignalsBlocked {
 public:
  SignalsBlocked() {
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &saved_);
  }
  ~SignalsBlocked() { pthread_sigmask(SIG_SETMASK, &saved_, nullptr); }
  SignalsBlocked(const SignalsBlocked&) = delete;
  SignalsBlocked& operator=(const SignalsBlocked&) = delete;

 private:
  sigset_t saved_;
};

template <class Task, class Stop>
ParallelResult parallel_tasks(int threads, std::size_t n, Task&& task, Stop&& stop) {
  std::atomic<std::size_t> next{0};
  std::atomic<int> outcome{static_cast<int>(ParallelResult::kDone)};
  auto fail = [&](ParallelResult why) {
    int done = static_cast<int>(ParallelResult::kDone);
    outcome.compare_exchange_strong(done, static_cast<int>(why));
  };
  auto work = [&](int worker) noexcept {
    try {
      for (;;) {
        if (outcome.load(std::memory_order_relaxed) != static_cast<int>(ParallelResult::kDone)) return;
        if (worker == 0 && stop()) return fail(ParallelResult::kStopped);
        std::size_t i = next.fetch_add(1);
        if (i >= n) return;
        task(worker, i);
      }
    } catch (const std::bad_alloc&) {
      fail(ParallelResult::kOutOfMemory);
    } catch (...) {
      fail(ParallelResult::kFailed);
    }
  };
  std::vector<std::thread> helpers;
  if (threads > 1 && n > 1) {
    try {
      helpers.reserve(static_cast<std::size_t>(threads - 1));
      SignalsBlocked blocked;  // the helpers inherit the blocked mask
      for (int w = 1; w < threads; ++w) helpers.emplace_back(work, w);
    } catch (const std::bad_alloc&) {
      fail(ParallelResult::kOutOfMemory);
    } catch (...) {
      fail(ParallelResult::kFailed);  // e.g. std::system_error: no thread could be made
    }
  }
  work(0);
  for (std::thread& t : helpers) t.join();
  return static_cast<ParallelResult>(outcome.load());
}

}  // namespace vecsim::core
