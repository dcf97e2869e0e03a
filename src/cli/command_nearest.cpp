// maillage nearest: the nearest site (or k nearest) of every point, geodesic and exact.

#include "command_nearest.hpp"
#include "commands.hpp"

#include "maillage/core/error.hpp"
#include "maillage/core/format.hpp"
#include "maillage/core/parallel.hpp"
#include "maillage/index/site_index.hpp"
#include "maillage/output/nearest_outputs.hpp"

#include <chrono>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <sstream>

namespace maillage::cli {

CommandNearest::CommandNearest() {
    po::options_description d("Options", help_width);
    add_site_options(d, m_sites, false);
    d.add_options()("points", po::value<std::string>(&m_points)->required(),
                    "points (or polygons, measured from their reference point): any OGR layer or "
                    "a CSV with lon/lat columns")(
        "points-crs", po::value<std::string>(&m_points_crs),
        "CRS of the points, overriding the layer's (CSV default EPSG:4326)")(
        "out,o", po::value<std::string>(&m_out)->required(),
        "output file: .csv, .geojson or .gpkg")("k,k", po::value<int>(&m_k)->default_value(1),
                                                "number of nearest sites per point")(
        "max-km", po::value<double>(&m_max_km)->default_value(-1.0, "none"),
        "leave sites farther than this empty (km)")(
        "strict", po::bool_switch(&m_strict), "stop at the first point without usable coordinates");
    m_all.add(d).add(m_common.group());
}

const char* CommandNearest::synopsis() const {
    return "nearest site (or k nearest) of every point or polygon: geodesic, exact";
}

void CommandNearest::setup(const std::vector<std::string>& args) {
    // --help before parsing: --points and --out are required, and the help must not need them.
    if (asks_for_help(args)) {
        m_common.help = true;
        return;
    }
    const auto vm = parse(args, m_all, nullptr, {"sites", "border-sites", "points", "out"});
    m_common.validate(vm);
    m_log = m_common.logger();
    if (m_sites.paths.empty()) {
        throw usage_error("the option '--sites' is required but missing: give the layer of "
                          "sites to measure from.");
    }
    check_site_layers(vm, m_sites);
    if (m_k < 1 || m_k > 1000) {
        throw usage_error("-k must be between 1 and 1000 (got " + std::to_string(m_k) + ").");
    }
    if (!(m_max_km >= 0) && m_max_km != -1.0) {
        throw usage_error("--max-km must be a distance in km, 0 or more, or -1 for none (got " +
                          format_number(m_max_km) + ").");
    }
    m_format = output::format_from_path(m_out);
    m_sites.options.strict = m_strict;
}

int CommandNearest::run() {
    if (m_common.help) {
        std::cout << help();
        return 0;
    }
    core::set_threads(m_common.threads);
    Timings t;
    const auto t0 = std::chrono::steady_clock::now();
    auto sites = read_site_inputs(m_sites, m_log);
    t.read_sites = seconds_since(t0);
    std::vector<geo::LonLat> pos;
    pos.reserve(sites.sites.size());
    for (const auto& s : sites.sites) {
        pos.push_back(s.position);
    }
    const auto t1 = std::chrono::steady_clock::now();
    index::SiteIndex idx(pos);
    // A bucket table around the sites, sized on the number of points the input holds
    // (estimated from its size: about 32 bytes a point in CSV).
    std::error_code size_error;
    const auto bytes = std::filesystem::file_size(m_points, size_error);
    idx.prepare(pos, 0.5, size_error ? 0 : static_cast<std::size_t>(bytes / 32));
    t.index = seconds_since(t1);

    output::NearestRequest request;
    request.points = m_points;
    request.points_crs = m_points_crs;
    request.out = m_out;
    request.format = m_format;
    request.join.k = static_cast<std::size_t>(m_k);
    if (m_max_km >= 0) {
        request.join.max_m = m_max_km * 1000.0;
    }
    request.strict = m_strict;
    const auto done = output::write_nearest(request, sites.sites, idx,
                                            [this](const std::string& m) { m_log.warn(m); });
    t.query = done.query_s;
    t.io = done.io_s;
    t.total = seconds_since(t0);
    report(done.points, sites.sites.size(), done.unusable, t);
    return 0;
}

void CommandNearest::report(std::size_t total, std::size_t nsites, std::size_t bad,
                            const Timings& t) const {
    std::ostringstream o;
    o << std::fixed << std::setprecision(3) << total << " points, " << nsites
      << " sites; timings (s): read sites " << t.read_sites << ", index " << t.index
      << ", query with distances " << t.query << ", read and write points " << t.io << "; total "
      << t.total;
    m_log.info(o.str());
    if (bad > 0) {
        m_log.warn(std::to_string(bad) +
                   " point(s) without usable coordinates, results left empty");
    }
    m_log.info("wrote " + m_out);
}

std::string CommandNearest::help() const {
    std::ostringstream o;
    o << "Usage: maillage nearest --sites S --points P --out FILE [-k K] [--max-km D]\n\n"
      << "QGIS's \"Distance to nearest hub\" done right: WGS84 geodesic distances, the exact\n"
      << "nearest sites, fast on millions of points. Output format from FILE's extension.\n\n"
      << m_all;
    return o.str();
}

std::unique_ptr<Command> make_nearest() { return std::make_unique<CommandNearest>(); }

} // namespace maillage::cli
