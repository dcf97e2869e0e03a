#pragma once

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
/// least q times the total. Sorts `values` in place (demand_less), then distribution_of_sorted.
DistanceDistribution distribution(std::vector<WeightedDistance>& values, int curve_km = 50);

/// The order distribution() sorts in: by distance, then population (so that the sums run in one
/// order for one multiset of values).
inline bool demand_less(const WeightedDistance& a, const WeightedDistance& b) {
    return a.distance_m < b.distance_m ||
           (a.distance_m == b.distance_m && a.population < b.population);
}

/// distribution() of values already sorted by demand_less.
DistanceDistribution distribution_of_sorted(std::span<const WeightedDistance> values,
                                            int curve_km = 50);

/// Weighted quantile of sorted values (helper for the above, exposed for tests).
double weighted_quantile(std::span<const WeightedDistance> sorted, double total, double q);

} // namespace maillage::analysis
