#include "maillage/io/postgis.hpp"

#include "maillage/core/error.hpp"
#include "maillage/io/gdal_util.hpp"
#include "maillage/model/schema.hpp"

#include <algorithm>
#include <array>
#include <regex>

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

/// Columns of the runs table taken from summary.json's "distance_km".
constexpr const char* runs_mean_km = "mean_km";
constexpr const char* runs_p90_km = "p90_km";

void execute(GDALDataset& ds, const std::string& sql, const std::string& connection) {
    CPLErrorReset();
    OGRLayer* result = ds.ExecuteSQL(sql.c_str(), nullptr, nullptr);
    if (result != nullptr) {
        ds.ReleaseResultSet(result);
    }
    if (CPLGetLastErrorType() >= CE_Failure) {
        throw runtime_failure(redact_connection(connection) + ": " + gdal_last_error());
    }
}

OGRLayer* table(GDALDataset& ds, const std::string& schema, const std::string& name,
                OGRFeatureDefn& model, OGRwkbGeometryType type, const OGRSpatialReference* srs,
                const std::string& connection) {
    if (OGRLayer* existing = ds.GetLayerByName((schema + "." + name).c_str());
        existing != nullptr) {
        return existing;
    }
    const std::string schema_opt = "SCHEMA=" + schema;
    std::array<const char*, 5> opts{schema_opt.c_str(), "GEOMETRY_NAME=geom", "FID=fid",
                                    "LAUNDER=NO", nullptr};
    CPLErrorReset();
    OGRLayer* layer = ds.CreateLayer(name.c_str(), const_cast<OGRSpatialReference*>(srs), type,
                                     const_cast<char**>(opts.data()));
    if (layer == nullptr) {
        throw runtime_failure(redact_connection(connection) + ": cannot create table " + schema +
                              "." + name + ": " + gdal_last_error());
    }
    OGRFieldDefn run_id("run_id", OFTString);
    layer->CreateField(&run_id);
    for (int i = 0; i < model.GetFieldCount(); ++i) {
        if (layer->CreateField(model.GetFieldDefn(i)) != OGRERR_NONE) {
            throw runtime_failure(redact_connection(connection) + ": cannot create column " +
                                  model.GetFieldDefn(i)->GetNameRef() + ": " + gdal_last_error());
        }
    }
    return layer;
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

void publish_postgis(const std::string& gpkg_path, const std::string& connection,
                     const std::string& schema, const std::string& run_id,
                     const nlohmann::json& run) {
    check_postgis_identifier(schema, "--pg-schema");
    check_postgis_identifier(run_id, "--run-id");
    init_gdal();
    auto src = open_vector(gpkg_path);
    CPLErrorReset();
    GDALDatasetUniquePtr ds(GDALDataset::Open(connection.c_str(), GDAL_OF_VECTOR | GDAL_OF_UPDATE));
    if (!ds) {
        throw input_error(redact_connection(connection) + ": cannot connect: " + gdal_last_error() +
                          ". Check the connection string (dbname, host, port, user).");
    }
    execute(*ds, "CREATE SCHEMA IF NOT EXISTS \"" + schema + "\"", connection);
    if (ds->StartTransaction() != OGRERR_NONE) {
        throw runtime_failure(redact_connection(connection) + ": cannot start a transaction");
    }
    try {
        for (const char* name : {model::schema::zones::layer, model::schema::sites::layer,
                                 model::schema::underserved::layer}) {
            OGRLayer* from = src->GetLayerByName(name);
            if (from == nullptr) {
                throw runtime_failure(gpkg_path + ": no layer " + name);
            }
            OGRLayer* to = table(*ds, schema, name, *from->GetLayerDefn(), from->GetGeomType(),
                                 from->GetSpatialRef(), connection);
            execute(*ds,
                    "DELETE FROM \"" + schema + "\".\"" + name + "\" WHERE run_id = '" + run_id +
                        "'",
                    connection);
            OGRFeatureDefn* defn = to->GetLayerDefn();
            for (auto& f : *from) {
                OGRFeatureUniquePtr out(OGRFeature::CreateFeature(defn));
                out->SetFrom(f.get(), TRUE);
                out->SetFID(OGRNullFID);
                out->SetField("run_id", run_id.c_str());
                if (to->CreateFeature(out.get()) != OGRERR_NONE) {
                    throw runtime_failure(redact_connection(connection) + ": cannot insert into " +
                                          schema + "." + name + ": " + gdal_last_error());
                }
            }
        }
        // The history: one row per run.
        OGRFeatureDefn runs_model("runs");
        for (const char* field : {rec::started_utc, rec::parameters, rec::inputs, rec::summary}) {
            OGRFieldDefn fd(field, OFTString);
            runs_model.AddFieldDefn(&fd);
        }
        for (const char* field : {key::population_total, key::population_beyond, key::share_beyond,
                                  runs_mean_km, runs_p90_km}) {
            OGRFieldDefn fd(field, OFTReal);
            runs_model.AddFieldDefn(&fd);
        }
        OGRLayer* runs = table(*ds, schema, "runs", runs_model, wkbNone, nullptr, connection);
        execute(*ds, "DELETE FROM \"" + schema + "\".\"runs\" WHERE run_id = '" + run_id + "'",
                connection);
        OGRFeatureUniquePtr row(OGRFeature::CreateFeature(runs->GetLayerDefn()));
        const auto& summary = run.at(rec::summary);
        row->SetField("run_id", run_id.c_str());
        row->SetField(rec::started_utc, run.value(rec::started_utc, "").c_str());
        row->SetField(rec::parameters, run.at(rec::parameters).dump().c_str());
        row->SetField(rec::inputs, run.at(rec::inputs).dump().c_str());
        row->SetField(rec::summary, summary.dump().c_str());
        for (const char* field :
             {key::population_total, key::population_beyond, key::share_beyond}) {
            row->SetField(field, summary.at(field).get<double>());
        }
        const auto& distance = summary.at(key::distance_km);
        row->SetField(runs_mean_km, distance.at(key::distance::mean).get<double>());
        row->SetField(runs_p90_km, distance.at(key::distance::p90).get<double>());
        if (runs->CreateFeature(row.get()) != OGRERR_NONE) {
            throw runtime_failure(redact_connection(connection) +
                                  ": cannot record the run: " + gdal_last_error());
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
