#include "analysis_command.hpp"

#include "maillage/core/parallel.hpp"
#include "maillage/io/postgis.hpp"
#include "maillage/model/schema.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>

namespace maillage::cli {

void AnalysisCommand::setup(const std::vector<std::string>& args) {
    m_args = args;
    auto paths = InputOptions::path_options();
    paths.emplace_back("out");
    for (auto& p : own_path_options()) {
        paths.push_back(std::move(p));
    }
    m_vm = parse(args, m_all, nullptr, paths);
    m_common.validate(m_vm);
    if (m_common.help) {
        return;
    }
    m_log = m_common.logger();
    validate(m_vm);
    m_params.population_grid = m_inputs.population_grid;
}

int AnalysisCommand::run() {
    if (m_common.help) {
        std::cout << help();
        return 0;
    }
    core::set_threads(m_common.threads);
    Run run;
    run.started_utc = utc_now();
    // The output folder is checked before the long work, so a bad --out fails at once.
    const std::string folder = staging_folder();
    io::StagedOutput out(folder);
    if (m_output.postgis() && io::prepare_postgis(m_output.out)) {
        m_log.warn(
            io::redact_connection(m_output.out) +
            ": the database had no PostGIS extension; created it (CREATE EXTENSION postgis)");
    }
    if (out.completed_interrupted_commits() > 0) {
        m_log.warn(folder + ": completed the outputs of an earlier run that was stopped while "
                            "moving them into place");
    }
    read(run);
    run.progress = m_log.progress(m_common.progress, m_common.no_progress);
    compute(run);
    const auto tw = std::chrono::steady_clock::now();
    if (run.progress) {
        run.progress("write", 0.0);
    }
    write(run, out);
    run.timings.emplace_back("write", seconds_since(tw));
    if (run.progress) {
        run.progress("write", 1.0);
    }
    write_record(run, out);
    commit(run, out);
    log_end(run);
    return 0;
}

std::string AnalysisCommand::staging_folder() const {
    // A PostGIS output is first written as a GeoPackage in a temporary folder.
    if (!m_output.postgis()) {
        return m_output.out;
    }
    const auto tmp = std::filesystem::temp_directory_path();
    io::remove_abandoned_folders(tmp, "maillage-pg-");
    return (tmp / ("maillage-pg-" + std::to_string(::getpid()))).string();
}

void AnalysisCommand::read(Run& run) {
    read_first(run);
    run.inputs = read_inputs(m_inputs.sites, m_inputs.zones, m_log,
                             [this](const io::SiteSet& sites) { check_sites(sites); });
    const auto t = std::chrono::steady_clock::now();
    read_more(run);
    const double more_s = seconds_since(t);
    if (const char* phase = read_more_phase(); phase != nullptr) {
        run.timings.emplace_back("read", run.inputs.read_s);
        run.timings.emplace_back(phase, more_s);
    } else {
        run.timings.emplace_back("read", run.inputs.read_s + more_s);
    }
}

analysis::AnalysisResult AnalysisCommand::analyse(Run& run) const {
    const auto& in = run.inputs;
    auto result =
        analysis::analyse(*in.zones.ctx, in.sites.sites, in.zones.zones, m_params, run.progress);
    warn_site_placement(in, result, m_log);
    if (result.population_grid) {
        run.population_grid = population_grid_files(result);
    }
    return result;
}

void AnalysisCommand::note_inputs(nlohmann::ordered_json& parameters) const {
    note_site_parameters(m_inputs.sites, parameters);
    parameters["zones"] = m_inputs.zones.path;
}

void AnalysisCommand::write_record(const Run& run, io::StagedOutput& out) const {
    RunRecord rec{
        name(), m_args, run.started_utc, run.parameters, site_input_records(run.inputs.sites), {}};
    rec.inputs.emplace_back("zones", &run.inputs.zones.report);
    add_to_record(run, rec);
    if (run.population_grid) {
        rec.inputs.emplace_back("population_grid", &*run.population_grid);
    }
    rec.timings_s = run.timings;
    const double total_s = seconds_since(run.started);
    rec.timings_s.emplace_back("total", total_s);
    if (!rec.timings_nested.is_null()) {
        rec.timings_nested["total"] = total_s;
    }
    rec.file_name = m_output.spec().run_record;
    write_run_record(out, rec);
}

void AnalysisCommand::commit(const Run& run, io::StagedOutput& out) const {
    if (!m_output.postgis()) {
        out.commit();
        return;
    }
    nlohmann::ordered_json pg_record; // in the order written, as the folder's files
    std::ifstream(out.path(m_output.spec().run_record)) >> pg_record;
    std::ifstream(out.path(model::schema::files::summary)) >> pg_record["summary"];
    const std::string run_id = m_output.run_id_or(run.started_utc);
    io::publish_postgis(out.path(model::schema::files::gpkg).string(), m_output.out,
                        m_output.pg_schema, run_id, pg_record);
    if (!m_output.project_dir.empty()) {
        const auto project = io::write_postgis_project(
            out.path(model::schema::files::gpkg).parent_path().string(), m_output.out,
            m_output.pg_schema, run_id, m_output.project_dir);
        m_log.info("QGIS project in " + project +
                   " (no password in it: QGIS asks for it, or reads it from a service file or "
                   "~/.pgpass)");
    }
}

void AnalysisCommand::log_timings(const Run& run) const {
    std::ostringstream t;
    t << std::fixed << std::setprecision(2) << "timings (s): ";
    for (std::size_t k = 0; k < run.timings.size(); ++k) {
        t << (k == 0 ? "" : ", ") << run.timings[k].first << ' ' << run.timings[k].second;
    }
    t << "; total " << seconds_since(run.started);
    m_log.info(t.str());
}

void AnalysisCommand::log_end(const Run& run) const {
    if (m_log.quiet()) {
        return;
    }
    log_timings(run);
    log_results(run);
    m_log.info(m_output.postgis()
                   ? "results in " + io::redact_connection(m_output.out) + " (schema " +
                         m_output.pg_schema + ", run " + m_output.run_id_or(run.started_utc) + ")"
                   : "results in " + m_output.out + "/");
}

} // namespace maillage::cli
