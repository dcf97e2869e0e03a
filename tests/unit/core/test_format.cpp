#include "maillage/core/format.hpp"

#include <gtest/gtest.h>

#include <cmath>

using namespace maillage;

TEST(Format, XmlEscapeReplacesTheFiveSpecialCharactersOnly) {
    EXPECT_EQ(core::xml_escape(R"(a<b & "c" 'd'>é)"),
              "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;é");
    EXPECT_EQ(core::xml_escape(""), "");
}

TEST(Format, FormatNumberKeepsTheAskedSignificantDigits) {
    EXPECT_EQ(core::format_number(862571.474), "862571.474");
    EXPECT_EQ(core::format_number(5.3300), "5.33");
    EXPECT_EQ(core::format_number(6338310.0, 6), "6.33831e+06");
    EXPECT_EQ(core::format_number(0.125, 2), "0.12"); // printf rounds to even on the exact tie
    EXPECT_EQ(core::format_number(std::nan("")), "nan");
}
