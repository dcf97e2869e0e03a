// The readers name the options the caller gives them (the CLI's, by default) in their
// messages, and report a bad option value as value_error (the CLI's usage error), not as
// usage_error nor input_error.

#include "maillage/core/error.hpp"
#include "maillage/geo/geos.hpp"
#include "maillage/io/population_grid_reader.hpp"
#include "maillage/io/site_reader.hpp"
#include "maillage/io/zone_reader.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace {

std::string fixture(const std::string& name) {
    return std::string(MAILLAGE_TEST_DATA) + "/unit/" + name;
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

/// The message of the exception of type E that `f` throws ("" and a test failure if none).
template <typename E, typename F> std::string message_of(F&& f) {
    try {
        f();
    } catch (const E& e) {
        return e.what();
    } catch (const std::exception& e) {
        ADD_FAILURE() << "expected another exception type, got: " << e.what();
        return "";
    }
    ADD_FAILURE() << "nothing thrown";
    return "";
}

/// A CSV file of sites written in the test's temporary folder.
std::string write_csv(const std::string& name, const std::string& text) {
    const auto path = std::filesystem::temp_directory_path() /
                      ("maillage_option_names_" + std::to_string(::getpid()) + "_" + name);
    std::ofstream(path) << text;
    return path.string();
}

} // namespace

using maillage::input_error;
using maillage::value_error;

TEST(SiteOptionNames, FilterGdalRejectsIsAValueErrorNamingTheCallersOption) {
    maillage::io::SiteReadOptions o;
    o.option_stem = "place";
    o.filter = "nom =";
    for (const char* file : {"sites.csv", "zones.geojson"}) { // CSV (typed view) and OGR layer
        o.path = fixture(file);
        const auto msg = message_of<value_error>([&] { (void)maillage::io::read_sites(o); });
        EXPECT_EQ(msg.rfind("--place-filter 'nom =' is not a valid filter on " + o.path, 0), 0U)
            << msg;
    }
}

TEST(SiteOptionNames, MissingFieldsNameTheCallersOptions) {
    maillage::io::SiteReadOptions o;
    o.path = fixture("sites.csv");
    o.option_stem = "place";
    o.id_field = "code";
    auto msg = message_of<input_error>([&] { (void)maillage::io::read_sites(o); });
    EXPECT_TRUE(contains(msg, "no field 'code'") &&
                contains(msg, "Name the right one with --place-id."))
        << msg;
    o.id_field = "id";
    o.capacity_field = "places";
    o.capacity_option = "--supply";
    msg = message_of<input_error>([&] { (void)maillage::io::read_sites(o); });
    EXPECT_TRUE(contains(msg, "no field 'places'") &&
                contains(msg, "Name the right one with --supply."))
        << msg;
}

TEST(SiteOptionNames, BadCrsIsAValueErrorNamingTheCallersOption) {
    maillage::io::SiteReadOptions o;
    o.path = fixture("sites.csv");
    o.option_stem = "place";
    o.crs = "no such crs";
    const auto msg = message_of<value_error>([&] { (void)maillage::io::read_sites(o); });
    EXPECT_EQ(msg, "--places-crs 'no such crs' is not a CRS GDAL understands (try EPSG:4326 or "
                   "EPSG:2154).");
}

TEST(SiteOptionNames, NoUsableSiteNamesTheCallersOptions) {
    // Two lines, neither with coordinates: both skipped, nothing usable.
    maillage::io::SiteReadOptions o;
    o.path = write_csv("empty_coordinates.csv", "id,lon,lat\nA,,\nB,,\n");
    o.option_stem = "place";
    const auto msg = message_of<input_error>([&] { (void)maillage::io::read_sites(o); });
    EXPECT_TRUE(contains(msg, ": no usable place (2 read, 2 skipped). Skipped: line 2 (id A): "))
        << msg;
    EXPECT_TRUE(contains(msg, "; line 3 (id B): ")) << msg;
    EXPECT_TRUE(contains(msg, "point maillage to the right fields and CRS (--place-id, "
                              "--places-crs)."))
        << msg;
    std::filesystem::remove(o.path);
}

TEST(SiteOptionNames, NoLayerIsAValueErrorWithTheCliText) {
    const maillage::io::SiteReadOptions o; // the defaults are the CLI's site options
    const auto msg = message_of<value_error>([&] { (void)maillage::io::read_site_layers(o, {}); });
    EXPECT_EQ(msg, "no layer of sites to read: give --sites.");
}

TEST(ZoneOptionNames, MissingFieldsNameTheCallersOptions) {
    maillage::io::ZoneReadOptions o;
    o.path = fixture("zones_missing_field.geojson"); // has code, nom, habitants
    o.population_option = "--inhabitants";
    auto msg = message_of<input_error>([&] { (void)maillage::io::read_zones(o); });
    EXPECT_TRUE(contains(msg, "Name the right one with --inhabitants.")) << msg;
    o.population_field = "habitants";
    o.option_stem = "area";
    o.id_field = "insee";
    msg = message_of<input_error>([&] { (void)maillage::io::read_zones(o); });
    EXPECT_TRUE(contains(msg, "no field 'insee'") &&
                contains(msg, "Name the right one with --area-id."))
        << msg;
    o.id_field = "code";
    o.group_field = "region";
    o.group_option = "--by";
    msg = message_of<input_error>([&] { (void)maillage::io::read_zones(o); });
    EXPECT_TRUE(contains(msg, "no field 'region'") &&
                contains(msg, "Name the right one with --by."))
        << msg;
}

TEST(ZoneOptionNames, PopulationHintNamesTheCallersOption) {
    maillage::io::ZoneReadOptions o;
    o.path = fixture("zones_bad_population.geojson"); // a population 'abc'
    o.population_option = "--inhabitants";
    const auto msg = message_of<input_error>([&] { (void)maillage::io::read_zones(o); });
    EXPECT_TRUE(contains(msg, "name the population field with --inhabitants (now 'population')."))
        << msg;
}

TEST(ZoneOptionNames, BadCrsIsAValueErrorNamingTheCallersOption) {
    maillage::io::ZoneReadOptions o;
    o.path = fixture("zones.geojson");
    o.option_stem = "area";
    o.crs = "no such crs";
    const auto msg = message_of<value_error>([&] { (void)maillage::io::read_zones(o); });
    EXPECT_EQ(msg, "--areas-crs 'no such crs' is not a CRS GDAL understands (try EPSG:4326 or "
                   "EPSG:2154).");
}

TEST(PopulationGridOptionNames, MissingFileNamesTheCallersOption) {
    maillage::model::PopulationGridOptions o;
    o.path = fixture("no_such_grid.tif");
    o.option = "--people";
    const auto source = maillage::io::population_grid_source(o);
    maillage::model::PopulationGridReport report;
    const auto msg = message_of<input_error>([&] { source->open({{5.0, 45.0}}, report); });
    EXPECT_TRUE(contains(msg, "no_such_grid.tif: no such file (--people).")) << msg;
}
