#include "maillage/analysis/access.hpp"
#include "internal.hpp"

#include "maillage/analysis/cost_model.hpp"
#include "maillage/analysis/zone_sums.hpp"
#include "maillage/core/parallel.hpp"

#include "maillage/analysis/statistics.hpp"
#include "maillage/core/error.hpp"
#include "maillage/geo/geodesic.hpp"
#include "maillage/index/site_index.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <sstream>

namespace maillage::analysis {
namespace {

std::string number_text(double v) {
    std::ostringstream o;
    o << v;
    return o.str();
}

} // namespace

Decay Decay::bands(std::vector<Band> bands) {
    Decay d;
    d.m_bands = std::move(bands);
    // Trailing bands of weight 0 do not widen the catchments.
    d.m_radius_m = 0.0;
    for (const auto& b : d.m_bands) {
        if (b.weight > 0) {
            d.m_radius_m = b.to_m;
        }
    }
    return d;
}

Decay Decay::default_bands() {
    // default_access_bands, in metres.
    return bands({{0.0, 10000.0, 1.0}, {10000.0, 20000.0, 0.68}, {20000.0, 30000.0, 0.22}});
}

Decay Decay::gaussian(double d0_m) {
    if (!(d0_m > 0) || !std::isfinite(d0_m)) {
        throw usage_error("--d0-km must be a distance in km greater than 0 (got " +
                          number_text(d0_m / 1000.0) + ").");
    }
    Decay d;
    d.m_gaussian = true;
    d.m_radius_m = d0_m;
    return d;
}

double Decay::weight(double distance_m) const {
    if (m_gaussian) {
        if (distance_m > m_radius_m) {
            return 0.0;
        }
        const double q = distance_m / m_radius_m;
        const double e_half = std::exp(-0.5);
        return std::max(0.0, (std::exp(-0.5 * q * q) - e_half) / (1.0 - e_half));
    }
    for (const auto& b : m_bands) {
        if (distance_m <= b.to_m) {
            return b.weight;
        }
    }
    return 0.0;
}

std::size_t Decay::band_of(double distance_m) const {
    std::size_t k = 0;
    while (k < m_bands.size() && distance_m > m_bands[k].to_m) {
        ++k;
    }
    return k;
}

nlohmann::ordered_json Decay::to_json() const {
    nlohmann::ordered_json j;
    if (m_gaussian) {
        j["kind"] = "gaussian";
        j["d0_km"] = m_radius_m / 1000.0;
        j["formula"] = "W(d) = (exp(-(d/d0)^2/2) - exp(-1/2)) / (1 - exp(-1/2)) for d <= d0, "
                       "0 beyond (Dai 2010)";
    } else {
        j["kind"] = "bands";
        auto arr = nlohmann::ordered_json::array();
        for (const auto& b : m_bands) {
            arr.push_back(
                {{"from_km", b.from_m / 1000.0}, {"to_km", b.to_m / 1000.0}, {"weight", b.weight}});
        }
        j["bands"] = arr;
        j["formula"] = "W(d) = weight of the band with from < d <= to (the first from 0), 0 beyond";
    }
    j["radius_km"] = m_radius_m / 1000.0;
    return j;
}

namespace {

/// (site, partial demand) of one row of blocks.
using SiteSums = std::vector<std::pair<std::uint32_t, double>>;

/// Cells are visited by square blocks of `side` cells. One query per block gives the candidate
/// sites: every site within the radius plus the block's reach (the geodesic distance from the
/// block's centre to its farthest corner cell, with a margin) of the block's centre, a superset
/// of the sites within the radius of any of its cells (triangle inequality). Each cell then
/// measures the cost (the exact geodesic) to each candidate; a chord longer than the radius
/// rules a candidate out at once (a chord is never longer than its geodesic). Unlike the cell
/// pass, every site within the radius counts, not the nearest only: the block search and the
/// chord tests are geodesic bounds, the cost itself comes from the model.
class BlockVisitor {
public:
    BlockVisitor(const GeodesicCost& model, const Decay& decay,
                 const geo::EqualAreaProjection& projection, double cell_m)
        : m_model(model), m_decay(decay), m_projection(projection), m_radius(decay.radius_m()) {
        m_side =
            std::clamp(static_cast<int>(std::floor(m_radius / 8.0 / std::max(cell_m, 1.0))), 1, 16);
        m_radius2 = m_radius * m_radius;
        // With bands, the weight only depends on the band. The series distance of geodesic.hpp
        // exceeds the chord c by c^3 k^2 / 24 + 3 c^5 k^4 / 640, k <= 1 / M_min (the smallest
        // radius of curvature of WGS84, a (1 - e^2), at the equator): at most `slack` for
        // chords up to the radius. When c and c + slack fall in the same band, so does the
        // distance, and its weight is known without computing it; otherwise (a cell within a
        // few cm of a band edge) the distance is computed. The weights are exactly those of
        // the computed distances.
        constexpr double m_min = 6378137.0 * (1.0 - 0.00669437999014); // a (1 - e^2)
        const double k2 = 1.0 / (m_min * m_min);
        const double r = m_radius;
        m_slack = (r * r * r * k2 / 24.0 + 3.0 * std::pow(r, 5) * k2 * k2 / 640.0) * 1.001 + 1e-6;
        m_by_band = !decay.is_gaussian() && r <= geo::short_chord_m;
    }

    /// Side of a block, in cells.
    [[nodiscard]] int side() const { return m_side; }
    /// Rows of blocks of a grid.
    [[nodiscard]] int block_rows(const PopulationGrid& g) const {
        return (g.height + m_side - 1) / m_side;
    }
    /// Columns of blocks of a grid.
    [[nodiscard]] int block_cols(const PopulationGrid& g) const {
        return (g.width + m_side - 1) / m_side;
    }

    /// Calls fn(cell, site, weight) for every cell of `vg` (the study grid, or the context
    /// zones' grid, aligned with it) in block (brow, bcol) that belongs to a zone, and every site
    /// with a non-zero weight from it, cells in row order, sites by candidate order (so the calls
    /// for one cell follow each other).
    template <class Fn>
    void visit(const PopulationGrid& vg, int brow, int bcol, std::vector<index::Hit>& candidates,
               const Fn& fn) const {
        const auto vwidth = static_cast<std::size_t>(vg.width);
        const int r0 = brow * m_side;
        const int c0 = bcol * m_side;
        const int r1 = std::min(vg.height, r0 + m_side);
        const int c1 = std::min(vg.width, c0 + m_side);
        if (!any_in_zone(vg, r0, r1, c0, c1)) {
            return;
        }
        candidates = block_candidates(vg, r0, r1, c0, c1);
        for (int r = r0; r < r1; ++r) {
            for (int c = c0; c < c1; ++c) {
                const std::size_t cell =
                    static_cast<std::size_t>(r) * vwidth + static_cast<std::size_t>(c);
                if (vg.zone[cell] >= 0) {
                    visit_cell(m_projection.inverse_ecef(vg.centre(cell)), cell, candidates, fn);
                }
            }
        }
    }

private:
    static bool any_in_zone(const PopulationGrid& vg, int r0, int r1, int c0, int c1) {
        const auto vwidth = static_cast<std::size_t>(vg.width);
        for (int r = r0; r < r1; ++r) {
            for (int c = c0; c < c1; ++c) {
                if (vg.zone[static_cast<std::size_t>(r) * vwidth + static_cast<std::size_t>(c)] >=
                    0) {
                    return true;
                }
            }
        }
        return false;
    }

    [[nodiscard]] std::vector<index::Hit> block_candidates(const PopulationGrid& vg, int r0, int r1,
                                                           int c0, int c1) const {
        const auto vwidth = static_cast<std::size_t>(vg.width);
        const geo::XY centre{vg.min_x + (0.5 * (c0 + c1)) * vg.cell_m,
                             vg.max_y - (0.5 * (r0 + r1)) * vg.cell_m};
        const auto centre_ll = m_projection.inverse(centre);
        double reach = 0.0;
        for (const int r : {r0, r1 - 1}) {
            for (const int c : {c0, c1 - 1}) {
                const auto corner =
                    vg.centre(static_cast<std::size_t>(r) * vwidth + static_cast<std::size_t>(c));
                reach = std::max(reach,
                                 geo::geodesic_distance_m(centre_ll, m_projection.inverse(corner)));
            }
        }
        return m_model.index().within(centre_ll, m_radius + reach * 1.01 + 1.0);
    }

    template <class Fn>
    void visit_cell(const geo::Ecef& e, std::size_t cell, const std::vector<index::Hit>& candidates,
                    const Fn& fn) const {
        const auto& bands = m_decay.band_list();
        for (const auto& h : candidates) {
            const auto& se = m_model.ecef()[h.site];
            const double dx = se.x - e.x;
            const double dy = se.y - e.y;
            const double dz = se.z - e.z;
            const double c2 = dx * dx + dy * dy + dz * dz;
            if (c2 > m_radius2) {
                continue;
            }
            if (m_by_band) {
                const double chord = std::sqrt(c2);
                const std::size_t k = m_decay.band_of(chord);
                if (k == m_decay.band_of(chord + m_slack)) {
                    if (k < bands.size() && bands[k].weight > 0) {
                        fn(cell, h.site, bands[k].weight);
                    }
                    continue;
                }
            }
            const double d = m_model.cost(e, h.site);
            if (d <= m_radius) {
                const double w = m_decay.weight(d);
                if (w > 0) {
                    fn(cell, h.site, w);
                }
            }
        }
    }

    const GeodesicCost& m_model;
    const Decay& m_decay;
    const geo::EqualAreaProjection& m_projection;
    double m_radius;
    double m_radius2 = 0.0;
    double m_slack = 0.0;
    bool m_by_band = false;
    int m_side = 1;
};

/// One thread's buffers of the demand pass.
struct DemandBuffers {
    explicit DemandBuffers(std::size_t sites) : acc(sites, 0.0), seen(sites, 0) {}
    std::vector<double> acc;
    std::vector<char> seen;
    std::vector<std::uint32_t> touched;
    std::vector<index::Hit> candidates;
};

/// The buffers of the calling thread in a parallel_for, made on first use.
template <class T, class... Args>
T& thread_buffers(std::vector<std::unique_ptr<T>>& all, const Args&... args) {
    auto& b = all[static_cast<std::size_t>(core::thread_index())];
    if (!b) {
        b = std::make_unique<T>(args...);
    }
    return *b;
}

/// Reports the fraction of rows done from thread 0, then counts the row.
void row_done(const std::function<void(double)>& report, std::atomic<int>& rows_done, int rows) {
    if (report && core::thread_index() == 0) {
        report(static_cast<double>(rows_done.load()) / std::max(1, rows));
    }
    ++rows_done;
}

/// Everything compute_access() needs across its steps.
struct AccessRun {
    const std::vector<model::Site>& sites;
    const std::vector<model::Zone>& zones;
    const AnalysisResult& base;
    const Decay& decay;
    const GeodesicCost& model;
    const BlockVisitor& visitor;
    std::function<void(double)> demand_progress; ///< empty without a progress callback
    std::function<void(double)> access_progress;
};

/// The demand of one row of blocks of `g`: (site, partial sum) sorted by site, and the
/// population of its cells with a site in reach.
double demand_of_row(const AccessRun& run, const PopulationGrid& g, int brow, DemandBuffers& buf,
                     SiteSums& out) {
    double reach = 0.0;
    std::size_t last_cell = std::numeric_limits<std::size_t>::max();
    for (int bcol = 0; bcol < run.visitor.block_cols(g); ++bcol) {
        run.visitor.visit(g, brow, bcol, buf.candidates,
                          [&](std::size_t cell, std::uint32_t site, double w) {
                              const double pop = g.population[cell];
                              if (!(pop > 0)) {
                                  return;
                              }
                              if (cell != last_cell) {
                                  last_cell = cell;
                                  reach += pop;
                              }
                              if (buf.seen[site] == 0) {
                                  buf.seen[site] = 1;
                                  buf.touched.push_back(site);
                              }
                              buf.acc[site] += pop * w;
                          });
    }
    std::sort(buf.touched.begin(), buf.touched.end());
    out.reserve(buf.touched.size());
    for (const auto s : buf.touched) {
        out.emplace_back(s, buf.acc[s]);
        buf.acc[s] = 0.0;
        buf.seen[s] = 0;
    }
    buf.touched.clear();
    return reach;
}

/// Step 1 over a grid: demand of every site, D_j = sum_k P_k W(d_kj), over its inhabited cells.
/// Rows of blocks are measured in parallel, each into its own list of (site, partial sum); the
/// lists are then added in order, so the sums do not depend on the threads. `in_reach` (when not
/// null): the population of the cells with at least one site of non-zero weight, summed the
/// same way.
void demand_over(const AccessRun& run, const PopulationGrid& g, std::vector<double>& into,
                 double* in_reach) {
    const int g_rows = run.visitor.block_rows(g);
    std::vector<SiteSums> row_sums(static_cast<std::size_t>(g_rows));
    std::vector<double> row_reach(static_cast<std::size_t>(g_rows), 0.0);
    std::vector<std::unique_ptr<DemandBuffers>> buffers(
        static_cast<std::size_t>(core::max_threads()));
    std::atomic<int> rows_done{0};
    core::parallel_for(row_sums.size(), 1, [&](std::size_t brow) {
        auto& buf = thread_buffers(buffers, run.sites.size());
        row_reach[brow] = demand_of_row(run, g, static_cast<int>(brow), buf, row_sums[brow]);
        row_done(run.demand_progress, rows_done, g_rows);
    });
    buffers.clear();
    for (auto& row : row_sums) {
        for (const auto& [s, v] : row) {
            into[s] += v;
        }
        SiteSums().swap(row);
    }
    if (in_reach != nullptr) {
        for (const double v : row_reach) {
            *in_reach += v;
        }
    }
}

/// Step 1 at the zones without a cell (their population on their reference point); returns
/// their hits, kept for step 2.
std::vector<std::vector<SiteCost>> point_demand(const AccessRun& run, AccessResult& a) {
    const std::size_t nz = run.zones.size();
    const double radius = run.decay.radius_m();
    std::vector<std::vector<SiteCost>> point_hits(nz);
    for (std::size_t i = 0; i < nz; ++i) {
        if (run.base.zones[i].cells != 0) {
            continue;
        }
        point_hits[i] = run.model.within(run.base.zones[i].reference, radius);
        const double pop = run.base.zone_population[i];
        if (pop > 0) {
            for (const auto& h : point_hits[i]) {
                a.site_demand[h.site] += pop * run.decay.weight(h.cost);
            }
        }
    }
    return point_hits;
}

/// Step 1 for the context zones: their cells (on the aligned grid) and points, summed apart,
/// then added to each site's demand.
void context_site_demand(const AccessRun& run, const ContextDemand& context, AccessResult& a) {
    demand_over(run, context.grid, a.site_context_demand, &a.context_population_in_reach);
    for (double v : context.grid.population) {
        a.context_population += v;
    }
    for (std::size_t k = 0; k < context.point_position.size(); ++k) {
        const double pop = context.point_population[k];
        a.context_population += pop;
        if (!(pop > 0)) {
            continue;
        }
        bool reached = false;
        for (const auto& h : run.model.within(context.point_position[k], run.decay.radius_m())) {
            const double w = run.decay.weight(h.cost);
            if (w > 0) {
                a.site_context_demand[h.site] += pop * w;
                reached = true;
            }
        }
        a.context_population_in_reach += reached ? pop : 0.0;
    }
    for (std::size_t s = 0; s < run.sites.size(); ++s) {
        a.site_demand[s] += a.site_context_demand[s];
        a.context_sites += a.site_context_demand[s] > 0 ? 1U : 0U;
    }
}

/// Each site's ratio R_j = S_j / D_j (NaN for a site reaching nobody).
void site_ratios(const AccessRun& run, AccessResult& a) {
    const std::size_t ns = run.sites.size();
    a.site_ratio.assign(ns, std::numeric_limits<double>::quiet_NaN());
    for (std::size_t s = 0; s < ns; ++s) {
        if (a.site_demand[s] > 0) {
            a.site_ratio[s] = run.sites[s].capacity / a.site_demand[s];
            a.supply_served += run.sites[s].capacity;
        } else {
            a.unreached_sites.push_back(static_cast<std::uint32_t>(s));
        }
    }
}

/// Step 2 at a point: A = sum_j R_j W(d_j) over the sites reached with a defined ratio; their
/// number into `in_reach` when not null.
double index_of(const AccessRun& run, const AccessResult& a, const std::vector<SiteCost>& hits,
                std::uint32_t* in_reach) {
    double sum = 0.0;
    std::uint32_t n = 0;
    for (const auto& h : hits) {
        const double r = a.site_ratio[h.site];
        const double w = run.decay.weight(h.cost);
        if (!std::isnan(r) && w > 0) {
            sum += r * w;
            ++n;
        }
    }
    if (in_reach != nullptr) {
        *in_reach = n;
    }
    return sum;
}

/// Step 2 over the study grid: the index of every cell (inhabited or not, for the raster), by
/// rows of blocks in parallel (each cell written by one row only).
std::vector<double> cell_indices(const AccessRun& run, AccessResult& a) {
    const auto& grid = run.base.grid;
    const std::size_t ncells = grid.zone.size();
    const auto width = static_cast<std::size_t>(grid.width);
    const auto side = static_cast<std::size_t>(run.visitor.side());
    std::vector<double> cell_value(ncells, 0.0);
    a.cell_index.assign(ncells, std::numeric_limits<float>::quiet_NaN());
    for (std::size_t c = 0; c < ncells; ++c) {
        if (grid.zone[c] >= 0) {
            a.cell_index[c] = 0.0F;
        }
    }
    const int block_rows = run.visitor.block_rows(grid);
    std::vector<std::unique_ptr<std::vector<index::Hit>>> buffers(
        static_cast<std::size_t>(core::max_threads()));
    std::atomic<int> rows_done{0};
    core::parallel_for(static_cast<std::size_t>(block_rows), 1, [&](std::size_t brow) {
        auto& candidates = thread_buffers(buffers);
        for (int bcol = 0; bcol < run.visitor.block_cols(grid); ++bcol) {
            run.visitor.visit(grid, static_cast<int>(brow), bcol, candidates,
                              [&](std::size_t cell, std::uint32_t site, double w) {
                                  const double r = a.site_ratio[site];
                                  if (!std::isnan(r)) {
                                      cell_value[cell] += r * w;
                                  }
                              });
        }
        const std::size_t r0 = brow * side;
        const std::size_t r1 = std::min(static_cast<std::size_t>(grid.height), r0 + side);
        for (std::size_t c = r0 * width; c < r1 * width; ++c) {
            if (grid.zone[c] >= 0) {
                a.cell_index[c] = static_cast<float>(cell_value[c] * access_per_inhabitants);
            }
        }
        row_done(run.access_progress, rows_done, block_rows);
    });
    return cell_value;
}

/// The context zones' own index is not reported; only its sum over their demand, for the
/// conservation: sum over all demand of P x A = supply of the reached sites. Per row of
/// blocks, added in row order.
void context_weighted_sum(const AccessRun& run, const ContextDemand& context, AccessResult& a) {
    const auto& g = context.grid;
    const int g_rows = run.visitor.block_rows(g);
    std::vector<double> row_sum(static_cast<std::size_t>(g_rows), 0.0);
    std::vector<std::unique_ptr<std::vector<index::Hit>>> buffers(
        static_cast<std::size_t>(core::max_threads()));
    core::parallel_for(row_sum.size(), 1, [&](std::size_t brow) {
        auto& candidates = thread_buffers(buffers);
        double sum = 0.0;
        for (int bcol = 0; bcol < run.visitor.block_cols(g); ++bcol) {
            run.visitor.visit(g, static_cast<int>(brow), bcol, candidates,
                              [&](std::size_t cell, std::uint32_t site, double w) {
                                  const double r = a.site_ratio[site];
                                  const double pop = g.population[cell];
                                  if (!std::isnan(r) && pop > 0) {
                                      sum += pop * r * w;
                                  }
                              });
        }
        row_sum[brow] = sum;
    });
    for (const double v : row_sum) {
        a.context_weighted_sum += v;
    }
    for (std::size_t k = 0; k < context.point_position.size(); ++k) {
        const double pop = context.point_population[k];
        if (pop > 0) {
            a.context_weighted_sum +=
                pop * index_of(run, a,
                               run.model.within(context.point_position[k], run.decay.radius_m()),
                               nullptr);
        }
    }
}

/// Zones: population-weighted mean of their cells (plain mean when nobody lives there); a zone
/// without a cell takes the index of its reference point. Sums in cell order (the one zone
/// summation). Returns each zone's sums; `demand` gets the (index, population) of every demand
/// point.
std::vector<ZoneSums> zone_indices(const AccessRun& run, AccessResult& a,
                                   std::vector<double>& cell_value,
                                   const std::vector<std::vector<SiteCost>>& point_hits,
                                   std::vector<WeightedDistance>& demand) {
    const auto& grid = run.base.grid;
    const std::size_t nz = run.zones.size();
    auto sums = sum_cells_by_zone(grid, cell_value, nz, no_threshold);
    demand.reserve(grid.zone.size() / 2 + nz);
    for (std::size_t c = 0; c < grid.zone.size(); ++c) {
        if (grid.zone[c] >= 0 && grid.population[c] > 0) {
            demand.push_back({cell_value[c], grid.population[c]});
        }
    }
    std::vector<double>().swap(cell_value);
    a.zone_index.assign(nz, 0.0);
    a.zone_sites_in_reach.assign(nz, 0);
    for (std::size_t i = 0; i < nz; ++i) {
        const auto& zr = run.base.zones[i];
        if (zr.cells == 0) {
            const double v = index_of(run, a, point_hits[i], nullptr);
            const double pop = run.base.zone_population[i];
            sums[i].set_point(v, pop, no_threshold);
            a.zone_index[i] = v;
            if (pop > 0) {
                demand.push_back({v, pop});
            }
        } else {
            a.zone_index[i] = sums[i].mean(zr.cells);
        }
        index_of(run, a, run.model.within(zr.reference, run.decay.radius_m()),
                 &a.zone_sites_in_reach[i]);
    }
    for (std::size_t i = 0; i < nz; ++i) {
        a.weighted_sum += sums[i].weighted;
        a.population_total += sums[i].population;
    }
    a.mean_index = a.population_total > 0 ? a.weighted_sum / a.population_total : 0.0;
    return sums;
}

/// Distribution of the index over the population.
void index_distribution(std::vector<WeightedDistance>& demand, AccessResult& a) {
    std::sort(demand.begin(), demand.end(),
              [](const WeightedDistance& x, const WeightedDistance& y) {
                  return x.distance_m < y.distance_m ||
                         (x.distance_m == y.distance_m && x.population < y.population);
              });
    double total = 0.0;
    for (const auto& d : demand) {
        total += d.population;
        a.max_index = std::max(a.max_index, d.distance_m);
        if (d.distance_m == 0.0) {
            a.population_no_site += d.population;
        }
        if (d.distance_m < a.threshold) {
            a.population_below_cells += d.population;
        }
    }
    a.p10 = weighted_quantile(demand, total, 0.10);
    a.p50 = weighted_quantile(demand, total, 0.50);
    a.p90 = weighted_quantile(demand, total, 0.90);
}

/// Zones below the threshold, and the groups (sorted by name, zones in zone order).
void flag_zones(const AccessRun& run, const std::vector<ZoneSums>& sums, AccessResult& a) {
    const std::size_t nz = run.zones.size();
    const auto groups = group_zones(run.zones);
    for (const auto& name : groups.names) {
        a.groups.push_back({name});
    }
    a.zone_below.assign(nz, false);
    for (std::size_t i = 0; i < nz; ++i) {
        const bool below = a.zone_index[i] < a.threshold;
        a.zone_below[i] = below;
        auto& g = a.groups[groups.of_zone[i]];
        g.population += run.base.zone_population[i];
        g.weighted_sum += sums[i].weighted;
        ++g.zones;
        if (below) {
            ++a.zones_below;
            a.population_below += run.base.zone_population[i];
            ++g.zones_below;
            g.population_below += run.base.zone_population[i];
        }
    }
}

} // namespace

AccessResult compute_access(const std::vector<model::Site>& sites,
                            const std::vector<model::Zone>& zones, const AnalysisResult& base,
                            const AccessParameters& params, const ProgressFn& progress,
                            const ContextDemand* context) {
    auto report = [&](const std::string& phase, double f) {
        if (progress) {
            progress(phase, f);
        }
    };
    AccessResult a;
    detail::PhaseTimer timer(a.timings_s);
    for (const auto& s : sites) {
        a.supply_total += s.capacity;
    }
    const GeodesicCost model(detail::site_positions(sites));
    const BlockVisitor visitor(model, params.decay, base.projection, base.grid.cell_m);
    AccessRun run{sites, zones, base, params.decay, model, visitor, {}, {}};
    if (progress) {
        run.demand_progress = [&](double f) { progress("demand", f); };
        run.access_progress = [&](double f) { progress("access", f); };
    }

    report("demand", 0.0);
    a.site_demand.assign(sites.size(), 0.0);
    demand_over(run, base.grid, a.site_demand, nullptr);
    const auto point_hits = point_demand(run, a);
    a.site_context_demand.assign(sites.size(), 0.0);
    if (context != nullptr) {
        context_site_demand(run, *context, a);
    }
    site_ratios(run, a);
    timer.lap("demand");
    report("demand", 1.0);

    report("access", 0.0);
    auto cell_value = cell_indices(run, a);
    if (context != nullptr) {
        context_weighted_sum(run, *context, a);
    }
    std::vector<WeightedDistance> demand;
    const auto sums = zone_indices(run, a, cell_value, point_hits, demand);
    a.threshold = params.below * a.mean_index;
    index_distribution(demand, a);
    flag_zones(run, sums, a);
    timer.lap("access");
    report("access", 1.0);
    return a;
}

} // namespace maillage::analysis
