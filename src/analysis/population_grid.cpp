#include "maillage/analysis/population_grid.hpp"

#include "maillage/core/error.hpp"
#include "maillage/io/gdal_util.hpp"
#include "maillage/io/site_reader.hpp"

#include <omp.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <limits>
#include <memory>
#include <optional>
#include <sstream>

namespace maillage::analysis {
namespace {

using geo::XY;

/// Signed area (counter-clockwise positive) by a fan from the first vertex: the shoelace
/// formula, with coordinates taken relative to that vertex to keep their size small.
double ring_signed_area(const std::vector<XY>& r) {
    const std::size_t n = r.size();
    if (n < 3) {
        return 0.0;
    }
    const XY o = r[0];
    double s = 0.0;
    for (std::size_t i = 1; i + 1 < n; ++i) {
        s += (r[i].x - o.x) * (r[i + 1].y - o.y) - (r[i + 1].x - o.x) * (r[i].y - o.y);
    }
    return 0.5 * s;
}

/// Sutherland-Hodgman clipping of a ring by the half-plane coordinate(axis) >= bound (above)
/// or <= bound. Against a convex region the result of a non-convex ring may hold degenerate
/// bridges along the bound, but its signed area is the area of the intersection, which is all
/// that is used here.
void clip_half(const std::vector<XY>& in, std::vector<XY>& out, int axis, double bound,
               bool keep_above) {
    out.clear();
    const std::size_t n = in.size();
    if (n == 0) {
        return;
    }
    auto coord = [axis](const XY& p) { return axis == 0 ? p.x : p.y; };
    auto inside = [&](const XY& p) { return keep_above ? coord(p) >= bound : coord(p) <= bound; };
    auto cross = [&](const XY& p, const XY& q) {
        const double t = (bound - coord(p)) / (coord(q) - coord(p));
        return axis == 0 ? XY{bound, p.y + t * (q.y - p.y)} : XY{p.x + t * (q.x - p.x), bound};
    };
    XY prev = in[n - 1];
    bool prev_in = inside(prev);
    for (const XY& cur : in) {
        const bool cur_in = inside(cur);
        if (cur_in) {
            if (!prev_in) {
                out.push_back(cross(prev, cur));
            }
            out.push_back(cur);
        } else if (prev_in) {
            out.push_back(cross(prev, cur));
        }
        prev = cur;
        prev_in = cur_in;
    }
}

/// +1 or -1 so that exteriors count positive and holes negative whatever their orientation.
double ring_sign(const PlaneRing& r) {
    const double a = ring_signed_area(r.points);
    return (a >= 0.0) != r.hole ? 1.0 : -1.0;
}

std::string number(double v) {
    std::ostringstream o;
    o.precision(12);
    o << v;
    return o.str();
}

std::string extent_text(double x0, double y0, double x1, double y1) {
    std::ostringstream o;
    o.precision(10);
    o << "x " << x0 << " to " << x1 << ", y " << y0 << " to " << y1;
    return o.str();
}

// --- From the grid's CRS to the equal-area plane ------------------------------------------------

/// Source CRS -> WGS84 lon/lat (GDAL, as the zones are read) -> the analysis projection (PROJ,
/// as the zones are projected). One instance per thread (neither step is thread-safe).
class ToPlane {
public:
    ToPlane(const OGRSpatialReference& src, const geo::EqualAreaProjection& proj)
        : m_ct(io::to_wgs84(src)), m_proj(proj.clone()) {}
    ToPlane(const ToPlane& other)
        : m_ct(other.m_ct ? other.m_ct->Clone() : nullptr), m_proj(other.m_proj.clone()) {}
    ToPlane& operator=(const ToPlane&) = delete;

    /// In place; false when some point cannot be transformed (left non-finite).
    bool apply(std::vector<double>& x, std::vector<double>& y) {
        const std::size_t n = x.size();
        if (n == 0) {
            return true;
        }
        if (m_ct) {
            m_ok.assign(n, TRUE);
            m_ct->Transform(static_cast<int>(n), x.data(), y.data(), nullptr, m_ok.data());
            for (std::size_t i = 0; i < n; ++i) {
                if (m_ok[i] == FALSE) {
                    x[i] = std::numeric_limits<double>::quiet_NaN();
                    y[i] = x[i];
                }
            }
        }
        m_proj.forward(x, y);
        bool all = true;
        for (std::size_t i = 0; i < n; ++i) {
            all = all && std::isfinite(x[i]) && std::isfinite(y[i]);
        }
        return all;
    }

    std::optional<XY> one(XY p) {
        m_x.assign(1, p.x);
        m_y.assign(1, p.y);
        if (!apply(m_x, m_y)) {
            return std::nullopt;
        }
        return XY{m_x[0], m_y[0]};
    }

private:
    std::unique_ptr<OGRCoordinateTransformation> m_ct;
    geo::EqualAreaProjection m_proj;
    std::vector<int> m_ok;
    std::vector<double> m_x;
    std::vector<double> m_y;
};

/// A point of a cell's edge could not be transformed; the caller names the cell.
struct TransformFailed {};

struct DensifyStats {
    std::uint64_t edges_densified = 0;
    double max_sag_m = 0.0;
};

/// Appends the images of the vertices needed strictly between P and Q so that every piece of
/// the edge's image lies within the sag tolerance of its chord. ps, qs: source coordinates;
/// p, q, m: images of P, Q and of the edge's midpoint.
void densify(ToPlane& t, XY ps, XY qs, XY p, XY q, XY m, int depth, std::vector<XY>& out,
             DensifyStats& st) {
    const double sag = std::hypot(m.x - 0.5 * (p.x + q.x), m.y - 0.5 * (p.y + q.y));
    if (depth == 0) {
        st.max_sag_m = std::max(st.max_sag_m, sag);
    }
    if (sag <= population_grid_sag_tolerance_m || depth >= 20) {
        return;
    }
    if (depth == 0) {
        ++st.edges_densified;
    }
    const XY ms{0.5 * (ps.x + qs.x), 0.5 * (ps.y + qs.y)};
    const XY as{0.5 * (ps.x + ms.x), 0.5 * (ps.y + ms.y)};
    const XY bs{0.5 * (ms.x + qs.x), 0.5 * (ms.y + qs.y)};
    const auto a = t.one(as);
    const auto b = t.one(bs);
    if (!a || !b) {
        throw TransformFailed{};
    }
    densify(t, ps, ms, p, m, *a, depth + 1, out, st);
    out.push_back(m);
    densify(t, ms, qs, m, q, *b, depth + 1, out, st);
}

/// The rectangle of the analysis grid seen in the source CRS: the bounding box of its boundary
/// (64 points a side) taken there, widened by 1 % a side. nullopt when no boundary point can be
/// transformed.
struct SourceWindow {
    double x0, y0, x1, y1;
    bool wraps = false; ///< geographic source whose window goes round the antimeridian
};

std::optional<SourceWindow> source_window(const GridFrame& f, const geo::EqualAreaProjection& proj,
                                          const OGRSpatialReference& src) {
    const double x0 = f.min_x;
    const double x1 = f.min_x + f.width * f.cell_m;
    const double y1 = f.max_y;
    const double y0 = f.max_y - f.height * f.cell_m;
    constexpr int n = 64;
    std::vector<double> xs;
    std::vector<double> ys;
    for (int i = 0; i < n; ++i) {
        const double t = static_cast<double>(i) / n;
        for (const XY p : {XY{x0 + t * (x1 - x0), y0}, XY{x1, y0 + t * (y1 - y0)},
                           XY{x1 - t * (x1 - x0), y1}, XY{x0, y1 - t * (y1 - y0)}}) {
            const auto ll = proj.inverse(p);
            xs.push_back(ll.lon);
            ys.push_back(ll.lat);
        }
    }
    OGRSpatialReference target(src);
    target.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    const auto wgs = io::wgs84();
    std::vector<int> ok(xs.size(), TRUE);
    if (target.IsSame(&wgs) == 0) {
        std::unique_ptr<OGRCoordinateTransformation> ct(
            OGRCreateCoordinateTransformation(&wgs, &target));
        if (!ct) {
            throw input_error("cannot transform from WGS84 to " + io::crs_name(&target) + ": " +
                              io::gdal_last_error());
        }
        ct->Transform(static_cast<int>(xs.size()), xs.data(), ys.data(), nullptr, ok.data());
    }
    SourceWindow w{std::numeric_limits<double>::max(), std::numeric_limits<double>::max(),
                   -std::numeric_limits<double>::max(), -std::numeric_limits<double>::max()};
    bool any = false;
    for (std::size_t i = 0; i < xs.size(); ++i) {
        if (ok[i] == FALSE || !std::isfinite(xs[i]) || !std::isfinite(ys[i])) {
            continue;
        }
        any = true;
        w.x0 = std::min(w.x0, xs[i]);
        w.x1 = std::max(w.x1, xs[i]);
        w.y0 = std::min(w.y0, ys[i]);
        w.y1 = std::max(w.y1, ys[i]);
    }
    if (!any) {
        return std::nullopt;
    }
    // Widened by 1 % a side: the boundary's image may bulge a little between the samples.
    const double mx = 0.01 * (w.x1 - w.x0);
    const double my = 0.01 * (w.y1 - w.y0);
    w.x0 -= mx;
    w.x1 += mx;
    w.y0 -= my;
    w.y1 += my;
    // A geographic grid around the antimeridian or a pole: a box of longitudes means nothing.
    w.wraps = target.IsGeographic() != 0 && (w.x1 - w.x0 > 180.0 || w.y1 > 89.0 || w.y0 < -89.0);
    return w;
}

/// The population grid's CRS: the user's, else the file's; none is an error.
OGRSpatialReference grid_crs(const OGRSpatialReference* declared, const PopulationGridOptions& o,
                             PopulationGridReport& rep) {
    OGRSpatialReference srs;
    if (!o.crs.empty()) {
        srs = io::parse_crs(o.crs, "--population-grid-crs");
    } else if (declared != nullptr) {
        srs = *declared;
    } else {
        throw input_error(o.path +
                          ": the population grid declares no CRS. Give it with "
                          "--population-grid-crs (EPSG:3035 for INSEE Filosofi, ESRI:54009 for "
                          "GHS-POP in Mollweide).");
    }
    srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    rep.crs = io::crs_name(&srs);
    return srs;
}

[[noreturn]] void no_overlap(const PopulationGridOptions& o, const std::string& grid_extent,
                             const std::optional<SourceWindow>& w, const std::string& crs) {
    throw input_error(
        o.path + ": the population grid does not overlap the study area: the grid covers " +
        grid_extent +
        (w ? "; the study area covers " + extent_text(w->x0, w->y0, w->x1, w->y1) : std::string()) +
        " (in " + crs +
        "). Check that the grid covers the zones and that its CRS is right "
        "(--population-grid-crs).");
}

/// Work of one block of source cells: the contributions, merged in block order.
struct BlockResult {
    std::vector<Contribution> contributions;
    double beyond = 0.0;
    double population = 0.0;
    std::uint64_t read = 0;
    std::uint64_t populated = 0;
    DensifyStats stats;
};

/// The whole-rectangle accumulator: blocks are added in their order, so the sums do not depend
/// on the number of threads.
struct Accumulator {
    std::vector<double> cell;
    double beyond = 0.0;
    double population = 0.0;
    std::uint64_t read = 0;
    std::uint64_t populated = 0;
    DensifyStats stats;

    void merge(const BlockResult& b) {
        for (const auto& c : b.contributions) {
            cell[c.cell] += c.population;
        }
        beyond += b.beyond;
        population += b.population;
        read += b.read;
        populated += b.populated;
        stats.edges_densified += b.stats.edges_densified;
        stats.max_sag_m = std::max(stats.max_sag_m, b.stats.max_sag_m);
    }
};

/// A source cell of a vector grid, in its CRS.
struct SourcePolygon {
    std::string where;
    double population = 0.0;
    std::vector<std::vector<XY>> rings; ///< not closed
    std::vector<bool> holes;
};

/// Appends to xs, ys the points of `sp` to transform: per ring, its n vertices then the n
/// midpoints of its edges.
void source_points(const SourcePolygon& sp, std::vector<double>& xs, std::vector<double>& ys) {
    for (const auto& r : sp.rings) {
        const std::size_t n = r.size();
        for (const auto& p : r) {
            xs.push_back(p.x);
            ys.push_back(p.y);
        }
        for (std::size_t i = 0; i < n; ++i) {
            const XY& p = r[i];
            const XY& q = r[(i + 1) % n];
            xs.push_back(0.5 * (p.x + q.x));
            ys.push_back(0.5 * (p.y + q.y));
        }
    }
}

/// A source cell's image in the plane, each edge densified, spread over the grid. xs, ys: the
/// images of source_points(sp), from `offset`; returns the offset past them.
std::size_t spread_source_polygon(ToPlane& t, const GridFrame& frame, const SourcePolygon& sp,
                                  const std::vector<double>& xs, const std::vector<double>& ys,
                                  std::size_t offset, BlockResult& out) {
    std::vector<PlaneRing> rings(sp.rings.size());
    for (std::size_t k = 0; k < sp.rings.size(); ++k) {
        const auto& r = sp.rings[k];
        const std::size_t n = r.size();
        const double* x = xs.data() + offset;
        const double* y = ys.data() + offset;
        offset += 2 * n;
        for (std::size_t i = 0; i < 2 * n; ++i) {
            if (!std::isfinite(x[i]) || !std::isfinite(y[i])) {
                throw TransformFailed{};
            }
        }
        auto& ring = rings[k];
        ring.hole = sp.holes[k];
        ring.points.reserve(n);
        for (std::size_t i = 0; i < n; ++i) {
            const std::size_t j = (i + 1) % n;
            ring.points.push_back({x[i], y[i]});
            densify(t, r[i], r[j], {x[i], y[i]}, {x[j], y[j]}, {x[n + i], y[n + i]}, 0, ring.points,
                    out.stats);
        }
    }
    const double area = polygon_area(rings);
    if (!(area > 0.0)) {
        throw input_error(sp.where + ": the cell has no area (population " + number(sp.population) +
                          " cannot be placed). Fix or remove the cell.");
    }
    out.beyond += spread_polygon(frame, rings, area, sp.population, out.contributions);
    return offset;
}

/// Runs `work(b, result)` for blocks 0..n-1 in parallel and merges the results in block
/// order. The first error (in block order) is rethrown.
template <class Work> void for_blocks(std::size_t n, Accumulator& acc, Work work) {
    std::string error;
    std::size_t error_block = n;
    const auto count = static_cast<std::int64_t>(n);
#pragma omp parallel
    {
#pragma omp for ordered schedule(dynamic, 1)
        for (std::int64_t bi = 0; bi < count; ++bi) {
            const auto b = static_cast<std::size_t>(bi);
            BlockResult result;
            std::string message;
            std::size_t first_error = 0;
#pragma omp atomic read
            first_error = error_block;
            if (first_error > b) {
                try {
                    work(b, result);
                } catch (const std::exception& e) {
                    message = e.what();
                }
            }
#pragma omp ordered
            {
                if (!message.empty() && b < error_block) {
                    error = message;
#pragma omp atomic write
                    error_block = b;
                }
                if (error.empty()) {
                    acc.merge(result);
                }
            }
        }
    }
    if (!error.empty()) {
        throw input_error(error);
    }
}

// --- Rasters ------------------------------------------------------------------------------------

std::vector<double> read_raster(GDALDataset& ds, const PopulationGridOptions& o,
                                const GridFrame& frame, const geo::EqualAreaProjection& proj,
                                PopulationGridReport& rep) {
    rep.kind = "raster";
    const int bands = ds.GetRasterCount();
    rep.layer = "band 1 of " + std::to_string(bands);
    std::array<double, 6> gt{0, 1, 0, 0, 0, 1};
    if (ds.GetGeoTransform(gt.data()) != CE_None) {
        throw input_error(o.path +
                          ": the raster has no georeferencing (no geotransform): it is not a "
                          "population grid. Use a GeoTIFF with a CRS and a geotransform.");
    }
    const auto srs = grid_crs(ds.GetSpatialRef(), o, rep);
    const int width = ds.GetRasterXSize();
    const int height = ds.GetRasterYSize();
    rep.source_cells = static_cast<std::uint64_t>(width) * static_cast<std::uint64_t>(height);
    GDALRasterBand* band = ds.GetRasterBand(1);
    int has_nodata = FALSE;
    const double nodata = band->GetNoDataValue(&has_nodata);

    auto at = [&](double col, double row) {
        return XY{gt[0] + col * gt[1] + row * gt[2], gt[3] + col * gt[4] + row * gt[5]};
    };
    double gx0 = std::numeric_limits<double>::max();
    double gy0 = gx0;
    double gx1 = -gx0;
    double gy1 = -gx0;
    for (const XY p : {at(0, 0), at(width, 0), at(0, height), at(width, height)}) {
        gx0 = std::min(gx0, p.x);
        gx1 = std::max(gx1, p.x);
        gy0 = std::min(gy0, p.y);
        gy1 = std::max(gy1, p.y);
    }
    const std::string grid_extent = extent_text(gx0, gy0, gx1, gy1);

    // The window of pixels that can reach the analysis rectangle, one pixel of margin.
    const auto w = source_window(frame, proj, srs);
    if (!w) {
        no_overlap(o, grid_extent, w, rep.crs);
    }
    int col0 = 0;
    int col1 = width;
    int row0 = 0;
    int row1 = height;
    std::array<double, 6> inv{};
    if (GDALInvGeoTransform(gt.data(), inv.data()) == FALSE) {
        throw input_error(o.path + ": the raster's geotransform cannot be inverted.");
    }
    {
        double c0 = std::numeric_limits<double>::max();
        double r0 = c0;
        double c1 = -c0;
        double r1 = -c0;
        for (const XY p :
             {XY{w->x0, w->y0}, XY{w->x1, w->y0}, XY{w->x0, w->y1}, XY{w->x1, w->y1}}) {
            const double c = inv[0] + p.x * inv[1] + p.y * inv[2];
            const double r = inv[3] + p.x * inv[4] + p.y * inv[5];
            c0 = std::min(c0, c);
            c1 = std::max(c1, c);
            r0 = std::min(r0, r);
            r1 = std::max(r1, r);
        }
        if (!w->wraps) {
            col0 = static_cast<int>(std::clamp(std::floor(c0) - 1, 0.0, double(width)));
            col1 = static_cast<int>(std::clamp(std::ceil(c1) + 1, 0.0, double(width)));
        }
        row0 = static_cast<int>(std::clamp(std::floor(r0) - 1, 0.0, double(height)));
        row1 = static_cast<int>(std::clamp(std::ceil(r1) + 1, 0.0, double(height)));
        if (w->wraps && srs.IsGeographic() != 0 && (w->y1 > 89.0 || w->y0 < -89.0)) {
            row0 = 0;
            row1 = height;
        }
    }
    if (col0 >= col1 || row0 >= row1) {
        no_overlap(o, grid_extent, w, rep.crs);
    }
    const int ww = col1 - col0;
    // Blocks of 64 rows, fewer for a very wide window: at most about a million pixels a block.
    const int block_rows = std::clamp((1 << 20) / std::max(1, ww), 1, 64);
    const auto blocks = static_cast<std::size_t>((row1 - row0 + block_rows - 1) / block_rows);

    Accumulator acc;
    acc.cell.assign(static_cast<std::size_t>(frame.width) * static_cast<std::size_t>(frame.height),
                    0.0);
    const ToPlane base(srs, proj);
    std::vector<std::unique_ptr<ToPlane>> per_thread(
        static_cast<std::size_t>(omp_get_max_threads()));
    for_blocks(blocks, acc, [&](std::size_t b, BlockResult& out) {
        auto& slot = per_thread[static_cast<std::size_t>(omp_get_thread_num())];
        if (!slot) {
            slot = std::make_unique<ToPlane>(base);
        }
        ToPlane& t = *slot;
        const int rb = row0 + static_cast<int>(b) * block_rows;
        const int re = std::min(row1, rb + block_rows);
        const int nr = re - rb;
        std::vector<double> values(static_cast<std::size_t>(ww) * static_cast<std::size_t>(nr));
        CPLErr err = CE_None;
#pragma omp critical(maillage_population_raster_read)
        {
            err = band->RasterIO(GF_Read, col0, rb, ww, nr, values.data(), ww, nr, GDT_Float64, 0,
                                 0, nullptr);
        }
        if (err != CE_None) {
            throw input_error(o.path + ": cannot read rows " + std::to_string(rb) + " to " +
                              std::to_string(re - 1) + ": " + io::gdal_last_error());
        }
        bool any = false;
        for (int j = 0; j < nr; ++j) {
            for (int i = 0; i < ww; ++i) {
                const double v = values[static_cast<std::size_t>(j) * ww + i];
                if (std::isnan(v) || (has_nodata != FALSE && v == nodata)) {
                    continue;
                }
                ++out.read;
                if (!(v >= 0.0) || !std::isfinite(v)) {
                    throw input_error(o.path + ": pixel (column " + std::to_string(col0 + i) +
                                      ", row " + std::to_string(rb + j) + "): population " +
                                      number(v) +
                                      " is not a non-negative number. If it marks missing data, "
                                      "declare it as nodata (gdal_edit.py -a_nodata " +
                                      number(v) + " FILE).");
                }
                if (v > 0.0) {
                    any = true;
                }
            }
        }
        if (!any) {
            return;
        }
        // Images of the pixel corners and of the midpoints of the pixel edges, shared by the
        // neighbouring pixels: corners (nr+1) x (ww+1), horizontal midpoints (nr+1) x ww,
        // vertical midpoints nr x (ww+1). Only those of pixels with a population are
        // transformed (the others stay NaN), in one batch.
        const std::size_t cw = static_cast<std::size_t>(ww) + 1;
        const auto hw = static_cast<std::size_t>(ww);
        const auto nru = static_cast<std::size_t>(nr);
        const double nan = std::numeric_limits<double>::quiet_NaN();
        std::vector<double> cx((nru + 1) * cw, nan);
        std::vector<double> cy(cx.size(), nan);
        std::vector<double> hx((nru + 1) * hw, nan);
        std::vector<double> hy(hx.size(), nan);
        std::vector<double> vx(nru * cw, nan);
        std::vector<double> vy(vx.size(), nan);
        std::vector<std::uint8_t> need_c(cx.size(), 0);
        std::vector<std::uint8_t> need_h(hx.size(), 0);
        std::vector<std::uint8_t> need_v(vx.size(), 0);
        for (std::size_t j = 0; j < nru; ++j) {
            for (std::size_t i = 0; i < hw; ++i) {
                const double v = values[j * hw + i];
                if (!(v > 0.0) || (has_nodata != FALSE && v == nodata)) {
                    continue;
                }
                need_c[j * cw + i] = need_c[j * cw + i + 1] = 1;
                need_c[(j + 1) * cw + i] = need_c[(j + 1) * cw + i + 1] = 1;
                need_h[j * hw + i] = need_h[(j + 1) * hw + i] = 1;
                need_v[j * cw + i] = need_v[j * cw + i + 1] = 1;
            }
        }
        std::vector<double> xs;
        std::vector<double> ys;
        // Pixel coordinates (col, row) of entry k of each array.
        auto gather = [&](const std::vector<std::uint8_t>& need, std::size_t width, double dc,
                          double dr) {
            for (std::size_t k = 0; k < need.size(); ++k) {
                if (need[k] != 0) {
                    const std::size_t row = k / width; // whole rows above
                    const XY p = at(col0 + static_cast<double>(k % width) + dc,
                                    rb + static_cast<double>(row) + dr);
                    xs.push_back(p.x);
                    ys.push_back(p.y);
                }
            }
        };
        gather(need_c, cw, 0.0, 0.0);
        gather(need_h, hw, 0.5, 0.0);
        gather(need_v, cw, 0.0, 0.5);
        t.apply(xs, ys); // a failed point is left non-finite, found below
        std::size_t next = 0;
        auto scatter = [&](const std::vector<std::uint8_t>& need, std::vector<double>& ox,
                           std::vector<double>& oy) {
            for (std::size_t k = 0; k < need.size(); ++k) {
                if (need[k] != 0) {
                    ox[k] = xs[next];
                    oy[k] = ys[next];
                    ++next;
                }
            }
        };
        scatter(need_c, cx, cy);
        scatter(need_h, hx, hy);
        scatter(need_v, vx, vy);
        std::vector<PlaneRing> rings(1);
        for (int j = 0; j < nr; ++j) {
            for (int i = 0; i < ww; ++i) {
                const double v = values[static_cast<std::size_t>(j) * ww + i];
                if (!(v > 0.0) || (has_nodata != FALSE && v == nodata)) {
                    continue;
                }
                ++out.populated;
                out.population += v;
                auto where = [&] {
                    return o.path + ": pixel (column " + std::to_string(col0 + i) + ", row " +
                           std::to_string(rb + j) + ")";
                };
                const auto ju = static_cast<std::size_t>(j);
                const auto iu = static_cast<std::size_t>(i);
                const std::size_t k00 = ju * cw + iu;
                const std::size_t k10 = k00 + 1;
                const std::size_t k01 = k00 + cw;
                const std::size_t k11 = k01 + 1;
                struct Edge {
                    std::size_t p, q;
                    XY ps, qs, m;
                };
                const XY s00 = at(col0 + i, rb + j);
                const XY s10 = at(col0 + i + 1, rb + j);
                const XY s11 = at(col0 + i + 1, rb + j + 1);
                const XY s01 = at(col0 + i, rb + j + 1);
                const std::array<Edge, 4> edges{
                    {{k00, k10, s00, s10, {hx[ju * hw + iu], hy[ju * hw + iu]}},
                     {k10, k11, s10, s11, {vx[ju * cw + iu + 1], vy[ju * cw + iu + 1]}},
                     {k11, k01, s11, s01, {hx[(ju + 1) * hw + iu], hy[(ju + 1) * hw + iu]}},
                     {k01, k00, s01, s00, {vx[ju * cw + iu], vy[ju * cw + iu]}}}};
                auto& ring = rings[0].points;
                ring.clear();
                for (const auto& e : edges) {
                    const XY p{cx[e.p], cy[e.p]};
                    const XY q{cx[e.q], cy[e.q]};
                    bool ok = std::isfinite(p.x) && std::isfinite(p.y) && std::isfinite(q.x) &&
                              std::isfinite(q.y) && std::isfinite(e.m.x) && std::isfinite(e.m.y);
                    if (ok) {
                        ring.push_back(p);
                        try {
                            densify(t, e.ps, e.qs, p, q, e.m, 0, ring, out.stats);
                        } catch (const TransformFailed&) {
                            ok = false;
                        }
                    }
                    if (!ok) {
                        throw input_error(where() +
                                          ": the pixel cannot be transformed to the equal-area "
                                          "projection (is the grid's CRS right? "
                                          "--population-grid-crs)");
                    }
                }
                const double area = polygon_area(rings);
                if (!(area > 0.0)) {
                    throw input_error(where() + ": the pixel has no area.");
                }
                out.beyond += spread_polygon(frame, rings, area, v, out.contributions);
            }
        }
    });
    rep.cells_read = acc.read;
    rep.cells_with_population = acc.populated;
    rep.population_read = acc.population;
    rep.population_beyond_extent = acc.beyond;
    rep.edges_densified = acc.stats.edges_densified;
    rep.max_edge_sag_m = acc.stats.max_sag_m;
    if (acc.read == 0) {
        no_overlap(o, grid_extent, w, rep.crs);
    }
    return std::move(acc.cell);
}

// --- Vector grids -------------------------------------------------------------------------------

void add_polygon(const OGRPolygon& poly, SourcePolygon& sp) {
    bool first = true;
    for (const auto* ring : poly) {
        std::vector<XY> pts;
        const int n = ring->getNumPoints();
        pts.reserve(static_cast<std::size_t>(std::max(n, 0)));
        for (int i = 0; i < n; ++i) {
            pts.push_back({ring->getX(i), ring->getY(i)});
        }
        if (pts.size() > 1 && pts.front().x == pts.back().x && pts.front().y == pts.back().y) {
            pts.pop_back();
        }
        if (pts.size() >= 3) {
            sp.rings.push_back(std::move(pts));
            sp.holes.push_back(!first);
        }
        first = false;
    }
}

std::vector<double> read_vector(GDALDataset& ds, const PopulationGridOptions& o,
                                const GridFrame& frame, const geo::EqualAreaProjection& proj,
                                PopulationGridReport& rep) {
    rep.kind = "vector";
    if (ds.GetLayerCount() < 1) {
        throw input_error(o.path + ": holds neither a raster nor a vector layer: not a population "
                                   "grid.");
    }
    OGRLayer* layer = ds.GetLayer(0);
    rep.layer = layer->GetName();
    OGRFeatureDefn& defn = *layer->GetLayerDefn();
    int idx = -1;
    if (!o.field.empty()) {
        idx = io::find_field(defn, o.field);
        if (idx < 0) {
            throw input_error(o.path + ": no field '" + o.field + "' in layer '" + rep.layer +
                              "' (fields: " + io::field_list(defn) +
                              "). Name the population field with --population-grid-field.");
        }
        rep.field = o.field;
    } else {
        rep.field = io::first_present(defn, {"ind", "population"});
        if (rep.field.empty()) {
            throw input_error(o.path + ": no population field 'ind' or 'population' in layer '" +
                              rep.layer + "' (fields: " + io::field_list(defn) +
                              "). Name it with --population-grid-field.");
        }
        idx = io::find_field(defn, rep.field);
    }
    const auto type = wkbFlatten(layer->GetGeomType());
    if (type == wkbNone) {
        throw input_error(o.path + ": the layer '" + rep.layer +
                          "' has no geometry: not a population grid (squares with a population "
                          "field, or a raster).");
    }
    if (type == wkbPoint || type == wkbMultiPoint || type == wkbLineString ||
        type == wkbMultiLineString) {
        throw input_error(o.path + ": the layer '" + rep.layer + "' holds " +
                          OGRGeometryTypeToName(type) +
                          " features: not a population grid. A vector population grid is made of "
                          "polygons (squares) with a population field.");
    }
    const auto srs = grid_crs(layer->GetSpatialRef(), o, rep);
    rep.source_cells = static_cast<std::uint64_t>(std::max<GIntBig>(0, layer->GetFeatureCount()));
    std::string grid_extent = "an unknown extent";
    if (OGREnvelope env; layer->GetExtent(&env, TRUE) == OGRERR_NONE) {
        grid_extent = extent_text(env.MinX, env.MinY, env.MaxX, env.MaxY);
    }
    const auto w = source_window(frame, proj, srs);
    if (!w) {
        no_overlap(o, grid_extent, w, rep.crs);
    }
    if (!w->wraps) {
        layer->SetSpatialFilterRect(w->x0, w->y0, w->x1, w->y1);
    }
    layer->ResetReading();
    const bool numeric = [&] {
        const auto t = defn.GetFieldDefn(idx)->GetType();
        return t == OFTInteger || t == OFTInteger64 || t == OFTReal;
    }();

    Accumulator acc;
    acc.cell.assign(static_cast<std::size_t>(frame.width) * static_cast<std::size_t>(frame.height),
                    0.0);
    const ToPlane base(srs, proj);
    std::vector<std::unique_ptr<ToPlane>> per_thread(
        static_cast<std::size_t>(omp_get_max_threads()));
    constexpr std::size_t chunk = 1 << 16;
    constexpr std::size_t per_block = 4096;
    std::vector<SourcePolygon> polys;
    bool done = false;
    while (!done) {
        // Read a chunk (GDAL is read by one thread), then spread it in parallel.
        polys.clear();
        while (polys.size() < chunk) {
            std::unique_ptr<OGRFeature> f(layer->GetNextFeature());
            if (!f) {
                done = true;
                break;
            }
            ++acc.read;
            SourcePolygon sp;
            sp.where = o.path + ": " + io::feature_where(false, f->GetFID());
            std::optional<double> v;
            if (f->IsFieldSetAndNotNull(idx)) {
                v = numeric ? std::optional<double>(f->GetFieldAsDouble(idx))
                            : io::parse_number(f->GetFieldAsString(idx));
            }
            if (!v || !std::isfinite(*v) || *v < 0) {
                const std::string shown = f->IsFieldSetAndNotNull(idx)
                                              ? "'" + std::string(f->GetFieldAsString(idx)) + "'"
                                              : std::string("empty");
                throw input_error(sp.where + ": population (" + rep.field + ") " + shown +
                                  " is not a non-negative number. Fix the value (0 for an empty "
                                  "square) or name another field with --population-grid-field.");
            }
            sp.population = *v;
            const OGRGeometry* g = f->GetGeometryRef();
            if (g == nullptr || g->IsEmpty() != 0) {
                if (sp.population > 0) {
                    throw input_error(sp.where + ": no geometry, with a population of " +
                                      number(sp.population) + " that would be lost.");
                }
                continue;
            }
            std::unique_ptr<OGRGeometry> linear;
            if (g->hasCurveGeometry() != FALSE) {
                linear.reset(g->getLinearGeometry());
                g = linear.get();
            }
            const auto gt = wkbFlatten(g->getGeometryType());
            if (gt == wkbPolygon) {
                add_polygon(*g->toPolygon(), sp);
            } else if (gt == wkbMultiPolygon) {
                for (const auto* p : *g->toMultiPolygon()) {
                    add_polygon(*p, sp);
                }
            } else {
                throw input_error(sp.where + ": a " + OGRGeometryTypeToName(gt) +
                                  ", not a polygon: not a population grid. A vector population "
                                  "grid is made of polygons (squares) with a population field.");
            }
            if (sp.population == 0) {
                continue;
            }
            ++acc.populated;
            if (sp.rings.empty()) {
                throw input_error(sp.where + ": the polygon has no ring of 3 points or more.");
            }
            polys.push_back(std::move(sp));
        }
        const std::size_t blocks = (polys.size() + per_block - 1) / per_block;
        for_blocks(blocks, acc, [&](std::size_t b, BlockResult& out) {
            auto& slot = per_thread[static_cast<std::size_t>(omp_get_thread_num())];
            if (!slot) {
                slot = std::make_unique<ToPlane>(base);
            }
            const std::size_t end = std::min(polys.size(), (b + 1) * per_block);
            // One batch of transformations for the whole block.
            std::vector<double> xs;
            std::vector<double> ys;
            for (std::size_t k = b * per_block; k < end; ++k) {
                source_points(polys[k], xs, ys);
            }
            slot->apply(xs, ys); // failed points are left non-finite, found below
            std::size_t offset = 0;
            for (std::size_t k = b * per_block; k < end; ++k) {
                const auto& sp = polys[k];
                out.population += sp.population;
                try {
                    offset = spread_source_polygon(*slot, frame, sp, xs, ys, offset, out);
                } catch (const TransformFailed&) {
                    throw input_error(sp.where + ": the square cannot be transformed to the "
                                                 "equal-area projection (is the grid's CRS "
                                                 "right? --population-grid-crs)");
                }
            }
        });
    }
    rep.cells_read = acc.read;
    rep.cells_with_population = acc.populated;
    rep.population_read = acc.population;
    rep.population_beyond_extent = acc.beyond;
    rep.edges_densified = acc.stats.edges_densified;
    rep.max_edge_sag_m = acc.stats.max_sag_m;
    if (acc.read == 0) {
        no_overlap(o, grid_extent, w, rep.crs);
    }
    return std::move(acc.cell);
}

} // namespace

double polygon_area(const std::vector<PlaneRing>& rings) {
    double a = 0.0;
    for (const auto& r : rings) {
        const double s = std::abs(ring_signed_area(r.points));
        a += r.hole ? -s : s;
    }
    return a;
}

double spread_polygon(const GridFrame& f, const std::vector<PlaneRing>& rings, double area,
                      double population, std::vector<Contribution>& out) {
    if (population == 0.0) {
        return 0.0;
    }
    double minx = std::numeric_limits<double>::max();
    double miny = minx;
    double maxx = -minx;
    double maxy = -minx;
    const XY* origin = nullptr;
    for (const auto& r : rings) {
        for (const auto& p : r.points) {
            origin = origin != nullptr ? origin : &p;
            minx = std::min(minx, p.x);
            maxx = std::max(maxx, p.x);
            miny = std::min(miny, p.y);
            maxy = std::max(maxy, p.y);
        }
    }
    const double fx0 = f.min_x;
    const double fx1 = f.min_x + f.width * f.cell_m;
    const double fy1 = f.max_y;
    const double fy0 = f.max_y - f.height * f.cell_m;
    if (origin == nullptr || maxx <= fx0 || minx >= fx1 || maxy <= fy0 || miny >= fy1) {
        return population; // wholly outside the rectangle
    }
    const bool inside_frame = minx >= fx0 && maxx <= fx1 && miny >= fy0 && maxy <= fy1;
    auto clampi = [](double v, int hi) {
        return static_cast<int>(std::clamp(v, 0.0, static_cast<double>(hi)));
    };
    const int c0 = clampi(std::floor((minx - fx0) / f.cell_m), f.width - 1);
    const int c1 = clampi(std::floor((maxx - fx0) / f.cell_m), f.width - 1);

    // Coordinates relative to the polygon's first vertex: areas stay accurate far from the
    // projection's centre.
    const XY o = *origin;
    std::vector<std::vector<XY>> local(rings.size());
    std::vector<double> sign(rings.size());
    for (std::size_t k = 0; k < rings.size(); ++k) {
        sign[k] = ring_sign(rings[k]);
        local[k].reserve(rings[k].points.size());
        for (const auto& p : rings[k].points) {
            local[k].push_back({p.x - o.x, p.y - o.y});
        }
    }
    std::vector<std::vector<XY>> strip(rings.size());
    std::vector<XY> tmp;
    std::vector<XY> piece;
    std::vector<std::pair<std::size_t, double>> cells;
    double inside = 0.0;
    for (int c = c0; c <= c1; ++c) {
        const double xa = fx0 + c * f.cell_m - o.x;
        const double xb = fx0 + (c + 1) * f.cell_m - o.x;
        double sy0 = std::numeric_limits<double>::max();
        double sy1 = -sy0;
        for (std::size_t k = 0; k < local.size(); ++k) {
            clip_half(local[k], tmp, 0, xa, true);
            clip_half(tmp, strip[k], 0, xb, false);
            for (const auto& p : strip[k]) {
                sy0 = std::min(sy0, p.y);
                sy1 = std::max(sy1, p.y);
            }
        }
        if (sy0 > sy1) {
            continue;
        }
        const int r0 = clampi(std::floor((fy1 - (sy1 + o.y)) / f.cell_m), f.height - 1);
        const int r1 = clampi(std::floor((fy1 - (sy0 + o.y)) / f.cell_m), f.height - 1);
        for (int r = r0; r <= r1; ++r) {
            const double yb = fy1 - r * f.cell_m - o.y;
            const double ya = fy1 - (r + 1) * f.cell_m - o.y;
            double a = 0.0;
            for (std::size_t k = 0; k < strip.size(); ++k) {
                if (strip[k].size() < 3) {
                    continue;
                }
                clip_half(strip[k], tmp, 1, ya, true);
                clip_half(tmp, piece, 1, yb, false);
                a += sign[k] * ring_signed_area(piece);
            }
            if (a > 0.0) {
                cells.emplace_back(static_cast<std::size_t>(r) * static_cast<std::size_t>(f.width) +
                                       static_cast<std::size_t>(c),
                                   a);
                inside += a;
            }
        }
    }
    if (cells.empty()) {
        return population;
    }
    // Wholly inside: the pieces are the whole polygon, so their sum is its area up to rounding;
    // dividing by that sum makes the shares add up to the population exactly.
    const double denom = inside_frame ? inside : std::max(area, inside);
    for (const auto& [cell, a] : cells) {
        out.push_back({cell, population * (a / denom)});
    }
    return inside_frame ? 0.0 : population * ((denom - inside) / denom);
}

std::vector<double> resample_population_grid(const PopulationGridOptions& o, const GridFrame& frame,
                                             const geo::EqualAreaProjection& proj,
                                             PopulationGridReport& rep) {
    io::init_gdal();
    rep.path = o.path;
    std::error_code ec;
    if (!std::filesystem::exists(o.path, ec) && o.path.rfind("/vsi", 0) != 0) {
        throw input_error(o.path +
                          ": no such file (--population-grid). Check the path (relative paths "
                          "are taken from " +
                          std::filesystem::current_path().string() + ").");
    }
    if (std::filesystem::is_directory(o.path, ec)) {
        throw input_error(o.path + ": is a folder, not a population grid (--population-grid).");
    }
    // A field names a vector grid; otherwise a raster when the file is one.
    const unsigned kinds = o.field.empty() ? (GDAL_OF_RASTER | GDAL_OF_VECTOR) : GDAL_OF_VECTOR;
    CPLErrorReset();
    GDALDatasetUniquePtr ds(
        GDALDataset::Open(o.path.c_str(), kinds | GDAL_OF_READONLY, nullptr, nullptr, nullptr));
    if (!ds && !o.field.empty()) {
        GDALDatasetUniquePtr raster(
            GDALDataset::Open(o.path.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
        if (raster) {
            throw input_error(o.path + ": is a raster: --population-grid-field applies to vector "
                                       "grids only (a raster's population is its band 1). Drop "
                                       "--population-grid-field.");
        }
    }
    if (!ds) {
        const char* msg = CPLGetLastErrorMsg();
        throw input_error(o.path +
                          ": cannot be read as a population grid (a raster or a vector "
                          "layer of squares): " +
                          ((msg != nullptr && *msg != '\0')
                               ? std::string(msg)
                               : "GDAL recognises no format in it (empty, truncated or not a "
                                 "GIS file?)"));
    }
    rep.driver = ds->GetDriver() != nullptr ? ds->GetDriver()->GetDescription() : "";
    rep.files = io::dataset_files(*ds, o.path);
    if (o.field.empty() && ds->GetRasterCount() > 0) {
        return read_raster(*ds, o, frame, proj, rep);
    }
    if (ds->GetLayerCount() < 1) {
        throw input_error(o.path + ": holds neither a raster band nor a vector layer: not a "
                                   "population grid.");
    }
    return read_vector(*ds, o, frame, proj, rep);
}

} // namespace maillage::analysis
