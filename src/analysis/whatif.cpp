#include "maillage/analysis/whatif.hpp"
#include "internal.hpp"
#include "maillage/geo/geos.hpp"

#include "maillage/analysis/cell_pass.hpp"
#include "maillage/analysis/cost_model.hpp"
#include "maillage/analysis/zone_sums.hpp"
#include "maillage/core/error.hpp"
#include "maillage/core/parallel.hpp"
#include "maillage/geo/geodesic.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <memory>
#include <optional>

namespace maillage::analysis {
namespace {

using detail::PhaseTimer;

// Flags per cell.
constexpr std::uint8_t searched = 1; // nearest site searched again (its site was closed)
constexpr std::uint8_t compared = 2; // compared with an opened site

/// Rows and columns [r0, r1) x [c0, c1) of the grid.
struct Box {
    int r0 = 0;
    int r1 = 0;
    int c0 = 0;
    int c1 = 0;
};

/// Cells whose centre may lie within `radius_m` (geodesic) of `centre`: the bounding box, in the
/// equal-area plane, of the geodesic circle of a slightly larger radius sampled every degree,
/// widened by two cells. Between two samples 1 degree apart the true circle bulges out by
/// radius x 4e-5, far less than the 1 % added; the projection's scale varies by well under 1 %
/// over such a circle. Circles too large for that (or reaching far round the globe from the
/// projection's centre) take the whole grid.
Box reach_box(const PopulationGrid& grid, const geo::EqualAreaProjection& proj, geo::LonLat centre,
              double radius_m) {
    const Box whole{0, grid.height, 0, grid.width};
    const geo::LonLat proj_centre{proj.lon_0(), proj.lat_0()};
    if (radius_m > 3.0e6 || geo::geodesic_distance_m(proj_centre, centre) + radius_m > 9.0e6) {
        return whole;
    }
    const double r = radius_m * 1.01 + 2.0 * grid.cell_m;
    const auto c = proj.forward(centre);
    double x0 = c.x;
    double x1 = c.x;
    double y0 = c.y;
    double y1 = c.y;
    for (int az = 0; az < 360; ++az) {
        const auto p = proj.forward(geo::geodesic_destination(centre, az, r));
        if (!std::isfinite(p.x) || !std::isfinite(p.y)) {
            return whole;
        }
        x0 = std::min(x0, p.x);
        x1 = std::max(x1, p.x);
        y0 = std::min(y0, p.y);
        y1 = std::max(y1, p.y);
    }
    const double m = 2.0 * grid.cell_m;
    auto clamp = [](double v, int hi) {
        return static_cast<int>(std::clamp(v, 0.0, static_cast<double>(hi)));
    };
    Box b;
    b.c0 = clamp(std::floor((x0 - m - grid.min_x) / grid.cell_m), grid.width);
    b.c1 = clamp(std::ceil((x1 + m - grid.min_x) / grid.cell_m), grid.width);
    b.r0 = clamp(std::floor((grid.max_y - y1 - m) / grid.cell_m), grid.height);
    b.r1 = clamp(std::ceil((grid.max_y - y0 + m) / grid.cell_m), grid.height);
    return b;
}

/// Lexicographic order of (distance, position): the order in which SiteIndex picks the nearest.
bool better(double d, std::uint32_t site, double best_d, std::uint32_t best_site) {
    return d < best_d || (d == best_d && site < best_site);
}

/// The zone holding a point, as analyse() finds it: the first zone (in input order) whose
/// projected geometry intersects the projected point; -1 if none.
std::int32_t zone_of(const geo::GeosContext& ctx, const geo::EqualAreaProjection& proj,
                     const std::vector<model::Zone>& zones, geo::LonLat p) {
    const auto xy = proj.forward(p);
    auto pt = geo::own(ctx, GEOSGeom_createPointFromXY_r(ctx.get(), xy.x, xy.y), "point");
    constexpr double margin_deg = 0.05; // straight edges in lon/lat vs in the projection
    for (std::size_t i = 0; i < zones.size(); ++i) {
        double x0 = 0.0;
        double y0 = 0.0;
        double x1 = 0.0;
        double y1 = 0.0;
        if (GEOSGeom_getExtent_r(ctx.get(), zones[i].geometry.get(), &x0, &y0, &x1, &y1) != 1) {
            continue;
        }
        if (x1 - x0 <= 180.0 && (p.lon < x0 - margin_deg || p.lon > x1 + margin_deg ||
                                 p.lat < y0 - margin_deg || p.lat > y1 + margin_deg)) {
            continue;
        }
        auto g = geo::transform_xy(ctx, zones[i].geometry.get(), [&](double x, double y) {
            const auto q = proj.forward(geo::LonLat{x, y});
            return std::pair{q.x, q.y};
        });
        if (GEOSIntersects_r(ctx.get(), g.get(), pt.get()) == 1) {
            return static_cast<std::int32_t>(i);
        }
    }
    return -1;
}

/// What the steps of what_if() share: the inputs and the cost models of the scenario's sites
/// (all of them, for the cells and zones whose nearest site closed), of the opened ones and of
/// the closed ones (for the zones' counts).
struct Scene {
    const geo::GeosContext& ctx;
    const AnalysisResult& base;
    const std::vector<model::Site>& sites;
    const std::vector<model::Zone>& zones;
    const Scenario& scenario;
    double threshold_m = 0.0;
    std::uint32_t n_kept = 0; ///< kept sites: the opened ones follow them in WhatIfResult::sites
    std::unique_ptr<GeodesicCost> all;
    std::unique_ptr<GeodesicCost> opened; ///< null when none opens
    std::unique_ptr<GeodesicCost> closed; ///< null when none closes
};

void check_baseline(const AnalysisResult& base, const std::vector<model::Site>& sites,
                    const std::vector<model::Zone>& zones) {
    const std::size_t ncells = base.grid.zone.size();
    if (base.cell_m.size() != ncells || base.cell_site.size() != ncells ||
        (base.sorted_demand.empty() && base.distribution.total > 0) ||
        base.zones.size() != zones.size() || base.sites.size() != sites.size()) {
        throw runtime_failure("what-if: the baseline analysis does not match its inputs (was it "
                              "run with keep_details?)");
    }
}

/// Step 1: the scenario's sites, the new position of each baseline site, the cost models.
void build_models(Scene& s, WhatIfResult& w) {
    const auto& sites = s.sites;
    w.sites = scenario_sites(sites, s.scenario);
    if (w.sites.empty()) {
        throw input_error("the scenario closes every site and opens none: no site is left to "
                          "analyse");
    }
    w.new_position.assign(sites.size(), -1);
    std::vector<bool> closed(sites.size(), false);
    for (const auto c : s.scenario.closed) {
        closed[c] = true;
    }
    std::int64_t k = 0;
    for (std::size_t i = 0; i < sites.size(); ++i) {
        if (!closed[i]) {
            w.new_position[i] = k++;
        }
    }
    s.n_kept = static_cast<std::uint32_t>(sites.size() - s.scenario.closed.size());
    s.all = std::make_unique<GeodesicCost>(detail::site_positions(w.sites));
    if (!s.scenario.opened.empty()) {
        s.opened = std::make_unique<GeodesicCost>(detail::site_positions(s.scenario.opened));
    }
    if (!s.scenario.closed.empty()) {
        std::vector<geo::LonLat> p;
        for (const auto c : s.scenario.closed) {
            p.push_back(sites[c].position);
        }
        s.closed = std::make_unique<GeodesicCost>(p);
    }
}

/// Step 2: cells start from the baseline; those whose nearest site closed are searched again
/// (the cell pass over them). Marks them `searched` in `flags`.
void search_closed_cells(const Scene& s, WhatIfResult& w, std::vector<std::uint8_t>& flags) {
    const auto& grid = s.base.grid;
    const std::size_t ncells = grid.zone.size();
    w.cell_m = s.base.cell_m;
    w.cell_km = s.base.cell_km;
    w.cell_site.assign(ncells, 0);
    std::vector<std::size_t> closed_cells;
    int rmin = grid.height;
    int rmax = -1;
    int cmin = grid.width;
    int cmax = -1;
    for (std::size_t c = 0; c < ncells; ++c) {
        if (grid.zone[c] < 0) {
            continue;
        }
        ++w.stats.cells_total;
        const auto ns = w.new_position[s.base.cell_site[c]];
        if (ns >= 0) {
            w.cell_site[c] = static_cast<std::uint32_t>(ns);
            continue;
        }
        closed_cells.push_back(c);
        flags[c] = searched;
        const int row = static_cast<int>(c / static_cast<std::size_t>(grid.width));
        const int col = static_cast<int>(c % static_cast<std::size_t>(grid.width));
        rmin = std::min(rmin, row);
        rmax = std::max(rmax, row);
        cmin = std::min(cmin, col);
        cmax = std::max(cmax, col);
    }
    w.stats.cells_closed = closed_cells.size();
    if (closed_cells.empty()) {
        return;
    }
    // The bucket table of analyse(), over the box of the cells to search (built only when
    // there are enough of them to pay for it; results are the same either way).
    std::vector<geo::LonLat> area;
    for (const int row : {rmin, (rmin + rmax) / 2, rmax}) {
        for (const int col : {cmin, (cmin + cmax) / 2, cmax}) {
            const auto cell = static_cast<std::size_t>(row) * grid.width + col;
            area.push_back(s.base.projection.inverse(grid.centre(cell)));
        }
    }
    s.all->prepare(area, closed_cells.size());
    cell_pass(grid, s.base.projection, *s.all, closed_cells, {w.cell_m, w.cell_site, w.cell_km});
}

/// Compares the cells of `box` (not searched again) with the opened site at position `pos`;
/// returns the number of cells in reach.
std::size_t compare_with_opened(const Scene& s, WhatIfResult& w, std::vector<std::uint8_t>& flags,
                                const CellPositions& positions, const Box& box, std::uint32_t pos) {
    const auto& grid = s.base.grid;
    const auto rows = static_cast<std::size_t>(std::max(0, box.r1 - box.r0));
    std::vector<std::size_t> in_reach(rows, 0);
    core::parallel_for(rows, 4, [&](std::size_t k) {
        const int row = box.r0 + static_cast<int>(k);
        for (int col = box.c0; col < box.c1; ++col) {
            const auto c = static_cast<std::size_t>(row) * grid.width + col;
            if (grid.zone[c] < 0 || (flags[c] & searched) != 0) {
                continue;
            }
            ++in_reach[k];
            const auto e = positions.at(c);
            if (!s.all->may_reach(e, pos, w.cell_m[c])) {
                continue;
            }
            flags[c] |= compared;
            const double d = s.all->cost(e, pos);
            if (better(d, pos, w.cell_m[c], w.cell_site[c])) {
                w.cell_m[c] = d;
                w.cell_site[c] = pos;
                w.cell_km[c] = cost_km(d);
            }
        }
    });
    std::size_t total = 0;
    for (const auto n : in_reach) {
        total += n;
    }
    return total;
}

/// Step 3: opened sites. A cell changes only where the opened site is nearer than its current
/// distance, hence within the largest current distance of the study area. Cells in that reach
/// are filtered by chord (a chord never exceeds its geodesic), the rest get the geodesic.
void compare_opened(const Scene& s, WhatIfResult& w, std::vector<std::uint8_t>& flags) {
    const auto& grid = s.base.grid;
    const std::size_t ncells = grid.zone.size();
    if (!s.scenario.opened.empty()) {
        double reach = 0.0;
        for (std::size_t c = 0; c < ncells; ++c) {
            if (grid.zone[c] >= 0) {
                reach = std::max(reach, w.cell_m[c]);
            }
        }
        w.stats.radius_bound_m = reach;
        const CellPositions positions(grid, s.base.projection);
        for (std::size_t j = 0; j < s.scenario.opened.size(); ++j) {
            const auto& o = s.scenario.opened[j].position;
            const Box box = reach_box(grid, s.base.projection, o, reach);
            w.stats.cells_in_reach += compare_with_opened(s, w, flags, positions, box,
                                                          s.n_kept + static_cast<std::uint32_t>(j));
        }
    }
    for (std::size_t c = 0; c < ncells; ++c) {
        if ((flags[c] & compared) != 0) {
            ++w.stats.cells_compared;
        }
    }
    w.stats.cells_recomputed = w.stats.cells_closed + w.stats.cells_compared;
}

/// Step 4: zones' reference points, the same way (a few thousand points: all of them).
void update_zones(const Scene& s, WhatIfResult& w) {
    w.zones = s.base.zones;
    core::parallel_for(s.zones.size(), 64, [&](std::size_t i) {
        auto& zr = w.zones[i];
        const auto ns = w.new_position[zr.nearest_site];
        if (ns < 0) {
            const auto hit = s.all->nearest(zr.reference);
            zr.nearest_site = hit.site;
            zr.nearest_m = hit.cost;
        } else {
            zr.nearest_site = static_cast<std::uint32_t>(ns);
            if (s.opened) {
                const auto hit = s.opened->nearest(zr.reference);
                const auto pos = s.n_kept + hit.site;
                if (better(hit.cost, pos, zr.nearest_m, zr.nearest_site)) {
                    zr.nearest_site = pos;
                    zr.nearest_m = hit.cost;
                }
            }
        }
        // Each site counts on its own: remove the closed ones within reach, add the opened.
        std::size_t within = zr.sites_within;
        if (s.closed) {
            within -= s.closed->count_within(zr.reference, s.threshold_m);
        }
        if (s.opened) {
            within += s.opened->count_within(zr.reference, s.threshold_m);
        }
        zr.sites_within = static_cast<std::uint32_t>(within);
    });
}

/// What changed for a demand point (a cell or a zone's reference point), into its zone's delta;
/// the demand values that change, to update the sorted demand of the baseline.
class DeltaAccount {
public:
    DeltaAccount(const WhatIfResult& w, double threshold_m) : m_w(w), m_threshold_m(threshold_m) {}

    /// Returns whether the point changed (nearest site or distance).
    bool account(ZoneDelta& zd, double pop, std::uint32_t before_site, double before_m,
                 std::uint32_t after_site, double after_m) {
        const bool moved = m_w.new_position[before_site] != static_cast<std::int64_t>(after_site);
        if (!moved && before_m == after_m) {
            return false;
        }
        zd.changed = true;
        if (pop > 0 && before_m != after_m) {
            removed.push_back({before_m, pop});
            added.push_back({after_m, pop});
        }
        if (moved) {
            zd.population_moved += pop;
        }
        if (before_m <= m_threshold_m && after_m > m_threshold_m) {
            zd.population_newly_beyond += pop;
        } else if (before_m > m_threshold_m && after_m <= m_threshold_m) {
            zd.population_back_within += pop;
        }
        zd.weighted_delta_m += pop * (after_m - before_m);
        return true;
    }

    std::vector<WeightedDistance> removed; ///< the old values of the changed demand
    std::vector<WeightedDistance> added;   ///< their new values

private:
    const WhatIfResult& m_w;
    double m_threshold_m;
};

/// Step 5: what changed, cell by cell (in cell order, so that sums are reproducible), then the
/// zones without a cell.
void account_changes(const Scene& s, WhatIfResult& w, const std::vector<std::uint8_t>& flags,
                     DeltaAccount& delta) {
    const auto& base = s.base;
    const auto& grid = base.grid;
    const std::size_t nz = s.zones.size();
    w.zone_delta.assign(nz, {});
    for (std::size_t c = 0; c < grid.zone.size(); ++c) {
        if (flags[c] != 0 &&
            delta.account(w.zone_delta[static_cast<std::size_t>(grid.zone[c])], grid.population[c],
                          base.cell_site[c], base.cell_m[c], w.cell_site[c], w.cell_m[c])) {
            ++w.stats.cells_changed;
        }
    }
    for (std::size_t i = 0; i < nz; ++i) {
        const auto& b = base.zones[i];
        const auto& a = w.zones[i];
        if (b.cells == 0) {
            delta.account(w.zone_delta[i], base.zone_population[i], b.nearest_site, b.nearest_m,
                          a.nearest_site, a.nearest_m);
        } else if (b.nearest_m != a.nearest_m ||
                   w.new_position[b.nearest_site] != static_cast<std::int64_t>(a.nearest_site)) {
            // Only the reference point changed: listed among the changed zones all the same.
            w.zone_delta[i].changed = true;
        }
    }
}

/// Step 6: figures of the changed zones, summed again over their cells as analyse() sums them;
/// the other zones keep the baseline's.
void resum_changed_zones(const Scene& s, WhatIfResult& w) {
    const std::size_t nz = s.zones.size();
    std::vector<bool> changed(nz, false);
    for (std::size_t i = 0; i < nz; ++i) {
        changed[i] = w.zone_delta[i].changed;
    }
    auto sums = sum_cells_by_zone(s.base.grid, w.cell_m, nz, s.threshold_m, &changed);
    for (std::size_t i = 0; i < nz; ++i) {
        if (!changed[i]) {
            continue;
        }
        ++w.stats.zones_recomputed;
        auto& zr = w.zones[i];
        auto& a = sums[i];
        if (zr.cells == 0) {
            a.set_point(zr.nearest_m, s.base.zone_population[i], s.threshold_m);
        }
        zr.weighted_sum_m = a.weighted;
        zr.mean_m = a.mean(zr.cells);
        zr.max_m = a.max;
        zr.population_beyond = a.beyond;
    }
}

/// The distribution after from the baseline's sorted demand, less the changed values, merged
/// with their new values: the same sorted sequence as sorting the scenario's demand afresh
/// (equal elements are equal values), hence the same sums.
std::vector<WeightedDistance> merged_demand(const std::vector<WeightedDistance>& sorted,
                                            std::vector<WeightedDistance>& removed,
                                            std::vector<WeightedDistance>& added) {
    sort_by_distance(removed);
    sort_by_distance(added);
    std::vector<WeightedDistance> all;
    all.reserve(sorted.size());
    const auto same = [](const WeightedDistance& a, const WeightedDistance& b) {
        return !demand_less(a, b) && !demand_less(b, a);
    };
    std::size_t k = 0;
    std::size_t j = 0;
    for (const auto& e : sorted) {
        while (j < added.size() && demand_less(added[j], e)) {
            all.push_back(added[j++]);
        }
        if (k < removed.size() && same(removed[k], e)) {
            ++k;
            continue;
        }
        all.push_back(e);
    }
    all.insert(all.end(), added.begin() + static_cast<std::ptrdiff_t>(j), added.end());
    if (k != removed.size()) {
        throw runtime_failure("what-if: a changed demand value is missing from the baseline "
                              "(internal error)");
    }
    return all;
}

/// Step 7: catchments in analyse()'s order, the totals and the distribution after.
void sum_totals(const Scene& s, WhatIfResult& w, DeltaAccount& delta) {
    const auto& base = s.base;
    const auto& grid = base.grid;
    w.site_results.assign(w.sites.size(), {});
    for (std::size_t c = 0; c < grid.zone.size(); ++c) {
        if (grid.zone[c] >= 0) {
            auto& sr = w.site_results[w.cell_site[c]];
            sr.catchment_population += grid.population[c];
            sr.catchment_weighted_m += grid.population[c] * w.cell_m[c];
            ++sr.catchment_cells;
        }
    }
    auto all = merged_demand(base.sorted_demand, delta.removed, delta.added);
    for (std::size_t i = 0; i < s.zones.size(); ++i) {
        const auto& zr = w.zones[i];
        if (zr.cells == 0) {
            ++w.point_demands;
            auto& sr = w.site_results[zr.nearest_site];
            sr.catchment_population += base.zone_population[i];
            sr.catchment_weighted_m += base.zone_population[i] * zr.nearest_m;
        }
        w.population_beyond += zr.population_beyond;
        ++w.site_results[zr.nearest_site].catchment_zones;
        const auto& zd = w.zone_delta[i];
        w.population_moved += zd.population_moved;
        w.population_newly_beyond += zd.population_newly_beyond;
        w.population_back_within += zd.population_back_within;
        w.weighted_delta_m += zd.weighted_delta_m;
    }
    w.distribution = distribution_of_sorted(all);
    w.catchment_before.resize(s.sites.size());
    for (std::size_t i = 0; i < s.sites.size(); ++i) {
        w.catchment_before[i] = base.sites[i].catchment_population;
    }
}

/// Step 8: sites: the zone holding each (kept sites keep theirs), the nearest other site.
void locate_sites(const Scene& s, WhatIfResult& w) {
    for (std::size_t i = 0; i < s.sites.size(); ++i) {
        if (w.new_position[i] >= 0) {
            w.site_results[static_cast<std::size_t>(w.new_position[i])].zone = s.base.sites[i].zone;
        }
    }
    for (std::size_t j = 0; j < s.scenario.opened.size(); ++j) {
        w.site_results[s.n_kept + j].zone =
            zone_of(s.ctx, s.base.projection, s.zones, s.scenario.opened[j].position);
    }
    for (std::size_t i = 0; i < w.sites.size(); ++i) {
        for (const auto& h : s.all->index().k_nearest(w.sites[i].position, 2)) {
            if (h.site != i) {
                w.site_results[i].nearest_other_m = h.distance_m;
                break;
            }
        }
        if (w.site_results[i].zone < 0) {
            ++w.sites_outside;
        }
    }
}

/// Step 9: groups, sorted by name, before and after.
void sum_groups(const Scene& s, WhatIfResult& w) {
    const auto groups = group_zones(s.zones);
    for (const auto& name : groups.names) {
        w.groups.push_back({name});
    }
    for (std::size_t i = 0; i < s.zones.size(); ++i) {
        auto& g = w.groups[groups.of_zone[i]];
        const auto& zd = w.zone_delta[i];
        g.population += s.base.zone_population[i];
        g.weighted_before_m += s.base.zones[i].weighted_sum_m;
        g.weighted_after_m += w.zones[i].weighted_sum_m;
        g.beyond_before += s.base.zones[i].population_beyond;
        g.beyond_after += w.zones[i].population_beyond;
        g.population_moved += zd.population_moved;
        g.newly_beyond += zd.population_newly_beyond;
        g.back_within += zd.population_back_within;
        g.zones_changed += zd.changed ? 1U : 0U;
    }
    for (const auto& site : s.base.sites) {
        if (site.zone >= 0) {
            ++w.groups[groups.of_zone[static_cast<std::size_t>(site.zone)]].sites_before;
        }
    }
    for (const auto& site : w.site_results) {
        if (site.zone >= 0) {
            ++w.groups[groups.of_zone[static_cast<std::size_t>(site.zone)]].sites_after;
        }
    }
}

} // namespace

std::vector<model::Site> scenario_sites(const std::vector<model::Site>& sites,
                                        const Scenario& scenario) {
    std::vector<bool> closed(sites.size(), false);
    for (const auto s : scenario.closed) {
        if (s >= sites.size()) {
            throw runtime_failure("scenario closes site position " + std::to_string(s) + " of " +
                                  std::to_string(sites.size()));
        }
        closed[s] = true;
    }
    std::vector<model::Site> out;
    out.reserve(sites.size() + scenario.opened.size());
    for (std::size_t s = 0; s < sites.size(); ++s) {
        if (!closed[s]) {
            out.push_back(sites[s]);
        }
    }
    out.insert(out.end(), scenario.opened.begin(), scenario.opened.end());
    return out;
}

WhatIfResult what_if(const geo::GeosContext& ctx, const AnalysisResult& base,
                     const std::vector<model::Site>& sites, const std::vector<model::Zone>& zones,
                     const Scenario& scenario, const Parameters& params) {
    check_baseline(base, sites, zones);
    WhatIfResult w;
    PhaseTimer timer(w.timings_s);
    Scene s{ctx, base, sites, zones, scenario, params.threshold_km * 1000.0, 0, {}, {}, {}};
    build_models(s, w);
    timer.lap("index");

    std::vector<std::uint8_t> flags(base.grid.zone.size(), 0);
    search_closed_cells(s, w, flags);
    timer.lap("closed");
    compare_opened(s, w, flags);
    timer.lap("opened");
    update_zones(s, w);
    timer.lap("zones");

    DeltaAccount delta(w, s.threshold_m);
    account_changes(s, w, flags, delta);
    resum_changed_zones(s, w);
    sum_totals(s, w, delta);
    timer.lap("statistics");

    locate_sites(s, w);
    sum_groups(s, w);
    timer.lap("sites and groups");
    return w;
}

} // namespace maillage::analysis
