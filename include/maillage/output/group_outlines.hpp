#pragma once

// The zones dissolved by group (the departments of the communes): one outline per group, for
// the `groups` layer and the print layout.

#include "maillage/geo/geos.hpp"
#include "maillage/model/zone.hpp"

#include <cstddef>
#include <string>
#include <vector>

namespace maillage::output {

/// One group of zones.
struct GroupOutline {
    std::string code;                 ///< the zones' group value
    std::vector<std::size_t> members; ///< indices of its zones, in the zones' order
};

/// The groups of `zones` (by Zone::group, sorted by code); zones without a group are left out.
std::vector<GroupOutline> group_members(const std::vector<model::Zone>& zones);

/// The union of the zones `members` (WGS84 lon/lat polygons) in `ctx`: GEOS coverage union (the
/// zones of a partition share their edges), else, when the zones are not an exact coverage
/// (the coverage union fails or gives an invalid polygon), GEOS unary union. Holes under 1 km²
/// (gaps between zones that do not quite meet) are filled; larger ones (enclaves) are kept.
/// A MultiPolygon.
geo::GeomPtr dissolve(const geo::GeosContext& ctx, const std::vector<model::Zone>& zones,
                      const std::vector<std::size_t>& members);

} // namespace maillage::output
