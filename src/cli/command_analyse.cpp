// maillage analyse: the distance from every inhabitant to the nearest site (docs/method.md).

#include "command_analyse.hpp"
#include "commands.hpp"

#include "maillage/output/outputs.hpp"

#include <iomanip>
#include <sstream>

namespace maillage::cli {

CommandAnalyse::CommandAnalyse()
    : AnalysisCommand(
          {.command = "analyse", .qgis_project = true, .postgis = true, .out_crs = true}) {
    po::options_description in("Inputs", help_width);
    m_inputs.add_to(in);
    po::options_description calc("Computation", help_width);
    add_analysis_options(calc, m_params);
    po::options_description outd("Output", help_width);
    m_output.add_to(outd);
    m_all.add(in).add(calc).add(m_inputs.population_grid_group()).add(outd).add(m_common.group());
}

const char* CommandAnalyse::synopsis() const {
    return "distance from every inhabitant to the nearest site; underserved zones; layers";
}

std::string CommandAnalyse::help() const {
    std::ostringstream o;
    o << "Usage: maillage analyse [OPTIONS]\n\n"
      << "Distance from every inhabitant to the nearest site (WGS84 geodesic, exact nearest),\n"
      << "population beyond a threshold, underserved zones, and QGIS-ready layers.\n"
      << "With no option, analyses the shipped Auvergne-Rhône-Alpes data (470 SPRO-type "
         "sites,\nand the 287 of the neighbouring departments within 60 km as border "
         "sites).\n\n"
      << m_all;
    return o.str();
}

void CommandAnalyse::validate(const po::variables_map& vm) {
    m_output.validate();
    m_inputs.validate(vm);
    check_analysis_parameters(m_params);
}

void CommandAnalyse::compute(Run& run) {
    m_result = analyse(run);
    run.timings.insert(run.timings.end(), m_result.timings_s.begin(), m_result.timings_s.end());
}

void CommandAnalyse::write(Run& run, io::StagedOutput& out) {
    output::RunDescription desc;
    desc.qgis_project = m_output.qgis_project;
    desc.lang = m_output.lang;
    desc.group_names = m_output.group_name_table();
    if (!m_output.out_crs.empty()) {
        desc.geometry->set_output_crs(m_output.out_crs);
        desc.parameters["out_crs"] = m_output.out_crs;
    }
    note_inputs(desc.parameters);
    desc.parameters["format"] = m_output.format;
    note_population_grid(m_params, m_result, desc.parameters, m_log);
    output::write_outputs(out, m_output.vector_format(), m_result, run.inputs.sites,
                          run.inputs.zones, m_params, desc);
    for (const auto& m : desc.geometry->warnings()) {
        m_log.warn(m);
    }
    run.parameters = desc.parameters;
}

void CommandAnalyse::add_to_record(const Run& /*run*/, RunRecord& record) const {
    record.parameters["threshold_km"] = m_params.threshold_km;
    record.parameters["grid_m"] = m_params.grid_m;
    record.parameters["by_type"] = m_params.by_type;
    record.parameters["catchments"] = m_params.catchments;
}

void CommandAnalyse::log_results(const Run& /*run*/) const {
    const auto& d = m_result.distribution;
    std::ostringstream s;
    s << std::fixed << std::setprecision(1) << "population " << std::setprecision(0) << d.total
      << ", mean distance " << std::setprecision(2) << d.mean_m / 1000 << " km, p90 "
      << d.p90_m / 1000 << " km, beyond " << m_params.threshold_km
      << " km: " << std::setprecision(0) << m_result.population_beyond << " ("
      << std::setprecision(2) << (d.total > 0 ? 100.0 * m_result.population_beyond / d.total : 0.0)
      << " %)";
    m_log.info(s.str());
}

std::unique_ptr<Command> make_analyse() { return std::make_unique<CommandAnalyse>(); }

} // namespace maillage::cli
