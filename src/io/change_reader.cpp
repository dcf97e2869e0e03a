#include "maillage/io/change_reader.hpp"

#include "maillage/core/error.hpp"
#include "maillage/core/format.hpp"
#include "maillage/io/csv_stream.hpp"
#include "maillage/io/site_reader.hpp"

#include <cctype>
#include <map>
#include <sstream>
#include <utility>

namespace maillage::io {
namespace {

using core::trim;

std::string lower(std::string s) {
    for (auto& c : s) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return s;
}

/// The columns of a file of changes, by trimmed lower-case name.
class ChangeColumns {
public:
    ChangeColumns(std::string path, std::vector<std::string> header)
        : m_path(std::move(path)), m_header(std::move(header)) {
        for (std::size_t k = 0; k < m_header.size(); ++k) {
            m_col.emplace(lower(trim(m_header[k])), k);
        }
    }

    /// The index of a column the file must have; throws input_error naming the columns it has.
    std::size_t need(const std::string& name) const {
        const auto it = m_col.find(name);
        if (it == m_col.end()) {
            std::string have;
            for (const auto& h : m_header) {
                have += (have.empty() ? "" : ", ") + h;
            }
            throw input_error(m_path + ": line 1: no column '" + name + "' (columns: " + have +
                              "); a file of changes has the columns action, id, lon, lat, name.");
        }
        return it->second;
    }

    /// The trimmed value of a column in a record (empty if the file or the record lacks it).
    std::string field(const std::vector<std::string>& f, const std::string& name) const {
        const auto it = m_col.find(name);
        return it == m_col.end() || it->second >= f.size() ? std::string() : trim(f[it->second]);
    }

private:
    std::string m_path;
    std::vector<std::string> m_header;
    std::map<std::string, std::size_t> m_col;
};

/// One record of a file of changes whose action is `action` (lower case).
SiteChange read_change(const ChangeColumns& cols, const std::vector<std::string>& f,
                       const std::string& action, const std::string& action_text,
                       const std::string& where) {
    SiteChange c;
    c.where = where;
    c.id = cols.field(f, "id");
    c.name = cols.field(f, "name");
    if (action == "close") {
        cols.need("id");
        if (c.id.empty()) {
            throw input_error(where + ": action close without a site id.");
        }
    } else if (action == "open") {
        cols.need("lon");
        cols.need("lat");
        const auto lon = parse_number(cols.field(f, "lon"));
        const auto lat = parse_number(cols.field(f, "lat"));
        if (!lon || !lat) {
            throw input_error(where + ": action open: longitude '" + cols.field(f, "lon") +
                              "' and latitude '" + cols.field(f, "lat") +
                              "' must be numbers (WGS84 degrees).");
        }
        if (const auto p = lonlat_range_problem(*lon, *lat); !p.empty()) {
            throw input_error(where + ": action open: " + p + ".");
        }
        c.open = true;
        c.position = {*lon, *lat};
    } else {
        throw input_error(where + ": action '" + action_text + "' is neither close nor open.");
    }
    return c;
}

} // namespace

std::vector<SiteChange> read_changes(const std::string& path) {
    CsvReader reader(path);
    const ChangeColumns cols(path, reader.header());
    const auto action_col = cols.need("action");
    std::vector<SiteChange> out;
    std::vector<std::string> f;
    while (reader.next(f)) {
        const std::string where = path + ": line " + std::to_string(reader.line());
        const bool has_action = action_col < f.size();
        out.push_back(read_change(cols, f, lower(has_action ? trim(f[action_col]) : ""),
                                  has_action ? f[action_col] : "", where));
    }
    return out;
}

std::string lonlat_range_problem(double lon, double lat) {
    if (lon >= -180.0 && lon <= 180.0 && lat >= -90.0 && lat <= 90.0) {
        return {};
    }
    std::ostringstream o;
    o << "longitude " << lon << ", latitude " << lat
      << " is out of range (longitude -180..180, latitude -90..90, WGS84 degrees)";
    if (lat >= -180.0 && lat <= 180.0 && lon >= -90.0 && lon <= 90.0) {
        o << "; are longitude and latitude swapped? The order is LON,LAT";
    }
    return o.str();
}

} // namespace maillage::io
