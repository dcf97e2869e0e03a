// SHA-256 against the FIPS 180-2 test vectors.

#include "maillage/core/error.hpp"
#include "maillage/io/checksum.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

TEST(Checksum, Fips180Vectors) {
    EXPECT_EQ(maillage::io::sha256_hex("abc"),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(maillage::io::sha256_hex(""),
              "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Checksum, FileOfAMillionAs) {
    // FIPS 180-2, appendix B.3: one million repetitions of 'a', read in several blocks.
    const auto path = std::filesystem::temp_directory_path() / "maillage-checksum-test.txt";
    std::ofstream(path, std::ios::binary) << std::string(1000000, 'a');
    EXPECT_EQ(maillage::io::sha256_file(path.string()),
              "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    std::filesystem::remove(path);
}

TEST(Checksum, MissingFileIsAnInputError) {
    EXPECT_THROW(maillage::io::sha256_file("/nonexistent/maillage.csv"), maillage::input_error);
}
