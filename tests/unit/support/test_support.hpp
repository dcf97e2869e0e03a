#pragma once

// Helpers shared by the unit tests. The reference computations here use libraries directly
// (GEOS's WKT reader, PROJ's geod_polygonarea), never the code under test.

#include "maillage/geo/geodesic.hpp"
#include "maillage/geo/geos.hpp"
#include "maillage/model/site.hpp"
#include "maillage/model/zone.hpp"

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

/// A zone whose polygon is the lon/lat rectangle [lon0, lon1] x [lat0, lat1].
inline model::Zone rect_zone(const geo::GeosContext& ctx, const std::string& id,
                             const std::string& group, double lon0, double lat0, double lon1,
                             double lat1, double population) {
    auto num = [](double v) { return std::to_string(v); };
    model::Zone z;
    z.id = id;
    z.name = "zone " + id;
    z.group = group;
    z.population = population;
    z.geometry =
        read_wkt(ctx, "POLYGON((" + num(lon0) + " " + num(lat0) + ", " + num(lon1) + " " +
                          num(lat0) + ", " + num(lon1) + " " + num(lat1) + ", " + num(lon0) + " " +
                          num(lat1) + ", " + num(lon0) + " " + num(lat0) + "))");
    z.where = "test " + id;
    return z;
}

/// A site with a supply.
inline model::Site make_site(const std::string& id, double lon, double lat, double capacity) {
    model::Site s;
    s.id = id;
    s.name = "site " + id;
    s.position = {lon, lat};
    s.capacity = capacity;
    s.where = "test";
    return s;
}

} // namespace maillage::test
