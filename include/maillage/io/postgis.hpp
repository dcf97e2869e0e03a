#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace maillage::io {

/// True for an output that is a PostgreSQL connection (GDAL's "PG:..." strings).
bool is_postgis(const std::string& out);

/// TEXT with every PostgreSQL password replaced by ***, for logs, messages and run records: the
/// value of a `password=` keyword (quoted or not) and the password of a
/// `postgresql://user:password@host` URI. Text without either is returned unchanged.
std::string redact_connection(const std::string& text);

/// redact_connection() applied to every string of a JSON document (summary.json, run.json).
template <class Json> void redact_connections(Json& j) {
    if (j.is_string()) {
        const auto& s = j.template get_ref<const std::string&>();
        if (auto r = redact_connection(s); r != s) {
            j = std::move(r);
        }
    } else if (j.is_structured()) {
        for (auto& v : j) {
            redact_connections(v);
        }
    }
}

/// A schema name or run id for publish_postgis: 1 to 63 letters, digits or _ . : + - (usage_error
/// naming `what`, the option, otherwise). Commands check theirs before any work.
void check_postgis_identifier(const std::string& s, const char* what);

/// Copies the vector layers of a GeoPackage written by maillage (zones, sites, underserved) into
/// PostGIS tables of `schema`, each row tagged with `run_id`, and records the run in
/// `schema.runs`. All in one transaction: rows of an earlier run with the same id are replaced,
/// and a failure leaves every table as it was.
void publish_postgis(const std::string& gpkg_path, const std::string& connection,
                     const std::string& schema, const std::string& run_id,
                     const nlohmann::json& run);

} // namespace maillage::io
