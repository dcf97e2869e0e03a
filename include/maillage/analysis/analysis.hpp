#pragma once

#include "maillage/analysis/grid.hpp"
#include "maillage/analysis/population_grid.hpp"
#include "maillage/analysis/statistics.hpp"
#include "maillage/geo/equal_area.hpp"
#include "maillage/geo/geom_ptr.hpp"
#include "maillage/model/site.hpp"
#include "maillage/model/zone.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace maillage::analysis {

struct Parameters {
    double threshold_km = 20.0;
    double grid_m = 200.0;
    double circle_tolerance_m = 2.0; ///< underserved boundary vs the true geodesic circle
    /// Keep each cell's exact distance and the sorted demand (AnalysisResult::cell_m and
    /// sorted_demand), which what_if() starts from.
    bool keep_details = false;
    bool by_type = false;    ///< also the nearest site of each type (--by-type)
    bool catchments = false; ///< the catchment (service area) of each site
    /// A real population grid to place the population (--population-grid); empty path: each
    /// zone's population is spread evenly over its cells.
    PopulationGridOptions population_grid;
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
    double catchment_weighted_m = 0.0; ///< sum of population x distance over the catchment
    std::uint32_t catchment_cells = 0;
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

/// Demand points beyond the threshold whose position lies in no underserved part: between a
/// site's circle and the polygon circumscribed about it (at most the circles' tolerance
/// beyond the threshold). Each goes to the nearest part within ten tolerances (+ 1 m);
/// `unassigned` ones (no part that near, e.g. at the study area's edge) go to none.
struct UnderservedStrays {
    std::size_t cells = 0; ///< assigned to the nearest part (cells and reference points)
    double population = 0.0;
    std::size_t unassigned = 0;
    double unassigned_population = 0.0;
};

struct GroupResult {
    std::string group;
    double population = 0.0;
    double population_beyond = 0.0;
    double weighted_sum_m = 0.0;
    std::uint32_t sites = 0;
    std::uint32_t zones = 0;
};

/// Distances to the nearest site of one type (--by-type): its own index, not the overall
/// nearest filtered afterwards.
struct TypeResult {
    std::string type;
    std::string key; ///< the type for column and file names: a-z, 0-9 and _, unique
    std::uint32_t sites = 0;
    std::vector<float> cell_km;         ///< per grid cell; NaN outside the study area
    std::vector<double> zone_nearest_m; ///< from each zone's reference point
    std::vector<double> zone_mean_m;    ///< population-weighted over each zone's cells
    DistanceDistribution distribution;  ///< population-weighted, cells and point demands
    double population_beyond = 0.0;
};

/// Catchments: for each site, the part of the study area nearer to it than to any other site.
/// Polygons are the Voronoi cells of the sites in the equal-area plane, clipped to the study
/// area; population and distances come from the exact geodesic nearest site of every cell.
/// `check` compares the two on the grid.
struct Catchments {
    std::vector<geo::GeomPtr> geometry; ///< per site (projected); null when it has none
    std::vector<double> area_m2;        ///< per site
    double study_area_m2 = 0.0;         ///< area of the union of the zones
    std::size_t cells_differ = 0;       ///< cells whose polygon is not their nearest site's
    double population_differ = 0.0;
    double max_extra_m = 0.0; ///< max over those cells: polygon's site minus nearest, metres
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
    /// Per zone: the population the analysis used. The zone's own figure (model::Zone::population)
    /// with the even spread; with a population grid, the sum of the zone's cells (0 for a zone
    /// without a cell). Use this, not model::Zone::population, in sums over zones.
    std::vector<double> zone_population;
    /// Set when a population grid was used: what was read and where its population went.
    std::optional<PopulationGridReport> population_grid;
    std::vector<SiteResult> sites;
    std::vector<UnderservedPart> underserved;
    UnderservedStrays underserved_strays;
    /// Every zone population read is a whole number and no population grid is used: each cell
    /// then holds whole persons, and the outputs write populations as integers.
    bool whole_population = false;
    std::vector<GroupResult> groups;
    std::vector<TypeResult> by_type; ///< sorted by type, when Parameters::by_type
    Catchments catchments;           ///< when Parameters::catchments
    DistanceDistribution distribution;
    double population_beyond = 0.0;
    std::size_t point_demands =
        0; ///< zones too small for a cell: population on their reference point
    std::size_t sites_outside = 0;
    std::size_t sites_swapped = 0; ///< sites that look swapped (see SitePlacement)
    std::vector<std::pair<std::string, double>> timings_s;
};

/// Where the sites lie against the zones' longitude/latitude extent, to catch longitude and
/// latitude columns exchanged: a site outside the extent that falls inside it once its two
/// coordinates are exchanged is most likely swapped.
struct SitePlacement {
    bool checked = false; ///< false when the zones span more than 180 degrees of longitude
    double min_lon = 0.0;
    double min_lat = 0.0;
    double max_lon = 0.0;
    double max_lat = 0.0;
    std::size_t inside_extent = 0;    ///< sites within the extent
    std::vector<std::size_t> swapped; ///< outside it, inside with lon and lat exchanged
    [[nodiscard]] bool inside(geo::LonLat p) const {
        return p.lon >= min_lon && p.lon <= max_lon && p.lat >= min_lat && p.lat <= max_lat;
    }
};
SitePlacement site_placement(const geo::GeosContext& ctx, const std::vector<model::Site>& sites,
                             const std::vector<model::Zone>& zones);

/// The whole computation of `maillage analyse`, without any I/O.
AnalysisResult analyse(const geo::GeosContext& ctx, const std::vector<model::Site>& sites,
                       const std::vector<model::Zone>& zones, const Parameters& params,
                       const ProgressFn& progress = {});

} // namespace maillage::analysis
