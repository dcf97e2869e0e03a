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
/// least q times the total. Sorts `values` in place.
DistanceDistribution distribution(std::vector<WeightedDistance>& values, int curve_km = 50);

/// Sorts by distance, then population (a radix sort; exposed for tests).
void sort_by_distance(std::vector<WeightedDistance>& values);

/// Weighted quantile of sorted values (helper for the above, exposed for tests).
double weighted_quantile(std::span<const WeightedDistance> sorted, double total, double q);

} // namespace maillage::analysis
