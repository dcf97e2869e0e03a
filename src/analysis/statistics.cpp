#include "maillage/analysis/statistics.hpp"

#include <algorithm>
#if defined(__GLIBCXX__) && defined(_OPENMP)
#include <parallel/algorithm>
#endif
#include <array>
#include <cmath>

namespace maillage::analysis {

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
    DistanceDistribution d;
    // Population breaks ties, so that the sums below run in one order for one multiset.
    const auto less = [](const WeightedDistance& a, const WeightedDistance& b) {
        return a.distance_m < b.distance_m ||
               (a.distance_m == b.distance_m && a.population < b.population);
    };
#if defined(__GLIBCXX__) && defined(_OPENMP)
    __gnu_parallel::sort(values.begin(), values.end(), less);
#else
    std::sort(values.begin(), values.end(), less);
#endif
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
