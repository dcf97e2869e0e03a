#pragma once

// The changes to a network of sites that `maillage whatif` tries: sites to close (by id) and
// sites to open (at a position), as read from a file of changes (`--changes FILE`).

#include "maillage/geo/geodesic.hpp"

#include <string>
#include <vector>

namespace maillage::io {

/// A change as given: on the command line or in a file of changes.
struct SiteChange {
    bool open = false;
    std::string id; ///< close: the site to close; open: the new site's id (may be empty)
    std::string name;
    geo::LonLat position; ///< open: where the new site goes (WGS84)
    std::string where;    ///< "--close", "--open '...'", "FILE: line N"
};

/// Reads a CSV of changes: a header with `action` and the columns it needs (id for close; lon
/// and lat for open; name and id optional for open), one change a record, in order. Column
/// names are matched trimmed and case-insensitively; actions too. Throws input_error naming the
/// file, line and value of the first problem.
std::vector<SiteChange> read_changes(const std::string& path);

/// Why a longitude / latitude pair is out of range (with a hint when it looks swapped), or
/// empty if it is fine.
std::string lonlat_range_problem(double lon, double lat);

} // namespace maillage::io
