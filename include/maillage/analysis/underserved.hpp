#pragma once

#include "maillage/geo/equal_area.hpp"
#include "maillage/geo/geom_ptr.hpp"

#include <vector>

namespace maillage::analysis {

/// Polygon approximating the geodesic circle of radius_m around centre, in the projection,
/// from outside: a regular n-gon circumscribed about the circle, whose vertices lie exactly at
/// geodesic distance circle_vertex_distance(radius_m, n) of the centre, so that its edges touch
/// the circle at their midpoints and stray at most tolerance_m beyond it. Every point outside
/// the polygon is farther than radius_m from the centre.
geo::GeomPtr geodesic_circle(const geo::GeosContext& ctx, const geo::EqualAreaProjection& proj,
                             geo::LonLat centre, double radius_m, double tolerance_m);

/// Vertex count geodesic_circle uses: the smallest n >= 16 with r (1 / cos(pi / n) - 1) <= tol.
int circle_vertices(double radius_m, double tolerance_m);

/// Geodesic distance of geodesic_circle's vertices from the centre: r / cos(pi / n).
double circle_vertex_distance(double radius_m, int vertices);

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
