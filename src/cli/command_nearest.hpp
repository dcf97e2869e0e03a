#pragma once

#include "analysis_inputs.hpp"
#include "basic_command.hpp"

#include "maillage/output/layer_writer.hpp"

#include <string>
#include <vector>

namespace maillage::cli {

/// maillage nearest: the nearest site (or k nearest) of every point of a layer, geodesic and
/// exact, into one file (.csv, .geojson or .gpkg).
class CommandNearest : public BasicCommand {
public:
    CommandNearest();
    [[nodiscard]] const char* name() const override { return "nearest"; }
    [[nodiscard]] const char* synopsis() const override;
    void setup(const std::vector<std::string>& args) override;
    int run() override;
    [[nodiscard]] std::string help() const override;

    /// The values of the options, once setup() has run.
    [[nodiscard]] const SiteInputs& sites() const { return m_sites; }
    [[nodiscard]] int k() const { return m_k; }
    /// --max-km, -1 for none.
    [[nodiscard]] double max_km() const { return m_max_km; }
    /// The output file's format, from its extension.
    [[nodiscard]] output::VectorFormat format() const { return m_format; }

private:
    /// The timings of a run, for the log.
    struct Timings {
        double read_sites = 0.0;
        double index = 0.0;
        double query = 0.0;
        double io = 0.0;
        double total = 0.0;
    };
    void report(std::size_t total, std::size_t nsites, std::size_t bad, const Timings& t) const;

    SiteInputs m_sites;
    std::string m_points;
    std::string m_points_crs;
    std::string m_out;
    output::VectorFormat m_format = output::VectorFormat::csv;
    int m_k = 1;
    double m_max_km = -1.0;
    bool m_strict = false;
};

} // namespace maillage::cli
