#pragma once

// The drawings of the report, in SVG: the map of the region, the small map of each group and
// the coverage curve.

#include "run.hpp"
#include "texts.hpp"

#include "maillage/geo/equal_area.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace maillage::report {

/// A site marked on a map apart from the network's sites: a suggested, closed or opened site.
struct Marker {
    geo::LonLat position;
    std::string name;
    int rank = 0; ///< a suggested site's rank in the suggest table
};

/// What a map draws beyond the run's own layers: a scenario.
struct MapExtras {
    std::vector<Marker> suggested; ///< numbered black stars
    std::vector<Marker> closed;    ///< red crosses (the sites are no longer drawn as sites)
    std::vector<Marker> opened;    ///< blue stars
    bool underserved = true;       ///< hatch the run's underserved areas
};

/// The map of the run: zones coloured by mean distance, groups outlined, underserved areas
/// hatched, sites by type, north arrow, scale bar and legend. Projects the zones and the parts
/// (Zone::xy, Part::xy) for small_map_svg. The suggested sites of a `suggest` run (summary.json's
/// suggest.picks) are drawn as numbered stars.
std::string map_svg(const geo::GeosContext& ctx, Run& run, const geo::EqualAreaProjection& proj,
                    double threshold_km, const Texts& t, bool fr);

/// The same map with a scenario's markers: `extras` replaces the suggested sites of the summary.
std::string map_svg(const geo::GeosContext& ctx, Run& run, const geo::EqualAreaProjection& proj,
                    double threshold_km, const Texts& t, bool fr, const MapExtras& extras);

/// The equal-area projection of the report's maps: centred on the zones' extent (as the main
/// map's).
geo::EqualAreaProjection maps_projection(const geo::GeosContext& ctx, const Run& run);

/// A small map of one group's zones (after map_svg has projected them), outlined, with the
/// underserved areas clipped to the group's outline (GEOS intersection); empty when the group has
/// no projected zone.
std::string small_map_svg(const geo::GeosContext& ctx, const Run& run, const std::string& group,
                          double threshold_km);

/// The share of the population within d km, from 0 to 50 km, with the previous run's curve
/// (dashed) when given and the threshold.
std::string curve_svg(const nlohmann::json& summary, const nlohmann::json* previous,
                      double threshold_km, const Texts& t, bool fr);

} // namespace maillage::report
