#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

namespace maillage::analysis {

/// A distance with the population living at it.
struct WeightedDistance {
    double distance_m = 0.0;
    double population = 0.0;
};

/// Population-weighted distribution of distances.
struct DistanceDistribution {
    double total = 0.0;
    double mean_m = 0.0;
    double max_m = 0.0;
    double p50_m = 0.0;
    double p90_m = 0.0;
    double p99_m = 0.0;
    /// coverage[k-1] = share of the population within k km, k = 1..curve_km.
    std::vector<double> coverage;
};

/// Weighted quantile: the smallest distance d such that the population at distances <= d is at
/// least q times the total. Sorts `values` in place (sort_by_distance), then
/// distribution_of_sorted.
DistanceDistribution distribution(std::vector<WeightedDistance>& values, int curve_km = 50);

/// The bits of a double, mapped so that their unsigned order is the double's order (-0 before +0;
/// no NaN here): the key of sort_by_distance.
inline std::uint64_t order_bits(double x) {
    std::uint64_t u = 0;
    std::memcpy(&u, &x, sizeof u);
    return (u >> 63) != 0 ? ~u : u | (std::uint64_t{1} << 63);
}

/// The order distribution() sorts in: by distance, then population (so that the sums run in one
/// order for one multiset of values). Exactly the order of sort_by_distance (on order_bits).
inline bool demand_less(const WeightedDistance& a, const WeightedDistance& b) {
    const auto da = order_bits(a.distance_m);
    const auto db = order_bits(b.distance_m);
    return da < db || (da == db && order_bits(a.population) < order_bits(b.population));
}

/// Sorts by distance, then population (a radix sort; exposed for tests): demand_less order.
void sort_by_distance(std::vector<WeightedDistance>& values);

/// distribution() of values already sorted by demand_less (sort_by_distance).
DistanceDistribution distribution_of_sorted(std::span<const WeightedDistance> values,
                                            int curve_km = 50);

/// Weighted quantile of sorted values (helper for the above, exposed for tests).
double weighted_quantile(std::span<const WeightedDistance> sorted, double total, double q);

} // namespace maillage::analysis
