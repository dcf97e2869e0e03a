#include "command.hpp"

#include "maillage/core/error.hpp"
#include "maillage/io/postgis.hpp"

#include <nlohmann/json.hpp>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>

namespace maillage::cli {
namespace fs = std::filesystem;

po::options_description common_options(bool& progress, bool& no_progress, int& threads, bool& quiet,
                                       std::string& log_format) {
    po::options_description d("Common options", help_width);
    d.add_options()("threads", po::value<int>(&threads)->default_value(0),
                    "worker threads (0: all cores)")(
        "progress", po::bool_switch(&progress),
        "show a progress bar even when stderr is not a terminal")(
        "no-progress", po::bool_switch(&no_progress), "never show a progress bar")(
        "quiet,q", po::bool_switch(&quiet), "print nothing on stderr but errors")(
        "log-format", po::value<std::string>(&log_format)->default_value("text"),
        "text, or json (one JSON object a line, for schedulers and log collectors)")(
        "config", po::value<std::string>(),
        "read options from FILE (key = value lines; the command line wins)")("help,h",
                                                                             "show this help");
    return d;
}

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
        const fs::path config = vm["config"].as<std::string>();
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

bool want_progress(bool progress, bool no_progress) {
    if (no_progress) {
        return false;
    }
    return progress || isatty(STDERR_FILENO) == 1;
}

void draw_progress(const std::string& phase, double fraction) {
    // Redrawn only when the phase or the whole percentage changes.
    static std::string last_phase;
    static int last_percent = -1;
    const int percent = static_cast<int>(std::lround(fraction * 100));
    if (phase == last_phase && percent == last_percent) {
        return;
    }
    last_phase = phase;
    last_percent = percent;
    constexpr int width = 30;
    const int filled = static_cast<int>(std::lround(fraction * width));
    std::string bar(static_cast<std::size_t>(filled), '#');
    bar.resize(width, '.');
    std::fprintf(stderr, "\r%-12s [%s] %3d%%", phase.c_str(), bar.c_str(), percent);
    if (fraction >= 1.0) {
        std::fputc('\n', stderr);
    }
    std::fflush(stderr);
}

namespace {
bool g_log_json = false;
} // namespace

void set_log_format(const std::string& name) {
    if (name != "text" && name != "json") {
        throw usage_error("--log-format must be text or json (got '" + name + "').");
    }
    g_log_json = name == "json";
}

void log(const std::string& text) {
    // Paths may be PostgreSQL connection strings: their passwords never reach the log.
    const std::string message = io::redact_connection(text);
    if (!g_log_json) {
        std::cerr << "maillage: " << message << '\n';
        return;
    }
    const bool warning = message.rfind("warning: ", 0) == 0;
    const double now =
        std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    const nlohmann::json line = {{"time", now},
                                 {"level", warning ? "warning" : "info"},
                                 {"message", warning ? message.substr(9) : message}};
    // Invalid UTF-8 is replaced, so that a log collector can always parse the line.
    std::cerr << line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
}

void report_error(const std::string& command, const std::string& kind, const std::string& text,
                  const std::string& hint) {
    const std::string message = io::redact_connection(text);
    if (g_log_json) {
        nlohmann::json line = {
            {"level", "error"}, {"kind", kind}, {"command", command}, {"message", message}};
        if (!hint.empty()) {
            line["hint"] = hint;
        }
        std::cerr << line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
        return;
    }
    std::cerr << "maillage " << command << ": " << (kind == "usage" ? "" : kind + ": ") << message;
    if (!hint.empty()) {
        std::cerr << (kind == "usage" ? "\n(" + hint + ")" : " (" + hint + ")");
    }
    std::cerr << '\n';
}

std::function<void(const std::string&, double)> progress_reporter(bool progress, bool no_progress,
                                                                  bool quiet) {
    if (quiet || no_progress) {
        return {};
    }
    if (want_progress(progress, no_progress) && !g_log_json) {
        return [](const std::string& phase, double f) { draw_progress(phase, f); };
    }
    // Not a terminal (a scheduled run): one line when each phase ends.
    auto started =
        std::make_shared<std::chrono::steady_clock::time_point>(std::chrono::steady_clock::now());
    return [started](const std::string& phase, double f) {
        if (f <= 0.0) {
            *started = std::chrono::steady_clock::now();
        } else if (f >= 1.0) {
            std::ostringstream o;
            o << phase << ": done in " << std::fixed << std::setprecision(2)
              << std::chrono::duration<double>(std::chrono::steady_clock::now() - *started).count()
              << " s";
            log(o.str());
        }
    };
}

} // namespace maillage::cli
