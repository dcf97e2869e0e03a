#include "maillage/analysis/catchments.hpp"
#include "maillage/geo/geos.hpp"

#include "maillage/core/error.hpp"
#include "maillage/core/parallel.hpp"
#include "maillage/geo/geodesic.hpp"

#include <algorithm>
#include <cmath>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <utility>

namespace maillage::analysis {

namespace {

/// A Voronoi cell clipped to the study area (a thread's copy).
geo::GeomPtr clip(const geo::LocalCopy& area, const GEOSGeometry* cell) {
    const auto& local = area.ctx;
    auto* const lh = local.get();
    if (GEOSPreparedContainsProperly_r(lh, area.prepared.get(), cell) == 1) {
        return geo::GeomPtr(GEOSGeom_clone_r(lh, cell), geo::GeomDeleter{lh});
    }
    return geo::polygonal_part(
        local, geo::own(local, GEOSIntersection_r(lh, area.geometry.get(), cell), "intersection"));
}

/// The Voronoi cell of each point of `multipoint` (in its order), in `cells`.
void voronoi_cells(const geo::GeosContext& ctx, const GEOSGeometry* study,
                   const GEOSGeometry* multipoint, std::vector<geo::GeomPtr>& cells) {
    auto* const h = ctx.get();
    double x0 = 0.0;
    double y0 = 0.0;
    double x1 = 0.0;
    double y1 = 0.0;
    GEOSGeom_getExtent_r(h, study, &x0, &y0, &x1, &y1);
    double px0 = 0.0;
    double py0 = 0.0;
    double px1 = 0.0;
    double py1 = 0.0;
    GEOSGeom_getExtent_r(h, multipoint, &px0, &py0, &px1, &py1);
    x0 = std::min(x0, px0);
    y0 = std::min(y0, py0);
    x1 = std::max(x1, px1);
    y1 = std::max(y1, py1);
    const double m = 0.1 * std::max(x1 - x0, y1 - y0) + 1000.0;
    auto env =
        geo::own(ctx, GEOSGeom_createRectangle_r(h, x0 - m, y0 - m, x1 + m, y1 + m), "extent");
    auto diagram =
        geo::own(ctx, GEOSVoronoiDiagram_r(h, multipoint, env.get(), 0.0, 0), "Voronoi diagram");
    // GEOS 3.11 does not keep the input order: each cell goes to the position inside it.
    const GEOSGeometry* pts = multipoint;
    const int n = GEOSGetNumGeometries_r(h, diagram.get());
    // Points sorted by x for a quick envelope filter.
    std::vector<std::pair<double, std::size_t>> by_x;
    for (std::size_t k = 0; k < cells.size(); ++k) {
        double x = 0.0;
        GEOSGeomGetX_r(h, GEOSGetGeometryN_r(h, pts, static_cast<int>(k)), &x);
        by_x.emplace_back(x, k);
    }
    std::sort(by_x.begin(), by_x.end());
    for (int i = 0; i < n; ++i) {
        const GEOSGeometry* cell = GEOSGetGeometryN_r(h, diagram.get(), i);
        double cx0 = 0.0;
        double cy0 = 0.0;
        double cx1 = 0.0;
        double cy1 = 0.0;
        GEOSGeom_getExtent_r(h, cell, &cx0, &cy0, &cx1, &cy1);
        auto it = std::lower_bound(by_x.begin(), by_x.end(), std::pair{cx0, std::size_t{0}});
        auto prepared = geo::PreparedPtr(GEOSPrepare_r(h, cell), geo::PreparedDeleter{h});
        for (; it != by_x.end() && it->first <= cx1; ++it) {
            const GEOSGeometry* p = GEOSGetGeometryN_r(h, pts, static_cast<int>(it->second));
            if (cells[it->second] == nullptr &&
                GEOSPreparedIntersects_r(h, prepared.get(), p) == 1) {
                cells[it->second] = geo::clone(ctx, cell);
                break;
            }
        }
    }
}

/// The study area: the union of the zones (its polygonal part).
geo::GeomPtr study_area(const geo::GeosContext& ctx, const std::vector<geo::GeomPtr>& zones) {
    std::vector<geo::GeomPtr> copies;
    copies.reserve(zones.size());
    for (const auto& z : zones) {
        copies.push_back(geo::clone(ctx, z.get()));
    }
    auto all = geo::collect(ctx, GEOS_GEOMETRYCOLLECTION, std::move(copies), "collection");
    return geo::polygonal_part(ctx, geo::own(ctx, GEOSUnaryUnion_r(ctx.get(), all.get()), "union"));
}

/// The distinct positions of the sites in the plane, each with the first site there.
struct Generators {
    std::vector<std::uint32_t> site; ///< site of each distinct position
    std::vector<geo::GeomPtr> points;
};

Generators distinct_positions(const geo::GeosContext& ctx, const geo::EqualAreaProjection& proj,
                              const std::vector<geo::LonLat>& sites) {
    Generators g;
    std::set<std::pair<double, double>> seen;
    for (std::uint32_t i = 0; i < sites.size(); ++i) {
        const auto xy = proj.forward(sites[i]);
        if (!std::isfinite(xy.x) || !std::isfinite(xy.y)) {
            continue; // the antipode of the projection's centre: no catchment here
        }
        if (seen.emplace(xy.x, xy.y).second) {
            g.site.push_back(i);
            g.points.push_back(
                geo::own(ctx, GEOSGeom_createPointFromXY_r(ctx.get(), xy.x, xy.y), "point"));
        }
    }
    return g;
}

/// Each Voronoi cell clipped to the study area, in parallel (one GEOS context and study-area
/// copy per thread), into out.geometry and out.area_m2 of its site.
void clip_to_study_area(const geo::GeosContext& ctx, const GEOSGeometry* study,
                        const std::vector<std::uint32_t>& generator,
                        const std::vector<geo::GeomPtr>& cells, Catchments& out) {
    std::vector<std::unique_ptr<geo::LocalCopy>> areas(
        static_cast<std::size_t>(core::max_threads()));
    std::mutex copy_mutex;
    core::parallel_for(generator.size(), 4, [&](std::size_t u) {
        if (!cells[u]) {
            return;
        }
        auto& area = areas[static_cast<std::size_t>(core::thread_index())];
        try {
            if (!area) {
                area = std::make_unique<geo::LocalCopy>(study, copy_mutex);
            }
            auto clipped = clip(*area, cells[u].get());
            const std::uint32_t s = generator[u];
            if (GEOSisEmpty_r(area->ctx.get(), clipped.get()) == 0) {
                out.area_m2[s] = geo::area(area->ctx, clipped.get());
                out.geometry[s] = geo::GeomPtr(clipped.release(), geo::GeomDeleter{ctx.get()});
            }
        } catch (const std::exception&) {
            rethrow_with_context("catchments: ");
        }
    });
}

/// Agreement with the exact nearest site, cell by cell: the polygons burnt with the same centre
/// rule as the zones; a cell counts when its polygon's site is strictly farther than its nearest
/// (an exact tie does not).
void check_against_nearest(const geo::GeosContext& ctx, const geo::EqualAreaProjection& proj,
                           const std::vector<geo::LonLat>& sites, const PopulationGrid& grid,
                           const std::vector<std::uint32_t>& cell_site, Catchments& out) {
    auto* const h = ctx.get();
    std::vector<geo::GeomPtr> burn;
    std::vector<std::uint32_t> burn_site;
    for (std::uint32_t s = 0; s < sites.size(); ++s) {
        if (out.geometry[s]) {
            burn.push_back(
                geo::GeomPtr(GEOSGeom_clone_r(h, out.geometry[s].get()), geo::GeomDeleter{h}));
            burn_site.push_back(s);
        }
    }
    std::vector<std::int32_t> owner;
    rasterize_into(ctx, burn, grid, owner);
    for (std::size_t c = 0; c < owner.size(); ++c) {
        if (grid.zone[c] < 0 || owner[c] <= 0) {
            continue;
        }
        const std::uint32_t s = burn_site[static_cast<std::size_t>(owner[c] - 1)];
        if (s == cell_site[c]) {
            continue;
        }
        // Both distances in double, by the same function, from the same point: the polygon's
        // site and the exact nearest one.
        const auto e = proj.inverse_ecef(grid.centre(c));
        const std::uint32_t n = cell_site[c];
        const double d = geo::geodesic_distance_m(e, sites[s], geo::to_ecef(sites[s]));
        const double nearest = geo::geodesic_distance_m(e, sites[n], geo::to_ecef(sites[n]));
        const double extra = d - nearest;
        if (extra > 0.0) {
            ++out.cells_differ;
            out.population_differ += grid.population[c];
            out.max_extra_m = std::max(out.max_extra_m, extra);
        }
    }
}

} // namespace

Catchments build_catchments(const geo::GeosContext& ctx, const geo::EqualAreaProjection& proj,
                            const std::vector<geo::LonLat>& sites,
                            const std::vector<geo::GeomPtr>& zones, const PopulationGrid& grid,
                            const std::vector<std::uint32_t>& cell_site) {
    Catchments out;
    out.geometry.resize(sites.size());
    out.area_m2.assign(sites.size(), 0.0);
    const auto study = study_area(ctx, zones);
    out.study_area_m2 = geo::area(ctx, study.get());

    auto generators = distinct_positions(ctx, proj, sites);
    if (generators.points.empty()) {
        return out;
    }
    const std::size_t n = generators.site.size();
    auto multipoint = geo::collect(ctx, GEOS_MULTIPOINT, std::move(generators.points), "sites");
    std::vector<geo::GeomPtr> cells(n);
    if (n == 1) {
        cells[0] = geo::clone(ctx, study.get());
    } else {
        voronoi_cells(ctx, study.get(), multipoint.get(), cells);
    }
    clip_to_study_area(ctx, study.get(), generators.site, cells, out);
    cells.clear();
    check_against_nearest(ctx, proj, sites, grid, cell_site, out);
    return out;
}

} // namespace maillage::analysis
