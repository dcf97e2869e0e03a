#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace maillage::io {

/// True for an output that is a PostgreSQL connection (GDAL's "PG:..." strings).
bool is_postgis(const std::string& out);

/// The connection string with its password replaced by ***, for logs and run records.
std::string redact_connection(const std::string& connection);

/// Copies the vector layers of a GeoPackage written by maillage (zones, sites, underserved) into
/// PostGIS tables of `schema`, each row tagged with `run_id`, and records the run in
/// `schema.runs`. All in one transaction: rows of an earlier run with the same id are replaced,
/// and a failure leaves every table as it was.
void publish_postgis(const std::string& gpkg_path, const std::string& connection,
                     const std::string& schema, const std::string& run_id,
                     const nlohmann::json& run);

} // namespace maillage::io
