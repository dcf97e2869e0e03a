#pragma once

// The output schema: the names that cross from the writers of a run (output/) to its readers
// (report/, io::publish_postgis, the users' own tools). Constants only, no dependency: a name
// is written in one place and read through the same constant.

namespace maillage::model::schema {

/// File names of a run folder.
namespace files {
inline constexpr const char* summary = "summary.json";    ///< the run's figures
inline constexpr const char* run_record = "run.json";     ///< the record of the run (cli)
inline constexpr const char* gpkg = "maillage.gpkg";      ///< every layer, GeoPackage output
inline constexpr const char* access_gpkg = "access.gpkg"; ///< `access`'s layers, GeoPackage
inline constexpr const char* distance_tif = "distance.tif";
inline constexpr const char* access_tif = "access.tif";
inline constexpr const char* qgis_project = "maillage.qgs";
inline constexpr const char* geojson_ext = ".geojson"; ///< LAYER.geojson, GeoJSON output
inline constexpr const char* qml_ext = ".qml";         ///< LAYER.qml, its QGIS style
inline constexpr const char* tif_ext = ".tif";
} // namespace files

/// Raster tables (GeoPackage) and files (NAME.tif) of a run.
namespace rasters {
inline constexpr const char* distance = "distance";
/// distance_KEY: the distance to the nearest site of one type (analyse --by-type).
inline constexpr const char* distance_prefix = "distance_";
inline constexpr const char* access = "access";
} // namespace rasters

/// The zones layer of analyse (and of suggest and whatif, built on it).
namespace zones {
inline constexpr const char* layer = "zones";
inline constexpr const char* zone_id = "zone_id";
inline constexpr const char* name = "name";
inline constexpr const char* population = "population";
inline constexpr const char* group = "group";
inline constexpr const char* ref_lon = "ref_lon";
inline constexpr const char* ref_lat = "ref_lat";
inline constexpr const char* nearest_site_id = "nearest_site_id";
inline constexpr const char* nearest_site_name = "nearest_site_name";
inline constexpr const char* nearest_km = "nearest_km";
inline constexpr const char* mean_km = "mean_km";
inline constexpr const char* max_km = "max_km";
inline constexpr const char* pop_beyond = "pop_beyond";
inline constexpr const char* share_beyond = "share_beyond";
inline constexpr const char* sites_within = "sites_within";
inline constexpr const char* underserved = "underserved";
/// nearest_km_KEY and mean_km_KEY: per type of site (analyse --by-type).
inline constexpr const char* nearest_km_prefix = "nearest_km_";
inline constexpr const char* mean_km_prefix = "mean_km_";
/// With a population grid: the zone's own figure, and the grid's minus it.
inline constexpr const char* population_layer = "population_layer";
inline constexpr const char* population_diff = "population_diff";
} // namespace zones

/// The sites layer of analyse.
namespace sites {
inline constexpr const char* layer = "sites";
inline constexpr const char* site_id = "site_id";
inline constexpr const char* name = "name";
inline constexpr const char* type = "type";
inline constexpr const char* catchment_population = "catchment_population";
inline constexpr const char* catchment_zones = "catchment_zones";
inline constexpr const char* nearest_other_km = "nearest_other_km";
inline constexpr const char* in_study_area = "in_study_area";
inline constexpr const char* source = "source";
} // namespace sites

/// The underserved layer of analyse: the parts of the study area beyond the threshold.
namespace underserved {
inline constexpr const char* layer = "underserved";
inline constexpr const char* part = "part";
inline constexpr const char* area_km2 = "area_km2";
inline constexpr const char* population = "population";
inline constexpr const char* max_km = "max_km";
} // namespace underserved

/// The catchments layer of analyse --catchments.
namespace catchments {
inline constexpr const char* layer = "catchments";
inline constexpr const char* site_id = "site_id";
inline constexpr const char* name = "name";
inline constexpr const char* type = "type";
inline constexpr const char* population = "population";
inline constexpr const char* area_km2 = "area_km2";
inline constexpr const char* mean_km = "mean_km";
inline constexpr const char* cells = "cells";
} // namespace catchments

/// The zones layer of access.
namespace access_zones {
inline constexpr const char* layer = "access_zones";
inline constexpr const char* zone_id = "zone_id";
inline constexpr const char* name = "name";
inline constexpr const char* population = "population";
inline constexpr const char* group = "group";
inline constexpr const char* ref_lon = "ref_lon";
inline constexpr const char* ref_lat = "ref_lat";
inline constexpr const char* access = "access";
inline constexpr const char* access_ratio = "access_ratio";
inline constexpr const char* access_below = "access_below";
inline constexpr const char* sites_in_reach = "sites_in_reach";
} // namespace access_zones

/// The sites layer of access.
namespace access_sites {
inline constexpr const char* layer = "access_sites";
inline constexpr const char* site_id = "site_id";
inline constexpr const char* name = "name";
inline constexpr const char* type = "type";
inline constexpr const char* capacity = "capacity";
inline constexpr const char* demand = "demand";
inline constexpr const char* demand_context = "demand_context";
inline constexpr const char* ratio = "ratio";
inline constexpr const char* reached = "reached";
} // namespace access_sites

/// The zones layer of whatif: the zones whose figures changed.
namespace whatif_zones {
inline constexpr const char* layer = "whatif_zones";
inline constexpr const char* zone_id = "zone_id";
inline constexpr const char* name = "name";
inline constexpr const char* population = "population";
inline constexpr const char* group = "group";
inline constexpr const char* mean_km_before = "mean_km_before";
inline constexpr const char* mean_km_after = "mean_km_after";
inline constexpr const char* delta_km = "delta_km";
inline constexpr const char* change = "change";
inline constexpr const char* max_km_before = "max_km_before";
inline constexpr const char* max_km_after = "max_km_after";
inline constexpr const char* nearest_site_before = "nearest_site_before";
inline constexpr const char* nearest_site_after = "nearest_site_after";
inline constexpr const char* nearest_km_before = "nearest_km_before";
inline constexpr const char* nearest_km_after = "nearest_km_after";
inline constexpr const char* sites_within_before = "sites_within_before";
inline constexpr const char* sites_within_after = "sites_within_after";
inline constexpr const char* pop_moved = "pop_moved";
inline constexpr const char* pop_beyond_before = "pop_beyond_before";
inline constexpr const char* pop_beyond_after = "pop_beyond_after";
inline constexpr const char* pop_newly_beyond = "pop_newly_beyond";
inline constexpr const char* pop_back_within = "pop_back_within";
} // namespace whatif_zones

/// The sites layer of whatif: the sites closed, opened, or whose catchment changed.
namespace whatif_sites {
inline constexpr const char* layer = "whatif_sites";
inline constexpr const char* site_id = "site_id";
inline constexpr const char* name = "name";
inline constexpr const char* type = "type";
inline constexpr const char* status = "status";
inline constexpr const char* catchment_before = "catchment_before";
inline constexpr const char* catchment_after = "catchment_after";
inline constexpr const char* catchment_change = "catchment_change";
inline constexpr const char* nearest_other_km = "nearest_other_km";
} // namespace whatif_sites

/// The GeoPackage table where QGIS reads its default styles (QGIS's own column names).
namespace layer_styles {
inline constexpr const char* layer = "layer_styles";
inline constexpr const char* f_table_catalog = "f_table_catalog";
inline constexpr const char* f_table_schema = "f_table_schema";
inline constexpr const char* f_table_name = "f_table_name";
inline constexpr const char* f_geometry_column = "f_geometry_column";
inline constexpr const char* style_name = "styleName";
inline constexpr const char* style_qml = "styleQML";
inline constexpr const char* style_sld = "styleSLD";
inline constexpr const char* use_as_default = "useAsDefault";
inline constexpr const char* description = "description";
inline constexpr const char* owner = "owner";
inline constexpr const char* ui = "ui";
inline constexpr const char* update_time = "update_time";
} // namespace layer_styles

/// Keys of summary.json that its readers (the report, PostGIS's runs table) read back.
namespace summary {
inline constexpr const char* version = "version";
inline constexpr const char* parameters = "parameters";
inline constexpr const char* sites_count = "sites_count";
inline constexpr const char* sites_outside_study_area = "sites_outside_study_area";
inline constexpr const char* population_total = "population_total";
inline constexpr const char* population_beyond = "population_beyond";
inline constexpr const char* share_beyond = "share_beyond";
inline constexpr const char* distance_km = "distance_km";       ///< {mean, p50, p90, p99, max}
inline constexpr const char* coverage_curve = "coverage_curve"; ///< [{km, share}]
inline constexpr const char* by_group = "by_group";
inline constexpr const char* underserved = "underserved"; ///< {parts, area_km2, ...}
/// Sections present only for some runs; the report adds a section for each.
inline constexpr const char* by_type = "by_type";
inline constexpr const char* catchments = "catchments";
inline constexpr const char* population_grid = "population_grid";
inline constexpr const char* access = "access";
inline constexpr const char* suggest = "suggest";
inline constexpr const char* whatif = "whatif";

/// Members of "parameters".
namespace params {
inline constexpr const char* threshold_km = "threshold_km";
inline constexpr const char* zones = "zones";
inline constexpr const char* sites = "sites";
inline constexpr const char* border_sites = "border_sites";
} // namespace params

/// Members of "distance_km".
namespace distance {
inline constexpr const char* mean = "mean";
inline constexpr const char* p50 = "p50";
inline constexpr const char* p90 = "p90";
inline constexpr const char* p99 = "p99";
inline constexpr const char* max = "max";
} // namespace distance

/// Members of each point of "coverage_curve".
namespace curve {
inline constexpr const char* km = "km";
inline constexpr const char* share = "share";
} // namespace curve

/// Members of each entry of "by_group".
namespace group {
inline constexpr const char* group = "group";
inline constexpr const char* population = "population";
inline constexpr const char* sites = "sites";
inline constexpr const char* mean_km = "mean_km";
inline constexpr const char* share_beyond = "share_beyond";
} // namespace group

/// Members of "underserved".
namespace parts {
inline constexpr const char* parts = "parts";
inline constexpr const char* area_km2 = "area_km2";
} // namespace parts
} // namespace summary

/// Keys of run.json that its readers (the report's limits, PostGIS's runs table) read back.
namespace run_record {
inline constexpr const char* started_utc = "started_utc";
inline constexpr const char* parameters = "parameters";
inline constexpr const char* inputs = "inputs"; ///< {role: [{path, sha256, ...}]}
inline constexpr const char* path = "path";
inline constexpr const char* sha256 = "sha256";
/// summary.json, added to the record when it is published to PostGIS.
inline constexpr const char* summary = "summary";
} // namespace run_record

} // namespace maillage::model::schema
