// geo::snap_round: polygons put on the 1e-7 degree output grid come out valid, on the grid, and
// close to the original; slivers thinner than the grid collapse, and say so.

#include "../support/test_support.hpp"
#include "maillage/geo/geos.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

namespace {

using maillage::geo::GeosContext;
using maillage::geo::output_grid_deg;
using maillage::geo::snap_round;
using maillage::test::read_wkt;

/// Every coordinate of g (any nesting), by GEOS's coordinate transform.
std::vector<double> coordinates(const GeosContext& ctx, const GEOSGeometry* g) {
    std::vector<double> out;
    maillage::geo::transform_xy(ctx, g, [&](double x, double y) {
        out.push_back(x);
        out.push_back(y);
        return std::pair{x, y};
    });
    return out;
}

/// Each coordinate rounded alone to 7 decimals, as a GeoJSON writer with 7 decimals does.
maillage::geo::GeomPtr naive_round(const GeosContext& ctx, const GEOSGeometry* g) {
    return maillage::geo::transform_xy(ctx, g, [](double x, double y) {
        return std::pair{std::round(x * 1e7) / 1e7, std::round(y * 1e7) / 1e7};
    });
}

void expect_on_grid(const GeosContext& ctx, const GEOSGeometry* g) {
    for (const double v : coordinates(ctx, g)) {
        EXPECT_NEAR(v * 1e7, std::round(v * 1e7), 1e-6) << v;
        // What a 7-decimal text prints reads back as the same double.
        std::array<char, 64> buf{};
        std::snprintf(buf.data(), buf.size(), "%.7f", v);
        EXPECT_EQ(std::stod(std::string(buf.data())), v) << buf.data();
    }
}

} // namespace

TEST(SnapRound, NotchTouchingTheBaseWhenRoundedComesOutValid) {
    const GeosContext ctx;
    // A strip 2e-7 degree high along y = 45 with a V notch from the top whose tip is 0.45e-7
    // above the base: valid. Rounded to 7 decimals the tip lands on the base (y = 45 exactly),
    // the ring touches itself: invalid (the "ring self-intersection").
    const auto g = read_wkt(ctx, "POLYGON((5 45, 5.00001 45, 5.00001 45.0000002, "
                                 "5.000005 45.000000045, 5 45.0000002, 5 45))");
    ASSERT_EQ(GEOSisValid_r(ctx.get(), g.get()), 1);
    const auto naive = naive_round(ctx, g.get());
    ASSERT_EQ(GEOSisValid_r(ctx.get(), naive.get()), 0) << "the case must break naive rounding";

    const auto s = snap_round(ctx, g.get(), output_grid_deg);
    EXPECT_TRUE(s.rounded_invalid);
    EXPECT_FALSE(s.collapsed);
    EXPECT_FALSE(s.invalid);
    EXPECT_EQ(GEOSisValid_r(ctx.get(), s.geometry.get()), 1);
    const int type = GEOSGeomTypeId_r(ctx.get(), s.geometry.get());
    EXPECT_TRUE(type == GEOS_POLYGON || type == GEOS_MULTIPOLYGON);
    expect_on_grid(ctx, s.geometry.get());
    // The two triangles either side of the tip: the strip's area (1e-5 x 2e-7) less the notch
    // (base 1e-5, height 2e-7 - 0.45e-7 before rounding, 2e-7 after): between 0 and the strip's,
    // and the area moved is at most the grid's half-cell along the perimeter.
    double a0 = 0.0;
    double a1 = 0.0;
    GEOSArea_r(ctx.get(), g.get(), &a0);
    GEOSArea_r(ctx.get(), s.geometry.get(), &a1);
    EXPECT_NEAR(a1, a0, 2.0 * 1e-5 * 0.5e-7 * 2.0);
    EXPECT_GT(a1, 0.0);
}

TEST(SnapRound, ValidAfterRoundingIsOnlyRounded) {
    const GeosContext ctx;
    const auto g = read_wkt(ctx, "POLYGON((4.123456789 45.987654321, 4.2 45.98765, "
                                 "4.2 46.1, 4.123456789 46.1, 4.123456789 45.987654321))");
    const auto s = snap_round(ctx, g.get(), output_grid_deg);
    EXPECT_FALSE(s.rounded_invalid);
    EXPECT_FALSE(s.repaired);
    EXPECT_FALSE(s.collapsed);
    EXPECT_EQ(GEOSisValid_r(ctx.get(), s.geometry.get()), 1);
    const auto c = coordinates(ctx, s.geometry.get());
    ASSERT_EQ(c.size(), 10U);
    EXPECT_EQ(c[0], 4.1234568);
    EXPECT_EQ(c[1], 45.9876543);
    expect_on_grid(ctx, s.geometry.get());
}

TEST(SnapRound, HoleTouchingTheShellWhenRoundedComesOutValid) {
    const GeosContext ctx;
    // Near the antimeridian, a hole whose lowest edge is 0.3e-7 above the shell's base: rounding
    // lays that edge on the base (rings sharing a segment: invalid).
    const auto g = read_wkt(ctx, "POLYGON((179.99 -17, 179.9901 -17, 179.9901 -16.9999, "
                                 "179.99 -16.9999, 179.99 -17),"
                                 "(179.99004 -16.99999997, 179.99006 -16.99999997, "
                                 "179.99005 -16.99995, 179.99004 -16.99999997))");
    ASSERT_EQ(GEOSisValid_r(ctx.get(), g.get()), 1);
    ASSERT_EQ(GEOSisValid_r(ctx.get(), naive_round(ctx, g.get()).get()), 0);
    const auto s = snap_round(ctx, g.get(), output_grid_deg);
    EXPECT_TRUE(s.rounded_invalid);
    EXPECT_EQ(GEOSisValid_r(ctx.get(), s.geometry.get()), 1);
    EXPECT_FALSE(s.invalid);
    expect_on_grid(ctx, s.geometry.get());
}

TEST(SnapRound, InvalidInputIsRepaired) {
    const GeosContext ctx;
    // A bow-tie (self-crossing ring), as a polygon valid in the projection can become after the
    // inverse transform.
    const auto g = read_wkt(ctx, "POLYGON((5 45, 5.001 45.001, 5.001 45, 5 45.001, 5 45))");
    ASSERT_EQ(GEOSisValid_r(ctx.get(), g.get()), 0);
    const auto s = snap_round(ctx, g.get(), output_grid_deg);
    EXPECT_TRUE(s.repaired);
    EXPECT_FALSE(s.invalid);
    EXPECT_EQ(GEOSisValid_r(ctx.get(), s.geometry.get()), 1);
    double area = 0.0;
    GEOSArea_r(ctx.get(), s.geometry.get(), &area);
    EXPECT_NEAR(area, 0.5e-6, 1e-12); // two triangles of a quarter of the square each
    expect_on_grid(ctx, s.geometry.get());
}

TEST(SnapRound, SliverThinnerThanTheGridCollapses) {
    const GeosContext ctx;
    // 1e-5 long, 0.3e-7 high, inside one row of the grid: nothing is left.
    const auto g = read_wkt(ctx, "POLYGON((5 45.00000001, 5.00001 45.00000001, "
                                 "5.00001 45.00000004, 5 45.00000004, 5 45.00000001))");
    const auto s = snap_round(ctx, g.get(), output_grid_deg);
    EXPECT_TRUE(s.collapsed);
    EXPECT_EQ(GEOSisEmpty_r(ctx.get(), s.geometry.get()), 1);
}
