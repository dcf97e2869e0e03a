// The report's run loader (src/report/run.hpp) on a small run folder written here by hand:
// summary.json, run.json and three GeoJSON layers with the fields a run has.

#include "../../../src/report/run.hpp"

#include "maillage/core/error.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace {

namespace fs = std::filesystem;
using maillage::report::group_rows;
using maillage::report::load_run;
using maillage::report::load_run_inputs;

void write(const fs::path& path, const std::string& text) {
    std::ofstream f(path, std::ios::binary);
    f << text;
}

std::string collection(const std::string& name, const std::string& features) {
    return R"({"type":"FeatureCollection","name":")" + name + R"(","features":[)" + features + "]}";
}

const char* const square =
    R"({"type":"Polygon","coordinates":[[[5,45],[5.1,45],[5.1,45.1],[5,45.1],[5,45]]]})";

struct Folder {
    fs::path dir;
    Folder() {
        dir = fs::temp_directory_path() /
              ("maillage-run-loader-" +
               std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
        fs::remove_all(dir);
        fs::create_directories(dir);
        write(dir / "summary.json",
              R"({"version":"x","parameters":{"threshold_km":20},"by_group":[)"
              R"({"group":"G","population":200000,"sites":3,"mean_km":4.5,"share_beyond":0.25}]})");
        write(dir / "zones.geojson",
              collection("zones", std::string(R"({"type":"Feature","properties":{"zone_id":"Z1",)"
                                              R"("name":"Un","group":"G","population":1200,)"
                                              R"("mean_km":3.25,"pop_beyond":40},"geometry":)") +
                                      square + "}"));
        write(dir / "sites.geojson",
              collection("sites",
                         R"({"type":"Feature","properties":{"site_id":"S1","name":"Mairie",)"
                         R"("type":"T","in_study_area":false,"catchment_population":800},)"
                         R"("geometry":{"type":"Point","coordinates":[5.05,45.02]}},)"
                         R"({"type":"Feature","properties":{"site_id":"S2","name":"Poste",)"
                         R"("type":"U","in_study_area":true,"catchment_population":400},)"
                         R"("geometry":{"type":"Point","coordinates":[5.07,45.03]}})"));
        write(dir / "underserved.geojson",
              collection("underserved",
                         std::string(R"({"type":"Feature","properties":{"part":1,"area_km2":12.5,)"
                                     R"("population":40,"max_km":22.75},"geometry":)") +
                             square + "}"));
    }
    ~Folder() { fs::remove_all(dir); }
    Folder(const Folder&) = delete;
    Folder& operator=(const Folder&) = delete;
};

TEST(ReportRunLoader, ReadsTheLayersIntoPlainStructs) {
    const Folder f;
    maillage::geo::GeosContext ctx;
    const auto run = load_run(ctx, f.dir);
    EXPECT_EQ(run.summary.at("version").get<std::string>(), "x");
    ASSERT_EQ(run.zones.size(), 1U);
    EXPECT_EQ(run.zones[0].id, "Z1");
    EXPECT_EQ(run.zones[0].name, "Un");
    EXPECT_EQ(run.zones[0].group, "G");
    EXPECT_DOUBLE_EQ(run.zones[0].population, 1200.0);
    EXPECT_DOUBLE_EQ(run.zones[0].mean_km, 3.25);
    EXPECT_DOUBLE_EQ(run.zones[0].pop_beyond, 40.0);
    EXPECT_TRUE(run.zones[0].lonlat);
    ASSERT_EQ(run.sites.size(), 2U);
    EXPECT_EQ(run.sites[0].id, "S1");
    EXPECT_EQ(run.sites[0].type, "T");
    EXPECT_TRUE(run.sites[0].border); // in_study_area false: across the edge
    EXPECT_FALSE(run.sites[1].border);
    EXPECT_DOUBLE_EQ(run.sites[0].position.lon, 5.05);
    EXPECT_DOUBLE_EQ(run.sites[0].position.lat, 45.02);
    EXPECT_DOUBLE_EQ(run.sites[1].catchment_population, 400.0);
    ASSERT_EQ(run.parts.size(), 1U);
    EXPECT_DOUBLE_EQ(run.parts[0].area_km2, 12.5);
    EXPECT_DOUBLE_EQ(run.parts[0].population, 40.0);
    EXPECT_DOUBLE_EQ(run.parts[0].max_km, 22.75);
}

TEST(ReportRunLoader, CommunesOfAPartAreTheZonesItTouches) {
    const Folder f;
    maillage::geo::GeosContext ctx;
    auto run = load_run(ctx, f.dir);
    maillage::report::find_communes(ctx, run);
    ASSERT_EQ(run.parts[0].communes.size(), 1U);
    EXPECT_EQ(run.parts[0].communes[0], "Un");
}

TEST(ReportRunLoader, GroupRowsGiveSitesPer100k) {
    const Folder f;
    maillage::geo::GeosContext ctx;
    const auto groups = group_rows(load_run(ctx, f.dir).summary);
    ASSERT_EQ(groups.size(), 1U);
    EXPECT_EQ(groups[0].group, "G");
    EXPECT_DOUBLE_EQ(groups[0].per_100k, 1.5); // 3 sites for 200,000 inhabitants
    EXPECT_DOUBLE_EQ(groups[0].share_pct, 25.0);
}

TEST(ReportRunLoader, RunRecordInputsInTheirOrder) {
    const Folder f;
    EXPECT_FALSE(load_run_inputs(f.dir)); // no run.json
    write(f.dir / "run.json", R"({"inputs":{"sites":[{"path":"a/s.csv","sha256":"11"}],)"
                              R"("zones":[{"path":"z.gpkg","sha256":"22"}]}})");
    const auto inputs = load_run_inputs(f.dir);
    ASSERT_TRUE(inputs);
    ASSERT_EQ(inputs->size(), 2U);
    EXPECT_EQ((*inputs)[0].path, "a/s.csv");
    EXPECT_EQ((*inputs)[0].sha256, "11");
    EXPECT_EQ((*inputs)[1].path, "z.gpkg");
}

TEST(ReportRunLoader, MissingSummaryOrEmptyZonesAreInputErrors) {
    const Folder f;
    maillage::geo::GeosContext ctx;
    write(f.dir / "zones.geojson", collection("zones", ""));
    EXPECT_THROW(load_run(ctx, f.dir), maillage::input_error);
    fs::remove(f.dir / "summary.json");
    EXPECT_THROW(load_run(ctx, f.dir), maillage::input_error);
}

} // namespace
