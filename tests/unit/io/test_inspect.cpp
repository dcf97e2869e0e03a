// io::inspect_vector (maillage info) on hand-written files: every count, extent and problem
// below is read off the file by hand.

#include "maillage/io/inspect.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace {

std::string write_file(const std::string& name, const std::string& text) {
    const auto path = std::filesystem::temp_directory_path() / ("maillage-inspect-" + name);
    std::ofstream(path, std::ios::binary) << text;
    return path.string();
}

std::vector<std::string> where_of(const maillage::io::LayerInfo& l, const std::string& kind) {
    const auto it = l.problems.find(kind);
    return it == l.problems.end() ? std::vector<std::string>{} : it->second.where;
}

} // namespace

TEST(Inspect, CsvPointsAndTheirProblems) {
    const auto path = write_file("points.csv", "id,lon,lat,population\n"
                                               "a,4.5,45.0,10\n"
                                               "a,5.5,46.0,-3\n"
                                               ",x,46.5,\n"
                                               "d,45.0,120.0,abc\n");
    const auto info = maillage::io::inspect_vector(path, {});
    EXPECT_EQ(info.driver, "CSV");
    ASSERT_EQ(info.layers.size(), 1U);
    const auto& l = info.layers[0];
    EXPECT_EQ(l.features, 4U);
    ASSERT_EQ(l.geometries.size(), 1U);
    EXPECT_EQ(l.geometries.at("Point"), 4U);
    ASSERT_EQ(l.fields.size(), 4U);
    EXPECT_EQ(l.fields[0].name, "id");
    EXPECT_EQ(l.fields[0].type, "String");
    // The three rows with numbers (line 4 has none).
    ASSERT_TRUE(l.extent.has_value());
    EXPECT_EQ(*l.extent, (std::array<double, 4>{4.5, 45.0, 45.0, 120.0}));
    EXPECT_EQ(where_of(l, "duplicate id"), std::vector<std::string>{"line 3 (a, first at line 2)"});
    EXPECT_EQ(where_of(l, "empty id"), std::vector<std::string>{"line 4"});
    EXPECT_EQ(where_of(l, "no usable coordinates"), std::vector<std::string>{"line 4"});
    EXPECT_EQ(where_of(l, "coordinates out of lon/lat range"), std::vector<std::string>{"line 5"});
    EXPECT_EQ(where_of(l, "negative population"), std::vector<std::string>{"line 3"});
    EXPECT_EQ(where_of(l, "population missing or not a number"),
              (std::vector<std::string>{"line 4", "line 5"}));
    const std::string swapped =
        "latitude beyond 90 with a longitude that would be a latitude: lon/lat swapped?";
    EXPECT_EQ(where_of(l, swapped), std::vector<std::string>{"1 of 3 points"});
    EXPECT_EQ(l.problems.at(swapped).count, 1U);
    EXPECT_EQ(l.problems.size(), 7U);
    EXPECT_EQ(info.problems, 8U);
    std::filesystem::remove(path);
}

TEST(Inspect, GeoJsonGeometriesAndTheTenFirstPlaces) {
    std::string features;
    // Twelve features without a geometry, then a bow-tie polygon (invalid), with code ids.
    for (int i = 0; i < 12; ++i) {
        features += R"({"type":"Feature","properties":{"code":"c)" + std::to_string(i) +
                    R"("},"geometry":null},)";
    }
    features += R"({"type":"Feature","properties":{"code":"bow"},"geometry":{"type":"Polygon",)"
                R"("coordinates":[[[0,0],[2,2],[2,0],[0,2],[0,0]]]}})";
    const auto path = write_file("zones.geojson",
                                 R"({"type":"FeatureCollection","features":[)" + features + "]}");
    maillage::io::InspectOptions options;
    options.population_field = "pop"; // absent: not checked
    const auto info = maillage::io::inspect_vector(path, options);
    EXPECT_EQ(info.driver, "GeoJSON");
    ASSERT_EQ(info.layers.size(), 1U);
    const auto& l = info.layers[0];
    EXPECT_EQ(l.features, 13U);
    EXPECT_EQ(l.crs, "EPSG:4326");
    ASSERT_EQ(l.geometries.size(), 1U);
    EXPECT_EQ(l.geometries.at("Polygon"), 1U);
    EXPECT_EQ(*l.extent, (std::array<double, 4>{0.0, 0.0, 2.0, 2.0}));
    const auto& none = l.problems.at("no geometry");
    EXPECT_EQ(none.count, 12U);
    ASSERT_EQ(none.where.size(), 11U);
    EXPECT_EQ(none.where[0], "feature 0");
    EXPECT_EQ(none.where[9], "feature 9");
    EXPECT_EQ(none.where[10], "...");
    EXPECT_EQ(where_of(l, "invalid geometry (maillage repairs it)"),
              std::vector<std::string>{"feature 12"});
    EXPECT_EQ(l.problems.size(), 2U);
    EXPECT_EQ(info.problems, 13U);
    std::filesystem::remove(path);
}
