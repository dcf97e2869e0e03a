#include "maillage/io/output_dir.hpp"

#include "maillage/error.hpp"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>

namespace maillage::io {
namespace fs = std::filesystem;

namespace {

constexpr const char* staging_prefix = ".maillage-staging-";

std::string user_name(uid_t uid) {
    const passwd* pw = ::getpwuid(uid);
    return pw != nullptr ? std::string(pw->pw_name) : "uid " + std::to_string(uid);
}

/// "belongs to root, mode 755; maillage runs as nobody", for permission messages.
std::string ownership(const fs::path& dir) {
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0) {
        return {};
    }
    char mode[8];
    std::snprintf(mode, sizeof mode, "%03o", static_cast<unsigned>(st.st_mode & 07777));
    return " (it belongs to " + user_name(st.st_uid) + ", mode " + mode + "; maillage runs as " +
           user_name(::geteuid()) + ")";
}

/// The nearest existing folder above `dir` (or `dir` itself).
fs::path existing_parent(fs::path dir) {
    std::error_code ec;
    dir = fs::absolute(dir, ec);
    while (!dir.empty() && !fs::exists(dir, ec) && dir.has_parent_path() &&
           dir.parent_path() != dir) {
        dir = dir.parent_path();
    }
    return dir;
}

void remove_stale_staging(const fs::path& dir) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        const std::string name = entry.path().filename().string();
        if (name.rfind(staging_prefix, 0) != 0) {
            continue;
        }
        const std::string pid = name.substr(std::string(staging_prefix).size());
        if (!pid.empty() && std::all_of(pid.begin(), pid.end(), ::isdigit) &&
            !fs::exists(fs::path("/proc") / pid)) {
            fs::remove_all(entry.path(), ec);
        }
    }
}

} // namespace

StagedOutput::StagedOutput(fs::path dir) : m_dir(std::move(dir)) {
    std::error_code ec;
    if (fs::exists(m_dir, ec) && !fs::is_directory(m_dir, ec)) {
        throw input_error(m_dir.string() + ": exists and is not a folder; choose another --out.");
    }
    m_created = !fs::exists(m_dir, ec);
    fs::create_directories(m_dir, ec);
    if (ec) {
        const auto parent = existing_parent(m_dir);
        throw input_error(m_dir.string() + ": cannot create the output folder: " + ec.message() +
                          (ec == std::errc::permission_denied
                               ? " in " + parent.string() + ownership(parent)
                               : std::string()) +
                          ". Choose another --out or fix the permissions.");
    }
    if (::access(m_dir.c_str(), W_OK | X_OK) != 0) {
        throw input_error(m_dir.string() + ": the output folder is not writable" +
                          ownership(m_dir) +
                          ". Nothing was written. Choose another --out, or give this user write "
                          "permission on the folder.");
    }
    remove_stale_staging(m_dir);
    m_staging = m_dir / (std::string(staging_prefix) + std::to_string(::getpid()));
    fs::remove_all(m_staging, ec);
    fs::create_directory(m_staging, ec);
    if (ec) {
        throw input_error(m_staging.string() + ": cannot create a staging folder: " + ec.message());
    }
}

StagedOutput::~StagedOutput() {
    if (!m_committed) {
        std::error_code ec;
        fs::remove_all(m_staging, ec);
        // A folder this run created goes too (fs::remove leaves a non-empty folder alone).
        if (m_created) {
            fs::remove(m_dir, ec);
        }
    }
}

fs::path StagedOutput::path(const std::string& name) {
    if (std::find(m_names.begin(), m_names.end(), name) == m_names.end()) {
        m_names.push_back(name);
    }
    return m_staging / name;
}

void StagedOutput::commit() {
    for (const auto& name : m_names) {
        const auto from = m_staging / name;
        std::error_code ec;
        if (!fs::exists(from, ec)) {
            continue;
        }
        fs::rename(from, m_dir / name, ec);
        if (ec) {
            throw runtime_failure("cannot move " + from.string() + " to " +
                                  (m_dir / name).string() + ": " + ec.message());
        }
    }
    std::error_code ec;
    fs::remove_all(m_staging, ec);
    m_committed = true;
}

} // namespace maillage::io
