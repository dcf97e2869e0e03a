// The streaming CSV reader and writer against GDAL's CSV driver, an independent reading of the
// same bytes.

#include "maillage/core/error.hpp"
#include "maillage/io/csv_stream.hpp"
#include "maillage/io/gdal_util.hpp"
#include "maillage/io/point_reader.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

fs::path write_temp(const std::string& name, const std::string& bytes) {
    const auto dir = fs::temp_directory_path() / "maillage-csv-test";
    fs::create_directories(dir);
    const auto path = dir / name;
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
}

std::vector<std::vector<std::string>>
read_all(const fs::path& path, std::vector<std::string>& header, std::vector<std::size_t>& lines) {
    maillage::io::CsvReader r(path.string());
    header = r.header();
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> rec;
    while (r.next(rec)) {
        rows.push_back(rec);
        lines.push_back(r.line());
    }
    return rows;
}

std::vector<std::vector<std::string>> read_with_gdal(const fs::path& path,
                                                     std::vector<std::string>& header) {
    auto ds = maillage::io::open_vector(path.string());
    OGRLayer* layer = ds->GetLayer(0);
    OGRFeatureDefn* defn = layer->GetLayerDefn();
    for (int i = 0; i < defn->GetFieldCount(); ++i) {
        header.emplace_back(defn->GetFieldDefn(i)->GetNameRef());
    }
    std::vector<std::vector<std::string>> rows;
    for (auto& f : *layer) {
        std::vector<std::string> row;
        for (int i = 0; i < defn->GetFieldCount(); ++i) {
            row.emplace_back(f->GetFieldAsString(i));
        }
        rows.push_back(row);
    }
    return rows;
}

TEST(CsvReader, AgreesWithGdalOnQuotesBomCrlfAndSemicolons) {
    const std::string text = "\xEF\xBB\xBFid;nom;lon;lat\r\n"
                             "a;\"Mission locale; Lyon\";4.85;45.75\r\n"
                             "b;\"CIO \"\"Nord\"\"\";5.1;45.2\r\n"
                             "c;\"deux\nlignes\";5.2;45.3\r\n"
                             "d;;5.3;45.4\r\n";
    const auto path = write_temp("tricky.csv", text);
    std::vector<std::string> header;
    std::vector<std::size_t> lines;
    const auto rows = read_all(path, header, lines);
    std::vector<std::string> gdal_header;
    const auto gdal_rows = read_with_gdal(path, gdal_header);
    EXPECT_EQ(header, gdal_header);
    ASSERT_EQ(rows.size(), gdal_rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
        EXPECT_EQ(rows[i], gdal_rows[i]) << "row " << i;
    }
    // Physical lines where each record starts (the quoted line break pushes "d" to line 6).
    EXPECT_EQ(lines, (std::vector<std::size_t>{2, 3, 4, 6}));
}

TEST(CsvReader, UnterminatedQuoteNamesTheLine) {
    const auto path = write_temp("unterminated.csv", "id,lon,lat\na,1,2\nb,\"3,4\n");
    maillage::io::CsvReader r(path.string());
    std::vector<std::string> rec;
    ASSERT_TRUE(r.next(rec));
    try {
        r.next(rec);
        FAIL() << "an unterminated quote must be an error";
    } catch (const maillage::input_error& e) {
        EXPECT_NE(std::string(e.what()).find("line 3"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("unterminated.csv"), std::string::npos) << e.what();
    }
}

TEST(CsvReader, EmptyFileIsAnError) {
    const auto path = write_temp("empty.csv", "");
    EXPECT_THROW(maillage::io::CsvReader r(path.string()), maillage::input_error);
}

std::string field_count_error(const std::string& name, const std::string& bytes) {
    try {
        maillage::io::check_csv_field_counts(write_temp(name, bytes).string());
    } catch (const maillage::input_error& e) {
        return e.what();
    }
    return {};
}

TEST(CheckCsvFieldCounts, AcceptsWhatGdalReadsRight) {
    // Quoted separators, a trailing empty field, semicolons with decimal commas, an even number
    // of stray quotes (GDAL drops them within the line) and a quoted doubled quote.
    EXPECT_EQ(field_count_error("quoted.csv", "id,nom,lon,lat\na1,\"A, B\",5.1,45.2\n"), "");
    EXPECT_EQ(field_count_error("trailing.csv", "id,lon,lat\na1,5.1,45.2,\n"), "");
    EXPECT_EQ(field_count_error("semicolons.csv", "id;lon;lat\na1;5,1;45,2\n"), "");
    EXPECT_EQ(field_count_error("even.csv", "id,nom,lon,lat\na1,Lycee \"Jean\",5.1,45.2\n"), "");
    EXPECT_EQ(field_count_error("doubled.csv", "id,nom,lon,lat\na1,\"45\"\"N\",5.1,45.2\n"), "");
}

TEST(CheckCsvFieldCounts, NamesTheLineOfAValueHoldingTheSeparator) {
    const auto msg = field_count_error("commas.csv", "id,lon,lat\na1,5.1,45.2\nb1,5,2,45,3\n");
    EXPECT_NE(msg.find("commas.csv: line 3 has 5 fields"), std::string::npos) << msg;
    EXPECT_NE(msg.find("'b1,5,2,45,3'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("header (line 1) has 3"), std::string::npos) << msg;
}

TEST(CheckCsvFieldCounts, NamesAnOddUnquotedQuote) {
    const auto msg =
        field_count_error("quote.csv", "id,lon,lat\na1,5.1,45.2\nb1,5.2,45\"N\nc1,5.3,45.3\n");
    EXPECT_NE(msg.find("quote.csv: line 3"), std::string::npos) << msg;
    EXPECT_NE(msg.find("'45\"N'"), std::string::npos) << msg;
}

TEST(CsvWriter, RoundTripsThroughGdal) {
    const auto path = fs::temp_directory_path() / "maillage-csv-test" / "written.csv";
    fs::create_directories(path.parent_path());
    {
        maillage::io::CsvWriter w(path.string());
        for (const char* h : {"id", "name", "km"}) {
            w.field(h);
        }
        w.end_record();
        w.field("x1");
        w.field("a, \"quoted\" name");
        w.field(12.34567, 4);
        w.end_record();
        w.field("x2");
        w.empty_field();
        w.field(0.00004, 4);
        w.end_record();
        w.close();
    }
    std::vector<std::string> header;
    const auto rows = read_with_gdal(path, header);
    EXPECT_EQ(header, (std::vector<std::string>{"id", "name", "km"}));
    ASSERT_EQ(rows.size(), 2U);
    EXPECT_EQ(rows[0], (std::vector<std::string>{"x1", "a, \"quoted\" name", "12.3457"}));
    EXPECT_EQ(rows[1], (std::vector<std::string>{"x2", "", "0.0000"}));
}

} // namespace

TEST(CsvPointReader, DecimalCommaInACommaSeparatedFileIsAnError) {
    // Line 3 reads as 5 fields under a 3-column header: lon '5', lat '065' would be wrong points.
    const auto path =
        write_temp("points-decimal-comma.csv", "id,lon,lat\np1,5.5,45.5\np2,5,065,45,045\n")
            .string();
    maillage::io::CsvPointReader in(path);
    std::vector<std::string> record;
    std::optional<maillage::geo::LonLat> point;
    ASSERT_TRUE(in.next(record, point));
    ASSERT_TRUE(point.has_value());
    EXPECT_EQ(point->lon, 5.5);
    EXPECT_EQ(point->lat, 45.5);
    try {
        in.next(record, point);
        FAIL() << "a record with more values than the header must stop the read";
    } catch (const maillage::input_error& e) {
        const std::string m = e.what();
        EXPECT_EQ(m.rfind(path + ": line 3 has 5 fields separated by ','", 0), 0U) << m;
    }
}
