#include "sections.hpp"

#include <array>
#include <cstdio>

namespace maillage::report {

std::string plain(double v, int decimals) {
    std::array<char, 64> buf{};
    std::snprintf(buf.data(), buf.size(), "%.*f", decimals, v);
    return buf.data();
}

void write_figures(std::ostream& html, std::ostream& md, const Figures& figures,
                   const std::string& sep) {
    for (const auto& [label, value] : figures) {
        html << "<div class=\"figure\"><b>" << esc(value) << "</b>" << esc(label) << "</div>\n";
        md << "- " << label << sep << value << '\n';
    }
}

void html_table_head(std::ostream& html, const std::string& id,
                     const std::vector<std::string>& headings) {
    html << "<table id=\"" << id << "\">\n<thead><tr>";
    for (const auto& h : headings) {
        html << "<th>" << esc(h) << "</th>";
    }
    html << "</tr></thead>\n<tbody>\n";
}

void table_head(std::ostream& html, std::ostream& md, const std::string& id,
                const std::vector<std::string>& headings, const std::string& md_align) {
    html_table_head(html, id, headings);
    md << '|';
    for (const auto& h : headings) {
        md << ' ' << h << " |";
    }
    md << '\n' << md_align << '\n';
}

void number_cell(std::ostream& html, double v, const std::string& text) {
    html << "<td class=\"n\" data-v=\"" << v << "\">" << esc(text) << "</td>";
}

std::string list_names(const std::vector<std::string>& names, std::size_t count) {
    std::string out;
    for (std::size_t i = 0; i < names.size() && i < 20; ++i) {
        out += (i == 0 ? "" : ", ") + names[i];
    }
    if (count > 20) {
        out += ", …";
    }
    return out.empty() ? std::string("—") : out;
}

} // namespace maillage::report
