// The QGIS project (.qgs) of a run: its layers, styled, and a print layout.

#include "maillage/core/format.hpp"
#include "maillage/output/styles.hpp"

#include <algorithm>
#include <sstream>

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

std::string provider_of(const ProjectLayer& l) {
    if (!l.provider.empty()) {
        return l.provider;
    }
    return l.type == "raster" ? "gdal" : "ogr";
}

std::string spatialrefsys(const ProjectCrs& crs, const std::string& indent) {
    return indent + "<spatialrefsys>\n" + indent + " <wkt>" + xml_escape(crs.wkt) + "</wkt>\n" +
           indent + " <proj4>" + xml_escape(crs.proj4) + "</proj4>\n" + indent + " <authid>" +
           xml_escape(crs.authid) + "</authid>\n" + indent + "</spatialrefsys>\n";
}

std::string num(double v) { return core::format_number(v, 6); }

/// Fixed ids of the layout's items (QGIS links the legend, scale bar and arrow to the map by it).
constexpr const char* map_uuid = "{6d61696c-6c61-6765-0000-000000000001}";

/// The attributes every layout item has: type, id, position and size on the page (mm).
std::string item_head(int type, const std::string& id, double x, double y, double w, double h,
                      int z) {
    std::ostringstream o;
    o << "   <LayoutItem type=\"" << type << "\" id=\"" << xml_escape(id)
      << "\" uuid=\"{6d61696c-6c61-6765-0000-00000000000" << z
      << "}\" templateUuid=\"{6d61696c-6c61-6765-0000-00000000000" << z << "}\" position=\""
      << num(x) << "," << num(y) << ",mm\" positionOnPage=\"" << num(x) << "," << num(y)
      << ",mm\" size=\"" << num(w) << "," << num(h) << ",mm\" zValue=\"" << z
      << "\" referencePoint=\"0\" positionLock=\"false\" visibility=\"1\" itemRotation=\"0\""
         " opacity=\"1\" blendMode=\"0\" groupUuid=\"\" excludeFromExports=\"0\""
         " outlineWidthM=\"0.3,mm\" frameJoinStyle=\"miter\"";
    return o.str();
}

std::string font(const char* element, int points, bool bold) {
    return std::string("    <") + element + " style=\"\" description=\"DejaVu Sans," +
           std::to_string(points) + ",-1,5," + (bold ? "75" : "50") + ",0,0,0,0,0\"/>\n";
}

std::string label_item(const std::string& id, const std::string& text, double x, double y, double w,
                       double h, int z, int points, bool bold) {
    return item_head(65641, id, x, y, w, h, z) + " labelText=\"" + xml_escape(text) +
           "\" htmlState=\"0\" marginX=\"0\" marginY=\"0\" halign=\"1\" valign=\"32\""
           " frame=\"false\" background=\"false\">\n" +
           font("LabelFont", points, bold) +
           "    <FontColor red=\"30\" green=\"30\" blue=\"30\" alpha=\"255\"/>\n"
           "   </LayoutItem>\n";
}

/// The map item: the project's layers as the layer tree shows them, over `extent`.
std::string map_item(const std::array<double, 4>& extent, double x, double y, double w, double h) {
    // Widen the extent to the item's proportions (QGIS would stretch it otherwise).
    double xmin = extent[0];
    double ymin = extent[1];
    double xmax = extent[2];
    double ymax = extent[3];
    const double margin = 0.02 * std::max(xmax - xmin, ymax - ymin);
    xmin -= margin;
    xmax += margin;
    ymin -= margin;
    ymax += margin;
    const double ratio = w / h;
    if ((xmax - xmin) / (ymax - ymin) < ratio) {
        const double half = 0.5 * (ymax - ymin) * ratio;
        const double cx = 0.5 * (xmin + xmax);
        xmin = cx - half;
        xmax = cx + half;
    } else {
        const double half = 0.5 * (xmax - xmin) / ratio;
        const double cy = 0.5 * (ymin + ymax);
        ymin = cy - half;
        ymax = cy + half;
    }
    std::ostringstream o;
    o << item_head(65639, "map", x, y, w, h, 1)
      << " keepLayerSet=\"false\" drawCanvasItems=\"true\" mapRotation=\"0\" followPreset=\"false\""
         " followPresetName=\"\" isTemporal=\"0\" mapFlags=\"0\" labelMargin=\"0,mm\""
         " frame=\"true\" background=\"true\">\n"
      << "    <FrameColor red=\"60\" green=\"60\" blue=\"60\" alpha=\"255\"/>\n"
      << "    <BackgroundColor red=\"255\" green=\"255\" blue=\"255\" alpha=\"255\"/>\n"
      << "    <Extent xmin=\"" << num(xmin) << "\" ymin=\"" << num(ymin) << "\" xmax=\""
      << num(xmax) << "\" ymax=\"" << num(ymax) << "\"/>\n"
      << "    <LayerSet/>\n   </LayoutItem>\n";
    return o.str();
}

std::string legend_item(const std::string& title, double x, double y, double w, double h) {
    return item_head(65642, "legend", x, y, w, h, 3) + " map_uuid=\"" + map_uuid + "\" title=\"" +
           xml_escape(title) +
           "\" resizeToContents=\"0\" legendFilterByMap=\"1\" legendFilterByAtlas=\"0\""
           " columnCount=\"1\" splitLayer=\"1\" equalColumnWidth=\"0\" symbolWidth=\"6\""
           " symbolHeight=\"3.5\" boxSpace=\"2\" columnSpace=\"3\" lineSpacing=\"0.5\""
           " symbolAlignment=\"1\" titleAlignment=\"1\" rasterBorder=\"1\" wrapChar=\"\""
           " fontColor=\"#1e1e1e\" frame=\"false\" background=\"true\">\n"
           "    <BackgroundColor red=\"255\" green=\"255\" blue=\"255\" alpha=\"255\"/>\n"
           "    <styles>\n"
           "     <style name=\"title\" alignment=\"1\" marginBottom=\"2\">\n " +
           font("styleFont", 11, true) +
           "     </style>\n"
           "     <style name=\"group\" alignment=\"1\" marginTop=\"2\">\n " +
           font("styleFont", 8, true) +
           "     </style>\n"
           "     <style name=\"subgroup\" alignment=\"1\" marginTop=\"1.5\">\n " +
           font("styleFont", 8, true) +
           "     </style>\n"
           "     <style name=\"symbol\" alignment=\"1\" marginTop=\"1\">\n " +
           font("styleFont", 7, false) +
           "     </style>\n"
           "     <style name=\"symbolLabel\" alignment=\"1\" marginTop=\"1\" "
           "marginLeft=\"1.5\">\n " +
           font("styleFont", 7, false) + "     </style>\n    </styles>\n   </LayoutItem>\n";
}

std::string scale_bar_item(double x, double y) {
    return item_head(65646, "scale bar", x, y, 60, 12, 4) + " mapUuid=\"" + map_uuid +
           "\" style=\"Single Box\" unitType=\"km\" unitLabel=\"km\""
           " numMapUnitsPerScaleBarUnit=\"1\" numSegments=\"2\" numSegmentsLeft=\"0\""
           " numSubdivisions=\"1\" subdivisionsHeight=\"1.5\" numUnitsPerSegment=\"25\""
           " segmentSizeMode=\"1\" minBarWidth=\"30\" maxBarWidth=\"55\" height=\"2.5\""
           " boxContentSpace=\"1\" labelBarSpace=\"2\" alignment=\"0\" outlineWidth=\"0.3\""
           " lineJoinStyle=\"miter\" lineCapStyle=\"square\" labelVerticalPlacement=\"0\""
           " labelHorizontalPlacement=\"0\" frame=\"false\" background=\"true\">\n"
           "    <BackgroundColor red=\"255\" green=\"255\" blue=\"255\" alpha=\"200\"/>\n"
           "    <text-style fontFamily=\"DejaVu Sans\" fontSize=\"8\" fontSizeUnit=\"Point\""
           " fontWeight=\"50\" textColor=\"0,0,0,255\" textOpacity=\"1\"/>\n"
           "   </LayoutItem>\n";
}

std::string north_arrow_item(double x, double y) {
    return item_head(65640, "north arrow", x, y, 10, 14, 5) + " mapUuid=\"" + map_uuid +
           "\" file=\"arrows/NorthArrow_02.svg\" mode=\"0\" resizeMode=\"0\" anchorPoint=\"0\""
           " northMode=\"0\" northOffset=\"0\" pictureRotation=\"0\" pictureWidth=\"10\""
           " pictureHeight=\"14\" svgFillColor=\"255,255,255,255\" svgBorderColor=\"0,0,0,255\""
           " svgBorderWidth=\"0.2\" frame=\"false\" background=\"false\">\n   </LayoutItem>\n";
}

} // namespace

std::string print_layout_xml(const PrintLayout& layout, const std::vector<ProjectLayer>& layers) {
    (void)layers; // the legend follows the project's layer tree (filtered by the map's content)
    std::ostringstream o;
    // A4 landscape, 297 x 210 mm: title and subtitle at the top, the map on the left, the
    // legend on the right, the sources at the bottom.
    o << " <Layouts>\n  <Layout name=\"" << xml_escape(layout.name)
      << "\" units=\"mm\" printResolution=\"300\" worldFileMap=\"\">\n"
      << "   <PageCollection>\n"
      << "   " << item_head(65638, "", 0, 0, 297, 210, 0)
      << " frame=\"false\" background=\"true\"/>\n   </PageCollection>\n"
      << label_item("title", layout.title, 10, 6, 277, 9, 6, 16, true)
      << label_item("subtitle", layout.subtitle, 10, 15, 277, 6, 7, 9, false)
      << map_item(layout.extent, 10, 23, 192, 165)
      << legend_item(tr(layout.lang, "Légende", "Legend"), 206, 23, 81, 165)
      << scale_bar_item(13, 173) << north_arrow_item(189, 26)
      << label_item("sources", layout.sources, 10, 191, 277, 14, 8, 7, false)
      << "  </Layout>\n </Layouts>\n";
    return o.str();
}

std::string qgis_project(const std::string& title, const ProjectCrs& crs,
                         const std::vector<ProjectLayer>& layers, const PrintLayout* layout) {
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
          << "\" source=\"" << xml_escape(l.source) << "\" providerKey=\"" << provider_of(l)
          << "\" checked=\"" << (l.visible ? "Qt::Checked" : "Qt::Unchecked") << "\" expanded=\""
          << (l.visible ? 1 : 0) << "\">\n   <customproperties/>\n"
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
        if (l.style_qml.find("labelsEnabled=\"1\"") != std::string::npos) {
            o << " labelsEnabled=\"1\"";
        }
        o << ">\n   <id>maillage_layer_" << i << "</id>\n   <datasource>" << xml_escape(l.source)
          << "</datasource>\n   <layername>" << xml_escape(l.name) << "</layername>\n";
        o << "   <srs>\n" << spatialrefsys(l.crs, "    ") << "   </srs>\n";
        o << "   <provider encoding=\"UTF-8\">" << provider_of(l) << "</provider>\n"
          << qml_body(l.style_qml) << "  </maplayer>\n";
    }
    o << " </projectlayers>\n <layerorder>\n";
    for (std::size_t i = 0; i < layers.size(); ++i) {
        o << "  <layer id=\"maillage_layer_" << i << "\"/>\n";
    }
    o << " </layerorder>\n";
    if (layout != nullptr) {
        o << print_layout_xml(*layout, layers);
    }
    // QGIS applies <projectCrs> only when the project says projections are enabled; the
    // ellipsoid makes the scale bar and measures geodesic.
    o << " <properties>\n  <Paths>\n   <Absolute type=\"bool\">false</Absolute>\n"
      << "  </Paths>\n  <SpatialRefSys>\n   <ProjectionsEnabled "
         "type=\"int\">1</ProjectionsEnabled>\n"
      << "  </SpatialRefSys>\n  <Measure>\n   <Ellipsoid type=\"QString\">EPSG:7030</Ellipsoid>\n"
      << "  </Measure>\n </properties>\n</qgis>\n";
    return o.str();
}

} // namespace maillage::output
