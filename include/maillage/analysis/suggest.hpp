#pragma once

#include "maillage/analysis/analysis.hpp"
#include "maillage/geo/geodesic.hpp"
#include "maillage/model/site.hpp"
#include "maillage/model/zone.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace maillage::analysis {

/// What a new site is worth.
enum class SuggestObjective {
    /// Maximal covering location: the population it brings within the threshold, among the
    /// population still beyond it.
    coverage,
    /// p-median gain: the reduction of the sum over the population of the distance to the
    /// nearest site (population-weighted sum of distances).
    mean_distance,
};

/// A place where people live: a populated grid cell (its centre) or the reference point of a
/// zone too small for a cell, with the distance to its nearest existing site.
struct Demand {
    geo::Ecef ecef;          ///< on the ellipsoid
    double population = 0.0; ///< > 0
    double distance_m = 0.0; ///< to the nearest existing site (exact geodesic)
};

struct SuggestOptions {
    std::size_t add = 5; ///< number of sites to choose
    double threshold_m = 20000.0;
    SuggestObjective objective = SuggestObjective::coverage;
    /// Lazy greedy (stale gains in a priority queue). false: every candidate is evaluated at
    /// every step; same result, for checking.
    bool lazy = true;
};

/// One chosen candidate, in the order of choice.
struct SuggestPick {
    std::uint32_t candidate = 0; ///< position in the candidate list
    double gain = 0.0;           ///< objective gain: persons, or persons x metres
    double newly_covered = 0.0;  ///< population brought within the threshold by this pick
    double covered = 0.0;        ///< population within the threshold after this pick
    double weighted_sum_m = 0.0; ///< sum of population x distance after this pick
};

struct SuggestResult {
    double population = 0.0;            ///< sum of the demands' population
    double covered_before = 0.0;        ///< population within the threshold before any pick
    double weighted_sum_before_m = 0.0; ///< sum of population x distance before any pick
    std::vector<SuggestPick> picks;
    /// Exact gains computed. The lazy greedy starts from an upper bound of every candidate's
    /// gain (from chords, not counted here) and computes exact gains only as candidates reach
    /// the top of its queue; the plain greedy computes every gain at every step.
    std::size_t evaluations = 0;
    /// Fewer picks than asked: no remaining candidate brings any gain.
    bool exhausted = false;
    /// Seconds spent: "tree" (demands indexed), "first bounds" (lazy: every candidate once),
    /// "greedy" (the steps).
    std::vector<std::pair<std::string, double>> timings_s;
};

/// Greedy choice of `options.add` candidates, one at a time, each the candidate of largest gain
/// given the existing sites and the candidates already chosen; ties go to the smaller position.
/// Stops early (`exhausted`) when the best gain is zero.
/// Distances are exact WGS84 geodesics (geo::geodesic_distance_m); a demand counts as brought
/// closer only when it is at least 1 mm closer (less is rounding). Demands with no population
/// are ignored. With `lazy`, gains are kept in a priority queue and recomputed only when they
/// reach its top (the gains can only fall as sites are added), which gives the same choice.
SuggestResult suggest_sites(std::vector<Demand> demands, std::span<const geo::LonLat> candidates,
                            const SuggestOptions& options);

/// The demands of an analysis: every populated cell (centre, population, distance to its
/// nearest site, exactly as the analysis measured it), then the reference point of every
/// populated zone without a cell.
std::vector<Demand> demands_of(const AnalysisResult& result, const std::vector<model::Site>& sites,
                               const std::vector<model::Zone>& zones);

} // namespace maillage::analysis
