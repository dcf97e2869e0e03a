#include "maillage/analysis/zone_sums.hpp"

#include <map>

namespace maillage::analysis {

std::vector<ZoneSums> sum_cells_by_zone(const PopulationGrid& grid, std::span<const double> value,
                                        std::size_t zones, double threshold,
                                        const std::vector<bool>* only) {
    std::vector<ZoneSums> sums(zones);
    const std::size_t ncells = grid.zone.size();
    for (std::size_t c = 0; c < ncells; ++c) {
        if (grid.zone[c] < 0) {
            continue;
        }
        const auto z = static_cast<std::size_t>(grid.zone[c]);
        if (only == nullptr || (*only)[z]) {
            sums[z].add(value[c], grid.population[c], threshold);
        }
    }
    return sums;
}

ZoneGroups group_zones(const std::vector<model::Zone>& zones) {
    std::map<std::string, std::size_t> position;
    for (const auto& z : zones) {
        position.emplace(z.group, 0);
    }
    ZoneGroups g;
    g.names.reserve(position.size());
    for (auto& [name, k] : position) {
        k = g.names.size();
        g.names.push_back(name);
    }
    g.of_zone.reserve(zones.size());
    for (const auto& z : zones) {
        g.of_zone.push_back(position.at(z.group));
    }
    return g;
}

} // namespace maillage::analysis
