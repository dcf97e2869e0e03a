// Site and zone readers on small hand-written fixtures in tests/data/unit/.

#include "maillage/core/error.hpp"
#include "maillage/geo/geos.hpp"
#include "maillage/io/site_reader.hpp"
#include "maillage/io/zone_reader.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace {

std::string fixture(const std::string& name) {
    return std::string(MAILLAGE_TEST_DATA) + "/unit/" + name;
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

/// The message of the input_error `f` throws ("" and a test failure if none).
template <typename F> std::string input_error_message(F&& f) {
    try {
        f();
    } catch (const maillage::input_error& e) {
        return e.what();
    } catch (const std::exception& e) {
        ADD_FAILURE() << "expected maillage::input_error, got another exception: " << e.what();
        return "";
    }
    ADD_FAILURE() << "expected maillage::input_error, nothing thrown";
    return "";
}

} // namespace

TEST(ReadSites, CommaCsvCountsAndSkippedLines) {
    // sites.csv, by line: 1 header, 2 S1, 3 S2, 4 S3, 5 S4 (empty lat), 6 S5,
    // 7 S2 again (duplicate id), 8 S6.
    maillage::io::SiteReadOptions o;
    o.path = fixture("sites.csv");
    const auto set = maillage::io::read_sites(o);
    ASSERT_EQ(set.sites.size(), 5U);
    EXPECT_EQ(set.report.features, 7U);
    EXPECT_EQ(set.report.used, 5U);
    const char* ids[] = {"S1", "S2", "S3", "S5", "S6"};
    for (std::size_t i = 0; i < 5; ++i) {
        EXPECT_EQ(set.sites[i].id, ids[i]);
    }
    // Values as written in the file.
    EXPECT_EQ(set.sites[0].name, "Mairie A");
    EXPECT_EQ(set.sites[0].type, "mairie");
    EXPECT_DOUBLE_EQ(set.sites[0].position.lon, 5.1);
    EXPECT_DOUBLE_EQ(set.sites[0].position.lat, 45.1);
    EXPECT_DOUBLE_EQ(set.sites[4].position.lon, 4.5);
    EXPECT_DOUBLE_EQ(set.sites[4].position.lat, 45.5);
    // The first S2 is kept, not the duplicate.
    EXPECT_EQ(set.sites[1].name, "Mairie B");
    EXPECT_DOUBLE_EQ(set.sites[1].position.lon, 5.2);
    EXPECT_TRUE(contains(set.sites[1].where, "line 3")) << set.sites[1].where;

    ASSERT_EQ(set.report.skipped.size(), 2U);
    const auto& empty_lat = set.report.skipped[0];
    EXPECT_TRUE(contains(empty_lat.where, "line 5")) << empty_lat.where;
    EXPECT_TRUE(contains(empty_lat.where, "S4")) << empty_lat.where;
    EXPECT_TRUE(contains(empty_lat.reason, "lat ''")) << empty_lat.reason;
    EXPECT_TRUE(contains(empty_lat.reason, "5.0")) << empty_lat.reason;
    const auto& dup = set.report.skipped[1];
    EXPECT_TRUE(contains(dup.where, "line 7")) << dup.where;
    EXPECT_TRUE(contains(dup.reason, "duplicate")) << dup.reason;
    EXPECT_TRUE(contains(dup.reason, "'S2'")) << dup.reason;
    EXPECT_TRUE(contains(dup.reason, "line 3")) << dup.reason; // where it was first seen
}

TEST(ReadSites, StrictMakesASkippedLineFatal) {
    maillage::io::SiteReadOptions o;
    o.path = fixture("sites.csv");
    o.strict = true;
    const std::string msg = input_error_message([&] { (void)maillage::io::read_sites(o); });
    EXPECT_TRUE(contains(msg, "sites.csv")) << msg;
    EXPECT_TRUE(contains(msg, "line 5")) << msg;
}

TEST(ReadSites, SemicolonCsvWithDecimalCommas) {
    // sites_semicolon.csv: 1 header, 2 A1 (5,25; 45,5), 3 A2 (4,75; 44,25), 4 A3 (lat 'nord').
    maillage::io::SiteReadOptions o;
    o.path = fixture("sites_semicolon.csv");
    const auto set = maillage::io::read_sites(o);
    ASSERT_EQ(set.sites.size(), 2U);
    EXPECT_EQ(set.report.features, 3U);
    EXPECT_EQ(set.sites[0].id, "A1");
    EXPECT_EQ(set.sites[0].name, "Un");
    EXPECT_DOUBLE_EQ(set.sites[0].position.lon, 5.25);
    EXPECT_DOUBLE_EQ(set.sites[0].position.lat, 45.5);
    EXPECT_EQ(set.sites[1].id, "A2");
    EXPECT_DOUBLE_EQ(set.sites[1].position.lon, 4.75);
    EXPECT_DOUBLE_EQ(set.sites[1].position.lat, 44.25);
    ASSERT_EQ(set.report.skipped.size(), 1U);
    EXPECT_TRUE(contains(set.report.skipped[0].where, "line 4")) << set.report.skipped[0].where;
    EXPECT_TRUE(contains(set.report.skipped[0].reason, "'nord'")) << set.report.skipped[0].reason;
}

TEST(ReadSites, MissingIdFieldListsTheFields) {
    maillage::io::SiteReadOptions o;
    o.path = fixture("sites_semicolon.csv");
    o.id_field = "code";
    const std::string msg = input_error_message([&] { (void)maillage::io::read_sites(o); });
    EXPECT_TRUE(contains(msg, "sites_semicolon.csv")) << msg;
    EXPECT_TRUE(contains(msg, "'code'")) << msg;
    for (const char* field : {"id", "nom", "longitude", "latitude"}) {
        EXPECT_TRUE(contains(msg, field)) << field << " not in: " << msg;
    }
}

TEST(ReadSites, MissingFileIsAnInputError) {
    maillage::io::SiteReadOptions o;
    o.path = fixture("no_such_file.csv");
    const std::string msg = input_error_message([&] { (void)maillage::io::read_sites(o); });
    EXPECT_TRUE(contains(msg, "no_such_file.csv")) << msg;
}

TEST(ReadZones, RepairsTheBowTieAndReportsIt) {
    maillage::io::ZoneReadOptions o;
    o.path = fixture("zones.geojson");
    const auto set = maillage::io::read_zones(o);
    ASSERT_EQ(set.zones.size(), 2U);
    EXPECT_EQ(set.report.features, 2U);
    EXPECT_EQ(set.report.used, 2U);
    EXPECT_TRUE(set.report.skipped.empty());
    EXPECT_EQ(set.zones[0].id, "01001");
    EXPECT_EQ(set.zones[0].name, "Carre");
    EXPECT_EQ(set.zones[0].population, 120.0);
    EXPECT_EQ(set.zones[1].id, "01002");
    EXPECT_EQ(set.zones[1].population, 80.0);

    const auto& ctx = *set.ctx;
    // The square is valid as read: 0.1 x 0.1 degree.
    EXPECT_EQ(GEOSisValid_r(ctx.get(), set.zones[0].geometry.get()), 1);
    EXPECT_NEAR(maillage::geo::area(ctx, set.zones[0].geometry.get()), 0.01, 1e-12);
    // The bow-tie (5.2 45, 5.4 45.2, 5.4 45, 5.2 45.2) crosses itself at (5.3, 45.1). Repaired, it
    // keeps both triangles, each 0.2 x 0.1 / 2 = 0.01 square degree.
    const GEOSGeometry* bow = set.zones[1].geometry.get();
    EXPECT_EQ(GEOSisValid_r(ctx.get(), bow), 1);
    EXPECT_NEAR(maillage::geo::area(ctx, bow), 0.02, 1e-12);
    const int type = GEOSGeomTypeId_r(ctx.get(), bow);
    EXPECT_TRUE(type == GEOS_MULTIPOLYGON || type == GEOS_POLYGON);

    ASSERT_EQ(set.report.repaired.size(), 1U);
    const auto& notice = set.report.repaired[0];
    EXPECT_TRUE(contains(notice.where, "01002")) << notice.where;
    EXPECT_TRUE(contains(notice.where, "feature")) << notice.where;
    EXPECT_TRUE(contains(notice.reason, "Self-intersection")) << notice.reason;
}

TEST(ReadZones, StrictRefusesTheBowTie) {
    maillage::io::ZoneReadOptions o;
    o.path = fixture("zones.geojson");
    o.strict = true;
    const std::string msg = input_error_message([&] { (void)maillage::io::read_zones(o); });
    EXPECT_TRUE(contains(msg, "zones.geojson")) << msg;
    EXPECT_TRUE(contains(msg, "01002")) << msg;
}

TEST(ReadZones, NonNumericPopulationStopsTheRun) {
    maillage::io::ZoneReadOptions o;
    o.path = fixture("zones_bad_population.geojson");
    const std::string msg = input_error_message([&] { (void)maillage::io::read_zones(o); });
    EXPECT_TRUE(contains(msg, "zones_bad_population.geojson")) << msg;
    EXPECT_TRUE(contains(msg, "'abc'")) << msg;
    EXPECT_TRUE(contains(msg, "02002")) << msg; // the feature
    EXPECT_TRUE(contains(msg, "population")) << msg;
}

TEST(ReadZones, MissingFieldListsTheFields) {
    maillage::io::ZoneReadOptions o;
    o.path = fixture("zones_missing_field.geojson");
    const std::string msg = input_error_message([&] { (void)maillage::io::read_zones(o); });
    EXPECT_TRUE(contains(msg, "zones_missing_field.geojson")) << msg;
    EXPECT_TRUE(contains(msg, "'population'")) << msg;
    for (const char* field : {"code", "nom", "habitants"}) {
        EXPECT_TRUE(contains(msg, field)) << field << " not in: " << msg;
    }
    // Naming the right field reads it.
    o.population_field = "habitants";
    const auto set = maillage::io::read_zones(o);
    ASSERT_EQ(set.zones.size(), 1U);
    EXPECT_EQ(set.zones[0].population, 50.0);
}

TEST(ParseNumber, Cases) {
    using maillage::io::parse_number;
    EXPECT_EQ(parse_number("12"), 12.0);
    EXPECT_EQ(parse_number(" 3.5 "), 3.5);
    EXPECT_EQ(parse_number("3,5"), 3.5);
    EXPECT_EQ(parse_number("1e3"), 1000.0);
    EXPECT_EQ(parse_number("-4.25"), -4.25);
    EXPECT_EQ(parse_number("+7"), 7.0);
    EXPECT_EQ(parse_number("\t45,125\n"), 45.125);
    EXPECT_EQ(parse_number("0"), 0.0);
    EXPECT_FALSE(parse_number("abc").has_value());
    EXPECT_FALSE(parse_number("").has_value());
    EXPECT_FALSE(parse_number("   ").has_value());
    EXPECT_FALSE(parse_number("nan").has_value());
    EXPECT_FALSE(parse_number("NaN").has_value());
    EXPECT_FALSE(parse_number("inf").has_value());
    EXPECT_FALSE(parse_number("1e999").has_value()); // overflows
    EXPECT_FALSE(parse_number("12abc").has_value()); // whole string only
    EXPECT_FALSE(parse_number("1 2").has_value());
    EXPECT_FALSE(parse_number("1,2,3").has_value());
    EXPECT_FALSE(parse_number("1,234.5").has_value()); // no thousands separators
    EXPECT_FALSE(parse_number("3.5.1").has_value());
}
