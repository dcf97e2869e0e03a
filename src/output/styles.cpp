#include "maillage/output/styles.hpp"
#include "maillage/core/format.hpp"
#include "maillage/model/networks.hpp"
#include "maillage/model/schema.hpp"

#include <array>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <sstream>
#include <tuple>
#include <utility>

namespace maillage::output {
namespace {

/// "#rrggbb" as QGIS's "r,g,b,255".
std::string qgis_colour(const char* hex) {
    const unsigned long v = std::strtoul(hex + 1, nullptr, 16);
    return std::to_string((v >> 16) & 0xff) + "," + std::to_string((v >> 8) & 0xff) + "," +
           std::to_string(v & 0xff) + ",255";
}

std::string number(double v) { return core::format_number(v, 6); }

/// The root of a QML document; every category (symbology, labels, field aliases) is in it.
std::string header(bool labels = false) {
    return std::string("<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
                       "<qgis version=\"3.22.16\" styleCategories=\"AllStyleCategories\"") +
           (labels ? " labelsEnabled=\"1\"" : "") + ">\n";
}

std::string option(const char* name, const std::string& value) {
    return std::string("        <Option type=\"QString\" name=\"") + name + "\" value=\"" +
           xml_escape(value) + "\"/>\n";
}

/// Data-defined properties of a symbol layer: name → QGIS expression.
std::string data_defined(const std::vector<std::pair<std::string, std::string>>& properties) {
    if (properties.empty()) {
        return {};
    }
    std::string out = "       <data_defined_properties>\n        <Option type=\"Map\">\n" +
                      option("name", "") + "         <Option type=\"Map\" name=\"properties\">\n";
    for (const auto& [name, expression] : properties) {
        out += "          <Option type=\"Map\" name=\"" + name +
               "\">\n"
               "           <Option value=\"true\" type=\"bool\" name=\"active\"/>\n" +
               option("expression", expression) +
               "           <Option value=\"3\" type=\"int\" name=\"type\"/>\n"
               "          </Option>\n";
    }
    return out + "         </Option>\n" + option("type", "collection") +
           "        </Option>\n       </data_defined_properties>\n";
}

std::string simple_fill_layer(const std::string& colour, const std::string& outline,
                              double outline_mm, const std::string& style) {
    return "      <layer class=\"SimpleFill\" enabled=\"1\" locked=\"0\" pass=\"0\">\n"
           "       <Option type=\"Map\">\n" +
           option("color", colour) + option("outline_color", outline) +
           option("outline_style", outline_mm > 0 ? "solid" : "no") +
           option("outline_width", number(outline_mm)) + option("outline_width_unit", "MM") +
           option("style", style) + "       </Option>\n      </layer>\n";
}

std::string fill_symbol(const std::string& name, const std::string& colour,
                        const std::string& outline, double outline_mm, const std::string& style) {
    return "    <symbol type=\"fill\" name=\"" + name +
           "\" alpha=\"1\" clip_to_extent=\"1\" force_rhr=\"0\">\n" +
           simple_fill_layer(colour, outline, outline_mm, style) + "    </symbol>\n";
}

/// A hatch of parallel lines at 45°, `distance_mm` apart, drawn with `colour` `width_mm` wide:
/// unlike a Qt brush pattern, it keeps its size in a PDF or a 300 dpi export.
std::string line_pattern_layer(const std::string& symbol, int index, const std::string& colour,
                               double width_mm, double distance_mm) {
    return "      <layer class=\"LinePatternFill\" enabled=\"1\" locked=\"0\" pass=\"0\">\n"
           "       <Option type=\"Map\">\n" +
           option("angle", "45") + option("color", colour) +
           option("distance", number(distance_mm)) + option("distance_unit", "MM") +
           option("line_width", number(width_mm)) + option("line_width_unit", "MM") +
           option("offset", "0") + option("offset_unit", "MM") +
           "       </Option>\n"
           "       <symbol type=\"line\" name=\"@" +
           symbol + "@" + std::to_string(index) +
           "\" alpha=\"1\" clip_to_extent=\"1\" force_rhr=\"0\">\n"
           "        <layer class=\"SimpleLine\" enabled=\"1\" locked=\"0\" pass=\"0\">\n"
           "         <Option type=\"Map\">\n" +
           option("capstyle", "flat") + option("line_color", colour) +
           option("line_style", "solid") + option("line_width", number(width_mm)) +
           option("line_width_unit", "MM") +
           "         </Option>\n        </layer>\n       </symbol>\n      </layer>\n";
}

std::string outline_layer(const std::string& colour, double width_mm) {
    return "      <layer class=\"SimpleLine\" enabled=\"1\" locked=\"0\" pass=\"0\">\n"
           "       <Option type=\"Map\">\n" +
           option("capstyle", "round") + option("joinstyle", "round") +
           option("line_color", colour) + option("line_style", "solid") +
           option("line_width", number(width_mm)) + option("line_width_unit", "MM") +
           "       </Option>\n      </layer>\n";
}

/// A marker; `properties` are data-defined properties of its symbol layer.
std::string marker_symbol(const std::string& name, const std::string& colour,
                          const std::string& shape = "circle", double size_mm = 2.4,
                          const std::vector<std::pair<std::string, std::string>>& properties = {}) {
    return "    <symbol type=\"marker\" name=\"" + name +
           "\" alpha=\"1\" clip_to_extent=\"1\" force_rhr=\"0\">\n"
           "      <layer class=\"SimpleMarker\" enabled=\"1\" locked=\"0\" pass=\"0\">\n"
           "       <Option type=\"Map\">\n" +
           option("color", colour) + option("name", shape) +
           option("outline_color", "35,35,35,255") + option("outline_width", "0.2") +
           option("outline_width_unit", "MM") + option("size", number(size_mm)) +
           option("size_unit", "MM") + "       </Option>\n" + data_defined(properties) +
           "      </layer>\n    </symbol>\n";
}

/// The <aliases> of a layer's fields (and of a GeoPackage's fid) in `lang`.
std::string aliases(std::vector<std::string> fields, const std::string& lang) {
    fields.insert(fields.begin(), "fid"); // the GeoPackage's primary key
    std::string out = "  <aliases>\n";
    for (std::size_t i = 0; i < fields.size(); ++i) {
        const auto alias = field_alias(fields[i], lang);
        if (!alias.empty()) {
            out += "   <alias field=\"" + xml_escape(fields[i]) + "\" index=\"" +
                   std::to_string(i) + "\" name=\"" + xml_escape(alias) + "\"/>\n";
        }
    }
    return out + "  </aliases>\n";
}

/// A graduated renderer on `field`: (lower, upper, colour, label) per class, thin white outline.
std::string
graduated(const std::string& field,
          const std::vector<std::tuple<double, double, std::string, std::string>>& classes) {
    std::ostringstream o;
    o << "  <renderer-v2 type=\"graduatedSymbol\" attr=\"" << field
      << "\" graduatedMethod=\"GraduatedColor\""
         " symbollevels=\"0\" enableorderby=\"0\" forceraster=\"0\">\n   <ranges>\n";
    for (std::size_t i = 0; i < classes.size(); ++i) {
        const auto& [lower, upper, colour, label] = classes[i];
        o << "    <range lower=\"" << number(lower) << "\" upper=\"" << number(upper)
          << "\" symbol=\"" << i << "\" label=\"" << xml_escape(label) << "\" render=\"true\"/>\n";
    }
    o << "   </ranges>\n   <symbols>\n";
    for (std::size_t i = 0; i < classes.size(); ++i) {
        o << fill_symbol(std::to_string(i), qgis_colour(std::get<2>(classes[i]).c_str()),
                         "255,255,255,255", 0.05, "solid");
    }
    o << "   </symbols>\n  </renderer-v2>\n";
    return o.str();
}

std::string single_symbol(const std::string& symbol) {
    return "  <renderer-v2 type=\"singleSymbol\" symbollevels=\"0\" enableorderby=\"0\" "
           "forceraster=\"0\">\n   <symbols>\n" +
           symbol + "   </symbols>\n  </renderer-v2>\n";
}

/// A pseudocolour raster renderer on band 1 with interpolated (value, colour, label) stops.
std::string raster_ramp(const std::vector<std::tuple<double, const char*, std::string>>& stops) {
    const double max = std::get<0>(stops.back());
    std::ostringstream o;
    o << "  <pipe>\n   <rasterrenderer type=\"singlebandpseudocolor\" band=\"1\" opacity=\"1\""
         " alphaBand=\"-1\" classificationMin=\"0\" classificationMax=\""
      << number(max)
      << "\" nodataColor=\"\">\n    <rastershader>\n"
         "     <colorrampshader colorRampType=\"INTERPOLATED\" classificationMode=\"1\" clip=\"0\""
         " minimumValue=\"0\" maximumValue=\""
      << number(max) << "\">\n";
    for (const auto& [value, colour, label] : stops) {
        o << "      <item alpha=\"255\" value=\"" << number(value) << "\" label=\""
          << xml_escape(label) << "\" color=\"" << colour << "\"/>\n";
    }
    o << "     </colorrampshader>\n    </rastershader>\n   </rasterrenderer>\n  </pipe>\n";
    return o.str();
}

using Aliases = std::map<std::string, std::pair<const char*, const char*>>;

/// The French and English titles of the fields of maillage's layers (model/schema.hpp).
const Aliases& alias_table() {
    static const Aliases table = {
        {"fid", {"Identifiant (GeoPackage)", "Id (GeoPackage)"}},
        {"zone_id", {"Code de la zone", "Zone code"}},
        {"name", {"Nom", "Name"}},
        {"population", {"Population", "Population"}},
        {"group", {"Département (groupe)", "Department (group)"}},
        {"group_code", {"Département (groupe)", "Department (group)"}}, // its name from issue 13
        {"code", {"Code", "Code"}},
        {"zones", {"Nombre de zones", "Number of zones"}},
        {"ref_lon", {"Longitude du point de référence", "Reference point longitude"}},
        {"ref_lat", {"Latitude du point de référence", "Reference point latitude"}},
        {"nearest_site_id", {"Site le plus proche (identifiant)", "Nearest site (id)"}},
        {"nearest_site_name", {"Site le plus proche", "Nearest site"}},
        {"nearest_site", {"Site le plus proche", "Nearest site"}},
        {"nearest_km",
         {"Distance au site le plus proche (km)", "Distance to the nearest site (km)"}},
        {"mean_km",
         {"Distance moyenne des habitants (km)", "Mean distance of the inhabitants (km)"}},
        {"max_km", {"Distance maximale (km)", "Maximum distance (km)"}},
        {"pop_beyond", {"Habitants au-delà du seuil", "Inhabitants beyond the threshold"}},
        {"share_beyond",
         {"Part des habitants au-delà du seuil", "Share of inhabitants beyond the threshold"}},
        {"sites_within", {"Sites à moins du seuil", "Sites within the threshold"}},
        {"underserved", {"Mal desservie", "Underserved"}},
        {"population_layer",
         {"Population de la couche des zones", "Population of the zones layer"}},
        {"population_diff", {"Écart grille − couche", "Grid minus layer"}},
        {"site_id", {"Identifiant du site", "Site id"}},
        {"type", {"Réseau", "Network"}},
        {"catchment_population",
         {"Population desservie (site le plus proche)", "Population served (nearest site)"}},
        {"catchment_zones", {"Zones desservies", "Zones served"}},
        {"nearest_other_km", {"Distance au site voisin (km)", "Distance to the next site (km)"}},
        {"in_study_area", {"Dans la zone d'étude", "In the study area"}},
        {"source", {"Fichier source", "Source file"}},
        {"part", {"Partie", "Part"}},
        {"area_km2", {"Surface (km²)", "Area (km²)"}},
        {"cells", {"Cellules de la grille", "Grid cells"}},
        {"access", {"Accessibilité (pour 100 000 hab.)", "Accessibility (per 100,000 inh.)"}},
        {"access_ratio", {"Accessibilité / moyenne", "Accessibility / mean"}},
        {"access_below", {"Sous le seuil d'accessibilité", "Below the accessibility threshold"}},
        {"sites_in_reach", {"Sites à portée", "Sites in reach"}},
        {"capacity", {"Capacité", "Capacity"}},
        {"demand", {"Demande (population pondérée)", "Demand (weighted population)"}},
        {"demand_context", {"Demande hors zone d'étude", "Demand outside the study area"}},
        {"ratio", {"Offre / demande (pour 100 000 hab.)", "Supply / demand (per 100,000 inh.)"}},
        {"reached", {"Atteint", "Reached"}},
        {"delta_km", {"Variation de la distance moyenne (km)", "Change of the mean distance (km)"}},
        {"change", {"Changement", "Change"}},
        {"pop_moved", {"Habitants changeant de site", "Inhabitants changing site"}},
        {"pop_newly_beyond",
         {"Habitants passant au-delà du seuil", "Inhabitants newly beyond the threshold"}},
        {"pop_back_within",
         {"Habitants revenant sous le seuil", "Inhabitants back within the threshold"}},
        {"status", {"Statut", "Status"}},
        {"catchment", {"Population desservie", "Population served"}},
        {"catchment_change",
         {"Variation de la population desservie", "Change of the population served"}},
        {"rank", {"Rang", "Rank"}},
        {"candidate_id", {"Candidat", "Candidate"}},
        {"zone_name", {"Zone", "Zone"}},
        {"newly_covered", {"Habitants nouvellement couverts", "Inhabitants newly covered"}},
        {"covered_share", {"Part couverte", "Share covered"}},
        {"covered", {"Habitants couverts", "Inhabitants covered"}},
        {"gain", {"Gain de l'objectif", "Gain of the objective"}},
        {"lon", {"Longitude", "Longitude"}},
        {"lat", {"Latitude", "Latitude"}},
        {"population_beyond", {"Habitants au-delà du seuil", "Inhabitants beyond the threshold"}},
        {"mean_km_drop", {"Baisse de la distance moyenne (km)", "Drop of the mean distance (km)"}},
    };
    return table;
}

} // namespace

const char* tr(const std::string& lang, const char* fr, const char* en) {
    return lang == "fr" ? fr : en;
}

std::string legend_number(double v, const std::string& lang) {
    auto s = number(v);
    if (lang == "fr") {
        for (auto& c : s) {
            c = c == '.' ? ',' : c;
        }
    }
    return s;
}

std::string field_alias(const std::string& field, const std::string& lang) {
    const auto& table = alias_table();
    const bool fr = lang == "fr";
    if (const auto it = table.find(field); it != table.end()) {
        return fr ? it->second.first : it->second.second;
    }
    // FIELD_before / FIELD_after (whatif)
    for (const auto& [suffix, fr_word, en_word] :
         {std::tuple{std::string("_before"), " (avant)", " (before)"},
          std::tuple{std::string("_after"), " (après)", " (after)"}}) {
        if (field.size() > suffix.size() &&
            field.compare(field.size() - suffix.size(), suffix.size(), suffix) == 0) {
            const auto base = field_alias(field.substr(0, field.size() - suffix.size()), lang);
            if (!base.empty()) {
                return base + (fr ? fr_word : en_word);
            }
        }
    }
    // nearest_km_KEY, mean_km_KEY (analyse --by-type)
    for (const auto& prefix : {std::string(model::schema::zones::nearest_km_prefix),
                               std::string(model::schema::zones::mean_km_prefix)}) {
        if (field.size() > prefix.size() && field.compare(0, prefix.size(), prefix) == 0) {
            const auto key = field.substr(prefix.size());
            const auto label = model::network_label(key, "", lang);
            const bool nearest = prefix == model::schema::zones::nearest_km_prefix;
            return std::string(nearest
                                   ? tr(lang, "Distance au plus proche", "Distance to the nearest")
                                   : tr(lang, "Distance moyenne", "Mean distance")) +
                   tr(lang, " : ", ": ") + label + " (km)";
        }
    }
    return {};
}

const std::array<const char*, 6>& distance_class_colours() {
    static const std::array<const char*, 6> colours = {"#1a9850", "#91cf60", "#d9ef8b",
                                                       "#fee08b", "#fc8d59", "#d73027"};
    return colours;
}

std::vector<double> distance_breaks(double threshold_km) {
    const double t = threshold_km > 0 ? threshold_km : 20.0;
    return {0.0, t / 8, t / 4, t / 2, 3 * t / 4, t};
}

std::string zones_qml(double threshold_km, const std::string& lang,
                      const std::vector<std::string>& type_keys) {
    namespace f = model::schema::zones;
    const auto breaks = distance_breaks(threshold_km);
    std::vector<std::tuple<double, double, std::string, std::string>> classes;
    for (std::size_t i = 0; i < breaks.size(); ++i) {
        const double lower = breaks[i];
        const bool last = i + 1 == breaks.size();
        const double upper = last ? 100000.0 : breaks[i + 1];
        const std::string label =
            last ? tr(lang, "plus de ", "more than ") + legend_number(lower, lang) + " km"
                 : legend_number(lower, lang) + " – " + legend_number(upper, lang) + " km";
        classes.emplace_back(lower, upper, distance_class_colours()[i], label);
    }
    std::vector<std::string> fields{
        f::zone_id,      f::name,         f::population,      f::group,
        f::ref_lon,      f::ref_lat,      f::nearest_site_id, f::nearest_site_name,
        f::nearest_km,   f::mean_km,      f::max_km,          f::pop_beyond,
        f::share_beyond, f::sites_within, f::underserved};
    for (const auto& key : type_keys) {
        fields.push_back(f::nearest_km_prefix + key);
        fields.push_back(f::mean_km_prefix + key);
    }
    fields.emplace_back(f::population_layer);
    fields.emplace_back(f::population_diff);
    return header() + graduated(f::mean_km, classes) + aliases(fields, lang) + "</qgis>\n";
}

std::string sites_qml(const std::vector<NetworkStyle>& networks, const std::string& lang) {
    namespace f = model::schema::sites;
    std::ostringstream o;
    o << header()
      << "  <renderer-v2 type=\"categorizedSymbol\" attr=\"type\" symbollevels=\"0\""
         " enableorderby=\"0\" forceraster=\"0\">\n   <categories>\n";
    for (std::size_t i = 0; i < networks.size(); ++i) {
        o << "    <category value=\"" << xml_escape(networks[i].code) << "\" symbol=\"" << i
          << "\" label=\"" << xml_escape(networks[i].label) << "\" render=\"true\"/>\n";
    }
    o << "   </categories>\n   <symbols>\n";
    // A site across the edge of the study area (a border site) is hollow: white, outlined in its
    // network's colour (the shape keeps telling the network).
    const std::string border = "\"in_study_area\" IS NOT NULL AND NOT \"in_study_area\"";
    for (std::size_t i = 0; i < networks.size(); ++i) {
        const auto symbol = model::network_symbol(i);
        const auto colour = qgis_colour(symbol.colour);
        o << marker_symbol(
            std::to_string(i), colour, symbol.shape, 2.6,
            {{"fillColor", "if(" + border + ", '255,255,255,255', '" + colour + "')"},
             {"outlineColor", "if(" + border + ", '" + colour + "', '35,35,35,255')"},
             {"outlineWidth", "if(" + border + ", 0.6, 0.2)"}});
    }
    o << "   </symbols>\n  </renderer-v2>\n"
      << aliases({f::site_id, f::name, f::type, f::catchment_population, f::catchment_zones,
                  f::nearest_other_km, f::in_study_area, f::source},
                 lang)
      << "</qgis>\n";
    return o.str();
}

std::string catchments_qml(const std::string& lang) {
    namespace f = model::schema::catchments;
    return header() + single_symbol(fill_symbol("0", "0,0,0,0", "49,54,149,255", 0.35, "no")) +
           aliases({f::site_id, f::name, f::type, f::population, f::area_km2, f::mean_km, f::cells},
                   lang) +
           "</qgis>\n";
}

std::string underserved_qml(double threshold_km, const std::string& lang) {
    namespace f = model::schema::underserved;
    const double t = threshold_km > 0 ? threshold_km : 20.0;
    const std::string label =
        std::string(tr(lang, "Zone mal desservie (> ", "Underserved area (> ")) +
        legend_number(t, lang) + " km)";
    // A white line under a black one: the hatch shows over every class of the zones, the red one
    // included, and over the raster.
    const std::string symbol =
        "    <symbol type=\"fill\" name=\"0\" alpha=\"1\" clip_to_extent=\"1\" force_rhr=\"0\">\n" +
        line_pattern_layer("0", 0, "255,255,255,255", 0.9, 2.2) +
        line_pattern_layer("0", 1, "20,20,20,255", 0.35, 2.2) + outline_layer("20,20,20,255", 0.5) +
        "    </symbol>\n";
    // A single-category renderer so that the legend says what the hatch is.
    return header() +
           "  <renderer-v2 type=\"categorizedSymbol\" attr=\"'underserved'\" symbollevels=\"0\""
           " enableorderby=\"0\" forceraster=\"0\">\n   <categories>\n"
           "    <category value=\"underserved\" symbol=\"0\" label=\"" +
           xml_escape(label) + "\" render=\"true\"/>\n   </categories>\n   <symbols>\n" + symbol +
           "   </symbols>\n  </renderer-v2>\n" +
           aliases({f::part, f::area_km2, f::population, f::max_km}, lang) + "</qgis>\n";
}

std::string groups_qml(const std::string& lang) {
    namespace f = model::schema::groups;
    const std::string labeling =
        "  <labeling type=\"simple\">\n   <settings calloutType=\"simple\">\n"
        "    <text-style fieldName=\"name\" isExpression=\"0\" fontFamily=\"DejaVu Sans\""
        " fontSize=\"8\" fontSizeUnit=\"Point\" fontWeight=\"75\" fontItalic=\"0\""
        " textColor=\"30,30,30,255\" textOpacity=\"1\" namedStyle=\"Bold\">\n"
        "     <text-buffer bufferDraw=\"1\" bufferSize=\"0.8\" bufferSizeUnits=\"MM\""
        " bufferColor=\"255,255,255,255\" bufferOpacity=\"0.85\" bufferNoFill=\"1\""
        " bufferJoinStyle=\"128\"/>\n"
        "    </text-style>\n"
        "    <placement placement=\"1\" dist=\"0\" offsetType=\"0\" fitInPolygonOnly=\"0\"/>\n"
        "    <rendering obstacle=\"0\" displayAll=\"1\" upsidedownLabels=\"0\"/>\n"
        "   </settings>\n  </labeling>\n";
    return header(true) + single_symbol(fill_symbol("0", "0,0,0,0", "30,30,30,255", 0.7, "no")) +
           labeling + aliases({f::code, f::name, f::zones, f::population}, lang) + "</qgis>\n";
}

std::string distance_raster_qml(double threshold_km, const std::string& lang) {
    const double t = threshold_km > 0 ? threshold_km : 20.0;
    std::vector<std::tuple<double, const char*, std::string>> stops;
    for (const auto& [value, colour] :
         std::array<std::pair<double, const char*>, 5>{{{0.0, "#1a9850"},
                                                        {t / 4, "#91cf60"},
                                                        {t / 2, "#fee08b"},
                                                        {t, "#d73027"},
                                                        {2 * t, "#67001f"}}}) {
        stops.emplace_back(value, colour, legend_number(value, lang) + " km");
    }
    return header() + raster_ramp(stops) + "</qgis>\n";
}

std::string whatif_zones_qml(const std::string& lang) {
    namespace f = model::schema::whatif_zones;
    // ColorBrewer RdYlGn (7 classes), grey for no change.
    const std::vector<std::tuple<double, double, std::string, std::string>> classes = {
        {-100000.0, -5.0, "#1a9850", tr(lang, "baisse de plus de 5 km", "fell by more than 5 km")},
        {-5.0, -1.0, "#91cf60", tr(lang, "baisse de 1 à 5 km", "fell by 1 – 5 km")},
        {-1.0, -0.00005, "#d9ef8b", tr(lang, "baisse de moins de 1 km", "fell by less than 1 km")},
        {-0.00005, 0.00005, "#bdbdbd", tr(lang, "inchangée", "unchanged")},
        {0.00005, 1.0, "#fee08b", tr(lang, "hausse de moins de 1 km", "rose by less than 1 km")},
        {1.0, 5.0, "#fc8d59", tr(lang, "hausse de 1 à 5 km", "rose by 1 – 5 km")},
        {5.0, 100000.0, "#d73027", tr(lang, "hausse de plus de 5 km", "rose by more than 5 km")},
    };
    return header() + graduated(f::delta_km, classes) +
           aliases({f::zone_id,
                    f::name,
                    f::population,
                    f::group,
                    f::mean_km_before,
                    f::mean_km_after,
                    f::delta_km,
                    f::change,
                    f::max_km_before,
                    f::max_km_after,
                    f::nearest_site_before,
                    f::nearest_site_after,
                    f::nearest_km_before,
                    f::nearest_km_after,
                    f::sites_within_before,
                    f::sites_within_after,
                    f::pop_moved,
                    f::pop_beyond_before,
                    f::pop_beyond_after,
                    f::pop_newly_beyond,
                    f::pop_back_within},
                   lang) +
           "</qgis>\n";
}

std::string whatif_sites_qml(const std::string& lang) {
    namespace f = model::schema::whatif_sites;
    const std::array<std::tuple<const char*, const char*, const char*, const char*>, 3> statuses = {
        {{"closed", "#d73027", "fermé", "closed"},
         {"opened", "#2166ac", "ouvert", "opened"},
         {"kept", "#969696", "maintenu", "kept"}}};
    std::ostringstream o;
    o << header()
      << "  <renderer-v2 type=\"categorizedSymbol\" attr=\"status\" symbollevels=\"1\""
         " enableorderby=\"0\" forceraster=\"0\">\n   <categories>\n";
    for (std::size_t i = 0; i < statuses.size(); ++i) {
        const auto& [value, colour, fr, en] = statuses[i];
        o << "    <category value=\"" << value << "\" symbol=\"" << i << "\" label=\""
          << xml_escape(tr(lang, fr, en)) << "\" render=\"true\"/>\n";
    }
    o << "   </categories>\n   <symbols>\n";
    // Symbol levels: the closed and opened sites are drawn above the kept ones (often at the
    // same place).
    for (std::size_t i = 0; i < statuses.size(); ++i) {
        auto symbol = marker_symbol(std::to_string(i), qgis_colour(std::get<1>(statuses[i])));
        if (i < 2) {
            symbol.replace(symbol.find("pass=\"0\""), 8, "pass=\"1\"");
        }
        o << symbol;
    }
    o << "   </symbols>\n  </renderer-v2>\n"
      << aliases({f::site_id, f::name, f::type, f::status, f::catchment_before, f::catchment_after,
                  f::catchment_change, f::nearest_other_km},
                 lang)
      << "</qgis>\n";
    return o.str();
}

std::string access_zones_qml(const std::string& lang) {
    namespace f = model::schema::access_zones;
    // ColorBrewer PuOr: orange below the mean, purple above.
    const std::vector<std::tuple<double, double, std::string, std::string>> classes = {
        {0.0, 0.5, "#b35806", tr(lang, "moins de 0,5 × la moyenne", "less than 0.5 × the mean")},
        {0.5, 0.8, "#f1a340", tr(lang, "0,5 – 0,8 × la moyenne", "0.5 – 0.8 × the mean")},
        {0.8, 1.0, "#fee0b6", tr(lang, "0,8 – 1 × la moyenne", "0.8 – 1 × the mean")},
        {1.0, 1.25, "#d8daeb", tr(lang, "1 – 1,25 × la moyenne", "1 – 1.25 × the mean")},
        {1.25, 2.0, "#998ec3", tr(lang, "1,25 – 2 × la moyenne", "1.25 – 2 × the mean")},
        {2.0, 1e9, "#542788", tr(lang, "plus de 2 × la moyenne", "more than 2 × the mean")},
    };
    return header() + graduated(f::access_ratio, classes) +
           aliases({f::zone_id, f::name, f::population, f::group, f::ref_lon, f::ref_lat, f::access,
                    f::access_ratio, f::access_below, f::sites_in_reach},
                   lang) +
           "</qgis>\n";
}

std::string access_sites_qml(const std::string& lang) {
    namespace f = model::schema::access_sites;
    const std::string label = tr(lang, "Site (offre)", "Site (supply)");
    return header() +
           "  <renderer-v2 type=\"categorizedSymbol\" attr=\"'site'\" symbollevels=\"0\""
           " enableorderby=\"0\" forceraster=\"0\">\n   <categories>\n"
           "    <category value=\"site\" symbol=\"0\" label=\"" +
           xml_escape(label) + "\" render=\"true\"/>\n   </categories>\n   <symbols>\n" +
           marker_symbol("0", "0,114,178,255", "square", 2.4) +
           "   </symbols>\n  </renderer-v2>\n" +
           aliases({f::site_id, f::name, f::type, f::capacity, f::demand, f::demand_context,
                    f::ratio, f::reached},
                   lang) +
           "</qgis>\n";
}

std::string access_raster_qml(double max_index, const std::string& lang) {
    const double m = max_index > 0 ? max_index : 1.0;
    const std::string unit = tr(lang, " pour 100 000 hab.", " per 100,000 inh.");
    // Viridis, dark where access is poor.
    std::vector<std::tuple<double, const char*, std::string>> stops;
    for (const auto& [share, colour] :
         std::array<std::pair<double, const char*>, 5>{{{0.0, "#440154"},
                                                        {0.25, "#3b528b"},
                                                        {0.5, "#21918c"},
                                                        {0.75, "#5ec962"},
                                                        {1.0, "#fde725"}}}) {
        stops.emplace_back(m * share, colour,
                           legend_number(core::round_to(m * share, 2), lang) + unit);
    }
    return header() + raster_ramp(stops) + "</qgis>\n";
}

std::string suggested_sites_qml(const std::string& lang) {
    const std::string label = tr(lang, "Site proposé", "Suggested site");
    return header(true) +
           "  <renderer-v2 type=\"categorizedSymbol\" attr=\"'suggested'\" symbollevels=\"0\""
           " enableorderby=\"0\" forceraster=\"0\">\n   <categories>\n"
           "    <category value=\"suggested\" symbol=\"0\" label=\"" +
           xml_escape(label) + "\" render=\"true\"/>\n   </categories>\n   <symbols>\n" +
           marker_symbol("0", "204,121,167,255", "star", 5.0) +
           "   </symbols>\n  </renderer-v2>\n"
           "  <labeling type=\"simple\">\n   <settings calloutType=\"simple\">\n"
           "    <text-style fieldName=\"rank\" isExpression=\"0\" fontFamily=\"DejaVu Sans\""
           " fontSize=\"8\" fontSizeUnit=\"Point\" fontWeight=\"75\" textColor=\"0,0,0,255\""
           " textOpacity=\"1\">\n"
           "     <text-buffer bufferDraw=\"1\" bufferSize=\"0.8\" bufferSizeUnits=\"MM\""
           " bufferColor=\"255,255,255,255\" bufferOpacity=\"1\" bufferNoFill=\"1\""
           " bufferJoinStyle=\"128\"/>\n    </text-style>\n"
           "    <placement placement=\"0\" dist=\"1.5\" distUnits=\"MM\"/>\n"
           "   </settings>\n  </labeling>\n" +
           aliases({"rank", "candidate_id", "name", "zone_id", "zone_name", "lon", "lat", "gain",
                    "newly_covered", "covered", "covered_share", "population_beyond", "mean_km",
                    "mean_km_drop"},
                   lang) +
           "</qgis>\n";
}

} // namespace maillage::output
