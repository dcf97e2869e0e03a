#pragma once

#include "analysis_command.hpp"

#include "maillage/analysis/access.hpp"
#include "maillage/analysis/analysis.hpp"
#include "maillage/io/zone_reader.hpp"

#include <optional>
#include <string>
#include <vector>

namespace maillage::cli {

/// The decay of --bands: "FROM-TO:WEIGHT,..." in km, e.g. "0-10:1,10-20:0.68,20-30:0.22". Bands
/// must start at 0, follow each other without gap or overlap (each FROM the previous TO), have
/// FROM < TO and a finite weight >= 0; throws usage_error (naming the band) otherwise.
analysis::Decay parse_bands(const std::string& text);

/// maillage access: the E2SFCA accessibility index (docs/method.md, section 10), with the
/// demand of the context zones around the study area.
class CommandAccess : public AnalysisCommand {
public:
    CommandAccess();
    [[nodiscard]] const char* name() const override { return "access"; }
    [[nodiscard]] const char* synopsis() const override;
    [[nodiscard]] std::string help() const override;

    /// The index's parameters (decay, --below), once setup() has run.
    [[nodiscard]] const analysis::AccessParameters& access() const { return m_access; }
    /// --capacity (empty: 1 per site).
    [[nodiscard]] const std::string& capacity() const { return m_capacity; }
    /// The context zones' files: --context-zones, or the shipped default.
    [[nodiscard]] const std::vector<std::string>& context_paths() const { return m_context_paths; }
    /// Whether context_paths() is the shipped default.
    [[nodiscard]] bool context_default() const { return m_context_default; }

private:
    [[nodiscard]] std::vector<std::string> own_path_options() const override;
    void validate(const po::variables_map& vm) override;
    void read_more(Run& run) override;
    void compute(Run& run) override;
    void write(Run& run, io::StagedOutput& out) override;
    void add_to_record(const Run& run, RunRecord& record) const override;
    void log_results(const Run& run) const override;

    void check_decay(const po::variables_map& vm);
    void warn_unreached(const io::SiteSet& sites) const;
    /// Reads every --context-zones file with the zone options of --zones (population, id, name
    /// fields, --strict) and its own CRS option; an error names the file.
    [[nodiscard]] std::vector<io::ZoneSet> read_context_zones() const;
    void report_context_overlap(const analysis::ContextDemand& c) const;
    void log_context(const analysis::ContextDemand& c, const analysis::AccessResult& r) const;
    [[nodiscard]] nlohmann::ordered_json context_json() const;
    /// The summary.json already in --out (an analyse run's), whose other members are kept; null
    /// when there is none or it is not valid JSON.
    [[nodiscard]] nlohmann::ordered_json existing_summary() const;

    analysis::AccessParameters m_access;
    std::string m_capacity;
    std::string m_decay = "bands";
    std::string m_bands = analysis::default_access_bands;
    double m_d0_km = 30.0;
    std::vector<std::string> m_context_paths;
    std::string m_context_crs;
    bool m_no_context = false;
    bool m_context_default = false;

    // The run's data, from read_more() and compute() to the later stages.
    std::vector<io::ZoneSet> m_context_sets;
    /// The context zones in one list (their geometries stay owned by their set's context).
    std::vector<model::Zone> m_context_zones;
    model::ReadReport m_context_files;
    analysis::AnalysisResult m_base;
    std::optional<analysis::ContextDemand> m_context;
    analysis::AccessResult m_result;
};

} // namespace maillage::cli
