#pragma once

// Helpers shared by the unit tests. The reference computations here use libraries directly
// (GEOS's WKT reader, PROJ's geod_polygonarea), never the code under test.

#include "maillage/geo/geodesic.hpp"
#include "maillage/geo/geos.hpp"

#include <geodesic.h>

#include <string>
#include <vector>

namespace maillage::test {

inline geo::GeomPtr read_wkt(const geo::GeosContext& ctx, const std::string& wkt) {
    GEOSWKTReader* reader = GEOSWKTReader_create_r(ctx.get());
    GEOSGeometry* g = GEOSWKTReader_read_r(ctx.get(), reader, wkt.c_str());
    GEOSWKTReader_destroy_r(ctx.get(), reader);
    return geo::own(ctx, g, "WKT read");
}

/// Signed ellipsoidal area (m², counter-clockwise positive) of a lon/lat ring, by Karney's
/// geod_polygonarea: an independent reference for equal-area computations.
inline double geodesic_polygon_area(const std::vector<geo::LonLat>& ring) {
    geod_geodesic g{};
    geod_init(&g, 6378137.0, 1.0 / 298.257223563);
    std::vector<double> lats;
    std::vector<double> lons;
    for (const auto& p : ring) {
        lats.push_back(p.lat);
        lons.push_back(p.lon);
    }
    double area = 0.0;
    double perimeter = 0.0;
    geod_polygonarea(&g, lats.data(), lons.data(), static_cast<int>(ring.size()), &area,
                     &perimeter);
    return area;
}

} // namespace maillage::test
