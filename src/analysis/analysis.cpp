#include "maillage/analysis/analysis.hpp"
#include "internal.hpp"
#include "maillage/geo/geos.hpp"

#include "maillage/analysis/catchments.hpp"
#include "maillage/analysis/cell_pass.hpp"
#include "maillage/analysis/cost_model.hpp"
#include "maillage/analysis/underserved.hpp"
#include "maillage/analysis/zone_sums.hpp"
#include "maillage/core/error.hpp"
#include "maillage/core/parallel.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>

namespace maillage::analysis {
namespace {

using detail::PhaseTimer;

/// Frees a vector's memory. (`v = {}` would not: it calls the initializer-list assignment,
/// which empties the vector but keeps its buffer.)
template <typename T> void release(std::vector<T>& v) { std::vector<T>().swap(v); }

/// What the steps of analyse() share: the inputs, the sites' cost model, the projected zones.
struct Run {
    const geo::GeosContext& ctx;
    const std::vector<model::Site>& sites;
    const std::vector<model::Zone>& zones;
    const Parameters& params;
    double threshold_m = 0.0;
    std::vector<geo::LonLat> site_pos;
    std::unique_ptr<GeodesicCost> model;
    std::vector<geo::LonLat> area_pts; ///< points spanning the study area
    ProjectedZones projected;
};

/// Distances to the nearest site among `members` (the sites of one type) for every cell and
/// zone, summed like the overall ones (cells in order, then zones without a cell).
TypeResult nearest_of_type(const Run& run, const std::string& type,
                           const std::vector<std::uint32_t>& members, const AnalysisResult& r) {
    TypeResult t;
    t.type = type;
    t.sites = static_cast<std::uint32_t>(members.size());
    std::vector<geo::LonLat> pos;
    pos.reserve(members.size());
    for (const auto s : members) {
        pos.push_back(run.sites[s].position);
    }
    const auto& grid = r.grid;
    const std::size_t ncells = grid.zone.size();
    GeodesicCost model(pos);
    model.prepare(run.area_pts, ncells);
    t.cell_km.assign(ncells, std::numeric_limits<float>::quiet_NaN());
    std::vector<double> cell_m(ncells, 0.0);
    cell_pass(grid, r.projection, model, {cell_m, {}, t.cell_km});
    const std::size_t nz = run.zones.size();
    t.zone_nearest_m.resize(nz);
    for (std::size_t i = 0; i < nz; ++i) {
        t.zone_nearest_m[i] = model.nearest(r.zones[i].reference).cost;
    }
    const auto sums = sum_cells_by_zone(grid, cell_m, nz, no_threshold);
    std::vector<WeightedDistance> all;
    for (std::size_t c = 0; c < ncells; ++c) {
        if (grid.zone[c] < 0) {
            continue;
        }
        const double pop = grid.population[c];
        const double d = cell_m[c];
        if (d > run.threshold_m) {
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
            if (d > run.threshold_m) {
                t.population_beyond += pop;
            }
            if (pop > 0) {
                all.push_back({d, pop});
            }
        } else {
            t.zone_mean_m[i] = sums[i].mean(r.zones[i].cells);
        }
    }
    t.distribution = distribution(all);
    return t;
}

/// A column-safe key for a type: lower-case ASCII letters and digits, the rest as '_', unique
/// among `keys` (which it joins).
std::string type_key(const std::string& type, std::set<std::string>& keys) {
    std::string key;
    for (const unsigned char ch : type) {
        key += std::isalnum(ch) != 0 && ch < 128 ? static_cast<char>(std::tolower(ch)) : '_';
    }
    if (key.empty()) {
        key = "none";
    }
    std::string unique = key;
    for (int n = 2; !keys.insert(unique).second; ++n) {
        unique = key + "_" + std::to_string(n);
    }
    return unique;
}

/// Step 9: the nearest site of each type, each with its own cost model; `progress` (may be
/// empty) gets the share of the types done.
void measure_by_type(const Run& run, AnalysisResult& r, const ProgressFn& progress) {
    std::map<std::string, std::vector<std::uint32_t>> of_type;
    for (std::uint32_t s = 0; s < run.sites.size(); ++s) {
        of_type[run.sites[s].type].push_back(s);
    }
    std::set<std::string> keys;
    for (const auto& [type, members] : of_type) {
        r.by_type.push_back(nearest_of_type(run, type, members, r));
        r.by_type.back().key = type_key(type, keys);
        if (progress) {
            progress("by type",
                     static_cast<double>(r.by_type.size()) / static_cast<double>(of_type.size()));
        }
    }
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

/// Step 3: the reference point of every zone, its nearest site and the sites within the
/// threshold.
void place_zones(const Run& run, AnalysisResult& r) {
    const std::size_t nz = run.zones.size();
    r.zones.resize(nz);
    core::parallel_for(nz, 64, [&](std::size_t i) {
        auto& zr = r.zones[i];
        zr.reference = run.projected.reference[i];
        zr.area_m2 = run.projected.area_m2[i];
        zr.cells = r.grid.cell_count[i];
        const auto hit = run.model->nearest(zr.reference);
        zr.nearest_site = hit.site;
        zr.nearest_m = hit.cost;
        zr.sites_within =
            static_cast<std::uint32_t>(run.model->count_within(zr.reference, run.threshold_m));
    });
}

/// Step 4: every cell's exact nearest site (the cell pass); returns the distances.
std::vector<double> measure_cells(Run& run, AnalysisResult& r, const ProgressFn& progress) {
    const std::size_t ncells = r.grid.zone.size();
    r.cell_km.assign(ncells, std::numeric_limits<float>::quiet_NaN());
    // The parallel pass only measures; every sum is then made in one sequential pass in cell
    // order, so that the figures do not depend on the number of threads or their schedule.
    std::vector<double> cell_m(ncells, 0.0);
    r.cell_site.assign(ncells, 0);
    // A bucket table over the study area answers the cell queries without walking the tree.
    run.model->prepare(run.area_pts, ncells);
    RowProgressFn rows;
    if (progress) {
        rows = [&](double f) { progress("distances", f); };
    }
    cell_pass(r.grid, r.projection, *run.model, {cell_m, r.cell_site, r.cell_km}, rows);
    return cell_m;
}

/// Whole persons everywhere: every zone's figure is a whole number (and exact in a double) and
/// the even spread gives each cell whole persons, so every sum of them is whole.
bool whole_population(const Run& run, const AnalysisResult& r) {
    return !r.population_grid &&
           std::all_of(run.zones.begin(), run.zones.end(), [](const model::Zone& z) {
               return std::isfinite(z.population) && z.population == std::floor(z.population) &&
                      z.population < 9.0e15;
           });
}

/// Step 5a: the sites' catchments, the demand values and the cells beyond the threshold, in
/// cell order.
std::vector<std::pair<std::size_t, double>> sum_cells(const Run& run, AnalysisResult& r,
                                                      const std::vector<double>& cell_m,
                                                      std::vector<WeightedDistance>& all) {
    const auto& grid = r.grid;
    // Exactly the populated cells and at most one value per zone without a cell: a vector
    // that grows holds its old and new buffers at once, at the run's memory peak.
    std::size_t populated = run.zones.size();
    for (const double pop : grid.population) {
        populated += pop > 0 ? 1 : 0;
    }
    all.reserve(populated);
    std::vector<std::pair<std::size_t, double>> beyond_cells;
    for (std::size_t c = 0; c < grid.zone.size(); ++c) {
        if (grid.zone[c] < 0) {
            continue;
        }
        const double d = cell_m[c];
        const double pop = grid.population[c];
        if (d > run.threshold_m) {
            beyond_cells.emplace_back(c, d);
        }
        auto& site_acc = r.sites[r.cell_site[c]];
        site_acc.catchment_population += pop;
        site_acc.catchment_weighted_m += pop * d;
        ++site_acc.catchment_cells;
        if (pop > 0) {
            all.push_back({d, pop});
        }
    }
    return beyond_cells;
}

/// Step 5b: each zone's figures from its sums; a zone without a cell puts its population on
/// its reference point.
void finish_zones(const Run& run, AnalysisResult& r, std::vector<ZoneSums>& sums,
                  std::vector<WeightedDistance>& all) {
    const std::size_t nz = run.zones.size();
    r.zone_population.assign(nz, 0.0);
    for (std::size_t i = 0; i < nz; ++i) {
        auto& zr = r.zones[i];
        auto& acc = sums[i];
        // With a population grid a zone has what its cells hold; a zone without a cell holds
        // nothing (its people are in the cells of the zones around it, by the centre rule).
        r.zone_population[i] = r.population_grid ? acc.population : run.zones[i].population;
        if (zr.cells == 0) {
            ++r.point_demands;
            const double pop = r.zone_population[i];
            acc.set_point(zr.nearest_m, pop, run.threshold_m);
            r.sites[zr.nearest_site].catchment_population += pop;
            r.sites[zr.nearest_site].catchment_weighted_m += pop * zr.nearest_m;
            if (pop > 0) {
                all.push_back({zr.nearest_m, pop});
            }
        }
        zr.weighted_sum_m = acc.weighted;
        zr.mean_m = acc.mean(zr.cells);
        zr.max_m = acc.max;
        zr.population_beyond = acc.beyond;
        r.population_beyond += acc.beyond;
        ++r.sites[zr.nearest_site].catchment_zones;
    }
}

/// Step 5: sums per zone and site. Returns the cells beyond the threshold (cell, distance).
std::vector<std::pair<std::size_t, double>> sum_statistics(const Run& run, AnalysisResult& r,
                                                           std::vector<double>& cell_m) {
    r.sites.assign(run.sites.size(), {});
    auto sums = sum_cells_by_zone(r.grid, cell_m, run.zones.size(), run.threshold_m);
    std::vector<WeightedDistance> all;
    auto beyond_cells = sum_cells(run, r, cell_m, all);
    if (run.params.keep_details) {
        r.cell_m = std::move(cell_m);
    }
    release(cell_m);
    r.whole_population = whole_population(run, r);
    finish_zones(run, r, sums, all);
    release(sums);
    r.distribution = distribution(all);
    if (run.params.keep_details) {
        r.sorted_demand = std::move(all);
    }
    return beyond_cells;
}

/// Step 6: each site's nearest other site, and the zone holding it (for per-group counts).
void locate_sites(const Run& run, AnalysisResult& r) {
    const auto& ctx = run.ctx;
    const auto& geometry = run.projected.geometry;
    const std::size_t nz = run.zones.size();
    std::vector<std::array<double, 4>> env(nz);
    for (std::size_t i = 0; i < nz; ++i) {
        GEOSGeom_getExtent_r(ctx.get(), geometry[i].get(), env[i].data(), &env[i][1], &env[i][2],
                             &env[i][3]);
    }
    for (std::size_t s = 0; s < run.sites.size(); ++s) {
        for (const auto& h : run.model->index().k_nearest(run.sites[s].position, 2)) {
            if (h.site != s) {
                r.sites[s].nearest_other_m = h.distance_m;
                break;
            }
        }
        const auto xy = r.projection.forward(run.sites[s].position);
        geo::GeomPtr pt;
        for (std::size_t i = 0; i < nz && r.sites[s].zone < 0; ++i) {
            if (xy.x < env[i][0] || xy.x > env[i][2] || xy.y < env[i][1] || xy.y > env[i][3]) {
                continue;
            }
            if (!pt) {
                pt = geo::own(ctx, GEOSGeom_createPointFromXY_r(ctx.get(), xy.x, xy.y), "point");
            }
            if (GEOSIntersects_r(ctx.get(), geometry[i].get(), pt.get()) == 1) {
                r.sites[s].zone = static_cast<std::int32_t>(i);
            }
        }
        if (r.sites[s].zone < 0) {
            ++r.sites_outside;
        }
    }
}

/// Step 7: groups, sorted by name.
void sum_groups(const Run& run, AnalysisResult& r) {
    const auto groups = group_zones(run.zones);
    for (const auto& name : groups.names) {
        r.groups.push_back({name});
    }
    for (std::size_t i = 0; i < run.zones.size(); ++i) {
        auto& g = r.groups[groups.of_zone[i]];
        g.population += r.zone_population[i];
        g.population_beyond += r.zones[i].population_beyond;
        g.weighted_sum_m += r.zones[i].weighted_sum_m;
        ++g.zones;
    }
    for (const auto& s : r.sites) {
        if (s.zone >= 0) {
            ++r.groups[groups.of_zone[static_cast<std::size_t>(s.zone)]].sites;
        }
    }
}

/// Puts the demand beyond the threshold into the underserved parts: the part holding it, or a
/// stray's nearest part within reach.
class PartAssigner {
public:
    /// The circles' polygons hold the circles (geodesic_circle), so every point of a part is
    /// beyond the threshold; a cell beyond it by less than the circles' tolerance can still
    /// have its centre in a polygon and in no part. Such a cell goes to the nearest part
    /// within `reach`, so that the parts keep every person beyond the threshold.
    PartAssigner(const geo::GeosContext& ctx, AnalysisResult& r, double reach)
        : m_ctx(ctx), m_r(r), m_reach(reach), m_env(r.underserved.size()) {
        for (std::size_t k = 0; k < r.underserved.size(); ++k) {
            auto& e = m_env[k];
            GEOSGeom_getExtent_r(ctx.get(), r.underserved[k].geometry.get(), e.data(), &e[1], &e[2],
                                 &e[3]);
        }
    }

    /// Demand of population `pop` at distance `d` in part k.
    void add(std::size_t k, double pop, double d) {
        m_r.underserved[k].population += pop;
        m_r.underserved[k].max_m = std::max(m_r.underserved[k].max_m, d);
    }

    /// Demand at `xy` in no part: to the nearest part within reach, or to none.
    void add_stray(geo::XY xy, double pop, double d) {
        auto& strays = m_r.underserved_strays;
        if (const auto k = nearest_part(xy)) {
            add(*k, pop, d);
            ++strays.cells;
            strays.population += pop;
        } else {
            ++strays.unassigned;
            strays.unassigned_population += pop;
        }
    }

private:
    [[nodiscard]] std::optional<std::size_t> nearest_part(geo::XY xy) const {
        auto pt = geo::own(m_ctx, GEOSGeom_createPointFromXY_r(m_ctx.get(), xy.x, xy.y), "point");
        std::optional<std::size_t> best;
        double best_d = m_reach;
        for (std::size_t k = 0; k < m_r.underserved.size(); ++k) {
            const auto& e = m_env[k];
            if (xy.x < e[0] - best_d || xy.x > e[2] + best_d || xy.y < e[1] - best_d ||
                xy.y > e[3] + best_d) {
                continue;
            }
            double d = 0.0;
            if (GEOSDistance_r(m_ctx.get(), m_r.underserved[k].geometry.get(), pt.get(), &d) == 1 &&
                (d < best_d || (!best && d <= best_d))) {
                best = k;
                best_d = d;
            }
        }
        return best;
    }

    const geo::GeosContext& m_ctx;
    AnalysisResult& m_r;
    double m_reach;
    std::vector<std::array<double, 4>> m_env;
};

/// The parts' own points: the distance to the nearest site of every vertex, so that a part
/// holding no cell centre still gets its farthest point (and every part's max_km is at least
/// the threshold). Parts in parallel, each thread with its own projection and GEOS context.
void add_vertex_distances(const Run& run, AnalysisResult& r) {
    struct Local {
        explicit Local(const geo::EqualAreaProjection& p) : projection(p.clone()) {}
        geo::EqualAreaProjection projection;
        geo::GeosContext ctx;
    };
    std::vector<std::unique_ptr<Local>> locals(static_cast<std::size_t>(core::max_threads()));
    std::vector<double> vertex_max(r.underserved.size(), 0.0);
    core::parallel_for(r.underserved.size(), 1, [&](std::size_t u) {
        auto& local = locals[static_cast<std::size_t>(core::thread_index())];
        if (!local) {
            local = std::make_unique<Local>(r.projection);
        }
        double best = 0.0;
        geo::transform_xy(local->ctx, r.underserved[u].geometry.get(), [&](double x, double y) {
            best =
                std::max(best, run.model->nearest(local->projection.inverse(geo::XY{x, y})).cost);
            return std::pair{x, y};
        });
        vertex_max[u] = best;
    });
    for (std::size_t k = 0; k < r.underserved.size(); ++k) {
        r.underserved[k].max_m = std::max(r.underserved[k].max_m, vertex_max[k]);
    }
}

/// The cells beyond the threshold go to the part holding their centre, found by burning the
/// parts onto the grid with the same centre rule as the zones; the zones too small for a cell,
/// by their reference point tested against the parts.
void assign_beyond(const Run& run, AnalysisResult& r,
                   const std::vector<std::pair<std::size_t, double>>& beyond_cells) {
    const auto& ctx = run.ctx;
    std::vector<geo::GeomPtr> geoms;
    for (auto& u : r.underserved) {
        geoms.push_back(std::move(u.geometry));
    }
    std::vector<std::int32_t> part_of;
    rasterize_into(ctx, geoms, r.grid, part_of);
    for (std::size_t k = 0; k < geoms.size(); ++k) {
        r.underserved[k].geometry = std::move(geoms[k]);
    }
    PartAssigner parts(ctx, r, 10.0 * run.params.circle_tolerance_m + 1.0);
    for (const auto& [c, d] : beyond_cells) {
        if (part_of[c] > 0) {
            parts.add(static_cast<std::size_t>(part_of[c] - 1), r.grid.population[c], d);
        } else {
            parts.add_stray(r.grid.centre(c), r.grid.population[c], d);
        }
    }
    for (std::size_t i = 0; i < run.zones.size(); ++i) {
        if (r.zones[i].cells != 0 || r.zones[i].nearest_m <= run.threshold_m) {
            continue;
        }
        const auto xy = r.projection.forward(r.zones[i].reference);
        auto pt = geo::own(ctx, GEOSGeom_createPointFromXY_r(ctx.get(), xy.x, xy.y), "point");
        bool found = false;
        for (std::size_t k = 0; k < r.underserved.size() && !found; ++k) {
            if (GEOSIntersects_r(ctx.get(), r.underserved[k].geometry.get(), pt.get()) == 1) {
                parts.add(k, r.zone_population[i], r.zones[i].nearest_m);
                found = true;
            }
        }
        if (!found) {
            parts.add_stray(xy, r.zone_population[i], r.zones[i].nearest_m);
        }
    }
}

/// Step 8: underserved zones, with the population and farthest distance of the cells in each.
void find_underserved(const Run& run, AnalysisResult& r,
                      const std::vector<std::pair<std::size_t, double>>& beyond_cells) {
    auto parts = underserved_parts(run.ctx, r.projection, run.site_pos, run.projected.geometry,
                                   run.threshold_m, run.params.circle_tolerance_m);
    for (auto& p : parts) {
        UnderservedPart up;
        up.area_m2 = geo::area(run.ctx, p.get());
        up.geometry = std::move(p);
        r.underserved.push_back(std::move(up));
    }
    if (!r.underserved.empty()) {
        assign_beyond(run, r, beyond_cells);
        add_vertex_distances(run, r);
    }
}

/// Steps 1 and 2: the sites' cost model, the projection, the zones and the grid (and the
/// population grid when one is given).
void build_grid_step(Run& run, AnalysisResult& r, PhaseTimer& timer,
                     const std::function<void(const std::string&, double)>& report) {
    run.site_pos = detail::site_positions(run.sites);
    run.model = std::make_unique<GeodesicCost>(run.site_pos);
    timer.lap("index");

    run.area_pts = sample_points(run.ctx, run.zones);
    r.projection = geo::EqualAreaProjection::centred_on(run.area_pts);
    report("grid", 0.0);
    run.projected = project_zones(run.ctx, run.zones, r.projection);
    r.grid = build_grid(run.ctx, run.zones, run.projected, run.params.grid_m);
    timer.lap("grid");
    report("grid", 1.0);
    if (!run.params.population_grid.path.empty()) {
        report("population grid", 0.0);
        apply_population_grid(run.params.population_grid, r);
        timer.lap("population grid");
        report("population grid", 1.0);
    }
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
    auto report = [&](const std::string& phase, double f) {
        if (progress) {
            progress(phase, f);
        }
    };
    AnalysisResult r;
    r.sites_swapped = site_placement(ctx, sites, zones).swapped.size();
    PhaseTimer timer(r.timings_s);
    Run run{ctx, sites, zones, params, params.threshold_km * 1000.0, {}, {}, {}, {}};
    build_grid_step(run, r, timer, report);

    place_zones(run, r);
    timer.lap("zones");

    report("distances", 0.0);
    auto cell_m = measure_cells(run, r, progress);
    timer.lap("distances");
    report("distances", 1.0);

    const auto beyond_cells = sum_statistics(run, r, cell_m);
    timer.lap("statistics");

    locate_sites(run, r);
    timer.lap("sites");
    sum_groups(run, r);

    report("underserved", 0.0);
    find_underserved(run, r, beyond_cells);
    timer.lap("underserved");
    report("underserved", 1.0);

    if (params.by_type) {
        report("by type", 0.0);
        measure_by_type(run, r, progress);
        timer.lap("by type");
        report("by type", 1.0);
    }
    if (params.catchments) {
        report("catchments", 0.0);
        r.catchments = build_catchments(ctx, r.projection, run.site_pos, run.projected.geometry,
                                        r.grid, r.cell_site);
        timer.lap("catchments");
        report("catchments", 1.0);
    }
    return r;
}

} // namespace maillage::analysis
