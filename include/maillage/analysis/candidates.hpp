#pragma once

// The places a new site may go (`maillage suggest`): the zones' reference points, the centres of
// the cells of a grid, or places read from a file, each with the zone holding it.

#include "maillage/analysis/analysis.hpp"
#include "maillage/geo/geodesic.hpp"
#include "maillage/geo/geom_ptr.hpp"
#include "maillage/model/site.hpp"
#include "maillage/model/zone.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace maillage::analysis {

/// The places a new site may go, with what the outputs say of them.
struct Candidates {
    std::string source; ///< "zones", "file" or "grid"
    std::vector<geo::LonLat> position;
    std::vector<std::string> id;
    std::vector<std::string> name;
    std::vector<std::int32_t> zone; ///< zone holding it
    /// Places of a file left out because they lie outside every zone: a new site is placed in
    /// the study area only (border sites are existing coverage, not places to build).
    std::size_t outside_study_area = 0;
    /// Where the first three places left out come from (Site::where), joined by ", ".
    std::string outside_examples;
};

/// The zone holding each point (lon/lat point in polygon; the later one where zones overlap, as
/// the grid does), -1 for a point outside every zone.
/// Not the placement analyse() gives the sites (AnalysisResult::sites, in the projection, the
/// first zone where zones overlap): both are kept as they are, so that no output changes.
std::vector<std::int32_t> zones_of(const geo::GeosContext& ctx,
                                   const std::vector<model::Zone>& zones,
                                   const std::vector<geo::LonLat>& points);

/// Candidates: the reference point of every zone (AnalysisResult::zones), named after it.
Candidates zone_candidates(const analysis::AnalysisResult& r,
                           const std::vector<model::Zone>& zones);

/// Candidates: the centre of every cell of a grid of side grid_m (equal-area, in r's
/// projection, as build_grid makes it) whose centre lies in a zone; id "cell-ROW-COL", named
/// after its zone. Empty if no centre lies in a zone.
Candidates grid_candidates(const geo::GeosContext& ctx, const analysis::AnalysisResult& r,
                           const std::vector<model::Zone>& zones, double grid_m);

/// Candidates: the places given (read as sites), in order, but those outside every zone
/// (counted in outside_study_area). Empty if none lies in a zone.
Candidates place_candidates(const geo::GeosContext& ctx, const std::vector<model::Zone>& zones,
                            const std::vector<model::Site>& places);

} // namespace maillage::analysis
