#pragma once

#include <map>
#include <string>

// The names of the zones' groups (departments): "38" -> "Isère".

namespace maillage::io {

/// Reads a table of group names: any vector file GDAL opens (CSV, GeoJSON, GeoPackage...),
/// with a code field (`code`, `code_dep`, `INSEE_DEP`, `dep`, `departement`, `group_code`,
/// `group`, first found) and a name field (`nom`, `name`, `NOM_DEP`, `libelle`, `label`, first
/// found). The shipped `departements-aura-adminexpress-2018.geojson` is such a table.
/// Throws input_error naming the file when it cannot be read, when a field is missing (listing
/// the fields it has) or when a code is given two different names.
std::map<std::string, std::string> read_group_names(const std::string& path);

} // namespace maillage::io
