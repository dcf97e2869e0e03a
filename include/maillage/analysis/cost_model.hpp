#pragma once

// The cost of reaching a site from a point of the study area, behind one small interface: every
// per-cell and per-zone figure (nearest site, its distance, the catchments, the sums) is made of
// it. Today the only model is the geodesic distance (GeodesicCost); a travel time by road or by
// public transport plugs in by implementing CostModel, without touching the commands.

#include "maillage/geo/geodesic.hpp"
#include "maillage/index/site_index.hpp"

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace maillage::analysis {

/// A site reached from a point, and the cost of reaching it.
struct SiteCost {
    std::uint32_t site = 0; ///< position in the sites the model was built from
    double cost = 0.0;      ///< in the model's unit (metres for GeodesicCost)
};

/// The cost of reaching the sites of a network from points of the study area. Costs are in the
/// unit of the thresholds they are compared with (metres for the geodesic distance). Queries are
/// thread-safe; prepare() is not.
class CostModel {
public:
    CostModel() = default;
    virtual ~CostModel() = default;
    CostModel(const CostModel&) = delete;
    CostModel& operator=(const CostModel&) = delete;
    CostModel(CostModel&&) = delete;
    CostModel& operator=(CostModel&&) = delete;

    /// Number of sites.
    [[nodiscard]] virtual std::size_t size() const = 0;
    /// Speeds up the many queries to come over an area (points spanning it): results unchanged.
    /// `expected_queries` tells how many to expect (few: nothing is prepared).
    virtual void prepare(std::span<const geo::LonLat> area, std::size_t expected_queries) = 0;
    /// The cheapest site from a cell centre (ECEF, on the ellipsoid), and its cost; ties go to
    /// the lower position. Requires size() > 0.
    [[nodiscard]] virtual SiteCost nearest(const geo::Ecef& at) const = 0;
    /// The cheapest site from a point given by longitude and latitude, and its cost.
    [[nodiscard]] virtual SiteCost nearest(geo::LonLat at) const = 0;
    /// The cost of reaching `site` from a cell centre.
    [[nodiscard]] virtual double cost(const geo::Ecef& at, std::uint32_t site) const = 0;
    /// False only when the cost of reaching `site` from `at` is surely above `limit`: a cheap
    /// test that spares cost() (true when in doubt).
    [[nodiscard]] virtual bool may_reach(const geo::Ecef& at, std::uint32_t site,
                                         double limit) const = 0;
    /// Number of sites whose cost from `at` is at most `limit`.
    [[nodiscard]] virtual std::size_t count_within(geo::LonLat at, double limit) const = 0;
    /// Every site whose cost from `at` is at most `limit`, by cost then position.
    [[nodiscard]] virtual std::vector<SiteCost> within(geo::LonLat at, double limit) const = 0;
};

/// The geodesic distance (WGS84, metres) through an index::SiteIndex: exact nearest sites, the
/// distance of geo::geodesic_distance_m to a given site.
class GeodesicCost final : public CostModel {
public:
    /// A micrometre: the rounding of a chord (~1e-9 m) is far below it.
    static constexpr double chord_margin_m = 1e-6;
    /// The bucket table of prepare() covers the area widened by this much.
    static constexpr double prepare_margin_deg = 0.05;

    /// Over the sites at these positions (copied).
    explicit GeodesicCost(std::span<const geo::LonLat> sites);

    [[nodiscard]] std::size_t size() const override { return m_position.size(); }
    void prepare(std::span<const geo::LonLat> area, std::size_t expected_queries) override;
    [[nodiscard]] SiteCost nearest(const geo::Ecef& at) const override;
    [[nodiscard]] SiteCost nearest(geo::LonLat at) const override;
    [[nodiscard]] double cost(const geo::Ecef& at, std::uint32_t site) const override;
    /// The chord, never longer than the geodesic it subtends, is above `limit` (plus a
    /// micrometre of rounding margin).
    [[nodiscard]] bool may_reach(const geo::Ecef& at, std::uint32_t site,
                                 double limit) const override;
    [[nodiscard]] std::size_t count_within(geo::LonLat at, double limit) const override;
    [[nodiscard]] std::vector<SiteCost> within(geo::LonLat at, double limit) const override;

    /// The sites' ECEF coordinates, by position (for geodesic bounds such as chords).
    [[nodiscard]] const std::vector<geo::Ecef>& ecef() const { return m_ecef; }
    /// The index itself, for the queries about the sites' own layout (k nearest, within).
    [[nodiscard]] const index::SiteIndex& index() const { return m_index; }

private:
    std::vector<geo::LonLat> m_position;
    std::vector<geo::Ecef> m_ecef;
    index::SiteIndex m_index;
};

} // namespace maillage::analysis
