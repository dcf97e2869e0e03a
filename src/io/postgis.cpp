#include "maillage/io/postgis.hpp"

#include "maillage/core/error.hpp"
#include "maillage/io/gdal_util.hpp"
#include "maillage/model/schema.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <optional>
#include <regex>
#include <vector>

namespace maillage::io {

void check_postgis_identifier(const std::string& s, const char* what) {
    static const std::regex ok("^[A-Za-z0-9_.:+-]{1,63}$");
    if (!std::regex_match(s, ok)) {
        throw usage_error(std::string(what) + " '" + s +
                          "' must be 1 to 63 letters, digits or _ . : + -");
    }
}

namespace {

namespace key = model::schema::summary;
namespace rec = model::schema::run_record;
namespace styles = model::schema::layer_styles;

/// Columns of the runs table taken from summary.json's "distance_km".
constexpr const char* runs_mean_km = "mean_km";
constexpr const char* runs_p90_km = "p90_km";
/// The geometry column of every table, and the name of maillage's row in layer_styles.
constexpr const char* geometry_column = "geom";
constexpr const char* style_name = "maillage";

/// Runs `sql`; with `rows`, the values of the first column of the result, as text.
void execute(GDALDataset& ds, const std::string& sql, const std::string& connection,
             std::vector<std::string>* rows = nullptr) {
    CPLErrorReset();
    OGRLayer* result = ds.ExecuteSQL(sql.c_str(), nullptr, nullptr);
    if (result != nullptr) {
        if (rows != nullptr) {
            for (auto& f : *result) {
                rows->emplace_back(f->IsFieldSetAndNotNull(0) ? f->GetFieldAsString(0) : "");
            }
        }
        ds.ReleaseResultSet(result);
    }
    if (CPLGetLastErrorType() >= CE_Failure) {
        throw runtime_failure(redact_connection(connection) + ": " + gdal_last_error());
    }
}

/// The first value of the first row of `sql`, nothing when it returns no row.
std::optional<std::string> value_of(GDALDataset& ds, const std::string& sql,
                                    const std::string& connection) {
    std::vector<std::string> rows;
    execute(ds, sql, connection, &rows);
    if (rows.empty()) {
        return std::nullopt;
    }
    return rows.front();
}

GDALDatasetUniquePtr connect(const std::string& connection, bool update) {
    init_gdal();
    CPLErrorReset();
    GDALDatasetUniquePtr ds(GDALDataset::Open(
        connection.c_str(), GDAL_OF_VECTOR | (update ? GDAL_OF_UPDATE : GDAL_OF_READONLY)));
    if (!ds) {
        throw input_error(redact_connection(connection) + ": cannot connect: " + gdal_last_error() +
                          ". Check the connection string (dbname, host, port, user).");
    }
    return ds;
}

bool has_postgis(GDALDataset& ds, const std::string& connection) {
    return value_of(ds, "SELECT extversion FROM pg_extension WHERE extname = 'postgis'", connection)
        .has_value();
}

/// The error for a database without PostGIS: which database, what to run, and why it was not
/// done (`why`, empty when it was not tried).
input_error missing_postgis(GDALDataset& ds, const std::string& connection,
                            const std::string& why) {
    const auto db = value_of(ds, "SELECT current_database()", connection).value_or("?");
    return input_error(redact_connection(connection) + ": the database '" + db +
                       "' has no PostGIS extension" +
                       (why.empty() ? "" : " and it could not be created (" + why + ")") +
                       ". Ask a superuser (or the database's owner, where PostGIS is a trusted "
                       "extension) to run, in database " +
                       db + ": CREATE EXTENSION postgis; — nothing was written.");
}

/// The table `schema.name` for the layer `model`: created (with run_id and the layer's columns)
/// when missing; an existing one gets the columns it lacks (a run with more fields than the
/// first, e.g. --by-type).
OGRLayer* table(GDALDataset& ds, const std::string& schema, const std::string& name,
                OGRFeatureDefn& model, OGRwkbGeometryType type, const OGRSpatialReference* srs,
                const std::string& connection) {
    OGRLayer* layer = ds.GetLayerByName((schema + "." + name).c_str());
    if (layer == nullptr) {
        const std::string schema_opt = "SCHEMA=" + schema;
        std::array<const char*, 5> opts{schema_opt.c_str(), "GEOMETRY_NAME=geom", "FID=fid",
                                        "LAUNDER=NO", nullptr};
        CPLErrorReset();
        layer = ds.CreateLayer(name.c_str(), const_cast<OGRSpatialReference*>(srs), type,
                               const_cast<char**>(opts.data()));
        if (layer == nullptr) {
            throw runtime_failure(redact_connection(connection) + ": cannot create table " +
                                  schema + "." + name + ": " + gdal_last_error());
        }
        OGRFieldDefn run_id("run_id", OFTString);
        layer->CreateField(&run_id);
    }
    for (int i = 0; i < model.GetFieldCount(); ++i) {
        OGRFieldDefn* field = model.GetFieldDefn(i);
        if (layer->GetLayerDefn()->GetFieldIndex(field->GetNameRef()) >= 0) {
            continue;
        }
        if (layer->CreateField(field) != OGRERR_NONE) {
            throw runtime_failure(redact_connection(connection) + ": cannot create column " +
                                  field->GetNameRef() + " of " + schema + "." + name + ": " +
                                  gdal_last_error());
        }
    }
    return layer;
}

/// Copies the features of `from` into `to`, each tagged with `run_id`.
void copy_rows(OGRLayer& from, OGRLayer& to, const std::string& run_id,
               const std::string& connection, const std::string& where) {
    OGRFeatureDefn* defn = to.GetLayerDefn();
    for (auto& f : from) {
        OGRFeatureUniquePtr out(OGRFeature::CreateFeature(defn));
        out->SetFrom(f.get(), TRUE);
        out->SetFID(OGRNullFID);
        out->SetField("run_id", run_id.c_str());
        if (to.CreateFeature(out.get()) != OGRERR_NONE) {
            throw runtime_failure(redact_connection(connection) + ": cannot insert into " + where +
                                  ": " + gdal_last_error());
        }
    }
}

/// The vector layers of the GeoPackage to publish: every one but its layer_styles table, the
/// zones, sites and underserved layers required.
std::vector<OGRLayer*> layers_to_publish(GDALDataset& src, const std::string& gpkg_path) {
    for (const char* name : {model::schema::zones::layer, model::schema::sites::layer,
                             model::schema::underserved::layer}) {
        if (src.GetLayerByName(name) == nullptr) {
            throw runtime_failure(gpkg_path + ": no layer " + name);
        }
    }
    std::vector<OGRLayer*> out;
    for (int i = 0; i < src.GetLayerCount(); ++i) {
        OGRLayer* l = src.GetLayer(i);
        if (std::string(l->GetName()) != styles::layer) {
            out.push_back(l);
        }
    }
    return out;
}

/// The QML of each layer in the GeoPackage's layer_styles table.
std::map<std::string, std::string> gpkg_styles(GDALDataset& src) {
    std::map<std::string, std::string> out;
    OGRLayer* l = src.GetLayerByName(styles::layer);
    if (l == nullptr) {
        return out;
    }
    for (auto& f : *l) {
        out[f->GetFieldAsString(styles::f_table_name)] = f->GetFieldAsString(styles::style_qml);
    }
    return out;
}

/// `qml` as maillage's default style of `schema.table` in the database's layer_styles table
/// (created as QGIS creates it when missing), replacing maillage's earlier one; the other styles
/// of the table stay, no longer the default.
void write_style(GDALDataset& ds, const std::string& schema, const std::string& table,
                 const std::string& qml, const std::string& connection) {
    const std::string where = " WHERE f_table_catalog = current_database() AND f_table_schema = " +
                              quote_literal(schema) +
                              " AND f_table_name = " + quote_literal(table) +
                              " AND f_geometry_column = " + quote_literal(geometry_column);
    execute(ds,
            "DELETE FROM layer_styles" + where + " AND stylename = " + quote_literal(style_name),
            connection);
    execute(ds, "UPDATE layer_styles SET useasdefault = false" + where, connection);
    execute(ds,
            "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, "
            "f_geometry_column, stylename, styleqml, useasdefault, description) VALUES "
            "(current_database(), " +
                quote_literal(schema) + ", " + quote_literal(table) + ", " +
                quote_literal(geometry_column) + ", " + quote_literal(style_name) +
                ", XMLPARSE(DOCUMENT " + quote_literal(qml) +
                "), true, 'written by maillage: the same style as its QML files')",
            connection);
}

void create_styles_table(GDALDataset& ds, const std::string& connection) {
    // QGIS's own definition (QgsPostgresProvider, saveStyle), so that QGIS reads and writes it.
    execute(ds,
            "CREATE TABLE IF NOT EXISTS layer_styles (id SERIAL PRIMARY KEY, f_table_catalog "
            "varchar, f_table_schema varchar, f_table_name varchar, f_geometry_column varchar, "
            "stylename text, styleqml xml, stylesld xml, useasdefault boolean, description text, "
            "owner varchar(63) DEFAULT CURRENT_USER, ui xml, update_time timestamp DEFAULT "
            "CURRENT_TIMESTAMP, type varchar)",
            connection);
}

/// The runs table: one row per run, its records as JSON (json, not jsonb: the text as written,
/// keys in their order, so that a report read back from the database is the folder's).
void record_run(GDALDataset& ds, const std::string& schema, const std::string& run_id,
                const nlohmann::ordered_json& run, const std::string& connection) {
    const std::string runs = quote_ident(schema) + ".runs";
    execute(ds,
            "CREATE TABLE IF NOT EXISTS " + runs +
                " (run_id varchar PRIMARY KEY, started_utc varchar, parameters json, inputs json, "
                "summary json, population_total double precision, population_beyond double "
                "precision, share_beyond double precision, mean_km double precision, p90_km "
                "double precision)",
            connection);
    execute(ds, "DELETE FROM " + runs + " WHERE run_id = " + quote_literal(run_id), connection);
    const auto& summary = run.at(rec::summary);
    const auto& distance = summary.at(key::distance_km);
    const auto number = [](const nlohmann::ordered_json& v) {
        return v.is_number() ? v.dump() : "NULL";
    };
    execute(ds,
            "INSERT INTO " + runs + " (run_id, " + rec::started_utc + ", " + rec::parameters +
                ", " + rec::inputs + ", " + rec::summary + ", " + key::population_total + ", " +
                key::population_beyond + ", " + key::share_beyond + ", " + runs_mean_km + ", " +
                runs_p90_km + ") VALUES (" + quote_literal(run_id) + ", " +
                quote_literal(run.value(rec::started_utc, "")) + ", " +
                quote_literal(run.at(rec::parameters).dump()) + ", " +
                quote_literal(run.at(rec::inputs).dump()) + ", " + quote_literal(summary.dump()) +
                ", " + number(summary.at(key::population_total)) + ", " +
                number(summary.at(key::population_beyond)) + ", " +
                number(summary.at(key::share_beyond)) + ", " +
                number(distance.at(key::distance::mean)) + ", " +
                number(distance.at(key::distance::p90)) + ")",
            connection);
}

/// Index on run_id, and the view NAME_latest: the rows of the latest run (by start time).
void index_and_view(GDALDataset& ds, const std::string& schema, const std::string& name,
                    const std::string& connection) {
    const std::string t = quote_ident(schema) + "." + quote_ident(name);
    execute(ds,
            "CREATE INDEX IF NOT EXISTS " + quote_ident(name + "_run_id_idx") + " ON " + t +
                " (run_id)",
            connection);
    execute(ds,
            "CREATE OR REPLACE VIEW " + quote_ident(schema) + "." +
                quote_ident(name + latest_suffix) + " AS SELECT * FROM " + t +
                " WHERE run_id = (SELECT run_id FROM " + quote_ident(schema) +
                ".runs ORDER BY started_utc DESC, run_id DESC LIMIT 1)",
            connection);
}

} // namespace

bool is_postgis(const std::string& out) { return out.rfind("PG:", 0) == 0; }

std::string redact_connection(const std::string& text) {
    // Fast path: most log lines and values hold neither form.
    std::string lower = text;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (lower.find("password") == std::string::npos && lower.find("://") == std::string::npos) {
        return text;
    }
    // key=value form: password=secret, password = 'a secret' (libpq, GDAL's PG: strings).
    // An unquoted value ends at a space or a quote, or before the ": " of a message.
    static const std::regex keyword(R"((password\s*=\s*)('(\\.|[^'])*'|[^\s'"]+?(?=:\s|[\s'"]|$)))",
                                    std::regex::icase);
    // URI form: postgresql://user:secret@host/db (also postgres://).
    static const std::regex uri(R"((postgres(ql)?://[^:/@\s]*:)[^@\s]*@)", std::regex::icase);
    return std::regex_replace(std::regex_replace(text, keyword, "$1***"), uri, "$1***@");
}

std::string quote_ident(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
        out += c == '"' ? std::string("\"\"") : std::string(1, c);
    }
    return out + "\"";
}

std::string quote_literal(const std::string& s) {
    std::string out = "'";
    for (char c : s) {
        out += c == '\'' ? std::string("''") : std::string(1, c);
    }
    return out + "'";
}

bool prepare_postgis(const std::string& connection) {
    auto ds = connect(connection, true);
    if (has_postgis(*ds, connection)) {
        return false;
    }
    CPLErrorReset();
    OGRLayer* result = ds->ExecuteSQL("CREATE EXTENSION IF NOT EXISTS postgis", nullptr, nullptr);
    if (result != nullptr) {
        ds->ReleaseResultSet(result);
    }
    if (CPLGetLastErrorType() >= CE_Failure) {
        std::string why = redact_connection(gdal_last_error()); // ERROR: ...\nHINT: ...
        std::replace(why.begin(), why.end(), '\n', ' ');
        while (!why.empty() && why.back() == ' ') {
            why.pop_back();
        }
        throw missing_postgis(*ds, connection, why);
    }
    return true;
}

void publish_postgis(const std::string& gpkg_path, const std::string& connection,
                     const std::string& schema, const std::string& run_id,
                     const nlohmann::ordered_json& run) {
    check_postgis_identifier(schema, "--pg-schema");
    check_postgis_identifier(run_id, "--run-id");
    init_gdal();
    auto src = open_vector(gpkg_path);
    auto ds = connect(connection, true);
    if (!has_postgis(*ds, connection)) {
        throw missing_postgis(*ds, connection, "");
    }
    const auto qml = gpkg_styles(*src);
    if (ds->StartTransaction() != OGRERR_NONE) {
        throw runtime_failure(redact_connection(connection) + ": cannot start a transaction");
    }
    try {
        execute(*ds, "CREATE SCHEMA IF NOT EXISTS " + quote_ident(schema), connection);
        record_run(*ds, schema, run_id, run, connection);
        create_styles_table(*ds, connection);
        for (OGRLayer* from : layers_to_publish(*src, gpkg_path)) {
            const std::string name = from->GetName();
            OGRLayer* to = table(*ds, schema, name, *from->GetLayerDefn(), from->GetGeomType(),
                                 from->GetSpatialRef(), connection);
            execute(*ds,
                    "DELETE FROM " + quote_ident(schema) + "." + quote_ident(name) +
                        " WHERE run_id = " + quote_literal(run_id),
                    connection);
            copy_rows(*from, *to, run_id, connection, schema + "." + name);
            index_and_view(*ds, schema, name, connection);
            if (auto it = qml.find(name); it != qml.end()) {
                write_style(*ds, schema, name, it->second, connection);
                write_style(*ds, schema, name + latest_suffix, it->second, connection);
            }
        }
        if (ds->CommitTransaction() != OGRERR_NONE) {
            throw runtime_failure(redact_connection(connection) +
                                  ": commit failed: " + gdal_last_error());
        }
    } catch (...) {
        ds->RollbackTransaction();
        throw;
    }
}

} // namespace maillage::io
