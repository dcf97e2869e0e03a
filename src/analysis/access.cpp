#include "maillage/analysis/access.hpp"

#include "maillage/analysis/statistics.hpp"
#include "maillage/core/error.hpp"
#include "maillage/geo/geodesic.hpp"
#include "maillage/index/site_index.hpp"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <map>
#include <sstream>

namespace maillage::analysis {
namespace {

using clock_type = std::chrono::steady_clock;

std::string number_text(double v) {
    std::ostringstream o;
    o << v;
    return o.str();
}

/// A number of a --bands value: strict, '.' as decimal separator.
double band_number(const std::string& text, const std::string& band, const std::string& what) {
    const auto v = io::parse_number(text);
    if (!v) {
        throw usage_error("--bands: band '" + band + "': " + what + " '" + text +
                          "' is not a number (write bands as FROM-TO:WEIGHT in km, e.g. " +
                          default_access_bands + ").");
    }
    return *v;
}

} // namespace

Decay Decay::bands(const std::string& text) {
    Decay d;
    if (!text.empty() && text.back() == ',') {
        throw usage_error("--bands '" + text + "' ends with a comma; remove it.");
    }
    std::stringstream in(text);
    std::string band;
    double previous_to = 0.0;
    while (std::getline(in, band, ',')) {
        const auto colon = band.find(':');
        const auto dash = band.find('-');
        if (colon == std::string::npos || dash == std::string::npos || dash > colon) {
            throw usage_error("--bands: band '" + band + "' is not FROM-TO:WEIGHT (km), e.g. " +
                              default_access_bands + ".");
        }
        const double from = band_number(band.substr(0, dash), band, "FROM");
        const double to = band_number(band.substr(dash + 1, colon - dash - 1), band, "TO");
        const double weight = band_number(band.substr(colon + 1), band, "WEIGHT");
        if (from != previous_to) {
            throw usage_error("--bands: band '" + band + "' starts at " + number_text(from) +
                              " km; bands must start at 0 and each start where the previous one "
                              "ends (" +
                              number_text(previous_to) + " km).");
        }
        if (!(to > from)) {
            throw usage_error("--bands: band '" + band + "' must end after it starts (FROM < TO).");
        }
        if (!(weight >= 0)) {
            throw usage_error("--bands: band '" + band + "' has a negative weight " +
                              number_text(weight) + "; weights are 0 or more.");
        }
        d.m_bands.push_back({from * 1000.0, to * 1000.0, weight});
        previous_to = to;
    }
    if (d.m_bands.empty()) {
        throw usage_error("--bands is empty; give bands such as " +
                          std::string(default_access_bands) + ".");
    }
    // Trailing bands of weight 0 do not widen the catchments.
    d.m_radius_m = 0.0;
    for (const auto& b : d.m_bands) {
        if (b.weight > 0) {
            d.m_radius_m = b.to_m;
        }
    }
    return d;
}

Decay Decay::gaussian(double d0_m) {
    if (!(d0_m > 0) || !std::isfinite(d0_m)) {
        throw usage_error("--d0-km must be a distance in km greater than 0 (got " +
                          number_text(d0_m / 1000.0) + ").");
    }
    Decay d;
    d.m_gaussian = true;
    d.m_radius_m = d0_m;
    return d;
}

double Decay::weight(double distance_m) const {
    if (m_gaussian) {
        if (distance_m > m_radius_m) {
            return 0.0;
        }
        const double q = distance_m / m_radius_m;
        const double e_half = std::exp(-0.5);
        return std::max(0.0, (std::exp(-0.5 * q * q) - e_half) / (1.0 - e_half));
    }
    for (const auto& b : m_bands) {
        if (distance_m <= b.to_m) {
            return b.weight;
        }
    }
    return 0.0;
}

std::size_t Decay::band_of(double distance_m) const {
    std::size_t k = 0;
    while (k < m_bands.size() && distance_m > m_bands[k].to_m) {
        ++k;
    }
    return k;
}

nlohmann::ordered_json Decay::to_json() const {
    nlohmann::ordered_json j;
    if (m_gaussian) {
        j["kind"] = "gaussian";
        j["d0_km"] = m_radius_m / 1000.0;
        j["formula"] = "W(d) = (exp(-(d/d0)^2/2) - exp(-1/2)) / (1 - exp(-1/2)) for d <= d0, "
                       "0 beyond (Dai 2010)";
    } else {
        j["kind"] = "bands";
        auto arr = nlohmann::ordered_json::array();
        for (const auto& b : m_bands) {
            arr.push_back(
                {{"from_km", b.from_m / 1000.0}, {"to_km", b.to_m / 1000.0}, {"weight", b.weight}});
        }
        j["bands"] = arr;
        j["formula"] = "W(d) = weight of the band with from < d <= to (the first from 0), 0 beyond";
    }
    j["radius_km"] = m_radius_m / 1000.0;
    return j;
}

AccessResult compute_access(const std::vector<model::Site>& sites,
                            const std::vector<model::Zone>& zones, const AnalysisResult& base,
                            const AccessParameters& params, const ProgressFn& progress,
                            const ContextDemand* context) {
    auto report = [&](const std::string& phase, double f) {
        if (progress) {
            progress(phase, f);
        }
    };
    AccessResult a;
    auto last = clock_type::now();
    auto lap = [&](const std::string& name) {
        const auto now = clock_type::now();
        a.timings_s.emplace_back(name, std::chrono::duration<double>(now - last).count());
        last = now;
    };
    const auto& grid = base.grid;
    const auto& decay = params.decay;
    const double radius = decay.radius_m();
    const std::size_t ns = sites.size();
    const std::size_t nz = zones.size();
    const std::size_t ncells = grid.zone.size();
    const auto width = static_cast<std::size_t>(grid.width);

    std::vector<geo::LonLat> site_pos;
    site_pos.reserve(ns);
    for (const auto& s : sites) {
        site_pos.push_back(s.position);
        a.supply_total += s.capacity;
    }
    const index::SiteIndex idx(site_pos);

    // Cells are visited by square blocks of `side` cells. One index query per block gives the
    // candidate sites: every site within the radius plus the block's reach (the geodesic
    // distance from the block's centre to its farthest corner cell, with a margin) of the block's
    // centre, a superset of the sites within the radius of any of its cells (triangle
    // inequality). Each cell then measures the exact geodesic to each candidate; a chord longer
    // than the radius rules a candidate out at once (a chord is never longer than its geodesic).
    const int side =
        std::clamp(static_cast<int>(std::floor(radius / 8.0 / std::max(grid.cell_m, 1.0))), 1, 16);
    const int block_rows = (grid.height + side - 1) / side;
    const int block_cols = (grid.width + side - 1) / side;
    std::vector<geo::Ecef> site_ecef;
    site_ecef.reserve(ns);
    for (const auto& p : site_pos) {
        site_ecef.push_back(geo::to_ecef(p));
    }
    const double radius2 = radius * radius;
    // With bands, the weight only depends on the band. The series distance of geodesic.hpp
    // exceeds the chord c by c^3 k^2 / 24 + 3 c^5 k^4 / 640, k <= 1 / M_min (the smallest
    // radius of curvature of WGS84, a (1 - e^2), at the equator): at most `slack` for chords up
    // to the radius. When c and c + slack fall in the same band, so does the distance, and its
    // weight is known without computing it; otherwise (a cell within a few cm of a band edge)
    // the distance is computed. The weights are exactly those of the computed distances.
    constexpr double m_min = 6378137.0 * (1.0 - 0.00669437999014); // a (1 - e^2)
    const double k2 = 1.0 / (m_min * m_min);
    const double slack =
        (radius * radius * radius * k2 / 24.0 + 3.0 * std::pow(radius, 5) * k2 * k2 / 640.0) *
            1.001 +
        1e-6;
    const bool by_band = !decay.is_gaussian() && radius <= geo::short_chord_m;
    const auto& bands = decay.band_list();
    // Calls fn(cell, site, weight) for every cell of `grid` (the study grid, or the context
    // zones' grid, aligned with it) in block (brow, bcol) that belongs to a zone, and every site
    // with a non-zero weight from it, cells in row order, sites by candidate order (so the calls
    // for one cell follow each other).
    auto visit_block = [&](const PopulationGrid& vg, int brow, int bcol,
                           std::vector<index::Hit>& candidates, const auto& fn) {
        const auto vwidth = static_cast<std::size_t>(vg.width);
        const int r0 = brow * side;
        const int c0 = bcol * side;
        const int r1 = std::min(vg.height, r0 + side);
        const int c1 = std::min(vg.width, c0 + side);
        bool any = false;
        for (int r = r0; r < r1 && !any; ++r) {
            for (int c = c0; c < c1 && !any; ++c) {
                any = vg.zone[static_cast<std::size_t>(r) * vwidth + static_cast<std::size_t>(c)] >=
                      0;
            }
        }
        if (!any) {
            return;
        }
        const geo::XY centre{vg.min_x + (0.5 * (c0 + c1)) * vg.cell_m,
                             vg.max_y - (0.5 * (r0 + r1)) * vg.cell_m};
        const auto centre_ll = base.projection.inverse(centre);
        double reach = 0.0;
        for (const int r : {r0, r1 - 1}) {
            for (const int c : {c0, c1 - 1}) {
                const auto corner =
                    vg.centre(static_cast<std::size_t>(r) * vwidth + static_cast<std::size_t>(c));
                reach = std::max(
                    reach, geo::geodesic_distance_m(centre_ll, base.projection.inverse(corner)));
            }
        }
        candidates = idx.within(centre_ll, radius + reach * 1.01 + 1.0);
        for (int r = r0; r < r1; ++r) {
            for (int c = c0; c < c1; ++c) {
                const std::size_t cell =
                    static_cast<std::size_t>(r) * vwidth + static_cast<std::size_t>(c);
                if (vg.zone[cell] < 0) {
                    continue;
                }
                const auto e = base.projection.inverse_ecef(vg.centre(cell));
                for (const auto& h : candidates) {
                    const auto& se = site_ecef[h.site];
                    const double dx = se.x - e.x;
                    const double dy = se.y - e.y;
                    const double dz = se.z - e.z;
                    const double c2 = dx * dx + dy * dy + dz * dz;
                    if (c2 > radius2) {
                        continue;
                    }
                    if (by_band) {
                        const double chord = std::sqrt(c2);
                        const std::size_t k = decay.band_of(chord);
                        if (k == decay.band_of(chord + slack)) {
                            if (k < bands.size() && bands[k].weight > 0) {
                                fn(cell, h.site, bands[k].weight);
                            }
                            continue;
                        }
                    }
                    const double d = geo::geodesic_distance_m(e, site_pos[h.site], se);
                    if (d <= radius) {
                        const double w = decay.weight(d);
                        if (w > 0) {
                            fn(cell, h.site, w);
                        }
                    }
                }
            }
        }
    };

    // Step 1: demand of every site, D_j = sum_k P_k W(d_kj), over the inhabited cells and the
    // zones without a cell (their population on their reference point). Rows of blocks are
    // measured in parallel, each into its own list of (site, partial sum); the lists are then
    // added in order, so the sums do not depend on the threads. `in_reach` (when not null): the
    // population of the cells with at least one site of non-zero weight, summed the same way.
    report("demand", 0.0);
    auto demand_over = [&](const PopulationGrid& g, std::vector<double>& into, double* in_reach) {
        const int g_rows = (g.height + side - 1) / side;
        const int g_cols = (g.width + side - 1) / side;
        std::vector<std::vector<std::pair<std::uint32_t, double>>> row_sums(
            static_cast<std::size_t>(g_rows));
        std::vector<double> row_reach(static_cast<std::size_t>(g_rows), 0.0);
        int rows_done = 0;
#pragma omp parallel
        {
            std::vector<double> acc(ns, 0.0);
            std::vector<char> seen(ns, 0);
            std::vector<std::uint32_t> touched;
            std::vector<index::Hit> candidates;
            const auto t = omp_get_thread_num();
#pragma omp for schedule(dynamic, 1)
            for (int brow = 0; brow < g_rows; ++brow) {
                double reach = 0.0;
                std::size_t last_cell = std::numeric_limits<std::size_t>::max();
                for (int bcol = 0; bcol < g_cols; ++bcol) {
                    visit_block(g, brow, bcol, candidates,
                                [&](std::size_t cell, std::uint32_t site, double w) {
                                    const double pop = g.population[cell];
                                    if (!(pop > 0)) {
                                        return;
                                    }
                                    if (cell != last_cell) {
                                        last_cell = cell;
                                        reach += pop;
                                    }
                                    if (seen[site] == 0) {
                                        seen[site] = 1;
                                        touched.push_back(site);
                                    }
                                    acc[site] += pop * w;
                                });
                }
                row_reach[static_cast<std::size_t>(brow)] = reach;
                std::sort(touched.begin(), touched.end());
                auto& out = row_sums[static_cast<std::size_t>(brow)];
                out.reserve(touched.size());
                for (const auto s : touched) {
                    out.emplace_back(s, acc[s]);
                    acc[s] = 0.0;
                    seen[s] = 0;
                }
                touched.clear();
                if (progress && t == 0) {
                    int done = 0;
#pragma omp atomic read
                    done = rows_done;
                    report("demand", static_cast<double>(done) / std::max(1, g_rows));
                }
#pragma omp atomic
                ++rows_done;
            }
        }
        for (auto& row : row_sums) {
            for (const auto& [s, v] : row) {
                into[s] += v;
            }
            std::vector<std::pair<std::uint32_t, double>>().swap(row);
        }
        if (in_reach != nullptr) {
            for (const double v : row_reach) {
                *in_reach += v;
            }
        }
    };
    a.site_demand.assign(ns, 0.0);
    demand_over(grid, a.site_demand, nullptr);
    // Zones without a cell: hits from their reference points, kept for step 2.
    std::vector<std::vector<index::Hit>> point_hits(nz);
    for (std::size_t i = 0; i < nz; ++i) {
        if (base.zones[i].cells != 0) {
            continue;
        }
        point_hits[i] = idx.within(base.zones[i].reference, radius);
        const double pop = base.zone_population[i];
        if (pop > 0) {
            for (const auto& h : point_hits[i]) {
                a.site_demand[h.site] += pop * decay.weight(h.distance_m);
            }
        }
    }
    // Context zones: their cells (on the aligned grid) and points, summed apart, then added to
    // each site's demand.
    a.site_context_demand.assign(ns, 0.0);
    if (context != nullptr) {
        demand_over(context->grid, a.site_context_demand, &a.context_population_in_reach);
        for (double v : context->grid.population) {
            a.context_population += v;
        }
        for (std::size_t k = 0; k < context->point_position.size(); ++k) {
            const double pop = context->point_population[k];
            a.context_population += pop;
            if (!(pop > 0)) {
                continue;
            }
            bool reached = false;
            for (const auto& h : idx.within(context->point_position[k], radius)) {
                const double w = decay.weight(h.distance_m);
                if (w > 0) {
                    a.site_context_demand[h.site] += pop * w;
                    reached = true;
                }
            }
            a.context_population_in_reach += reached ? pop : 0.0;
        }
        for (std::size_t s = 0; s < ns; ++s) {
            a.site_demand[s] += a.site_context_demand[s];
            a.context_sites += a.site_context_demand[s] > 0 ? 1U : 0U;
        }
    }
    a.site_ratio.assign(ns, std::numeric_limits<double>::quiet_NaN());
    for (std::size_t s = 0; s < ns; ++s) {
        if (a.site_demand[s] > 0) {
            a.site_ratio[s] = sites[s].capacity / a.site_demand[s];
            a.supply_served += sites[s].capacity;
        } else {
            a.unreached_sites.push_back(static_cast<std::uint32_t>(s));
        }
    }
    lap("demand");
    report("demand", 1.0);

    // Step 2: index of every cell (inhabited or not, for the raster) and demand point,
    // A_i = sum_j R_j W(d_ij) over the sites with a defined ratio.
    auto index_of = [&](const std::vector<index::Hit>& hits, std::uint32_t* in_reach) {
        double sum = 0.0;
        std::uint32_t n = 0;
        for (const auto& h : hits) {
            const double r = a.site_ratio[h.site];
            const double w = decay.weight(h.distance_m);
            if (!std::isnan(r) && w > 0) {
                sum += r * w;
                ++n;
            }
        }
        if (in_reach != nullptr) {
            *in_reach = n;
        }
        return sum;
    };
    report("access", 0.0);
    std::vector<double> cell_value(ncells, 0.0);
    a.cell_index.assign(ncells, std::numeric_limits<float>::quiet_NaN());
    for (std::size_t c = 0; c < ncells; ++c) {
        if (grid.zone[c] >= 0) {
            a.cell_index[c] = 0.0F;
        }
    }
    int rows_done = 0;
#pragma omp parallel
    {
        std::vector<index::Hit> candidates;
        const auto t = omp_get_thread_num();
#pragma omp for schedule(dynamic, 1)
        for (int brow = 0; brow < block_rows; ++brow) {
            for (int bcol = 0; bcol < block_cols; ++bcol) {
                visit_block(grid, brow, bcol, candidates,
                            [&](std::size_t cell, std::uint32_t site, double w) {
                                const double r = a.site_ratio[site];
                                if (!std::isnan(r)) {
                                    cell_value[cell] += r * w;
                                }
                            });
            }
            const std::size_t r0 = static_cast<std::size_t>(brow) * static_cast<std::size_t>(side);
            const std::size_t r1 = std::min(static_cast<std::size_t>(grid.height),
                                            r0 + static_cast<std::size_t>(side));
            for (std::size_t c = r0 * width; c < r1 * width; ++c) {
                if (grid.zone[c] >= 0) {
                    a.cell_index[c] = static_cast<float>(cell_value[c] * access_per_inhabitants);
                }
            }
            if (progress && t == 0) {
                int done = 0;
#pragma omp atomic read
                done = rows_done;
                report("access", static_cast<double>(done) / std::max(1, block_rows));
            }
#pragma omp atomic
            ++rows_done;
        }
    }

    // The context zones' own index is not reported; only its sum over their demand, for the
    // conservation: sum over all demand of P x A = supply of the reached sites. Per row of
    // blocks, added in row order.
    if (context != nullptr) {
        const auto& g = context->grid;
        const int g_rows = (g.height + side - 1) / side;
        const int g_cols = (g.width + side - 1) / side;
        std::vector<double> row_sum(static_cast<std::size_t>(g_rows), 0.0);
#pragma omp parallel
        {
            std::vector<index::Hit> candidates;
#pragma omp for schedule(dynamic, 1)
            for (int brow = 0; brow < g_rows; ++brow) {
                double sum = 0.0;
                for (int bcol = 0; bcol < g_cols; ++bcol) {
                    visit_block(g, brow, bcol, candidates,
                                [&](std::size_t cell, std::uint32_t site, double w) {
                                    const double r = a.site_ratio[site];
                                    const double pop = g.population[cell];
                                    if (!std::isnan(r) && pop > 0) {
                                        sum += pop * r * w;
                                    }
                                });
                }
                row_sum[static_cast<std::size_t>(brow)] = sum;
            }
        }
        for (const double v : row_sum) {
            a.context_weighted_sum += v;
        }
        for (std::size_t k = 0; k < context->point_position.size(); ++k) {
            const double pop = context->point_population[k];
            if (pop > 0) {
                a.context_weighted_sum +=
                    pop * index_of(idx.within(context->point_position[k], radius), nullptr);
            }
        }
    }

    // Zones: population-weighted mean of their cells (plain mean when nobody lives there); a
    // zone without a cell takes the index of its reference point. One pass in cell order.
    std::vector<double> zone_weighted(nz, 0.0);
    std::vector<double> zone_pop(nz, 0.0);
    std::vector<double> zone_plain(nz, 0.0);
    std::vector<WeightedDistance> demand; // (index, population) of every demand point
    demand.reserve(ncells / 2 + nz);
    for (std::size_t c = 0; c < ncells; ++c) {
        if (grid.zone[c] < 0) {
            continue;
        }
        const auto z = static_cast<std::size_t>(grid.zone[c]);
        const double pop = grid.population[c];
        zone_weighted[z] += pop * cell_value[c];
        zone_pop[z] += pop;
        zone_plain[z] += cell_value[c];
        if (pop > 0) {
            demand.push_back({cell_value[c], pop});
        }
    }
    cell_value = {};
    a.zone_index.assign(nz, 0.0);
    a.zone_sites_in_reach.assign(nz, 0);
    for (std::size_t i = 0; i < nz; ++i) {
        const auto& zr = base.zones[i];
        if (zr.cells == 0) {
            const double v = index_of(point_hits[i], nullptr);
            const double pop = base.zone_population[i];
            zone_weighted[i] = pop * v;
            zone_pop[i] = pop;
            a.zone_index[i] = v;
            if (pop > 0) {
                demand.push_back({v, pop});
            }
        } else {
            a.zone_index[i] =
                zone_pop[i] > 0 ? zone_weighted[i] / zone_pop[i] : zone_plain[i] / zr.cells;
        }
        index_of(idx.within(zr.reference, radius), &a.zone_sites_in_reach[i]);
    }
    for (std::size_t i = 0; i < nz; ++i) {
        a.weighted_sum += zone_weighted[i];
        a.population_total += zone_pop[i];
    }
    a.mean_index = a.population_total > 0 ? a.weighted_sum / a.population_total : 0.0;
    a.threshold = params.below * a.mean_index;

    // Distribution of the index over the population.
    std::sort(demand.begin(), demand.end(),
              [](const WeightedDistance& x, const WeightedDistance& y) {
                  return x.distance_m < y.distance_m ||
                         (x.distance_m == y.distance_m && x.population < y.population);
              });
    double total = 0.0;
    for (const auto& d : demand) {
        total += d.population;
        a.max_index = std::max(a.max_index, d.distance_m);
        if (d.distance_m == 0.0) {
            a.population_no_site += d.population;
        }
        if (d.distance_m < a.threshold) {
            a.population_below_cells += d.population;
        }
    }
    a.p10 = weighted_quantile(demand, total, 0.10);
    a.p50 = weighted_quantile(demand, total, 0.50);
    a.p90 = weighted_quantile(demand, total, 0.90);

    // Flags and groups.
    a.zone_below.assign(nz, false);
    std::map<std::string, AccessGroup> groups;
    for (std::size_t i = 0; i < nz; ++i) {
        const bool below = a.zone_index[i] < a.threshold;
        a.zone_below[i] = below;
        auto& g = groups[zones[i].group];
        g.group = zones[i].group;
        g.population += base.zone_population[i];
        g.weighted_sum += zone_weighted[i];
        ++g.zones;
        if (below) {
            ++a.zones_below;
            a.population_below += base.zone_population[i];
            ++g.zones_below;
            g.population_below += base.zone_population[i];
        }
    }
    for (auto& [name, g] : groups) {
        a.groups.push_back(std::move(g));
    }
    lap("access");
    report("access", 1.0);
    return a;
}

} // namespace maillage::analysis
