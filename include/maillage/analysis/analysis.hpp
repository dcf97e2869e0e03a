#pragma once

#include "maillage/analysis/grid.hpp"
#include "maillage/analysis/statistics.hpp"
#include "maillage/geo/equal_area.hpp"
#include "maillage/geo/geos.hpp"
#include "maillage/model/site.hpp"
#include "maillage/model/zone.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace maillage::analysis {

struct Parameters {
    double threshold_km = 20.0;
    double grid_m = 200.0;
    int threads = 0;                 ///< 0: all cores
    double circle_tolerance_m = 2.0; ///< underserved boundary vs the true geodesic circle
    /// Keep each cell's exact distance and the sorted demand (AnalysisResult::cell_m and
    /// sorted_demand), which what_if() starts from.
    bool keep_details = false;
};

/// Called with a phase name and the fraction done in it (0..1).
using ProgressFn = std::function<void(const std::string& phase, double fraction)>;

struct ZoneResult {
    geo::LonLat reference;
    std::uint32_t nearest_site = 0;
    double nearest_m = 0.0; ///< from the reference point
    double mean_m = 0.0;    ///< population-weighted over the zone's cells
    double max_m = 0.0;
    double population_beyond = 0.0;
    std::uint32_t sites_within = 0;
    std::uint32_t cells = 0;
    double area_m2 = 0.0;
    double weighted_sum_m = 0.0; ///< sum of population x distance
};

struct SiteResult {
    double catchment_population = 0.0;
    std::uint32_t catchment_zones = 0;
    double nearest_other_m = -1.0; ///< -1 when there is no other site
    std::int32_t zone = -1;        ///< zone holding the site, -1 outside the study area
};

struct UnderservedPart {
    geo::GeomPtr geometry; ///< in the equal-area projection
    double area_m2 = 0.0;
    double population = 0.0;
    double max_m = 0.0;
};

struct GroupResult {
    std::string group;
    double population = 0.0;
    double population_beyond = 0.0;
    double weighted_sum_m = 0.0;
    std::uint32_t sites = 0;
    std::uint32_t zones = 0;
};

struct AnalysisResult {
    geo::EqualAreaProjection projection{0.0, 0.0};
    PopulationGrid grid;
    std::vector<float> cell_km; ///< per grid cell; NaN outside the study area
    /// Per grid cell: position (in the sites vector) of its nearest site; 0 outside the study area.
    std::vector<std::uint32_t> cell_site;
    /// Per grid cell: exact distance (m) to its nearest site; only with Parameters::keep_details.
    std::vector<double> cell_m;
    /// The populated cells and point demands as (distance, population), sorted as distribution()
    /// sorts them; only with Parameters::keep_details.
    std::vector<WeightedDistance> sorted_demand;
    std::vector<ZoneResult> zones;
    std::vector<SiteResult> sites;
    std::vector<UnderservedPart> underserved;
    std::vector<GroupResult> groups;
    DistanceDistribution distribution;
    double population_beyond = 0.0;
    std::size_t point_demands =
        0; ///< zones too small for a cell: population on their reference point
    std::size_t sites_outside = 0;
    std::vector<std::pair<std::string, double>> timings_s;
};

/// The whole computation of `maillage analyse`, without any I/O.
AnalysisResult analyse(const geo::GeosContext& ctx, const std::vector<model::Site>& sites,
                       const std::vector<model::Zone>& zones, const Parameters& params,
                       const ProgressFn& progress = {});

} // namespace maillage::analysis
