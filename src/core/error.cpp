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

void rethrow_with_context(const std::string& context) {
    try {
        throw;
    } catch (const input_error& e) {
        throw input_error(context + e.what());
    } catch (const value_error& e) {
        throw value_error(context + e.what());
    } catch (const usage_error& e) {
        throw usage_error(context + e.what());
    } catch (const std::exception& e) {
        throw runtime_failure(context + e.what());
    }
}

} // namespace maillage
