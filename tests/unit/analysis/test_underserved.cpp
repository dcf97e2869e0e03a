// Underserved parts: the geodesic circle polygons against the true geodesic circle, and the
// parts against brute-force nearest distances at random points.

#include "../support/test_support.hpp"
#include "maillage/analysis/underserved.hpp"
#include "maillage/geo/equal_area.hpp"
#include "maillage/geo/geodesic.hpp"
#include "maillage/geo/geos.hpp"

#include <gtest/gtest.h>

extern "C" {
#include <geodesic.h>
}

#include <algorithm>
#include <cmath>
#include <numbers>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace {

using maillage::test::read_wkt;

using maillage::analysis::circle_vertices;
using maillage::analysis::geodesic_circle;
using maillage::analysis::underserved_parts;
using maillage::geo::EqualAreaProjection;
using maillage::geo::GeomPtr;
using maillage::geo::GeosContext;
using maillage::geo::LonLat;
using maillage::geo::XY;

GeomPtr rect(const GeosContext& ctx, double x0, double y0, double x1, double y1) {
    std::ostringstream wkt;
    wkt.precision(17);
    wkt << "POLYGON((" << x0 << " " << y0 << ", " << x1 << " " << y0 << ", " << x1 << " " << y1
        << ", " << x0 << " " << y1 << ", " << x0 << " " << y0 << "))";
    return read_wkt(ctx, wkt.str());
}

GeomPtr point(const GeosContext& ctx, double x, double y) {
    return maillage::geo::own(ctx, GEOSGeom_createPointFromXY_r(ctx.get(), x, y), "point");
}

/// Inverse projection refined by Newton steps on the forward projection (whose accuracy is
/// checked against Snyder's formulas in test_equal_area.cpp): PROJ's laea inverse alone is off
/// by up to ~1.5 mm.
LonLat precise_inverse(const EqualAreaProjection& proj, XY xy) {
    LonLat p = proj.inverse(xy);
    constexpr double h = 1e-6; // degrees
    for (int it = 0; it < 3; ++it) {
        const XY f = proj.forward(p);
        const XY fl = proj.forward({p.lon + h, p.lat});
        const XY fp = proj.forward({p.lon, p.lat + h});
        const double a = (fl.x - f.x) / h;
        const double b = (fp.x - f.x) / h;
        const double c = (fl.y - f.y) / h;
        const double d = (fp.y - f.y) / h;
        const double det = a * d - b * c;
        const double ex = xy.x - f.x;
        const double ey = xy.y - f.y;
        p.lon += (d * ex - b * ey) / det;
        p.lat += (a * ey - c * ex) / det;
    }
    return p;
}

std::vector<XY> ring_coords(const GeosContext& ctx, const GEOSGeometry* polygon) {
    const GEOSGeometry* ring = GEOSGetExteriorRing_r(ctx.get(), polygon);
    const GEOSCoordSequence* seq = GEOSGeom_getCoordSeq_r(ctx.get(), ring);
    unsigned n = 0;
    GEOSCoordSeq_getSize_r(ctx.get(), seq, &n);
    std::vector<XY> out(n);
    for (unsigned i = 0; i < n; ++i) {
        GEOSCoordSeq_getXY_r(ctx.get(), seq, i, &out[i].x, &out[i].y);
    }
    return out;
}

double nearest_m(const std::vector<LonLat>& sites, LonLat p) {
    double best = INFINITY;
    for (const auto& s : sites) {
        best = std::min(best, maillage::geo::geodesic_distance_m(p, s));
    }
    return best;
}

} // namespace

TEST(CircleVertices, HandComputedCounts) {
    // n = ceil(pi / acos(r / (r + tol))), at least 16: for 20 km and 2 m,
    // acos(20000 / 20002) = 0.01414143 rad, pi / that = 222.16 -> 223.
    EXPECT_EQ(circle_vertices(20000.0, 2.0), 223);
    EXPECT_EQ(circle_vertices(1.0, 2.0), 16);
    EXPECT_EQ(circle_vertices(10.0, 2.0), 16);
    // The circumscribed polygon strays beyond its circle by r (1 / cos(pi / n) - 1) <= tol.
    for (const double r : {50.0, 500.0, 5000.0, 20000.0, 100000.0}) {
        for (const double tol : {0.5, 2.0, 10.0}) {
            const int n = circle_vertices(r, tol);
            EXPECT_GE(n, 16);
            EXPECT_LE(r * (1.0 / std::cos(std::numbers::pi / n) - 1.0), tol * (1.0 + 1e-9))
                << r << " " << tol;
            if (n > 16) { // and not many more vertices than needed
                EXPECT_GT(r * (1.0 / std::cos(std::numbers::pi / (n - 1)) - 1.0), tol)
                    << r << " " << tol;
            }
        }
    }
}

TEST(GeodesicCircle, VerticesLieOnTheCircumscribedGeodesicCircle) {
    const GeosContext ctx;
    struct Case {
        LonLat proj_centre;
        LonLat centre;
        double radius_m;
        double tol_m;
    };
    const Case cases[] = {
        {{5.0, 45.0}, {5.0, 45.0}, 20000.0, 2.0},
        {{5.0, 45.0}, {6.8, 46.4}, 20000.0, 2.0}, // 200 km off the projection centre
        {{5.0, 45.0}, {5.2, 45.1}, 500.0, 0.5},
        {{180.0, -17.0}, {179.95, -17.1}, 30000.0, 2.0}, // across the antimeridian
        {{0.0, 88.0}, {40.0, 89.5}, 100000.0, 5.0},      // around the north pole
    };
    for (const auto& c : cases) {
        const EqualAreaProjection proj(c.proj_centre.lon, c.proj_centre.lat);
        const auto circle = geodesic_circle(ctx, proj, c.centre, c.radius_m, c.tol_m);
        ASSERT_EQ(GEOSisValid_r(ctx.get(), circle.get()), 1);
        const auto ring = ring_coords(ctx, circle.get());
        ASSERT_EQ(ring.size(), static_cast<std::size_t>(circle_vertices(c.radius_m, c.tol_m)) + 1);
        EXPECT_EQ(ring.front().x, ring.back().x);
        EXPECT_EQ(ring.front().y, ring.back().y);
        std::vector<LonLat> lonlat;
        double worst = 0.0;
        for (const auto& v : ring) {
            const LonLat p = precise_inverse(proj, v);
            lonlat.push_back(p);
            // r / cos(pi / n), computed here from the vertex count.
            const double n = circle_vertices(c.radius_m, c.tol_m);
            const double vertex_m = c.radius_m / std::cos(std::numbers::pi / n);
            worst = std::max(worst,
                             std::abs(maillage::geo::geodesic_distance_m(c.centre, p) - vertex_m));
        }
        EXPECT_LT(worst, 1e-3) << "centre (" << c.centre.lon << ", " << c.centre.lat << ")";
        // Equal-area projection: the polygon's planar area is the geodesic polygon's area
        // through the same vertices (Karney's algorithm), to within the edges' tiny bulge.
        const double planar = maillage::geo::area(ctx, circle.get());
        EXPECT_NEAR(planar / std::abs(maillage::test::geodesic_polygon_area(lonlat)), 1.0, 1e-6);
        // The area of a regular n-gon circumscribed about a circle of radius r, n r^2 tan(pi / n)
        // (curvature changes it by ~ r^2 / (12 R^2) < 3e-5 here).
        const double n = circle_vertices(c.radius_m, c.tol_m);
        const double ngon = n * c.radius_m * c.radius_m * std::tan(std::numbers::pi / n);
        EXPECT_NEAR(planar / ngon, 1.0, 1e-4)
            << "centre (" << c.centre.lon << ", " << c.centre.lat << ")";
        EXPECT_GT(planar, std::numbers::pi * c.radius_m * c.radius_m);
    }
}

TEST(GeodesicCircle, TrueCircleStaysWithinToleranceOfTheBoundary) {
    const GeosContext ctx;
    struct Case {
        LonLat proj_centre;
        LonLat centre;
        double radius_m;
        double tol_m;
    };
    const Case cases[] = {
        {{5.0, 45.0}, {5.3, 45.2}, 20000.0, 2.0},   {{5.0, 45.0}, {7.4, 46.7}, 20000.0, 2.0},
        {{5.0, 45.0}, {4.0, 44.3}, 5000.0, 0.5},    {{180.0, -17.0}, {-179.9, -16.8}, 30000.0, 2.0},
        {{0.0, 88.0}, {40.0, 89.5}, 100000.0, 5.0},
    };
    for (const auto& c : cases) {
        const EqualAreaProjection proj(c.proj_centre.lon, c.proj_centre.lat);
        const auto circle = geodesic_circle(ctx, proj, c.centre, c.radius_m, c.tol_m);
        const GEOSGeometry* ring = GEOSGetExteriorRing_r(ctx.get(), circle.get());
        double worst = 0.0;
        for (int i = 0; i < 3600; ++i) {
            const double az = 0.1 * i + 0.037; // mostly between vertices
            const XY xy =
                proj.forward(maillage::geo::geodesic_destination(c.centre, az, c.radius_m));
            const auto pt = point(ctx, xy.x, xy.y);
            double d = 0.0;
            ASSERT_EQ(GEOSDistance_r(ctx.get(), ring, pt.get(), &d), 1);
            worst = std::max(worst, d);
            // The polygon holds the circle (to the projection's sub-centimetre curvature where
            // the circle touches an edge).
            if (GEOSContains_r(ctx.get(), circle.get(), pt.get()) != 1) {
                EXPECT_LT(d, 0.01) << "azimuth " << az << " outside the polygon";
            }
        }
        EXPECT_LE(worst, c.tol_m + 1.0)
            << "centre (" << c.centre.lon << ", " << c.centre.lat << ")";
    }
}

TEST(UnderservedParts, RandomPointsAgreeWithBruteForceDistances) {
    const GeosContext ctx;
    const EqualAreaProjection proj(5.0, 45.0);
    std::vector<GeomPtr> zones;
    zones.push_back(rect(ctx, -40000, -15000, -10000, 15000));
    zones.push_back(rect(ctx, -10000, -15000, 20000, 15000)); // shares an edge with the first
    zones.push_back(rect(ctx, 30000, -30000, 55000, -5000));
    struct Box {
        double x0, y0, x1, y1;
    };
    const Box boxes[] = {{-40000, -15000, 20000, 15000}, {30000, -30000, 55000, -5000}};
    std::vector<LonLat> sites;
    for (const XY s : {XY{-25000, 0}, XY{5000, 10000}, XY{42000, -18000}, XY{60000, 20000}}) {
        sites.push_back(proj.inverse(s));
    }
    constexpr double radius = 10000.0;
    const auto parts = underserved_parts(ctx, proj, sites, zones, radius, 2.0);
    ASSERT_FALSE(parts.empty());
    // Largest first, each a valid polygon.
    for (std::size_t i = 0; i < parts.size(); ++i) {
        EXPECT_EQ(GEOSGeomTypeId_r(ctx.get(), parts[i].get()), GEOS_POLYGON);
        EXPECT_EQ(GEOSisValid_r(ctx.get(), parts[i].get()), 1);
        if (i > 0) {
            EXPECT_GE(maillage::geo::area(ctx, parts[i - 1].get()),
                      maillage::geo::area(ctx, parts[i].get()));
        }
    }

    std::mt19937_64 rng(31);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    // Areas 1.8e9 and 0.625e9 m^2: pick the box in proportion.
    const double a0 = 60000.0 * 30000.0;
    const double a1 = 25000.0 * 25000.0;
    int inside = 0;
    int outside = 0;
    for (int i = 0; i < 2000; ++i) {
        const Box& b = u(rng) * (a0 + a1) < a0 ? boxes[0] : boxes[1];
        const XY xy{b.x0 + (b.x1 - b.x0) * u(rng), b.y0 + (b.y1 - b.y0) * u(rng)};
        const auto pt = point(ctx, xy.x, xy.y);
        bool in_part = false;
        for (const auto& p : parts) {
            in_part = in_part || GEOSIntersects_r(ctx.get(), p.get(), pt.get()) == 1;
        }
        const double d = nearest_m(sites, proj.inverse(xy));
        if (in_part) {
            ++inside;
            EXPECT_GT(d, radius - 50.0)
                << "(" << xy.x << ", " << xy.y << ") in an underserved part";
        } else {
            ++outside;
            EXPECT_LT(d, radius + 50.0) << "(" << xy.x << ", " << xy.y << ") outside every part";
        }
    }
    // Both kinds of points were seen in numbers.
    EXPECT_GT(inside, 300);
    EXPECT_GT(outside, 300);

    // Area check: the zones' area minus the covered area, computed on a fine lattice by brute
    // force, agrees with the parts' area to within the lattice's resolution.
    double parts_area = 0.0;
    for (const auto& p : parts) {
        parts_area += maillage::geo::area(ctx, p.get());
    }
    int far = 0;
    int total = 0;
    constexpr double step = 500.0;
    for (const auto& b : boxes) {
        for (double x = b.x0 + step / 2; x < b.x1; x += step) {
            for (double y = b.y0 + step / 2; y < b.y1; y += step) {
                ++total;
                far += nearest_m(sites, proj.inverse({x, y})) > radius ? 1 : 0;
            }
        }
    }
    const double lattice_area = (a0 + a1) * far / total;
    EXPECT_NEAR(parts_area / lattice_area, 1.0, 0.01);
}

TEST(UnderservedParts, RadiusZeroLeavesEveryZone) {
    const GeosContext ctx;
    const EqualAreaProjection proj(5.0, 45.0);
    std::vector<GeomPtr> zones;
    zones.push_back(rect(ctx, 0, 0, 10000, 10000));
    zones.push_back(rect(ctx, 10000, 0, 20000, 5000)); // adjacent: merged into one part
    zones.push_back(rect(ctx, 40000, 40000, 43000, 41000));
    const double zone_area = 1.0e8 + 0.5e8 + 0.03e8;
    const std::vector<LonLat> sites{proj.inverse({5000, 5000}), proj.inverse({41000, 40500})};
    const auto parts = underserved_parts(ctx, proj, sites, zones, 0.0, 2.0);
    double area = 0.0;
    for (const auto& p : parts) {
        area += maillage::geo::area(ctx, p.get());
    }
    EXPECT_NEAR(area / zone_area, 1.0, 1e-3);
    EXPECT_EQ(parts.size(), 2U);
    if (parts.size() == 2U) {
        EXPECT_NEAR(maillage::geo::area(ctx, parts[0].get()), 1.5e8, 1.5e5);
        EXPECT_NEAR(maillage::geo::area(ctx, parts[1].get()), 0.03e8, 3e3);
    }
}

TEST(UnderservedParts, EverythingCoveredLeavesNothing) {
    const GeosContext ctx;
    const EqualAreaProjection proj(5.0, 45.0);
    std::vector<GeomPtr> zones;
    zones.push_back(rect(ctx, -3000, -3000, 3000, 3000));
    zones.push_back(rect(ctx, 3000, -3000, 6000, 3000));
    const std::vector<LonLat> sites{proj.inverse({0, 0})};
    // The farthest corner is sqrt(6^2 + 3^2) = 6.7 km away.
    EXPECT_TRUE(underserved_parts(ctx, proj, sites, zones, 8000.0, 2.0).empty());
    // A 5 km radius covers the first zone (corners 4.24 km away) and leaves the east of the
    // second one, x^2 + y^2 > 25 km^2: one piece, from x = 4 km (at y = +-3 km) to 6 km.
    // Its area by hand: 18 km^2 minus the circle's part of the rectangle 3..6 x -3..3, i.e.
    // the segment x > 3 (25 acos(3/5) - 3 * 4) less its two tips |y| > 3
    // (2 * integral_3^4 (sqrt(25 - y^2) - 3) dy): 18 - (11.182380 - 2 * 0.547426) = 7.912472.
    const auto parts = underserved_parts(ctx, proj, sites, zones, 5000.0, 2.0);
    ASSERT_EQ(parts.size(), 1U);
    double x0 = 0, y0 = 0, x1 = 0, y1 = 0;
    GEOSGeom_getExtent_r(ctx.get(), parts[0].get(), &x0, &y0, &x1, &y1);
    EXPECT_NEAR(x0, 4000.0, 5.0);
    EXPECT_NEAR(x1, 6000.0, 1e-6);
    EXPECT_NEAR(y0, -3000.0, 1e-6);
    EXPECT_NEAR(y1, 3000.0, 1e-6);
    EXPECT_NEAR(maillage::geo::area(ctx, parts[0].get()) / 7.912472e6, 1.0, 2e-3);
}
