// redact_connection: no PostgreSQL password survives, whatever the form of the connection string;
// everything else of the text is kept as it was. Expected strings are written by hand.

#include "maillage/io/postgis.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

using maillage::io::redact_connection;

TEST(RedactConnection, KeywordForm) {
    EXPECT_EQ(redact_connection("PG:dbname=gis host=db port=5432 user=me password=s3cret"),
              "PG:dbname=gis host=db port=5432 user=me password=***");
    EXPECT_EQ(redact_connection("PG:dbname=gis password=s3cret host=db"),
              "PG:dbname=gis password=*** host=db");
    EXPECT_EQ(redact_connection("PG:dbname=gis PASSWORD = s3cret host=db"),
              "PG:dbname=gis PASSWORD = *** host=db");
}

TEST(RedactConnection, QuotedValues) {
    EXPECT_EQ(redact_connection("PG:dbname=gis password='a secret with spaces' host=db"),
              "PG:dbname=gis password=*** host=db");
    EXPECT_EQ(redact_connection(R"(PG:dbname=gis password='it\'s' host=db)"),
              "PG:dbname=gis password=*** host=db");
    // GDAL also takes the whole string in double quotes.
    EXPECT_EQ(redact_connection(R"(PG:"dbname=gis password=s3cret")"),
              R"(PG:"dbname=gis password=***")");
}

TEST(RedactConnection, UriForm) {
    EXPECT_EQ(redact_connection("PG:postgresql://me:s3cret@db:5432/gis"),
              "PG:postgresql://me:***@db:5432/gis");
    EXPECT_EQ(redact_connection("PG:postgres://me:p%40ss@db/gis"), "PG:postgres://me:***@db/gis");
    EXPECT_EQ(redact_connection("PG:postgresql://db/gis?user=me&password=s3cret"),
              "PG:postgresql://db/gis?user=me&password=***");
    // Without a password: unchanged.
    EXPECT_EQ(redact_connection("PG:postgresql://me@db/gis"), "PG:postgresql://me@db/gis");
}

TEST(RedactConnection, InsideAMessage) {
    // The ": " that follows the path in an error message is kept.
    EXPECT_EQ(redact_connection("PG:dbname=x password=s3cret: cannot be read as a vector layer"),
              "PG:dbname=x password=***: cannot be read as a vector layer");
    EXPECT_EQ(redact_connection("PG:dbname=x password=a:b:c\nnext line"),
              "PG:dbname=x password=***\nnext line");
}

TEST(RedactConnection, OtherTextUnchanged) {
    for (const std::string s :
         {"", "read 470 sites from geodata/sites.csv", "zones.geojson: cannot write",
          "https://example.org/a:b@c", "PG:dbname=gis host=db user=me"}) {
        EXPECT_EQ(redact_connection(s), s);
    }
}

TEST(RedactConnection, EveryStringOfAJsonDocument) {
    nlohmann::ordered_json j = {
        {"parameters", {{"sites", "PG:dbname=x password=s3cret"}, {"grid_m", 200}}},
        {"inputs", {{"sites", {{{"path", "PG:postgresql://u:s3cret@h/x"}}}}}},
        {"arguments", {"--out", "out"}}};
    maillage::io::redact_connections(j);
    EXPECT_EQ(j.dump(), R"({"parameters":{"sites":"PG:dbname=x password=***","grid_m":200},)"
                        R"("inputs":{"sites":[{"path":"PG:postgresql://u:***@h/x"}]},)"
                        R"("arguments":["--out","out"]})");
}
