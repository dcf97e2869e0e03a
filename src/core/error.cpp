#include "maillage/core/error.hpp"

#include <array>
#include <cstdio>

namespace maillage {

std::string locate(const std::string& file, const std::string& where, const std::string& what) {
    std::string out = file;
    if (!where.empty()) {
        out += ": " + where;
    }
    out += ": " + what;
    return out;
}

std::string format_number(double value) {
    std::array<char, 64> buf{};
    std::snprintf(buf.data(), buf.size(), "%.10g", value);
    return buf.data();
}

} // namespace maillage
