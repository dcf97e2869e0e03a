// libFuzzer harness: the readers of site and point CSV files.
//  - maillage::io::read_sites on the input as a CSV (GDAL's CSV driver through /vsimem/), as
//    `maillage analyse|nearest --sites x.csv` reads it; the input size picks a variant: plain,
//    --strict, or a --site-filter (which reads the file a second time with typed columns);
//  - maillage::io::CsvReader (the streaming reader of `maillage nearest --points x.csv
//    --out y.csv`) on the same bytes, every field of every record through parse_number.
// Seeds: tests/data/**/sites*.csv (scripts/fuzz.sh).

#include "fuzz_support.hpp"

#include "maillage/geo/geodesic.hpp"
#include "maillage/io/csv_stream.hpp"
#include "maillage/io/site_reader.hpp"

#include <cstddef>
#include <cstdint>
#include <vector>

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
    maillage::fuzz::init();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace maillage;
    {
        const fuzz::MemFile file("/vsimem/fuzz/sites.csv", data, size);
        io::SiteReadOptions o;
        o.path = file.path();
        switch (size % 3) {
        case 1:
            o.strict = true;
            break;
        case 2:
            o.filter = "lon > 0";
            break;
        default:
            break;
        }
        fuzz::expect_documented_errors([&] {
            const auto set = io::read_sites(o);
            // What the commands do next with the sites: a lon/lat for the index, an id, text.
            for (const auto& s : set.sites) {
                if (!geo::is_valid_lonlat(s.position) || s.id.empty()) {
                    fuzz::finding("read_sites", "a site out of range or without id: " + s.id);
                }
            }
            if (set.report.used != set.sites.size()) {
                fuzz::finding("read_sites", "report.used differs from the number of sites");
            }
        });
    }
    {
        const auto path = fuzz::write_scratch_file("points.csv", data, size);
        fuzz::expect_documented_errors([&] {
            io::CsvReader in(path);
            std::vector<std::string> record;
            std::size_t last_line = 0;
            while (in.next(record)) {
                if (in.line() <= last_line) {
                    fuzz::finding("CsvReader", "record lines do not increase");
                }
                last_line = in.line();
                for (const auto& field : record) {
                    (void)io::parse_number(field);
                }
            }
        });
    }
    return 0;
}
