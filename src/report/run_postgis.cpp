#include "maillage/report/run_postgis.hpp"

#include "maillage/core/error.hpp"
#include "maillage/io/gdal_util.hpp"
#include "maillage/io/postgis.hpp"
#include "maillage/model/schema.hpp"

#include <gdal_utils.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <fstream>
#include <optional>
#include <vector>

namespace maillage::report {

namespace fs = std::filesystem;
namespace schema = model::schema;
using io::quote_ident;
using io::quote_literal;

namespace {

/// The rows of `sql`, each as its fields' text (null: empty).
std::vector<std::vector<std::string>> query(GDALDataset& ds, const std::string& sql,
                                            const std::string& connection) {
    CPLErrorReset();
    OGRLayer* result = ds.ExecuteSQL(sql.c_str(), nullptr, nullptr);
    std::vector<std::vector<std::string>> rows;
    if (result != nullptr) {
        for (auto& f : *result) {
            std::vector<std::string> row;
            row.reserve(static_cast<std::size_t>(f->GetFieldCount()));
            for (int i = 0; i < f->GetFieldCount(); ++i) {
                row.emplace_back(f->IsFieldSetAndNotNull(i) ? f->GetFieldAsString(i) : "");
            }
            rows.push_back(std::move(row));
        }
        ds.ReleaseResultSet(result);
    }
    if (CPLGetLastErrorType() >= CE_Failure) {
        throw input_error(io::redact_connection(connection) + ": " + io::gdal_last_error());
    }
    return rows;
}

/// The run to read: `run_id`, or the latest of the runs table.
std::string chosen_run(GDALDataset& ds, const std::string& runs, const std::string& run_id,
                       const std::string& connection) {
    const auto latest =
        query(ds, "SELECT run_id FROM " + runs + " ORDER BY started_utc DESC, run_id DESC LIMIT 10",
              connection);
    if (latest.empty()) {
        throw input_error(io::redact_connection(connection) + ": " + runs +
                          " holds no run. Publish one with maillage analyse --out PG:...");
    }
    if (run_id.empty()) {
        return latest.front().front();
    }
    if (query(ds, "SELECT run_id FROM " + runs + " WHERE run_id = " + quote_literal(run_id),
              connection)
            .empty()) {
        std::string list;
        for (const auto& r : latest) {
            list += (list.empty() ? "" : ", ") + r.front();
        }
        throw input_error(io::redact_connection(connection) + ": " + runs + " has no run '" +
                          run_id + "'. The latest: " + list + ".");
    }
    return run_id;
}

void write_json(const fs::path& path, const nlohmann::ordered_json& j) {
    std::ofstream out(path);
    out << j.dump(2) << "\n";
    if (!out.flush()) {
        throw runtime_failure(path.string() + ": cannot write");
    }
}

/// The run's rows of `schema.name` into the GeoPackage `gpkg`, geometries in WGS84.
void export_layer(GDALDataset& pg, const std::string& schema_name, const std::string& name,
                  const std::string& run_id, GDALDataset& gpkg) {
    OGRLayer* table = pg.GetLayerByName((schema_name + "." + name).c_str());
    if (table == nullptr) {
        return;
    }
    std::string columns = "fid";
    OGRFeatureDefn* defn = table->GetLayerDefn();
    for (int i = 0; i < defn->GetFieldCount(); ++i) {
        columns += ", " + quote_ident(defn->GetFieldDefn(i)->GetNameRef());
    }
    const bool geometry = defn->GetGeomFieldCount() > 0;
    if (geometry) {
        columns += ", ST_Transform(" + quote_ident(defn->GetGeomFieldDefn(0)->GetNameRef()) +
                   ", 4326) AS geom";
    }
    const std::string sql = "SELECT " + columns + " FROM " + quote_ident(schema_name) + "." +
                            quote_ident(name) + " WHERE run_id = " + quote_literal(run_id) +
                            " ORDER BY fid";
    std::vector<const char*> argv{"-sql", sql.c_str(), "-nln", name.c_str()};
    if (geometry) {
        argv.insert(argv.end(), {"-a_srs", "EPSG:4326"});
    }
    argv.push_back(nullptr);
    GDALVectorTranslateOptions* opts =
        GDALVectorTranslateOptionsNew(const_cast<char**>(argv.data()), nullptr);
    GDALDatasetH src = &pg;
    int usage = 0;
    CPLErrorReset();
    GDALDatasetH out = GDALVectorTranslate(nullptr, &gpkg, 1, &src, opts, &usage);
    GDALVectorTranslateOptionsFree(opts);
    if (out == nullptr) {
        throw runtime_failure(schema_name + "." + name +
                              ": cannot read the run's rows: " + io::gdal_last_error());
    }
}

} // namespace

std::string export_postgis_run(const std::string& connection, const std::string& schema_name,
                               const std::string& run_id, const fs::path& dir) {
    io::init_gdal();
    CPLErrorReset();
    GDALDatasetUniquePtr pg(
        GDALDataset::Open(connection.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
    if (!pg) {
        throw input_error(io::redact_connection(connection) +
                          ": cannot connect: " + io::gdal_last_error() +
                          ". Check the connection string (dbname, host, port, user).");
    }
    if (pg->GetLayerByName((schema_name + ".runs").c_str()) == nullptr) {
        throw input_error(io::redact_connection(connection) + ": no table " + schema_name +
                          ".runs. Is " + schema_name +
                          " the schema of a `maillage analyse --out PG:...` run? (--pg-schema)");
    }
    const std::string runs = quote_ident(schema_name) + ".runs";
    std::string id = chosen_run(*pg, runs, run_id, connection);
    namespace rec = schema::run_record;
    const auto row = query(*pg,
                           std::string("SELECT started_utc, parameters::text, inputs::text, "
                                       "summary::text FROM ") +
                               runs + " WHERE run_id = " + quote_literal(id),
                           connection)
                         .at(0);
    if (row.at(3).empty()) {
        throw input_error(io::redact_connection(connection) + ": run '" + id + "' of " + runs +
                          " has no summary.");
    }
    using oj = nlohmann::ordered_json;
    fs::create_directories(dir);
    try {
        write_json(dir / schema::files::summary, oj::parse(row.at(3)));
        oj record = oj::object();
        record[rec::started_utc] = row.at(0);
        record[rec::parameters] = row.at(1).empty() ? oj::object() : oj::parse(row.at(1));
        record[rec::inputs] = row.at(2).empty() ? oj::object() : oj::parse(row.at(2));
        write_json(dir / schema::files::run_record, record);
    } catch (const nlohmann::json::exception& e) {
        throw input_error(io::redact_connection(connection) + ": run '" + id + "' of " + runs +
                          ": not valid JSON: " + e.what());
    }
    GDALDriver* driver = GetGDALDriverManager()->GetDriverByName("GPKG");
    GDALDatasetUniquePtr gpkg(driver->Create((dir / schema::files::gpkg).string().c_str(), 0, 0, 0,
                                             GDT_Unknown, nullptr));
    if (!gpkg) {
        throw runtime_failure((dir / schema::files::gpkg).string() +
                              ": cannot create: " + io::gdal_last_error());
    }
    for (const char* name :
         {schema::zones::layer, schema::sites::layer, schema::underserved::layer,
          schema::catchments::layer, schema::whatif_zones::layer, schema::whatif_sites::layer}) {
        export_layer(*pg, schema_name, name, id, *gpkg);
    }
    return id;
}

TemporaryRunFolder::TemporaryRunFolder()
    : m_path(fs::temp_directory_path() / ("maillage-report-pg-" + std::to_string(::getpid()))) {
    fs::remove_all(m_path);
    fs::create_directories(m_path);
}

TemporaryRunFolder::~TemporaryRunFolder() {
    std::error_code ec;
    fs::remove_all(m_path, ec);
}

} // namespace maillage::report
