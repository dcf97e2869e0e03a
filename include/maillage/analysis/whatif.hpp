#pragma once

#include "maillage/analysis/analysis.hpp"
#include "maillage/model/site.hpp"
#include "maillage/model/zone.hpp"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace maillage::analysis {

/// Changes to a network of sites: sites closed (by position in the baseline's sites) and sites
/// opened.
struct Scenario {
    std::vector<std::uint32_t> closed; ///< positions in the baseline sites, each once
    std::vector<model::Site> opened;   ///< new sites, with an id not used by a kept site
};

/// The sites of the scenario: the kept sites in baseline order, then the opened ones in the
/// order given. A full rerun of analyse() on this list gives the same result as what_if().
std::vector<model::Site> scenario_sites(const std::vector<model::Site>& sites,
                                        const Scenario& scenario);

/// Per zone: what changed between the baseline and the scenario.
struct ZoneDelta {
    double population_moved = 0.0;        ///< population whose nearest site changed
    double population_newly_beyond = 0.0; ///< within the threshold before, beyond after
    double population_back_within = 0.0;  ///< beyond the threshold before, within after
    double weighted_delta_m = 0.0;        ///< sum of population x (after - before) distance
    /// Some cell, or the reference point, changed distance or nearest site.
    bool changed = false;
};

/// Per group (same grouping as analyse): baseline and scenario figures.
struct GroupDelta {
    std::string group;
    double population = 0.0;
    double weighted_before_m = 0.0;
    double weighted_after_m = 0.0;
    double beyond_before = 0.0;
    double beyond_after = 0.0;
    double population_moved = 0.0;
    double newly_beyond = 0.0;
    double back_within = 0.0;
    std::uint32_t sites_before = 0;
    std::uint32_t sites_after = 0;
    std::uint32_t zones_changed = 0;
};

/// How much of the baseline was recomputed.
struct IncrementalStats {
    std::size_t cells_total = 0;      ///< cells of the study area
    std::size_t cells_closed = 0;     ///< whose nearest site was closed: searched again
    std::size_t cells_in_reach = 0;   ///< within the radius bound of an opened site
    std::size_t cells_compared = 0;   ///< of those, compared with an opened site (geodesic)
    std::size_t cells_recomputed = 0; ///< searched again or compared: cells_closed + compared
    std::size_t cells_changed = 0;    ///< whose nearest site or distance changed
    std::size_t zones_recomputed = 0; ///< zones whose figures were summed again
    double radius_bound_m = 0.0;      ///< radius searched around the opened sites
};

struct WhatIfResult {
    std::vector<model::Site> sites;         ///< scenario_sites()
    std::vector<std::int64_t> new_position; ///< per baseline site: position in `sites`, -1 closed
    std::vector<float> cell_km;             ///< as AnalysisResult::cell_km, after the changes
    std::vector<std::uint32_t> cell_site;   ///< positions in `sites`
    std::vector<double> cell_m;
    std::vector<ZoneResult> zones;        ///< after (nearest_site: positions in `sites`)
    std::vector<SiteResult> site_results; ///< after: catchments, zone holding each site
    std::vector<ZoneDelta> zone_delta;
    std::vector<GroupDelta> groups;    ///< sorted by group
    DistanceDistribution distribution; ///< after
    double population_beyond = 0.0;    ///< after
    std::size_t point_demands = 0;
    std::size_t sites_outside = 0; ///< after
    double population_moved = 0.0;
    double population_newly_beyond = 0.0;
    double population_back_within = 0.0;
    double weighted_delta_m = 0.0;
    /// Catchment population of each baseline site (index: baseline position) before, for the
    /// sites layer; `site_results` holds the after figures.
    std::vector<double> catchment_before;
    IncrementalStats stats;
    std::vector<std::pair<std::string, double>> timings_s;
};

/// Applies `scenario` to a baseline analysis incrementally: only the cells whose nearest site
/// was closed are searched again (in an index of the scenario's sites), and only the cells
/// within reach of an opened site (its geodesic distance below their current distance, found
/// through a radius bound) are compared with it. Every cell's distance and nearest site, and
/// every zone's figures, equal those of analyse() on scenario_sites() (checked by the tests).
/// `base` must come from analyse() on `sites` and `zones` with Parameters::keep_details.
WhatIfResult what_if(const geo::GeosContext& ctx, const AnalysisResult& base,
                     const std::vector<model::Site>& sites, const std::vector<model::Zone>& zones,
                     const Scenario& scenario, const Parameters& params);

} // namespace maillage::analysis
