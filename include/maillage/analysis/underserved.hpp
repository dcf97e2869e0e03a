#pragma once

#include "maillage/geo/equal_area.hpp"
#include "maillage/geo/geos.hpp"

#include <vector>

namespace maillage::analysis {

/// Polygon approximating the geodesic circle of radius_m around centre, in the projection:
/// vertices lie exactly on the geodesic circle and are close enough that the polygon's edges
/// stay within tolerance_m of it.
geo::GeomPtr geodesic_circle(const geo::GeosContext& ctx, const geo::EqualAreaProjection& proj,
                             geo::LonLat centre, double radius_m, double tolerance_m);

/// Vertex count geodesic_circle uses.
int circle_vertices(double radius_m, double tolerance_m);

/// The parts of the zones (projected) farther than radius_m from every site: union of each
/// zone minus the union of the sites' circles, split into connected polygons (largest first).
std::vector<geo::GeomPtr> underserved_parts(const geo::GeosContext& ctx,
                                            const geo::EqualAreaProjection& proj,
                                            const std::vector<geo::LonLat>& sites,
                                            const std::vector<geo::GeomPtr>& zones, double radius_m,
                                            double tolerance_m);

/// A projected polygon back in WGS84 lon/lat, split at the antimeridian into parts whose
/// longitudes stay within [-180, 180], as RFC 7946 asks.
geo::GeomPtr to_lonlat(const geo::GeosContext& ctx, const GEOSGeometry* projected,
                       const geo::EqualAreaProjection& proj);

} // namespace maillage::analysis
