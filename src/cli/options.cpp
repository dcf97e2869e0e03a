#include "command.hpp"

#include "maillage/error.hpp"

#include <nlohmann/json.hpp>

#include <unistd.h>

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

po::variables_map parse(const std::vector<std::string>& args, const po::options_description& desc,
                        const po::positional_options_description* positional,
                        const std::vector<std::string>& path_options) {
    po::variables_map vm;
    po::command_line_parser parser(args);
    parser.options(desc);
    // Without a positional description, a stray word is an error rather than silently ignored.
    const po::positional_options_description none;
    parser.positional(positional != nullptr ? *positional : none);
    po::store(parser.run(), vm);
    if (vm.count("config") != 0U) {
        const fs::path config = vm["config"].as<std::string>();
        std::ifstream in(config);
        if (!in) {
            throw usage_error("--config " + config.string() + ": cannot open the file.");
        }
        po::parsed_options parsed = po::parse_config_file(in, desc, false);
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
        po::store(parsed, vm);
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

void log(const std::string& message) {
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

void report_error(const std::string& command, const std::string& kind, const std::string& message,
                  const std::string& hint) {
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
