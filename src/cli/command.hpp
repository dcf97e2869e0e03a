#pragma once

#include "logger.hpp"

#include "maillage/analysis/population_grid.hpp"

#include <boost/program_options.hpp>

#include <string>
#include <vector>

namespace maillage::cli {

namespace po = boost::program_options;

/// Column width of the generated help.
inline constexpr unsigned help_width = 100;

/// One subcommand. setup() only parses and checks the arguments (no file is opened there);
/// run() does the work and returns the exit code.
class Command {
public:
    virtual ~Command() = default;
    [[nodiscard]] virtual const char* name() const = 0;
    [[nodiscard]] virtual const char* synopsis() const = 0;
    /// Throws usage_error (or boost's errors) on a bad command line.
    virtual void setup(const std::vector<std::string>& args) = 0;
    virtual int run() = 0;
    [[nodiscard]] virtual std::string help() const = 0;
    /// The command's logger, which main() also uses for the final error: the --log-format and
    /// --quiet of the command once setup() has read them (text before).
    [[nodiscard]] virtual const Logger& logger() const = 0;
};

/// Shared option groups and helpers (options.cpp).

/// The population grid options (--population-grid, --population-grid-field,
/// --population-grid-crs), for any command that runs the analysis; their values go to `o`, to
/// be passed as analysis::Parameters::population_grid.
po::options_description population_grid_options(analysis::PopulationGridOptions& o);

/// Usage errors of those options (a field or a CRS without a grid). Call after parse().
void check_population_grid_options(const po::variables_map& vm,
                                   const analysis::PopulationGridOptions& o);

/// Parses `args` against `desc` (and the config file named by --config, whose relative paths
/// are taken from the config file's folder for the options listed in `path_options`).
po::variables_map parse(const std::vector<std::string>& args, const po::options_description& desc,
                        const po::positional_options_description* positional,
                        const std::vector<std::string>& path_options);

/// The name of `names` closest to `word` (a typo), or empty when none is close.
std::string closest_name(const std::string& word, const std::vector<std::string>& names);

/// The folder holding the shipped data: $MAILLAGE_DATA, else ./geodata, else the source tree's.
std::string data_dir();

} // namespace maillage::cli
