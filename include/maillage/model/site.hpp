#pragma once

#include "maillage/geo/geodesic.hpp"

#include <cstdint>
#include <string>

namespace maillage::model {

/// A reception site (lieu d'accueil).
struct Site {
    std::string id;
    std::string name;
    std::string type;
    geo::LonLat position; ///< WGS84
    std::string where;    ///< "line 12" or "feature 12": where it came from, for messages
    /// Supply of the site (`--capacity FIELD` of `maillage access`).
    double capacity = 1.0;
    /// Which of the site layers it was read from (io::SiteSet::layers), in the order given.
    std::uint32_t layer = 0;
    /// Read from a layer declared as border sites (--border-sites): sites across the edge of the
    /// study area, expected to lie outside it. They serve the zones like any other site.
    bool border = false;
};

} // namespace maillage::model
