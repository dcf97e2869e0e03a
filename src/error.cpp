#include "maillage/error.hpp"

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
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.10g", value);
    return buf;
}

} // namespace maillage
