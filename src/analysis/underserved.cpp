#include "maillage/analysis/underserved.hpp"

#include "maillage/core/error.hpp"
#include "maillage/core/parallel.hpp"
#include "maillage/geo/geos.hpp"

#include <algorithm>
#include <cmath>
#include <memory>
#include <mutex>
#include <numbers>
#include <optional>
#include <string>

namespace maillage::analysis {

int circle_vertices(double radius_m, double tolerance_m) {
    // A circumscribed regular n-gon (edges tangent to the circle, vertices at r / cos(pi / n))
    // strays from its circle by r (1 / cos(pi / n) - 1): at most tol when
    // cos(pi / n) >= r / (r + tol).
    if (radius_m <= tolerance_m) {
        return 16;
    }
    // Clamped before the conversion: for a radius beyond ~1e16 m, or a zero tolerance,
    // r / (r + tol) rounds to 1 and n is infinite (converting that to int is undefined).
    const double n = std::numbers::pi / std::acos(radius_m / (radius_m + tolerance_m));
    return static_cast<int>(std::clamp(std::ceil(n), 16.0, 100000.0));
}

double circle_vertex_distance(double radius_m, int vertices) {
    return radius_m / std::cos(std::numbers::pi / vertices);
}

geo::GeomPtr geodesic_circle(const geo::GeosContext& ctx, const geo::EqualAreaProjection& proj,
                             geo::LonLat centre, double radius_m, double tolerance_m) {
    const int n = circle_vertices(radius_m, tolerance_m);
    // Vertices beyond the circle, so that the edges' midpoints touch it: the polygon holds the
    // whole circle, and every point outside it is farther than radius_m from the centre.
    const double vertex_m = circle_vertex_distance(radius_m, n);
    struct SeqDeleter {
        GEOSContextHandle_t ctx;
        void operator()(GEOSCoordSequence* s) const { GEOSCoordSeq_destroy_r(ctx, s); }
    };
    std::unique_ptr<GEOSCoordSequence, SeqDeleter> seq(
        GEOSCoordSeq_create_r(ctx.get(), static_cast<unsigned>(n + 1), 2), SeqDeleter{ctx.get()});
    for (int i = 0; i <= n; ++i) {
        // Counter-clockwise: azimuths decrease.
        const double azimuth = 360.0 - 360.0 * static_cast<double>(i % n) / n;
        const auto p = proj.forward(geo::geodesic_destination(centre, azimuth, vertex_m));
        GEOSCoordSeq_setXY_r(ctx.get(), seq.get(), static_cast<unsigned>(i), p.x, p.y);
    }
    // The ring takes the sequence over, the polygon the ring.
    auto ring = geo::own(ctx, GEOSGeom_createLinearRing_r(ctx.get(), seq.release()), "circle");
    return geo::own(ctx, GEOSGeom_createPolygon_r(ctx.get(), ring.release(), nullptr, 0), "circle");
}

geo::GeomPtr to_lonlat(const geo::GeosContext& ctx, const GEOSGeometry* projected,
                       const geo::EqualAreaProjection& proj) {
    auto* const h = ctx.get();
    // Longitudes unwrapped around the projection's centre: continuous across the antimeridian.
    const double lon_0 = proj.lon_0();
    auto unwrapped = geo::transform_xy(ctx, projected, [&](double x, double y) {
        const auto ll = proj.inverse(geo::XY{x, y});
        return std::pair{lon_0 + geo::normalize_lon(ll.lon - lon_0), ll.lat};
    });
    double x0 = 0.0;
    double y0 = 0.0;
    double x1 = 0.0;
    double y1 = 0.0;
    if (GEOSisEmpty_r(h, unwrapped.get()) == 1 ||
        GEOSGeom_getExtent_r(h, unwrapped.get(), &x0, &y0, &x1, &y1) == 0 ||
        (x0 >= -180.0 && x1 <= 180.0)) {
        return unwrapped;
    }
    // Cut into the pieces west of -180, between, and east of 180, and shift them home.
    std::vector<geo::GeomPtr> pieces;
    for (const double shift : {-360.0, 0.0, 360.0}) {
        auto box =
            geo::own(ctx, GEOSGeom_createRectangle_r(h, -180.0 - shift, -90.0, 180.0 - shift, 90.0),
                     "rectangle");
        auto piece = geo::polygonal_part(
            ctx, geo::own(ctx, GEOSIntersection_r(h, unwrapped.get(), box.get()), "intersection"));
        if (GEOSisEmpty_r(h, piece.get()) == 1) {
            continue;
        }
        if (shift != 0.0) {
            piece = geo::transform_xy(ctx, piece.get(), [&](double x, double y) {
                return std::pair{x + shift, y};
            });
        }
        const int n = GEOSGetNumGeometries_r(h, piece.get());
        for (int i = 0; i < n; ++i) {
            pieces.push_back(geo::clone(ctx, GEOSGetGeometryN_r(h, piece.get(), i)));
        }
    }
    return geo::collect(ctx, GEOS_MULTIPOLYGON, std::move(pieces), "antimeridian split");
}

namespace {

/// The circles of radius radius_m round the sites, in parallel (each needs a few hundred
/// geodesic problems), one projection and GEOS context per thread; owned in ctx.
std::vector<geo::GeomPtr> site_circles(const geo::GeosContext& ctx,
                                       const geo::EqualAreaProjection& proj,
                                       const std::vector<geo::LonLat>& sites, double radius_m,
                                       double tolerance_m) {
    std::vector<geo::GeomPtr> circles(radius_m > 0 ? sites.size() : 0);
    struct Tools {
        std::unique_ptr<geo::GeosContext> ctx;
        std::optional<geo::EqualAreaProjection> proj;
    };
    std::vector<Tools> tools(static_cast<std::size_t>(core::max_threads()));
    core::parallel_for(circles.size(), 16, [&](std::size_t u) {
        auto& t = tools[static_cast<std::size_t>(core::thread_index())];
        if (!t.ctx) {
            t.ctx = std::make_unique<geo::GeosContext>();
            t.proj.emplace(proj.clone());
        }
        try {
            auto c = geodesic_circle(*t.ctx, *t.proj, sites[u], radius_m, tolerance_m);
            circles[u] = geo::GeomPtr(c.release(), geo::GeomDeleter{ctx.get()});
        } catch (const std::exception&) {
            rethrow_with_context("underserved zones: ");
        }
    });
    return circles;
}

/// Zone z minus the coverage `cover` (a thread's copy), or null when nothing is left.
geo::GeomPtr uncovered_part(geo::LocalCopy& cover, const GEOSGeometry* z) {
    const auto& local = cover.ctx;
    auto* const lh = local.get();
    if (GEOSPreparedContainsProperly_r(lh, cover.prepared.get(), z) == 1) {
        return nullptr;
    }
    double x0 = 0.0;
    double y0 = 0.0;
    double x1 = 0.0;
    double y1 = 0.0;
    GEOSGeom_getExtent_r(lh, z, &x0, &y0, &x1, &y1);
    auto local_cover = geo::own(
        local, GEOSClipByRect_r(lh, cover.geometry.get(), x0 - 1, y0 - 1, x1 + 1, y1 + 1), "clip");
    auto piece = geo::polygonal_part(
        local, geo::own(local, GEOSDifference_r(lh, z, local_cover.get()), "difference"));
    if (GEOSisEmpty_r(lh, piece.get()) == 1) {
        return nullptr;
    }
    return piece;
}

} // namespace

std::vector<geo::GeomPtr> underserved_parts(const geo::GeosContext& ctx,
                                            const geo::EqualAreaProjection& proj,
                                            const std::vector<geo::LonLat>& sites,
                                            const std::vector<geo::GeomPtr>& zones, double radius_m,
                                            double tolerance_m) {
    auto* const h = ctx.get();
    // Coverage: union of the sites' circles.
    auto all = geo::collect(ctx, GEOS_MULTIPOLYGON,
                            site_circles(ctx, proj, sites, radius_m, tolerance_m), "collection");
    auto coverage = geo::own(ctx, GEOSUnaryUnion_r(h, all.get()), "union of circles");
    all.reset();
    // Each zone minus the coverage, in parallel: every thread has its own GEOS context and its
    // own copy of the coverage.
    std::vector<geo::GeomPtr> pieces(zones.size());
    std::vector<std::unique_ptr<geo::LocalCopy>> covers(
        static_cast<std::size_t>(core::max_threads()));
    std::mutex copy_mutex;
    core::parallel_for(zones.size(), 16, [&](std::size_t i) {
        auto& cover = covers[static_cast<std::size_t>(core::thread_index())];
        try {
            if (!cover) {
                cover = std::make_unique<geo::LocalCopy>(coverage.get(), copy_mutex);
            }
            auto piece = uncovered_part(*cover, zones[i].get());
            pieces[i] = geo::GeomPtr(piece.release(), geo::GeomDeleter{h});
        } catch (const std::exception&) {
            rethrow_with_context("underserved zones: ");
        }
    });
    pieces.erase(std::remove(pieces.begin(), pieces.end(), nullptr), pieces.end());
    auto collection = geo::collect(ctx, GEOS_GEOMETRYCOLLECTION, std::move(pieces), "collection");
    auto merged =
        geo::polygonal_part(ctx, geo::own(ctx, GEOSUnaryUnion_r(h, collection.get()), "union"));

    std::vector<geo::GeomPtr> parts;
    const int n = GEOSGetNumGeometries_r(h, merged.get());
    for (int i = 0; i < n; ++i) {
        const GEOSGeometry* part = GEOSGetGeometryN_r(h, merged.get(), i);
        if (GEOSisEmpty_r(h, part) == 0) {
            parts.push_back(geo::own(ctx, GEOSGeom_clone_r(h, part), "clone"));
        }
    }
    std::vector<std::pair<double, std::size_t>> order;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        order.emplace_back(-geo::area(ctx, parts[i].get()), i);
    }
    std::sort(order.begin(), order.end());
    std::vector<geo::GeomPtr> sorted;
    sorted.reserve(parts.size());
    for (const auto& [neg_area, i] : order) {
        sorted.push_back(std::move(parts[i]));
    }
    return sorted;
}

} // namespace maillage::analysis
