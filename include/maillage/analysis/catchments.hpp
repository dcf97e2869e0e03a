#pragma once

#include "maillage/analysis/analysis.hpp"

namespace maillage::analysis {

/// Catchment polygons of the sites: the Voronoi cells of their positions in the equal-area
/// plane, clipped to the union of the (projected) zones, and their agreement with the exact
/// geodesic nearest site of every grid cell (`cell_site`): a cell counts as assigned
/// differently when its polygon's site is strictly farther (both distances in double). Sites at the
/// same position share one cell, given to the first of them (the one the nearest-site queries
/// name).
Catchments build_catchments(const geo::GeosContext& ctx, const geo::EqualAreaProjection& proj,
                            const std::vector<geo::LonLat>& sites,
                            const std::vector<geo::GeomPtr>& zones, const PopulationGrid& grid,
                            const std::vector<std::uint32_t>& cell_site);

} // namespace maillage::analysis
