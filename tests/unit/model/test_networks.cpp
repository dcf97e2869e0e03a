#include "maillage/model/networks.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

using maillage::model::network_label;
using maillage::model::network_symbol;

TEST(NetworkLabel, FrenchPrefersTheDataLabelThenTheTableThenTheCode) {
    EXPECT_EQ(network_label("cio", "CIO de l'Ain", "fr"), "CIO de l'Ain");
    EXPECT_EQ(network_label("mission_locale", "", "fr"), "Mission locale");
    EXPECT_EQ(network_label("chambre_metier", "", "fr"), "Chambre de métiers et de l'artisanat");
    EXPECT_EQ(network_label("reseau_inconnu", "", "fr"), "reseau_inconnu");
    EXPECT_EQ(network_label("", "", "fr"), "(sans type)");
}

TEST(NetworkLabel, EnglishPrefersTheTableOverTheFrenchDataLabel) {
    EXPECT_EQ(network_label("pole_emploi", "Pole emploi (France Travail)", "en"),
              "Pôle emploi (France Travail, public employment service)");
    EXPECT_EQ(network_label("apecita", "", "en"), "APECITA (agricultural executives)");
    EXPECT_EQ(network_label("reseau_inconnu", "Réseau local", "en"), "Réseau local");
    EXPECT_EQ(network_label("reseau_inconnu", "", "en"), "reseau_inconnu");
    EXPECT_EQ(network_label("", "", "en"), "(no type)");
}

TEST(NetworkSymbol, TheFirstTwentyEightNetworksAllLookDifferent) {
    std::set<std::string> seen;
    for (std::size_t i = 0; i < 28; ++i) {
        const auto s = network_symbol(i);
        EXPECT_EQ(std::string(s.colour).size(), 7U);
        seen.insert(std::string(s.colour) + s.shape);
    }
    EXPECT_EQ(seen.size(), 28U);
    // The 8th network gets the 1st colour with another shape.
    EXPECT_STREQ(network_symbol(7).colour, network_symbol(0).colour);
    EXPECT_STRNE(network_symbol(7).shape, network_symbol(0).shape);
}
