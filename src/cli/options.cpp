#include "command.hpp"

#include "maillage/core/error.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace maillage::cli {
namespace fs = std::filesystem;

po::options_description population_grid_options(analysis::PopulationGridOptions& o) {
    po::options_description d("Population grid", help_width);
    d.add_options()("population-grid", po::value<std::string>(&o.path),
                    "place the population with a real population grid instead of spreading each "
                    "zone's evenly: a raster (GHS-POP GeoTIFF, any CRS) or a vector layer of "
                    "squares with a population field (INSEE Filosofi)")(
        "population-grid-field", po::value<std::string>(&o.field),
        "population field of a vector grid (default: ind, else population)")(
        "population-grid-crs", po::value<std::string>(&o.crs),
        "CRS of the population grid, overriding the file's (e.g. EPSG:3035)");
    return d;
}

void check_population_grid_options(const po::variables_map& vm,
                                   const analysis::PopulationGridOptions& o) {
    if (!o.path.empty()) {
        return;
    }
    for (const char* name : {"population-grid-field", "population-grid-crs"}) {
        if (vm.count(name) != 0U) {
            throw usage_error(std::string("--") + name +
                              " needs --population-grid PATH (the grid it describes).");
        }
    }
    if (vm.count("population-grid") != 0U) {
        throw usage_error("--population-grid needs a path to a raster or vector population grid.");
    }
}

std::string closest_name(const std::string& word, const std::vector<std::string>& names) {
    // Levenshtein distance; a name within a third of the word's length (at least 2) is close.
    auto distance = [](const std::string& a, const std::string& b) {
        std::vector<std::size_t> row(b.size() + 1);
        for (std::size_t j = 0; j <= b.size(); ++j) {
            row[j] = j;
        }
        for (std::size_t i = 1; i <= a.size(); ++i) {
            std::size_t diag = row[0];
            row[0] = i;
            for (std::size_t j = 1; j <= b.size(); ++j) {
                const std::size_t up = row[j];
                row[j] =
                    std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
                diag = up;
            }
        }
        return row[b.size()];
    };
    std::string best;
    std::size_t best_d = std::max<std::size_t>(2, word.size() / 3) + 1;
    for (const auto& n : names) {
        const std::size_t d = distance(word, n);
        if (d < best_d) {
            best_d = d;
            best = n;
        }
    }
    return best;
}

namespace {

std::vector<std::string> long_names(const po::options_description& desc) {
    std::vector<std::string> out;
    for (const auto& o : desc.options()) {
        if (!o->long_name().empty()) {
            out.push_back(o->long_name());
        }
    }
    return out;
}

std::string strip_dashes(const std::string& s) {
    const auto b = s.find_first_not_of('-');
    return b == std::string::npos ? std::string() : s.substr(b);
}

/// "unknown option '--tresh'. Did you mean --threshold-km?"
std::string unknown_option_message(const std::string& given, const po::options_description& desc,
                                   const std::string& dashes) {
    std::string out = "unknown option '" + given + "'.";
    const auto guess = closest_name(strip_dashes(given), long_names(desc));
    if (!guess.empty()) {
        out += " Did you mean " + dashes + guess + "?";
    }
    return out;
}

/// The value given to option NAME on the command line ("--opt VALUE", "--opt=VALUE", "-kVALUE").
std::string given_value(const std::vector<std::string>& args, const std::string& name) {
    if (name.rfind("--", 0) == 0 && name.size() == 3) {
        return given_value(args, name.substr(1)); // "-k", reported by Boost as "--k"
    }
    for (std::size_t i = 0; i < args.size(); ++i) {
        const auto& a = args[i];
        if (a == name && i + 1 < args.size()) {
            return args[i + 1];
        }
        if (a.rfind(name + "=", 0) == 0) {
            return a.substr(name.size() + 1);
        }
        if (name.size() == 2 && a.size() > 2 && a.rfind(name, 0) == 0 && a[1] != '-') {
            return a.substr(2);
        }
    }
    return {};
}

/// "--threshold-km 'abc' is not a number (expected: ...)".
std::string invalid_value_message(const std::string& option, const std::string& value,
                                  const po::options_description& desc) {
    char* end = nullptr;
    const double v = std::strtod(value.c_str(), &end);
    (void)v;
    const bool number = !value.empty() && end != nullptr && *end == '\0';
    const std::string shown =
        strip_dashes(option).size() == 1 ? "-" + strip_dashes(option) : option;
    std::string out =
        shown + " '" + value + "' is not " + (number ? "a whole number" : "a number") + ".";
    if (!number && value.find(',') != std::string::npos) {
        std::string pointed = value;
        std::replace(pointed.begin(), pointed.end(), ',', '.');
        const double p = std::strtod(pointed.c_str(), &end);
        (void)p;
        if (end != nullptr && *end == '\0') {
            out += " Write decimals with a point (" + pointed + ").";
        }
    }
    const auto* d = desc.find_nothrow(strip_dashes(option), false);
    if (d == nullptr) {
        d = desc.find_nothrow(option, false);
    }
    if (d != nullptr && !d->description().empty()) {
        out += " Expected: " + d->description() + ".";
    }
    return out;
}

/// Why a word of the command line belongs to no option: the message of a usage error.
std::string stray_argument_message(const std::vector<std::string>& args,
                                   const po::options_description& desc) {
    std::string valueless; // an option that took the next option as its value
    for (std::size_t i = 0; i < args.size(); ++i) {
        const auto& a = args[i];
        if (a.size() < 2 || a[0] != '-') {
            if (!valueless.empty()) {
                return "option " + valueless + " has no value: the word after it is another " +
                       "option, which leaves '" + a + "' over. Give " + valueless +
                       " its value (see its line in --help).";
            }
            return "unexpected argument '" + a +
                   "': every value follows its option (e.g. --zones FILE). Is an option's name "
                   "missing before it, or a value with spaces unquoted?";
        }
        const bool long_form = a[1] == '-';
        if (a.find('=') != std::string::npos || (!long_form && a.size() > 2)) {
            continue;
        }
        const po::option_description* d = nullptr;
        try {
            d = desc.find_nothrow(long_form ? strip_dashes(a) : a, long_form);
        } catch (const po::error&) {
            d = nullptr;
        }
        if (d != nullptr && d->semantic()->max_tokens() > 0 && i + 1 < args.size()) {
            const auto& next = args[i + 1];
            if (next.rfind("--", 0) == 0 && next.size() > 2) {
                valueless = a;
            }
            ++i; // its value
        }
    }
    return "unexpected argument on the command line; every value follows its option (e.g. "
           "--zones FILE).";
}

/// The line of a config file that sets KEY, for messages ("line 3"), or empty.
std::string config_line_of(const fs::path& config, const std::string& key) {
    std::ifstream in(config);
    std::string line;
    for (int n = 1; std::getline(in, line); ++n) {
        const auto eq = line.find('=');
        if (eq == std::string::npos) {
            continue;
        }
        std::string k = line.substr(0, eq);
        k.erase(0, k.find_first_not_of(" \t"));
        k.erase(k.find_last_not_of(" \t") + 1);
        if (k == key) {
            return "line " + std::to_string(n);
        }
    }
    return {};
}

/// Parses the config file CONFIG (key = value lines); the relative paths given to the options
/// of `path_options` are taken from its folder. Usage errors name the file and the line.
po::parsed_options read_config_file(const fs::path& config, const po::options_description& desc,
                                    const std::vector<std::string>& path_options) {
    std::ifstream in(config);
    if (!in) {
        throw usage_error("--config " + config.string() +
                          ": cannot open the file. Check the path (relative paths are taken "
                          "from " +
                          fs::current_path().string() + ").");
    }
    po::parsed_options parsed(&desc);
    try {
        parsed = po::parse_config_file(in, desc, false);
    } catch (const po::unknown_option& e) {
        const std::string key = e.get_option_name();
        const std::string where = config_line_of(config, key);
        std::string m = config.string() + ": " + (where.empty() ? "" : where + ": ") +
                        "unknown key '" + key + "'.";
        const auto guess = closest_name(key, long_names(desc));
        if (!guess.empty()) {
            m += " Did you mean " + guess + "?";
        }
        throw usage_error(m + " Keys are the command's long option names, without the dashes.");
    } catch (const po::error& e) {
        throw usage_error(config.string() + ": " + e.what());
    }
    const fs::path base = config.has_parent_path() ? config.parent_path() : fs::path(".");
    for (auto& opt : parsed.options) {
        if (std::find(path_options.begin(), path_options.end(), opt.string_key) ==
            path_options.end()) {
            continue;
        }
        for (auto& v : opt.value) {
            if (!v.empty() && fs::path(v).is_relative() && v.rfind("PG:", 0) != 0) {
                v = (base / v).lexically_normal().string();
            }
        }
    }
    return parsed;
}

/// Stores the config file CONFIG into `vm`, below the command line already stored there.
void store_config_file(const fs::path& config, const po::options_description& desc,
                       const std::vector<std::string>& path_options, po::variables_map& vm) {
    const auto parsed = read_config_file(config, desc, path_options);
    try {
        po::store(parsed, vm);
    } catch (const po::invalid_option_value& e) {
        const std::string key = strip_dashes(e.get_option_name());
        const std::string where = config_line_of(config, key);
        std::string value;
        for (const auto& opt : parsed.options) {
            if (opt.string_key == key && !opt.value.empty()) {
                value = opt.value.front();
            }
        }
        throw usage_error(config.string() + ": " + (where.empty() ? "" : where + ": ") +
                          invalid_value_message(key, value, desc));
    } catch (const po::error& e) {
        throw usage_error(config.string() + ": " + e.what());
    }
}

} // namespace

po::variables_map parse(const std::vector<std::string>& args, const po::options_description& desc,
                        const po::positional_options_description* positional,
                        const std::vector<std::string>& path_options) {
    po::variables_map vm;
    po::command_line_parser parser(args);
    parser.options(desc);
    // Without a positional description, a stray word is an error rather than silently ignored.
    const po::positional_options_description none;
    parser.positional(positional != nullptr ? *positional : none);
    try {
        po::store(parser.run(), vm);
    } catch (const po::unknown_option& e) {
        throw usage_error(unknown_option_message(e.get_option_name(), desc, "--"));
    } catch (const po::invalid_option_value& e) {
        const auto name = e.get_option_name();
        throw usage_error(invalid_value_message(name, given_value(args, name), desc));
    } catch (const po::too_many_positional_options_error&) {
        throw usage_error(stray_argument_message(args, desc));
    }
    if (vm.count("config") != 0U) {
        store_config_file(vm["config"].as<std::string>(), desc, path_options, vm);
    }
    po::notify(vm);
    return vm;
}

std::string data_dir() {
    if (const char* env = std::getenv("MAILLAGE_DATA"); env != nullptr && *env != '\0') {
        return env;
    }
    if (fs::exists("geodata/communes-aura-cog2026.geojson")) {
        return "geodata";
    }
    return std::string(MAILLAGE_SOURCE_DIR) + "/geodata";
}

} // namespace maillage::cli
