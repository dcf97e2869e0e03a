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
/// The zone's group (department) code; "group" before issue 13 (a reserved word in SQL).
inline constexpr const char* group = "group_code";
/// Its name in runs written before issue 13, still read (report, --previous).
inline constexpr const char* group_legacy = "group";
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

/// The groups layer of analyse: the zones dissolved by group (e.g. the departments).
namespace groups {
inline constexpr const char* layer = "groups";
inline constexpr const char* code = "code";
inline constexpr const char* name = "name";
inline constexpr const char* zones = "zones";
inline constexpr const char* population = "population";
} // namespace groups

/// The zones layer of access.
namespace access_zones {
inline constexpr const char* layer = "access_zones";
inline constexpr const char* zone_id = "zone_id";
inline constexpr const char* name = "name";
inline constexpr const char* population = "population";
/// The zone's group (department) code; "group" before issue 13 (a reserved word in SQL).
inline constexpr const char* group = "group_code";
/// Its name in runs written before issue 13, still read (report, --previous).
inline constexpr const char* group_legacy = "group";
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
inline constexpr const char* group = "group_code"; ///< "group" before issue 13
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
/// {type code: the data's label of it} for the types whose sites have a type_label field.
inline constexpr const char* type_labels = "type_labels";
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

/// Members of "access" (maillage access) that the report reads.
namespace in_access {
inline constexpr const char* parameters = "parameters"; ///< the run's, with decay and capacity
inline constexpr const char* decay = "decay";           ///< analysis::Decay::to_json
inline constexpr const char* capacity = "capacity";     ///< the field, or capacity_one
inline constexpr const char* capacity_one = "1 per site";
inline constexpr const char* index = "index"; ///< {mean, p10, p50, p90, max} per 100,000
inline constexpr const char* mean = "mean";
inline constexpr const char* below = "below"; ///< the zones below a share of the mean
inline constexpr const char* share = "share";
inline constexpr const char* zones = "zones";
inline constexpr const char* population = "population";
inline constexpr const char* share_of_population = "share_of_population";
inline constexpr const char* population_no_site_in_reach = "population_no_site_in_reach";
inline constexpr const char* sites_reaching_nobody = "sites_reaching_nobody"; ///< {count, ...}
inline constexpr const char* count = "count";
inline constexpr const char* by_group = "by_group";
/// Members of each entry of "by_group".
inline constexpr const char* group = "group";
inline constexpr const char* ratio = "ratio"; ///< null when the mean index is 0
inline constexpr const char* zones_below = "zones_below";
inline constexpr const char* population_below = "population_below";
} // namespace in_access

/// Members of the access parameters' "decay" (written by analysis::Decay::to_json).
namespace decay {
inline constexpr const char* kind = "kind"; ///< kind_gaussian or "bands"
inline constexpr const char* kind_gaussian = "gaussian";
inline constexpr const char* d0_km = "d0_km";
inline constexpr const char* bands = "bands"; ///< [{from_km, to_km, weight}]
inline constexpr const char* from_km = "from_km";
inline constexpr const char* to_km = "to_km";
inline constexpr const char* weight = "weight";
} // namespace decay

/// Members of "suggest" (maillage suggest) that the report reads.
namespace in_suggest {
inline constexpr const char* objective = "objective"; ///< objective_coverage or the mean
inline constexpr const char* objective_coverage = "coverage";
inline constexpr const char* candidates = "candidates"; ///< {source, count}
inline constexpr const char* source = "source";         ///< source_zones, source_grid or a file
inline constexpr const char* source_zones = "zones";
inline constexpr const char* source_grid = "grid";
inline constexpr const char* count = "count";
inline constexpr const char* before = "before"; ///< {covered_share, mean_km}, the sites today
inline constexpr const char* picks = "picks";   ///< in the order chosen
/// Members of "before" and of each pick.
inline constexpr const char* covered_share = "covered_share";
inline constexpr const char* mean_km = "mean_km";
inline constexpr const char* rank = "rank";
inline constexpr const char* name = "name";
inline constexpr const char* candidate_id = "candidate_id";
inline constexpr const char* zone_name = "zone_name";
inline constexpr const char* newly_covered = "newly_covered";
} // namespace in_suggest

/// Members of "whatif" (maillage whatif) that the report reads.
namespace in_whatif {
inline constexpr const char* changes = "changes"; ///< {closed, opened}: [{site_id, name, ...}]
inline constexpr const char* closed = "closed";
inline constexpr const char* opened = "opened";
inline constexpr const char* site_id = "site_id";
inline constexpr const char* name = "name";
inline constexpr const char* population_total = "population_total";
/// {before, after}: the distance summaries (members as in "distance_km"), and figures.
inline constexpr const char* distance_km = "distance_km";
inline constexpr const char* population_beyond = "population_beyond";
inline constexpr const char* sites_count = "sites_count";
inline constexpr const char* before = "before";
inline constexpr const char* after = "after";
inline constexpr const char* population_moved = "population_moved";
inline constexpr const char* population_newly_beyond = "population_newly_beyond";
inline constexpr const char* population_back_within = "population_back_within";
inline constexpr const char* by_group = "by_group";
/// Members of each entry of "by_group" (and group, population_moved above).
inline constexpr const char* group = "group";
inline constexpr const char* mean_km_before = "mean_km_before";
inline constexpr const char* mean_km_after = "mean_km_after";
inline constexpr const char* mean_km_change = "mean_km_change";
inline constexpr const char* population_beyond_before = "population_beyond_before";
inline constexpr const char* population_beyond_after = "population_beyond_after";
inline constexpr const char* zones_changed = "zones_changed";
inline constexpr const char* incremental = "incremental"; ///< {cells_total, cells_recomputed, ...}
inline constexpr const char* cells_total = "cells_total";
inline constexpr const char* cells_recomputed = "cells_recomputed";
} // namespace in_whatif

/// Members of "population_grid" (--population-grid) that the report reads.
namespace in_population_grid {
inline constexpr const char* path = "path";
inline constexpr const char* kind = "kind";
inline constexpr const char* crs = "crs";
inline constexpr const char* population_read = "population_read";
inline constexpr const char* population_in_zones = "population_in_zones";
inline constexpr const char* population_outside_study_area = "population_outside_study_area";
inline constexpr const char* comparison = "comparison_with_zones";
inline constexpr const char* zones_population_total = "zones_population_total";
inline constexpr const char* grid_population_total = "grid_population_total";
inline constexpr const char* zones_off_10_percent = "zones_off_by_more_than_10_percent";
inline constexpr const char* worst_zones = "worst_zones"; ///< the largest differences first
/// Members of each of "worst_zones".
inline constexpr const char* zone_id = "zone_id";
inline constexpr const char* name = "name";
inline constexpr const char* population_layer = "population_layer";
inline constexpr const char* population_grid = "population_grid";
} // namespace in_population_grid
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
