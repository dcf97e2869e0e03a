#include "sections.hpp"

#include <array>
#include <cstdio>

namespace maillage::report {

std::string plain(double v, int decimals) {
    std::array<char, 64> buf{};
    std::snprintf(buf.data(), buf.size(), "%.*f", decimals, v);
    return buf.data();
}

} // namespace maillage::report
