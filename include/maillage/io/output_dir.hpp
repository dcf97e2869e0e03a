#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace maillage::io {

/// Writes a run's outputs into a hidden staging folder inside the output folder and moves them
/// into place only when the whole run succeeded: a failed or killed run leaves the previous
/// outputs as they were.
///
/// - Lock::folder (analyse, report): the run holds an exclusive lock on the output folder
///   (flock on DIR/.maillage.lock, released by the kernel if the process dies) from its start to
///   its end; a second run on the same folder is refused with the PID of the first. The lock file
///   is removed at the end of the run.
/// - Lock::none (nearest, one output file): no folder lock; two runs may write in one folder.
///
/// Each staging folder is locked by its own run (DIR/.maillage-staging-PID-XXXXXX/.lock), so a
/// later run can tell the folder of a dead run from that of a live one. commit() writes a journal
/// (.commit, the list of files to move) into the staging folder before the first rename: if the
/// process is killed between two renames, the next run holding the folder lock completes the
/// moves (roll forward) before doing anything else. See docs/architecture.md.
class StagedOutput {
public:
    enum class Lock { folder, none };

    /// Creates `dir` if needed; throws input_error if it cannot be created or written, or (with
    /// Lock::folder) if another run holds the folder. Removes the staging folders of dead runs
    /// and, with Lock::folder, completes the commit of a run killed during its commit.
    explicit StagedOutput(std::filesystem::path dir, Lock lock = Lock::folder);
    ~StagedOutput();
    StagedOutput(const StagedOutput&) = delete;
    StagedOutput& operator=(const StagedOutput&) = delete;

    /// Where to write the output `name` while staging; remembered for commit().
    std::filesystem::path path(const std::string& name);

    /// Flushes every staged output to disk, writes the journal, moves every staged output into
    /// the output folder (one rename each, in the order of their first path() call) and removes
    /// the staging folder.
    void commit();

    [[nodiscard]] const std::filesystem::path& dir() const { return m_dir; }
    [[nodiscard]] const std::vector<std::string>& names() const { return m_names; }
    /// Number of interrupted commits of earlier runs that this one completed on creation.
    [[nodiscard]] int completed_interrupted_commits() const { return m_recovered; }

private:
    void acquire_folder_lock();
    void release_folder_lock();
    void clean_stale_staging();
    /// Removes the staging folder (unless it holds the rest of a started switch), the folder
    /// this run created if nothing was committed, and the locks.
    void release();

    std::filesystem::path m_dir;
    std::filesystem::path m_staging;
    std::vector<std::string> m_names;
    Lock m_lock_mode;
    int m_folder_lock_fd = -1;
    int m_staging_lock_fd = -1;
    int m_recovered = 0;
    bool m_owns_folder = false; ///< folder lock held (or the file system cannot lock)
    bool m_committed = false;
    bool m_keep_staging = false; ///< the journal is written: the staging folder must survive
    bool m_created = false;      ///< the output folder did not exist before this run
};

/// Removes the folders PARENT/PREFIX<PID>* of runs now dead (that PID is gone and the folder's
/// lock is free): the temporary folders of PostGIS runs that were killed.
void remove_abandoned_folders(const std::filesystem::path& parent, const std::string& prefix);

/// Why writing `path` failed, for an error message: "the disk is full (N bytes free on the file
/// system of FOLDER)", the process's file size limit, the disk quota, or errno's text. `err` is
/// the errno of the failed call when known (0 otherwise: the free space alone decides).
std::string write_failure_reason(const std::filesystem::path& path, int err = 0);

/// `err` if it is an errno that only a failed write sets (ENOSPC, EDQUOT, EFBIG, EIO), else 0:
/// for errno read after library calls (GDAL) that may leave unrelated values in it.
int disk_errno(int err);

} // namespace maillage::io
