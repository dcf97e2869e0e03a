// Weighted distance distribution against brute force: integer weights expanded into repeated
// values, whose plain sorted order statistics and counts are the expected figures.

#include "maillage/analysis/statistics.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

namespace {

using maillage::analysis::distribution;
using maillage::analysis::weighted_quantile;
using maillage::analysis::WeightedDistance;

/// The ceil(num/100 * n)-th smallest value (1-based), by integer arithmetic.
double order_statistic(const std::vector<double>& sorted, int num) {
    const std::size_t n = sorted.size();
    const std::size_t rank = (static_cast<std::size_t>(num) * n + 99) / 100; // ceil
    return sorted[std::max<std::size_t>(rank, 1) - 1];
}

} // namespace

TEST(Distribution, HandWorkedTinyCase) {
    // 1, 2, 3 km with 1, 1, 2 persons: the 2nd of 4 persons is at 2 km; mean 9/4 km.
    std::vector<WeightedDistance> v{{3000.0, 2.0}, {1000.0, 1.0}, {2000.0, 1.0}};
    const auto d = distribution(v, 5);
    EXPECT_EQ(d.total, 4.0);
    EXPECT_DOUBLE_EQ(d.mean_m, 2250.0);
    EXPECT_EQ(d.p50_m, 2000.0);
    EXPECT_EQ(d.p90_m, 3000.0); // 3.6 persons needed: the 3rd and 4th are at 3 km
    EXPECT_EQ(d.p99_m, 3000.0);
    EXPECT_EQ(d.max_m, 3000.0);
    ASSERT_EQ(d.coverage.size(), 5U);
    EXPECT_EQ(d.coverage[0], 0.25); // within 1 km, inclusive
    EXPECT_EQ(d.coverage[1], 0.5);
    EXPECT_EQ(d.coverage[2], 1.0);
    EXPECT_EQ(d.coverage[3], 1.0);
    EXPECT_EQ(d.coverage[4], 1.0);
    // Sorted in place.
    EXPECT_EQ(v[0].distance_m, 1000.0);
    EXPECT_EQ(v[2].distance_m, 3000.0);
}

TEST(Distribution, HandWorkedQuantileBoundaries) {
    // 10 persons at 1..10 km, one each: p50 is the 5th (5 km), p90 the 9th, p99 the 10th.
    std::vector<WeightedDistance> v;
    for (int k = 10; k >= 1; --k) {
        v.push_back({k * 1000.0, 1.0});
    }
    const auto d = distribution(v, 12);
    EXPECT_EQ(d.p50_m, 5000.0);
    EXPECT_EQ(d.p90_m, 9000.0);
    EXPECT_EQ(d.p99_m, 10000.0);
    EXPECT_DOUBLE_EQ(d.mean_m, 5500.0);
    for (int k = 1; k <= 12; ++k) {
        EXPECT_DOUBLE_EQ(d.coverage[static_cast<std::size_t>(k - 1)], std::min(k, 10) / 10.0) << k;
    }
    // 100 persons, one each at 1..100 m: p99 is the 99th.
    std::vector<WeightedDistance> w;
    for (int k = 1; k <= 100; ++k) {
        w.push_back({static_cast<double>(k), 1.0});
    }
    const auto e = distribution(w, 1);
    EXPECT_EQ(e.p50_m, 50.0);
    EXPECT_EQ(e.p90_m, 90.0);
    EXPECT_EQ(e.p99_m, 99.0);
    EXPECT_EQ(e.coverage[0], 1.0);
}

TEST(Distribution, EmptyAndZeroPopulations) {
    std::vector<WeightedDistance> none;
    const auto d = distribution(none, 7);
    EXPECT_EQ(d.total, 0.0);
    EXPECT_EQ(d.mean_m, 0.0);
    EXPECT_EQ(d.max_m, 0.0);
    ASSERT_EQ(d.coverage.size(), 7U);
    for (const double c : d.coverage) {
        EXPECT_EQ(c, 0.0);
    }
    // Nobody lives at 5 km: it counts neither for the maximum nor for the quantiles.
    std::vector<WeightedDistance> v{{1000.0, 3.0}, {5000.0, 0.0}, {500.0, 1.0}};
    const auto e = distribution(v, 6);
    EXPECT_EQ(e.total, 4.0);
    EXPECT_EQ(e.max_m, 1000.0);
    EXPECT_EQ(e.p99_m, 1000.0);
    EXPECT_EQ(e.p50_m, 1000.0); // 2 of 4 needed: 1 at 500 m, then 3 at 1 km
    EXPECT_EQ(e.coverage[0], 1.0);
    std::vector<WeightedDistance> zeros{{1000.0, 0.0}, {2000.0, 0.0}};
    const auto z = distribution(zeros, 3);
    EXPECT_EQ(z.total, 0.0);
    EXPECT_EQ(z.mean_m, 0.0);
    ASSERT_EQ(z.coverage.size(), 3U);
}

TEST(Distribution, RandomIntegerWeightsMatchExpandedOrderStatistics) {
    std::mt19937_64 rng(99);
    for (int trial = 0; trial < 300; ++trial) {
        const int n = 1 + static_cast<int>(rng() % 300);
        // Distances in 100 m steps (many ties, many exactly on whole kilometres) or continuous.
        const bool steps = trial % 2 == 0;
        std::uniform_int_distribution<int> step(0, 600);
        std::uniform_real_distribution<double> cont(0.0, 60000.0);
        std::uniform_int_distribution<int> weight(0, 6);
        std::vector<WeightedDistance> v;
        std::vector<double> expanded;
        long double weighted = 0.0L;
        for (int i = 0; i < n; ++i) {
            const double dist = steps ? step(rng) * 100.0 : cont(rng);
            const int w = weight(rng);
            v.push_back({dist, static_cast<double>(w)});
            for (int j = 0; j < w; ++j) {
                expanded.push_back(dist);
            }
            weighted += static_cast<long double>(dist) * w;
        }
        const int curve_km = 50;
        const auto d = distribution(v, curve_km);
        SCOPED_TRACE("trial " + std::to_string(trial));
        EXPECT_EQ(d.total, static_cast<double>(expanded.size()));
        ASSERT_EQ(d.coverage.size(), static_cast<std::size_t>(curve_km));
        if (expanded.empty()) {
            EXPECT_EQ(d.mean_m, 0.0);
            continue;
        }
        std::sort(expanded.begin(), expanded.end());
        EXPECT_EQ(d.p50_m, order_statistic(expanded, 50));
        EXPECT_EQ(d.p90_m, order_statistic(expanded, 90));
        EXPECT_EQ(d.p99_m, order_statistic(expanded, 99));
        EXPECT_EQ(d.max_m, expanded.back());
        EXPECT_NEAR(d.mean_m, static_cast<double>(weighted / expanded.size()), 1e-9);
        for (int k = 1; k <= curve_km; ++k) {
            const auto within = static_cast<std::size_t>(
                std::upper_bound(expanded.begin(), expanded.end(), k * 1000.0) - expanded.begin());
            EXPECT_DOUBLE_EQ(d.coverage[static_cast<std::size_t>(k - 1)],
                             static_cast<double>(within) / static_cast<double>(expanded.size()))
                << "within " << k << " km";
        }
        // The helper on the (now sorted) values, at any q.
        for (const int q : {1, 10, 25, 50, 75, 90, 99, 100}) {
            EXPECT_EQ(weighted_quantile(v, d.total, q / 100.0), order_statistic(expanded, q))
                << "q " << q;
        }
    }
}

TEST(Distribution, RandomRealWeightsMatchBruteForce) {
    std::mt19937_64 rng(5);
    for (int trial = 0; trial < 200; ++trial) {
        const int n = 1 + static_cast<int>(rng() % 200);
        std::uniform_real_distribution<double> dist(0.0, 40000.0);
        std::uniform_real_distribution<double> weight(0.0, 50.0);
        std::vector<WeightedDistance> v;
        for (int i = 0; i < n; ++i) {
            v.push_back({dist(rng), weight(rng)});
        }
        std::vector<WeightedDistance> sorted = v;
        std::sort(sorted.begin(), sorted.end(),
                  [](const auto& a, const auto& b) { return a.distance_m < b.distance_m; });
        long double total = 0.0L;
        long double weighted = 0.0L;
        for (const auto& x : sorted) {
            total += x.population;
            weighted += static_cast<long double>(x.population) * x.distance_m;
        }
        auto quantile = [&](long double q) {
            long double cumulative = 0.0L;
            for (const auto& x : sorted) {
                cumulative += x.population;
                if (cumulative >= q * total) {
                    return x.distance_m;
                }
            }
            return sorted.back().distance_m;
        };
        const auto d = distribution(v, 40);
        SCOPED_TRACE("trial " + std::to_string(trial));
        EXPECT_NEAR(d.total, static_cast<double>(total), 1e-9 * static_cast<double>(total));
        EXPECT_NEAR(d.mean_m, static_cast<double>(weighted / total), 1e-6);
        EXPECT_EQ(d.p50_m, quantile(0.5L));
        EXPECT_EQ(d.p90_m, quantile(0.9L));
        EXPECT_EQ(d.p99_m, quantile(0.99L));
        EXPECT_EQ(d.max_m, sorted.back().distance_m);
        for (int k = 1; k <= 40; ++k) {
            long double within = 0.0L;
            for (const auto& x : sorted) {
                within += x.distance_m <= k * 1000.0 ? x.population : 0.0;
            }
            EXPECT_NEAR(d.coverage[static_cast<std::size_t>(k - 1)],
                        static_cast<double>(within / total), 1e-12);
        }
    }
}

TEST(WeightedQuantile, HandWorkedCases) {
    const std::vector<WeightedDistance> sorted{{100.0, 2.0}, {200.0, 0.0}, {300.0, 2.0}};
    EXPECT_EQ(weighted_quantile(sorted, 4.0, 0.0), 100.0);
    EXPECT_EQ(weighted_quantile(sorted, 4.0, 0.5), 100.0);  // 2 of 4 at 100 m
    EXPECT_EQ(weighted_quantile(sorted, 4.0, 0.51), 300.0); // never the empty 200 m
    EXPECT_EQ(weighted_quantile(sorted, 4.0, 1.0), 300.0);
    EXPECT_EQ(weighted_quantile({}, 0.0, 0.5), 0.0);
}

TEST(Statistics, RadixSortOrdersLikeAComparisonSort) {
    // Against std::sort with the same order (distance, then population): ties, zeros, repeated
    // populations, large and tiny values.
    std::mt19937_64 rng(9);
    std::uniform_real_distribution<double> dist(0.0, 60000.0);
    std::uniform_int_distribution<int> pop(0, 40);
    for (const std::size_t n : {0U, 1U, 2U, 17U, 1000U, 200000U}) {
        std::vector<maillage::analysis::WeightedDistance> v(n);
        for (std::size_t i = 0; i < n; ++i) {
            const double d = i % 7 == 0 ? 0.0 : (i % 5 == 0 ? 1234.5 : dist(rng));
            v[i] = {d, static_cast<double>(pop(rng)) * (i % 11 == 0 ? 1e-3 : 1.0)};
        }
        auto expected = v;
        std::sort(expected.begin(), expected.end(), [](const auto& a, const auto& b) {
            return a.distance_m < b.distance_m ||
                   (a.distance_m == b.distance_m && a.population < b.population);
        });
        maillage::analysis::sort_by_distance(v);
        ASSERT_EQ(v.size(), expected.size());
        for (std::size_t i = 0; i < n; ++i) {
            ASSERT_EQ(v[i].distance_m, expected[i].distance_m) << i;
            ASSERT_EQ(v[i].population, expected[i].population) << i;
        }
    }
}

TEST(Statistics, DemandLessIsTheOrderOfTheRadixSort) {
    // what_if() merges values sorted by sort_by_distance using demand_less: the two must agree,
    // signed zeros included (the radix sort puts -0 before +0).
    std::mt19937_64 rng(11);
    std::uniform_real_distribution<double> dist(0.0, 60000.0);
    std::uniform_int_distribution<int> pop(0, 40);
    std::vector<maillage::analysis::WeightedDistance> v(5000);
    for (std::size_t i = 0; i < v.size(); ++i) {
        const double d = i % 13 == 0 ? (i % 2 == 0 ? -0.0 : 0.0) : (i % 5 == 0 ? 250.0 : dist(rng));
        v[i] = {d, i % 17 == 0 ? -0.0 : static_cast<double>(pop(rng))};
    }
    maillage::analysis::sort_by_distance(v);
    for (std::size_t i = 1; i < v.size(); ++i) {
        ASSERT_FALSE(maillage::analysis::demand_less(v[i], v[i - 1])) << i;
    }
    // Hand-worked: -0 before +0; equal distances by population.
    using maillage::analysis::demand_less;
    EXPECT_TRUE(demand_less({-0.0, 1.0}, {0.0, 1.0}));
    EXPECT_FALSE(demand_less({0.0, 1.0}, {-0.0, 1.0}));
    EXPECT_TRUE(demand_less({5.0, 1.0}, {5.0, 2.0}));
    EXPECT_TRUE(demand_less({4.0, 9.0}, {5.0, 1.0}));
    EXPECT_FALSE(demand_less({5.0, 2.0}, {5.0, 2.0}));
}
