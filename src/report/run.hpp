#pragma once

// Loading a run folder for the report: summary.json, run.json and the layers the report reads,
// as plain structs. Every name read is the one the writers write (model/schema.hpp).

#include "maillage/geo/geodesic.hpp"
#include "maillage/geo/geos.hpp"
#include "maillage/io/gdal_util.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace maillage::report {

/// A zone of the zones layer.
struct Zone {
    std::string id;
    std::string name;
    std::string group;
    double population = 0.0;
    double mean_km = 0.0;
    double pop_beyond = 0.0;
    geo::GeomPtr lonlat;
    geo::GeomPtr xy; ///< projected for the maps (set by map_svg)
};

/// A site of the sites layer.
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

/// A part of the underserved layer.
struct Part {
    double area_km2 = 0.0;
    double population = 0.0;
    double max_km = 0.0;
    geo::GeomPtr lonlat;
    geo::GeomPtr xy;                   ///< projected for the maps (set by map_svg)
    std::vector<std::string> communes; ///< the zones it touches (find_communes)
};

/// A run folder: its summary and the features with a geometry of its main layers.
// clang-tidy 14 sees an exception escaping the implicit move operations through the json member,
// whose move constructor and assignment are noexcept: a false positive.
// NOLINTNEXTLINE(bugprone-exception-escape)
struct Run {
    nlohmann::json summary;
    std::vector<Zone> zones;
    std::vector<Site> sites;
    std::vector<Part> parts;
};

/// Reads summary.json and the zones, sites and underserved layers of the run folder `dir`
/// (maillage.gpkg when it has one, else LAYER.geojson). Throws input_error when summary.json is
/// missing or not JSON, a layer is missing, or the zones layer is empty.
Run load_run(const geo::GeosContext& ctx, const std::filesystem::path& dir);

/// Fills Part::communes: the zones with people beyond the threshold that each part touches,
/// the most such people first.
void find_communes(const geo::GeosContext& ctx, Run& run);

/// A line of summary.json's "by_group", with the sites per 100,000 inhabitants.
/// `name` is the group's name (set by the report from a table of names), else its code.
struct GroupRow {
    std::string group;
    double population, sites, per_100k, mean_km, share_pct;
    std::string name;
};
std::vector<GroupRow> group_rows(const nlohmann::json& summary);

/// A data file of the run, as run.json records it.
struct InputFile {
    std::string path;
    std::string sha256;
};
/// The input files recorded in the folder's run.json, in its order (sites, border sites,
/// zones); nothing when the folder has no readable run.json with inputs.
std::optional<std::vector<InputFile>> load_run_inputs(const std::filesystem::path& dir);

/// A field of a feature of a run's layer: 0 or "" when the layer has no such field or it is null.
double field_double(OGRFeature& f, const char* name);
std::string field_text(OGRFeature& f, const char* name);
/// field_text of `name`, or of `legacy` when the layer has no field `name` (a run written before
/// a field was renamed).
std::string field_text_or(OGRFeature& f, const char* name, const char* legacy);

/// Layer `name` of a run folder: from its maillage.gpkg when it has one, else from NAME.geojson.
/// A missing file or layer is an input error that says which `section` needed it.
struct RunLayer {
    GDALDatasetUniquePtr dataset;
    OGRLayer* layer = nullptr;
};
RunLayer open_run_layer(const std::filesystem::path& dir, const std::string& name,
                        const std::string& section);

/// A feature of the catchments layer.
struct Catchment {
    std::string site_id, name, type;
    double population = 0.0, area_km2 = 0.0, mean_km = 0.0;
};
std::vector<Catchment> load_catchments(const std::filesystem::path& dir);

/// A feature of the whatif_zones layer.
struct ChangedZone {
    std::string name;
    double population = 0.0;
    double before = 0.0;
    double after = 0.0;
    double delta = 0.0;
};
std::vector<ChangedZone> load_whatif_zones(const std::filesystem::path& dir);

/// A zone of the access_zones layer below the chosen share of the mean.
struct LowAccessZone {
    std::string name, group;
    double population, index, ratio;
};
/// The zones of the access layer (access.gpkg or access_zones.geojson) flagged access_below, in
/// the layer's order; nothing when the folder has no access layer.
std::optional<std::vector<LowAccessZone>> load_access_below(const std::filesystem::path& dir);

} // namespace maillage::report
