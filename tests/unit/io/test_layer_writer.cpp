// GeoJSON slices written by GDAL and stitched must equal one GDAL write of the whole layer.

#include "maillage/core/error.hpp"
#include "maillage/output/layer_writer.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace {

namespace fs = std::filesystem;
using maillage::output::FieldSpec;
using maillage::output::VectorFormat;

void write_range(const std::string& path, int begin, int end) {
    auto ds = maillage::output::create_vector(path, VectorFormat::geojson);
    const auto srs = maillage::io::wgs84();
    maillage::output::LayerWriter w(*ds, path, "zones", wkbPolygon, &srs,
                                    {{"zone_id", OFTString}, {"km", OFTReal}});
    for (int i = begin; i < end; ++i) {
        OGRPolygon poly;
        OGRLinearRing ring;
        const double x = 5.0 + 0.01 * i;
        ring.addPoint(x, 45.0);
        ring.addPoint(x + 0.005, 45.0);
        ring.addPoint(x + 0.005, 45.005);
        ring.addPoint(x, 45.0);
        poly.addRing(&ring);
        w.add(&poly, {std::string("z") + std::to_string(i), 1.25 * i});
    }
    w.finish();
    maillage::output::close_dataset(std::move(ds), path);
}

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(StitchGeoJson, EqualsOneGdalWrite) {
    const auto dir = fs::temp_directory_path() / "maillage-stitch-test";
    fs::remove_all(dir);
    fs::create_directories(dir);
    write_range((dir / "whole.geojson").string(), 0, 7);
    write_range((dir / "a.geojson").string(), 0, 3);
    write_range((dir / "b.geojson").string(), 3, 7);
    maillage::output::stitch_geojson({(dir / "a.geojson").string(), (dir / "b.geojson").string()},
                                     (dir / "stitched.geojson").string());
    const auto whole = slurp(dir / "whole.geojson");
    ASSERT_GT(whole.size(), 100U);
    EXPECT_EQ(slurp(dir / "stitched.geojson"), whole);
    EXPECT_FALSE(fs::exists(dir / "a.geojson")) << "slices are removed once joined";
}

TEST(StitchGeoJson, RefusesAnUnexpectedLayout) {
    const auto dir = fs::temp_directory_path() / "maillage-stitch-test-bad";
    fs::create_directories(dir);
    std::ofstream(dir / "bad.geojson") << "{\"type\": \"Feature\"}\n";
    EXPECT_THROW(maillage::output::stitch_geojson({(dir / "bad.geojson").string()},
                                                  (dir / "out.geojson").string()),
                 maillage::runtime_failure);
}

} // namespace
