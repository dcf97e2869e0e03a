#pragma once

// The result file of `maillage nearest`: every point with its fields, then the k nearest sites
// (nearest_site_id, nearest_site_name, nearest_km, then _2, _3...), in the format of the file's
// extension; points from CSV to CSV are streamed as text.

#include "maillage/analysis/nearest_join.hpp"
#include "maillage/index/site_index.hpp"
#include "maillage/model/site.hpp"
#include "maillage/output/layer_writer.hpp"

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace maillage::output {

/// What to join and where to write it.
struct NearestRequest {
    std::string points;     ///< the points: any OGR layer, or a CSV with lon/lat columns
    std::string points_crs; ///< overrides the points' CRS when not empty
    std::string out;        ///< the result file (written through a staging folder)
    VectorFormat format = VectorFormat::csv;
    analysis::NearestJoinOptions join;
    /// A point without usable coordinates stops the run (input_error) instead of being left
    /// without a result.
    bool strict = false;
};

/// What the join of a file did.
struct NearestRun {
    std::size_t points = 0;   ///< points read
    std::size_t unusable = 0; ///< points without usable coordinates, results left empty
    double query_s = 0.0;     ///< seconds in the nearest queries
    double io_s = 0.0;        ///< seconds reading and writing the points
};

/// Receives a warning's text (without "warning: ").
using NearestWarn = std::function<void(const std::string& message)>;

/// Joins every point of request.points to its nearest `sites` (the index was built from their
/// positions, in order) and writes request.out. Warns about input fields replaced by a result
/// and about the first five points without usable coordinates.
NearestRun write_nearest(const NearestRequest& request, const std::vector<model::Site>& sites,
                         const index::SiteIndex& index, const NearestWarn& warn);

} // namespace maillage::output
