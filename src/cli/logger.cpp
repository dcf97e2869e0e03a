#include "logger.hpp"

#include "maillage/core/error.hpp"
#include "maillage/io/postgis.hpp"

#include <nlohmann/json.hpp>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>
#include <utility>

namespace maillage::cli {

/// The state of the bar's line: whether a bar is drawn on it without its end of line.
class BarLine {
public:
    /// Ends the line of a bar left unfinished, so that what follows starts a line of its own.
    void close() {
        if (m_open) {
            std::fputc('\n', stderr);
            std::fflush(stderr);
            m_open = false;
        }
    }
    void set_open(bool open) { m_open = open; }

private:
    bool m_open = false;
};

namespace {

/// A bar on stderr for a phase, redrawn only when the phase or the whole percentage changes.
/// At 1.0 the line is ended with the phase's time; a new phase starts a new line, so that every
/// phase keeps its own.
class ProgressBar {
public:
    explicit ProgressBar(std::shared_ptr<BarLine> line) : m_line(std::move(line)) {}

    void draw(const std::string& phase, double fraction) {
        const int percent = static_cast<int>(std::lround(std::clamp(fraction, 0.0, 1.0) * 100));
        if (phase == m_phase && percent == m_percent) {
            return;
        }
        if (phase != m_phase || percent < m_percent) {
            m_line->close(); // the previous phase keeps its line, at the percentage it reached
            m_started = std::chrono::steady_clock::now();
        }
        m_phase = phase;
        m_percent = percent;
        constexpr int width = 30;
        const int filled = static_cast<int>(std::lround(percent * width / 100.0));
        std::string bar(static_cast<std::size_t>(filled), '#');
        bar.resize(width, '.');
        std::fprintf(stderr, "\r%-12s [%s] %3d%%", phase.c_str(), bar.c_str(), percent);
        if (percent >= 100) {
            const double s =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - m_started).count();
            std::fprintf(stderr, "  %.2f s\n", s);
        }
        m_line->set_open(percent < 100);
        std::fflush(stderr);
    }

private:
    std::shared_ptr<BarLine> m_line;
    std::string m_phase;
    int m_percent = -1;
    std::chrono::steady_clock::time_point m_started = std::chrono::steady_clock::now();
};

} // namespace

Logger::Logger() : m_bar(std::make_shared<BarLine>()) {}

Logger::Logger(Format format, bool quiet)
    : m_format(format), m_quiet(quiet), m_bar(std::make_shared<BarLine>()) {}

Logger::Format Logger::format_named(const std::string& name) {
    if (name != "text" && name != "json") {
        throw usage_error("--log-format must be text or json (got '" + name + "').");
    }
    return name == "json" ? Format::json : Format::text;
}

void Logger::info(const std::string& text) const {
    if (!m_quiet) {
        write(text);
    }
}

void Logger::warn(const std::string& text) const { info("warning: " + text); }

void Logger::write(const std::string& text) const {
    // Paths may be PostgreSQL connection strings: their passwords never reach the log.
    const std::string message = io::redact_connection(text);
    m_bar->close();
    if (m_format == Format::text) {
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

void Logger::error(const std::string& command, const std::string& kind, const std::string& text,
                   const std::string& hint) const {
    const std::string message = io::redact_connection(text);
    m_bar->close();
    if (m_format == Format::json) {
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

std::function<void(const std::string&, double)> Logger::progress(bool bar, bool no_progress) const {
    if (m_quiet || no_progress) {
        return {};
    }
    if (want_progress(bar, no_progress) && m_format == Format::text) {
        auto drawn = std::make_shared<ProgressBar>(m_bar);
        return [drawn](const std::string& phase, double f) { drawn->draw(phase, f); };
    }
    // Not a terminal (a scheduled run): one line when each phase ends.
    struct Phase {
        std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
        std::string done; ///< the phase logged: one reporting 1.0 again is not logged twice
    };
    auto state = std::make_shared<Phase>();
    const Logger log = *this;
    return [state, log](const std::string& phase, double f) {
        if (f <= 0.0) {
            *state = Phase{};
        } else if (f >= 1.0 && state->done != phase) {
            state->done = phase;
            std::ostringstream o;
            o << phase << ": done in " << std::fixed << std::setprecision(2)
              << std::chrono::duration<double>(std::chrono::steady_clock::now() - state->started)
                     .count()
              << " s";
            log.info(o.str());
        }
    };
}

bool want_progress(bool progress, bool no_progress) {
    if (no_progress) {
        return false;
    }
    return progress || isatty(STDERR_FILENO) == 1;
}

} // namespace maillage::cli
