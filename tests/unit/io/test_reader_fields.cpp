// The fields the site and zone readers choose (issue 13): --lon-field / --lat-field for a CSV
// of sites, and the group field of the zones detected among the usual names. Fixtures written
// by the tests; expected values from their text.

#include "maillage/core/error.hpp"
#include "maillage/io/site_reader.hpp"
#include "maillage/io/zone_reader.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

namespace {

/// A file of `text` in a fresh temporary folder, removed with the object.
class TempFile {
public:
    TempFile(const std::string& name, const std::string& text)
        : m_dir(std::filesystem::temp_directory_path() /
                ("maillage-fields-" + std::to_string(::getpid()) + "-" + name)) {
        std::filesystem::create_directories(m_dir);
        std::ofstream(m_dir / name) << text;
    }
    ~TempFile() { std::filesystem::remove_all(m_dir); }
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;
    TempFile(TempFile&&) = delete;
    TempFile& operator=(TempFile&&) = delete;
    [[nodiscard]] std::string path() const {
        return (m_dir / std::filesystem::directory_iterator(m_dir)->path().filename()).string();
    }

private:
    std::filesystem::path m_dir;
};

std::string error_of(const maillage::io::SiteReadOptions& o) {
    try {
        maillage::io::read_sites(o);
    } catch (const maillage::input_error& e) {
        return e.what();
    }
    ADD_FAILURE() << "no input_error";
    return "";
}

const char* const sites_csv = "id,x,y,longitude_wgs84,latitude_wgs84\n"
                              "a,600000,5000000,5.065,45.045\n"
                              "b,600100,5000100,5.2,45.06\n";

const char* const zones_geojson =
    R"({"type":"FeatureCollection","features":[)"
    R"({"type":"Feature","properties":{"code":"Z1","population":10,"INSEE_DEP":"38","dep":"x"},)"
    R"("geometry":{"type":"Polygon","coordinates":[[[5,45],[5.1,45],[5.1,45.1],[5,45]]]}},)"
    R"({"type":"Feature","properties":{"code":"Z2","population":20,"INSEE_DEP":"73","dep":"y"},)"
    R"("geometry":{"type":"Polygon","coordinates":[[[6,45],[6.1,45],[6.1,45.1],[6,45]]]}}]})";

} // namespace

TEST(ReadSitesFields, NamedCoordinateColumns) {
    const TempFile f("sites.csv", sites_csv);
    maillage::io::SiteReadOptions o;
    o.path = f.path();
    o.lon_field = "longitude_wgs84";
    o.lat_field = "latitude_wgs84";
    const auto set = maillage::io::read_sites(o);
    ASSERT_EQ(set.sites.size(), 2U);
    EXPECT_DOUBLE_EQ(set.sites[0].position.lon, 5.065);
    EXPECT_DOUBLE_EQ(set.sites[0].position.lat, 45.045);
    EXPECT_DOUBLE_EQ(set.sites[1].position.lon, 5.2);
    EXPECT_DOUBLE_EQ(set.sites[1].position.lat, 45.06);
    EXPECT_EQ(set.fields.lon, "longitude_wgs84");
    EXPECT_EQ(set.fields.lat, "latitude_wgs84");
    EXPECT_EQ(set.fields.id, "id");
}

TEST(ReadSitesFields, AbsentColumnListsTheColumns) {
    const TempFile f("sites.csv", sites_csv);
    maillage::io::SiteReadOptions o;
    o.path = f.path();
    o.lon_field = "lng_wgs84";
    const auto m = error_of(o);
    EXPECT_NE(m.find("no column 'lng_wgs84' (--lon-field)"), std::string::npos) << m;
    EXPECT_NE(m.find("id, x, y, longitude_wgs84, latitude_wgs84"), std::string::npos) << m;
    o.lon_field.clear();
    o.lat_field = "lat";
    o.option_stem = "candidate";
    const auto c = error_of(o);
    EXPECT_NE(c.find("(--candidate-lat-field)"), std::string::npos) << c;
}

TEST(ReadZonesFields, GroupFieldDetectedInOrder) {
    const TempFile f("zones.geojson", zones_geojson);
    maillage::io::ZoneReadOptions o;
    o.path = f.path();
    auto set = maillage::io::read_zones(o);
    // INSEE_DEP comes before dep in the order of preference.
    EXPECT_EQ(set.group_field, "INSEE_DEP");
    ASSERT_EQ(set.zones.size(), 2U);
    EXPECT_EQ(set.zones[0].group, "38");
    EXPECT_EQ(set.zones[1].group, "73");
    EXPECT_EQ(set.id_field, "code");
    EXPECT_EQ(set.population_field, "population");
    EXPECT_EQ(set.name_field, "");
    o.group_field = "none";
    set = maillage::io::read_zones(o);
    EXPECT_EQ(set.group_field, "");
    EXPECT_EQ(set.zones[0].group, "");
}
