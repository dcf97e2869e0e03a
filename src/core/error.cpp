#include "maillage/core/error.hpp"

namespace maillage {

std::string locate(const std::string& file, const std::string& where, const std::string& what) {
    std::string out = file;
    if (!where.empty()) {
        out += ": " + where;
    }
    out += ": " + what;
    return out;
}

} // namespace maillage
