#include "maillage/analysis/grid.hpp"

#include "maillage/core/error.hpp"
#include "maillage/core/parallel.hpp"
#include "maillage/geo/gdal.hpp"
#include "maillage/geo/geos.hpp"

#include <gdal_alg.h>
#include <gdal_priv.h>
#include <ogr_geometry.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <memory>
#include <optional>

namespace maillage::analysis {

namespace {

/// Zone i of `zones` projected into the plane by `proj`, with its reference point (in lon/lat)
/// and its area, in the GEOS context `local`.
geo::GeomPtr project_zone(const geo::GeosContext& local, const geo::EqualAreaProjection& proj,
                          const model::Zone& zone, geo::LonLat& reference, double& area_m2) {
    auto* const lh = local.get();
    auto g = geo::transform_xy(local, zone.geometry.get(), [&](double x, double y) {
        const auto p = proj.forward(geo::LonLat{x, y});
        return std::pair{p.x, p.y};
    });
    // The reference point: the centroid when it lies in the zone (the usual case), else a point
    // GEOS guarantees to be inside (crescent or multi-part communes).
    auto centroid = geo::own(local, GEOSGetCentroid_r(lh, g.get()), "centroid");
    geo::GeomPtr ref;
    if (GEOSIntersects_r(lh, g.get(), centroid.get()) == 1) {
        ref = std::move(centroid);
    } else {
        ref = geo::own(local, GEOSPointOnSurface_r(lh, g.get()), "point on surface");
    }
    double x = 0.0;
    double y = 0.0;
    GEOSGeomGetX_r(lh, ref.get(), &x);
    GEOSGeomGetY_r(lh, ref.get(), &y);
    reference = proj.inverse(geo::XY{x, y});
    area_m2 = geo::area(local, g.get());
    return g;
}

/// One GEOS context and one projection per thread, made on first use.
struct ThreadTools {
    std::unique_ptr<geo::GeosContext> ctx;
    std::optional<geo::EqualAreaProjection> proj;
};

} // namespace

ProjectedZones project_zones(const geo::GeosContext& ctx, const std::vector<model::Zone>& zones,
                             const geo::EqualAreaProjection& proj) {
    const std::size_t n = zones.size();
    ProjectedZones out;
    out.reference.resize(n);
    out.area_m2.resize(n);
    out.geometry.resize(n);
    // In parallel: one projection and one GEOS context per thread; the geometries then belong
    // to `ctx` (GEOS geometries are not tied to the context that made them).
    std::vector<ThreadTools> tools(static_cast<std::size_t>(core::max_threads()));
    core::parallel_for(n, 32, [&](std::size_t i) {
        auto& t = tools[static_cast<std::size_t>(core::thread_index())];
        if (!t.ctx) {
            t.ctx = std::make_unique<geo::GeosContext>();
            t.proj.emplace(proj.clone());
        }
        try {
            auto g = project_zone(*t.ctx, *t.proj, zones[i], out.reference[i], out.area_m2[i]);
            out.geometry[i] = geo::GeomPtr(g.release(), geo::GeomDeleter{ctx.get()});
        } catch (const std::exception&) {
            rethrow_with_context("projecting zone " + zones[i].id + ": ");
        }
    });
    return out;
}

double population_share(double population, std::uint32_t cells, std::uint32_t i) {
    if (cells == 0) {
        return 0.0;
    }
    if (population == std::floor(population) && population < 9.0e15) {
        const auto pop = static_cast<std::uint64_t>(population);
        const std::uint64_t n = cells;
        const std::uint64_t base = pop / n;
        const std::uint64_t rem = pop % n;
        // Spread the remainder evenly over the zone rather than on its first cells.
        const std::uint64_t extra = ((i + 1) * rem) / n - (i * rem) / n;
        return static_cast<double>(base + extra);
    }
    return population / static_cast<double>(cells);
}

void rasterize_into(const geo::GeosContext& ctx, const std::vector<geo::GeomPtr>& geometries,
                    const PopulationGrid& grid, std::vector<std::int32_t>& out) {
    const std::size_t n =
        static_cast<std::size_t>(grid.width) * static_cast<std::size_t>(grid.height);
    out.assign(n, 0);
    geo::init_gdal();
    // The MEM dataset writes straight into `out` (no copy of a raster that can be large).
    const std::string name =
        "MEM:::DATAPOINTER=" + std::to_string(reinterpret_cast<std::uintptr_t>(out.data())) +
        ",PIXELS=" + std::to_string(grid.width) + ",LINES=" + std::to_string(grid.height) +
        ",BANDS=1,DATATYPE=Int32";
    GDALDatasetUniquePtr ds(GDALDataset::Open(name.c_str(), GDAL_OF_RASTER | GDAL_OF_UPDATE));
    if (!ds) {
        throw runtime_failure("cannot create the in-memory grid: " + geo::gdal_last_error());
    }
    std::array<double, 6> gt{grid.min_x, grid.cell_m, 0.0, grid.max_y, 0.0, -grid.cell_m};
    ds->SetGeoTransform(gt.data());

    std::vector<std::unique_ptr<OGRGeometry>> owned;
    std::vector<OGRGeometryH> geoms;
    std::vector<double> burn;
    owned.reserve(geometries.size());
    geoms.reserve(geometries.size());
    for (std::size_t i = 0; i < geometries.size(); ++i) {
        const auto wkb = geo::to_wkb(ctx, geometries[i].get());
        OGRGeometry* g = nullptr;
        if (OGRGeometryFactory::createFromWkb(wkb.data(), nullptr, &g, wkb.size()) != OGRERR_NONE) {
            throw runtime_failure("cannot convert geometry " + std::to_string(i) +
                                  " for rasterisation");
        }
        owned.emplace_back(g);
        geoms.push_back(OGRGeometry::ToHandle(g));
        burn.push_back(static_cast<double>(i + 1));
    }
    int band = 1;
    CPLErrorReset();
    // GDAL burns the cells whose centre lies inside a polygon (no ALL_TOUCHED).
    const CPLErr err = GDALRasterizeGeometries(
        GDALDataset::ToHandle(ds.get()), 1, &band, static_cast<int>(geoms.size()), geoms.data(),
        nullptr, nullptr, burn.data(), nullptr, nullptr, nullptr);
    if (err != CE_None) {
        throw runtime_failure("rasterising failed: " + geo::gdal_last_error());
    }
}

PopulationGrid build_grid(const geo::GeosContext& ctx, const std::vector<model::Zone>& zones,
                          const ProjectedZones& projected, double cell_m) {
    PopulationGrid grid;
    grid.cell_m = cell_m;
    double min_x = std::numeric_limits<double>::max();
    double min_y = min_x;
    double max_x = -min_x;
    double max_y = -min_x;
    for (const auto& g : projected.geometry) {
        double x0 = 0.0;
        double y0 = 0.0;
        double x1 = 0.0;
        double y1 = 0.0;
        if (GEOSGeom_getExtent_r(ctx.get(), g.get(), &x0, &y0, &x1, &y1) == 0) {
            continue;
        }
        min_x = std::min(min_x, x0);
        min_y = std::min(min_y, y0);
        max_x = std::max(max_x, x1);
        max_y = std::max(max_y, y1);
    }
    // Snapped to multiples of the cell size, so that grids of different runs line up.
    grid.min_x = std::floor(min_x / cell_m) * cell_m;
    grid.max_y = std::ceil(max_y / cell_m) * cell_m;
    const double w = std::ceil((max_x - grid.min_x) / cell_m);
    const double h = std::ceil((grid.max_y - min_y) / cell_m);
    if (!(w >= 1 && h >= 1) || w * h > 2.0e9) {
        throw value_error("a grid of " + std::to_string(cell_m) +
                          " m over this study area would have " + std::to_string(w * h) +
                          " cells; choose a larger --grid-m.");
    }
    grid.width = static_cast<int>(w);
    grid.height = static_cast<int>(h);
    const std::size_t n =
        static_cast<std::size_t>(grid.width) * static_cast<std::size_t>(grid.height);

    rasterize_into(ctx, projected.geometry, grid, grid.zone);
    for (auto& z : grid.zone) {
        z -= 1; // burn values were index + 1, 0 outside
    }

    grid.cell_count.assign(zones.size(), 0);
    for (auto z : grid.zone) {
        if (z >= 0) {
            ++grid.cell_count[static_cast<std::size_t>(z)];
        }
    }
    grid.population.assign(n, 0.0);
    std::vector<std::uint32_t> rank(zones.size(), 0);
    for (std::size_t c = 0; c < n; ++c) {
        const auto z = grid.zone[c];
        if (z >= 0) {
            const auto zi = static_cast<std::size_t>(z);
            grid.population[c] =
                population_share(zones[zi].population, grid.cell_count[zi], rank[zi]++);
        }
    }
    return grid;
}

namespace {

/// Quadratic interpolation of three ECEF points (the same expression for at() and row()).
inline geo::Ecef blend(const geo::Ecef& e0, const geo::Ecef& em, const geo::Ecef& e1, double w0,
                       double w1, double w2) {
    return {w0 * e0.x + w1 * em.x + w2 * e1.x, w0 * e0.y + w1 * em.y + w2 * e1.y,
            w0 * e0.z + w1 * em.z + w2 * e1.z};
}

} // namespace

CellPositions::CellPositions(const PopulationGrid& grid, const geo::EqualAreaProjection& projection)
    : m_grid(grid), m_proj(projection) {
    // Segments of at most 4 km: the interpolation error grows as the cube of their length, and
    // is a few micrometres at 4 km (see the class comment and the unit test).
    constexpr double max_segment_m = 4000.0;
    const auto half = grid.cell_m > 0 ? std::floor(0.5 * max_segment_m / grid.cell_m) : 0.0;
    m_k = half >= 2.0 ? 2 * static_cast<int>(std::min(half, 1024.0)) : 1;
    constexpr double limit = 1.2 * 6371000.0;
    m_limit_sq = limit * limit;
    if (m_k > 1) {
        const auto k = static_cast<std::size_t>(m_k);
        m_w0.resize(k);
        m_w1.resize(k);
        m_w2.resize(k);
        for (std::size_t j = 0; j < k; ++j) {
            const double t = static_cast<double>(j) / static_cast<double>(m_k);
            m_w0[j] = (2.0 * t - 1.0) * (t - 1.0);
            m_w1[j] = 4.0 * t * (1.0 - t);
            m_w2[j] = t * (2.0 * t - 1.0);
        }
    }
}

geo::XY CellPositions::xy(int row, long col) const {
    const auto c = static_cast<double>(col);
    const auto r = static_cast<double>(row);
    return {m_grid.min_x + (c + 0.5) * m_grid.cell_m, m_grid.max_y - (r + 0.5) * m_grid.cell_m};
}

bool CellPositions::smooth(geo::XY a, geo::XY b) const {
    return a.x * a.x + a.y * a.y < m_limit_sq && b.x * b.x + b.y * b.y < m_limit_sq;
}

geo::Ecef CellPositions::at(std::size_t cell) const {
    const auto width = static_cast<std::size_t>(m_grid.width);
    const auto row = static_cast<int>(cell / width);
    const auto col = static_cast<long>(cell % width);
    if (m_k == 1) {
        return m_proj.inverse_ecef(xy(row, col));
    }
    const long a = col / m_k * m_k;
    const geo::XY xa = xy(row, a);
    const geo::XY xb = xy(row, a + m_k);
    if (!smooth(xa, xb)) {
        return m_proj.inverse_ecef(xy(row, col));
    }
    const auto j = static_cast<std::size_t>(col - a);
    return blend(m_proj.inverse_ecef(xa), m_proj.inverse_ecef(xy(row, a + m_k / 2)),
                 m_proj.inverse_ecef(xb), m_w0[j], m_w1[j], m_w2[j]);
}

void CellPositions::row(int row, const std::int32_t* wanted, geo::Ecef* out) const {
    const long width = m_grid.width;
    bool have_prev = false; // e1 holds the exact position of column a
    geo::Ecef e1{};
    for (long a = 0; a < width; a += m_k) {
        const long end = std::min(width, a + m_k);
        bool any = false;
        for (long c = a; c < end && !any; ++c) {
            any = wanted[c] >= 0;
        }
        if (!any) {
            have_prev = false;
            continue;
        }
        const geo::XY xa = xy(row, a);
        const geo::XY xb = xy(row, a + m_k);
        if (m_k == 1 || !smooth(xa, xb)) {
            for (long c = a; c < end; ++c) {
                if (wanted[c] >= 0) {
                    out[c] = m_proj.inverse_ecef(xy(row, c));
                }
            }
            have_prev = false;
            continue;
        }
        const geo::Ecef e0 = have_prev ? e1 : m_proj.inverse_ecef(xa);
        const geo::Ecef em = m_proj.inverse_ecef(xy(row, a + m_k / 2));
        e1 = m_proj.inverse_ecef(xb);
        have_prev = true;
        for (long c = a; c < end; ++c) {
            const auto j = static_cast<std::size_t>(c - a);
            out[c] = blend(e0, em, e1, m_w0[j], m_w1[j], m_w2[j]);
        }
    }
}

} // namespace maillage::analysis
