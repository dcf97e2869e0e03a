#pragma once

// The drawings of the report, in SVG: the map of the region, the small map of each group and
// the coverage curve.

#include "run.hpp"
#include "texts.hpp"

#include "maillage/geo/equal_area.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace maillage::report {

/// The map of the run: zones coloured by mean distance, groups outlined, underserved areas
/// hatched, sites by type, north arrow, scale bar and legend. Projects the zones and the parts
/// (Zone::xy, Part::xy) for small_map_svg.
std::string map_svg(const geo::GeosContext& ctx, Run& run, const geo::EqualAreaProjection& proj,
                    double threshold_km, const Texts& t, bool fr);

/// A small map of one group's zones (after map_svg has projected them), with the underserved
/// areas that fall in its frame; empty when the group has no projected zone.
std::string small_map_svg(const geo::GeosContext& ctx, const Run& run, const std::string& group,
                          double threshold_km);

/// The share of the population within d km, from 0 to 50 km, with the previous run's curve
/// (dashed) when given and the threshold.
std::string curve_svg(const nlohmann::json& summary, const nlohmann::json* previous,
                      double threshold_km, const Texts& t, bool fr);

} // namespace maillage::report
