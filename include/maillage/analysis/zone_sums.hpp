#pragma once

// The one zone and group summation: per-cell values (a distance, an accessibility index) summed
// into their zones in cell order, and zones into their groups in zone order. analyse, what_if,
// --by-type and access sum the same way, so that their figures agree to the last bit.

#include "maillage/analysis/grid.hpp"
#include "maillage/model/zone.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <vector>

namespace maillage::analysis {

/// The sums of one zone's demand: its cells, or, for a zone without a cell, its reference point.
struct ZoneSums {
    double weighted = 0.0;   ///< sum of population x value
    double population = 0.0; ///< sum of population
    double plain = 0.0;      ///< sum of the values (for the mean of an empty zone)
    double max = 0.0;        ///< largest value (0 at least)
    double beyond = 0.0;     ///< population whose value is above the threshold

    /// Adds one cell.
    void add(double value, double pop, double threshold) {
        weighted += pop * value;
        population += pop;
        plain += value;
        max = std::max(max, value);
        if (value > threshold) {
            beyond += pop;
        }
    }

    /// A zone without a cell: its whole population on one point of this value.
    void set_point(double value, double pop, double threshold) {
        weighted = pop * value;
        population = pop;
        plain = value;
        max = value;
        beyond = value > threshold ? pop : 0.0;
    }

    /// Population-weighted mean; the plain mean over `cells` when nobody lives in the zone.
    [[nodiscard]] double mean(std::uint32_t cells) const {
        return population > 0 ? weighted / population : plain / std::max<std::uint32_t>(1, cells);
    }
};

/// No threshold: ZoneSums::beyond stays 0.
inline constexpr double no_threshold = std::numeric_limits<double>::infinity();

/// Sums the value of every cell of the study area into its zone, in cell order. `zones`: the
/// number of zones; `only`, when not null, the zones to sum (the others stay at 0).
std::vector<ZoneSums> sum_cells_by_zone(const PopulationGrid& grid, std::span<const double> value,
                                        std::size_t zones, double threshold,
                                        const std::vector<bool>* only = nullptr);

/// The groups of a list of zones (model::Zone::group): their names sorted, each once, and the
/// group of each zone. Sums over a group run over its zones in zone order.
struct ZoneGroups {
    std::vector<std::string> names;   ///< sorted
    std::vector<std::size_t> of_zone; ///< per zone: position in `names`
};

/// The groups of `zones`.
ZoneGroups group_zones(const std::vector<model::Zone>& zones);

} // namespace maillage::analysis
