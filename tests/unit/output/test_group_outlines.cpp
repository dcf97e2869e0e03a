// output::group_members and output::dissolve on hand-made zones: the expected outlines and areas
// are worked out by hand (unit squares), and read back with GEOS's own WKT reader and area.

#include "maillage/output/group_outlines.hpp"
#include "maillage/output/styles.hpp"

#include "../support/test_support.hpp"

#include <gtest/gtest.h>

namespace maillage {
namespace {

model::Zone zone(const geo::GeosContext& ctx, const std::string& group, const std::string& wkt) {
    model::Zone z;
    z.group = group;
    z.geometry = test::read_wkt(ctx, wkt);
    return z;
}

double geos_area(const geo::GeosContext& ctx, const GEOSGeometry* g) {
    double a = 0;
    GEOSArea_r(ctx.get(), g, &a);
    return a;
}

TEST(GroupOutlines, GroupsSortedByCodeWithoutTheUngrouped) {
    geo::GeosContext ctx;
    std::vector<model::Zone> zones;
    zones.push_back(zone(ctx, "38", "POLYGON((0 0,1 0,1 1,0 1,0 0))"));
    zones.push_back(zone(ctx, "", "POLYGON((1 0,2 0,2 1,1 1,1 0))"));
    zones.push_back(zone(ctx, "01", "POLYGON((2 0,3 0,3 1,2 1,2 0))"));
    zones.push_back(zone(ctx, "38", "POLYGON((3 0,4 0,4 1,3 1,3 0))"));
    const auto groups = output::group_members(zones);
    ASSERT_EQ(groups.size(), 2U);
    EXPECT_EQ(groups[0].code, "01");
    EXPECT_EQ(groups[0].members, (std::vector<std::size_t>{2}));
    EXPECT_EQ(groups[1].code, "38");
    EXPECT_EQ(groups[1].members, (std::vector<std::size_t>{0, 3}));
}

TEST(GroupOutlines, NeighboursDissolveIntoOnePolygon) {
    geo::GeosContext ctx;
    std::vector<model::Zone> zones;
    zones.push_back(zone(ctx, "a", "POLYGON((0 45,0.1 45,0.1 45.1,0 45.1,0 45))"));
    zones.push_back(zone(ctx, "a", "POLYGON((0.1 45,0.2 45,0.2 45.1,0.1 45.1,0.1 45))"));
    const auto g = output::dissolve(ctx, zones, {0, 1});
    EXPECT_EQ(GEOSisValid_r(ctx.get(), g.get()), 1);
    EXPECT_EQ(GEOSGetNumGeometries_r(ctx.get(), g.get()), 1);
    EXPECT_NEAR(geos_area(ctx, g.get()), 0.02, 1e-12);
    const auto expected = test::read_wkt(ctx, "POLYGON((0 45,0.2 45,0.2 45.1,0 45.1,0 45))");
    EXPECT_EQ(GEOSEqualsExact_r(ctx.get(), GEOSGetGeometryN_r(ctx.get(), g.get(), 0),
                                expected.get(), 1e-12) == 1 ||
                  GEOSEquals_r(ctx.get(), g.get(), expected.get()) == 1,
              true);
}

TEST(GroupOutlines, SmallGapsFilledEnclavesKept) {
    geo::GeosContext ctx;
    // A ring of zones round a 0.001° x 0.001° gap (about 0.01 km²) and, apart, a square with a
    // 0.2° x 0.2° hole (about 350 km² at 45°N: an enclave, kept).
    std::vector<model::Zone> zones;
    zones.push_back(zone(ctx, "a",
                         "POLYGON((0 45,0.1 45,0.1 45.1,0 45.1,0 45),"
                         "(0.05 45.05,0.051 45.05,0.051 45.051,0.05 45.051,0.05 45.05))"));
    zones.push_back(zone(ctx, "a",
                         "POLYGON((1 45,1.5 45,1.5 45.5,1 45.5,1 45),"
                         "(1.1 45.1,1.3 45.1,1.3 45.3,1.1 45.3,1.1 45.1))"));
    const auto g = output::dissolve(ctx, zones, {0, 1});
    ASSERT_EQ(GEOSGetNumGeometries_r(ctx.get(), g.get()), 2);
    int holes = 0;
    for (int i = 0; i < 2; ++i) {
        holes += GEOSGetNumInteriorRings_r(ctx.get(), GEOSGetGeometryN_r(ctx.get(), g.get(), i));
    }
    EXPECT_EQ(holes, 1);
    EXPECT_NEAR(geos_area(ctx, g.get()), 0.01 + 0.25 - 0.04, 1e-12);
}

TEST(QgisStyles, FieldAliasesInBothLanguages) {
    EXPECT_EQ(output::field_alias("mean_km", "fr"), "Distance moyenne des habitants (km)");
    EXPECT_EQ(output::field_alias("mean_km", "en"), "Mean distance of the inhabitants (km)");
    EXPECT_EQ(output::field_alias("mean_km_before", "fr"),
              "Distance moyenne des habitants (km) (avant)");
    EXPECT_EQ(output::field_alias("nearest_km_cio", "en"),
              "Distance to the nearest: Guidance and information centre (CIO) (km)");
    EXPECT_EQ(output::field_alias("no_such_field", "fr"), "");
    EXPECT_EQ(output::legend_number(2.5, "fr"), "2,5");
    EXPECT_EQ(output::legend_number(2.5, "en"), "2.5");
}

} // namespace
} // namespace maillage
