// The output schema (model/schema.hpp) against what the writers write: a small synthetic run
// (two square zones, two sites) analysed and written with output::write_outputs, then read
// back with GDAL. The expected layer, field and file names are spelled out here, as the users'
// documentation gives them, not taken from the writers.

#include "maillage/analysis/analysis.hpp"
#include "maillage/geo/geos.hpp"
#include "maillage/io/gdal_util.hpp"
#include "maillage/io/output_dir.hpp"
#include "maillage/model/schema.hpp"
#include "maillage/output/outputs.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
namespace schema = maillage::model::schema;
using maillage::geo::GeosContext;

maillage::model::Zone square(const GeosContext& ctx, const std::string& id, double lon0,
                             double population) {
    const std::string wkt = "POLYGON((" + std::to_string(lon0) + " 45, " +
                            std::to_string(lon0 + 0.1) + " 45, " + std::to_string(lon0 + 0.1) +
                            " 45.1, " + std::to_string(lon0) + " 45.1, " + std::to_string(lon0) +
                            " 45))";
    GEOSWKTReader* reader = GEOSWKTReader_create_r(ctx.get());
    GEOSGeometry* g = GEOSWKTReader_read_r(ctx.get(), reader, wkt.c_str());
    GEOSWKTReader_destroy_r(ctx.get(), reader);
    maillage::model::Zone z;
    z.id = id;
    z.name = "zone " + id;
    z.group = "G";
    z.population = population;
    z.geometry = maillage::geo::own(ctx, g, "WKT read");
    z.where = "test " + id;
    return z;
}

maillage::model::Site site(const std::string& id, double lon, double lat) {
    maillage::model::Site s;
    s.id = id;
    s.name = "site " + id;
    s.type = "T";
    s.position = {lon, lat};
    s.where = "test";
    return s;
}

/// A run written into a fresh folder, in GeoJSON.
struct WrittenRun {
    fs::path dir;
    WrittenRun() {
        dir = fs::temp_directory_path() /
              ("maillage-schema-" +
               std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
               ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir);
        maillage::io::ZoneSet zones;
        zones.ctx = std::make_shared<GeosContext>();
        zones.zones.push_back(square(*zones.ctx, "A", 5.0, 1000.0));
        zones.zones.push_back(square(*zones.ctx, "B", 5.1, 500.0));
        maillage::io::SiteSet sites;
        sites.sites = {site("s1", 5.05, 45.05), site("s2", 5.15, 45.05)};
        maillage::analysis::Parameters params;
        params.grid_m = 1000.0;
        params.threshold_km = 2.0; // the corners of the squares are farther: underserved parts
        params.catchments = true;
        const auto r = maillage::analysis::analyse(*zones.ctx, sites.sites, zones.zones, params);
        maillage::io::StagedOutput out(dir);
        maillage::output::RunDescription run;
        run.parameters = {{"zones", "z.geojson"}, {"sites", "s.csv"}};
        maillage::output::write_outputs(out, maillage::output::VectorFormat::geojson, r, sites,
                                        zones, params, run);
        out.commit();
    }
    ~WrittenRun() { fs::remove_all(dir); }
    WrittenRun(const WrittenRun&) = delete;
    WrittenRun& operator=(const WrittenRun&) = delete;
};

/// The layer name and the field names of a written GeoJSON file.
std::pair<std::string, std::vector<std::string>> layer_fields(const fs::path& path) {
    auto ds = maillage::io::open_vector(path.string());
    OGRLayer* layer = ds->GetLayer(0);
    std::vector<std::string> names;
    OGRFeatureDefn* defn = layer->GetLayerDefn();
    for (int i = 0; i < defn->GetFieldCount(); ++i) {
        names.emplace_back(defn->GetFieldDefn(i)->GetNameRef());
    }
    return {layer->GetName(), names};
}

TEST(OutputSchema, FileNamesAreTheWrittenOnes) {
    const WrittenRun w;
    for (const std::string name : {"summary.json", "distance.tif", "zones.geojson", "sites.geojson",
                                   "underserved.geojson", "catchments.geojson"}) {
        EXPECT_TRUE(fs::exists(w.dir / name)) << name;
    }
    EXPECT_STREQ(schema::files::summary, "summary.json");
    EXPECT_STREQ(schema::files::distance_tif, "distance.tif");
    EXPECT_TRUE(fs::exists(w.dir / schema::files::summary));
    EXPECT_TRUE(fs::exists(w.dir / schema::files::distance_tif));
}

TEST(OutputSchema, LayersAndFieldsAreTheWrittenOnes) {
    const WrittenRun w;
    const auto zones = layer_fields(w.dir / "zones.geojson");
    EXPECT_EQ(zones.first, "zones");
    const std::vector<std::string> zone_fields{
        "zone_id",      "name",         "population",      "group_code",
        "ref_lon",      "ref_lat",      "nearest_site_id", "nearest_site_name",
        "nearest_km",   "mean_km",      "max_km",          "pop_beyond",
        "share_beyond", "sites_within", "underserved"};
    EXPECT_EQ(zones.second, zone_fields);
    const std::vector<std::string> from_schema{
        schema::zones::zone_id,         schema::zones::name,
        schema::zones::population,      schema::zones::group,
        schema::zones::ref_lon,         schema::zones::ref_lat,
        schema::zones::nearest_site_id, schema::zones::nearest_site_name,
        schema::zones::nearest_km,      schema::zones::mean_km,
        schema::zones::max_km,          schema::zones::pop_beyond,
        schema::zones::share_beyond,    schema::zones::sites_within,
        schema::zones::underserved};
    EXPECT_EQ(from_schema, zone_fields);

    const auto sites = layer_fields(w.dir / "sites.geojson");
    EXPECT_EQ(sites.first, "sites");
    EXPECT_EQ(sites.second, (std::vector<std::string>{
                                "site_id", "name", "type", "catchment_population",
                                "catchment_zones", "nearest_other_km", "in_study_area", "source"}));
    const auto parts = layer_fields(w.dir / "underserved.geojson");
    EXPECT_EQ(parts.first, "underserved");
    EXPECT_EQ(parts.second, (std::vector<std::string>{"part", "area_km2", "population", "max_km"}));
    const auto catchments = layer_fields(w.dir / "catchments.geojson");
    EXPECT_EQ(catchments.first, "catchments");
    EXPECT_EQ(catchments.second, (std::vector<std::string>{"site_id", "name", "type", "population",
                                                           "area_km2", "mean_km", "cells"}));
}

TEST(OutputSchema, SummaryKeysReadBackAreWritten) {
    const WrittenRun w;
    nlohmann::json s;
    std::ifstream(w.dir / schema::files::summary) >> s;
    // The names the report and PostGIS read, spelled as docs/outputs.md gives them.
    for (const char* k : {"version", "parameters", "sites_count", "sites_outside_study_area",
                          "population_total", "population_beyond", "share_beyond", "distance_km",
                          "coverage_curve", "by_group", "underserved", "catchments"}) {
        EXPECT_TRUE(s.contains(k)) << k;
    }
    EXPECT_DOUBLE_EQ(s.at("population_total").get<double>(), 1500.0);
    EXPECT_TRUE(s.at("parameters").contains("threshold_km"));
    for (const char* k : {"mean", "p50", "p90", "p99", "max"}) {
        EXPECT_TRUE(s.at("distance_km").contains(k)) << k;
    }
    const auto& g = s.at("by_group").at(0);
    EXPECT_EQ(g.at("group").get<std::string>(), "G");
    EXPECT_DOUBLE_EQ(g.at("population").get<double>(), 1500.0);
    EXPECT_DOUBLE_EQ(g.at("sites").get<double>(), 2.0);
    EXPECT_TRUE(g.contains("mean_km"));
    EXPECT_TRUE(g.contains("share_beyond"));
    EXPECT_TRUE(s.at("underserved").contains("parts"));
    EXPECT_TRUE(s.at("underserved").contains("area_km2"));
    const auto& c = s.at("coverage_curve").at(0);
    EXPECT_EQ(c.at("km").get<int>(), 1);
    EXPECT_TRUE(c.contains("share"));
}

} // namespace
