#include "maillage/output/styles.hpp"
#include "maillage/core/format.hpp"

#include <array>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <tuple>

namespace maillage::output {
namespace {

/// "#rrggbb" as QGIS's "r,g,b,255".
std::string qgis_colour(const char* hex) {
    const unsigned long v = std::strtoul(hex + 1, nullptr, 16);
    return std::to_string((v >> 16) & 0xff) + "," + std::to_string((v >> 8) & 0xff) + "," +
           std::to_string(v & 0xff) + ",255";
}

std::string number(double v) { return core::format_number(v, 6); }

std::string header() {
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
           "<qgis version=\"3.22.16\" styleCategories=\"Symbology\">\n";
}

std::string option(const char* name, const std::string& value) {
    return std::string("        <Option type=\"QString\" name=\"") + name + "\" value=\"" +
           xml_escape(value) + "\"/>\n";
}

std::string fill_symbol(const std::string& name, const std::string& colour,
                        const std::string& outline, double outline_mm, const std::string& style) {
    return "    <symbol type=\"fill\" name=\"" + name +
           "\" alpha=\"1\" clip_to_extent=\"1\" force_rhr=\"0\">\n"
           "      <layer class=\"SimpleFill\" enabled=\"1\" locked=\"0\" pass=\"0\">\n"
           "       <Option type=\"Map\">\n" +
           option("color", colour) + option("outline_color", outline) +
           option("outline_style", "solid") + option("outline_width", number(outline_mm)) +
           option("outline_width_unit", "MM") + option("style", style) +
           "       </Option>\n      </layer>\n    </symbol>\n";
}

/// A circle marker; with `shape_expression`, its shape is data-defined by that QGIS expression.
std::string marker_symbol(const std::string& name, const std::string& colour,
                          const std::string& shape_expression = {}) {
    std::string data_defined;
    if (!shape_expression.empty()) {
        data_defined = "       <data_defined_properties>\n        <Option type=\"Map\">\n" +
                       option("name", "") +
                       "         <Option type=\"Map\" name=\"properties\">\n"
                       "          <Option type=\"Map\" name=\"name\">\n"
                       "           <Option value=\"true\" type=\"bool\" name=\"active\"/>\n" +
                       option("expression", shape_expression) +
                       "           <Option value=\"3\" type=\"int\" name=\"type\"/>\n"
                       "          </Option>\n         </Option>\n" +
                       option("type", "collection") +
                       "        </Option>\n"
                       "       </data_defined_properties>\n";
    }
    return "    <symbol type=\"marker\" name=\"" + name +
           "\" alpha=\"1\" clip_to_extent=\"1\" force_rhr=\"0\">\n"
           "      <layer class=\"SimpleMarker\" enabled=\"1\" locked=\"0\" pass=\"0\">\n"
           "       <Option type=\"Map\">\n" +
           option("color", colour) + option("name", "circle") +
           option("outline_color", "35,35,35,255") + option("outline_width", "0.2") +
           option("outline_width_unit", "MM") + option("size", "2.4") + option("size_unit", "MM") +
           "       </Option>\n" + data_defined + "      </layer>\n    </symbol>\n";
}

} // namespace

const std::array<const char*, 6>& distance_class_colours() {
    static const std::array<const char*, 6> colours = {"#1a9850", "#91cf60", "#d9ef8b",
                                                       "#fee08b", "#fc8d59", "#d73027"};
    return colours;
}

const std::array<const char*, 12>& network_colours() {
    static const std::array<const char*, 12> colours = {"#e41a1c", "#377eb8", "#4daf4a", "#984ea3",
                                                        "#ff7f00", "#a65628", "#f781bf", "#1b9e77",
                                                        "#d95f02", "#7570b3", "#66a61e", "#e6ab02"};
    return colours;
}

std::string xml_escape(const std::string& s) {
    std::string out;
    for (char c : s) {
        switch (c) {
        case '&':
            out += "&amp;";
            break;
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '"':
            out += "&quot;";
            break;
        case '\'':
            out += "&apos;";
            break;
        default:
            out.push_back(c);
        }
    }
    return out;
}

std::vector<double> distance_breaks(double threshold_km) {
    const double t = threshold_km > 0 ? threshold_km : 20.0;
    return {0.0, t / 8, t / 4, t / 2, 3 * t / 4, t};
}

std::string zones_qml(double threshold_km) {
    const auto breaks = distance_breaks(threshold_km);
    std::ostringstream o;
    o << header()
      << "  <renderer-v2 type=\"graduatedSymbol\" attr=\"mean_km\" "
         "graduatedMethod=\"GraduatedColor\""
         " symbollevels=\"0\" enableorderby=\"0\" forceraster=\"0\">\n   <ranges>\n";
    for (std::size_t i = 0; i < breaks.size(); ++i) {
        const double lower = breaks[i];
        const double upper = i + 1 < breaks.size() ? breaks[i + 1] : 100000.0;
        const std::string label = i + 1 < breaks.size()
                                      ? number(lower) + " – " + number(upper) + " km"
                                      : "more than " + number(lower) + " km";
        o << "    <range lower=\"" << number(lower) << "\" upper=\"" << number(upper)
          << "\" symbol=\"" << i << "\" label=\"" << xml_escape(label) << "\" render=\"true\"/>\n";
    }
    o << "   </ranges>\n   <symbols>\n";
    for (std::size_t i = 0; i < breaks.size(); ++i) {
        o << fill_symbol(std::to_string(i), qgis_colour(distance_class_colours()[i]),
                         "255,255,255,255", 0.05, "solid");
    }
    o << "   </symbols>\n  </renderer-v2>\n</qgis>\n";
    return o.str();
}

std::string sites_qml(const std::vector<std::string>& types) {
    std::ostringstream o;
    o << header()
      << "  <renderer-v2 type=\"categorizedSymbol\" attr=\"type\" symbollevels=\"0\""
         " enableorderby=\"0\" forceraster=\"0\">\n   <categories>\n";
    for (std::size_t i = 0; i < types.size(); ++i) {
        o << "    <category value=\"" << xml_escape(types[i]) << "\" symbol=\"" << i
          << "\" label=\"" << xml_escape(types[i].empty() ? "(no type)" : types[i])
          << "\" render=\"true\"/>\n";
    }
    o << "   </categories>\n   <symbols>\n";
    for (std::size_t i = 0; i < types.size(); ++i) {
        // A site across the edge of the study area (a border site) is a diamond.
        o << marker_symbol(std::to_string(i),
                           qgis_colour(network_colours()[i % network_colours().size()]),
                           "if(\"in_study_area\" IS NOT NULL AND NOT \"in_study_area\", "
                           "'diamond', 'circle')");
    }
    o << "   </symbols>\n  </renderer-v2>\n</qgis>\n";
    return o.str();
}

std::string catchments_qml() {
    std::ostringstream o;
    o << header()
      << "  <renderer-v2 type=\"singleSymbol\" symbollevels=\"0\" enableorderby=\"0\" "
         "forceraster=\"0\">\n   <symbols>\n"
      << fill_symbol("0", "0,0,0,0", "49,54,149,255", 0.35, "no")
      << "   </symbols>\n  </renderer-v2>\n</qgis>\n";
    return o.str();
}

std::string underserved_qml() {
    std::ostringstream o;
    o << header()
      << "  <renderer-v2 type=\"singleSymbol\" symbollevels=\"0\" enableorderby=\"0\" "
         "forceraster=\"0\">\n   <symbols>\n"
      << fill_symbol("0", "215,48,39,255", "215,48,39,255", 0.4, "b_diagonal")
      << "   </symbols>\n  </renderer-v2>\n</qgis>\n";
    return o.str();
}

std::string distance_raster_qml(double threshold_km) {
    const double t = threshold_km > 0 ? threshold_km : 20.0;
    const std::array<std::pair<double, const char*>, 5> stops = {{{0.0, "#1a9850"},
                                                                  {t / 4, "#91cf60"},
                                                                  {t / 2, "#fee08b"},
                                                                  {t, "#d73027"},
                                                                  {2 * t, "#67001f"}}};
    std::ostringstream o;
    o << header()
      << "  <pipe>\n   <rasterrenderer type=\"singlebandpseudocolor\" band=\"1\" opacity=\"1\""
         " alphaBand=\"-1\" classificationMin=\"0\" classificationMax=\""
      << number(2 * t)
      << "\" nodataColor=\"\">\n    <rastershader>\n"
         "     <colorrampshader colorRampType=\"INTERPOLATED\" classificationMode=\"1\" clip=\"0\""
         " minimumValue=\"0\" maximumValue=\""
      << number(2 * t) << "\">\n";
    for (const auto& [value, colour] : stops) {
        o << "      <item alpha=\"255\" value=\"" << number(value) << "\" label=\"" << number(value)
          << " km\" color=\"" << colour << "\"/>\n";
    }
    o << "     </colorrampshader>\n    </rastershader>\n   </rasterrenderer>\n  </pipe>\n"
         "</qgis>\n";
    return o.str();
}

std::string whatif_zones_qml() {
    // ColorBrewer RdYlGn (7 classes), grey for no change.
    const std::array<std::tuple<double, double, const char*, const char*>, 7> classes = {{
        {-100000.0, -5.0, "#1a9850", "fell by more than 5 km"},
        {-5.0, -1.0, "#91cf60", "fell by 1 – 5 km"},
        {-1.0, -0.00005, "#d9ef8b", "fell by less than 1 km"},
        {-0.00005, 0.00005, "#bdbdbd", "unchanged"},
        {0.00005, 1.0, "#fee08b", "rose by less than 1 km"},
        {1.0, 5.0, "#fc8d59", "rose by 1 – 5 km"},
        {5.0, 100000.0, "#d73027", "rose by more than 5 km"},
    }};
    std::ostringstream o;
    o << header()
      << "  <renderer-v2 type=\"graduatedSymbol\" attr=\"delta_km\" "
         "graduatedMethod=\"GraduatedColor\""
         " symbollevels=\"0\" enableorderby=\"0\" forceraster=\"0\">\n   <ranges>\n";
    for (std::size_t i = 0; i < classes.size(); ++i) {
        const auto& [lower, upper, colour, label] = classes[i];
        o << "    <range lower=\"" << number(lower) << "\" upper=\"" << number(upper)
          << "\" symbol=\"" << i << "\" label=\"" << xml_escape(label) << "\" render=\"true\"/>\n";
    }
    o << "   </ranges>\n   <symbols>\n";
    for (std::size_t i = 0; i < classes.size(); ++i) {
        o << fill_symbol(std::to_string(i), qgis_colour(std::get<2>(classes[i])), "255,255,255,255",
                         0.05, "solid");
    }
    o << "   </symbols>\n  </renderer-v2>\n</qgis>\n";
    return o.str();
}

std::string whatif_sites_qml() {
    const std::array<std::pair<const char*, const char*>, 3> statuses = {
        {{"closed", "#d73027"}, {"opened", "#2166ac"}, {"kept", "#969696"}}};
    std::ostringstream o;
    o << header()
      << "  <renderer-v2 type=\"categorizedSymbol\" attr=\"status\" symbollevels=\"1\""
         " enableorderby=\"0\" forceraster=\"0\">\n   <categories>\n";
    for (std::size_t i = 0; i < statuses.size(); ++i) {
        o << "    <category value=\"" << statuses[i].first << "\" symbol=\"" << i << "\" label=\""
          << statuses[i].first << "\" render=\"true\"/>\n";
    }
    o << "   </categories>\n   <symbols>\n";
    // Symbol levels: the closed and opened sites are drawn above the kept ones (often at the
    // same place).
    for (std::size_t i = 0; i < statuses.size(); ++i) {
        auto symbol = marker_symbol(std::to_string(i), qgis_colour(statuses[i].second));
        if (i < 2) {
            symbol.replace(symbol.find("pass=\"0\""), 8, "pass=\"1\"");
        }
        o << symbol;
    }
    o << "   </symbols>\n  </renderer-v2>\n</qgis>\n";
    return o.str();
}

} // namespace maillage::output

namespace maillage::output {
namespace {

/// The body of a QML document (what lies between <qgis ...> and </qgis>).
std::string qml_body(const std::string& qml) {
    const auto open = qml.find("<qgis");
    const auto start = qml.find('>', open);
    const auto end = qml.rfind("</qgis>");
    if (open == std::string::npos || start == std::string::npos || end == std::string::npos) {
        return {};
    }
    return qml.substr(start + 1, end - start - 1);
}

} // namespace

std::string spatialrefsys(const ProjectCrs& crs, const std::string& indent) {
    return indent + "<spatialrefsys>\n" + indent + " <wkt>" + xml_escape(crs.wkt) + "</wkt>\n" +
           indent + " <proj4>" + xml_escape(crs.proj4) + "</proj4>\n" + indent + " <authid>" +
           xml_escape(crs.authid) + "</authid>\n" + indent + "</spatialrefsys>\n";
}

std::string qgis_project(const std::string& title, const ProjectCrs& crs,
                         const std::vector<ProjectLayer>& layers) {
    std::ostringstream o;
    o << "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
      << "<qgis projectname=\"" << xml_escape(title) << "\" version=\"3.22.16\">\n"
      << " <homePath path=\"\"/>\n <title>" << xml_escape(title) << "</title>\n"
      << " <projectCrs>\n"
      << spatialrefsys(crs, "  ") << " </projectCrs>\n"
      << " <layer-tree-group>\n  <customproperties/>\n";
    for (std::size_t i = 0; i < layers.size(); ++i) {
        const auto& l = layers[i];
        o << "  <layer-tree-layer id=\"maillage_layer_" << i << "\" name=\"" << xml_escape(l.name)
          << "\" source=\"" << xml_escape(l.source) << "\" providerKey=\""
          << (l.type == "raster" ? "gdal" : "ogr")
          << "\" checked=\"Qt::Checked\" expanded=\"1\">\n   <customproperties/>\n"
          << "  </layer-tree-layer>\n";
    }
    o << " </layer-tree-group>\n <projectlayers>\n";
    // Layer ids: QGIS keeps an id only if it is longer than 10 characters.
    for (std::size_t i = 0; i < layers.size(); ++i) {
        const auto& l = layers[i];
        o << "  <maplayer type=\"" << l.type << "\"";
        if (l.type == "vector") {
            o << " geometry=\"" << l.geometry << "\"";
        }
        o << ">\n   <id>maillage_layer_" << i << "</id>\n   <datasource>" << xml_escape(l.source)
          << "</datasource>\n   <layername>" << xml_escape(l.name) << "</layername>\n";
        o << "   <srs>\n" << spatialrefsys(l.crs, "    ") << "   </srs>\n";
        o << "   <provider encoding=\"UTF-8\">" << (l.type == "raster" ? "gdal" : "ogr")
          << "</provider>\n"
          << qml_body(l.style_qml) << "  </maplayer>\n";
    }
    o << " </projectlayers>\n <layerorder>\n";
    for (std::size_t i = 0; i < layers.size(); ++i) {
        o << "  <layer id=\"maillage_layer_" << i << "\"/>\n";
    }
    // QGIS applies <projectCrs> only when the project says projections are enabled.
    o << " </layerorder>\n <properties>\n  <Paths>\n   <Absolute type=\"bool\">false</Absolute>\n"
      << "  </Paths>\n  <SpatialRefSys>\n   <ProjectionsEnabled "
         "type=\"int\">1</ProjectionsEnabled>\n"
      << "  </SpatialRefSys>\n </properties>\n</qgis>\n";
    return o.str();
}

} // namespace maillage::output
