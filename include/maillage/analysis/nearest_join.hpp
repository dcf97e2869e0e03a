#pragma once

// The nearest join of `maillage nearest`: for every point, the k nearest sites (exact WGS84
// geodesic distances, by index::SiteIndex), those farther than a limit left out; in parallel,
// a chunk of points at a time so that memory stays bounded on millions of points.

#include "maillage/geo/geodesic.hpp"
#include "maillage/index/site_index.hpp"

#include <cstddef>
#include <functional>
#include <limits>
#include <span>
#include <vector>

namespace maillage::analysis {

/// What a nearest join looks for.
struct NearestJoinOptions {
    std::size_t k = 1; ///< sites per point, 1 or more
    /// Sites farther than this (geodesic, metres) are left out; infinity: none is.
    double max_m = std::numeric_limits<double>::infinity();
};

/// The k nearest sites within options.max_m of each point, in parallel: hits[i] for points[i],
/// nearest first (ties as index::SiteIndex orders them), empty when usable[i] is 0 or no site
/// is close enough. `hits` is resized to the number of points. Requires a non-empty index.
void nearest_join(const index::SiteIndex& index, std::span<const geo::LonLat> points,
                  std::span<const char> usable, const NearestJoinOptions& options,
                  std::vector<std::vector<index::Hit>>& hits);

/// A chunk of a chunked join: the points read, and the hits found for them.
struct PointChunk {
    std::vector<geo::LonLat> points;
    std::vector<char> usable; ///< 0: no usable coordinates (its point is ignored)
    std::vector<std::vector<index::Hit>> hits;
};

/// What a chunked join did.
struct NearestJoinStats {
    std::size_t points = 0; ///< points read (usable or not)
    double query_s = 0.0;   ///< seconds spent in nearest_join
};

/// Adds points to a chunk (points and usable, in step) up to `capacity` of them; returns false
/// when the input has ended (the points added by that last call are joined all the same).
using ReadPoints = std::function<bool(PointChunk& chunk, std::size_t capacity)>;
/// Receives a chunk once joined (its hits filled), in the order read.
using WriteHits = std::function<void(const PointChunk& chunk)>;

/// The nearest join of a stream of points: reads `chunk_size` points at a time, joins them
/// (nearest_join), hands them on; the chunk is emptied before each read.
NearestJoinStats nearest_join_chunked(const index::SiteIndex& index,
                                      const NearestJoinOptions& options, std::size_t chunk_size,
                                      const ReadPoints& read, const WriteHits& write);

} // namespace maillage::analysis
