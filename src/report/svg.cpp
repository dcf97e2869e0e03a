#include "svg.hpp"

#include "sections.hpp"

#include "maillage/model/networks.hpp"
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
        svg << "<path data-id=\"" << esc(z.id) << "\" fill=\""
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

/// A marker of a network's symbol (model::network_symbol's shape) centred on (x, y).
void symbol_marker(std::ostringstream& svg, const model::NetworkSymbol& sym, double x, double y,
                   double r, const std::string& extra) {
    const std::string shape = sym.shape;
    if (shape == "circle") {
        svg << "<circle cx=\"" << plain(x, 1) << "\" cy=\"" << plain(y, 1) << "\" r=\""
            << plain(r, 1) << "\" fill=\"" << sym.colour << '"' << extra << '>';
        return;
    }
    svg << "<path d=\"";
    if (shape == "square") {
        svg << 'M' << plain(x - r, 1) << ' ' << plain(y - r, 1) << 'h' << plain(2 * r, 1) << 'v'
            << plain(2 * r, 1) << 'h' << plain(-2 * r, 1) << 'z';
    } else if (shape == "triangle") {
        svg << 'M' << plain(x, 1) << ' ' << plain(y - 1.2 * r, 1) << 'l' << plain(1.2 * r, 1) << ' '
            << plain(2 * r, 1) << 'h' << plain(-2.4 * r, 1) << 'z';
    } else {
        svg << 'M' << plain(x, 1) << ' ' << plain(y - 1.3 * r, 1) << 'l' << plain(1.3 * r, 1) << ' '
            << plain(1.3 * r, 1) << 'l' << plain(-1.3 * r, 1) << ' ' << plain(1.3 * r, 1) << 'l'
            << plain(-1.3 * r, 1) << ' ' << plain(-1.3 * r, 1) << 'z';
    }
    svg << "\" fill=\"" << sym.colour << '"' << extra << '>';
}

/// The closing tag of symbol_marker's element.
const char* symbol_end(const model::NetworkSymbol& sym) {
    return std::string(sym.shape) == "circle" ? "</circle>\n" : "</path>\n";
}

/// The networks of the sites, the largest first (then by code): the order of their symbols.
std::vector<std::string> networks_by_size(const Run& run) {
    std::map<std::string, std::size_t> count;
    for (const auto& s : run.sites) {
        ++count[s.type];
    }
    std::vector<std::pair<std::size_t, std::string>> order;
    order.reserve(count.size());
    for (const auto& [type, n] : count) {
        order.emplace_back(n, type);
    }
    std::stable_sort(order.begin(), order.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    std::vector<std::string> types;
    types.reserve(order.size());
    for (const auto& o : order) {
        types.push_back(o.second);
    }
    return types;
}

/// A position of the map, in pixels.
struct Pixel {
    double x, y;
};

Pixel to_pixel(const geo::EqualAreaProjection& proj, const Frame& f, geo::LonLat p) {
    const auto xy = proj.forward(p);
    return {(xy.x - f.min_x) * f.scale, (f.max_y - xy.y) * f.scale};
}

/// The sites, by network (model::network_symbol, the largest network first); the border sites
/// as paler diamonds. Returns whether a border site was drawn.
bool draw_sites(std::ostringstream& svg, const Run& run, const geo::EqualAreaProjection& proj,
                const Frame& f, const std::vector<std::string>& types, const Texts& t) {
    svg << "<g id=\"sites\" stroke=\"#222222\" stroke-width=\"0.5\">\n";
    bool any_border = false;
    for (const auto& s : run.sites) {
        const auto [x, y] = to_pixel(proj, f, s.position);
        if (x < -5 || y < -5 || x > f.width + 5 || y > f.height + 5) {
            continue; // a border site beyond the frame
        }
        const auto k =
            static_cast<std::size_t>(std::find(types.begin(), types.end(), s.type) - types.begin());
        const auto sym = model::network_symbol(k);
        if (s.border) {
            // Across the edge of the study area: a diamond, paler.
            any_border = true;
            svg << "<path class=\"border-site\" d=\"M" << plain(x, 1) << ' ' << plain(y - 3.4, 1)
                << "l3.4 3.4l-3.4 3.4l-3.4 -3.4z\" fill=\"" << sym.colour
                << "\" fill-opacity=\"0.55\"><title>" << esc(s.name) << " (" << esc(t.border_site)
                << ")</title></path>\n";
            continue;
        }
        symbol_marker(svg, sym, x, y, 2.6, "");
        svg << "<title>" << esc(s.name) << "</title>" << symbol_end(sym);
    }
    svg << "</g>\n";
    return any_border;
}

/// A five-pointed star of outer radius r centred on (x, y), as path data.
std::string star(double x, double y, double r) {
    std::ostringstream d;
    for (int i = 0; i < 10; ++i) {
        const double a = M_PI * (-0.5 + 0.2 * i);
        const double radius = i % 2 == 0 ? r : 0.45 * r;
        d << (i == 0 ? 'M' : 'L') << plain(x + radius * std::cos(a), 1) << ' '
          << plain(y + radius * std::sin(a), 1);
    }
    d << 'Z';
    return d.str();
}

/// The suggested sites: a black star each, its rank beside it.
void draw_suggested(std::ostringstream& svg, const std::vector<Marker>& picks,
                    const geo::EqualAreaProjection& proj, const Frame& f) {
    if (picks.empty()) {
        return;
    }
    svg << "<g id=\"suggested\">\n";
    for (const auto& m : picks) {
        const auto [x, y] = to_pixel(proj, f, m.position);
        svg << "<g class=\"suggested\" data-rank=\"" << m.rank << "\" data-x=\"" << plain(x, 1)
            << "\" data-y=\"" << plain(y, 1) << "\"><path d=\"" << star(x, y, 8)
            << "\" fill=\"#000000\" stroke=\"#ffffff\" stroke-width=\"1\"/><text x=\""
            << plain(x + 8, 1) << "\" y=\"" << plain(y - 5, 1)
            << "\" font-weight=\"bold\" font-size=\"13\" stroke=\"#ffffff\" stroke-width=\"3\" "
               "paint-order=\"stroke\">"
            << m.rank << "</text><title>" << m.rank << ". " << esc(m.name) << "</title></g>\n";
    }
    svg << "</g>\n";
}

/// A scenario's changes: closed sites as a red cross, opened sites as a blue ringed star.
void draw_changed_sites(std::ostringstream& svg, const MapExtras& extras,
                        const geo::EqualAreaProjection& proj, const Frame& f) {
    if (extras.closed.empty() && extras.opened.empty()) {
        return;
    }
    svg << "<g id=\"changed-sites\">\n";
    for (const auto& m : extras.closed) {
        const auto [x, y] = to_pixel(proj, f, m.position);
        svg << "<g class=\"closed-site\" data-x=\"" << plain(x, 1) << "\" data-y=\"" << plain(y, 1)
            << "\"><path d=\"M" << plain(x - 6, 1) << ' ' << plain(y - 6, 1)
            << "l12 12m0 -12l-12 12\" stroke=\"#ffffff\" stroke-width=\"5\"/><path d=\"M"
            << plain(x - 6, 1) << ' ' << plain(y - 6, 1)
            << "l12 12m0 -12l-12 12\" stroke=\"#b2182b\" stroke-width=\"2.6\"/><title>"
            << esc(m.name) << "</title></g>\n";
    }
    for (const auto& m : extras.opened) {
        const auto [x, y] = to_pixel(proj, f, m.position);
        svg << "<g class=\"opened-site\" data-x=\"" << plain(x, 1) << "\" data-y=\"" << plain(y, 1)
            << "\"><path d=\"" << star(x, y, 8)
            << "\" fill=\"#2166ac\" stroke=\"#ffffff\" stroke-width=\"1\"/><title>" << esc(m.name)
            << "</title></g>\n";
    }
    svg << "</g>\n";
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
    bool underserved = true;
    double threshold_km = 0.0;
    bool suggested = false;
    bool closed = false;
    bool opened = false;
};

/// The legend of the extra markers (suggested, closed, opened sites), in a column at `x`.
void draw_extra_legend(std::ostringstream& svg, const Legend& l, double x, bool fr) {
    double y = 10.0;
    if (l.suggested || l.closed || l.opened) {
        svg << "<text x=\"" << x << "\" y=\"0\" font-weight=\"bold\">"
            << (fr ? "Scénario" : "Scenario") << "</text>\n";
    }
    if (l.suggested) {
        svg << "<g id=\"legend-suggested\"><path d=\"" << star(x + 8, y + 6, 7)
            << "\" fill=\"#000000\"/><text x=\"" << x + 18 << "\" y=\"" << y + 10 << "\">"
            << (fr ? "lieu suggéré (n° = rang du tableau)" : "suggested site (no. = rank in table)")
            << "</text></g>\n";
        y += 18;
    }
    if (l.closed) {
        svg << "<g id=\"legend-closed\"><path d=\"M" << x + 3 << ' ' << y + 1
            << "l10 10m0 -10l-10 10\" stroke=\"#b2182b\" stroke-width=\"2.6\"/><text x=\"" << x + 18
            << "\" y=\"" << y + 10 << "\">" << (fr ? "lieu fermé" : "site closed")
            << "</text></g>\n";
        y += 18;
    }
    if (l.opened) {
        svg << "<g id=\"legend-opened\"><path d=\"" << star(x + 8, y + 6, 7)
            << "\" fill=\"#2166ac\"/><text x=\"" << x + 18 << "\" y=\"" << y + 10 << "\">"
            << (fr ? "lieu ouvert" : "site opened") << "</text></g>\n";
    }
}

/// The legend's layout: the distance classes, then the underserved areas and the border
/// sites, then the scenario, side by side; below them the networks in two columns.
constexpr double legend_networks_y = 140.0;
constexpr double legend_row = 18.0;
constexpr double legend_column = 440.0;

/// The height the legend takes below the map, for `networks` networks.
double legend_height(std::size_t networks) {
    const std::size_t rows = (networks + 1) / 2; // two columns
    return 20.0 + legend_networks_y + 10.0 + legend_row * static_cast<double>(rows) + 15.0;
}

void draw_legend(std::ostringstream& svg, const Frame& f, const Legend& l, const Texts& t,
                 bool fr) {
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
    if (l.underserved) {
        svg << "<rect x=\"200\" y=\"10\" width=\"16\" height=\"12\" fill=\"url(#hatch)\" "
               "stroke=\"#67001f\"/><text x=\"222\" y=\"20\">"
            << esc(t.legend_underserved) << ' ' << fmt(l.threshold_km, 0, fr) << " km</text>\n";
    }
    if (l.any_border) {
        const double y = l.underserved ? 28.0 : 10.0; // under the hatching, or in its place
        svg << "<path d=\"M208 " << plain(y + 1.5, 1)
            << "l4.5 4.5l-4.5 4.5l-4.5 -4.5z\" fill=\"#888888\" fill-opacity=\"0.55\" "
               "stroke=\"#222222\" stroke-width=\"0.5\"/><text x=\"222\" y=\""
            << y + 10 << "\">" << esc(t.legend_border) << "</text>\n";
    }
    draw_extra_legend(svg, l, 520, fr);
    svg << "<text x=\"0\" y=\"" << legend_networks_y << "\" font-weight=\"bold\">"
        << esc(t.legend_sites) << "</text>\n";
    const std::string lang = fr ? "fr" : "en";
    const std::size_t rows = (l.types.size() + 1) / 2;
    for (std::size_t i = 0; i < l.types.size(); ++i) {
        const std::size_t column = i / rows;
        const double x = legend_column * static_cast<double>(column);
        const double y = legend_networks_y + 10 + legend_row * static_cast<double>(i % rows);
        const auto sym = model::network_symbol(i);
        symbol_marker(svg, sym, x + 8, y + 6, 4, " stroke=\"#222222\" stroke-width=\"0.5\"");
        svg << symbol_end(sym) << "<text x=\"" << x + 18 << "\" y=\"" << y + 10 << "\">"
            << esc(model::network_label(l.types[i], "", lang)) << "</text>\n";
    }
    svg << "</g>\n";
}

/// The suggested sites of a `suggest` run (summary.json's suggest.picks), in their order.
std::vector<Marker> suggested_of(const json& summary) {
    namespace sk = model::schema::summary::in_suggest;
    std::vector<Marker> out;
    if (!summary.contains(model::schema::summary::suggest)) {
        return out;
    }
    for (const auto& p : summary.at(model::schema::summary::suggest).at(sk::picks)) {
        const auto name = p.at(sk::name).get<std::string>();
        out.push_back({{p.at("lon").get<double>(), p.at("lat").get<double>()},
                       name.empty() ? p.at(sk::candidate_id).get<std::string>() : name,
                       p.at(sk::rank).get<int>()});
    }
    return out;
}

} // namespace

std::string map_svg(const geo::GeosContext& ctx, Run& run, const geo::EqualAreaProjection& proj,
                    double threshold_km, const Texts& t, bool fr) {
    MapExtras extras;
    extras.suggested = suggested_of(run.summary);
    return map_svg(ctx, run, proj, threshold_km, t, fr, extras);
}

std::string map_svg(const geo::GeosContext& ctx, Run& run, const geo::EqualAreaProjection& proj,
                    double threshold_km, const Texts& t, bool fr, const MapExtras& extras) {
    const bool with_border =
        std::any_of(run.sites.begin(), run.sites.end(), [](const Site& s) { return s.border; });
    const Frame f = map_frame(ctx, run, proj, with_border);
    Legend legend;
    legend.breaks = output::distance_breaks(threshold_km);
    legend.threshold_km = threshold_km;
    legend.underserved = extras.underserved;
    legend.suggested = !extras.suggested.empty();
    legend.closed = !extras.closed.empty();
    legend.opened = !extras.opened.empty();
    legend.types = networks_by_size(run);
    std::ostringstream svg;
    const double legend_h = legend_height(legend.types.size());
    svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " << f.width << ' '
        << std::ceil(f.height + legend_h) << "\" width=\"" << f.width << "\" height=\""
        << std::ceil(f.height + legend_h) << "\" font-family=\"sans-serif\" font-size=\"12\">\n"
        << "<defs><pattern id=\"hatch\" patternUnits=\"userSpaceOnUse\" width=\"6\" height=\"6\" "
           "patternTransform=\"rotate(45)\"><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" "
           "stroke=\"#67001f\" stroke-width=\"1.6\"/></pattern></defs>\n"
        << "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n";
    draw_zones(svg, ctx, run, f, legend.breaks, fr);
    draw_groups(svg, ctx, run, f);
    if (extras.underserved) {
        draw_parts(svg, ctx, run, proj, f);
    }
    legend.any_border = draw_sites(svg, run, proj, f, legend.types, t);
    draw_changed_sites(svg, extras, proj, f);
    draw_suggested(svg, extras.suggested, proj, f);
    draw_north_and_scale(svg, f, fr);
    draw_legend(svg, f, legend, t, fr);
    svg << "</svg>\n";
    return svg.str();
}

geo::EqualAreaProjection maps_projection(const geo::GeosContext& ctx, const Run& run) {
    std::vector<geo::LonLat> corners;
    for (const auto& z : run.zones) {
        double a = 0.0;
        double b = 0.0;
        double c = 0.0;
        double d = 0.0;
        GEOSGeom_getExtent_r(ctx.get(), z.lonlat.get(), &a, &b, &c, &d);
        corners.push_back({a, b});
        corners.push_back({c, d});
    }
    return geo::EqualAreaProjection::centred_on(corners);
}

namespace {

/// The outline of a group: the union of its projected zones (null when it has none).
geo::GeomPtr group_outline(const geo::GeosContext& ctx, const Run& run, const std::string& group) {
    std::vector<geo::GeomPtr> parts;
    for (const auto& z : run.zones) {
        if (z.group == group && z.xy) {
            parts.push_back(geo::clone(ctx, z.xy.get()));
        }
    }
    if (parts.empty()) {
        return nullptr;
    }
    auto coll = geo::collect(ctx, GEOS_GEOMETRYCOLLECTION, std::move(parts), "collection");
    return geo::own(ctx, GEOSUnaryUnion_r(ctx.get(), coll.get()), "union");
}

/// The part of an underserved area inside a group's outline: a GEOS intersection, so that no
/// hatching floats outside the group (the areas cross the groups' borders); null when they do
/// not meet.
geo::GeomPtr clipped(const geo::GeosContext& ctx, const GEOSGeometry* part,
                     const GEOSPreparedGeometry* outline_prepared, const GEOSGeometry* outline) {
    auto* const h = ctx.get();
    if (GEOSPreparedIntersects_r(h, outline_prepared, part) != 1) {
        return nullptr;
    }
    GEOSGeometry* raw = GEOSIntersection_r(h, part, outline);
    if (raw == nullptr) {
        // An invalid ring (rare after the projection): made valid, then clipped.
        auto valid = geo::own(ctx, GEOSMakeValid_r(h, part), "make valid");
        raw = GEOSIntersection_r(h, valid.get(), outline);
    }
    auto out = geo::own(ctx, raw, "intersection");
    if (GEOSisEmpty_r(h, out.get()) == 1) {
        return nullptr;
    }
    return out;
}

} // namespace

/// A small map of one group's zones (after map_svg has projected them), outlined, with the
/// underserved areas clipped to the group.
std::string small_map_svg(const geo::GeosContext& ctx, const Run& run, const std::string& group,
                          double threshold_km) {
    auto* const h = ctx.get();
    const auto outline = group_outline(ctx, run, group);
    if (!outline) {
        return {};
    }
    Extent e;
    e.add(ctx, outline.get());
    Frame f;
    f.width = 280.0;
    f.scale = f.width / std::max(1.0, std::max(e.x1 - e.x0, e.y1 - e.y0));
    f.height = (e.y1 - e.y0) * f.scale;
    f.min_x = e.x0;
    f.max_y = e.y1;
    const double tolerance = 0.6 / f.scale;
    const auto breaks = distance_breaks(threshold_km);
    std::ostringstream svg;
    svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"small\" viewBox=\"0 0 "
        << plain(f.width, 0) << ' ' << plain(std::ceil(f.height), 0) << "\" width=\""
        << plain(f.width, 0) << "\" height=\"" << plain(std::ceil(f.height), 0)
        << "\" data-group=\"" << esc(group) << "\"><title>" << esc(group)
        << "</title>\n<defs><pattern id=\"hatch-" << esc(group)
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
    svg << "</g>\n<g class=\"underserved\" fill=\"url(#hatch-" << esc(group)
        << ")\" stroke=\"#67001f\" stroke-width=\"0.5\">\n";
    geo::PreparedPtr prepared(GEOSPrepare_r(h, outline.get()), geo::PreparedDeleter{h});
    for (const auto& p : run.parts) {
        if (!p.xy) {
            continue;
        }
        const auto inside = clipped(ctx, p.xy.get(), prepared.get(), outline.get());
        if (!inside) {
            continue;
        }
        auto s = simplify(ctx, inside.get(), tolerance);
        const auto d = path_of(ctx, s.get(), f);
        if (!d.empty()) {
            svg << "<path d=\"" << d << "\"/>\n";
        }
    }
    svg << "</g>\n<path class=\"outline\" fill=\"none\" stroke=\"#333333\" stroke-width=\"0.8\" "
           "d=\""
        << path_of(ctx, simplify(ctx, outline.get(), tolerance).get(), f) << "\"/>\n</svg>\n";
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
