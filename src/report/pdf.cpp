#include "maillage/report/report.hpp"

#include "maillage/core/error.hpp"

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ; // NOLINT(readability-redundant-declaration): POSIX, for posix_spawn

namespace maillage::report {

namespace fs = std::filesystem;

namespace {

/// The first of the browsers found on PATH.
std::optional<fs::path> find_browser() {
    const char* path = std::getenv("PATH");
    if (path == nullptr) {
        return std::nullopt;
    }
    for (const char* name : {"chromium", "chromium-browser", "google-chrome"}) {
        std::istringstream dirs(path);
        for (std::string dir; std::getline(dirs, dir, ':');) {
            const fs::path candidate = fs::path(dir.empty() ? "." : dir) / name;
            if (::access(candidate.c_str(), X_OK) == 0) {
                return candidate;
            }
        }
    }
    return std::nullopt;
}

/// Waits for `pid` at most `timeout_s` seconds; kills it past that. Its exit status, or nullopt
/// when it was killed.
std::optional<int> wait_for(pid_t pid, int timeout_s) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
    int status = 0;
    while (true) {
        const pid_t done = ::waitpid(pid, &status, WNOHANG);
        if (done == pid) {
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        }
        if (done < 0) {
            return -1;
        }
        if (std::chrono::steady_clock::now() > deadline) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, &status, 0);
            return std::nullopt;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
}

} // namespace

void print_pdf(const std::string& html, const std::string& pdf, int timeout_s) {
    const auto browser = find_browser();
    const std::string how =
        " The report was written to " + html +
        "; print it from a browser (A4, no headers and footers), or install Chromium "
        "(apt-get install chromium) and run again with --pdf.";
    if (!browser) {
        throw runtime_failure("--pdf: no chromium, chromium-browser or google-chrome on PATH." +
                              how);
    }
    fs::remove(pdf);
    // A profile of its own: a running browser's profile would be locked, and the user's is not
    // ours.
    const fs::path profile =
        fs::temp_directory_path() / ("maillage-chromium-" + std::to_string(::getpid()));
    const std::string url = "file://" + fs::absolute(html).string();
    std::vector<std::string> args{browser->string(),
                                  "--headless",
                                  "--no-sandbox",
                                  "--disable-gpu",
                                  "--no-pdf-header-footer",
                                  "--print-to-pdf=" + fs::absolute(pdf).string(),
                                  "--user-data-dir=" + profile.string(),
                                  url};
    std::vector<char*> argv;
    argv.reserve(args.size() + 1);
    for (auto& a : args) {
        argv.push_back(a.data());
    }
    argv.push_back(nullptr);
    // The browser's chatter (DBus, GPU warnings) goes nowhere: only the outcome is reported.
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    pid_t pid = 0;
    const int spawned = ::posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0) {
        throw runtime_failure("--pdf: could not start " + browser->string() + "." + how);
    }
    const auto status = wait_for(pid, timeout_s);
    std::error_code ignored;
    fs::remove_all(profile, ignored);
    if (!status) {
        throw runtime_failure("--pdf: " + browser->string() + " did not finish within " +
                              std::to_string(timeout_s) + " s and was stopped." + how);
    }
    if (*status != 0 || !fs::exists(pdf) || fs::file_size(pdf) == 0) {
        throw runtime_failure("--pdf: " + browser->string() + " failed (exit status " +
                              std::to_string(*status) + ") and wrote no " + pdf + "." + how);
    }
}

} // namespace maillage::report
