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
    /// The type in words, from the layer's `type_label` field when it has one (else empty).
    std::string type_label;
    geo::LonLat position; ///< WGS84
    std::string where;    ///< "line 12" or "feature 12": where it came from, for messages
    /// Supply of the site (`--capacity FIELD` of `maillage access`).
    double capacity = 1.0;
    /// Which of the site layers it was read from (io::SiteSet::layers, in the order given; a
    /// layer says whether it holds border sites).
    std::uint32_t layer = 0;
};

} // namespace maillage::model
