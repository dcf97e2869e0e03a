// maillage access: the E2SFCA accessibility index (see docs/method.md, section 10).

#include "analysis_inputs.hpp"
#include "commands.hpp"

#include "maillage/analysis/access.hpp"
#include "maillage/analysis/analysis.hpp"
#include "maillage/error.hpp"
#include "maillage/io/output_dir.hpp"
#include "maillage/io/postgis.hpp"

#include <nlohmann/json.hpp>
#include <omp.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>

namespace maillage::cli {
namespace {

class CommandAccess : public Command {
public:
    [[nodiscard]] const char* name() const override { return "access"; }
    [[nodiscard]] const char* synopsis() const override {
        return "accessibility index (E2SFCA, as the French APL) per zone and grid cell";
    }

    CommandAccess() { build(); }

    void setup(const std::vector<std::string>& args) override {
        m_args = args;
        m_vm = parse(args, m_all, nullptr, {"sites", "zones", "out", "population-grid"});
        if (m_vm.count("help") != 0U) {
            m_help = true;
            return;
        }
        if (m_decay != "bands" && m_decay != "gaussian") {
            throw usage_error("--decay must be bands or gaussian (got '" + m_decay + "').");
        }
        const bool bands_given = m_vm.count("bands") != 0U && !m_vm["bands"].defaulted();
        const bool d0_given = m_vm.count("d0-km") != 0U && !m_vm["d0-km"].defaulted();
        if (m_decay == "gaussian") {
            if (bands_given) {
                throw usage_error("--bands is for --decay bands; with --decay gaussian give "
                                  "--d0-km instead.");
            }
            m_access.decay = analysis::Decay::gaussian(m_d0_km * 1000.0);
        } else {
            if (d0_given) {
                throw usage_error("--d0-km is for --decay gaussian; with bands give --bands.");
            }
            m_access.decay = analysis::Decay::bands(m_bands);
        }
        if (!(m_access.below > 0) || !std::isfinite(m_access.below)) {
            throw usage_error("--below must be a share of the regional mean greater than 0, e.g. "
                              "0.5 (got " +
                              fmt(m_access.below) + ").");
        }
        if (m_format != "geojson" && m_format != "gpkg") {
            throw usage_error("--format must be geojson or gpkg (got '" + m_format + "').");
        }
        if (io::is_postgis(m_out)) {
            throw usage_error("--out: maillage access writes files into a folder; PostGIS output "
                              "is for maillage analyse.");
        }
        set_log_format(m_log_format);
        // --grid-m and --threads are checked there (access has no --threshold-km: the
        // default passes).
        finish_inputs(m_vm, m_params, m_sites, m_zones, m_strict);
        m_sites.capacity_field = m_capacity;
    }

    int run() override {
        if (m_help) {
            std::cout << help();
            return 0;
        }
        if (m_params.threads > 0) {
            omp_set_num_threads(m_params.threads);
        }
        const auto t0 = std::chrono::steady_clock::now();
        io::StagedOutput out(m_out);

        auto inputs = read_inputs(m_sites, m_zones, m_quiet);
        const auto& sites = inputs.sites;
        const auto& zones = inputs.zones;
        const double read_s = inputs.read_s;

        const analysis::ProgressFn progress = progress_reporter(m_progress, m_no_progress, m_quiet);
        const auto base =
            analysis::analyse(*zones.ctx, sites.sites, zones.zones, m_params, progress);
        const auto result =
            analysis::compute_access(sites.sites, zones.zones, base, m_access, progress);
        if (!result.unreached_sites.empty()) {
            std::string names;
            for (std::size_t k = 0; k < result.unreached_sites.size() && k < 5; ++k) {
                const auto& s = sites.sites[result.unreached_sites[k]];
                names += (k == 0 ? "" : ", ") + s.id + (s.name.empty() ? "" : " (" + s.name + ")");
            }
            if (result.unreached_sites.size() > 5) {
                names += ", ...";
            }
            warn(std::to_string(result.unreached_sites.size()) + " site(s) reach nobody within " +
                 fmt(m_access.decay.radius_m() / 1000) +
                 " km: their ratio is undefined and they are left out of the index: " + names +
                 " (listed in summary.json, access.sites_reaching_nobody).");
        }

        // summary.json is shared with `maillage analyse` when both write into one folder: its
        // other members are kept and "access" is replaced.
        nlohmann::ordered_json existing;
        const auto summary_path = std::filesystem::path(m_out) / "summary.json";
        if (std::filesystem::exists(summary_path)) {
            std::ifstream in(summary_path);
            try {
                in >> existing;
            } catch (const nlohmann::json::exception&) {
                warn(summary_path.string() +
                     " is not valid JSON; it is replaced by the figures of this run.");
                existing = nullptr;
            }
        }
        const auto tw = std::chrono::steady_clock::now();
        analysis::AccessRunDescription run;
        run.parameters = {{"sites", m_sites.path},
                          {"site_filter", m_sites.filter},
                          {"zones", m_zones.path},
                          {"capacity", m_capacity.empty() ? "1 per site" : m_capacity},
                          {"format", m_format}};
        note_population_grid(m_params, base, run.parameters, m_quiet);
        analysis::write_access_outputs(
            out, m_format == "gpkg" ? io::VectorFormat::gpkg : io::VectorFormat::geojson, result,
            base, sites, zones, m_access, run, existing);
        for (const auto& m : run.geometry->warnings()) {
            warn(m);
        }
        out.commit();
        const double write_s = seconds_since(tw);

        if (!m_quiet) {
            std::ostringstream t;
            t << std::fixed << std::setprecision(2) << "timings (s): read " << read_s;
            for (const auto* list : {&base.timings_s, &result.timings_s}) {
                for (const auto& [phase, s] : *list) {
                    t << ", " << phase << ' ' << s;
                }
            }
            t << ", write " << write_s << "; total " << seconds_since(t0);
            log(t.str());
            std::ostringstream s;
            s << std::fixed << std::setprecision(3)
              << "accessibility (E2SFCA, supply per 100,000 inhabitants): regional mean "
              << result.mean_index * analysis::access_per_inhabitants << "; " << result.zones_below
              << " zones (" << std::setprecision(0) << result.population_below
              << " inhabitants) below " << std::setprecision(2) << m_access.below << " x the mean; "
              << result.unreached_sites.size() << " site(s) reach nobody";
            log(s.str());
            log("results in " + m_out + "/");
        }
        return 0;
    }

    [[nodiscard]] std::string help() const override {
        std::ostringstream o;
        o << "Usage: maillage access [OPTIONS]\n\n"
          << "Spatial accessibility index by the enhanced two-step floating catchment area "
             "method\n"
          << "(E2SFCA, Luo & Qi 2009; the method of the French APL): each site's supply divided "
             "by the\n"
          << "distance-weighted population around it, summed back over the sites in reach of "
             "each grid\n"
          << "cell and zone. Index per 100,000 inhabitants. Distances are WGS84 geodesics.\n"
          << "With no input option, uses the shipped Auvergne-Rhône-Alpes data (470 SPRO-type "
             "sites).\n\n"
          << m_all;
        return o.str();
    }

private:
    void build() {
        po::options_description in("Inputs", help_width);
        add_input_options(in, m_sites, m_zones, m_strict);
        po::options_description calc("Computation", help_width);
        calc.add_options()("capacity", po::value<std::string>(&m_capacity),
                           "site field holding each site's supply (default: 1 per site)")(
            "decay", po::value<std::string>(&m_decay)->default_value("bands"),
            "distance decay: bands or gaussian")(
            "bands",
            po::value<std::string>(&m_bands)->default_value(analysis::default_access_bands),
            "with --decay bands: FROM-TO:WEIGHT,... in km (FROM < d <= TO; 0 beyond the last)")(
            "d0-km", po::value<double>(&m_d0_km)->default_value(30.0),
            "with --decay gaussian: catchment radius d0 (km)")(
            "below", po::value<double>(&m_access.below)->default_value(0.5),
            "flag the zones whose index is below this share of the regional mean")(
            "grid-m", po::value<double>(&m_params.grid_m)->default_value(200.0),
            "population grid cell size (m, equal-area)");
        po::options_description outd("Output", help_width);
        outd.add_options()("out,o", po::value<std::string>(&m_out)->default_value("out"),
                           "output folder (may be the folder of a maillage analyse run)")(
            "format", po::value<std::string>(&m_format)->default_value("geojson"),
            "geojson (one file per layer) or gpkg (one access.gpkg)");
        m_all.add(in)
            .add(calc)
            .add(population_grid_options(m_params.population_grid))
            .add(outd)
            .add(
                common_options(m_progress, m_no_progress, m_params.threads, m_quiet, m_log_format));
    }

    void warn(const std::string& m) const { cli::warn(m, m_quiet); }

    po::options_description m_all{help_width};
    po::variables_map m_vm;
    io::SiteReadOptions m_sites;
    io::ZoneReadOptions m_zones;
    analysis::Parameters m_params;
    analysis::AccessParameters m_access;
    std::string m_capacity;
    std::string m_decay = "bands";
    std::string m_bands = analysis::default_access_bands;
    double m_d0_km = 30.0;
    std::string m_out = "out";
    std::string m_format = "geojson";
    bool m_strict = false;
    bool m_progress = false;
    bool m_no_progress = false;
    bool m_quiet = false;
    bool m_help = false;
    std::string m_log_format = "text";
    std::vector<std::string> m_args;
};

} // namespace

std::unique_ptr<Command> make_access() { return std::make_unique<CommandAccess>(); }

} // namespace maillage::cli
