#include "maillage/analysis/analysis.hpp"
#include "internal.hpp"

#include "maillage/analysis/catchments.hpp"

#include "maillage/analysis/underserved.hpp"
#include "maillage/core/error.hpp"
#include "maillage/index/site_index.hpp"

#include <omp.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <sstream>

namespace maillage::analysis {
namespace {

using detail::PhaseTimer;

struct ZoneAccumulator {
    double weighted_sum = 0.0;
    double population = 0.0;
    double distance_sum = 0.0;
    double max_m = 0.0;
    double beyond = 0.0;
};

/// Frees a vector's memory. (`v = {}` would not: it calls the initializer-list assignment,
/// which empties the vector but keeps its buffer.)
template <typename T> void release(std::vector<T>& v) { std::vector<T>().swap(v); }

/// Distances to the nearest site among `members` (the sites of one type) for every cell and
/// zone, summed like the overall ones (cells in order, then zones without a cell).
TypeResult nearest_of_type(const std::string& type, const std::vector<std::uint32_t>& members,
                           const std::vector<model::Site>& sites,
                           const std::vector<model::Zone>& zones, const AnalysisResult& r,
                           const std::vector<geo::LonLat>& area_pts, double threshold_m) {
    TypeResult t;
    t.type = type;
    t.sites = static_cast<std::uint32_t>(members.size());
    std::vector<geo::LonLat> pos;
    pos.reserve(members.size());
    for (const auto s : members) {
        pos.push_back(sites[s].position);
    }
    const auto& grid = r.grid;
    const std::size_t ncells = grid.zone.size();
    index::SiteIndex idx(pos);
    idx.prepare(area_pts, 0.05, ncells);
    t.cell_km.assign(ncells, std::numeric_limits<float>::quiet_NaN());
    std::vector<double> cell_m(ncells, 0.0);
    const CellPositions positions(grid, r.projection);
#pragma omp parallel
    {
        std::vector<geo::Ecef> at(static_cast<std::size_t>(grid.width));
#pragma omp for schedule(dynamic, 4)
        for (int row = 0; row < grid.height; ++row) {
            const std::size_t base =
                static_cast<std::size_t>(row) * static_cast<std::size_t>(grid.width);
            positions.row(row, grid.zone.data() + base, at.data());
            for (int col = 0; col < grid.width; ++col) {
                const std::size_t c = base + static_cast<std::size_t>(col);
                if (grid.zone[c] >= 0) {
                    const double d = idx.nearest_ecef(at[static_cast<std::size_t>(col)]).distance_m;
                    cell_m[c] = d;
                    t.cell_km[c] = static_cast<float>(d / 1000.0);
                }
            }
        }
    }
    const std::size_t nz = zones.size();
    t.zone_nearest_m.resize(nz);
    for (std::size_t i = 0; i < nz; ++i) {
        t.zone_nearest_m[i] = idx.nearest(r.zones[i].reference).distance_m;
    }
    std::vector<double> pop_sum(nz, 0.0);
    std::vector<double> weighted(nz, 0.0);
    std::vector<double> plain(nz, 0.0);
    std::vector<WeightedDistance> all;
    for (std::size_t c = 0; c < ncells; ++c) {
        const auto z = grid.zone[c];
        if (z < 0) {
            continue;
        }
        const auto zi = static_cast<std::size_t>(z);
        const double pop = grid.population[c];
        const double d = cell_m[c];
        pop_sum[zi] += pop;
        weighted[zi] += pop * d;
        plain[zi] += d;
        if (d > threshold_m) {
            t.population_beyond += pop;
        }
        if (pop > 0) {
            all.push_back({d, pop});
        }
    }
    t.zone_mean_m.resize(nz);
    for (std::size_t i = 0; i < nz; ++i) {
        if (r.zones[i].cells == 0) {
            const double pop = r.zone_population[i]; // 0 with a population grid
            const double d = t.zone_nearest_m[i];
            t.zone_mean_m[i] = d;
            if (d > threshold_m) {
                t.population_beyond += pop;
            }
            if (pop > 0) {
                all.push_back({d, pop});
            }
        } else {
            t.zone_mean_m[i] = pop_sum[i] > 0 ? weighted[i] / pop_sum[i]
                                              : plain[i] / static_cast<double>(r.zones[i].cells);
        }
    }
    t.distribution = distribution(all);
    return t;
}

std::vector<geo::LonLat> sample_points(const geo::GeosContext& ctx,
                                       const std::vector<model::Zone>& zones) {
    // Envelope corners of every zone: enough to centre the projection on the data.
    std::vector<geo::LonLat> pts;
    pts.reserve(zones.size() * 4);
    for (const auto& z : zones) {
        double x0 = 0.0;
        double y0 = 0.0;
        double x1 = 0.0;
        double y1 = 0.0;
        if (GEOSGeom_getExtent_r(ctx.get(), z.geometry.get(), &x0, &y0, &x1, &y1) == 1) {
            if (x1 - x0 > 180.0) {
                // A zone split at the antimeridian: its envelope spans the globe; its corners
                // would pull the centre away. Use the two edges near +-180 instead.
                pts.push_back({180.0, y0});
                pts.push_back({180.0, y1});
                continue;
            }
            pts.push_back({x0, y0});
            pts.push_back({x1, y0});
            pts.push_back({x0, y1});
            pts.push_back({x1, y1});
        }
    }
    return pts;
}

/// Replaces the even spread by the population grid resampled onto the analysis grid; the
/// population of the cells whose centre lies in no zone is counted, not used.
void apply_population_grid(const PopulationGridOptions& options, AnalysisResult& r) {
    PopulationGridReport rep;
    auto& grid = r.grid;
    const auto pop = resample_population_grid(options, GridFrame::of(grid), r.projection, rep);
    for (std::size_t c = 0; c < pop.size(); ++c) {
        if (grid.zone[c] >= 0) {
            grid.population[c] = pop[c];
            rep.population_in_study_area += pop[c];
        } else {
            rep.population_outside_zones += pop[c];
        }
    }
    if (!(rep.population_in_study_area > 0.0)) {
        std::ostringstream o;
        o.precision(12);
        o << options.path
          << ": none of the population grid's population falls in a zone: " << rep.cells_read
          << " cells read near the study area, with a population of " << rep.population_read
          << ". Check that the grid covers the zones, its CRS (--population-grid-crs) and its "
             "population field (--population-grid-field).";
        throw input_error(o.str());
    }
    r.population_grid = std::move(rep);
}

} // namespace

SitePlacement site_placement(const geo::GeosContext& ctx, const std::vector<model::Site>& sites,
                             const std::vector<model::Zone>& zones) {
    SitePlacement out;
    bool first = true;
    for (const auto& z : zones) {
        double x0 = 0.0;
        double y0 = 0.0;
        double x1 = 0.0;
        double y1 = 0.0;
        if (GEOSGeom_getExtent_r(ctx.get(), z.geometry.get(), &x0, &y0, &x1, &y1) != 1) {
            continue;
        }
        out.min_lon = first ? x0 : std::min(out.min_lon, x0);
        out.min_lat = first ? y0 : std::min(out.min_lat, y0);
        out.max_lon = first ? x1 : std::max(out.max_lon, x1);
        out.max_lat = first ? y1 : std::max(out.max_lat, y1);
        first = false;
    }
    out.checked = !first && out.max_lon - out.min_lon <= 180.0;
    if (!out.checked) {
        out.inside_extent = sites.size();
        return out;
    }
    for (std::size_t i = 0; i < sites.size(); ++i) {
        const auto p = sites[i].position;
        if (out.inside(p)) {
            ++out.inside_extent;
        } else if (out.inside({p.lat, p.lon})) {
            out.swapped.push_back(i);
        }
    }
    return out;
}

AnalysisResult analyse(const geo::GeosContext& ctx, const std::vector<model::Site>& sites,
                       const std::vector<model::Zone>& zones, const Parameters& params,
                       const ProgressFn& progress) {
    if (sites.empty()) {
        throw input_error("no site to analyse");
    }
    if (zones.empty()) {
        throw input_error("no zone to analyse");
    }
    if (params.threads > 0) {
        omp_set_num_threads(params.threads);
    }
    auto report = [&](const std::string& phase, double f) {
        if (progress) {
            progress(phase, f);
        }
    };
    AnalysisResult r;
    r.sites_swapped = site_placement(ctx, sites, zones).swapped.size();
    PhaseTimer timer(r.timings_s);
    const double threshold_m = params.threshold_km * 1000.0;

    // 1. Index.
    std::vector<geo::LonLat> site_pos;
    site_pos.reserve(sites.size());
    for (const auto& s : sites) {
        site_pos.push_back(s.position);
    }
    index::SiteIndex idx(site_pos);
    timer.lap("index");

    // 2. Projection, zones, grid.
    const auto area_pts = sample_points(ctx, zones);
    r.projection = geo::EqualAreaProjection::centred_on(area_pts);
    report("grid", 0.0);
    const auto projected = project_zones(ctx, zones, r.projection);
    r.grid = build_grid(ctx, zones, projected, params.grid_m);
    timer.lap("grid");
    report("grid", 1.0);
    if (!params.population_grid.path.empty()) {
        report("population grid", 0.0);
        apply_population_grid(params.population_grid, r);
        timer.lap("population grid");
        report("population grid", 1.0);
    }

    // 3. Reference points of the zones.
    const std::size_t nz = zones.size();
    r.zones.resize(nz);
#pragma omp parallel for schedule(dynamic, 64)
    for (std::size_t i = 0; i < nz; ++i) {
        auto& zr = r.zones[i];
        zr.reference = projected.reference[i];
        zr.area_m2 = projected.area_m2[i];
        zr.cells = r.grid.cell_count[i];
        const auto hit = idx.nearest(zr.reference);
        zr.nearest_site = hit.site;
        zr.nearest_m = hit.distance_m;
        zr.sites_within = static_cast<std::uint32_t>(idx.count_within(zr.reference, threshold_m));
    }
    timer.lap("zones");

    // 4. Every cell: exact nearest site, in parallel over rows.
    const auto& grid = r.grid;
    const std::size_t ncells = grid.zone.size();
    r.cell_km.assign(ncells, std::numeric_limits<float>::quiet_NaN());
    // The parallel pass only measures; every sum is then made in one sequential pass in cell
    // order, so that the figures do not depend on the number of threads or their schedule.
    std::vector<double> cell_m(ncells, 0.0);
    auto& cell_site = r.cell_site;
    cell_site.assign(ncells, 0);
    report("distances", 0.0);
    // A bucket table over the study area answers the cell queries without walking the tree.
    idx.prepare(area_pts, 0.05, ncells);
    // Cell centres by row: exact at the ends and middle of short segments, interpolated between.
    const CellPositions positions(grid, r.projection);
    int rows_done = 0;
#pragma omp parallel
    {
        const auto t = omp_get_thread_num();
        std::vector<geo::Ecef> at(static_cast<std::size_t>(grid.width));
#pragma omp for schedule(dynamic, 4)
        for (int row = 0; row < grid.height; ++row) {
            const std::size_t base =
                static_cast<std::size_t>(row) * static_cast<std::size_t>(grid.width);
            positions.row(row, grid.zone.data() + base, at.data());
            for (int col = 0; col < grid.width; ++col) {
                const std::size_t c = base + static_cast<std::size_t>(col);
                if (grid.zone[c] >= 0) {
                    const auto hit = idx.nearest_ecef(at[static_cast<std::size_t>(col)]);
                    cell_m[c] = hit.distance_m;
                    cell_site[c] = hit.site;
                    r.cell_km[c] = static_cast<float>(hit.distance_m / 1000.0);
                }
            }
            if (progress && t == 0) {
                int done = 0;
#pragma omp atomic read
                done = rows_done;
                report("distances", static_cast<double>(done) / grid.height);
            }
#pragma omp atomic
            ++rows_done;
        }
    }
    timer.lap("distances");
    report("distances", 1.0);

    // 5. Sums per zone and site; zones without a cell put their population on their reference
    // point.
    r.sites.assign(sites.size(), {});
    std::vector<ZoneAccumulator> zone_acc(nz);
    std::vector<WeightedDistance> all;
    std::vector<std::pair<std::size_t, double>> beyond_cells;
    {
        // Exactly the populated cells and at most one value per zone without a cell: a vector
        // that grows holds its old and new buffers at once, at the run's memory peak.
        std::size_t populated = nz;
        for (const double pop : grid.population) {
            populated += pop > 0 ? 1 : 0;
        }
        all.reserve(populated);
    }
    for (std::size_t c = 0; c < ncells; ++c) {
        if (grid.zone[c] < 0) {
            continue;
        }
        const double d = cell_m[c];
        const double pop = grid.population[c];
        auto& acc = zone_acc[static_cast<std::size_t>(grid.zone[c])];
        acc.weighted_sum += pop * d;
        acc.population += pop;
        acc.distance_sum += d;
        acc.max_m = std::max(acc.max_m, d);
        if (d > threshold_m) {
            acc.beyond += pop;
            beyond_cells.emplace_back(c, d);
        }
        auto& site_acc = r.sites[cell_site[c]];
        site_acc.catchment_population += pop;
        site_acc.catchment_weighted_m += pop * d;
        ++site_acc.catchment_cells;
        if (pop > 0) {
            all.push_back({d, pop});
        }
    }
    if (params.keep_details) {
        r.cell_m = std::move(cell_m);
    }
    release(cell_m);
    r.zone_population.assign(nz, 0.0);
    // Whole persons everywhere: every zone's figure is a whole number (and exact in a double) and
    // the even spread gives each cell whole persons (step 2), so every sum of them is whole.
    r.whole_population =
        !r.population_grid && std::all_of(zones.begin(), zones.end(), [](const model::Zone& z) {
            return std::isfinite(z.population) && z.population == std::floor(z.population) &&
                   z.population < 9.0e15;
        });
    for (std::size_t i = 0; i < nz; ++i) {
        auto& zr = r.zones[i];
        auto& acc = zone_acc[i];
        // With a population grid a zone has what its cells hold; a zone without a cell holds
        // nothing (its people are in the cells of the zones around it, by the centre rule).
        r.zone_population[i] = r.population_grid ? acc.population : zones[i].population;
        if (zr.cells == 0) {
            ++r.point_demands;
            const double pop = r.zone_population[i];
            acc.weighted_sum = pop * zr.nearest_m;
            acc.population = pop;
            acc.distance_sum = zr.nearest_m;
            acc.max_m = zr.nearest_m;
            acc.beyond = zr.nearest_m > threshold_m ? pop : 0.0;
            r.sites[zr.nearest_site].catchment_population += pop;
            r.sites[zr.nearest_site].catchment_weighted_m += pop * zr.nearest_m;
            if (pop > 0) {
                all.push_back({zr.nearest_m, pop});
            }
        }
        zr.weighted_sum_m = acc.weighted_sum;
        zr.mean_m = acc.population > 0 ? acc.weighted_sum / acc.population
                                       : acc.distance_sum / std::max<std::uint32_t>(1, zr.cells);
        zr.max_m = acc.max_m;
        zr.population_beyond = acc.beyond;
        r.population_beyond += acc.beyond;
        ++r.sites[zr.nearest_site].catchment_zones;
    }
    release(zone_acc);
    r.distribution = distribution(all);
    if (params.keep_details) {
        r.sorted_demand = std::move(all);
    }
    release(all);
    timer.lap("statistics");

    // 6. Sites: nearest other site, and the zone holding each (for per-group counts).
    std::vector<std::array<double, 4>> env(nz);
    for (std::size_t i = 0; i < nz; ++i) {
        GEOSGeom_getExtent_r(ctx.get(), projected.geometry[i].get(), env[i].data(), &env[i][1],
                             &env[i][2], &env[i][3]);
    }
    for (std::size_t s = 0; s < sites.size(); ++s) {
        for (const auto& h : idx.k_nearest(sites[s].position, 2)) {
            if (h.site != s) {
                r.sites[s].nearest_other_m = h.distance_m;
                break;
            }
        }
        const auto xy = r.projection.forward(sites[s].position);
        geo::GeomPtr pt;
        for (std::size_t i = 0; i < nz && r.sites[s].zone < 0; ++i) {
            if (xy.x < env[i][0] || xy.x > env[i][2] || xy.y < env[i][1] || xy.y > env[i][3]) {
                continue;
            }
            if (!pt) {
                pt = geo::own(ctx, GEOSGeom_createPointFromXY_r(ctx.get(), xy.x, xy.y), "point");
            }
            if (GEOSIntersects_r(ctx.get(), projected.geometry[i].get(), pt.get()) == 1) {
                r.sites[s].zone = static_cast<std::int32_t>(i);
            }
        }
        if (r.sites[s].zone < 0) {
            ++r.sites_outside;
        }
    }
    timer.lap("sites");

    // 7. Groups, sorted by name.
    {
        std::map<std::string, std::size_t> pos;
        for (std::size_t i = 0; i < nz; ++i) {
            auto [it, inserted] = pos.emplace(zones[i].group, r.groups.size());
            if (inserted) {
                r.groups.push_back({zones[i].group});
            }
            auto& g = r.groups[it->second];
            g.population += r.zone_population[i];
            g.population_beyond += r.zones[i].population_beyond;
            g.weighted_sum_m += r.zones[i].weighted_sum_m;
            ++g.zones;
        }
        for (const auto& s : r.sites) {
            if (s.zone >= 0) {
                ++r.groups[pos[zones[static_cast<std::size_t>(s.zone)].group]].sites;
            }
        }
        std::sort(r.groups.begin(), r.groups.end(),
                  [](const GroupResult& a, const GroupResult& b) { return a.group < b.group; });
    }

    // 8. Underserved zones, with the population and farthest distance of the cells in each.
    report("underserved", 0.0);
    auto parts = underserved_parts(ctx, r.projection, site_pos, projected.geometry, threshold_m,
                                   params.circle_tolerance_m);
    for (auto& p : parts) {
        UnderservedPart up;
        up.area_m2 = geo::area(ctx, p.get());
        up.geometry = std::move(p);
        r.underserved.push_back(std::move(up));
    }
    if (!r.underserved.empty()) {
        // The cells beyond the threshold go to the part holding their centre, found by burning
        // the parts onto the grid with the same centre rule as the zones.
        std::vector<geo::GeomPtr> geoms;
        for (auto& u : r.underserved) {
            geoms.push_back(std::move(u.geometry));
        }
        std::vector<std::int32_t> part_of;
        rasterize_into(ctx, geoms, grid, part_of);
        for (std::size_t k = 0; k < geoms.size(); ++k) {
            r.underserved[k].geometry = std::move(geoms[k]);
        }
        auto add = [&](std::size_t k, double pop, double d) {
            r.underserved[k].population += pop;
            r.underserved[k].max_m = std::max(r.underserved[k].max_m, d);
        };
        // The circles' polygons hold the circles (geodesic_circle), so every point of a part is
        // beyond the threshold; a cell beyond it by less than the circles' tolerance can still
        // have its centre in a polygon and in no part. Such a cell goes to the nearest part
        // within `reach`, so that the parts keep every person beyond the threshold.
        const double reach = 10.0 * params.circle_tolerance_m + 1.0;
        std::vector<std::array<double, 4>> part_env(r.underserved.size());
        for (std::size_t k = 0; k < r.underserved.size(); ++k) {
            auto& e = part_env[k];
            GEOSGeom_getExtent_r(ctx.get(), r.underserved[k].geometry.get(), e.data(), &e[1], &e[2],
                                 &e[3]);
        }
        auto nearest_part = [&](geo::XY xy) -> std::optional<std::size_t> {
            auto pt = geo::own(ctx, GEOSGeom_createPointFromXY_r(ctx.get(), xy.x, xy.y), "point");
            std::optional<std::size_t> best;
            double best_d = reach;
            for (std::size_t k = 0; k < r.underserved.size(); ++k) {
                const auto& e = part_env[k];
                if (xy.x < e[0] - best_d || xy.x > e[2] + best_d || xy.y < e[1] - best_d ||
                    xy.y > e[3] + best_d) {
                    continue;
                }
                double d = 0.0;
                if (GEOSDistance_r(ctx.get(), r.underserved[k].geometry.get(), pt.get(), &d) == 1 &&
                    (d < best_d || (!best && d <= best_d))) {
                    best = k;
                    best_d = d;
                }
            }
            return best;
        };
        auto add_stray = [&](geo::XY xy, double pop, double d) {
            if (const auto k = nearest_part(xy)) {
                add(*k, pop, d);
                ++r.underserved_strays.cells;
                r.underserved_strays.population += pop;
            } else {
                ++r.underserved_strays.unassigned;
                r.underserved_strays.unassigned_population += pop;
            }
        };
        for (const auto& [c, d] : beyond_cells) {
            if (part_of[c] > 0) {
                add(static_cast<std::size_t>(part_of[c] - 1), grid.population[c], d);
            } else {
                add_stray(grid.centre(c), grid.population[c], d);
            }
        }
        // Zones too small for a cell: their reference point, tested against the parts.
        for (std::size_t i = 0; i < nz; ++i) {
            if (r.zones[i].cells != 0 || r.zones[i].nearest_m <= threshold_m) {
                continue;
            }
            const auto xy = r.projection.forward(r.zones[i].reference);
            auto pt = geo::own(ctx, GEOSGeom_createPointFromXY_r(ctx.get(), xy.x, xy.y), "point");
            bool found = false;
            for (std::size_t k = 0; k < r.underserved.size() && !found; ++k) {
                if (GEOSIntersects_r(ctx.get(), r.underserved[k].geometry.get(), pt.get()) == 1) {
                    add(k, r.zone_population[i], r.zones[i].nearest_m);
                    found = true;
                }
            }
            if (!found) {
                add_stray(xy, r.zone_population[i], r.zones[i].nearest_m);
            }
        }
        // The parts' own points: the distance to the nearest site of every vertex, so that a
        // part holding no cell centre still gets its farthest point (and every part's max_km is
        // at least the threshold).
        const auto np = static_cast<std::int64_t>(r.underserved.size());
        std::vector<double> vertex_max(r.underserved.size(), 0.0);
        std::string vertex_error;
#pragma omp parallel
        {
            const auto local_proj = r.projection.clone();
            geo::GeosContext local;
#pragma omp for schedule(dynamic, 1)
            for (std::int64_t k = 0; k < np; ++k) {
                try {
                    const auto u = static_cast<std::size_t>(k);
                    double best = 0.0;
                    geo::transform_xy(
                        local, r.underserved[u].geometry.get(), [&](double x, double y) {
                            best = std::max(
                                best, idx.nearest(local_proj.inverse(geo::XY{x, y})).distance_m);
                            return std::pair{x, y};
                        });
                    vertex_max[u] = best;
                } catch (const std::exception& e) {
#pragma omp critical(maillage_part_vertex_error)
                    vertex_error = e.what();
                }
            }
        }
        if (!vertex_error.empty()) {
            throw runtime_failure("underserved parts: " + vertex_error);
        }
        for (std::size_t k = 0; k < r.underserved.size(); ++k) {
            r.underserved[k].max_m = std::max(r.underserved[k].max_m, vertex_max[k]);
        }
    }
    timer.lap("underserved");
    report("underserved", 1.0);

    // 9. Nearest site of each type, each with its own index.
    if (params.by_type) {
        report("by type", 0.0);
        std::map<std::string, std::vector<std::uint32_t>> of_type;
        for (std::uint32_t s = 0; s < sites.size(); ++s) {
            of_type[sites[s].type].push_back(s);
        }
        std::set<std::string> keys;
        for (const auto& [type, members] : of_type) {
            r.by_type.push_back(
                nearest_of_type(type, members, sites, zones, r, area_pts, threshold_m));
            // Column-safe key: lower-case ASCII letters and digits, the rest as '_'.
            std::string key;
            for (const unsigned char ch : type) {
                key +=
                    std::isalnum(ch) != 0 && ch < 128 ? static_cast<char>(std::tolower(ch)) : '_';
            }
            if (key.empty()) {
                key = "none";
            }
            std::string unique = key;
            for (int n = 2; !keys.insert(unique).second; ++n) {
                unique = key + "_" + std::to_string(n);
            }
            r.by_type.back().key = unique;
        }
        timer.lap("by type");
        report("by type", 1.0);
    }

    // 10. Catchments.
    if (params.catchments) {
        report("catchments", 0.0);
        r.catchments =
            build_catchments(ctx, r.projection, site_pos, projected.geometry, grid, r.cell_site);
        timer.lap("catchments");
        report("catchments", 1.0);
    }
    return r;
}

} // namespace maillage::analysis
