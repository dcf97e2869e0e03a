#pragma once

// QGIS styles (QML documents) for maillage's layers, so that a layer dragged into QGIS shows the
// intended map at once: written beside GeoJSON outputs (QGIS loads NAME.qml for NAME.geojson) and
// into a GeoPackage's layer_styles table.

#include <array>
#include <string>
#include <vector>

namespace maillage::output {

/// Colours of the six distance classes (ColorBrewer RdYlGn reversed: near is green), #rrggbb.
const std::array<const char*, 6>& distance_class_colours();

/// Colours of the site networks (ColorBrewer Set1 and Dark2), #rrggbb, used in turn.
const std::array<const char*, 12>& network_colours();

/// Text escaped for XML and HTML attributes and content.
std::string xml_escape(const std::string& s);

/// Class limits for distances (km) around a threshold: 0, T/8, T/4, T/2, 3T/4, T, then open.
std::vector<double> distance_breaks(double threshold_km);

/// Zones: graduated colours on mean_km (green near, red beyond the threshold), thin outline.
std::string zones_qml(double threshold_km);

/// Sites: categorised symbols by type, one colour per type (sorted), with a catch-all.
std::string sites_qml(const std::vector<std::string>& types);

/// Catchments: outlines only (dark blue), to lay over the zones' colours.
std::string catchments_qml();

/// Underserved areas: red diagonal hatch with a red outline.
std::string underserved_qml();

/// Distance raster: interpolated colour ramp on band 1 (km), nodata transparent.
std::string distance_raster_qml(double threshold_km);

/// What-if zones: graduated diverging colours on delta_km (green: the mean distance fell, red:
/// it rose; grey: unchanged), classes at 1 and 5 km.
std::string whatif_zones_qml();

/// What-if sites: categorised by status (closed: red, opened: blue, kept: grey), the closed and
/// opened ones drawn on top.
std::string whatif_sites_qml();

} // namespace maillage::output

namespace maillage::output {

/// A CRS as QGIS projects record it.
struct ProjectCrs {
    std::string wkt; ///< WKT2
    std::string proj4;
    std::string authid; ///< e.g. EPSG:4326, or empty
};

/// One layer of a QGIS project.
struct ProjectLayer {
    std::string name;     ///< shown in the layer tree
    std::string source;   ///< data source relative to the project (e.g. ./zones.geojson)
    std::string type;     ///< "vector" or "raster"
    std::string geometry; ///< "Polygon" or "Point" for vectors
    ProjectCrs crs;
    std::string style_qml; ///< the layer's QML style
};

/// A QGIS project (.qgs) opening the layers in the order given (first on top), each with its
/// style, paths relative to the project file, in Web Mercator for display.
std::string qgis_project(const std::string& title, const ProjectCrs& crs,
                         const std::vector<ProjectLayer>& layers);

} // namespace maillage::output
