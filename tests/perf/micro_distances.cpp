// Micro-benchmark of the distances phase, for docs/performance.md: the cost per grid cell of
// each step (plane -> lon/lat, lon/lat -> ECEF, nearest-site query) and of the alternatives
// (PROJ's inverse against maillage's closed form; the k-d tree walk against the bucket table).
// Single-threaded; run it under `valgrind --tool=callgrind` for stable instruction counts, or
// plainly for wall times on an idle machine.
//
// Usage: maillage_micro SITES.csv [cell_m] [max_cells]
// Sites: every row of the CSV (lon/lat columns). Cells: the centres of a grid over the sites'
// bounding box in a LAEA projection centred on them (the whole box, not only the study area).

#include "maillage/geo/equal_area.hpp"
#include "maillage/geo/geodesic.hpp"
#include "maillage/index/site_index.hpp"
#include "maillage/io/site_reader.hpp"

#include <proj.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <numbers>
#include <string>
#include <vector>

using namespace maillage;

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// PROJ's own LAEA inverse, one point at a time (what maillage used before 0.3).
__attribute__((noinline)) void proj_inverse(PJ* pj, std::vector<double>& x,
                                            std::vector<double>& y) {
    proj_trans_generic(pj, PJ_INV, x.data(), sizeof(double), x.size(), y.data(), sizeof(double),
                       y.size(), nullptr, 0, 0, nullptr, 0, 0);
}

__attribute__((noinline)) void own_inverse(const geo::EqualAreaProjection& p,
                                           std::vector<double>& x, std::vector<double>& y) {
    p.inverse(x, y);
}

__attribute__((noinline)) double fused_all(const index::SiteIndex& idx,
                                           const geo::EqualAreaProjection& p,
                                           const std::vector<double>& x,
                                           const std::vector<double>& y) {
    double s = 0.0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        s += idx.nearest_ecef(p.inverse_ecef({x[i], y[i]})).distance_m;
    }
    return s;
}

__attribute__((noinline)) double inverse_ecef_all(const geo::EqualAreaProjection& p,
                                                  const std::vector<double>& x,
                                                  const std::vector<double>& y) {
    double s = 0.0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        s += p.inverse_ecef({x[i], y[i]}).x;
    }
    return s;
}

__attribute__((noinline)) double ecef_all(const std::vector<double>& lon,
                                          const std::vector<double>& lat) {
    double s = 0.0;
    for (std::size_t i = 0; i < lon.size(); ++i) {
        s += geo::to_ecef({lon[i], lat[i]}).x;
    }
    return s;
}

__attribute__((noinline)) double query_all(const index::SiteIndex& idx,
                                           const std::vector<double>& lon,
                                           const std::vector<double>& lat) {
    double s = 0.0;
    for (std::size_t i = 0; i < lon.size(); ++i) {
        s += idx.nearest({lon[i], lat[i]}).distance_m;
    }
    return s;
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s SITES.csv [cell_m] [max_cells]\n", argv[0]);
        return 2;
    }
    const double cell_m = argc > 2 ? std::atof(argv[2]) : 200.0;
    const std::size_t max_cells = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 100000000;
    io::SiteReadOptions opt;
    opt.path = argv[1];
    const auto set = io::read_sites(opt);
    std::vector<geo::LonLat> pos;
    for (const auto& s : set.sites) {
        pos.push_back(s.position);
    }
    const auto proj = geo::EqualAreaProjection::centred_on(pos);
    double x0 = 1e300;
    double y0 = 1e300;
    double x1 = -1e300;
    double y1 = -1e300;
    for (const auto& p : pos) {
        const auto xy = proj.forward(p);
        x0 = std::min(x0, xy.x);
        y0 = std::min(y0, xy.y);
        x1 = std::max(x1, xy.x);
        y1 = std::max(y1, xy.y);
    }
    std::vector<double> xs;
    std::vector<double> ys;
    for (double y = y0 + cell_m / 2; y < y1 && xs.size() < max_cells; y += cell_m) {
        for (double x = x0 + cell_m / 2; x < x1 && xs.size() < max_cells; x += cell_m) {
            xs.push_back(x);
            ys.push_back(y);
        }
    }
    const double n = static_cast<double>(xs.size());
    std::printf("%zu sites, %zu cells of %g m\n", pos.size(), xs.size(), cell_m);

    PJ_CONTEXT* ctx = proj_context_create();
    const std::string def = "+proj=laea +lat_0=" + std::to_string(proj.lat_0()) +
                            " +lon_0=" + std::to_string(proj.lon_0()) + " +ellps=WGS84";
    PJ* pj = proj_create(ctx, def.c_str());

    auto px = xs;
    auto py = ys;
    auto t = std::chrono::steady_clock::now();
    proj_inverse(pj, px, py);
    std::printf("PROJ inverse:          %7.1f ns/cell\n", seconds_since(t) / n * 1e9);

    auto lon = xs;
    auto lat = ys;
    t = std::chrono::steady_clock::now();
    own_inverse(proj, lon, lat);
    std::printf("closed-form inverse:   %7.1f ns/cell\n", seconds_since(t) / n * 1e9);
    double worst = 0.0;
    for (std::size_t i = 0; i < lon.size(); i += 97) {
        worst = std::max(
            worst, geo::geodesic_distance_m({lon[i], lat[i]}, {px[i] * 180.0 / std::numbers::pi,
                                                               py[i] * 180.0 / std::numbers::pi}));
    }
    std::printf("  max distance between the two inverses: %.2e m\n", worst);

    t = std::chrono::steady_clock::now();
    const double sum_e = ecef_all(lon, lat);
    std::printf("lon/lat -> ECEF:       %7.1f ns/cell (%g)\n", seconds_since(t) / n * 1e9,
                sum_e * 0);

    index::SiteIndex tree(pos);
    t = std::chrono::steady_clock::now();
    const double s_tree = query_all(tree, lon, lat);
    std::printf("tree nearest:          %7.1f ns/cell (includes ECEF)\n",
                seconds_since(t) / n * 1e9);

    index::SiteIndex table(pos);
    t = std::chrono::steady_clock::now();
    table.prepare(pos, 0.05, xs.size());
    const double build = seconds_since(t);
    t = std::chrono::steady_clock::now();
    const double s_table = query_all(table, lon, lat);
    std::printf("bucket-table nearest:  %7.1f ns/cell (includes ECEF); table of %zu buckets built "
                "in %.3f s\n",
                seconds_since(t) / n * 1e9, table.bucket_count(), build);
    std::printf("  sums of distances agree: %s (%.6f km vs %.6f km)\n",
                s_tree == s_table ? "yes" : "NO", s_tree / 1e3, s_table / 1e3);

    t = std::chrono::steady_clock::now();
    const double s_ie = inverse_ecef_all(proj, xs, ys);
    std::printf("inverse with ECEF:     %7.1f ns/cell (%g)\n", seconds_since(t) / n * 1e9,
                s_ie * 0);
    t = std::chrono::steady_clock::now();
    const double s_fused = fused_all(table, proj, xs, ys);
    std::printf("cell (inverse with ECEF + bucket-table nearest): %7.1f ns/cell; before (PROJ "
                "inverse + tree nearest) see the sum of the lines above\n",
                seconds_since(t) / n * 1e9);
    std::printf("  sums of distances agree: %s\n",
                std::abs(s_fused - s_table) < 1e-3 ? "yes" : "NO");
    proj_destroy(pj);
    proj_context_destroy(ctx);
    return s_tree == s_table ? 0 : 1;
}
