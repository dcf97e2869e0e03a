// The file of changes of `maillage whatif`: hand-written files, the changes and messages expected.

#include "maillage/core/error.hpp"
#include "maillage/io/change_reader.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace {

using maillage::io::read_changes;

/// Writes `text` to a file of the temporary folder and returns its path.
std::string write_file(const std::string& name, const std::string& text) {
    const auto path = std::filesystem::temp_directory_path() / ("maillage-changes-" + name);
    std::ofstream(path, std::ios::binary) << text;
    return path.string();
}

/// The message of the input_error read_changes throws on `path` (empty if none).
std::string error_of(const std::string& path) {
    try {
        (void)read_changes(path);
    } catch (const maillage::input_error& e) {
        return e.what();
    }
    return {};
}

} // namespace

TEST(ChangeReader, ClosesAndOpensInOrder) {
    const auto path = write_file("ok.csv", " Action ,id,lon,lat,name\n"
                                           "close, 69123-01 ,,,\n"
                                           "OPEN,,4.85,45.76, Lyon 7e \n"
                                           "open,n1,\"-1,5\",47.2,\n");
    const auto changes = read_changes(path);
    ASSERT_EQ(changes.size(), 3U);
    EXPECT_FALSE(changes[0].open);
    EXPECT_EQ(changes[0].id, "69123-01");
    EXPECT_EQ(changes[0].where, path + ": line 2");
    EXPECT_TRUE(changes[1].open);
    EXPECT_EQ(changes[1].id, "");
    EXPECT_EQ(changes[1].name, "Lyon 7e");
    EXPECT_DOUBLE_EQ(changes[1].position.lon, 4.85);
    EXPECT_DOUBLE_EQ(changes[1].position.lat, 45.76);
    EXPECT_EQ(changes[1].where, path + ": line 3");
    // A decimal comma is read as the decimal point (io::parse_number).
    EXPECT_TRUE(changes[2].open);
    EXPECT_EQ(changes[2].id, "n1");
    EXPECT_DOUBLE_EQ(changes[2].position.lon, -1.5);
    EXPECT_DOUBLE_EQ(changes[2].position.lat, 47.2);
    std::filesystem::remove(path);
}

TEST(ChangeReader, MissingColumnsNameTheFileAndTheColumns) {
    auto path = write_file("noaction.csv", "id,lon\nx,1\n");
    EXPECT_EQ(error_of(path), path + ": line 1: no column 'action' (columns: id, lon); a file of "
                                     "changes has the columns action, id, lon, lat, name.");
    std::filesystem::remove(path);
    // A column needed only by an action is asked for when that action comes.
    path = write_file("nolat.csv", "action,id,lon\nclose,a,\nopen,,2\n");
    EXPECT_EQ(error_of(path), path + ": line 1: no column 'lat' (columns: action, id, lon); a file "
                                     "of changes has the columns action, id, lon, lat, name.");
    std::filesystem::remove(path);
}

TEST(ChangeReader, BadRecordsNameTheLine) {
    auto path = write_file("noid.csv", "action,id\nclose,a\nclose,\n");
    EXPECT_EQ(error_of(path), path + ": line 3: action close without a site id.");
    std::filesystem::remove(path);
    path = write_file("verb.csv", "action,id\nmove,a\n");
    EXPECT_EQ(error_of(path), path + ": line 2: action 'move' is neither close nor open.");
    std::filesystem::remove(path);
    path = write_file("nan.csv", "action,lon,lat\nopen,abc,45\n");
    EXPECT_EQ(error_of(path), path + ": line 2: action open: longitude 'abc' and latitude '45' "
                                     "must be numbers (WGS84 degrees).");
    std::filesystem::remove(path);
    path = write_file("range.csv", "action,lon,lat\nopen,45.7,120\n");
    EXPECT_EQ(error_of(path), path + ": line 2: action open: " +
                                  maillage::io::lonlat_range_problem(45.7, 120) + ".");
    std::filesystem::remove(path);
}

TEST(ChangeReader, RangeProblems) {
    EXPECT_EQ(maillage::io::lonlat_range_problem(180, -90), "");
    EXPECT_EQ(maillage::io::lonlat_range_problem(45.7, 120),
              "longitude 45.7, latitude 120 is out of range (longitude -180..180, latitude "
              "-90..90, WGS84 degrees); are longitude and latitude swapped? The order is LON,LAT");
    EXPECT_EQ(maillage::io::lonlat_range_problem(200, 10),
              "longitude 200, latitude 10 is out of range (longitude -180..180, latitude -90..90, "
              "WGS84 degrees)");
}
