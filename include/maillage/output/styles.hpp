#pragma once

#include "maillage/core/format.hpp"

// QGIS styles (QML documents) for maillage's layers, so that a layer dragged into QGIS shows the
// intended map at once: written beside GeoJSON outputs (QGIS loads NAME.qml for NAME.geojson) and
// into a GeoPackage's layer_styles table.

#include <array>
#include <string>
#include <vector>

namespace maillage::output {

/// Colours of the six distance classes (ColorBrewer RdYlGn reversed: near is green), #rrggbb.
const std::array<const char*, 6>& distance_class_colours();

/// Text escaped for XML and HTML attributes and content (core/format.hpp).
using core::xml_escape;

/// Class limits for distances (km) around a threshold: 0, T/8, T/4, T/2, 3T/4, T, then open.
std::vector<double> distance_breaks(double threshold_km);

/// A word of the maps in the reader's language: `fr` for "fr", else `en`.
const char* tr(const std::string& lang, const char* fr, const char* en);

/// A number as the legends show it: up to 6 decimals, a decimal comma in French.
std::string legend_number(double v, const std::string& lang);

/// The alias (a readable column title) of a field of maillage's layers in `lang`, or empty for a
/// field it does not know. The per-type fields (nearest_km_KEY, mean_km_KEY, ...) get the type's
/// key in the title.
std::string field_alias(const std::string& field, const std::string& lang);

/// A network (type of site) of the sites layer as its legend shows it.
struct NetworkStyle {
    std::string code;  ///< the `type` value
    std::string label; ///< in words (model::network_label)
};

/// Zones: graduated colours on mean_km (green near, red beyond the threshold), thin outline,
/// legend and field aliases in `lang` (with the per-type fields of `type_keys`).
std::string zones_qml(double threshold_km, const std::string& lang,
                      const std::vector<std::string>& type_keys = {});

/// Sites: categorised symbols by network (model::network_symbol in the order given: the largest
/// network first), labelled in words, with a catch-all. A site outside the study area (a border
/// site) is drawn hollow: white with an outline of its network's colour.
std::string sites_qml(const std::vector<NetworkStyle>& networks, const std::string& lang);

/// Catchments: outlines only (dark blue), to lay over the zones' colours.
std::string catchments_qml(const std::string& lang);

/// Underserved areas: a white-and-black double diagonal hatch (visible over every class of the
/// zones, red included) with a dark outline; legend "Zone mal desservie (> T km)".
std::string underserved_qml(double threshold_km, const std::string& lang);

/// The zones dissolved by group (e.g. the departments): dark outlines, labelled by name.
std::string groups_qml(const std::string& lang);

/// Distance raster: interpolated colour ramp on band 1 (km), nodata transparent.
std::string distance_raster_qml(double threshold_km, const std::string& lang);

/// What-if zones: graduated diverging colours on delta_km (green: the mean distance fell, red:
/// it rose; grey: unchanged), classes at 1 and 5 km.
std::string whatif_zones_qml(const std::string& lang);

/// What-if sites: categorised by status (closed: red, opened: blue, kept: grey), the closed and
/// opened ones drawn on top.
std::string whatif_sites_qml(const std::string& lang);

/// Access zones: graduated colours on access_ratio (the zone's index over the study area's mean;
/// purple below, green above).
std::string access_zones_qml(const std::string& lang);

/// Access sites: sized by their ratio of supply to demand, outlined dark.
std::string access_sites_qml(const std::string& lang);

/// Access raster: the index per 100,000 inhabitants, a sequential ramp from 0 to `max_index`.
std::string access_raster_qml(double max_index, const std::string& lang);

/// Suggested sites: large stars numbered by rank.
std::string suggested_sites_qml(const std::string& lang);

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
    std::string source;   ///< data source: relative to the project (./zones.geojson) or a URI
    std::string type;     ///< "vector" or "raster"
    std::string geometry; ///< "Polygon" or "Point" for vectors
    ProjectCrs crs;
    std::string style_qml; ///< the layer's QML style
    std::string provider;  ///< "ogr", "gdal", "postgres"; empty: ogr for vectors, gdal for rasters
    bool visible = true;   ///< checked in the layer tree
};

/// The print layout of a project: an A4 landscape page with the map, its legend, a title, a
/// scale bar, a north arrow and the sources.
struct PrintLayout {
    std::string name = "maillage"; ///< the layout's name in QGIS
    std::string title;
    std::string subtitle; ///< under the title (e.g. the threshold and the date)
    std::string sources;  ///< the text at the bottom of the page
    /// The area to show, in the project's CRS: xmin, ymin, xmax, ymax (widened to the map's
    /// proportions).
    std::array<double, 4> extent{};
    std::string lang = "fr";
};

/// The XML of a print layout (<Layouts>...</Layouts>) for a project whose layers are `layers`.
std::string print_layout_xml(const PrintLayout& layout, const std::vector<ProjectLayer>& layers);

/// A QGIS project (.qgs) opening the layers in the order given (first on top), each with its
/// style, paths relative to the project file, in `crs`; with `layout`, its print layout.
std::string qgis_project(const std::string& title, const ProjectCrs& crs,
                         const std::vector<ProjectLayer>& layers,
                         const PrintLayout* layout = nullptr);

} // namespace maillage::output
