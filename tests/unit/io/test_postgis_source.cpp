// qgis_postgres_source: QGIS's data source of a PostGIS table, from GDAL connection strings, never
// with the password. Expected strings written by hand from QGIS's data source syntax.

#include "maillage/io/postgis.hpp"

#include <gtest/gtest.h>

namespace {

using maillage::io::qgis_postgres_source;

TEST(PostgisSource, KeywordsWithoutThePassword) {
    EXPECT_EQ(qgis_postgres_source("PG:dbname=gis host=db.example port=5433 user=maillage "
                                   "password=s3cret sslmode=require schemas=x",
                                   "maillage", "zones", "\"run_id\" = 'q1'"),
              "dbname='gis' host='db.example' port='5433' user='maillage' sslmode='require' "
              "key='fid' checkPrimaryKeyUnicity='0' table=\"maillage\".\"zones\" (geom) "
              "sql=\"run_id\" = 'q1'");
}

TEST(PostgisSource, QuotedValuesAndService) {
    EXPECT_EQ(qgis_postgres_source("PG: service=prod  password = 'a s3cret' dbname='my db' "
                                   "user='o\\'brien'",
                                   "s", "t", ""),
              "service='prod' dbname='my db' user='o\\'brien' key='fid' "
              "checkPrimaryKeyUnicity='0' table=\"s\".\"t\" (geom) sql=");
}

TEST(PostgisSource, Uri) {
    EXPECT_EQ(qgis_postgres_source("PG:postgresql://ana:s3cret@db.example:5432/gis?sslmode=disable",
                                   "s", "t", ""),
              "dbname='gis' host='db.example' port='5432' user='ana' sslmode='disable' key='fid' "
              "checkPrimaryKeyUnicity='0' table=\"s\".\"t\" (geom) sql=");
}

TEST(PostgisSource, Quoting) {
    EXPECT_EQ(maillage::io::quote_ident("a\"b"), "\"a\"\"b\"");
    EXPECT_EQ(maillage::io::quote_literal("it's"), "'it''s'");
}

} // namespace
