#include "maillage/core/error.hpp"
#include "maillage/core/parallel.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cstddef>
#include <stdexcept>
#include <vector>

namespace maillage::core {
namespace {

TEST(ParallelFor, RunsEveryIndexOnce) {
    std::vector<std::atomic<int>> hits(10007);
    parallel_for(hits.size(), 7, [&](std::size_t i) { hits[i].fetch_add(1); });
    for (std::size_t i = 0; i < hits.size(); ++i) {
        ASSERT_EQ(hits[i].load(), 1) << "index " << i;
    }
}

TEST(ParallelFor, NothingToDo) {
    int calls = 0;
    parallel_for(0, 1, [&](std::size_t) { ++calls; });
    EXPECT_EQ(calls, 0);
}

// The lowest index that throws wins, with its type, whatever the threads and the order: index
// 300 throws an input_error, every index above 1000 a runtime_failure (which threads may reach
// first).
TEST(ParallelFor, RethrowsTheLowestIndexWithItsType) {
    for (int threads : {1, 2, 4}) {
        set_threads(threads);
        for (int round = 0; round < 20; ++round) {
            try {
                parallel_for(5000, 1, [](std::size_t i) {
                    if (i == 300) {
                        throw input_error("bad value at 300");
                    }
                    if (i > 1000) {
                        throw runtime_failure("later failure " + std::to_string(i));
                    }
                });
                FAIL() << "no exception";
            } catch (const input_error& e) {
                EXPECT_STREQ(e.what(), "bad value at 300");
            } catch (const std::exception& e) {
                FAIL() << "wrong exception, threads " << threads << ": " << e.what();
            }
        }
    }
    set_threads(omp_get_num_procs());
}

} // namespace
} // namespace maillage::core
