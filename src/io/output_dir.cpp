#include "maillage/io/output_dir.hpp"

#include "maillage/core/error.hpp"

#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <pwd.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

namespace maillage::io {
namespace fs = std::filesystem;

namespace {

constexpr const char* lock_name = ".maillage.lock";
constexpr const char* staging_prefix = ".maillage-staging-";
constexpr const char* new_prefix = ".maillage-new-";
constexpr const char* journal_name = ".commit";
constexpr const char* staging_lock_name = ".lock";

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
    std::array<char, 8> mode{};
    std::snprintf(mode.data(), mode.size(), "%03o", static_cast<unsigned>(st.st_mode & 07777));
    return " (it belongs to " + user_name(st.st_uid) + ", mode " + mode.data() +
           "; maillage runs as " + user_name(::geteuid()) + ")";
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

bool starts_with(const std::string& s, const std::string& prefix) {
    return s.rfind(prefix, 0) == 0;
}

/// The PID in a staging folder name (PREFIX + PID [+ "-" + suffix]), or "" if none.
std::string pid_of(const std::string& name, const std::string& prefix) {
    std::string pid = name.substr(prefix.size());
    pid = pid.substr(0, pid.find('-'));
    if (pid.empty() || !std::all_of(pid.begin(), pid.end(), ::isdigit)) {
        return {};
    }
    return pid;
}

/// fsync of a file or folder; returns errno, 0 on success.
int sync_path(const fs::path& p, bool directory) {
    const int fd = ::open(p.c_str(), (directory ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC);
    if (fd < 0) {
        return errno;
    }
    int err = 0;
    if (::fsync(fd) != 0) {
        err = errno;
    }
    ::close(fd);
    // Some file systems cannot fsync a folder; that is not a write failure.
    return (directory && (err == EINVAL || err == EBADF)) ? 0 : err;
}

/// Writes a whole file with POSIX calls and fsyncs it; returns errno, 0 on success.
int write_synced(const fs::path& p, const std::string& text) {
    const int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        return errno;
    }
    std::size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            const int err = errno;
            ::close(fd);
            return err;
        }
        done += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0) {
        const int err = errno;
        ::close(fd);
        return err;
    }
    return ::close(fd) == 0 ? 0 : errno;
}

bool plain_file_name(const std::string& name) {
    return !name.empty() && name != "." && name != ".." && name.find('/') == std::string::npos &&
           name[0] != '.';
}

} // namespace

void remove_abandoned_folders(const fs::path& parent, const std::string& prefix) {
    std::error_code ec;
    std::vector<fs::path> dead;
    for (const auto& entry : fs::directory_iterator(parent, ec)) {
        const std::string name = entry.path().filename().string();
        if (!starts_with(name, prefix) ||
            entry.symlink_status(ec).type() != fs::file_type::directory) {
            continue;
        }
        // Its process is gone, and so is its lock (a run being created has no lock yet).
        const std::string pid = pid_of(name, prefix);
        if (pid.empty() || fs::exists(fs::path("/proc") / pid, ec)) {
            continue;
        }
        const int fd = ::open((entry.path() / lock_name).c_str(), O_RDWR | O_CLOEXEC);
        if (fd >= 0) {
            const bool free = ::flock(fd, LOCK_EX | LOCK_NB) == 0;
            ::close(fd);
            if (!free) {
                continue;
            }
        }
        dead.push_back(entry.path());
    }
    for (const auto& p : dead) {
        fs::remove_all(p, ec);
    }
}

int disk_errno(int err) {
    return (err == ENOSPC || err == EDQUOT || err == EFBIG || err == EIO) ? err : 0;
}

std::string write_failure_reason(const fs::path& path, int err) {
    fs::path folder = path.has_parent_path() ? path.parent_path() : fs::path(".");
    if (starts_with(folder.filename().string(), staging_prefix) && folder.has_parent_path()) {
        folder = folder.parent_path(); // the output folder is the one the user knows
    }
    if (err == EFBIG) {
        return "the file is larger than this process may write (file size limit, see "
               "'ulimit -f')";
    }
    if (err == EDQUOT) {
        return "the disk quota of this user is exhausted on the file system of " + folder.string() +
               "; free some space or choose another output";
    }
    struct statvfs s {};
    const bool known = ::statvfs(folder.c_str(), &s) == 0;
    const auto free_bytes = known ? static_cast<unsigned long long>(s.f_bavail) * s.f_frsize : 0ULL;
    // A failed write leaves the partial files of the run in place: a full disk shows (almost)
    // no free space when the message is made.
    constexpr unsigned long long almost_full = 1024ULL * 1024ULL;
    if (err == ENOSPC || (err == 0 && known && free_bytes < almost_full)) {
        std::string what = "the disk is full";
        if (known && s.f_favail == 0 && free_bytes >= almost_full) {
            what = "the disk is full (no free inode)";
        } else if (known && free_bytes < almost_full) {
            what += " (" + std::to_string(free_bytes) + " bytes free on the file system of " +
                    folder.string() + ")";
        }
        return what + "; free some space or choose another output";
    }
    if (err != 0) {
        return std::strerror(err);
    }
    // The errno of the failed write was lost (inside GDAL): a file size limit is the likely cause
    // when one is set, since the disk is not full.
    struct rlimit limit {};
    if (::getrlimit(RLIMIT_FSIZE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) {
        return "write error; this process may not write files over " +
               std::to_string(static_cast<unsigned long long>(limit.rlim_cur)) +
               " bytes (file size limit, see 'ulimit -f')";
    }
    return "write error";
}

StagedOutput::StagedOutput(fs::path dir, Lock lock) : m_dir(std::move(dir)), m_lock_mode(lock) {
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
    try {
        if (::access(m_dir.c_str(), W_OK | X_OK) != 0) {
            throw input_error(m_dir.string() + ": the output folder is not writable" +
                              ownership(m_dir) +
                              ". Nothing was written. Choose another --out, or give this user "
                              "write permission on the folder.");
        }
        if (m_lock_mode == Lock::folder) {
            acquire_folder_lock();
        }
        clean_stale_staging();

        // The staging folder is created under a temporary name, locked, then renamed: a folder
        // named .maillage-staging-* is always locked by its live run.
        const std::string pid = std::to_string(::getpid());
        std::string tmpl = (m_dir / (std::string(new_prefix) + pid + "-XXXXXX")).string();
        if (::mkdtemp(tmpl.data()) == nullptr) {
            const int err = errno;
            throw runtime_failure(
                tmpl + ": cannot create a staging folder: " + write_failure_reason(tmpl, err));
        }
        const fs::path fresh = tmpl;
        const std::string suffix = fresh.filename().string().substr(std::strlen(new_prefix));
        m_staging = fresh; // removed by the destructor if anything below fails
        const fs::path lock_path = fresh / staging_lock_name;
        m_staging_lock_fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (m_staging_lock_fd < 0) {
            const int err = errno;
            throw runtime_failure(lock_path.string() +
                                  ": cannot create a staging folder: " + std::strerror(err));
        }
        // A file system that cannot lock leaves the PID in the name to judge this folder.
        (void)::flock(m_staging_lock_fd, LOCK_EX | LOCK_NB);
        const fs::path final_path = m_dir / (std::string(staging_prefix) + suffix);
        fs::rename(fresh, final_path, ec);
        if (ec) {
            throw runtime_failure(final_path.string() +
                                  ": cannot create a staging folder: " + ec.message());
        }
        m_staging = final_path;
    } catch (...) {
        release();
        throw;
    }
}

void StagedOutput::acquire_folder_lock() {
    const fs::path path = m_dir / lock_name;
    // The lock file is removed at the end of every run: after locking, check that the file
    // locked is still the one at that path (else another run removed it meanwhile: retry).
    for (int attempt = 0; attempt < 100; ++attempt) {
        const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0) {
            const int err = errno;
            throw input_error(path.string() +
                              ": cannot create the lock file: " + std::strerror(err) +
                              ". Choose another --out or fix its permissions.");
        }
        if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
            const int err = errno;
            if (err != EWOULDBLOCK) {
                // The file system cannot lock (some network or FUSE file systems): run unlocked,
                // as the only run (the user's responsibility there).
                ::close(fd);
                ::unlink(path.c_str());
                m_owns_folder = true;
                return;
            }
            std::array<char, 32> buf{};
            const ssize_t n = ::pread(fd, buf.data(), buf.size() - 1, 0);
            ::close(fd);
            std::string pid = n > 0 ? std::string(buf.data(), static_cast<std::size_t>(n)) : "";
            pid = pid.substr(0, pid.find('\n'));
            throw input_error(m_dir.string() + ": another maillage run" +
                              (pid.empty() ? std::string() : " (PID " + pid + ")") +
                              " is writing to this folder (it holds " + path.string() +
                              "). Wait for it to end, or choose another --out.");
        }
        struct stat held {};
        struct stat now {};
        if (::fstat(fd, &held) != 0 || ::stat(path.c_str(), &now) != 0 ||
            held.st_ino != now.st_ino || held.st_dev != now.st_dev) {
            ::close(fd);
            continue;
        }
        const std::string pid = std::to_string(::getpid()) + "\n";
        // The PID is for the message of a refused run: a failure to write it is not fatal.
        if (::pwrite(fd, pid.data(), pid.size(), 0) == static_cast<ssize_t>(pid.size())) {
            (void)::ftruncate(fd, static_cast<off_t>(pid.size()));
        }
        m_folder_lock_fd = fd;
        m_owns_folder = true;
        return;
    }
    throw runtime_failure((m_dir / lock_name).string() + ": cannot lock the output folder");
}

void StagedOutput::release_folder_lock() {
    if (m_folder_lock_fd >= 0) {
        // Removed while still held, so that no other run can lock this file after us.
        ::unlink((m_dir / lock_name).c_str());
        ::close(m_folder_lock_fd);
        m_folder_lock_fd = -1;
    }
}

namespace {

/// A file descriptor closed when it goes out of scope (-1: none).
struct OwnedFd {
    int fd = -1;
    OwnedFd() = default;
    explicit OwnedFd(int f) : fd(f) {}
    OwnedFd(const OwnedFd&) = delete;
    OwnedFd& operator=(const OwnedFd&) = delete;
    ~OwnedFd() { reset(); }
    void reset() {
        if (fd >= 0) {
            ::close(fd);
        }
        fd = -1;
    }
};

/// The staging and new-output folders in `dir`, sorted.
std::vector<fs::path> staging_folders(const fs::path& dir) {
    std::error_code ec;
    std::vector<fs::path> entries;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        const std::string name = entry.path().filename().string();
        if ((starts_with(name, staging_prefix) || starts_with(name, new_prefix)) &&
            entry.symlink_status(ec).type() == fs::file_type::directory) {
            entries.push_back(entry.path());
        }
    }
    std::sort(entries.begin(), entries.end());
    return entries;
}

/// True when the run that made staging folder p is alive. Otherwise `lock` holds the folder's
/// lock, if it has one.
bool run_alive(const fs::path& p, OwnedFd& lock) {
    const std::string name = p.filename().string();
    if (starts_with(name, staging_prefix)) {
        lock.fd = ::open((p / staging_lock_name).c_str(), O_RDWR | O_CLOEXEC);
    }
    if (lock.fd >= 0 && ::flock(lock.fd, LOCK_EX | LOCK_NB) != 0) {
        const int err = errno;
        lock.reset();
        if (err == EWOULDBLOCK) {
            return true;
        }
    }
    if (lock.fd < 0) {
        // Not locked yet (being created), or left by an older maillage: its PID decides.
        std::error_code ec;
        const std::string pid =
            pid_of(name, starts_with(name, staging_prefix) ? staging_prefix : new_prefix);
        if (pid.empty() || fs::exists(fs::path("/proc") / pid, ec)) {
            return true;
        }
    }
    return false;
}

/// Completes the moves of the journal of staging folder p into dir (a run killed during its
/// commit).
void complete_moves(const fs::path& dir, const fs::path& p) {
    std::error_code ec;
    nlohmann::json j;
    try {
        std::ifstream in(p / journal_name);
        in >> j;
        for (const auto& n : j.at("names")) {
            const std::string file = n.get<std::string>();
            if (!plain_file_name(file)) {
                throw std::runtime_error("bad name");
            }
            const fs::path from = p / file;
            if (fs::symlink_status(from, ec).type() == fs::file_type::not_found) {
                continue; // already moved
            }
            fs::rename(from, dir / file, ec);
            if (ec) {
                throw runtime_failure(
                    dir.string() + ": cannot complete the outputs of an interrupted " +
                    "run: moving " + from.string() + " to " + (dir / file).string() + ": " +
                    ec.message() + ". Move the file by hand, then run again.");
            }
        }
    } catch (const runtime_failure&) {
        throw;
    } catch (const std::exception&) {
        throw runtime_failure((p / journal_name).string() +
                              ": unreadable journal of an interrupted run; check the "
                              "outputs of " +
                              dir.string() + ", then remove " + p.string() + ".");
    }
    sync_path(dir, true);
}

} // namespace

void StagedOutput::clean_stale_staging() {
    std::error_code ec;
    for (const auto& p : staging_folders(m_dir)) {
        const bool journal = fs::exists(p / journal_name, ec);
        if (journal && !m_owns_folder) {
            continue; // completed only by a run that holds the folder
        }
        OwnedFd lock;
        if (run_alive(p, lock)) {
            continue;
        }
        // A dead run. Killed during its commit: complete the moves it had started.
        if (journal) {
            complete_moves(m_dir, p);
            ++m_recovered;
        }
        fs::remove_all(p, ec);
    }
}

StagedOutput::~StagedOutput() { release(); }

void StagedOutput::release() {
    std::error_code ec;
    if (!m_committed && !m_staging.empty() && !m_keep_staging) {
        fs::remove_all(m_staging, ec);
    }
    if (m_staging_lock_fd >= 0) {
        ::close(m_staging_lock_fd);
        m_staging_lock_fd = -1;
    }
    release_folder_lock();
    // A folder this run created goes too (fs::remove leaves a non-empty folder alone).
    if (m_created && !m_committed) {
        fs::remove(m_dir, ec);
    }
}

fs::path StagedOutput::path(const std::string& name) {
    if (std::find(m_names.begin(), m_names.end(), name) == m_names.end()) {
        m_names.push_back(name);
    }
    return m_staging / name;
}

void StagedOutput::commit() {
    if (m_committed) {
        return;
    }
    std::error_code ec;
    std::vector<std::string> present;
    for (const auto& name : m_names) {
        const auto from = m_staging / name;
        if (!fs::exists(from, ec)) {
            continue;
        }
        if (fs::is_directory(m_dir / name, ec)) {
            throw input_error((m_dir / name).string() +
                              ": is a folder; an output cannot replace it. Move it away or "
                              "choose another --out.");
        }
        // On disk before the switch, so that a crash of the machine cannot publish an empty file.
        if (const int err = sync_path(from, false); err != 0) {
            throw runtime_failure(from.string() +
                                  ": cannot write: " + write_failure_reason(from, err));
        }
        present.push_back(name);
    }
    // The journal: once it exists, the switch is completed by the next run if this one dies.
    if (present.size() > 1) {
        const nlohmann::json j = {{"names", present}};
        const fs::path tmp = m_staging / (std::string(journal_name) + ".tmp");
        if (const int err = write_synced(tmp, j.dump() + "\n"); err != 0) {
            throw runtime_failure(tmp.string() +
                                  ": cannot write: " + write_failure_reason(tmp, err));
        }
        fs::rename(tmp, m_staging / journal_name, ec);
        if (ec) {
            throw runtime_failure((m_staging / journal_name).string() +
                                  ": cannot write: " + ec.message());
        }
        sync_path(m_staging, true);
        // From here on the staging folder must survive a failure: it holds the rest of the
        // switch.
        m_keep_staging = true;
    }
    for (const auto& name : present) {
        fs::rename(m_staging / name, m_dir / name, ec);
        if (ec) {
            throw runtime_failure(
                "cannot move " + (m_staging / name).string() + " to " + (m_dir / name).string() +
                ": " + ec.message() +
                (m_keep_staging ? ". The next maillage run in this folder completes the move."
                                : ""));
        }
    }
    sync_path(m_dir, true);
    m_committed = true;
    fs::remove_all(m_staging, ec);
}

} // namespace maillage::io
