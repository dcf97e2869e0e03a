#pragma once

// A run read back from PostGIS (`report --run PG:...`): written as a run folder (summary.json,
// run.json, maillage.gpkg) that the report reads as it reads the folder of the run.

#include <filesystem>
#include <string>

namespace maillage::report {

/// Writes run `run_id` (empty: the latest, by its start time) of the tables of `schema` in the
/// database `connection` into `dir` as a run folder: summary.json and run.json from the runs
/// table, the run's rows of zones, sites, underserved (and catchments, whatif_zones,
/// whatif_sites when the schema has them) into maillage.gpkg, in WGS84. Returns the run id.
/// Throws input_error for a schema without runs table or a run id it does not hold (listing the
/// latest ones), naming the connection without its password.
std::string export_postgis_run(const std::string& connection, const std::string& schema,
                               const std::string& run_id, const std::filesystem::path& dir);

/// A temporary folder ($TMPDIR/maillage-report-pg-PID), removed when it goes out of scope.
class TemporaryRunFolder {
public:
    TemporaryRunFolder();
    ~TemporaryRunFolder();
    TemporaryRunFolder(const TemporaryRunFolder&) = delete;
    TemporaryRunFolder& operator=(const TemporaryRunFolder&) = delete;
    [[nodiscard]] const std::filesystem::path& path() const { return m_path; }

private:
    std::filesystem::path m_path;
};

} // namespace maillage::report
