#pragma once

#include "maillage/geo/geom_ptr.hpp"

#include <string>

namespace maillage::model {

/// A zone (commune) with its population. The geometry is valid, polygonal, WGS84 lon/lat.
struct Zone {
    std::string id;
    std::string name;
    std::string group;
    double population = 0.0;
    geo::GeomPtr geometry;
    std::string where;
};

} // namespace maillage::model
