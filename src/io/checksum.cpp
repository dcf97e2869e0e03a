#include "maillage/io/checksum.hpp"

#include "maillage/core/error.hpp"

#include <openssl/evp.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

namespace maillage::io {
namespace {

struct DigestDeleter {
    void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

class Sha256 {
public:
    Sha256() : m_ctx(EVP_MD_CTX_new()) {
        if (!m_ctx || EVP_DigestInit_ex(m_ctx.get(), EVP_sha256(), nullptr) != 1) {
            throw runtime_failure("OpenSSL: cannot start a SHA-256 digest");
        }
    }
    void update(const void* data, std::size_t size) {
        if (EVP_DigestUpdate(m_ctx.get(), data, size) != 1) {
            throw runtime_failure("OpenSSL: SHA-256 update failed");
        }
    }
    std::string hex() {
        std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
        unsigned int size = 0;
        if (EVP_DigestFinal_ex(m_ctx.get(), digest.data(), &size) != 1) {
            throw runtime_failure("OpenSSL: SHA-256 final failed");
        }
        static const char* digits = "0123456789abcdef";
        std::string out;
        for (unsigned int i = 0; i < size; ++i) {
            out.push_back(digits[digest[i] >> 4]);
            out.push_back(digits[digest[i] & 0x0f]);
        }
        return out;
    }

private:
    std::unique_ptr<EVP_MD_CTX, DigestDeleter> m_ctx;
};

} // namespace

std::string sha256_hex(std::string_view bytes) {
    Sha256 h;
    h.update(bytes.data(), bytes.size());
    return h.hex();
}

std::string sha256_file(const std::string& path) {
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
    if (!f) {
        throw input_error(path + ": cannot read for its checksum: " + std::strerror(errno));
    }
    Sha256 h;
    std::array<char, 1 << 16> buf{};
    std::size_t n = 0;
    while ((n = std::fread(buf.data(), 1, buf.size(), f.get())) > 0) {
        h.update(buf.data(), n);
    }
    if (std::ferror(f.get()) != 0) {
        throw input_error(path + ": read error while computing its checksum");
    }
    return h.hex();
}

} // namespace maillage::io
