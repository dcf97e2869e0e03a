#pragma once

// Helpers shared by the analysis sources (not part of the public headers).

#include "maillage/error.hpp"
#include "maillage/geo/geos.hpp"
#include "maillage/io/layer_writer.hpp"

#include <nlohmann/json.hpp>
#include <ogr_geometry.h>

#include <cmath>
#include <cstdint>

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace maillage::analysis::detail {

/// Wall time of each phase, appended to `out` as (name, seconds since the previous lap).
class PhaseTimer {
public:
    explicit PhaseTimer(std::vector<std::pair<std::string, double>>& out) : m_out(out) {}
    void lap(const std::string& name) {
        const auto now = std::chrono::steady_clock::now();
        m_out.emplace_back(name, std::chrono::duration<double>(now - m_last).count());
        m_last = now;
    }

private:
    std::vector<std::pair<std::string, double>>& m_out;
    std::chrono::steady_clock::time_point m_last = std::chrono::steady_clock::now();
};

/// Metres as km rounded to 4 decimals (0.1 m), as the layers and summary.json write them.
inline double km4(double metres) { return io::round_to(metres / 1000.0, 4); }

/// Field type of the populations of a layer: integers when the run's populations are whole
/// (AnalysisResult::whole_population), reals otherwise.
inline OGRFieldType population_type(bool whole) { return whole ? OFTInteger64 : OFTReal; }

/// A population for a layer: an integer when the run's populations are whole (sums of whole
/// persons, exact in double), else rounded to 4 decimals.
inline io::FieldValue population_field(double value, bool whole) {
    if (whole) {
        return static_cast<std::int64_t>(std::llround(value));
    }
    return io::round_to(value, 4);
}

/// The same for summary.json.
inline nlohmann::ordered_json population_json(double value, bool whole) {
    if (whole) {
        return static_cast<std::int64_t>(std::llround(value));
    }
    return io::round_to(value, 4);
}

/// A GEOS geometry as an OGR one, for writing.
inline std::unique_ptr<OGRGeometry> to_ogr(const geo::GeosContext& ctx, const GEOSGeometry* g) {
    const auto wkb = geo::to_wkb(ctx, g);
    OGRGeometry* out = nullptr;
    if (OGRGeometryFactory::createFromWkb(wkb.data(), nullptr, &out, wkb.size()) != OGRERR_NONE) {
        throw runtime_failure("cannot convert a geometry for writing");
    }
    return std::unique_ptr<OGRGeometry>(out);
}

} // namespace maillage::analysis::detail
