#include "maillage/analysis/suggest.hpp"
#include "internal.hpp"

#include "maillage/analysis/cost_model.hpp"
#include "maillage/core/parallel.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <queue>
#include <tuple>

namespace maillage::analysis {
namespace {

// ECEF coordinates carry ~1e-9 m of rounding and the chord of a node's bounding sphere a little
// more: a millimetre keeps every pruning test conservative at no cost.
constexpr double node_margin_m = 1e-3;
// Per demand: the chord is never longer than the geodesic (the series distance is the chord
// times a factor >= 1; PROJ's geodesic is exact to nanometres).
constexpr double chord_margin_m = 1e-6;
constexpr std::uint32_t leaf_size = 32;
// A demand gets closer to a new site only if it is at least this much closer: below that, the
// difference is rounding (two evaluations of the same distance), not a gain.
constexpr double min_gain_m = 1e-3;

double chord(const geo::Ecef& a, const geo::Ecef& b) {
    const double dx = b.x - a.x;
    const double dy = b.y - a.y;
    const double dz = b.z - a.z;
    return std::sqrt(dx * dx + dy * dy + dz * dz);
}

double chord_sq(const geo::Ecef& a, const geo::Ecef& b) {
    const double dx = b.x - a.x;
    const double dy = b.y - a.y;
    const double dz = b.z - a.z;
    return dx * dx + dy * dy + dz * dz;
}

struct Candidate {
    geo::LonLat ll;
    geo::Ecef e;
};

/// The demands in a tree of bounding spheres (ECEF), each node knowing the largest current
/// distance among its demands. A node whose sphere is farther (by chord, a lower bound of the
/// geodesic) from a candidate than every one of its demands is from its nearest site cannot
/// gain anything from the candidate, and is skipped whole.
///
/// Every sum runs over the demands in the tree's fixed order, skipping only terms that are
/// exactly zero: a gain is the same number whichever nodes were skipped, and as distances only
/// fall, a later gain of the same candidate is never larger than an earlier one, to the last bit
/// (rounding is monotonic). That is what makes the lazy greedy choose exactly as the plain one.
class DemandTree {
public:
    explicit DemandTree(std::vector<Demand> demands) {
        std::erase_if(demands, [](const Demand& d) { return !(d.population > 0.0); });
        const auto n = static_cast<std::uint32_t>(demands.size());
        if (n == 0) {
            return;
        }
        m_nodes.resize(subtree_nodes(n));
#pragma omp parallel
#pragma omp single
        build(demands, 0, 0, n, 0);
        m_e.reserve(n);
        m_pop.reserve(n);
        m_d.reserve(n);
        for (const auto& d : demands) {
            m_e.push_back(d.ecef);
            m_pop.push_back(d.population);
            m_d.push_back(d.distance_m);
        }
        finish(0);
    }

    [[nodiscard]] bool empty() const { return m_nodes.empty(); }

    [[nodiscard]] double population() const {
        double s = 0.0;
        for (const double p : m_pop) {
            s += p;
        }
        return s;
    }

    [[nodiscard]] double covered(double threshold_m) const {
        double s = 0.0;
        for (std::size_t k = 0; k < m_d.size(); ++k) {
            if (m_d[k] <= threshold_m) {
                s += m_pop[k];
            }
        }
        return s;
    }

    [[nodiscard]] double weighted_sum() const {
        double s = 0.0;
        for (std::size_t k = 0; k < m_d.size(); ++k) {
            s += m_pop[k] * m_d[k];
        }
        return s;
    }

    /// Gain of a new site at c given the current distances. With `exact` false, an upper bound
    /// of it, from chords instead of geodesics (a chord is never longer): the same demands are
    /// visited, and no geodesic is computed. The bound exceeds the gain by the sum of
    /// population x (geodesic - chord), about 1e-6 of it at 20 km.
    [[nodiscard]] double gain(const Candidate& c, SuggestObjective objective, double threshold_m,
                              bool exact) const {
        if (m_nodes.empty()) {
            return 0.0;
        }
        const bool coverage = objective == SuggestObjective::coverage;
        double sum = 0.0;
        std::array<std::uint32_t, 128> stack{};
        std::size_t top = 0;
        stack[top++] = 0;
        while (top > 0) {
            const Node& n = m_nodes[stack[--top]];
            const double low = chord(c.e, n.centre) - n.radius; // <= every member's chord
            if (coverage ? (n.max_d <= threshold_m || low > threshold_m) : low >= n.max_d) {
                continue;
            }
            if (n.right != 0) {
                stack[top++] = n.right;
                stack[top++] = static_cast<std::uint32_t>(&n - m_nodes.data()) + 1;
                continue;
            }
            sum = coverage ? leaf_coverage(n, c, threshold_m, exact, sum)
                           : leaf_distance(n, c, exact, sum);
        }
        return sum;
    }

    /// Adds a site at c: every demand nearer to it than to its site takes the new distance.
    /// Returns the population newly brought within the threshold (summed in the same order,
    /// over the same demands, as the coverage gain).
    double apply(const Candidate& c, double threshold_m) {
        if (m_nodes.empty()) {
            return 0.0;
        }
        double newly = 0.0;
        apply_node(0, c, threshold_m, newly);
        return newly;
    }

private:
    struct Node;

    /// The coverage gain of a leaf's demands, added to `sum` in their order.
    [[nodiscard]] double leaf_coverage(const Node& n, const Candidate& c, double threshold_m,
                                       bool exact, double sum) const {
        const double t_lim = threshold_m + chord_margin_m;
        for (std::uint32_t k = n.begin; k < n.end; ++k) {
            if (m_d[k] <= threshold_m || chord_sq(m_e[k], c.e) > t_lim * t_lim) {
                continue;
            }
            if (!exact || geo::geodesic_distance_m(m_e[k], c.ll, c.e) <= threshold_m) {
                sum += m_pop[k];
            }
        }
        return sum;
    }

    /// The distance gain of a leaf's demands, added to `sum` in their order.
    [[nodiscard]] double leaf_distance(const Node& n, const Candidate& c, bool exact,
                                       double sum) const {
        for (std::uint32_t k = n.begin; k < n.end; ++k) {
            const double d = m_d[k];
            const double lim = d + chord_margin_m;
            const double c2 = chord_sq(m_e[k], c.e);
            if (c2 >= lim * lim) {
                continue;
            }
            const double g = exact ? geo::geodesic_distance_m(m_e[k], c.ll, c.e)
                                   : std::sqrt(c2) - chord_margin_m;
            if (g < d - min_gain_m) {
                sum += m_pop[k] * (d - g);
            }
        }
        return sum;
    }

    struct Node {
        geo::Ecef centre;
        double radius = 0.0; ///< chord from the centre to its farthest demand, plus a margin
        double max_d = 0.0;  ///< largest current distance of its demands
        std::uint32_t begin = 0;
        std::uint32_t end = 0;
        std::uint32_t right = 0; ///< 0 for a leaf; the left child follows the node
    };

    /// Number of nodes of the subtree over n demands (the split is always at the middle).
    static std::size_t subtree_nodes(std::size_t n) {
        return n <= leaf_size ? 1 : 1 + subtree_nodes(n / 2) + subtree_nodes(n - n / 2);
    }

    /// Splits demands[begin, end) at the median of the widest axis of their box, recursively,
    /// moving the demands into tree order; each node keeps its box. Node `self` is the root of
    /// the subtree, laid out in preorder (the left child follows its parent), so that the
    /// layout is fixed in advance and the top levels can be built side by side.
    void build(std::vector<Demand>& d, std::size_t self, std::uint32_t begin, std::uint32_t end,
               int depth) {
        std::array<double, 3> lo{1e300, 1e300, 1e300};
        std::array<double, 3> hi{-1e300, -1e300, -1e300};
        for (std::uint32_t k = begin; k < end; ++k) {
            const auto& e = d[k].ecef;
            const std::array<double, 3> p{e.x, e.y, e.z};
            for (int a = 0; a < 3; ++a) {
                lo[a] = std::min(lo[a], p[a]);
                hi[a] = std::max(hi[a], p[a]);
            }
        }
        {
            Node& n = m_nodes[self];
            n.begin = begin;
            n.end = end;
            n.centre = {0.5 * (lo[0] + hi[0]), 0.5 * (lo[1] + hi[1]), 0.5 * (lo[2] + hi[2])};
            // Half the box's diagonal: no point of the box is farther from its centre.
            n.radius = 0.5 * std::sqrt((hi[0] - lo[0]) * (hi[0] - lo[0]) +
                                       (hi[1] - lo[1]) * (hi[1] - lo[1]) +
                                       (hi[2] - lo[2]) * (hi[2] - lo[2])) +
                       node_margin_m;
        }
        if (end - begin <= leaf_size) {
            return;
        }
        int axis = 0;
        for (int a = 1; a < 3; ++a) {
            if (hi[a] - lo[a] > hi[axis] - lo[axis]) {
                axis = a;
            }
        }
        const std::uint32_t mid = begin + (end - begin) / 2;
        // Ties on the coordinate are broken by the other fields, so that the order does not
        // depend on the implementation of nth_element.
        auto split = [&](auto key) {
            std::nth_element(
                d.begin() + begin, d.begin() + mid, d.begin() + end,
                [&](const Demand& a, const Demand& b) {
                    const double ka = key(a);
                    const double kb = key(b);
                    if (ka != kb) {
                        return ka < kb;
                    }
                    return std::tie(a.ecef.x, a.ecef.y, a.ecef.z, a.distance_m, a.population) <
                           std::tie(b.ecef.x, b.ecef.y, b.ecef.z, b.distance_m, b.population);
                });
        };
        if (axis == 0) {
            split([](const Demand& x) { return x.ecef.x; });
        } else if (axis == 1) {
            split([](const Demand& x) { return x.ecef.y; });
        } else {
            split([](const Demand& x) { return x.ecef.z; });
        }
        const std::size_t right = self + 1 + subtree_nodes(mid - begin);
        m_nodes[self].right = static_cast<std::uint32_t>(right);
        if (depth < 4) {
#pragma omp task default(shared)
            build(d, self + 1, begin, mid, depth + 1);
#pragma omp task default(shared)
            build(d, right, mid, end, depth + 1);
#pragma omp taskwait
        } else {
            build(d, self + 1, begin, mid, depth + 1);
            build(d, right, mid, end, depth + 1);
        }
    }

    /// Leaves: the exact radius of their few demands. Every node: the largest distance.
    double finish(std::uint32_t ni) {
        Node& n = m_nodes[ni];
        double max_d = 0.0;
        if (n.right != 0) {
            max_d = std::max(finish(ni + 1), finish(n.right));
        } else {
            double r = 0.0;
            for (std::uint32_t k = n.begin; k < n.end; ++k) {
                r = std::max(r, chord(n.centre, m_e[k]));
                max_d = std::max(max_d, m_d[k]);
            }
            n.radius = std::min(n.radius, r + node_margin_m);
        }
        n.max_d = max_d;
        return max_d;
    }

    double apply_node(std::uint32_t ni, const Candidate& c, double threshold_m, double& newly) {
        Node& n = m_nodes[ni];
        if (chord(c.e, n.centre) - n.radius >= n.max_d) {
            return n.max_d;
        }
        double max_d = 0.0;
        if (n.right != 0) {
            const double l = apply_node(ni + 1, c, threshold_m, newly);
            const double r = apply_node(n.right, c, threshold_m, newly);
            max_d = std::max(l, r);
        } else {
            for (std::uint32_t k = n.begin; k < n.end; ++k) {
                double& d = m_d[k];
                const double lim = d + chord_margin_m;
                if (chord_sq(m_e[k], c.e) < lim * lim) {
                    const double g = geo::geodesic_distance_m(m_e[k], c.ll, c.e);
                    const bool reached = d > threshold_m && g <= threshold_m;
                    if (reached || g < d - min_gain_m) {
                        if (reached) {
                            newly += m_pop[k];
                        }
                        d = g;
                    }
                }
                max_d = std::max(max_d, d);
            }
        }
        n.max_d = max_d;
        return max_d;
    }

    std::vector<geo::Ecef> m_e;
    std::vector<double> m_pop;
    std::vector<double> m_d;
    std::vector<Node> m_nodes;
};

/// An entry of the lazy greedy's queue: a candidate's gain as computed at some step (or an upper
/// bound of its first gain).
struct Entry {
    static constexpr std::size_t bound = static_cast<std::size_t>(-1);
    double gain = 0.0;
    std::uint32_t candidate = 0;
    std::size_t step = bound; ///< the step at which the gain was computed
};

/// Priority order: larger gain first, then smaller candidate position.
struct Lower {
    bool operator()(const Entry& a, const Entry& b) const {
        return a.gain < b.gain || (a.gain == b.gain && a.candidate > b.candidate);
    }
};

/// The greedy choice of suggest_sites(): the tree of demands, the candidates, those chosen.
class Greedy {
public:
    /// `start`: when the run started (the first lap counts from it).
    Greedy(DemandTree& tree, std::span<const geo::LonLat> candidates, const SuggestOptions& options,
           SuggestResult& out, std::chrono::steady_clock::time_point start)
        : m_tree(tree), m_options(options), m_out(out), m_chosen(candidates.size(), 0),
          m_t0(start) {
        m_cands.reserve(candidates.size());
        for (const auto& p : candidates) {
            m_cands.push_back({p, geo::to_ecef(p)});
        }
    }

    [[nodiscard]] std::size_t candidates() const { return m_cands.size(); }

    /// Lazy greedy: upper bounds of the first gains; exact gains are computed only for the
    /// candidates that reach the top of the queue.
    void lazy(std::size_t add) {
        std::vector<double> gains;
        evaluate_all(gains, false);
        lap("first bounds");
        std::priority_queue<Entry, std::vector<Entry>, Lower> queue;
        for (std::uint32_t j = 0; j < m_cands.size(); ++j) {
            queue.push({gains[j], j, Entry::bound});
        }
        for (std::size_t step = 0; step < add; ++step) {
            const Entry best = top_at(queue, step);
            if (!(best.gain > 0.0)) {
                m_out.exhausted = true;
                break;
            }
            take(best.candidate, best.gain);
        }
    }

    /// Plain greedy: every gain at every step.
    void plain(std::size_t add) {
        std::vector<double> gains;
        for (std::size_t step = 0; step < add; ++step) {
            evaluate_all(gains, true);
            std::int64_t best = -1;
            for (std::uint32_t j = 0; j < m_cands.size(); ++j) {
                if (m_chosen[j] == 0 &&
                    (best < 0 || gains[j] > gains[static_cast<std::size_t>(best)])) {
                    best = j;
                }
            }
            if (best < 0 || !(gains[static_cast<std::size_t>(best)] > 0.0)) {
                m_out.exhausted = true;
                break;
            }
            take(static_cast<std::uint32_t>(best), gains[static_cast<std::size_t>(best)]);
        }
    }

    /// Appends the time since the previous lap to the result's timings.
    void lap(const char* name) {
        const auto now = std::chrono::steady_clock::now();
        m_out.timings_s.emplace_back(name, std::chrono::duration<double>(now - m_t0).count());
        m_t0 = now;
    }

private:
    /// Every candidate's gain, in parallel (each one is a sequential sum: the figures do not
    /// depend on the number of threads).
    void evaluate_all(std::vector<double>& gains, bool exact) {
        gains.assign(m_cands.size(), 0.0);
        core::parallel_for(m_cands.size(), 8, [&](std::size_t j) {
            if (m_chosen[j] == 0) {
                gains[j] =
                    m_tree.gain(m_cands[j], m_options.objective, m_options.threshold_m, exact);
            }
        });
        if (exact) {
            m_out.evaluations += static_cast<std::size_t>(
                std::count(m_chosen.begin(), m_chosen.end(), static_cast<char>(0)));
        }
    }

    /// The best entry at `step`: a gain computed at this step that still tops the queue beats
    /// every other candidate's older gain or bound, which can only be larger than its gain now.
    Entry top_at(std::priority_queue<Entry, std::vector<Entry>, Lower>& queue, std::size_t step) {
        while (true) {
            Entry e = queue.top();
            queue.pop();
            if (e.step == step) {
                return e;
            }
            e.gain =
                m_tree.gain(m_cands[e.candidate], m_options.objective, m_options.threshold_m, true);
            e.step = step;
            ++m_out.evaluations;
            queue.push(e);
        }
    }

    void take(std::uint32_t j, double gain) {
        const double t = m_options.threshold_m;
        m_chosen[j] = 1;
        SuggestPick p;
        p.candidate = j;
        p.gain = gain;
        p.newly_covered = m_tree.apply(m_cands[j], t);
        p.covered = m_tree.covered(t);
        p.weighted_sum_m = m_tree.weighted_sum();
        m_out.picks.push_back(p);
    }

    DemandTree& m_tree;
    const SuggestOptions& m_options;
    SuggestResult& m_out;
    std::vector<Candidate> m_cands;
    std::vector<char> m_chosen;
    std::chrono::steady_clock::time_point m_t0;
};

} // namespace

SuggestResult suggest_sites(std::vector<Demand> demands, std::span<const geo::LonLat> candidates,
                            const SuggestOptions& options) {
    SuggestResult out;
    const auto t0 = std::chrono::steady_clock::now();
    DemandTree tree(std::move(demands));
    const double t = options.threshold_m;
    out.population = tree.population();
    out.covered_before = tree.covered(t);
    out.weighted_sum_before_m = tree.weighted_sum();
    Greedy greedy(tree, candidates, options, out, t0);
    const std::size_t add = std::min<std::size_t>(options.add, greedy.candidates());
    if (add == 0) {
        return out;
    }
    greedy.lap("tree");
    if (options.lazy) {
        greedy.lazy(add);
    } else {
        greedy.plain(add);
    }
    greedy.lap("greedy");
    return out;
}

std::vector<Demand> demands_of(const AnalysisResult& r, const std::vector<model::Site>& sites,
                               const std::vector<model::Zone>& zones) {
    const GeodesicCost model(detail::site_positions(sites));
    const auto& g = r.grid;
    // The populated cells, in cell order.
    std::vector<std::size_t> cells;
    for (std::size_t c = 0; c < g.zone.size(); ++c) {
        if (g.zone[c] >= 0 && g.population[c] > 0.0) {
            cells.push_back(c);
        }
    }
    std::vector<Demand> out(cells.size());
    const CellPositions positions(g, r.projection);
    // The cost of reaching the nearest site the analysis found, measured again with the same
    // model on the same points (the analysis keeps it only as float km).
    core::parallel_for(cells.size(), 4096, [&](std::size_t k) {
        const auto c = cells[k];
        const auto e = positions.at(c);
        out[k] = {e, g.population[c], model.cost(e, r.cell_site[c])};
    });
    for (std::size_t i = 0; i < zones.size() && i < r.zones.size(); ++i) {
        const auto& zr = r.zones[i];
        if (zr.cells == 0 && r.zone_population[i] > 0.0) {
            out.push_back({geo::to_ecef(zr.reference), r.zone_population[i], zr.nearest_m});
        }
    }
    return out;
}

} // namespace maillage::analysis
