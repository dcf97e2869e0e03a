#pragma once

// The log of a command on stderr: text lines ("maillage: ...") or JSON lines, the progress of the
// phases, and the final error. Owned by the command (no process-wide state): its format and
// --quiet come from the command's options.

#include <functional>
#include <memory>
#include <string>

namespace maillage::cli {

/// The progress bar's line on a terminal (defined in logger.cpp): shared by a logger and its
/// copies, so that a log line never lands on the end of a bar being drawn.
class BarLine;

/// Where a command's messages go: stderr, as text or one JSON object a line.
class Logger {
public:
    enum class Format { text, json };

    /// Text, not quiet: what a command logs before its options are parsed.
    Logger();
    Logger(Format format, bool quiet);

    /// The format named by --log-format: "text" or "json"; usage_error on anything else.
    static Format format_named(const std::string& name);

    [[nodiscard]] Format format() const { return m_format; }
    [[nodiscard]] bool quiet() const { return m_quiet; }

    /// A log line ("maillage: TEXT", or a JSON line of level info), unless quiet. A text that
    /// starts with "warning: " is a warning (JSON level warning, without the prefix).
    void info(const std::string& text) const;

    /// A log line "warning: TEXT", unless quiet.
    void warn(const std::string& text) const;

    /// The final error of a command, quiet or not: "maillage CMD: error: ..." (usage errors
    /// without the word "error", with the hint on its own line), or a JSON line.
    void error(const std::string& command, const std::string& kind, const std::string& text,
               const std::string& hint) const;

    /// The progress reporter of the analysis phases: a bar on a terminal (or with `bar` true),
    /// else a log line when each phase ends; nothing when quiet or with `no_progress`. A JSON
    /// log never gets a bar. On a terminal each phase keeps its own line, ended with the
    /// phase's time once it reaches 100 % (a phase left before that keeps the percentage it
    /// reached); a log line written while a bar is drawn starts on a line of its own. Each
    /// phase is logged once, however often it reports 100 %.
    [[nodiscard]] std::function<void(const std::string&, double)> progress(bool bar,
                                                                           bool no_progress) const;

private:
    /// The line, written whatever m_quiet (the callers decide).
    void write(const std::string& text) const;

    Format m_format = Format::text;
    bool m_quiet = false;
    std::shared_ptr<BarLine> m_bar;
};

/// Whether to draw a progress bar: --progress / --no-progress, else when stderr is a terminal.
bool want_progress(bool progress, bool no_progress);

} // namespace maillage::cli
