#include "command.hpp"
#include "commands.hpp"

#include "maillage/core/error.hpp"
#include "maillage/report/report.hpp"

#include <iostream>
#include <sstream>

namespace maillage::cli {
namespace {

class CommandReport : public Command {
public:
    [[nodiscard]] const char* name() const override { return "report"; }
    [[nodiscard]] const char* synopsis() const override {
        return "regional report (HTML, Markdown, SVG maps, CSV) from an analysis";
    }

    CommandReport() {
        po::options_description d("Options", help_width);
        d.add_options()("run", po::value<std::string>(&m_options.run_dir)->required(),
                        "output folder of `maillage analyse` (GeoJSON or GeoPackage)")(
            "out,o", po::value<std::string>(&m_options.out_dir)->default_value("report"),
            "report folder")("lang", po::value<std::string>(&m_options.lang)->default_value("fr"),
                             "fr or en")(
            "previous", po::value<std::string>(&m_options.previous_dir),
            "an earlier run to compare with: sites opened, closed, moved; "
            "communes whose distance changed; both curves")("quiet,q", po::bool_switch(&m_quiet),
                                                            "print nothing on stderr but errors")(
            "config", po::value<std::string>(),
            "read options from FILE (key = value lines)")("help,h", "show this help");
        m_all.add(d);
    }

    void setup(const std::vector<std::string>& args) override {
        if (std::find(args.begin(), args.end(), "--help") != args.end() ||
            std::find(args.begin(), args.end(), "-h") != args.end()) {
            m_help = true;
            return;
        }
        parse(args, m_all, nullptr, {"run", "out", "previous"});
        if (m_options.lang != "fr" && m_options.lang != "en") {
            throw usage_error("--lang must be fr or en (got '" + m_options.lang + "').");
        }
    }

    int run() override {
        if (m_help) {
            std::cout << help();
            return 0;
        }
        report::build_report(m_options);
        if (!m_quiet) {
            log("report in " + m_options.out_dir +
                "/index.html (also report.md, map.svg, "
                "coverage.svg, figures.csv)");
        }
        return 0;
    }

    [[nodiscard]] std::string help() const override {
        std::ostringstream o;
        o << "Usage: maillage report --run DIR [--previous DIR] [--out DIR] [--lang fr|en]\n\n"
          << "A regional report that a planner reads without a GIS: key figures, a map of the\n"
          << "communes by mean distance with the underserved areas and the sites, the coverage\n"
          << "curve, a table per department and the most populated underserved areas. Every\n"
          << "figure comes from the run's outputs.\n\n"
          << m_all;
        return o.str();
    }

private:
    po::options_description m_all{help_width};
    report::ReportOptions m_options;
    bool m_quiet = false;
    bool m_help = false;
};

} // namespace

std::unique_ptr<Command> make_report() { return std::make_unique<CommandReport>(); }

} // namespace maillage::cli
