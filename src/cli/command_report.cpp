#include "command_report.hpp"
#include "commands.hpp"

#include "maillage/core/error.hpp"
#include "maillage/io/postgis.hpp"

#include "maillage/report/run_postgis.hpp"

#include <filesystem>
#include <iostream>
#include <optional>
#include <sstream>

namespace maillage::cli {

CommandReport::CommandReport() {
    po::options_description d("Options", help_width);
    d.add_options()("run", po::value<std::string>(&m_options.run_dir)->required(),
                    "output folder of `maillage analyse` (GeoJSON or GeoPackage)")(
        "out,o", po::value<std::string>(&m_options.out_dir)->default_value("report"),
        "report folder")("lang", po::value<std::string>(&m_options.lang)->default_value("fr"),
                         "fr or en")("previous", po::value<std::string>(&m_options.previous_dir),
                                     "an earlier run to compare with: sites opened, closed, moved; "
                                     "communes whose distance changed; both curves. `auto`: the "
                                     "latest run before --run among its sibling folders")(
        "pg-schema", po::value<std::string>(&m_pg_schema)->default_value("maillage"),
        "with --run PG:..., the schema of the run's tables")(
        "run-id", po::value<std::string>(&m_run_id),
        "with --run PG:..., the run to report (default: the latest)");
    m_common.add_to(d, CommonOptions::Scope::files);
    m_all.add(d);
    po::options_description page("Report page", help_width);
    page.add_options()(
        "title", po::value<std::string>(&m_options.title),
        "the report's title (default: the region, the run's date and the threshold)")(
        "group-names", po::value<std::string>(&m_options.group_names),
        "a table of the groups' names (code and name fields; default: the shipped departments "
        "file)")("pdf", po::bool_switch(&m_options.pdf),
                 "also print the page to report.pdf (A4) with headless Chromium");
    m_all.add(page);
}

const char* CommandReport::synopsis() const {
    return "regional report (HTML, Markdown, SVG maps, CSV) from an analysis";
}

void CommandReport::setup(const std::vector<std::string>& args) {
    // --help before parsing: --run is required, and the help must not need it.
    if (asks_for_help(args)) {
        m_common.help = true;
        return;
    }
    const auto vm = parse(args, m_all, nullptr, {"run", "out", "previous", "group-names"});
    m_common.validate(vm);
    m_options.data_dir = data_dir();
    if (m_options.group_names.empty()) {
        const auto shipped = m_options.data_dir + "/departements-aura-adminexpress-2018.geojson";
        if (std::filesystem::exists(shipped)) {
            m_options.group_names = shipped;
        }
    }
    m_log = m_common.logger();
    if (m_options.lang != "fr" && m_options.lang != "en") {
        throw usage_error("--lang must be fr or en (got '" + m_options.lang + "').");
    }
    if (io::is_postgis(m_options.run_dir)) {
        io::check_postgis_identifier(m_pg_schema, "--pg-schema");
        if (!m_run_id.empty()) {
            io::check_postgis_identifier(m_run_id, "--run-id");
        }
    }
}

int CommandReport::run() {
    if (m_common.help) {
        std::cout << help();
        return 0;
    }
    if (m_options.previous_dir == "auto" && io::is_postgis(m_options.run_dir)) {
        throw usage_error("--previous auto looks for the run before --run among the folders beside "
                          "it: give --previous DIR with --run PG:...");
    }
    if (m_options.previous_dir == "auto") {
        const auto previous = report::find_previous_run(m_options.run_dir);
        m_log.info("--previous auto: " + previous.dir + " (started " + previous.started_utc +
                   ": the latest run before this one among " + std::to_string(previous.candidates) +
                   " beside " + m_options.run_dir + ")");
        m_options.previous_dir = previous.dir;
    }
    std::optional<report::TemporaryRunFolder> from_postgis;
    if (io::is_postgis(m_options.run_dir)) { // the run read back from its tables
        from_postgis.emplace();
        const auto id = report::export_postgis_run(m_options.run_dir, m_pg_schema, m_run_id,
                                                   from_postgis->path());
        m_log.info("run " + id + " of " + io::redact_connection(m_options.run_dir) + " (schema " +
                   m_pg_schema + ")");
        m_options.run_dir = from_postgis->path().string();
    }
    report::build_report(m_options);
    m_log.info("report in " + m_options.out_dir +
               "/index.html (also report.md, map.svg, coverage.svg, figures.csv)");
    if (m_options.pdf) {
        report::print_pdf(m_options.out_dir + "/index.html", m_options.out_dir + "/report.pdf");
        m_log.info("PDF in " + m_options.out_dir + "/report.pdf");
    }
    return 0;
}

std::string CommandReport::help() const {
    std::ostringstream o;
    o << "Usage: maillage report --run DIR [--previous DIR] [--out DIR] [--lang fr|en]\n"
      << "                       [--title TEXT] [--group-names FILE] [--pdf]\n\n"
      << "A regional report that a planner reads without a GIS: key figures, a map of the\n"
      << "communes by mean distance with the underserved areas and the sites, the coverage\n"
      << "curve, a table per department and the most populated underserved areas. Every\n"
      << "figure comes from the run's outputs. The footer gives the inputs' sources, vintages\n"
      << "and licences, and the limits of the analysis. --pdf prints the page to report.pdf\n"
      << "(A4) with headless Chromium (chromium, chromium-browser or google-chrome on PATH).\n\n"
      << m_all;
    return o.str();
}

std::unique_ptr<Command> make_report() { return std::make_unique<CommandReport>(); }

} // namespace maillage::cli
