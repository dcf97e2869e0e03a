#include "maillage/analysis/statistics.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>

namespace maillage::analysis {

void sort_by_distance(std::vector<WeightedDistance>& values) {
    // LSD radix sort on the distance, 11 bits a pass (counts that stay in the L1 cache and 2048
    // scatter targets), passes where every key has the same digit skipped; then each run of equal
    // distances is put in population order, which gives exactly the order of demand_less. On
    // 13.75 million values this takes about half the time of a radix sort on both keys (the
    // population's low bits differ from value to value, so none of its passes is skipped).
    const std::size_t n = values.size();
    if (n < 2) {
        return;
    }
    constexpr int bits = 11;
    constexpr int passes = (64 + bits - 1) / bits;
    constexpr std::uint64_t mask = (std::uint64_t{1} << bits) - 1;
    std::vector<std::array<std::uint32_t, std::size_t{1} << bits>> count(passes);
    for (auto& c : count) {
        c.fill(0);
    }
    const auto digit = [](const WeightedDistance& v, int pass) {
        return static_cast<std::uint32_t>((order_bits(v.distance_m) >> (bits * pass)) & mask);
    };
    for (const auto& v : values) {
        for (int p = 0; p < passes; ++p) {
            ++count[static_cast<std::size_t>(p)][digit(v, p)];
        }
    }
    std::vector<WeightedDistance> tmp(n);
    for (int p = 0; p < passes; ++p) {
        auto& c = count[static_cast<std::size_t>(p)];
        if (c[digit(values[0], p)] == n) {
            continue; // one digit for all: nothing to move
        }
        std::uint32_t sum = 0;
        for (auto& k : c) {
            const std::uint32_t here = k;
            k = sum;
            sum += here;
        }
        for (const auto& v : values) {
            tmp[c[digit(v, p)]++] = v;
        }
        values.swap(tmp);
    }
    // Equal distances (the same bits): by population.
    for (std::size_t i = 0; i < n;) {
        const auto key = order_bits(values[i].distance_m);
        std::size_t j = i + 1;
        while (j < n && order_bits(values[j].distance_m) == key) {
            ++j;
        }
        if (j - i > 1) {
            std::sort(values.begin() + static_cast<std::ptrdiff_t>(i),
                      values.begin() + static_cast<std::ptrdiff_t>(j),
                      [](const WeightedDistance& a, const WeightedDistance& b) {
                          return order_bits(a.population) < order_bits(b.population);
                      });
        }
        i = j;
    }
}

double weighted_quantile(std::span<const WeightedDistance> sorted, double total, double q) {
    if (sorted.empty()) {
        return 0.0;
    }
    const double target = q * total;
    double cumulative = 0.0;
    for (const auto& v : sorted) {
        cumulative += v.population;
        if (cumulative >= target && v.population > 0) {
            return v.distance_m;
        }
    }
    return sorted.back().distance_m;
}

DistanceDistribution distribution(std::vector<WeightedDistance>& values, int curve_km) {
    // Population breaks ties, so that the sums below run in one order for one multiset.
    sort_by_distance(values);
    return distribution_of_sorted(values, curve_km);
}

DistanceDistribution distribution_of_sorted(std::span<const WeightedDistance> values,
                                            int curve_km) {
    DistanceDistribution d;
    double weighted = 0.0;
    for (const auto& v : values) {
        d.total += v.population;
        weighted += v.population * v.distance_m;
        if (v.population > 0) {
            d.max_m = std::max(d.max_m, v.distance_m);
        }
    }
    if (d.total <= 0) {
        d.coverage.assign(static_cast<std::size_t>(curve_km), 0.0);
        return d;
    }
    d.mean_m = weighted / d.total;
    // One pass for the three quantiles and the coverage curve.
    const std::array<double, 3> targets{0.5 * d.total, 0.9 * d.total, 0.99 * d.total};
    const std::array<double*, 3> outs{&d.p50_m, &d.p90_m, &d.p99_m};
    std::size_t next_q = 0;
    d.coverage.assign(static_cast<std::size_t>(curve_km), 0.0);
    int next_km = 1;
    double cumulative = 0.0;
    for (const auto& v : values) {
        while (next_km <= curve_km && v.distance_m > next_km * 1000.0) {
            d.coverage[static_cast<std::size_t>(next_km - 1)] = cumulative / d.total;
            ++next_km;
        }
        cumulative += v.population;
        while (next_q < 3 && cumulative >= targets[next_q] && v.population > 0) {
            *outs[next_q] = v.distance_m;
            ++next_q;
        }
    }
    while (next_km <= curve_km) {
        d.coverage[static_cast<std::size_t>(next_km - 1)] = cumulative / d.total;
        ++next_km;
    }
    while (next_q < 3) {
        *outs[next_q] = d.max_m;
        ++next_q;
    }
    return d;
}

} // namespace maillage::analysis
