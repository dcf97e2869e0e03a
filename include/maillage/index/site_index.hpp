#pragma once

#include "maillage/geo/geodesic.hpp"

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace maillage::index {

/// A site found by a query: its position in the vector the index was built from, and its
/// WGS84 geodesic distance in metres.
struct Hit {
    std::uint32_t site = 0;
    double distance_m = 0.0;
};

/// Exact geodesic nearest-site queries. A k-d tree over Earth-centred (ECEF) coordinates
/// proposes candidates by chord length; since a chord is never longer than the geodesic it
/// subtends, every site the geodesic could prefer lies within a chord radius equal to the best
/// geodesic found, and the geodesic decides among them. Results are therefore those of a brute
/// force over every site with the same distance function; sites at the same distance to within
/// rounding (far below 1 mm) may come in either order, exact duplicates by the lower position.
/// Queries are thread-safe.
class SiteIndex {
public:
    explicit SiteIndex(std::span<const geo::LonLat> sites);
    ~SiteIndex();
    SiteIndex(SiteIndex&&) noexcept;
    SiteIndex& operator=(SiteIndex&&) noexcept;
    SiteIndex(const SiteIndex&) = delete;
    SiteIndex& operator=(const SiteIndex&) = delete;

    [[nodiscard]] std::size_t size() const;

    /// Speeds up the many queries to come over an area: builds a table of buckets (a square grid
    /// on the gnomonic projection centred on `area`, over its bounding box widened by
    /// `margin_deg`), each with the few sites that can be nearest to any point inside it. A
    /// query then scans its bucket's list instead of walking the tree; queries outside the table
    /// walk the tree as before. Results are exactly the same either way.
    /// Not thread-safe: call before the queries. `expected_queries` sizes the table (a table
    /// costs about as much to build as a few queries per bucket); with few queries it is skipped.
    void prepare(std::span<const geo::LonLat> area, double margin_deg,
                 std::size_t expected_queries);

    /// Number of buckets of the table built by prepare() (0 if none), for tests and logs.
    [[nodiscard]] std::size_t bucket_count() const;

    /// Nearest site. Requires size() > 0.
    [[nodiscard]] Hit nearest(geo::LonLat p) const;
    /// Nearest site of a point given by its ECEF coordinates (on the ellipsoid), for hot loops
    /// that have them without the longitude and latitude (see EqualAreaProjection::inverse_ecef).
    [[nodiscard]] Hit nearest_ecef(const geo::Ecef& e) const;

    /// The k nearest sites (fewer if the index holds fewer), by distance then position.
    [[nodiscard]] std::vector<Hit> k_nearest(geo::LonLat p, std::size_t k) const;

    /// Every site within radius_m (geodesic), by distance then position.
    [[nodiscard]] std::vector<Hit> within(geo::LonLat p, double radius_m) const;

    /// Number of sites within radius_m (geodesic).
    [[nodiscard]] std::size_t count_within(geo::LonLat p, double radius_m) const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace maillage::index
