#include "maillage/report/styles.hpp"

#include <array>
#include <cstdio>
#include <sstream>

namespace maillage::report {
namespace {

// ColorBrewer RdYlGn (6 classes), reversed: near is green, far is red.
constexpr std::array<const char*, 6> distance_colours = {"26,152,80,255",   "145,207,96,255",
                                                         "217,239,139,255", "254,224,139,255",
                                                         "252,141,89,255",  "215,48,39,255"};

// ColorBrewer Set1 and Dark2: distinct colours for the networks.
constexpr std::array<const char*, 12> category_colours = {
    "228,26,28,255", "55,126,184,255",  "77,175,74,255",   "152,78,163,255",
    "255,127,0,255", "166,86,40,255",   "247,129,191,255", "27,158,119,255",
    "217,95,2,255",  "117,112,179,255", "102,166,30,255",  "230,171,2,255"};

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

std::string number(double v) {
    std::array<char, 32> buf{};
    std::snprintf(buf.data(), buf.size(), "%.6g", v);
    return buf.data();
}

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

std::string marker_symbol(const std::string& name, const std::string& colour) {
    return "    <symbol type=\"marker\" name=\"" + name +
           "\" alpha=\"1\" clip_to_extent=\"1\" force_rhr=\"0\">\n"
           "      <layer class=\"SimpleMarker\" enabled=\"1\" locked=\"0\" pass=\"0\">\n"
           "       <Option type=\"Map\">\n" +
           option("color", colour) + option("name", "circle") +
           option("outline_color", "35,35,35,255") + option("outline_width", "0.2") +
           option("outline_width_unit", "MM") + option("size", "2.4") + option("size_unit", "MM") +
           "       </Option>\n      </layer>\n    </symbol>\n";
}

} // namespace

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
        o << fill_symbol(std::to_string(i), distance_colours[i], "255,255,255,255", 0.05, "solid");
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
        o << marker_symbol(std::to_string(i), category_colours[i % category_colours.size()]);
    }
    o << "   </symbols>\n  </renderer-v2>\n</qgis>\n";
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

} // namespace maillage::report
