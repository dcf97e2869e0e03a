#include "maillage/analysis/whatif.hpp"
#include "internal.hpp"

#include "maillage/core/error.hpp"
#include "maillage/geo/geodesic.hpp"
#include "maillage/index/site_index.hpp"

#include <omp.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <limits>
#include <map>
#include <optional>

namespace maillage::analysis {
namespace {

using detail::PhaseTimer;

// Chord lengths carry ~1e-9 m of rounding; the filter below keeps a micrometre of margin, as
// SiteIndex does.
constexpr double chord_margin_m = 1e-6;

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

struct ZoneAccumulator {
    double weighted_sum = 0.0;
    double population = 0.0;
    double distance_sum = 0.0;
    double max_m = 0.0;
    double beyond = 0.0;
};

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
    const auto& grid = base.grid;
    const std::size_t ncells = grid.zone.size();
    const std::size_t nz = zones.size();
    if (base.cell_m.size() != ncells || base.cell_site.size() != ncells ||
        (base.sorted_demand.empty() && base.distribution.total > 0) || base.zones.size() != nz ||
        base.sites.size() != sites.size()) {
        throw runtime_failure("what-if: the baseline analysis does not match its inputs (was it "
                              "run with keep_details?)");
    }
    if (params.threads > 0) {
        omp_set_num_threads(params.threads);
    }
    const double threshold_m = params.threshold_km * 1000.0;
    WhatIfResult w;
    PhaseTimer timer(w.timings_s);

    // 1. The scenario's sites and their indexes: all of them (for the cells and zones whose
    // nearest site closed), the opened ones and the closed ones (for the zones' counts).
    w.sites = scenario_sites(sites, scenario);
    if (w.sites.empty()) {
        throw input_error("the scenario closes every site and opens none: no site is left to "
                          "analyse");
    }
    w.new_position.assign(sites.size(), -1);
    {
        std::vector<bool> closed(sites.size(), false);
        for (const auto s : scenario.closed) {
            closed[s] = true;
        }
        std::int64_t k = 0;
        for (std::size_t s = 0; s < sites.size(); ++s) {
            if (!closed[s]) {
                w.new_position[s] = k++;
            }
        }
    }
    const auto n_kept = static_cast<std::uint32_t>(sites.size() - scenario.closed.size());
    auto positions = [](const std::vector<model::Site>& list) {
        std::vector<geo::LonLat> p;
        p.reserve(list.size());
        for (const auto& s : list) {
            p.push_back(s.position);
        }
        return p;
    };
    index::SiteIndex idx(positions(w.sites));
    std::optional<index::SiteIndex> open_idx;
    if (!scenario.opened.empty()) {
        open_idx.emplace(positions(scenario.opened));
    }
    std::optional<index::SiteIndex> closed_idx;
    if (!scenario.closed.empty()) {
        std::vector<geo::LonLat> p;
        for (const auto s : scenario.closed) {
            p.push_back(sites[s].position);
        }
        closed_idx.emplace(p);
    }
    timer.lap("index");

    // 2. Cells: start from the baseline; those whose nearest site closed are searched again.
    w.cell_m = base.cell_m;
    w.cell_km = base.cell_km;
    w.cell_site.assign(ncells, 0);
    std::vector<std::uint8_t> flags(ncells, 0);
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
        const auto ns = w.new_position[base.cell_site[c]];
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
    if (!closed_cells.empty()) {
        // The bucket table of analyse(), over the box of the cells to search (built only when
        // there are enough of them to pay for it; results are the same either way).
        std::vector<geo::LonLat> area;
        for (const int row : {rmin, (rmin + rmax) / 2, rmax}) {
            for (const int col : {cmin, (cmin + cmax) / 2, cmax}) {
                const auto cell = static_cast<std::size_t>(row) * grid.width + col;
                area.push_back(base.projection.inverse(grid.centre(cell)));
            }
        }
        idx.prepare(area, 0.05, closed_cells.size());
        const CellPositions positions(grid, base.projection);
        const auto n = static_cast<std::int64_t>(closed_cells.size());
#pragma omp parallel for schedule(dynamic, 256)
        for (std::int64_t k = 0; k < n; ++k) {
            const auto c = closed_cells[static_cast<std::size_t>(k)];
            const auto hit = idx.nearest_ecef(positions.at(c));
            w.cell_m[c] = hit.distance_m;
            w.cell_site[c] = hit.site;
            w.cell_km[c] = static_cast<float>(hit.distance_m / 1000.0);
        }
    }
    timer.lap("closed");

    // 3. Opened sites: a cell changes only where the opened site is nearer than its current
    // distance, hence within the largest current distance of the study area. Cells in that reach
    // are filtered by chord (a chord never exceeds its geodesic), the rest get the geodesic.
    if (!scenario.opened.empty()) {
        double reach = 0.0;
        for (std::size_t c = 0; c < ncells; ++c) {
            if (grid.zone[c] >= 0) {
                reach = std::max(reach, w.cell_m[c]);
            }
        }
        w.stats.radius_bound_m = reach;
        const CellPositions positions(grid, base.projection);
        for (std::size_t j = 0; j < scenario.opened.size(); ++j) {
            const auto& o = scenario.opened[j].position;
            const auto oe = geo::to_ecef(o);
            const auto pos = n_kept + static_cast<std::uint32_t>(j);
            const Box box = reach_box(grid, base.projection, o, reach);
            std::size_t in_reach = 0;
#pragma omp parallel for schedule(dynamic, 4) reduction(+ : in_reach)
            for (int row = box.r0; row < box.r1; ++row) {
                for (int col = box.c0; col < box.c1; ++col) {
                    const auto c = static_cast<std::size_t>(row) * grid.width + col;
                    if (grid.zone[c] < 0 || (flags[c] & searched) != 0) {
                        continue;
                    }
                    ++in_reach;
                    const auto e = positions.at(c);
                    const double dx = e.x - oe.x;
                    const double dy = e.y - oe.y;
                    const double dz = e.z - oe.z;
                    const double lim = w.cell_m[c] + chord_margin_m;
                    if (dx * dx + dy * dy + dz * dz > lim * lim) {
                        continue;
                    }
                    flags[c] |= compared;
                    const double d = geo::geodesic_distance_m(e, o, oe);
                    if (better(d, pos, w.cell_m[c], w.cell_site[c])) {
                        w.cell_m[c] = d;
                        w.cell_site[c] = pos;
                        w.cell_km[c] = static_cast<float>(d / 1000.0);
                    }
                }
            }
            w.stats.cells_in_reach += in_reach;
        }
    }
    for (std::size_t c = 0; c < ncells; ++c) {
        if ((flags[c] & compared) != 0) {
            ++w.stats.cells_compared;
        }
    }
    w.stats.cells_recomputed = w.stats.cells_closed + w.stats.cells_compared;
    timer.lap("opened");

    // 4. Zones' reference points, the same way (a few thousand points: all of them).
    w.zones = base.zones;
#pragma omp parallel for schedule(dynamic, 64)
    for (std::size_t i = 0; i < nz; ++i) {
        auto& zr = w.zones[i];
        const auto ns = w.new_position[zr.nearest_site];
        if (ns < 0) {
            const auto hit = idx.nearest(zr.reference);
            zr.nearest_site = hit.site;
            zr.nearest_m = hit.distance_m;
        } else {
            zr.nearest_site = static_cast<std::uint32_t>(ns);
            if (open_idx) {
                const auto hit = open_idx->nearest(zr.reference);
                const auto pos = n_kept + hit.site;
                if (better(hit.distance_m, pos, zr.nearest_m, zr.nearest_site)) {
                    zr.nearest_site = pos;
                    zr.nearest_m = hit.distance_m;
                }
            }
        }
        // Each site counts on its own: remove the closed ones within reach, add the opened.
        std::size_t within = zr.sites_within;
        if (closed_idx) {
            within -= closed_idx->count_within(zr.reference, threshold_m);
        }
        if (open_idx) {
            within += open_idx->count_within(zr.reference, threshold_m);
        }
        zr.sites_within = static_cast<std::uint32_t>(within);
    }
    timer.lap("zones");

    // 5. What changed, cell by cell (in cell order, so that sums are reproducible).
    w.zone_delta.assign(nz, {});
    // The demand values that change, to update the sorted demand of the baseline.
    std::vector<WeightedDistance> removed;
    std::vector<WeightedDistance> added;
    auto account = [&](ZoneDelta& zd, double pop, std::uint32_t before_site, double before_m,
                       std::uint32_t after_site, double after_m) {
        const bool moved = w.new_position[before_site] != static_cast<std::int64_t>(after_site);
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
        if (before_m <= threshold_m && after_m > threshold_m) {
            zd.population_newly_beyond += pop;
        } else if (before_m > threshold_m && after_m <= threshold_m) {
            zd.population_back_within += pop;
        }
        zd.weighted_delta_m += pop * (after_m - before_m);
        return true;
    };
    for (std::size_t c = 0; c < ncells; ++c) {
        if (flags[c] != 0 &&
            account(w.zone_delta[static_cast<std::size_t>(grid.zone[c])], grid.population[c],
                    base.cell_site[c], base.cell_m[c], w.cell_site[c], w.cell_m[c])) {
            ++w.stats.cells_changed;
        }
    }
    for (std::size_t i = 0; i < nz; ++i) {
        const auto& b = base.zones[i];
        const auto& a = w.zones[i];
        if (b.cells == 0) {
            account(w.zone_delta[i], base.zone_population[i], b.nearest_site, b.nearest_m,
                    a.nearest_site, a.nearest_m);
        } else if (b.nearest_m != a.nearest_m ||
                   w.new_position[b.nearest_site] != static_cast<std::int64_t>(a.nearest_site)) {
            // Only the reference point changed: listed among the changed zones all the same.
            w.zone_delta[i].changed = true;
        }
    }

    // 6. Figures of the changed zones, summed again over their cells as analyse() sums them;
    // the other zones keep the baseline's.
    std::vector<ZoneAccumulator> acc(nz);
    for (std::size_t c = 0; c < ncells; ++c) {
        if (grid.zone[c] < 0) {
            continue;
        }
        const auto z = static_cast<std::size_t>(grid.zone[c]);
        if (!w.zone_delta[z].changed) {
            continue;
        }
        const double d = w.cell_m[c];
        const double pop = grid.population[c];
        auto& a = acc[z];
        a.weighted_sum += pop * d;
        a.population += pop;
        a.distance_sum += d;
        a.max_m = std::max(a.max_m, d);
        if (d > threshold_m) {
            a.beyond += pop;
        }
    }
    for (std::size_t i = 0; i < nz; ++i) {
        if (!w.zone_delta[i].changed) {
            continue;
        }
        ++w.stats.zones_recomputed;
        auto& zr = w.zones[i];
        auto& a = acc[i];
        if (zr.cells == 0) {
            const double pop = base.zone_population[i];
            a.weighted_sum = pop * zr.nearest_m;
            a.population = pop;
            a.distance_sum = zr.nearest_m;
            a.max_m = zr.nearest_m;
            a.beyond = zr.nearest_m > threshold_m ? pop : 0.0;
        }
        zr.weighted_sum_m = a.weighted_sum;
        zr.mean_m = a.population > 0 ? a.weighted_sum / a.population
                                     : a.distance_sum / std::max<std::uint32_t>(1, zr.cells);
        zr.max_m = a.max_m;
        zr.population_beyond = a.beyond;
    }
    acc = {};

    // 7. Catchments in analyse()'s order; the distribution after from the baseline's sorted
    // demand, less the changed values, merged with their new values: the same sorted sequence
    // as sorting the scenario's demand afresh (equal elements are equal values), hence the same
    // sums.
    w.site_results.assign(w.sites.size(), {});
    for (std::size_t c = 0; c < ncells; ++c) {
        if (grid.zone[c] >= 0) {
            auto& sr = w.site_results[w.cell_site[c]];
            sr.catchment_population += grid.population[c];
            sr.catchment_weighted_m += grid.population[c] * w.cell_m[c];
            ++sr.catchment_cells;
        }
    }
    sort_by_distance(removed);
    sort_by_distance(added);
    std::vector<WeightedDistance> all;
    all.reserve(base.sorted_demand.size());
    {
        const auto same = [](const WeightedDistance& a, const WeightedDistance& b) {
            return !demand_less(a, b) && !demand_less(b, a);
        };
        std::size_t k = 0;
        std::size_t j = 0;
        for (const auto& e : base.sorted_demand) {
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
    }
    for (std::size_t i = 0; i < nz; ++i) {
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
    all = {};
    w.catchment_before.resize(sites.size());
    for (std::size_t s = 0; s < sites.size(); ++s) {
        w.catchment_before[s] = base.sites[s].catchment_population;
    }
    timer.lap("statistics");

    // 8. Sites: the zone holding each (kept sites keep theirs), the nearest other site.
    for (std::size_t s = 0; s < sites.size(); ++s) {
        if (w.new_position[s] >= 0) {
            w.site_results[static_cast<std::size_t>(w.new_position[s])].zone = base.sites[s].zone;
        }
    }
    for (std::size_t j = 0; j < scenario.opened.size(); ++j) {
        w.site_results[n_kept + j].zone =
            zone_of(ctx, base.projection, zones, scenario.opened[j].position);
    }
    for (std::size_t s = 0; s < w.sites.size(); ++s) {
        for (const auto& h : idx.k_nearest(w.sites[s].position, 2)) {
            if (h.site != s) {
                w.site_results[s].nearest_other_m = h.distance_m;
                break;
            }
        }
        if (w.site_results[s].zone < 0) {
            ++w.sites_outside;
        }
    }

    // 9. Groups, sorted by name, before and after.
    {
        std::map<std::string, std::size_t> pos;
        for (std::size_t i = 0; i < nz; ++i) {
            auto [it, inserted] = pos.emplace(zones[i].group, w.groups.size());
            if (inserted) {
                w.groups.push_back({zones[i].group});
            }
            auto& g = w.groups[it->second];
            const auto& zd = w.zone_delta[i];
            g.population += base.zone_population[i];
            g.weighted_before_m += base.zones[i].weighted_sum_m;
            g.weighted_after_m += w.zones[i].weighted_sum_m;
            g.beyond_before += base.zones[i].population_beyond;
            g.beyond_after += w.zones[i].population_beyond;
            g.population_moved += zd.population_moved;
            g.newly_beyond += zd.population_newly_beyond;
            g.back_within += zd.population_back_within;
            g.zones_changed += zd.changed ? 1U : 0U;
        }
        for (const auto& s : base.sites) {
            if (s.zone >= 0) {
                ++w.groups[pos[zones[static_cast<std::size_t>(s.zone)].group]].sites_before;
            }
        }
        for (const auto& s : w.site_results) {
            if (s.zone >= 0) {
                ++w.groups[pos[zones[static_cast<std::size_t>(s.zone)].group]].sites_after;
            }
        }
        std::sort(w.groups.begin(), w.groups.end(),
                  [](const GroupDelta& a, const GroupDelta& b) { return a.group < b.group; });
    }
    timer.lap("sites and groups");
    return w;
}

} // namespace maillage::analysis
