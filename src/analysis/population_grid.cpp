#include "maillage/analysis/population_grid.hpp"

#include "maillage/core/error.hpp"
#include "maillage/core/parallel.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <memory>
#include <optional>

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

std::string number(double v) { return core::format_number(v, 12); }

// --- From the grid's CRS to the equal-area plane ------------------------------------------------

/// Source CRS -> WGS84 lon/lat (the source's transformation, GDAL's, as the zones are read) ->
/// the analysis projection (PROJ, as the zones are projected). One instance per thread
/// (neither step is thread-safe).
class ToPlane {
public:
    ToPlane(std::unique_ptr<model::LonLatTransform> to_lonlat, const geo::EqualAreaProjection& proj)
        : m_ct(std::move(to_lonlat)), m_proj(proj.clone()) {}
    ToPlane(const ToPlane& other)
        : m_ct(other.m_ct ? other.m_ct->clone() : nullptr), m_proj(other.m_proj.clone()) {}
    ToPlane& operator=(const ToPlane&) = delete;

    /// In place; false when some point cannot be transformed (left non-finite).
    bool apply(std::vector<double>& x, std::vector<double>& y) {
        const std::size_t n = x.size();
        if (n == 0) {
            return true;
        }
        if (m_ct) {
            m_ok.assign(n, 1);
            m_ct->apply(n, x.data(), y.data(), m_ok.data());
            for (std::size_t i = 0; i < n; ++i) {
                if (m_ok[i] == 0) {
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
    std::unique_ptr<model::LonLatTransform> m_ct;
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

/// The boundary of the rectangle of `f` in lon/lat: 64 points a side.
std::vector<geo::LonLat> frame_boundary(const GridFrame& f, const geo::EqualAreaProjection& proj) {
    const double x0 = f.min_x;
    const double x1 = f.min_x + f.width * f.cell_m;
    const double y1 = f.max_y;
    const double y0 = f.max_y - f.height * f.cell_m;
    constexpr int n = 64;
    std::vector<geo::LonLat> out;
    out.reserve(std::size_t{4} * n);
    for (int i = 0; i < n; ++i) {
        const double t = static_cast<double>(i) / n;
        for (const XY p : {XY{x0 + t * (x1 - x0), y0}, XY{x1, y0 + t * (y1 - y0)},
                           XY{x1 - t * (x1 - x0), y1}, XY{x0, y1 - t * (y1 - y0)}}) {
            out.push_back(proj.inverse(p));
        }
    }
    return out;
}

/// What the source cells read so far add up to (a block's, or the whole rectangle's).
struct SourceTotals {
    double beyond = 0.0;
    double population = 0.0;
    std::uint64_t read = 0;
    std::uint64_t populated = 0;
    DensifyStats stats;

    void add(const SourceTotals& b) {
        beyond += b.beyond;
        population += b.population;
        read += b.read;
        populated += b.populated;
        stats.edges_densified += b.stats.edges_densified;
        stats.max_sag_m = std::max(stats.max_sag_m, b.stats.max_sag_m);
    }
};

/// Work of one block of source cells: the contributions, merged in block order.
struct BlockResult : SourceTotals {
    std::vector<Contribution> contributions;
};

/// The whole-rectangle accumulator: blocks are added in their order, so the sums do not depend
/// on the number of threads.
struct Accumulator : SourceTotals {
    std::vector<double> cell;

    void merge(const BlockResult& b) {
        for (const auto& c : b.contributions) {
            cell[c.cell] += c.population;
        }
        add(b);
    }
};

/// A source cell of a vector grid, in its CRS.
using SourcePolygon = model::PopulationPolygon;

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
/// order, a wave of blocks at a time (the results of a wave are held until it is merged). The
/// exception of the first block that failed is rethrown, with its type.
template <class Work> void for_blocks(std::size_t n, Accumulator& acc, const Work& work) {
    const std::size_t wave = 4 * static_cast<std::size_t>(std::max(1, core::max_threads()));
    std::vector<BlockResult> results;
    for (std::size_t first = 0; first < n; first += wave) {
        const std::size_t count = std::min(wave, n - first);
        results.assign(count, BlockResult{});
        core::parallel_for(count, 1, [&](std::size_t k) { work(first + k, results[k]); });
        for (const auto& r : results) {
            acc.merge(r);
        }
    }
}

/// One ToPlane per thread, copied from `base` on first use.
class PerThread {
public:
    explicit PerThread(const ToPlane& base)
        : m_base(base), m_slots(static_cast<std::size_t>(core::max_threads())) {}
    ToPlane& get() {
        auto& slot = m_slots[static_cast<std::size_t>(core::thread_index())];
        if (!slot) {
            slot = std::make_unique<ToPlane>(m_base);
        }
        return *slot;
    }

private:
    const ToPlane& m_base;
    std::vector<std::unique_ptr<ToPlane>> m_slots;
};

void report_totals(const Accumulator& acc, PopulationGridReport& rep) {
    rep.cells_read = acc.read;
    rep.cells_with_population = acc.populated;
    rep.population_read = acc.population;
    rep.population_beyond_extent = acc.beyond;
    rep.edges_densified = acc.stats.edges_densified;
    rep.max_edge_sag_m = acc.stats.max_sag_m;
}

// --- Rasters
// ------------------------------------------------------------------------------------

/// One block of rows of the raster's window: its values, and the images in the plane of the
/// corners of its pixels and of the midpoints of their edges.
class RasterBlock {
public:
    RasterBlock(const model::PopulationRaster& win, std::string path, int rb, int nr)
        : m_win(win), m_path(std::move(path)), m_rb(rb), m_nr(nr), m_ww(win.col1 - win.col0) {}

    std::vector<double>& values() { return m_values; }

    /// Counts the pixels read (not nodata); true when one has a population.
    bool count_read(BlockResult& out) const {
        bool any = false;
        for (const double v : m_values) {
            if (std::isnan(v) || (m_win.has_nodata && v == m_win.nodata)) {
                continue;
            }
            ++out.read;
            any = any || v > 0.0;
        }
        return any;
    }

    /// Transforms, in one batch, the corners and edge midpoints of the pixels with a
    /// population (the others stay NaN).
    void transform(ToPlane& t);
    /// Spreads every pixel with a population over the grid.
    void spread(ToPlane& t, const GridFrame& frame, BlockResult& out) const;

private:
    [[nodiscard]] bool populated(double v) const {
        return v > 0.0 && !(m_win.has_nodata && v == m_win.nodata);
    }
    void spread_pixel(ToPlane& t, const GridFrame& frame, int i, int j, double v,
                      std::vector<PlaneRing>& rings, BlockResult& out) const;

    const model::PopulationRaster& m_win;
    std::string m_path;
    int m_rb;
    int m_nr;
    int m_ww;
    std::vector<double> m_values;
    // Images of the pixel corners and of the midpoints of the pixel edges, shared by the
    // neighbouring pixels: corners (nr+1) x (ww+1), horizontal midpoints (nr+1) x ww,
    // vertical midpoints nr x (ww+1).
    std::vector<double> m_cx, m_cy, m_hx, m_hy, m_vx, m_vy;
};

void RasterBlock::transform(ToPlane& t) {
    const std::size_t cw = static_cast<std::size_t>(m_ww) + 1;
    const auto hw = static_cast<std::size_t>(m_ww);
    const auto nru = static_cast<std::size_t>(m_nr);
    const double nan = std::numeric_limits<double>::quiet_NaN();
    m_cx.assign((nru + 1) * cw, nan);
    m_cy.assign(m_cx.size(), nan);
    m_hx.assign((nru + 1) * hw, nan);
    m_hy.assign(m_hx.size(), nan);
    m_vx.assign(nru * cw, nan);
    m_vy.assign(m_vx.size(), nan);
    std::vector<std::uint8_t> need_c(m_cx.size(), 0);
    std::vector<std::uint8_t> need_h(m_hx.size(), 0);
    std::vector<std::uint8_t> need_v(m_vx.size(), 0);
    for (std::size_t j = 0; j < nru; ++j) {
        for (std::size_t i = 0; i < hw; ++i) {
            if (!populated(m_values[j * hw + i])) {
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
                const XY p = m_win.at(m_win.col0 + static_cast<double>(k % width) + dc,
                                      m_rb + static_cast<double>(row) + dr);
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
    scatter(need_c, m_cx, m_cy);
    scatter(need_h, m_hx, m_hy);
    scatter(need_v, m_vx, m_vy);
}

void RasterBlock::spread(ToPlane& t, const GridFrame& frame, BlockResult& out) const {
    std::vector<PlaneRing> rings(1);
    for (int j = 0; j < m_nr; ++j) {
        for (int i = 0; i < m_ww; ++i) {
            const double v = m_values[static_cast<std::size_t>(j) * m_ww + i];
            if (populated(v)) {
                spread_pixel(t, frame, i, j, v, rings, out);
            }
        }
    }
}

void RasterBlock::spread_pixel(ToPlane& t, const GridFrame& frame, int i, int j, double v,
                               std::vector<PlaneRing>& rings, BlockResult& out) const {
    ++out.populated;
    out.population += v;
    const int col0 = m_win.col0;
    const int rb = m_rb;
    auto where = [&] {
        return m_path + ": pixel (column " + std::to_string(col0 + i) + ", row " +
               std::to_string(rb + j) + ")";
    };
    const std::size_t cw = static_cast<std::size_t>(m_ww) + 1;
    const auto hw = static_cast<std::size_t>(m_ww);
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
    const XY s00 = m_win.at(col0 + i, rb + j);
    const XY s10 = m_win.at(col0 + i + 1, rb + j);
    const XY s11 = m_win.at(col0 + i + 1, rb + j + 1);
    const XY s01 = m_win.at(col0 + i, rb + j + 1);
    const std::array<Edge, 4> edges{
        {{k00, k10, s00, s10, {m_hx[ju * hw + iu], m_hy[ju * hw + iu]}},
         {k10, k11, s10, s11, {m_vx[ju * cw + iu + 1], m_vy[ju * cw + iu + 1]}},
         {k11, k01, s11, s01, {m_hx[(ju + 1) * hw + iu], m_hy[(ju + 1) * hw + iu]}},
         {k01, k00, s01, s00, {m_vx[ju * cw + iu], m_vy[ju * cw + iu]}}}};
    auto& ring = rings[0].points;
    ring.clear();
    for (const auto& e : edges) {
        const XY p{m_cx[e.p], m_cy[e.p]};
        const XY q{m_cx[e.q], m_cy[e.q]};
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
            throw input_error(where() + ": the pixel cannot be transformed to the equal-area "
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

void resample_raster(model::PopulationGridSource& source, const GridFrame& frame,
                     const geo::EqualAreaProjection& proj, Accumulator& acc,
                     const std::string& path) {
    const auto& win = source.raster();
    const int ww = win.col1 - win.col0;
    // Blocks of 64 rows, fewer for a very wide window: at most about a million pixels a block.
    const int block_rows = std::clamp((1 << 20) / std::max(1, ww), 1, 64);
    const auto blocks =
        static_cast<std::size_t>((win.row1 - win.row0 + block_rows - 1) / block_rows);
    const ToPlane base(source.to_lonlat(), proj);
    PerThread per_thread(base);
    for_blocks(blocks, acc, [&](std::size_t b, BlockResult& out) {
        ToPlane& t = per_thread.get();
        const int rb = win.row0 + static_cast<int>(b) * block_rows;
        const int re = std::min(win.row1, rb + block_rows);
        RasterBlock block(win, path, rb, re - rb);
        source.read_rows(rb, re - rb, block.values());
        if (!block.count_read(out)) {
            return;
        }
        block.transform(t);
        block.spread(t, frame, out);
    });
}

// --- Vector grids
// -------------------------------------------------------------------------------

void resample_vector(model::PopulationGridSource& source, const GridFrame& frame,
                     const geo::EqualAreaProjection& proj, Accumulator& acc) {
    const ToPlane base(source.to_lonlat(), proj);
    PerThread per_thread(base);
    constexpr std::size_t chunk = 1 << 16;
    constexpr std::size_t per_block = 4096;
    std::vector<SourcePolygon> polys;
    bool more = true;
    while (more) {
        // Read a chunk (GDAL is read by one thread), then spread it in parallel.
        more = source.read_polygons(chunk, polys, acc.read, acc.populated);
        const std::size_t blocks = (polys.size() + per_block - 1) / per_block;
        for_blocks(blocks, acc, [&](std::size_t b, BlockResult& out) {
            ToPlane& t = per_thread.get();
            const std::size_t end = std::min(polys.size(), (b + 1) * per_block);
            // One batch of transformations for the whole block.
            std::vector<double> xs;
            std::vector<double> ys;
            for (std::size_t k = b * per_block; k < end; ++k) {
                source_points(polys[k], xs, ys);
            }
            t.apply(xs, ys); // failed points are left non-finite, found below
            std::size_t offset = 0;
            for (std::size_t k = b * per_block; k < end; ++k) {
                const auto& sp = polys[k];
                out.population += sp.population;
                try {
                    offset = spread_source_polygon(t, frame, sp, xs, ys, offset, out);
                } catch (const TransformFailed&) {
                    throw input_error(sp.where + ": the square cannot be transformed to the "
                                                 "equal-area projection (is the grid's CRS "
                                                 "right? --population-grid-crs)");
                }
            }
        });
    }
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

namespace {

int clamp_index(double v, int hi) {
    return static_cast<int>(std::clamp(v, 0.0, static_cast<double>(hi)));
}

/// The bounding box of a polygon's rings and its first vertex (null: no vertex).
struct RingBounds {
    double minx = std::numeric_limits<double>::max();
    double miny = std::numeric_limits<double>::max();
    double maxx = -std::numeric_limits<double>::max();
    double maxy = -std::numeric_limits<double>::max();
    const XY* origin = nullptr;
};

RingBounds ring_bounds(const std::vector<PlaneRing>& rings) {
    RingBounds b;
    for (const auto& r : rings) {
        for (const auto& p : r.points) {
            b.origin = b.origin != nullptr ? b.origin : &p;
            b.minx = std::min(b.minx, p.x);
            b.maxx = std::max(b.maxx, p.x);
            b.miny = std::min(b.miny, p.y);
            b.maxy = std::max(b.maxy, p.y);
        }
    }
    return b;
}

/// A polygon cut into the cells of a frame, column by column (Sutherland-Hodgman against the
/// column's strip, then against each row of it).
class CellClipper {
public:
    /// Coordinates relative to the polygon's first vertex `o`: areas stay accurate far from the
    /// projection's centre.
    CellClipper(const GridFrame& f, const std::vector<PlaneRing>& rings, XY o)
        : m_f(f), m_o(o), m_local(rings.size()), m_sign(rings.size()), m_strip(rings.size()) {
        for (std::size_t k = 0; k < rings.size(); ++k) {
            m_sign[k] = ring_sign(rings[k]);
            m_local[k].reserve(rings[k].points.size());
            for (const auto& p : rings[k].points) {
                m_local[k].push_back({p.x - o.x, p.y - o.y});
            }
        }
    }

    /// Adds to `cells` the cells of column c the polygon overlaps, with the area of overlap,
    /// and each area to `inside` (in that order: the sum is the same to the last bit).
    void column(int c, std::vector<std::pair<std::size_t, double>>& cells, double& inside) {
        const double fx0 = m_f.min_x;
        const double fy1 = m_f.max_y;
        const double xa = fx0 + c * m_f.cell_m - m_o.x;
        const double xb = fx0 + (c + 1) * m_f.cell_m - m_o.x;
        double sy0 = std::numeric_limits<double>::max();
        double sy1 = -sy0;
        for (std::size_t k = 0; k < m_local.size(); ++k) {
            clip_half(m_local[k], m_tmp, 0, xa, true);
            clip_half(m_tmp, m_strip[k], 0, xb, false);
            for (const auto& p : m_strip[k]) {
                sy0 = std::min(sy0, p.y);
                sy1 = std::max(sy1, p.y);
            }
        }
        if (sy0 > sy1) {
            return;
        }
        const int r0 = clamp_index(std::floor((fy1 - (sy1 + m_o.y)) / m_f.cell_m), m_f.height - 1);
        const int r1 = clamp_index(std::floor((fy1 - (sy0 + m_o.y)) / m_f.cell_m), m_f.height - 1);
        for (int r = r0; r <= r1; ++r) {
            const double a = cell_area(r);
            if (a > 0.0) {
                cells.emplace_back(static_cast<std::size_t>(r) *
                                           static_cast<std::size_t>(m_f.width) +
                                       static_cast<std::size_t>(c),
                                   a);
                inside += a;
            }
        }
    }

private:
    /// The area of the current column's strip within row r.
    double cell_area(int r) {
        const double yb = m_f.max_y - r * m_f.cell_m - m_o.y;
        const double ya = m_f.max_y - (r + 1) * m_f.cell_m - m_o.y;
        double a = 0.0;
        for (std::size_t k = 0; k < m_strip.size(); ++k) {
            if (m_strip[k].size() < 3) {
                continue;
            }
            clip_half(m_strip[k], m_tmp, 1, ya, true);
            clip_half(m_tmp, m_piece, 1, yb, false);
            a += m_sign[k] * ring_signed_area(m_piece);
        }
        return a;
    }

    const GridFrame& m_f;
    XY m_o;
    std::vector<std::vector<XY>> m_local;
    std::vector<double> m_sign;
    std::vector<std::vector<XY>> m_strip;
    std::vector<XY> m_tmp;
    std::vector<XY> m_piece;
};

} // namespace

double spread_polygon(const GridFrame& f, const std::vector<PlaneRing>& rings, double area,
                      double population, std::vector<Contribution>& out) {
    if (population == 0.0) {
        return 0.0;
    }
    const auto b = ring_bounds(rings);
    const double fx0 = f.min_x;
    const double fx1 = f.min_x + f.width * f.cell_m;
    const double fy1 = f.max_y;
    const double fy0 = f.max_y - f.height * f.cell_m;
    if (b.origin == nullptr || b.maxx <= fx0 || b.minx >= fx1 || b.maxy <= fy0 || b.miny >= fy1) {
        return population; // wholly outside the rectangle
    }
    const bool inside_frame = b.minx >= fx0 && b.maxx <= fx1 && b.miny >= fy0 && b.maxy <= fy1;
    const int c0 = clamp_index(std::floor((b.minx - fx0) / f.cell_m), f.width - 1);
    const int c1 = clamp_index(std::floor((b.maxx - fx0) / f.cell_m), f.width - 1);

    CellClipper clipper(f, rings, *b.origin);
    std::vector<std::pair<std::size_t, double>> cells;
    double inside = 0.0;
    for (int c = c0; c <= c1; ++c) {
        clipper.column(c, cells, inside);
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

std::vector<double> resample_population_grid(model::PopulationGridSource& source,
                                             const GridFrame& frame,
                                             const geo::EqualAreaProjection& proj,
                                             PopulationGridReport& rep) {
    source.open(frame_boundary(frame, proj), rep);
    Accumulator acc;
    acc.cell.assign(static_cast<std::size_t>(frame.width) * static_cast<std::size_t>(frame.height),
                    0.0);
    if (source.is_raster()) {
        resample_raster(source, frame, proj, acc, rep.path);
    } else {
        resample_vector(source, frame, proj, acc);
    }
    report_totals(acc, rep);
    if (acc.read == 0) {
        source.no_overlap();
    }
    return std::move(acc.cell);
}

std::vector<double> resample_population_grid(const PopulationGridOptions& options,
                                             const GridFrame& frame,
                                             const geo::EqualAreaProjection& proj,
                                             PopulationGridReport& report) {
    if (!options.source) {
        throw std::logic_error("resample_population_grid: no source for the population grid " +
                               options.path + " (io::population_grid_source)");
    }
    return resample_population_grid(*options.source, frame, proj, report);
}

} // namespace maillage::analysis
