#pragma once

// Spatial accessibility index: the enhanced two-step floating catchment area method (E2SFCA,
// Luo & Qi 2009), the method of the French "accessibilité potentielle localisée" (APL,
// DREES/IRDES), over the population grid of `analyse`. See docs/method.md, section 10.

#include "maillage/analysis/analysis.hpp"
#include "maillage/model/site.hpp"
#include "maillage/model/zone.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace maillage::analysis {

/// The index is expressed per this many inhabitants: with a capacity of 1 per site, it reads
/// "sites per 100,000 inhabitants" (distance-weighted).
inline constexpr double access_per_inhabitants = 100000.0;

/// The default decay bands (km): Luo & Qi's weights 1, 0.68, 0.22 (Gaussian-derived) over
/// 0-10, 10-20 and 20-30, in km of geodesic distance here.
inline constexpr const char* default_access_bands = "0-10:1,10-20:0.68,20-30:0.22";

/// Distance decay W(d) of the E2SFCA.
/// - Bands: W(d) = w_k for from_k < d <= to_k (the first band includes 0), 0 beyond the last.
/// - Gaussian (Dai 2010): W(d) = (exp(-d^2 / (2 d0^2)) - exp(-1/2)) / (1 - exp(-1/2)) for
///   d <= d0, 0 beyond; W(0) = 1, W(d0) = 0.
class Decay {
public:
    struct Band {
        double from_m = 0.0;
        double to_m = 0.0;
        double weight = 0.0;
    };

    /// Band decay. The bands must start at 0, follow each other without gap or overlap (each
    /// from_m the previous to_m), have from_m < to_m and a finite weight >= 0: the caller checks
    /// them (the CLI parses and checks --bands).
    static Decay bands(std::vector<Band> bands);
    /// The bands of default_access_bands.
    static Decay default_bands();
    /// Gaussian decay with catchment radius d0 (metres, > 0).
    static Decay gaussian(double d0_m);

    [[nodiscard]] double weight(double distance_m) const;
    /// Bands: the position of the band holding distance_m (band_list().size() beyond the last).
    [[nodiscard]] std::size_t band_of(double distance_m) const;
    /// Every weight beyond this distance is 0: the radius of the catchments.
    [[nodiscard]] double radius_m() const { return m_radius_m; }
    [[nodiscard]] bool is_gaussian() const { return m_gaussian; }
    [[nodiscard]] const std::vector<Band>& band_list() const { return m_bands; }
    /// For summary.json: {"kind": "bands", "bands": [...]} or {"kind": "gaussian", "d0_km": ...}.
    [[nodiscard]] nlohmann::ordered_json to_json() const;

private:
    bool m_gaussian = false;
    std::vector<Band> m_bands;
    double m_radius_m = 0.0;
};

/// Context zones (docs/method.md, section 10, "Context zones"): zones outside the study area
/// whose people share the sites near the border. Their population is demand in step 1 only, on a
/// grid aligned cell for cell with the study grid (same projection, cell size and snapping) and
/// spread over it the same way (whole persons per cell; a zone without a cell on its reference
/// point). Where a context zone covers the study area, the study area wins: those cells and their
/// share of the context zone's population are left out.
struct ContextDemand {
    /// zone: the context zone of each cell, -1 outside the context zones and in the study area;
    /// population: its share there (0 in the study area).
    PopulationGrid grid;
    std::vector<geo::LonLat> point_position; ///< context zones without a cell: reference point
    std::vector<double> point_population;
    std::size_t zones = 0;
    double population = 0.0;        ///< sum of the context zones' populations, as read
    double population_demand = 0.0; ///< the part on cells and points outside the study area
    /// The part of the context zones' population on cells (or reference points) of the study
    /// area: not demand, the study zones already hold those people.
    double population_in_study_area = 0.0;
    std::size_t point_demands = 0; ///< zones without a cell, outside the study area
    /// Context zones with more than a sliver in the study area: wholly inside it, or at least 2
    /// cells and more than 1 % of their cells there (a zone without a cell: its reference point).
    std::vector<std::size_t> overlapping;
    std::size_t zones_inside = 0; ///< context zones wholly in the study area (no demand left)
};

/// The demand of the context zones (already read, WGS84) on the study grid of `base` (from
/// analyse() on `zones`, the study zones).
ContextDemand context_demand(const geo::GeosContext& ctx, const std::vector<model::Zone>& context,
                             const std::vector<model::Zone>& zones, const AnalysisResult& base);

struct AccessParameters {
    Decay decay = Decay::default_bands();
    /// Zones whose index is below this share of the regional mean are flagged.
    double below = 0.5;
};

struct AccessGroup {
    std::string group;
    double population = 0.0;
    double weighted_sum = 0.0; ///< sum of population x index (per inhabitant)
    std::uint32_t zones = 0;
    std::uint32_t zones_below = 0;
    double population_below = 0.0; ///< population of the zones flagged below
};

/// The index of every demand point, cell and zone. Indices here are per inhabitant (multiply by
/// access_per_inhabitants for the outputs), except the float raster, already per 100,000.
struct AccessResult {
    /// Per grid cell, per 100,000 inhabitants; NaN outside the study area, 0 where no site is in
    /// reach.
    std::vector<float> cell_index;
    std::vector<double> zone_index; ///< per zone: population-weighted mean of its cells
    std::vector<bool> zone_below;   ///< zone_index < below x mean_index
    /// Per zone: sites with a non-zero weight from the reference point (and a defined ratio).
    std::vector<std::uint32_t> zone_sites_in_reach;
    std::vector<double> site_demand; ///< per site: sum of P_k W(d_kj) over the demand
    /// Per site: R_j = S_j / demand_j; NaN when the site reaches nobody (demand 0): undefined,
    /// reported and left out of every index.
    std::vector<double> site_ratio;
    std::vector<std::uint32_t> unreached_sites; ///< positions of the sites reaching nobody
    double supply_total = 0.0;                  ///< sum of the capacities
    double supply_served = 0.0;                 ///< sum of the capacities of reached sites
    double population_total = 0.0;              ///< over the demand points (cells + point demands)
    /// sum over the demand of population x index: equals supply_served (conservation).
    double weighted_sum = 0.0;
    double mean_index = 0.0; ///< weighted_sum / population_total
    double p10 = 0.0;        ///< population-weighted quantiles of the index
    double p50 = 0.0;
    double p90 = 0.0;
    double max_index = 0.0;          ///< largest index where someone lives
    double population_no_site = 0.0; ///< demand with no site in reach (index 0)
    double threshold = 0.0;          ///< below x mean_index
    std::uint32_t zones_below = 0;
    double population_below = 0.0; ///< population of the zones flagged below
    /// Population of the demand points (cells, point demands) whose own index is below the
    /// threshold, wherever their zone stands.
    double population_below_cells = 0.0;
    std::vector<AccessGroup> groups; ///< sorted by group
    /// With context zones (else all 0): their demand (population, and the part of it within
    /// the radius of a site with a non-zero weight), the sites it reaches, and the sum over it
    /// of population x index, so that weighted_sum + context_weighted_sum = supply_served.
    double context_population = 0.0;
    double context_population_in_reach = 0.0;
    double context_weighted_sum = 0.0;
    std::uint32_t context_sites = 0; ///< sites with some context demand
    /// Per site: the part of site_demand from the context zones.
    std::vector<double> site_context_demand;
    std::vector<std::pair<std::string, double>> timings_s;
};

/// The E2SFCA over the grid and point demands of an analysis (`base`, from analyse() on the
/// same sites and zones). Distances are exact geodesics (SiteIndex::within from every cell centre
/// and reference point). Sums are made in cell order: the result does not depend on the number
/// of threads.
/// `context`, when given: the demand of the context zones (context_demand()), added to the
/// sites' demand in step 1; their own index is only summed into context_weighted_sum.
AccessResult compute_access(const std::vector<model::Site>& sites,
                            const std::vector<model::Zone>& zones, const AnalysisResult& base,
                            const AccessParameters& params, const ProgressFn& progress = {},
                            const ContextDemand* context = nullptr);

} // namespace maillage::analysis
