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

/// `s` as a PostgreSQL identifier ("s", with " doubled) and as a string literal ('s').
std::string quote_ident(const std::string& s);
std::string quote_literal(const std::string& s);

/// The suffix of the views showing the latest run of each table (zones_latest, ...).
inline constexpr const char* latest_suffix = "_latest";

/// Connects to `connection` and makes sure its database has the PostGIS extension, before any
/// work is done: creates it when missing and this user may (true: it was created, the caller says
/// so), else throws input_error naming the database and the SQL a superuser must run.
bool prepare_postgis(const std::string& connection);

/// Copies the vector layers of a GeoPackage written by maillage (zones, sites, underserved, and
/// catchments... when present) into PostGIS tables of `schema`, each row tagged with `run_id`
/// (indexed), and records the run (its run.json members and summary.json as json) in
/// `schema.runs`. Per table, a view TABLE_latest of the latest run's rows; the GeoPackage's QGIS
/// styles become the default styles of the tables and views in the database's layer_styles.
/// All in one transaction: rows of an earlier run with the same id are replaced, and a failure
/// leaves every table as it was. A database without PostGIS is an input_error, nothing written.
void publish_postgis(const std::string& gpkg_path, const std::string& connection,
                     const std::string& schema, const std::string& run_id,
                     const nlohmann::ordered_json& run);

/// QGIS's data source for a PostGIS table: the connection's service, dbname, host, port, user
/// and sslmode (never its password: QGIS asks for it, or takes it from the service file or
/// ~/.pgpass), then `key='fid' table="SCHEMA"."TABLE" (geom)` and `sql=` the filter.
std::string qgis_postgres_source(const std::string& connection, const std::string& schema,
                                 const std::string& table, const std::string& filter);

/// Writes DIR/maillage.qgs from the project that the run wrote beside its GeoPackage in
/// `staged_dir`: every vector layer read from the tables of `schema` (this run's rows, provider
/// postgres, qgis_postgres_source), every raster copied to DIR/NAME.tif. Returns its path.
std::string write_postgis_project(const std::string& staged_dir, const std::string& connection,
                                  const std::string& schema, const std::string& run_id,
                                  const std::string& dir);

} // namespace maillage::io
