#include "maillage/output/nearest_outputs.hpp"

#include "maillage/core/error.hpp"
#include "maillage/core/format.hpp"
#include "maillage/core/parallel.hpp"
#include "maillage/io/csv_stream.hpp"
#include "maillage/io/output_dir.hpp"
#include "maillage/io/point_reader.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <strings.h>

namespace maillage::output {
namespace {

namespace fs = std::filesystem;

/// Points read and joined at a time: memory stays bounded on millions of points.
constexpr std::size_t chunk_size = 65536;

double since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

/// The names of the result fields: nearest_site_id, nearest_site_name, nearest_km, then the
/// same with _2, _3... up to k.
std::vector<std::string> result_names(std::size_t k) {
    std::vector<std::string> names;
    for (std::size_t r = 1; r <= k; ++r) {
        const std::string suffix = r == 1 ? "" : "_" + std::to_string(r);
        names.push_back("nearest_site_id" + suffix);
        names.push_back("nearest_site_name" + suffix);
        names.push_back("nearest_km" + suffix);
    }
    return names;
}

/// Counts the points without usable coordinates: fatal with --strict, else their result stays
/// empty (the first five are named in a warning).
class Unusable {
public:
    Unusable(const NearestRequest& request, const NearestWarn& warn)
        : m_request(request), m_warn(warn) {}

    void operator()(const std::string& where) {
        if (m_request.strict) {
            throw input_error(m_request.points + ": " + where +
                              ": no usable coordinates (--strict)");
        }
        if (m_count < 5) {
            m_warn(m_request.points + ": " + where +
                   ": no usable coordinates; its result is left empty");
        }
        ++m_count;
    }
    [[nodiscard]] std::size_t count() const { return m_count; }

private:
    const NearestRequest& m_request;
    const NearestWarn& m_warn;
    std::size_t m_count = 0;
};

FieldValue field_value(OGRFeature& f, int i) {
    if (!f.IsFieldSetAndNotNull(i)) {
        return {};
    }
    switch (f.GetFieldDefnRef(i)->GetType()) {
    case OFTInteger:
    case OFTInteger64:
        return static_cast<std::int64_t>(f.GetFieldAsInteger64(i));
    case OFTReal:
        return f.GetFieldAsDouble(i);
    default: {
        bool recoded = false;
        return io::text_field(f, i, recoded);
    }
    }
}

/// The fields of the result layer: the input's (their positions in `kept`), then the results.
/// Input fields named like a result (a file that went through maillage before) are replaced by
/// the new results rather than duplicated.
std::vector<FieldSpec> layer_fields(OGRFeatureDefn& defn, std::size_t k,
                                    const NearestRequest& request, const NearestWarn& warn,
                                    std::vector<int>& kept) {
    std::vector<FieldSpec> results;
    const auto names = result_names(k);
    for (std::size_t j = 0; j < names.size(); ++j) {
        results.push_back({names[j], j % 3 == 2 ? OFTReal : OFTString});
    }
    std::vector<FieldSpec> fields;
    for (int i = 0; i < defn.GetFieldCount(); ++i) {
        const std::string name = defn.GetFieldDefn(i)->GetNameRef();
        const bool clash = std::any_of(results.begin(), results.end(), [&](const FieldSpec& f) {
            return strcasecmp(f.name.c_str(), name.c_str()) == 0;
        });
        if (clash) {
            warn(request.points + ": its field '" + name + "' is replaced by the new result");
            continue;
        }
        kept.push_back(i);
        fields.push_back(
            {name, defn.GetFieldDefn(i)->GetType(), defn.GetFieldDefn(i)->GetSubType()});
    }
    fields.insert(fields.end(), results.begin(), results.end());
    return fields;
}

/// The values of a feature of the result layer: its kept fields, then its k results (empty
/// beyond its hits).
void fill_values(OGRFeature& f, const std::vector<int>& kept, const std::vector<index::Hit>& hits,
                 const std::vector<model::Site>& sites, std::size_t k,
                 std::vector<FieldValue>& values) {
    const std::size_t first_result = kept.size();
    for (std::size_t j = 0; j < first_result; ++j) {
        values[j] = field_value(f, kept[j]);
    }
    for (std::size_t r = 0; r < k; ++r) {
        const std::size_t b = first_result + 3 * r;
        if (r < hits.size()) {
            const auto& s = sites[hits[r].site];
            values[b] = s.id;
            values[b + 1] = s.name;
            values[b + 2] = core::round_to(hits[r].distance_m / 1000.0, 4);
        } else {
            values[b] = values[b + 1] = values[b + 2] = FieldValue{};
        }
    }
}

/// Any OGR layer in, any format out, through GDAL.
NearestRun write_layer(const NearestRequest& request, const std::vector<model::Site>& sites,
                       const index::SiteIndex& index, const NearestWarn& warn) {
    io::PointLayer in(request.points, request.points_crs);
    const bool csv_in = in.csv();
    io::StagedOutput staging(fs::absolute(request.out).parent_path(), io::StagedOutput::Lock::none);
    const std::string tmp = staging.path(fs::path(request.out).filename().string()).string();
    auto out = create_vector(tmp, request.format);
    const std::size_t k = request.join.k;
    std::vector<int> kept;
    const auto fields = layer_fields(in.defn(), k, request, warn, kept);
    // CSV points get a point geometry in formats that have one.
    const auto gtype = csv_in ? (request.format == VectorFormat::csv ? wkbNone : wkbPoint)
                              : wkbFlatten(in.layer().GetGeomType());
    const auto wgs = io::wgs84();
    LayerWriter writer(*out, tmp, fs::path(request.out).stem().string(), gtype,
                       gtype == wkbNone ? nullptr : &wgs, fields);

    Unusable unusable(request, warn);
    std::vector<OGRFeatureUniquePtr> feats;
    std::vector<FieldValue> values(fields.size());
    const auto read = [&](analysis::PointChunk& chunk, std::size_t capacity) {
        feats.clear();
        io::PointFeature pf;
        while (feats.size() < capacity) {
            if (!in.next(pf)) {
                return false;
            }
            if (pf.missing) {
                unusable(io::feature_where(csv_in, pf.feature->GetFID()));
            }
            chunk.points.push_back(pf.point.value_or(geo::LonLat{}));
            chunk.usable.push_back(pf.point ? 1 : 0);
            feats.push_back(std::move(pf.feature));
        }
        return true;
    };
    const auto write = [&](const analysis::PointChunk& chunk) {
        for (std::size_t i = 0; i < feats.size(); ++i) {
            auto& f = *feats[i];
            fill_values(f, kept, chunk.hits[i], sites, k, values);
            if (csv_in && gtype != wkbNone) {
                OGRPoint pt(chunk.points[i].lon, chunk.points[i].lat);
                writer.add(chunk.usable[i] != 0 ? &pt : nullptr, values);
            } else {
                writer.add(gtype == wkbNone ? nullptr : f.GetGeometryRef(), values);
            }
        }
    };
    const auto t = std::chrono::steady_clock::now();
    const auto stats = analysis::nearest_join_chunked(index, request.join, chunk_size, read, write);
    writer.finish();
    close_dataset(std::move(out), tmp);
    staging.commit();
    return {stats.points, unusable.count(), stats.query_s, since(t) - stats.query_s};
}

/// Points from CSV to CSV, streamed as text: the fields of each record are copied through and
/// the results appended.
NearestRun write_csv_stream(const NearestRequest& request, const std::vector<model::Site>& sites,
                            const index::SiteIndex& index, const NearestWarn& warn) {
    const auto t = std::chrono::steady_clock::now();
    io::CsvPointReader in(request.points);
    const auto& header = in.header();
    io::StagedOutput staging(fs::absolute(request.out).parent_path(), io::StagedOutput::Lock::none);
    const std::string tmp = staging.path(fs::path(request.out).filename().string()).string();
    io::CsvWriter out(tmp);
    for (const auto& h : header) {
        out.field(h);
    }
    const std::size_t k = request.join.k;
    for (const auto& name : result_names(k)) {
        out.field(name);
    }
    out.end_record();
    // ",id,name" of each site, CSV-escaped once.
    std::vector<std::string> site_fields(sites.size());
    for (std::size_t s = 0; s < sites.size(); ++s) {
        io::CsvWriter::append_field(site_fields[s], sites[s].id, false);
        io::CsvWriter::append_field(site_fields[s], sites[s].name, false);
    }

    Unusable unusable(request, warn);
    std::vector<std::vector<std::string>> records(chunk_size);
    std::vector<std::string> lines(chunk_size);
    const auto read = [&](analysis::PointChunk& chunk, std::size_t capacity) {
        std::optional<geo::LonLat> p;
        while (chunk.points.size() < capacity) {
            if (!in.next(records[chunk.points.size()], p)) {
                return false;
            }
            if (!p) {
                unusable("line " + std::to_string(in.line()));
            }
            chunk.points.push_back(p.value_or(geo::LonLat{}));
            chunk.usable.push_back(p ? 1 : 0);
        }
        return true;
    };
    // Records are formatted in parallel, then written in order.
    const auto write = [&](const analysis::PointChunk& chunk) {
        const std::size_t n = chunk.points.size();
        core::parallel_for(n, 1024, [&](std::size_t i) {
            const auto& rec = records[i];
            auto& line = lines[i];
            line.clear();
            for (std::size_t j = 0; j < header.size(); ++j) {
                io::CsvWriter::append_field(line, j < rec.size() ? std::string_view(rec[j]) : "",
                                            j == 0);
            }
            const auto& hits = chunk.hits[i];
            for (std::size_t r = 0; r < k; ++r) {
                if (r < hits.size()) {
                    line += site_fields[hits[r].site];
                    io::CsvWriter::append_field(line, hits[r].distance_m / 1000.0, 4, false);
                } else {
                    line += ",,,";
                }
            }
            line.push_back('\n');
        });
        for (std::size_t i = 0; i < n; ++i) {
            out.raw_record(lines[i]);
        }
    };
    const auto stats = analysis::nearest_join_chunked(index, request.join, chunk_size, read, write);
    out.close();
    staging.commit();
    return {stats.points, unusable.count(), stats.query_s, since(t) - stats.query_s};
}

} // namespace

NearestRun write_nearest(const NearestRequest& request, const std::vector<model::Site>& sites,
                         const index::SiteIndex& index, const NearestWarn& warn) {
    if (io::is_csv_path(request.points) && request.format == VectorFormat::csv &&
        request.points_crs.empty()) {
        return write_csv_stream(request, sites, index, warn);
    }
    return write_layer(request, sites, index, warn);
}

} // namespace maillage::output
