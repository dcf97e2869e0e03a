#pragma once

#include "maillage/geo/geom_ptr.hpp"
#include "maillage/model/report.hpp"
#include "maillage/model/zone.hpp"

#include <memory>
#include <string>
#include <vector>

namespace maillage::io {

struct ZoneReadOptions {
    std::string path;
    std::string crs;
    std::string id_field = "code";
    std::string name_field = "nom";
    std::string population_field = "population";
    /// Empty: the first of group_field_names() the layer has, else no groups; "none": no groups.
    std::string group_field;
    bool strict = false;
    /// Stem of the options the messages name: "zone" gives --zone-id, --zone-name and
    /// --zones-crs. The caller (the CLI) sets these names to the options it reads the values
    /// from.
    std::string option_stem = "zone";
    std::string population_option = "--population"; ///< the option naming population_field
    std::string group_option = "--group-by";        ///< the option naming group_field
};

struct ZoneSet {
    std::shared_ptr<geo::GeosContext> ctx; // declared first: outlives the geometries
    std::vector<model::Zone> zones;
    model::ReadReport report;
    std::string group_field; ///< the field actually used, or empty
    /// The fields actually used for the id and the name (empty: no name field), and the
    /// population.
    std::string id_field;
    std::string name_field;
    std::string population_field;
    /// The fields of the layer, in order (for messages: what could group the zones).
    std::vector<std::string> layer_fields;
};

/// The group fields looked for when ZoneReadOptions::group_field is empty, in order of
/// preference: departement, INSEE_DEP, code_dep, dep (GDAL matches names whatever their case).
const std::vector<std::string>& group_field_names();

/// Reads polygon zones with their population. Invalid polygons are repaired (GEOS make-valid,
/// structure method) and reported; features without geometry are skipped and reported; a
/// population that is not a non-negative number stops the run, since every total would be wrong.
ZoneSet read_zones(const ZoneReadOptions& options);

} // namespace maillage::io
