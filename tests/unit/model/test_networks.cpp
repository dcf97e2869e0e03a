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

TEST(NetworkLabel, AnAccentlessCopyOfTheTableLabelGivesTheTableLabel) {
    // The shipped DILA labels (geodata/structures-aura-dila-2017.csv) lost their accents and
    // apostrophes; the user's own wording (another text) is kept.
    EXPECT_EQ(network_label("pole_emploi", "Pole emploi (France Travail)", "fr"),
              "Pôle emploi (France Travail)");
    EXPECT_EQ(network_label("cci", "Chambre de commerce et d industrie", "fr"),
              "Chambre de commerce et d'industrie");
    EXPECT_EQ(network_label("chambre_metier", "Chambre de metiers et de l artisanat", "fr"),
              "Chambre de métiers et de l'artisanat");
    EXPECT_EQ(network_label("mission_locale", "Mission locale / PAIO", "fr"),
              "Mission locale / PAIO");
    EXPECT_EQ(network_label("cci", "CCI Lyon Métropole", "fr"), "CCI Lyon Métropole");
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
