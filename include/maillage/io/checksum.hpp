#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace maillage::io {

/// SHA-256 of a byte string, as 64 lowercase hex digits (OpenSSL).
std::string sha256_hex(std::string_view bytes);

/// SHA-256 of a file's content, read in blocks; throws input_error if it cannot be read.
std::string sha256_file(const std::string& path);

} // namespace maillage::io
