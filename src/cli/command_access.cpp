// maillage access: the E2SFCA accessibility index (see docs/method.md, section 10).

#include "analysis_inputs.hpp"
#include "commands.hpp"

#include "maillage/analysis/access.hpp"
#include "maillage/analysis/analysis.hpp"
#include "maillage/core/error.hpp"
#include "maillage/io/output_dir.hpp"
#include "maillage/io/postgis.hpp"
#include "maillage/output/access_outputs.hpp"

#include "maillage/geo/geos.hpp"
#include "maillage/output/outputs.hpp"

#include <nlohmann/json.hpp>
#include <omp.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <iterator>
#include <optional>
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
        m_vm = parse(args, m_all, nullptr,
                     {"sites", "border-sites", "zones", "out", "population-grid", "context-zones"});
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
        // Context zones: the shipped neighbouring communes with the shipped study area only.
        if (m_no_context && !m_context_paths.empty()) {
            throw usage_error("--context-zones and --no-context-zones contradict each other; give "
                              "one or the other.");
        }
        if (m_context_paths.empty() && !m_no_context && m_vm.count("zones") == 0U) {
            m_context_paths.push_back(data_dir() + "/communes-voisines-cog2026.geojson");
            m_context_default = true;
        }
        // --grid-m and --threads are checked there (access has no --threshold-km: the
        // default passes).
        finish_inputs(m_vm, m_params, m_sites, m_zones, m_strict);
        m_sites.options.capacity_field = m_capacity;
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
        const std::string started = utc_now();
        double context_s = 0.0;
        io::StagedOutput out(m_out);

        auto inputs = read_inputs(m_sites, m_zones, m_quiet);
        const auto& sites = inputs.sites;
        const auto& zones = inputs.zones;
        const auto tc = std::chrono::steady_clock::now();
        auto context_sets = read_context_zones();
        // The context zones in one list (their geometries stay owned by their set's context,
        // which outlives this list).
        std::vector<model::Zone> context_zones;
        for (auto& set : context_sets) {
            std::move(set.zones.begin(), set.zones.end(), std::back_inserter(context_zones));
            set.zones.clear();
        }
        const double read_s = inputs.read_s + seconds_since(tc);

        const analysis::ProgressFn progress = progress_reporter(m_progress, m_no_progress, m_quiet);
        const auto base =
            analysis::analyse(*zones.ctx, sites.sites, zones.zones, m_params, progress);
        warn_site_placement(inputs, base, m_quiet);
        std::optional<analysis::ContextDemand> context;
        if (!context_zones.empty()) {
            const auto tx = std::chrono::steady_clock::now();
            context = analysis::context_demand(*context_sets.front().ctx, context_zones,
                                               zones.zones, base);
            context_s = seconds_since(tx);
            report_context_overlap(*context, context_zones);
        }
        const auto result = analysis::compute_access(sites.sites, zones.zones, base, m_access,
                                                     progress, context ? &*context : nullptr);
        if (context) {
            log_context(*context, result);
        }
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
        output::AccessRunDescription run;
        note_site_parameters(m_sites, run.parameters);
        run.parameters["zones"] = m_zones.path;
        run.parameters["capacity"] = m_capacity.empty() ? "1 per site" : m_capacity;
        run.parameters["format"] = m_format;
        note_population_grid(m_params, base, run.parameters, m_quiet);
        run.parameters["context_zones"] = m_context_paths;
        run.context = context_json(context_sets, context ? &*context : nullptr);
        output::write_access_outputs(
            out, m_format == "gpkg" ? output::VectorFormat::gpkg : output::VectorFormat::geojson,
            result, base, sites, zones, m_access, run, existing);
        for (const auto& m : run.geometry->warnings()) {
            warn(m);
        }
        const double write_s = seconds_since(tw);
        {
            RunRecord record;
            record.command = "access";
            record.args = m_args;
            record.started_utc = started;
            record.parameters = run.parameters;
            record.parameters["decay"] = m_access.decay.to_json();
            record.parameters["below"] = m_access.below;
            record.parameters["grid_m"] = m_params.grid_m;
            model::ReadReport context_files;
            for (const auto& set : context_sets) {
                context_files.files.insert(context_files.files.end(), set.report.files.begin(),
                                           set.report.files.end());
            }
            const auto pg_files = population_grid_files(base);
            record.inputs = site_input_records(sites);
            record.inputs.emplace_back("zones", &zones.report);
            if (!context_sets.empty()) {
                record.inputs.emplace_back("context_zones", &context_files);
            }
            if (!pg_files.files.empty()) {
                record.inputs.emplace_back("population_grid", &pg_files);
            }
            record.timings_s = {{"read", read_s}};
            for (const auto* list : {&base.timings_s, &result.timings_s}) {
                record.timings_s.insert(record.timings_s.end(), list->begin(), list->end());
            }
            if (context) {
                record.timings_s.emplace_back("context grid", context_s);
            }
            record.timings_s.emplace_back("write", write_s);
            record.file_name = "access_run.json";
            write_run_record(out, record);
        }
        out.commit();

        if (!m_quiet) {
            std::ostringstream t;
            t << std::fixed << std::setprecision(2) << "timings (s): read " << read_s;
            for (const auto* list : {&base.timings_s, &result.timings_s}) {
                for (const auto& [phase, s] : *list) {
                    t << ", " << phase << ' ' << s;
                }
            }
            if (context) {
                t << ", context grid " << context_s;
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
             "sites),\n"
          << "with the neighbouring communes as context zones (demand on the sites near the "
             "border,\n"
          << "not reported); --no-context-zones turns them off.\n\n"
          << m_all;
        return o.str();
    }

private:
    void build() {
        po::options_description in("Inputs", help_width);
        add_input_options(in, m_sites, m_zones, m_strict);
        in.add_options()(
            "context-zones", po::value<std::vector<std::string>>(&m_context_paths)->composing(),
            "zones outside the study area whose population is demand on the sites (step 1) but "
            "is not reported; repeatable; read with --population, --zone-id, --zone-name "
            "(default: the shipped neighbouring communes when --zones is not given)")(
            "context-zones-crs", po::value<std::string>(&m_context_crs),
            "CRS of the context zones, overriding the layers' (--zones-crs is for --zones only)")(
            "no-context-zones", po::bool_switch(&m_no_context),
            "no context zones, not even the shipped default");
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

    /// Reads every --context-zones file with the zone options of --zones (population, id, name
    /// fields, --strict) and its own CRS option; an error names the file.
    [[nodiscard]] std::vector<io::ZoneSet> read_context_zones() const {
        std::vector<io::ZoneSet> sets;
        for (const auto& path : m_context_paths) {
            io::ZoneReadOptions o = m_zones;
            o.path = path;
            o.crs = m_context_crs;
            o.group_field = "none";
            try {
                sets.push_back(io::read_zones(o));
            } catch (const input_error& e) {
                // The zone reader's hints name the options of --zones.
                std::string m = e.what();
                for (auto at = m.find("--zones-crs"); at != std::string::npos;
                     at = m.find("--zones-crs", at + 19)) {
                    m.replace(at, 11, "--context-zones-crs");
                }
                throw input_error("--context-zones: " + m);
            }
            warn_read_report(sets.back().report, m_quiet);
        }
        return sets;
    }

    void report_context_overlap(const analysis::ContextDemand& c,
                                const std::vector<model::Zone>& context_zones) const {
        if (c.overlapping.empty()) {
            return;
        }
        std::string names;
        for (std::size_t k = 0; k < c.overlapping.size() && k < 5; ++k) {
            names += (k == 0 ? "" : ", ") + context_zones[c.overlapping[k]].id;
        }
        if (c.overlapping.size() > 5) {
            names += ", ...";
        }
        std::ostringstream o;
        o << std::fixed << std::setprecision(0) << c.overlapping.size()
          << " context zone(s) overlap the study area by more than a sliver (" << c.zones_inside
          << " wholly inside): " << names << ". The study area wins: their cells there, and "
          << c.population_in_study_area
          << " inhabitants in all, are left out of the context demand (summary.json, "
             "access.context_zones). Check that the context zones are not the study zones.";
        warn(o.str());
    }

    void log_context(const analysis::ContextDemand& c, const analysis::AccessResult& r) const {
        if (m_quiet) {
            return;
        }
        std::ostringstream o;
        o << std::fixed << std::setprecision(0) << "context zones: " << c.zones << " zones ("
          << (m_context_default ? "shipped neighbouring communes" : "--context-zones") << "), "
          << c.population << " inhabitants, " << r.context_population
          << " of them outside the study area as demand, " << r.context_population_in_reach
          << " within reach of a site; demand on " << r.context_sites << " site(s)";
        if (!m_params.population_grid.path.empty()) {
            o << " (spread evenly over their cells: --population-grid is for the study area)";
        }
        log(o.str());
    }

    [[nodiscard]] nlohmann::ordered_json context_json(const std::vector<io::ZoneSet>& sets,
                                                      const analysis::ContextDemand* c) const {
        nlohmann::ordered_json j;
        j["used"] = c != nullptr;
        j["default"] = m_context_default;
        if (c == nullptr) {
            j["reason"] =
                m_no_context ? "--no-context-zones" : "--zones given without --context-zones";
            return j;
        }
        auto files = nlohmann::ordered_json::array();
        for (const auto& set : sets) {
            files.push_back(output::input_summary(set.report));
        }
        j["inputs"] = files;
        j["population_spread"] = m_params.population_grid.path.empty()
                                     ? "even, as the study zones"
                                     : "even (--population-grid is read for the study area only)";
        j["zones"] = c->zones;
        j["population"] = c->population;
        j["population_in_study_area"] = c->population_in_study_area;
        j["zones_overlapping_study_area"] = c->overlapping.size();
        j["zones_inside_study_area"] = c->zones_inside;
        j["zones_on_reference_point"] = c->point_demands;
        j["grid"] = {{"width", c->grid.width},
                     {"height", c->grid.height},
                     {"cells", std::count_if(c->grid.zone.begin(), c->grid.zone.end(),
                                             [](auto z) { return z >= 0; })}};
        return j;
    }

    po::options_description m_all{help_width};
    po::variables_map m_vm;
    SiteInputs m_sites;
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
    std::vector<std::string> m_context_paths;
    std::string m_context_crs;
    bool m_no_context = false;
    bool m_context_default = false;
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
