#include "svg.hpp"

#include "sections.hpp"

#include "maillage/model/schema.hpp"
#include "maillage/output/styles.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <set>
#include <sstream>

namespace maillage::report {

namespace {

using nlohmann::json;
using output::distance_breaks;

const std::array<const char*, 6>& class_colours() { return output::distance_class_colours(); }

/// A lon/lat geometry in the equal-area projection.
geo::GeomPtr project(const geo::GeosContext& ctx, const GEOSGeometry* g,
                     const geo::EqualAreaProjection& proj) {
    return geo::transform_xy(ctx, g, [&](double x, double y) {
        const auto p = proj.forward(geo::LonLat{x, y});
        return std::pair{p.x, p.y};
    });
}

/// Bounding box grown geometry by geometry.
struct Extent {
    double x0 = std::numeric_limits<double>::infinity();
    double y0 = std::numeric_limits<double>::infinity();
    double x1 = -std::numeric_limits<double>::infinity();
    double y1 = -std::numeric_limits<double>::infinity();
    void add(const geo::GeosContext& ctx, const GEOSGeometry* g) {
        double a = 0.0;
        double b = 0.0;
        double c = 0.0;
        double d = 0.0;
        if (GEOSGeom_getExtent_r(ctx.get(), g, &a, &b, &c, &d) == 1) {
            x0 = std::min(x0, a);
            y0 = std::min(y0, b);
            x1 = std::max(x1, c);
            y1 = std::max(y1, d);
        }
    }
};

struct Frame {
    double min_x = 0.0;
    double max_y = 0.0;
    double scale = 1.0; ///< pixels per metre
    double width = 0.0;
    double height = 0.0;
};

void append_path(std::ostringstream& d, const geo::GeosContext& ctx, const GEOSGeometry* g,
                 const Frame& f) {
    auto* const h = ctx.get();
    const int type = GEOSGeomTypeId_r(h, g);
    if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION) {
        for (int i = 0; i < GEOSGetNumGeometries_r(h, g); ++i) {
            append_path(d, ctx, GEOSGetGeometryN_r(h, g, i), f);
        }
        return;
    }
    if (type != GEOS_POLYGON) {
        return;
    }
    auto ring = [&](const GEOSGeometry* r) {
        const GEOSCoordSequence* seq = GEOSGeom_getCoordSeq_r(h, r);
        unsigned int n = 0;
        GEOSCoordSeq_getSize_r(h, seq, &n);
        for (unsigned int i = 0; i + 1 < n; ++i) {
            double x = 0.0;
            double y = 0.0;
            GEOSCoordSeq_getXY_r(h, seq, i, &x, &y);
            std::array<char, 48> buf{};
            std::snprintf(buf.data(), buf.size(), "%s%.1f %.1f", i == 0 ? "M" : "L",
                          (x - f.min_x) * f.scale, (f.max_y - y) * f.scale);
            d << buf.data();
        }
        d << 'Z';
    };
    ring(GEOSGetExteriorRing_r(h, g));
    for (int i = 0; i < GEOSGetNumInteriorRings_r(h, g); ++i) {
        ring(GEOSGetInteriorRingN_r(h, g, i));
    }
}

std::string path_of(const geo::GeosContext& ctx, const GEOSGeometry* g, const Frame& f) {
    std::ostringstream d;
    append_path(d, ctx, g, f);
    return d.str();
}

int class_of(double km, const std::vector<double>& breaks) {
    int c = 0;
    for (std::size_t i = 1; i < breaks.size(); ++i) {
        if (km >= breaks[i]) {
            c = static_cast<int>(i);
        }
    }
    return c;
}

} // namespace

namespace {

using Simplified = geo::GeomPtr;

/// A geometry simplified for the screen (topology of each polygon preserved).
Simplified simplify(const geo::GeosContext& ctx, const GEOSGeometry* g, double tolerance) {
    return geo::own(ctx, GEOSTopologyPreserveSimplify_r(ctx.get(), g, tolerance), "simplify");
}

/// Projects the zones (Zone::xy) and frames them, 900 px wide; with a margin when there are
/// border sites, so that the nearest of them show.
Frame map_frame(const geo::GeosContext& ctx, Run& run, const geo::EqualAreaProjection& proj,
                bool with_border) {
    Extent e;
    for (auto& z : run.zones) {
        z.xy = project(ctx, z.lonlat.get(), proj);
        e.add(ctx, z.xy.get());
    }
    if (with_border) {
        const double margin = 0.03 * std::max(e.x1 - e.x0, e.y1 - e.y0);
        e.x0 -= margin;
        e.x1 += margin;
        e.y0 -= margin;
        e.y1 += margin;
    }
    Frame f;
    f.width = 900.0;
    f.scale = f.width / std::max(1.0, e.x1 - e.x0);
    f.height = (e.y1 - e.y0) * f.scale;
    f.min_x = e.x0;
    f.max_y = e.y1;
    return f;
}

void draw_zones(std::ostringstream& svg, const geo::GeosContext& ctx, const Run& run,
                const Frame& f, const std::vector<double>& breaks, bool fr) {
    const double tolerance = 0.6 / f.scale; // about half a pixel
    svg << "<g id=\"zones\" stroke=\"#ffffff\" stroke-width=\"0.15\">\n";
    for (const auto& z : run.zones) {
        const auto s = simplify(ctx, z.xy.get(), tolerance);
        svg << "<path fill=\""
            << class_colours()[static_cast<std::size_t>(class_of(z.mean_km, breaks))] << "\" d=\""
            << path_of(ctx, s.get(), f) << "\"><title>" << esc(z.name) << " — "
            << fmt(z.mean_km, 1, fr) << " km</title></path>\n";
    }
    svg << "</g>\n";
}

/// Groups (departments) outlined: union of their zones.
void draw_groups(std::ostringstream& svg, const geo::GeosContext& ctx, const Run& run,
                 const Frame& f) {
    const double tolerance = 0.6 / f.scale;
    std::map<std::string, std::vector<geo::GeomPtr>> groups;
    for (const auto& z : run.zones) {
        if (!z.group.empty()) {
            groups[z.group].push_back(geo::clone(ctx, z.xy.get()));
        }
    }
    svg << "<g id=\"groups\" fill=\"none\" stroke=\"#333333\" stroke-width=\"0.9\">\n";
    for (auto& [name, parts] : groups) {
        auto coll = geo::collect(ctx, GEOS_MULTIPOLYGON, std::move(parts), "collection");
        auto outline = geo::own(ctx, GEOSUnaryUnion_r(ctx.get(), coll.get()), "union");
        svg << "<path d=\"" << path_of(ctx, simplify(ctx, outline.get(), tolerance).get(), f)
            << "\"><title>" << esc(name) << "</title></path>\n";
    }
    svg << "</g>\n";
}

/// The underserved areas, hatched; projects them (Part::xy).
void draw_parts(std::ostringstream& svg, const geo::GeosContext& ctx, Run& run,
                const geo::EqualAreaProjection& proj, const Frame& f) {
    const double tolerance = 0.6 / f.scale;
    svg << "<g id=\"underserved\" fill=\"url(#hatch)\" stroke=\"#67001f\" "
           "stroke-width=\"0.6\">\n";
    for (auto& p : run.parts) {
        p.xy = project(ctx, p.lonlat.get(), proj);
        svg << "<path d=\"" << path_of(ctx, simplify(ctx, p.xy.get(), tolerance).get(), f)
            << "\"/>\n";
    }
    svg << "</g>\n";
}

/// The sites, coloured by type: circles, and diamonds for the border sites. Returns whether a
/// border site was drawn.
bool draw_sites(std::ostringstream& svg, const Run& run, const geo::EqualAreaProjection& proj,
                const Frame& f, const std::vector<std::string>& types, const Texts& t) {
    const auto& site_colours = output::network_colours();
    svg << "<g id=\"sites\" stroke=\"#222222\" stroke-width=\"0.5\">\n";
    bool any_border = false;
    for (const auto& s : run.sites) {
        const auto p = proj.forward(s.position);
        const double x = (p.x - f.min_x) * f.scale;
        const double y = (f.max_y - p.y) * f.scale;
        if (x < -5 || y < -5 || x > f.width + 5 || y > f.height + 5) {
            continue; // a border site beyond the frame
        }
        const auto k =
            static_cast<std::size_t>(std::find(types.begin(), types.end(), s.type) - types.begin());
        const auto& colour = site_colours[k % site_colours.size()];
        if (s.border) {
            // Across the edge of the study area: a diamond, paler.
            any_border = true;
            svg << "<path class=\"border-site\" d=\"M" << plain(x, 1) << ' ' << plain(y - 3.4, 1)
                << "l3.4 3.4l-3.4 3.4l-3.4 -3.4z\" fill=\"" << colour
                << "\" fill-opacity=\"0.55\"><title>" << esc(s.name) << " (" << esc(t.border_site)
                << ")</title></path>\n";
            continue;
        }
        svg << "<circle cx=\"" << plain(x, 1) << "\" cy=\"" << plain(y, 1) << "\" r=\"2.6\" fill=\""
            << colour << "\"><title>" << esc(s.name) << "</title></circle>\n";
    }
    svg << "</g>\n";
    return any_border;
}

/// North arrow (the projection is centred on the data: north is up at the centre) and a scale
/// bar of a round length of about 120 px.
void draw_north_and_scale(std::ostringstream& svg, const Frame& f, bool fr) {
    svg << "<g id=\"north\" transform=\"translate(" << f.width - 40
        << ",40)\"><path d=\"M0 -22L9 8L0 "
           "2L-9 8Z\" fill=\"#222222\"/><text y=\"24\" text-anchor=\"middle\" "
           "font-weight=\"bold\">N</text></g>\n";
    const double target_m = 120.0 / f.scale;
    double bar_m = 1000.0;
    for (const double step : {1e3, 2e3, 5e3, 1e4, 2e4, 5e4, 1e5, 2e5, 5e5, 1e6}) {
        if (step <= target_m) {
            bar_m = step;
        }
    }
    const double bar_px = bar_m * f.scale;
    svg << "<g id=\"scale\" transform=\"translate(20," << f.height - 20 << ")\"><rect width=\""
        << plain(bar_px, 1) << "\" height=\"6\" fill=\"#222222\"/><text y=\"-4\">0</text><text x=\""
        << plain(bar_px, 1) << "\" y=\"-4\" text-anchor=\"middle\">" << fmt(bar_m / 1000, 0, fr)
        << " km</text></g>\n";
}

/// What the legend shows.
struct Legend {
    std::vector<double> breaks;
    std::vector<std::string> types;
    bool any_border = false;
    double threshold_km = 0.0;
};

void draw_legend(std::ostringstream& svg, const Frame& f, const Legend& l, const Texts& t,
                 bool fr) {
    const auto& site_colours = output::network_colours();
    const auto& breaks = l.breaks;
    svg << "<g id=\"legend\" transform=\"translate(20," << f.height + 20
        << ")\">\n<text "
           "font-weight=\"bold\">"
        << esc(t.legend_mean) << "</text>\n";
    for (std::size_t i = 0; i < breaks.size(); ++i) {
        const std::string label =
            i + 1 < breaks.size()
                ? fmt(breaks[i], 1, fr) + " – " + fmt(breaks[i + 1], 1, fr) + " km"
                : std::string(t.more_than) + " " + fmt(breaks[i], 0, fr) + " km";
        svg << "<rect x=\"0\" y=\"" << 10 + 18 * i << "\" width=\"16\" height=\"12\" fill=\""
            << class_colours()[i] << "\"/><text x=\"22\" y=\"" << 20 + 18 * i << "\">" << esc(label)
            << "</text>\n";
    }
    svg << "<rect x=\"200\" y=\"10\" width=\"16\" height=\"12\" fill=\"url(#hatch)\" "
           "stroke=\"#67001f\"/><text x=\"222\" y=\"20\">"
        << esc(t.legend_underserved) << ' ' << fmt(l.threshold_km, 0, fr) << " km</text>\n"
        << "<text x=\"200\" y=\"46\" font-weight=\"bold\">" << esc(t.legend_sites) << "</text>\n";
    for (std::size_t i = 0; i < l.types.size(); ++i) {
        const std::size_t column = i / 5; // five types a column
        const double x = 200 + 160.0 * static_cast<double>(column);
        const double y = 56 + 18.0 * static_cast<double>(i % 5);
        svg << "<circle cx=\"" << x + 8 << "\" cy=\"" << y + 6 << "\" r=\"4\" fill=\""
            << site_colours[i % site_colours.size()]
            << "\" stroke=\"#222222\" stroke-width=\"0.5\"/>"
            << "<text x=\"" << x + 18 << "\" y=\"" << y + 10 << "\">"
            << esc(l.types[i].empty() ? "—" : l.types[i]) << "</text>\n";
    }
    if (l.any_border) {
        const double y = 56 + 18.0 * 5;
        svg << "<path d=\"M208 " << plain(y + 1.5, 1)
            << "l4.5 4.5l-4.5 4.5l-4.5 -4.5z\" fill=\"#888888\" fill-opacity=\"0.55\" "
               "stroke=\"#222222\" stroke-width=\"0.5\"/><text x=\"218\" y=\""
            << y + 10 << "\">" << esc(t.legend_border) << "</text>\n";
    }
    svg << "</g>\n";
}

} // namespace

std::string map_svg(const geo::GeosContext& ctx, Run& run, const geo::EqualAreaProjection& proj,
                    double threshold_km, const Texts& t, bool fr) {
    const bool with_border =
        std::any_of(run.sites.begin(), run.sites.end(), [](const Site& s) { return s.border; });
    const Frame f = map_frame(ctx, run, proj, with_border);
    Legend legend;
    legend.breaks = output::distance_breaks(threshold_km);
    legend.threshold_km = threshold_km;
    std::ostringstream svg;
    const double legend_h = with_border ? 195.0 : 175.0;
    svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " << f.width << ' '
        << std::ceil(f.height + legend_h) << "\" width=\"" << f.width << "\" height=\""
        << std::ceil(f.height + legend_h) << "\" font-family=\"sans-serif\" font-size=\"12\">\n"
        << "<defs><pattern id=\"hatch\" patternUnits=\"userSpaceOnUse\" width=\"6\" height=\"6\" "
           "patternTransform=\"rotate(45)\"><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" "
           "stroke=\"#67001f\" stroke-width=\"1.6\"/></pattern></defs>\n"
        << "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n";
    draw_zones(svg, ctx, run, f, legend.breaks, fr);
    draw_groups(svg, ctx, run, f);
    draw_parts(svg, ctx, run, proj, f);
    std::set<std::string> type_set;
    for (const auto& s : run.sites) {
        type_set.insert(s.type);
    }
    legend.types.assign(type_set.begin(), type_set.end());
    legend.any_border = draw_sites(svg, run, proj, f, legend.types, t);
    draw_north_and_scale(svg, f, fr);
    draw_legend(svg, f, legend, t, fr);
    svg << "</svg>\n";
    return svg.str();
}

/// A small map of one group's zones (after map_svg has projected them), with the underserved
/// areas that fall in its frame.
std::string small_map_svg(const geo::GeosContext& ctx, const Run& run, const std::string& group,
                          double threshold_km) {
    auto* const h = ctx.get();
    Extent e;
    for (const auto& z : run.zones) {
        if (z.group == group && z.xy) {
            e.add(ctx, z.xy.get());
        }
    }
    const double x0 = e.x0;
    const double y0 = e.y0;
    const double x1 = e.x1;
    const double y1 = e.y1;
    if (!std::isfinite(x0)) {
        return {};
    }
    Frame f;
    f.width = 280.0;
    f.scale = f.width / std::max(1.0, std::max(x1 - x0, y1 - y0));
    f.height = (y1 - y0) * f.scale;
    f.min_x = x0;
    f.max_y = y1;
    const double tolerance = 0.6 / f.scale;
    const auto breaks = distance_breaks(threshold_km);
    std::ostringstream svg;
    svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"small\" viewBox=\"0 0 "
        << plain(f.width, 0) << ' ' << plain(std::ceil(f.height), 0) << "\" width=\""
        << plain(f.width, 0) << "\" height=\"" << plain(std::ceil(f.height), 0) << "\"><title>"
        << esc(group) << "</title>\n<defs><pattern id=\"hatch-" << esc(group)
        << "\" patternUnits=\"userSpaceOnUse\" width=\"5\" height=\"5\" "
           "patternTransform=\"rotate(45)\"><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"5\" "
           "stroke=\"#67001f\" stroke-width=\"1.2\"/></pattern></defs>\n<g stroke=\"#ffffff\" "
           "stroke-width=\"0.2\">\n";
    for (const auto& z : run.zones) {
        if (z.group != group || !z.xy) {
            continue;
        }
        auto s =
            geo::own(ctx, GEOSTopologyPreserveSimplify_r(h, z.xy.get(), tolerance), "simplify");
        svg << "<path fill=\""
            << class_colours()[static_cast<std::size_t>(class_of(z.mean_km, breaks))] << "\" d=\""
            << path_of(ctx, s.get(), f) << "\"/>\n";
    }
    svg << "</g>\n<g fill=\"url(#hatch-" << esc(group)
        << ")\" stroke=\"#67001f\" stroke-width=\"0.5\">\n";
    for (const auto& p : run.parts) {
        double a = 0.0;
        double b = 0.0;
        double c = 0.0;
        double d = 0.0;
        if (!p.xy || GEOSGeom_getExtent_r(h, p.xy.get(), &a, &b, &c, &d) == 0 || c < x0 || a > x1 ||
            d < y0 || b > y1) {
            continue;
        }
        auto s =
            geo::own(ctx, GEOSTopologyPreserveSimplify_r(h, p.xy.get(), tolerance), "simplify");
        svg << "<path d=\"" << path_of(ctx, s.get(), f) << "\"/>\n";
    }
    svg << "</g>\n</svg>\n";
    return svg.str();
}

std::string curve_svg(const json& summary, const json* previous, double threshold_km,
                      const Texts& t, bool fr) {
    const double w = 640.0;
    const double h = 360.0;
    const double left = 60.0;
    const double right = 20.0;
    const double top = 20.0;
    const double bottom = 50.0;
    const double pw = w - left - right;
    const double ph = h - top - bottom;
    auto x = [&](double km) { return left + pw * km / 50.0; };
    auto y = [&](double share) { return top + ph * (1.0 - share); };
    std::ostringstream svg;
    svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " << w << ' ' << h
        << "\" width=\"" << w << "\" height=\"" << h
        << "\" font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" "
           "fill=\"#ffffff\"/>\n<g stroke=\"#dddddd\">\n";
    for (int km = 0; km <= 50; km += 10) {
        svg << "<line x1=\"" << x(km) << "\" y1=\"" << y(0) << "\" x2=\"" << x(km) << "\" y2=\""
            << y(1) << "\"/>\n";
    }
    for (int pct = 0; pct <= 100; pct += 20) {
        svg << "<line x1=\"" << x(0) << "\" y1=\"" << y(pct / 100.0) << "\" x2=\"" << x(50)
            << "\" y2=\"" << y(pct / 100.0) << "\"/>\n";
    }
    svg << "</g>\n<g fill=\"#333333\">\n";
    for (int km = 0; km <= 50; km += 10) {
        svg << "<text x=\"" << x(km) << "\" y=\"" << y(0) + 18 << "\" text-anchor=\"middle\">" << km
            << "</text>\n";
    }
    for (int pct = 0; pct <= 100; pct += 20) {
        svg << "<text x=\"" << x(0) - 8 << "\" y=\"" << y(pct / 100.0) + 4
            << "\" text-anchor=\"end\">" << pct << " %</text>\n";
    }
    svg << "<text x=\"" << x(25) << "\" y=\"" << h - 8 << "\" text-anchor=\"middle\">"
        << esc(t.curve_x) << "</text>\n</g>\n";
    // A curve: 0 at 0 km, then the summary's points.
    auto points = [&](const json& sum) {
        std::ostringstream pts;
        pts << plain(x(0), 1) << ',' << plain(y(0), 1);
        namespace key = model::schema::summary;
        for (const auto& p : sum.at(key::coverage_curve)) {
            pts << ' ' << plain(x(p.at(key::curve::km).get<double>()), 1) << ','
                << plain(y(p.at(key::curve::share).get<double>()), 1);
        }
        return pts.str();
    };
    if (previous != nullptr) {
        svg << "<polyline id=\"previous\" fill=\"none\" stroke=\"#999999\" stroke-width=\"2\" "
               "stroke-dasharray=\"4 3\" points=\""
            << points(*previous) << "\"/>\n<text x=\"" << x(30) << "\" y=\"" << y(0.2)
            << "\" fill=\"#777777\">- - " << esc(t.previous_run) << "</text>\n<text x=\"" << x(30)
            << "\" y=\"" << y(0.2) + 16 << "\" fill=\"#2166ac\">— " << esc(t.this_run)
            << "</text>\n";
    }
    svg << "<polyline id=\"curve\" fill=\"none\" stroke=\"#2166ac\" stroke-width=\"2.5\" points=\""
        << points(summary) << "\"/>\n";
    if (threshold_km > 0 && threshold_km <= 50) {
        svg << "<line id=\"threshold\" x1=\"" << x(threshold_km) << "\" y1=\"" << y(0) << "\" x2=\""
            << x(threshold_km) << "\" y2=\"" << y(1)
            << "\" stroke=\"#b2182b\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"/>\n<text x=\""
            << x(threshold_km) + 4 << "\" y=\"" << y(0.05) << "\" fill=\"#b2182b\">"
            << esc(t.threshold) << ' ' << fmt(threshold_km, 0, fr) << " km</text>\n";
    }
    svg << "</svg>\n";
    return svg.str();
}

} // namespace maillage::report
