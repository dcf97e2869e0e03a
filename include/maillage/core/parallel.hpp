#pragma once

// The one parallel loop of maillage. OpenMP runs the iterations; an exception thrown by an
// iteration does not escape the parallel region (which would terminate the program) and is not
// flattened to its message: the exception of the lowest index that threw is rethrown, with its
// type, after the loop. Which exception comes out therefore does not depend on the scheduling.
// The number of threads is set once, by the command (core::set_threads), never inside the
// library.

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <limits>
#include <mutex>

namespace maillage::core {

/// Sets the number of worker threads of every later parallel_for (0: all cores). Called once,
/// by the command, before any work.
inline void set_threads(int threads) {
    if (threads > 0) {
        omp_set_num_threads(threads);
    }
}

/// The number of threads a parallel_for will use.
inline int max_threads() { return omp_get_max_threads(); }

/// The index of the calling thread inside a parallel_for (0 outside), for per-thread buffers.
inline int thread_index() { return omp_get_thread_num(); }

/// Runs body(i) for i in [0, n), `chunk` consecutive indices at a time handed to the next free
/// thread (OpenMP schedule(dynamic, chunk)). If iterations throw, the indices above the lowest
/// one that has thrown so far are skipped, and the exception of the lowest index that threw is
/// rethrown once every thread has stopped: deterministic, whatever the scheduling, and with its
/// type (an input_error stays an input_error).
template <class Body> void parallel_for(std::size_t n, std::size_t chunk, const Body& body) {
    constexpr std::size_t none = std::numeric_limits<std::size_t>::max();
    std::atomic<std::size_t> failed_at{none};
    std::exception_ptr failure;
    std::mutex mutex;
    const auto count = static_cast<long long>(n);
    const auto step = static_cast<int>(std::max<std::size_t>(chunk, 1));
#pragma omp parallel for schedule(dynamic, step)
    for (long long k = 0; k < count; ++k) {
        const auto i = static_cast<std::size_t>(k);
        if (i > failed_at.load(std::memory_order_relaxed)) {
            continue;
        }
        try {
            body(i);
        } catch (...) {
            const std::lock_guard<std::mutex> lock(mutex);
            if (i < failed_at.load(std::memory_order_relaxed)) {
                failed_at.store(i, std::memory_order_relaxed);
                failure = std::current_exception();
            }
        }
    }
    if (failure) {
        std::rethrow_exception(failure);
    }
}

} // namespace maillage::core
