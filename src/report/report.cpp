#include "maillage/report/report.hpp"

#include "report_networks.hpp"
#include "report_whatif.hpp"

#include "maillage/core/error.hpp"
#include "maillage/geo/equal_area.hpp"
#include "maillage/geo/geos.hpp"
#include "maillage/io/gdal_util.hpp"
#include "maillage/io/output_dir.hpp"
#include "maillage/output/styles.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <tuple>

namespace maillage::report {

using output::distance_breaks;
using output::distance_class_colours;
using output::network_colours;
using output::xml_escape;
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// ---------------------------------------------------------------------------------------------
// Words of the report, in French and English.

struct Texts {
    const char* title;
    const char* subtitle;
    const char* key_figures;
    const char* population;
    const char* sites;
    const char* mean;
    const char* median;
    const char* p90;
    const char* beyond;
    const char* underserved_areas;
    const char* map_title;
    const char* legend_mean;
    const char* legend_underserved;
    const char* legend_sites;
    const char* curve_title;
    const char* curve_x;
    const char* curve_y;
    const char* threshold;
    const char* by_group;
    const char* group;
    const char* sites_per_100k;
    const char* share_beyond;
    const char* top_areas;
    const char* area;
    const char* communes;
    const char* inhabitants;
    const char* source;
    const char* sort_hint;
    const char* more_than;
    const char* changes;
    const char* previous_run;
    const char* this_run;
    const char* opened;
    const char* closed;
    const char* moved;
    const char* rose;
    const char* fell;
    const char* commune;
    const char* before;
    const char* after;
    const char* border_site;   ///< a site's tooltip: outside the study area
    const char* legend_border; ///< legend of the border sites' marker
    const char* sites_in_area;
    const char* border_sites;
    const char* limits;
};

const Texts french{
    "Maillage du territoire",
    "Distance de la population au lieu d'accueil le plus proche",
    "Chiffres clés",
    "Population",
    "Lieux d'accueil",
    "Distance moyenne (pondérée par la population)",
    "Distance médiane",
    "90 % de la population à moins de",
    "Population au-delà du seuil",
    "Zones mal desservies",
    "Distance moyenne au lieu d'accueil le plus proche, par commune",
    "distance moyenne",
    "zone à plus de",
    "lieux d'accueil par réseau",
    "Part de la population à moins de d km",
    "distance d (km)",
    "part de la population",
    "seuil",
    "Par département",
    "Groupe",
    "Lieux pour 100 000 hab.",
    "Part au-delà du seuil",
    "Les dix zones mal desservies les plus peuplées",
    "Superficie",
    "Communes concernées",
    "habitants",
    "Calculé par maillage à partir de",
    "cliquer sur un en-tête pour trier",
    "plus de",
    "Ce qui a changé depuis l'analyse précédente",
    "analyse précédente",
    "cette analyse",
    "Lieux ouverts",
    "Lieux fermés",
    "Lieux déplacés (plus de 100 m)",
    "Population des communes dont la distance moyenne a augmenté de plus de 1 km",
    "Population des communes dont la distance moyenne a baissé de plus de 1 km",
    "Commune",
    "avant",
    "après",
    "au-delà des limites de la zone d'étude",
    "lieu au-delà des limites (frontalier)",
    "Lieux d'accueil dans la zone d'étude",
    "Lieux au-delà des limites, pris en compte",
    "Limites de l'analyse",
};

const Texts english{
    "Territorial coverage",
    "Distance from the population to the nearest reception site",
    "Key figures",
    "Population",
    "Sites",
    "Mean distance (population-weighted)",
    "Median distance",
    "90 % of the population within",
    "Population beyond the threshold",
    "Underserved areas",
    "Mean distance to the nearest site, by commune",
    "mean distance",
    "area farther than",
    "sites by network",
    "Share of the population within d km",
    "distance d (km)",
    "share of the population",
    "threshold",
    "By department",
    "Group",
    "Sites per 100,000 inh.",
    "Share beyond the threshold",
    "The ten most populated underserved areas",
    "Area",
    "Communes concerned",
    "inhabitants",
    "Computed by maillage from",
    "click a header to sort",
    "more than",
    "What changed since the previous analysis",
    "previous analysis",
    "this analysis",
    "Sites opened",
    "Sites closed",
    "Sites moved (more than 100 m)",
    "Population of the communes whose mean distance rose by more than 1 km",
    "Population of the communes whose mean distance fell by more than 1 km",
    "Commune",
    "before",
    "after",
    "across the edge of the study area",
    "site across the edge (border site)",
    "Sites in the study area",
    "Sites across the edge, taken into account",
    "Limits of this analysis",
};

const auto& class_colours = distance_class_colours();
const auto& site_colours = network_colours();

std::string esc(const std::string& s) { return xml_escape(s); }

/// A number as data: no grouping, a decimal point (CSV, SVG coordinates).

/// A number with `decimals` decimals and thin spaces between thousands (French) or commas.
std::string fmt(double v, int decimals, bool french_style) {
    std::array<char, 64> buf{};
    std::snprintf(buf.data(), buf.size(), "%.*f", decimals, v);
    std::string s = buf.data();
    std::string intpart = s.substr(0, s.find('.'));
    std::string frac = s.find('.') == std::string::npos ? "" : s.substr(s.find('.') + 1);
    const bool negative = !intpart.empty() && intpart[0] == '-';
    if (negative) {
        intpart.erase(0, 1);
    }
    std::string grouped;
    for (std::size_t i = 0; i < intpart.size(); ++i) {
        if (i > 0 && (intpart.size() - i) % 3 == 0) {
            grouped += french_style ? "\u202f" : ",";
        }
        grouped.push_back(intpart[i]);
    }
    std::string out = (negative ? "-" : "") + grouped;
    if (!frac.empty()) {
        out += (french_style ? "," : ".") + frac;
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// The run's layers.

struct Zone {
    std::string id;
    std::string name;
    std::string group;
    double population = 0.0;
    double mean_km = 0.0;
    double pop_beyond = 0.0;
    geo::GeomPtr lonlat;
    geo::GeomPtr xy;
};

struct Site {
    std::string id;
    std::string name;
    std::string type;
    geo::LonLat position;
    /// Outside the study area (the sites layer's in_study_area is false): a site across its
    /// edge that serves the people near it. False for runs written before the field existed.
    bool border = false;
    double catchment_population = 0.0; ///< the inhabitants whose nearest site it is
};

struct Part {
    double area_km2 = 0.0;
    double population = 0.0;
    double max_km = 0.0;
    geo::GeomPtr lonlat;
    geo::GeomPtr xy;
    std::vector<std::string> communes;
};

GDALDatasetUniquePtr open_layer_file(const fs::path& path) {
    return io::open_vector(path.string());
}

OGRLayer* layer_of(GDALDataset& ds, const std::string& name, const std::string& path) {
    OGRLayer* l = ds.GetLayerByName(name.c_str());
    if (l == nullptr) {
        l = ds.GetLayerCount() > 0 ? ds.GetLayer(0) : nullptr;
    }
    if (l == nullptr) {
        throw input_error(path + ": no layer '" + name +
                          "'. Is it the output folder of maillage analyse?");
    }
    return l;
}

geo::GeomPtr geos_of(const geo::GeosContext& ctx, const OGRGeometry* g) {
    std::vector<unsigned char> wkb(g->WkbSize());
    g->exportToWkb(wkbNDR, wkb.data(), wkbVariantIso);
    return geo::from_wkb(ctx, wkb.data(), wkb.size());
}

// clang-tidy 14 sees an exception escaping the implicit move operations through the json member,
// whose move constructor and assignment are noexcept: a false positive.
// NOLINTNEXTLINE(bugprone-exception-escape)
struct Run {
    json summary;
    std::vector<Zone> zones;
    std::vector<Site> sites;
    std::vector<Part> parts;
};

Run load(const geo::GeosContext& ctx, const fs::path& dir) {
    Run run;
    const auto summary_path = dir / "summary.json";
    std::ifstream in(summary_path);
    if (!in) {
        throw input_error(summary_path.string() +
                          ": not found. Give --run the output folder of `maillage analyse`.");
    }
    try {
        in >> run.summary;
    } catch (const json::exception& e) {
        throw input_error(summary_path.string() + ": not a valid summary: " + e.what());
    }
    // Every feature with a geometry of one output layer (GeoPackage or GeoJSON run).
    const bool gpkg = fs::exists(dir / "maillage.gpkg");
    auto each = [&](const std::string& name, const auto& fn) {
        auto ds = open_layer_file(gpkg ? dir / "maillage.gpkg" : dir / (name + ".geojson"));
        for (auto& f : *layer_of(*ds, name, dir.string())) {
            const OGRGeometry* g = f->GetGeometryRef();
            if (g != nullptr && !g->IsEmpty()) {
                fn(*f, *g);
            }
        }
    };
    each("zones", [&](OGRFeature& f, const OGRGeometry& g) {
        Zone z;
        z.id = field_text(f, "zone_id");
        z.name = field_text(f, "name");
        z.group = field_text(f, "group");
        z.population = field_double(f, "population");
        z.mean_km = field_double(f, "mean_km");
        z.pop_beyond = field_double(f, "pop_beyond");
        z.lonlat = geos_of(ctx, &g);
        run.zones.push_back(std::move(z));
    });
    each("sites", [&](OGRFeature& f, const OGRGeometry& g) {
        if (wkbFlatten(g.getGeometryType()) == wkbPoint) {
            const int in_area = f.GetFieldIndex("in_study_area");
            run.sites.push_back({field_text(f, "site_id"),
                                 field_text(f, "name"),
                                 field_text(f, "type"),
                                 {g.toPoint()->getX(), g.toPoint()->getY()},
                                 in_area >= 0 && f.IsFieldSetAndNotNull(in_area) &&
                                     f.GetFieldAsInteger(in_area) == 0,
                                 field_double(f, "catchment_population")});
        }
    });
    each("underserved", [&](OGRFeature& f, const OGRGeometry& g) {
        Part p;
        p.area_km2 = field_double(f, "area_km2");
        p.population = field_double(f, "population");
        p.max_km = field_double(f, "max_km");
        p.lonlat = geos_of(ctx, &g);
        run.parts.push_back(std::move(p));
    });
    if (run.zones.empty()) {
        throw input_error(dir.string() + ": the zones layer is empty.");
    }
    return run;
}

// ---------------------------------------------------------------------------------------------
// Drawing.

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

/// A data file shipped with maillage, known by its SHA-256 (geodata/SOURCES.md): what it is and
/// of when, for the limits of the report.
struct KnownFile {
    const char* sha256;
    const char* fr;
    const char* en;
    const char* note_fr; ///< what is missing from it, or ""
    const char* note_en;
};

const std::vector<KnownFile>& known_files() {
    static const std::vector<KnownFile> files{
        {"932f6525704030057d8bce7009c8ceb1ad5df4fe2ceb6dd7a749d3066c2d3e32",
         "lieux d'accueil : annuaire de l'administration de la DILA, instantané du 12 décembre "
         "2017 (470 lieux de type SPRO), et non la liste officielle des 1 157 lieux du SPRO, qui "
         "n'est pas publique",
         "sites: DILA public-service directory, snapshot of 12 December 2017 (470 SPRO-type "
         "sites), not the official list of the SPRO's 1,157 sites, which is not public",
         "", ""},
        {"61c40eb04fb1a6e1edaf81988241c19b03c8df44e0d84f39b3f8cae7fd40144a",
         "lieux au-delà des limites : même annuaire DILA (2017), départements voisins à moins de "
         "60 km",
         "sites across the edge: the same DILA directory (2017), neighbouring departments within "
         "60 km",
         "aucun lieu au-delà des frontières suisse et italienne (pas de données) : près de ces "
         "frontières, la distance peut être surestimée",
         "no site across the Swiss and Italian borders (no data): near them, distances may be "
         "overstated"},
        {"358f92fca204ad26dc81e6f446412e534a8c3b139bedd8d8d3c0814ebae295a5",
         "population : populations légales INSEE millésime 2023 (en vigueur au 1er janvier 2026), "
         "communes du COG 2026, limites IGN 2018",
         "population: INSEE legal populations of 2023 (in force on 1 January 2026), communes of "
         "the "
         "2026 code, IGN boundaries of 2018",
         "", ""},
    };
    return files;
}

/// The "limits" paragraph: what the distance is, how the edge of the study area is treated, and
/// of when the data are (the inputs recorded in run.json, known by their checksum).
std::vector<std::string> limits_of(const fs::path& run_dir, const json& s, bool fr) {
    std::vector<std::string> out;
    out.emplace_back(
        fr ? "Les distances sont géodésiques, à vol d'oiseau (ellipsoïde WGS84) : ce ne sont pas "
             "des temps de trajet par la route ou en transports en commun. Dans les vallées et les "
             "massifs, le trajet réel peut être bien plus long."
           : "Distances are geodesic, as the crow flies (WGS84 ellipsoid): not travel times by "
             "road "
             "or public transport. In valleys and mountains the real journey can be much longer.");
    const double outside =
        s.contains("sites_outside_study_area") ? s.at("sites_outside_study_area").get<double>() : 0;
    const auto& p = s.at("parameters");
    const bool border_given = p.contains("border_sites") && !p.at("border_sites").empty();
    if (outside > 0 || border_given) {
        out.emplace_back(
            fr ? "Les habitants proches des limites de la zone d'étude utilisent aussi les lieux "
                 "situés au-delà. Lieux hors de la zone d'étude pris en compte comme lieux les "
                 "plus proches possibles : " +
                     fmt(outside, 0, true) +
                     " (en losange sur la carte) ; ils ne sont pas comptés dans les lieux des "
                     "départements."
               : "People near the edge of the study area also use the sites across it. Sites "
                 "outside the study area taken into account as possible nearest sites: " +
                     fmt(outside, 0, false) +
                     " (diamonds on the map); they are not counted among the departments' "
                     "sites.");
    } else {
        out.emplace_back(
            fr ? "Aucun lieu situé au-delà des limites de la zone d'étude n'a été fourni "
                 "(--border-sites) : près de ces limites, la distance peut être surestimée, car "
                 "les "
                 "habitants peuvent utiliser un lieu plus proche de l'autre côté."
               : "No site across the edge of the study area was given (--border-sites): near the "
                 "edge, distances may be overstated, as people may use a nearer site across it.");
    }
    // The inputs' vintage, from their checksums in run.json.
    nlohmann::ordered_json record; // in the order written: sites, border sites, zones
    if (std::ifstream in(run_dir / "run.json"); in) {
        try {
            in >> record;
        } catch (const json::exception&) {
            record = nullptr;
        }
    }
    if (!record.is_object() || !record.contains("inputs")) {
        out.emplace_back(fr ? "Millésime des données : inconnu (run.json absent de l'analyse)."
                            : "Data vintage: unknown (the run has no run.json).");
        return out;
    }
    std::vector<std::string> known;
    std::vector<std::string> notes;
    std::vector<std::string> unknown;
    for (const auto& [name, files] : record.at("inputs").items()) {
        for (const auto& file : files) {
            const auto sha = file.value("sha256", std::string());
            const auto it = std::find_if(known_files().begin(), known_files().end(),
                                         [&](const KnownFile& k) { return sha == k.sha256; });
            if (it == known_files().end()) {
                unknown.push_back(fs::path(file.value("path", std::string())).filename().string());
                continue;
            }
            known.emplace_back(fr ? it->fr : it->en);
            if (*(fr ? it->note_fr : it->note_en) != '\0') {
                notes.emplace_back(fr ? it->note_fr : it->note_en);
            }
        }
    }
    std::string vintage = fr ? "Données : " : "Data: ";
    for (std::size_t i = 0; i < known.size(); ++i) {
        vintage += (i == 0 ? "" : (fr ? " ; " : "; ")) + known[i];
    }
    if (!unknown.empty()) {
        std::string names;
        for (std::size_t i = 0; i < unknown.size(); ++i) {
            names += (i == 0 ? "" : ", ") + unknown[i];
        }
        vintage +=
            std::string(known.empty() ? "" : (fr ? " ; " : "; ")) +
            (fr ? "millésime non connu de maillage pour " + names +
                      " (voir la provenance de ces fichiers)"
                : "vintage not known to maillage for " + names + " (see these files' provenance)");
    }
    out.push_back(vintage + ".");
    for (const auto& n : notes) {
        std::string sentence = n;
        sentence[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(sentence[0])));
        out.push_back(sentence + ".");
    }
    return out;
}

std::string map_svg(const geo::GeosContext& ctx, Run& run, const geo::EqualAreaProjection& proj,
                    double threshold_km, const Texts& t, bool fr) {
    auto* const h = ctx.get();
    // Projected, simplified for the screen (topology of each polygon preserved).
    auto project = [&](const GEOSGeometry* g) {
        return geo::transform_xy(ctx, g, [&](double x, double y) {
            const auto p = proj.forward(geo::LonLat{x, y});
            return std::pair{p.x, p.y};
        });
    };
    Extent e;
    for (auto& z : run.zones) {
        z.xy = project(z.lonlat.get());
        e.add(ctx, z.xy.get());
    }
    // A margin around the study area, where the nearest border sites show.
    const bool with_border =
        std::any_of(run.sites.begin(), run.sites.end(), [](const Site& s) { return s.border; });
    if (with_border) {
        const double margin = 0.03 * std::max(e.x1 - e.x0, e.y1 - e.y0);
        e.x0 -= margin;
        e.x1 += margin;
        e.y0 -= margin;
        e.y1 += margin;
    }
    const double x0 = e.x0;
    const double y0 = e.y0;
    const double x1 = e.x1;
    const double y1 = e.y1;
    Frame f;
    f.width = 900.0;
    f.scale = f.width / std::max(1.0, x1 - x0);
    f.height = (y1 - y0) * f.scale;
    f.min_x = x0;
    f.max_y = y1;
    const double tolerance = 0.6 / f.scale; // about half a pixel
    auto simplify = [&](const GEOSGeometry* g) {
        return geo::own(ctx, GEOSTopologyPreserveSimplify_r(h, g, tolerance), "simplify");
    };

    const auto breaks = distance_breaks(threshold_km);
    std::ostringstream svg;
    const double legend_h = with_border ? 195.0 : 175.0;
    svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " << f.width << ' '
        << std::ceil(f.height + legend_h) << "\" width=\"" << f.width << "\" height=\""
        << std::ceil(f.height + legend_h) << "\" font-family=\"sans-serif\" font-size=\"12\">\n"
        << "<defs><pattern id=\"hatch\" patternUnits=\"userSpaceOnUse\" width=\"6\" height=\"6\" "
           "patternTransform=\"rotate(45)\"><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" "
           "stroke=\"#67001f\" stroke-width=\"1.6\"/></pattern></defs>\n"
        << "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n<g id=\"zones\" "
           "stroke=\"#ffffff\" stroke-width=\"0.15\">\n";
    for (const auto& z : run.zones) {
        const auto s = simplify(z.xy.get());
        svg << "<path fill=\""
            << class_colours[static_cast<std::size_t>(class_of(z.mean_km, breaks))] << "\" d=\""
            << path_of(ctx, s.get(), f) << "\"><title>" << esc(z.name) << " — "
            << fmt(z.mean_km, 1, fr) << " km</title></path>\n";
    }
    svg << "</g>\n";
    // Groups (departments) outlined: union of their zones.
    std::map<std::string, std::vector<GEOSGeometry*>> groups;
    for (const auto& z : run.zones) {
        if (!z.group.empty()) {
            groups[z.group].push_back(GEOSGeom_clone_r(h, z.xy.get()));
        }
    }
    svg << "<g id=\"groups\" fill=\"none\" stroke=\"#333333\" stroke-width=\"0.9\">\n";
    for (auto& [name, parts] : groups) {
        auto coll = geo::own(ctx,
                             GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, parts.data(),
                                                         static_cast<unsigned>(parts.size())),
                             "collection");
        auto outline = geo::own(ctx, GEOSUnaryUnion_r(h, coll.get()), "union");
        svg << "<path d=\"" << path_of(ctx, simplify(outline.get()).get(), f) << "\"><title>"
            << esc(name) << "</title></path>\n";
    }
    svg << "</g>\n<g id=\"underserved\" fill=\"url(#hatch)\" stroke=\"#67001f\" "
           "stroke-width=\"0.6\">\n";
    for (auto& p : run.parts) {
        p.xy = project(p.lonlat.get());
        svg << "<path d=\"" << path_of(ctx, simplify(p.xy.get()).get(), f) << "\"/>\n";
    }
    svg << "</g>\n";
    std::set<std::string> type_set;
    for (const auto& s : run.sites) {
        type_set.insert(s.type);
    }
    const std::vector<std::string> types(type_set.begin(), type_set.end());
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
    // North arrow (the projection is centred on the data: north is up at the centre).
    svg << "<g id=\"north\" transform=\"translate(" << f.width - 40
        << ",40)\"><path d=\"M0 -22L9 8L0 "
           "2L-9 8Z\" fill=\"#222222\"/><text y=\"24\" text-anchor=\"middle\" "
           "font-weight=\"bold\">N</text></g>\n";
    // Scale bar: a round length of about 120 px.
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
    // Legend.
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
            << class_colours[i] << "\"/><text x=\"22\" y=\"" << 20 + 18 * i << "\">" << esc(label)
            << "</text>\n";
    }
    svg << "<rect x=\"200\" y=\"10\" width=\"16\" height=\"12\" fill=\"url(#hatch)\" "
           "stroke=\"#67001f\"/><text x=\"222\" y=\"20\">"
        << esc(t.legend_underserved) << ' ' << fmt(threshold_km, 0, fr) << " km</text>\n"
        << "<text x=\"200\" y=\"46\" font-weight=\"bold\">" << esc(t.legend_sites) << "</text>\n";
    for (std::size_t i = 0; i < types.size(); ++i) {
        const std::size_t column = i / 5; // five types a column
        const double x = 200 + 160.0 * static_cast<double>(column);
        const double y = 56 + 18.0 * static_cast<double>(i % 5);
        svg << "<circle cx=\"" << x + 8 << "\" cy=\"" << y + 6 << "\" r=\"4\" fill=\""
            << site_colours[i % site_colours.size()]
            << "\" stroke=\"#222222\" stroke-width=\"0.5\"/>"
            << "<text x=\"" << x + 18 << "\" y=\"" << y + 10 << "\">"
            << esc(types[i].empty() ? "—" : types[i]) << "</text>\n";
    }
    if (any_border) {
        const double y = 56 + 18.0 * 5;
        svg << "<path d=\"M208 " << plain(y + 1.5, 1)
            << "l4.5 4.5l-4.5 4.5l-4.5 -4.5z\" fill=\"#888888\" fill-opacity=\"0.55\" "
               "stroke=\"#222222\" stroke-width=\"0.5\"/><text x=\"218\" y=\""
            << y + 10 << "\">" << esc(t.legend_border) << "</text>\n";
    }
    svg << "</g>\n</svg>\n";
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
            << class_colours[static_cast<std::size_t>(class_of(z.mean_km, breaks))] << "\" d=\""
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
        for (const auto& p : sum.at("coverage_curve")) {
            pts << ' ' << plain(x(p.at("km").get<double>()), 1) << ','
                << plain(y(p.at("share").get<double>()), 1);
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

/// The section of `maillage suggest` (its `suggest` member of summary.json): the chosen sites in
/// order with the coverage they bring. Also appended to report.md and figures.csv.
std::string suggest_section(const json& g, double threshold_km, bool fr, std::ostringstream& md,
                            std::ostringstream& csv) {
    const bool coverage = g.at("objective").get<std::string>() == "coverage";
    const auto& before = g.at("before");
    const auto& picks = g.at("picks");
    const std::string source = g.at("candidates").at("source").get<std::string>();
    const std::string t = fmt(threshold_km, threshold_km == std::floor(threshold_km) ? 0 : 1, fr);
    const std::string title = fr ? "Où ajouter des sites ?" : "Where to add sites";
    const std::string among =
        source == "zones"
            ? (fr ? "les communes (leur point de référence)" : "the zones' reference points")
        : source == "grid"
            ? (fr ? "les mailles d'une grille" : "the cells of a grid")
            : (fr ? "les lieux du fichier de candidats" : "the places of the candidates file");
    std::ostringstream intro;
    if (fr) {
        intro << "Les " << picks.size() << " lieux qui, ajoutés un à un aux sites existants, "
              << (coverage ? "amènent le plus d'habitants à moins de " + t + " km d'un site"
                           : "réduisent le plus la distance moyenne au site le plus proche")
              << ", choisis parmi " << g.at("candidates").at("count").get<std::size_t>()
              << " candidats (" << among << ") par la méthode gloutonne.";
    } else {
        intro << "The " << picks.size() << " places which, added one by one to the existing sites, "
              << (coverage ? "bring the most inhabitants within " + t + " km of a site"
                           : "most reduce the mean distance to the nearest site")
              << ", chosen among " << g.at("candidates").at("count").get<std::size_t>()
              << " candidates (" << among << ") by the greedy method.";
    }
    const std::string h_place = fr ? "Lieu" : "Place";
    const std::string h_zone = fr ? "Commune" : "Zone";
    const std::string h_new =
        fr ? "Nouveaux habitants à moins de " + t + " km" : "Newly within " + t + " km";
    const std::string h_share =
        fr ? "Part à moins de " + t + " km (%)" : "Share within " + t + " km (%)";
    const std::string h_mean = fr ? "Distance moyenne (km)" : "Mean distance (km)";
    const std::string today = fr ? "Aujourd'hui" : "Today";
    std::ostringstream h;
    h << "<h2>" << esc(title) << "</h2>\n<p>" << esc(intro.str())
      << "</p>\n<table id=\"suggest\">\n"
      << "<thead><tr><th>#</th><th>" << esc(h_place) << "</th><th>" << esc(h_zone) << "</th><th>"
      << esc(h_new) << "</th><th>" << esc(h_share) << "</th><th>" << esc(h_mean)
      << "</th></tr></thead>\n<tbody>\n";
    md << "\n## " << title << "\n\n"
       << intro.str() << "\n\n| # | " << h_place << " | " << h_zone << " | " << h_new << " | "
       << h_share << " | " << h_mean << " |\n|---:|---|---|---:|---:|---:|\n";
    auto row = [&](const std::string& rank, const std::string& place, const std::string& zone,
                   double newly, double share, double mean) {
        const std::string n = rank == "0" ? "—" : fmt(newly, 0, fr);
        h << "<tr><td class=\"n\">" << (rank == "0" ? "" : rank) << "</td><td>" << esc(place)
          << "</td><td>" << esc(zone) << "</td><td class=\"n\" data-v=\"" << newly << "\">"
          << esc(n) << "</td><td class=\"n\" data-v=\"" << 100.0 * share << "\">"
          << esc(fmt(100.0 * share, 2, fr)) << "</td><td class=\"n\" data-v=\"" << mean << "\">"
          << esc(fmt(mean, 2, fr)) << "</td></tr>\n";
        md << "| " << (rank == "0" ? "" : rank) << " | " << place << " | " << zone << " | " << n
           << " | " << fmt(100.0 * share, 2, fr) << " | " << fmt(mean, 2, fr) << " |\n";
        csv << "suggest_newly_covered," << rank << ',' << plain(newly, 0) << ",\n"
            << "suggest_covered_share_pct," << rank << ',' << plain(100.0 * share, 4) << ",%\n"
            << "suggest_mean_km," << rank << ',' << plain(mean, 4) << ",km\n";
    };
    row("0", today, "", 0.0, before.at("covered_share").get<double>(),
        before.at("mean_km").get<double>());
    for (const auto& p : picks) {
        const std::string name = p.at("name").get<std::string>();
        row(std::to_string(p.at("rank").get<int>()),
            name.empty() ? p.at("candidate_id").get<std::string>() : name,
            p.at("zone_name").get<std::string>(), p.at("newly_covered").get<double>(),
            p.at("covered_share").get<double>(), p.at("mean_km").get<double>());
    }
    h << "</tbody></table>\n";
    return h.str();
}

void write_file(io::StagedOutput& out, const std::string& name, const std::string& text) {
    const auto path = out.path(name);
    std::ofstream f(path, std::ios::binary);
    errno = 0;
    f << text;
    f.close();
    if (!f) {
        throw runtime_failure(path.string() +
                              ": cannot write: " + io::write_failure_reason(path, errno));
    }
}

/// The section on the population grid (a run with --population-grid): where its population
/// went and how far the zones' totals from it are from the zones' own figures. Appended to the
/// page (before its script), to report.md and to figures.csv.
void population_grid_section(const json& s, bool fr, std::ostringstream& html,
                             std::ostringstream& md, std::ostringstream& csv) {
    const auto& g = s.at("population_grid");
    const auto& c = g.at("comparison_with_zones");
    const double read = g.at("population_read").get<double>();
    const double in_zones = g.at("population_in_zones").get<double>();
    const double outside = g.at("population_outside_study_area").get<double>();
    const double own = c.at("zones_population_total").get<double>();
    const double from_grid = c.at("grid_population_total").get<double>();
    const double rel = own > 0 ? 100.0 * (from_grid - own) / own : 0.0;
    const char* title = fr ? "Grille de population" : "Population grid";
    const std::string intro =
        fr ? "La population est placée d'après la grille " + g.at("path").get<std::string>() +
                 " (" + g.at("kind").get<std::string>() + ", " + g.at("crs").get<std::string>() +
                 "), rééchantillonnée sur la grille d'analyse à population constante."
           : "The population is placed with the grid " + g.at("path").get<std::string>() + " (" +
                 g.at("kind").get<std::string>() + ", " + g.at("crs").get<std::string>() +
                 "), resampled onto the analysis grid, conserving population.";
    const std::vector<std::pair<std::string, std::string>> rows{
        {fr ? "Population lue dans la grille" : "Population read from the grid", fmt(read, 0, fr)},
        {fr ? "dans les zones" : "in the zones", fmt(in_zones, 0, fr)},
        {fr ? "hors de la zone d'étude" : "outside the study area", fmt(outside, 0, fr)},
        {fr ? "Population des zones (leur propre chiffre)" : "Zones' own population figures",
         fmt(own, 0, fr)},
        {fr ? "Écart grille − zones" : "Difference grid − zones",
         fmt(from_grid - own, 0, fr) + " (" + fmt(rel, 1, fr) + " %)"},
        {fr ? "Zones à plus de 10 % d'écart" : "Zones more than 10 % off",
         fmt(c.at("zones_off_by_more_than_10_percent").get<double>(), 0, fr)}};
    std::ostringstream h;
    h << "<h2 id=\"population-grid\">" << esc(title) << "</h2>\n<p>" << esc(intro)
      << "</p>\n<table id=\"population-grid-figures\">\n<tbody>\n";
    md << "\n## " << title << "\n\n" << intro << "\n\n";
    for (const auto& [label, value] : rows) {
        h << "<tr><td>" << esc(label) << "</td><td class=\"n\">" << esc(value) << "</td></tr>\n";
        md << "- " << label << " : " << value << "\n";
    }
    const char* zone = "Zone";
    const char* layer = fr ? "population de la zone" : "zone's population";
    const char* grid = fr ? "population de la grille" : "grid's population";
    const char* diff = fr ? "écart" : "difference";
    h << "</tbody></table>\n<table id=\"population-grid-zones\">\n<thead><tr><th>" << esc(zone)
      << "</th><th>" << esc(layer) << "</th><th>" << esc(grid) << "</th><th>" << esc(diff)
      << "</th></tr></thead>\n<tbody>\n";
    md << "\n| " << zone << " | " << layer << " | " << grid << " | " << diff
       << " |\n|---|---:|---:|---:|\n";
    const auto& worst = c.at("worst_zones");
    for (std::size_t i = 0; i < worst.size() && i < 5; ++i) {
        const auto& z = worst[i];
        const std::string name = z.at("name").get<std::string>().empty()
                                     ? z.at("zone_id").get<std::string>()
                                     : z.at("name").get<std::string>();
        const double a = z.at("population_layer").get<double>();
        const double b = z.at("population_grid").get<double>();
        h << "<tr><td>" << esc(name) << "</td><td class=\"n\" data-v=\"" << a << "\">"
          << esc(fmt(a, 0, fr)) << "</td><td class=\"n\" data-v=\"" << b << "\">"
          << esc(fmt(b, 0, fr)) << "</td><td class=\"n\" data-v=\"" << b - a << "\">"
          << esc(fmt(b - a, 0, fr)) << "</td></tr>\n";
        md << "| " << name << " | " << fmt(a, 0, fr) << " | " << fmt(b, 0, fr) << " | "
           << fmt(b - a, 0, fr) << " |\n";
    }
    h << "</tbody></table>\n";
    csv << "population_grid_read,," << plain(read, 4) << ",\npopulation_grid_in_zones,,"
        << plain(in_zones, 4) << ",\npopulation_grid_outside_study_area,," << plain(outside, 4)
        << ",\npopulation_grid_zones_own_total,," << plain(own, 4)
        << ",\npopulation_grid_difference_pct,," << plain(rel, 4) << ",%\n";
    const std::string page = html.str();
    const auto at = page.rfind("<script>");
    html.str(page.substr(0, at) + h.str() + page.substr(at));
}

/// The section of `maillage access` (its "access" member of summary.json and its access_zones
/// layer, in the run folder): the E2SFCA index, the departments from the lowest, the most
/// populated communes below the chosen share of the regional mean. Also appended to report.md
/// and figures.csv. Empty when the run folder holds no access_zones layer.
std::string access_section(const fs::path& dir, const json& a, bool fr, std::ostringstream& md,
                           std::ostringstream& csv) {
    const fs::path layer_file =
        fs::exists(dir / "access.gpkg") ? dir / "access.gpkg" : dir / "access_zones.geojson";
    if (!fs::exists(layer_file)) {
        return "";
    }
    struct Low {
        std::string name, group;
        double population, index, ratio;
    };
    std::vector<Low> low;
    {
        auto ds = open_layer_file(layer_file);
        for (auto& f : *layer_of(*ds, "access_zones", layer_file.string())) {
            const int flag = f->GetFieldIndex("access_below");
            if (flag >= 0 && f->IsFieldSetAndNotNull(flag) && f->GetFieldAsInteger(flag) != 0) {
                low.push_back({field_text(*f, "name"), field_text(*f, "group"),
                               field_double(*f, "population"), field_double(*f, "access"),
                               field_double(*f, "access_ratio")});
            }
        }
    }
    std::stable_sort(low.begin(), low.end(),
                     [](const Low& x, const Low& y) { return x.population > y.population; });
    if (low.size() > 10) {
        low.resize(10);
    }
    const auto& decay = a.at("parameters").at("decay");
    std::string decay_text;
    if (decay.at("kind").get<std::string>() == "gaussian") {
        decay_text = (fr ? "gaussienne, d0 = " : "Gaussian, d0 = ") +
                     fmt(decay.at("d0_km").get<double>(), 0, fr) + " km";
    } else {
        for (const auto& b : decay.at("bands")) {
            decay_text += (decay_text.empty() ? "" : ", ") +
                          fmt(b.at("from_km").get<double>(), 0, fr) + "–" +
                          fmt(b.at("to_km").get<double>(), 0, fr) + (fr ? " km : " : " km: ") +
                          fmt(b.at("weight").get<double>(), 2, fr);
        }
        decay_text = (fr ? "bandes " : "bands ") + decay_text;
    }
    const std::string capacity = a.at("parameters").at("capacity").get<std::string>();
    const double mean = a.at("index").at("mean").get<double>();
    const auto& below = a.at("below");
    const double share = below.at("share").get<double>();
    const std::string pct = fmt(100.0 * share, 0, fr) + " %";
    const std::string title =
        fr ? "Accessibilité potentielle (E2SFCA)" : "Potential accessibility (E2SFCA)";
    const std::string intro =
        fr ? "Indice à deux étapes avec aire d'influence flottante (E2SFCA, la méthode de "
             "l'accessibilité potentielle localisée) : l'offre de chaque site (" +
                 (capacity == "1 per site" ? std::string("1 par site") : "champ " + capacity) +
                 ") est divisée par la population qui l'entoure, pondérée selon la distance (" +
                 decay_text +
                 "), puis chaque habitant reçoit la somme de ces rapports sur les sites à sa "
                 "portée. Indice pour 100 000 habitants ; la moyenne régionale, pondérée par la "
                 "population, est l'offre totale rapportée à la population."
           : "Enhanced two-step floating catchment area index (E2SFCA, the method of the French "
             "APL): the supply of each site (" +
                 (capacity == "1 per site" ? std::string("1 per site") : "field " + capacity) +
                 ") is divided by the population around it, weighted by distance (" + decay_text +
                 "), and each inhabitant receives the sum of these ratios over the sites in "
                 "reach. Index per 100,000 inhabitants; the population-weighted regional mean is "
                 "the total supply over the population.";
    const std::vector<std::pair<std::string, std::string>> figures{
        {fr ? "Moyenne régionale (pour 100 000 habitants)" : "Regional mean (per 100,000)",
         fmt(mean, 2, fr)},
        {fr ? "Communes sous " + pct + " de la moyenne" : "Zones below " + pct + " of the mean",
         fmt(below.at("zones").get<double>(), 0, fr)},
        {fr ? "Leurs habitants" : "Their inhabitants",
         fmt(below.at("population").get<double>(), 0, fr) + " (" +
             fmt(100.0 * below.at("share_of_population").get<double>(), 1, fr) + " %)"},
        {fr ? "Habitants sans site à portée" : "Inhabitants with no site in reach",
         fmt(a.at("population_no_site_in_reach").get<double>(), 0, fr)},
        {fr ? "Sites n'atteignant personne (exclus)" : "Sites reaching nobody (left out)",
         fmt(a.at("sites_reaching_nobody").at("count").get<double>(), 0, fr)},
    };
    csv << "access_mean_per_100k,," << plain(mean, 6) << ",\naccess_zones_below,,"
        << plain(below.at("zones").get<double>(), 0) << ",\naccess_population_below,,"
        << plain(below.at("population").get<double>(), 0) << ",\naccess_population_no_site,,"
        << plain(a.at("population_no_site_in_reach").get<double>(), 0)
        << ",\naccess_sites_reaching_nobody,,"
        << plain(a.at("sites_reaching_nobody").at("count").get<double>(), 0) << ",\n";
    std::vector<json> groups(a.at("by_group").begin(), a.at("by_group").end());
    std::stable_sort(groups.begin(), groups.end(), [](const json& x, const json& y) {
        return x.at("index").get<double>() < y.at("index").get<double>();
    });
    const std::string h_group = fr ? "Groupe" : "Group";
    const std::string h_pop = "Population";
    const std::string h_index = fr ? "Indice (pour 100 000)" : "Index (per 100,000)";
    const std::string h_ratio = fr ? "Rapport à la moyenne" : "Ratio to the mean";
    const std::string h_zones = fr ? "Communes sous " + pct : "Zones below " + pct;
    const std::string h_below = fr ? "Leurs habitants" : "Their inhabitants";
    const std::string h_commune = fr ? "Commune" : "Zone";
    const std::string low_title = fr ? "Communes les plus peuplées sous " + pct + " de la moyenne"
                                     : "Most populated zones below " + pct + " of the mean";
    std::ostringstream h;
    h << "<h2>" << esc(title) << "</h2>\n<p>" << esc(intro) << "</p>\n<div class=\"figures\" "
      << "id=\"access-figures\">\n";
    md << "\n## " << title << "\n\n" << intro << "\n\n";
    for (const auto& [label, value] : figures) {
        h << "<div class=\"figure\"><b>" << esc(value) << "</b>" << esc(label) << "</div>\n";
        md << "- " << label << " : " << value << '\n';
    }
    h << "</div>\n<table id=\"access-groups\">\n<thead><tr><th>" << esc(h_group) << "</th><th>"
      << esc(h_pop) << "</th><th>" << esc(h_index) << "</th><th>" << esc(h_ratio) << "</th><th>"
      << esc(h_zones) << "</th><th>" << esc(h_below) << "</th></tr></thead>\n<tbody>\n";
    md << "\n| " << h_group << " | " << h_pop << " | " << h_index << " | " << h_ratio << " | "
       << h_zones << " | " << h_below << " |\n|---|---:|---:|---:|---:|---:|\n";
    for (const auto& g : groups) {
        const std::string name = g.at("group").get<std::string>();
        const double pop = g.at("population").get<double>();
        const double index = g.at("index").get<double>();
        const double ratio = g.at("ratio").is_null() ? NAN : g.at("ratio").get<double>();
        const double zones = g.at("zones_below").get<double>();
        const double below_pop = g.at("population_below").get<double>();
        h << "<tr><td>" << esc(name) << "</td><td class=\"n\" data-v=\"" << pop << "\">"
          << esc(fmt(pop, 0, fr)) << "</td><td class=\"n\" data-v=\"" << index << "\">"
          << esc(fmt(index, 2, fr)) << "</td><td class=\"n\" data-v=\"" << ratio << "\">"
          << esc(fmt(ratio, 2, fr)) << "</td><td class=\"n\" data-v=\"" << zones << "\">"
          << esc(fmt(zones, 0, fr)) << "</td><td class=\"n\" data-v=\"" << below_pop << "\">"
          << esc(fmt(below_pop, 0, fr)) << "</td></tr>\n";
        md << "| " << name << " | " << fmt(pop, 0, fr) << " | " << fmt(index, 2, fr) << " | "
           << fmt(ratio, 2, fr) << " | " << fmt(zones, 0, fr) << " | " << fmt(below_pop, 0, fr)
           << " |\n";
        csv << "group_access_per_100k," << name << ',' << plain(index, 6) << ",\n"
            << "group_access_ratio," << name << ',' << plain(ratio, 6) << ",\n";
    }
    h << "</tbody></table>\n<h3>" << esc(low_title) << "</h3>\n<table id=\"access-low\">\n"
      << "<thead><tr><th>" << esc(h_commune) << "</th><th>" << esc(h_group) << "</th><th>"
      << esc(h_pop) << "</th><th>" << esc(h_index) << "</th><th>" << esc(h_ratio)
      << "</th></tr></thead>\n<tbody>\n";
    md << "\n### " << low_title << "\n\n| " << h_commune << " | " << h_group << " | " << h_pop
       << " | " << h_index << " | " << h_ratio << " |\n|---|---|---:|---:|---:|\n";
    for (const auto& z : low) {
        h << "<tr><td>" << esc(z.name) << "</td><td>" << esc(z.group)
          << "</td><td class=\"n\" data-v=\"" << z.population << "\">"
          << esc(fmt(z.population, 0, fr)) << "</td><td class=\"n\" data-v=\"" << z.index << "\">"
          << esc(fmt(z.index, 2, fr)) << "</td><td class=\"n\" data-v=\"" << z.ratio << "\">"
          << esc(fmt(z.ratio, 2, fr)) << "</td></tr>\n";
        md << "| " << z.name << " | " << z.group << " | " << fmt(z.population, 0, fr) << " | "
           << fmt(z.index, 2, fr) << " | " << fmt(z.ratio, 2, fr) << " |\n";
    }
    h << "</tbody></table>\n";
    return h.str();
}

} // namespace

void build_report_checked(const ReportOptions& o);

void build_report(const ReportOptions& o) {
    try {
        build_report_checked(o);
    } catch (const json::exception& e) {
        // A summary.json that lacks a figure: from another tool or another version.
        throw input_error(o.run_dir + "/summary.json: " + e.what() +
                          ". Give --run a folder written by this version of maillage analyse.");
    }
}

void build_report_checked(const ReportOptions& o) {
    if (o.lang != "fr" && o.lang != "en") {
        throw usage_error("--lang must be fr or en (got '" + o.lang + "').");
    }
    const bool fr = o.lang == "fr";
    const Texts& t = fr ? french : english;
    io::StagedOutput out(o.out_dir);
    geo::GeosContext ctx;
    Run run = load(ctx, o.run_dir);
    const auto& s = run.summary;
    const double threshold_km = s.at("parameters").at("threshold_km").get<double>();

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
    const auto proj = geo::EqualAreaProjection::centred_on(corners);
    const std::string map = map_svg(ctx, run, proj, threshold_km, t, fr);
    std::optional<Run> previous;
    if (!o.previous_dir.empty()) {
        previous = load(ctx, o.previous_dir);
    }
    const std::string curve =
        curve_svg(s, previous ? &previous->summary : nullptr, threshold_km, t, fr);

    // Communes concerned by each underserved area: zones with people beyond the threshold
    // that the area touches.
    for (auto& p : run.parts) {
        geo::PreparedPtr prepared(GEOSPrepare_r(ctx.get(), p.lonlat.get()),
                                  geo::PreparedDeleter{ctx.get()});
        std::vector<std::pair<double, std::string>> touched;
        for (const auto& z : run.zones) {
            if (z.pop_beyond > 0 &&
                GEOSPreparedIntersects_r(ctx.get(), prepared.get(), z.lonlat.get()) == 1) {
                touched.emplace_back(-z.pop_beyond, z.name);
            }
        }
        std::sort(touched.begin(), touched.end());
        for (const auto& [neg, name] : touched) {
            p.communes.push_back(name);
        }
    }
    std::vector<const Part*> top;
    for (const auto& p : run.parts) {
        top.push_back(&p);
    }
    std::stable_sort(top.begin(), top.end(),
                     [](const Part* a, const Part* b) { return a->population > b->population; });
    if (top.size() > 10) {
        top.resize(10);
    }

    const auto& d = s.at("distance_km");
    const double population = s.at("population_total").get<double>();
    // Sites: those of the study area, and those across its edge that the run took into account.
    const double sites_outside =
        s.contains("sites_outside_study_area") ? s.at("sites_outside_study_area").get<double>() : 0;
    const double sites_in_area = s.at("sites_count").get<double>() - sites_outside;
    struct Figure {
        std::string key;
        std::string label;
        double value;
        int decimals;
        std::string unit;
    };
    std::vector<Figure> key{
        {"population_total", t.population, population, 0, ""},
        {"sites_in_study_area", t.sites_in_area, sites_in_area, 0, ""},
        {"mean_km", t.mean, d.at("mean").get<double>(), 1, "km"},
        {"p50_km", t.median, d.at("p50").get<double>(), 1, "km"},
        {"p90_km", t.p90, d.at("p90").get<double>(), 1, "km"},
        {"population_beyond", t.beyond, s.at("population_beyond").get<double>(), 0, ""},
        {"share_beyond_pct", t.share_beyond, 100.0 * s.at("share_beyond").get<double>(), 1, "%"},
        {"underserved_parts", t.underserved_areas, s.at("underserved").at("parts").get<double>(), 0,
         ""},
        {"underserved_area_km2", std::string(t.area) + " — " + t.underserved_areas,
         s.at("underserved").at("area_km2").get<double>(), 0, "km²"},
    };
    if (sites_outside > 0) {
        key.insert(key.begin() + 2, {"border_sites", t.border_sites, sites_outside, 0, ""});
    }

    // figures.csv: every figure of the report.
    std::ostringstream csv;
    csv << "figure,group,value,unit\n";
    for (const auto& k : key) {
        csv << k.key << ",," << plain(k.value, 4) << ',' << k.unit << '\n';
    }
    struct GroupRow {
        std::string group;
        double population, sites, per_100k, mean_km, share_pct;
    };
    std::vector<GroupRow> groups;
    for (const auto& g : s.at("by_group")) {
        GroupRow r{g.at("group").get<std::string>(), g.at("population").get<double>(),
                   g.at("sites").get<double>(),      0.0,
                   g.at("mean_km").get<double>(),    100.0 * g.at("share_beyond").get<double>()};
        r.per_100k = r.population > 0 ? r.sites * 1e5 / r.population : 0.0;
        groups.push_back(r);
    }
    for (const auto& g : groups) {
        csv << "group_population," << g.group << ',' << plain(g.population, 0) << ",\n"
            << "group_sites," << g.group << ',' << plain(g.sites, 0) << ",\n"
            << "group_sites_per_100k," << g.group << ',' << plain(g.per_100k, 4) << ",\n"
            << "group_mean_km," << g.group << ',' << plain(g.mean_km, 4) << ",km\n"
            << "group_share_beyond_pct," << g.group << ',' << plain(g.share_pct, 4) << ",%\n";
    }
    for (const auto& p : s.at("coverage_curve")) {
        csv << "coverage_within_km," << p.at("km").get<int>() << ','
            << plain(100.0 * p.at("share").get<double>(), 4) << ",%\n";
    }
    for (std::size_t i = 0; i < top.size(); ++i) {
        csv << "underserved_top_population," << i + 1 << ',' << plain(top[i]->population, 0)
            << ",\n";
    }

    // report.md
    std::ostringstream md;
    md << "# " << t.title << "\n\n" << t.subtitle << "\n\n## " << t.key_figures << "\n\n";
    for (const auto& k : key) {
        md << "- " << k.label << " : " << fmt(k.value, k.decimals, fr)
           << (k.unit.empty() ? "" : " ") << k.unit << '\n';
    }
    md << "\n![" << t.map_title << "](map.svg)\n\n![" << t.curve_title << "](coverage.svg)\n\n## "
       << t.by_group << "\n\n| " << t.group << " | " << t.population << " | " << t.sites << " | "
       << t.sites_per_100k << " | " << t.mean << " (km) | " << t.share_beyond
       << " (%) |\n|---|---:|---:|---:|---:|---:|\n";
    for (const auto& g : groups) {
        md << "| " << g.group << " | " << fmt(g.population, 0, fr) << " | " << fmt(g.sites, 0, fr)
           << " | " << fmt(g.per_100k, 1, fr) << " | " << fmt(g.mean_km, 1, fr) << " | "
           << fmt(g.share_pct, 1, fr) << " |\n";
    }
    md << "\n## " << t.top_areas << "\n\n| # | " << t.inhabitants << " | " << t.area << " (km²) | "
       << t.communes << " |\n|---:|---:|---:|---|\n";
    for (std::size_t i = 0; i < top.size(); ++i) {
        std::string names;
        for (std::size_t j = 0; j < top[i]->communes.size() && j < 8; ++j) {
            names += (j == 0 ? "" : ", ") + top[i]->communes[j];
        }
        if (top[i]->communes.size() > 8) {
            names += ", …";
        }
        md << "| " << i + 1 << " | " << fmt(top[i]->population, 0, fr) << " | "
           << fmt(top[i]->area_km2, 0, fr) << " | " << names << " |\n";
    }
    const auto limits = limits_of(o.run_dir, s, fr);
    std::string border_files;
    if (s.at("parameters").contains("border_sites")) {
        for (const auto& b : s.at("parameters").at("border_sites")) {
            border_files += ", " + b.get<std::string>();
        }
    }
    md << "\n## " << t.limits << "\n\n";
    for (const auto& l : limits) {
        md << "- " << l << "\n";
    }
    md << "\n"
       << t.source << " " << s.at("parameters").at("zones").get<std::string>() << ", "
       << s.at("parameters").at("sites").get<std::string>() << border_files << " (maillage "
       << s.at("version").get<std::string>() << ").\n";

    // index.html: the same, self-contained.
    std::ostringstream html;
    html
        << "<!DOCTYPE html>\n<html lang=\"" << o.lang
        << "\">\n<head>\n<meta charset=\"utf-8\">\n<title>" << esc(t.title) << "</title>\n<style>\n"
        << "body{font-family:sans-serif;max-width:960px;margin:2em auto;color:#222;line-height:1.4}"
           "h1{margin-bottom:0}.sub{color:#555;margin-top:.2em}"
           ".figures{display:grid;grid-template-columns:repeat(3,1fr);gap:12px}"
           ".figure{background:#f4f4f4;padding:10px;border-radius:6px}"
           ".figure b{display:block;font-size:1.5em}"
           "table{border-collapse:collapse;width:100%}th,td{padding:4px 8px;border-bottom:1px "
           "solid #ddd}"
           "th{cursor:pointer;background:#eee;text-align:left}td.n{text-align:right}"
           "svg{max-width:100%;height:auto}.hint{color:#777;font-size:.9em}"
           ".smalls{display:grid;grid-template-columns:repeat(3,1fr);gap:8px}"
           "figure{margin:0;text-align:center}figcaption{font-size:.9em;color:#444}\n"
        << "</style>\n</head>\n<body>\n<h1>" << esc(t.title) << "</h1>\n<p class=\"sub\">"
        << esc(t.subtitle) << "</p>\n<h2>" << esc(t.key_figures)
        << "</h2>\n<div class=\"figures\">\n";
    for (const auto& k : key) {
        html << "<div class=\"figure\" data-key=\"" << k.key << "\"><b>"
             << esc(fmt(k.value, k.decimals, fr)) << (k.unit.empty() ? "" : " ") << esc(k.unit)
             << "</b>" << esc(k.label) << "</div>\n";
    }
    html << "</div>\n<h2>" << esc(t.map_title) << "</h2>\n"
         << map << "<h2>" << esc(t.curve_title) << "</h2>\n"
         << curve << "<h2>" << esc(t.by_group) << "</h2>\n<p class=\"hint\">" << esc(t.sort_hint)
         << "</p>\n<table id=\"groups\">\n<thead><tr><th>" << esc(t.group) << "</th><th>"
         << esc(t.population) << "</th><th>" << esc(t.sites) << "</th><th>" << esc(t.sites_per_100k)
         << "</th><th>" << esc(t.mean) << " (km)</th><th>" << esc(t.share_beyond)
         << " (%)</th></tr></thead>\n<tbody>\n";
    for (const auto& g : groups) {
        html << "<tr><td>" << esc(g.group) << "</td><td class=\"n\" data-v=\"" << g.population
             << "\">" << esc(fmt(g.population, 0, fr)) << "</td><td class=\"n\" data-v=\""
             << g.sites << "\">" << esc(fmt(g.sites, 0, fr)) << "</td><td class=\"n\" data-v=\""
             << g.per_100k << "\">" << esc(fmt(g.per_100k, 1, fr))
             << "</td><td class=\"n\" data-v=\"" << g.mean_km << "\">" << esc(fmt(g.mean_km, 1, fr))
             << "</td><td class=\"n\" data-v=\"" << g.share_pct << "\">"
             << esc(fmt(g.share_pct, 1, fr)) << "</td></tr>\n";
    }
    html << "</tbody></table>\n<div class=\"smalls\">\n";
    for (const auto& g : groups) {
        const auto small = small_map_svg(ctx, run, g.group, threshold_km);
        if (!small.empty()) {
            html << "<figure>" << small << "<figcaption>" << esc(g.group) << " — "
                 << esc(fmt(g.mean_km, 1, fr)) << " km</figcaption></figure>\n";
        }
    }
    html << "</div>\n<h2>" << esc(t.top_areas)
         << "</h2>\n<table id=\"top\">\n<thead><tr><th>#</th><th>" << esc(t.inhabitants)
         << "</th><th>" << esc(t.area) << " (km²)</th><th>" << esc(t.communes)
         << "</th></tr></thead>\n<tbody>\n";
    for (std::size_t i = 0; i < top.size(); ++i) {
        std::string names;
        for (std::size_t j = 0; j < top[i]->communes.size() && j < 8; ++j) {
            names += (j == 0 ? "" : ", ") + top[i]->communes[j];
        }
        if (top[i]->communes.size() > 8) {
            names += ", …";
        }
        html << "<tr><td class=\"n\">" << i + 1 << "</td><td class=\"n\" data-v=\""
             << top[i]->population << "\">" << esc(fmt(top[i]->population, 0, fr))
             << "</td><td class=\"n\" data-v=\"" << top[i]->area_km2 << "\">"
             << esc(fmt(top[i]->area_km2, 0, fr)) << "</td><td>" << esc(names) << "</td></tr>\n";
    }
    html << "</tbody></table>\n<h2 id=\"limits\">" << esc(t.limits) << "</h2>\n<ul>\n";
    for (const auto& l : limits) {
        html << "<li>" << esc(l) << "</li>\n";
    }
    html << "</ul>\n<p class=\"hint\">" << esc(t.source) << ' '
         << esc(s.at("parameters").at("zones").get<std::string>()) << ", "
         << esc(s.at("parameters").at("sites").get<std::string>() + border_files) << " (maillage "
         << esc(s.at("version").get<std::string>()) << ").</p>\n"
         << "<script>\n"
            "document.querySelectorAll('table').forEach(function(table){\n"
            " table.querySelectorAll('th').forEach(function(th,col){\n"
            "  th.addEventListener('click',function(){\n"
            "   var body=table.tBodies[0],rows=Array.prototype.slice.call(body.rows);\n"
            "   var dir=th.dataset.dir==='asc'?-1:1; th.dataset.dir=dir===1?'asc':'desc';\n"
            "   rows.sort(function(a,b){var x=a.cells[col],y=b.cells[col];\n"
            "    var u=x.dataset.v!==undefined?parseFloat(x.dataset.v):x.textContent;\n"
            "    var v=y.dataset.v!==undefined?parseFloat(y.dataset.v):y.textContent;\n"
            "    return (u<v?-1:u>v?1:0)*dir;});\n"
            "   rows.forEach(function(r){body.appendChild(r);});});});});\n"
            "</script>\n</body>\n</html>\n";

    // The networks (analyse --by-type) and the catchments (analyse --catchments): before the
    // closing script of the page, as every section below.
    const auto number = [fr](double v, int decimals) { return fmt(v, decimals, fr); };
    for (const auto& section :
         {by_type_section(s, fr, number), catchments_section(o.run_dir, s, fr, number)}) {
        if (section) {
            const std::string page = html.str();
            const auto at = page.rfind("<script>");
            html.str(page.substr(0, at) + section->html + page.substr(at));
            md << section->md;
            csv << section->csv;
        }
    }
    if (s.contains("population_grid")) {
        population_grid_section(s, fr, html, md, csv);
    }
    if (s.contains("access")) {
        // Before the closing script of the page, as the comparison below.
        const std::string section = access_section(o.run_dir, s.at("access"), fr, md, csv);
        if (!section.empty()) {
            const std::string page = html.str();
            const auto at = page.rfind("<script>");
            html.str(page.substr(0, at) + section + page.substr(at));
        }
    }
    if (s.contains("suggest")) {
        const std::string section = suggest_section(s.at("suggest"), threshold_km, fr, md, csv);
        const std::string page = html.str();
        const auto at = page.rfind("<script>");
        html.str(page.substr(0, at) + section + page.substr(at));
    }
    if (previous) {
        // Sites matched by id.
        std::map<std::string, const Site*> before_sites;
        std::map<std::string, const Site*> after_sites;
        for (const auto& x : previous->sites) {
            before_sites[x.id] = &x;
        }
        for (const auto& x : run.sites) {
            after_sites[x.id] = &x;
        }
        std::vector<std::string> opened;
        std::vector<std::string> closed;
        std::vector<std::string> moved;
        for (const auto& [id, x] : after_sites) {
            const auto it = before_sites.find(id);
            if (it == before_sites.end()) {
                opened.push_back(x->name.empty() ? id : x->name);
            } else if (geo::geodesic_distance_m(it->second->position, x->position) > 100.0) {
                moved.push_back(x->name.empty() ? id : x->name);
            }
        }
        for (const auto& [id, x] : before_sites) {
            if (!after_sites.contains(id)) {
                closed.push_back(x->name.empty() ? id : x->name);
            }
        }
        // Communes matched by id: those whose mean distance moved by more than 1 km.
        std::map<std::string, const Zone*> before_zones;
        for (const auto& z : previous->zones) {
            before_zones[z.id] = &z;
        }
        double pop_rose = 0.0;
        double pop_fell = 0.0;
        std::vector<std::tuple<double, std::string, double, double>> changed;
        for (const auto& z : run.zones) {
            const auto it = before_zones.find(z.id);
            if (it == before_zones.end()) {
                continue;
            }
            const double delta = z.mean_km - it->second->mean_km;
            if (delta > 1.0) {
                pop_rose += z.population;
            } else if (delta < -1.0) {
                pop_fell += z.population;
            }
            if (std::abs(delta) > 1.0) {
                changed.emplace_back(-z.population, z.name, it->second->mean_km, z.mean_km);
            }
        }
        std::sort(changed.begin(), changed.end());
        csv << "sites_opened,," << opened.size() << ",\nsites_closed,," << closed.size()
            << ",\nsites_moved,," << moved.size() << ",\npopulation_mean_km_rose_1km,,"
            << plain(pop_rose, 0) << ",\npopulation_mean_km_fell_1km,," << plain(pop_fell, 0)
            << ",\n";
        auto names = [](const std::vector<std::string>& v) {
            std::string out;
            for (std::size_t i = 0; i < v.size() && i < 20; ++i) {
                out += (i == 0 ? "" : ", ") + v[i];
            }
            if (v.size() > 20) {
                out += ", …";
            }
            return out.empty() ? std::string("—") : out;
        };
        std::ostringstream c;
        c << "<h2>" << esc(t.changes) << "</h2>\n<ul id=\"changes\">\n<li>" << esc(t.opened) << " ("
          << opened.size() << ") : " << esc(names(opened)) << "</li>\n<li>" << esc(t.closed) << " ("
          << closed.size() << ") : " << esc(names(closed)) << "</li>\n<li>" << esc(t.moved) << " ("
          << moved.size() << ") : " << esc(names(moved)) << "</li>\n<li>" << esc(t.rose) << " : "
          << esc(fmt(pop_rose, 0, fr)) << "</li>\n<li>" << esc(t.fell) << " : "
          << esc(fmt(pop_fell, 0, fr)) << "</li>\n</ul>\n<table id=\"changed\">\n<thead><tr><th>"
          << esc(t.commune) << "</th><th>" << esc(t.population) << "</th><th>" << esc(t.before)
          << " (km)</th><th>" << esc(t.after) << " (km)</th></tr></thead>\n<tbody>\n";
        for (std::size_t i = 0; i < changed.size() && i < 20; ++i) {
            const auto& [neg, name, was, now] = changed[i];
            c << "<tr><td>" << esc(name) << "</td><td class=\"n\" data-v=\"" << -neg << "\">"
              << esc(fmt(-neg, 0, fr)) << "</td><td class=\"n\" data-v=\"" << was << "\">"
              << esc(fmt(was, 1, fr)) << "</td><td class=\"n\" data-v=\"" << now << "\">"
              << esc(fmt(now, 1, fr)) << "</td></tr>\n";
        }
        c << "</tbody></table>\n<table id=\"groups-compared\">\n<thead><tr><th>" << esc(t.group)
          << "</th><th>" << esc(t.mean) << ", " << esc(t.before) << "</th><th>" << esc(t.mean)
          << ", " << esc(t.after) << "</th><th>" << esc(t.share_beyond) << ", " << esc(t.before)
          << "</th><th>" << esc(t.share_beyond) << ", " << esc(t.after)
          << "</th></tr></thead>\n<tbody>\n";
        std::map<std::string, json> before_groups;
        for (const auto& g : previous->summary.at("by_group")) {
            before_groups[g.at("group").get<std::string>()] = g;
        }
        md << "\n## " << t.changes << "\n\n- " << t.opened << " (" << opened.size()
           << ") : " << names(opened) << "\n- " << t.closed << " (" << closed.size()
           << ") : " << names(closed) << "\n- " << t.moved << " (" << moved.size()
           << ") : " << names(moved) << "\n- " << t.rose << " : " << fmt(pop_rose, 0, fr) << "\n- "
           << t.fell << " : " << fmt(pop_fell, 0, fr) << "\n\n| " << t.group << " | " << t.mean
           << ", " << t.before << " | " << t.mean << ", " << t.after << " | " << t.share_beyond
           << ", " << t.before << " | " << t.share_beyond << ", " << t.after
           << " |\n|---|---:|---:|---:|---:|\n";
        for (const auto& g : groups) {
            const auto it = before_groups.find(g.group);
            const double was_mean =
                it != before_groups.end() ? it->second.at("mean_km").get<double>() : NAN;
            const double was_share = it != before_groups.end()
                                         ? 100.0 * it->second.at("share_beyond").get<double>()
                                         : NAN;
            c << "<tr><td>" << esc(g.group) << "</td><td class=\"n\">" << esc(fmt(was_mean, 1, fr))
              << "</td><td class=\"n\">" << esc(fmt(g.mean_km, 1, fr)) << "</td><td class=\"n\">"
              << esc(fmt(was_share, 1, fr)) << "</td><td class=\"n\">"
              << esc(fmt(g.share_pct, 1, fr)) << "</td></tr>\n";
            md << "| " << g.group << " | " << fmt(was_mean, 1, fr) << " | " << fmt(g.mean_km, 1, fr)
               << " | " << fmt(was_share, 1, fr) << " | " << fmt(g.share_pct, 1, fr) << " |\n";
            csv << "group_mean_km_previous," << g.group << ',' << plain(was_mean, 4) << ",km\n";
        }
        c << "</tbody></table>\n";
        // Before the closing script of the page.
        const std::string page = html.str();
        const auto at = page.rfind("<script>");
        html.str(page.substr(0, at) + c.str() + page.substr(at));
    }
    // A run folder of `maillage whatif`: its section, before the closing script too.
    if (const auto wi = whatif_section(
            o.run_dir, s, fr, [fr](double v, int decimals) { return fmt(v, decimals, fr); })) {
        const std::string page = html.str();
        const auto at = page.rfind("<script>");
        html.str(page.substr(0, at) + wi->html + page.substr(at));
        md << wi->md;
        csv << wi->csv;
    }
    write_file(out, "index.html", html.str());
    write_file(out, "report.md", md.str());
    write_file(out, "map.svg", map);
    write_file(out, "coverage.svg", curve);
    write_file(out, "figures.csv", csv.str());
    out.commit();
}

} // namespace maillage::report
