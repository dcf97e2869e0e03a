#include "maillage/core/format.hpp"

#include <cmath>

namespace maillage::core {

double round_to(double value, int decimals) {
    const double scale = std::pow(10.0, decimals);
    return std::round(value * scale) / scale;
}

} // namespace maillage::core
