#include "maillage/analysis/nearest_join.hpp"

#include "maillage/core/parallel.hpp"

#include <chrono>

namespace maillage::analysis {

void nearest_join(const index::SiteIndex& index, std::span<const geo::LonLat> points,
                  std::span<const char> usable, const NearestJoinOptions& options,
                  std::vector<std::vector<index::Hit>>& hits) {
    hits.resize(points.size());
    const auto k = options.k;
    const double max_m = options.max_m;
    core::parallel_for(points.size(), 1024, [&](std::size_t u) {
        hits[u].clear();
        if (usable[u] == 0) {
            return;
        }
        if (k == 1) {
            const auto h = index.nearest(points[u]);
            if (h.distance_m <= max_m) {
                hits[u].push_back(h);
            }
        } else {
            hits[u] = index.k_nearest(points[u], k);
            while (!hits[u].empty() && hits[u].back().distance_m > max_m) {
                hits[u].pop_back();
            }
        }
    });
}

NearestJoinStats nearest_join_chunked(const index::SiteIndex& index,
                                      const NearestJoinOptions& options, std::size_t chunk_size,
                                      const ReadPoints& read, const WriteHits& write) {
    NearestJoinStats stats;
    PointChunk chunk;
    bool more = true;
    while (more) {
        chunk.points.clear();
        chunk.usable.clear();
        more = read(chunk, chunk_size);
        const auto t = std::chrono::steady_clock::now();
        nearest_join(index, chunk.points, chunk.usable, options, chunk.hits);
        stats.query_s +=
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
        write(chunk);
        stats.points += chunk.points.size();
    }
    return stats;
}

} // namespace maillage::analysis
