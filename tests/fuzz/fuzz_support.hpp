#pragma once

// Shared by the libFuzzer harnesses of tests/fuzz/. A harness feeds one input to a reader and
// lets it fail only the documented way: a maillage::error (usage_error, input_error,
// runtime_failure), which the CLI turns into a clear message and exit code 1 or 2. Any other
// exception aborts, so that libFuzzer records it as a crash; sanitizer reports, leaks and
// timeouts are findings too.

#include "maillage/core/error.hpp"
#include "maillage/io/gdal_util.hpp"

#include <cpl_error.h>
#include <cpl_vsi.h>
#include <omp.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <string>
#include <typeinfo>
#include <utility>

namespace maillage::fuzz {

/// Once per process: GDAL drivers, quiet GDAL errors, one OpenMP thread (the readers' parallel
/// loops would otherwise start a thread pool the sanitizers have to follow).
inline void init() {
    io::init_gdal();
    omp_set_num_threads(1);
}

/// Prints what escaped and aborts: a finding.
[[noreturn]] inline void finding(const char* what, const std::string& detail) {
    std::fprintf(stderr, "\nFINDING: %s: %s\n", what, detail.c_str());
    std::fflush(stderr);
    std::abort();
}

/// Runs `f`, accepting maillage::error and, if listed, the exception types in `Allowed...`.
template <typename... Allowed, typename F> void expect_documented_errors(F&& f) {
    try {
        try {
            f();
        } catch (const maillage::error&) {
            // The documented way to reject an input.
        }
    } catch (const std::exception& e) {
        if (((dynamic_cast<const Allowed*>(&e) != nullptr) || ...)) {
            return;
        }
        finding(typeid(e).name(), e.what());
    } catch (...) {
        finding("non-standard exception", "(unknown type)");
    }
}

/// The input as a GDAL in-memory file at `path` (a /vsimem/ path), removed when destroyed.
class MemFile {
public:
    MemFile(std::string path, const std::uint8_t* data, std::size_t size)
        : m_path(std::move(path)) {
        // GDAL wants a writable buffer: it gets its own copy, freed by VSIUnlink.
        auto* copy = static_cast<GByte*>(VSIMalloc(size == 0 ? 1 : size));
        if (copy == nullptr) {
            finding("VSIMalloc", "out of memory");
        }
        if (size > 0) {
            std::memcpy(copy, data, size);
        }
        VSILFILE* f = VSIFileFromMemBuffer(m_path.c_str(), copy, size, TRUE);
        if (f == nullptr) {
            finding("VSIFileFromMemBuffer", m_path);
        }
        VSIFCloseL(f);
    }
    ~MemFile() { VSIUnlink(m_path.c_str()); }
    MemFile(const MemFile&) = delete;
    MemFile& operator=(const MemFile&) = delete;

    [[nodiscard]] const std::string& path() const { return m_path; }

private:
    std::string m_path;
};

/// A folder of this process under the system temp folder, for the readers that need a real
/// file; removed at exit.
inline const std::filesystem::path& scratch_dir() {
    static const std::filesystem::path dir = [] {
        auto d = std::filesystem::temp_directory_path() /
                 ("maillage-fuzz-" + std::to_string(::getpid()));
        std::filesystem::create_directories(d);
        std::atexit([] {
            std::error_code ec;
            std::filesystem::remove_all(scratch_dir(), ec);
        });
        return d;
    }();
    return dir;
}

/// Writes the input to scratch_dir()/name and returns the path.
inline std::string write_scratch_file(const std::string& name, const std::uint8_t* data,
                                      std::size_t size) {
    const auto path = scratch_dir() / name;
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    out.close();
    if (!out) {
        finding("write_scratch_file", path.string());
    }
    return path.string();
}

} // namespace maillage::fuzz
