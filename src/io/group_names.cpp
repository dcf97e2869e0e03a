#include "maillage/io/group_names.hpp"

#include "maillage/core/error.hpp"
#include "maillage/io/gdal_util.hpp"

namespace maillage::io {

namespace {

std::string field_names(OGRFeatureDefn& defn) {
    std::string out;
    for (int i = 0; i < defn.GetFieldCount(); ++i) {
        out += (i > 0 ? ", " : "") + std::string(defn.GetFieldDefn(i)->GetNameRef());
    }
    return out.empty() ? "none" : out;
}

} // namespace

std::map<std::string, std::string> read_group_names(const std::string& path) {
    auto ds = open_vector(path);
    OGRLayer* layer = first_layer(*ds, path);
    OGRFeatureDefn& defn = *layer->GetLayerDefn();
    const auto code_name = first_present(defn, {"code", "code_dep", "INSEE_DEP", "insee_dep", "dep",
                                                "departement", "group_code", "group"});
    const auto name_name =
        first_present(defn, {"nom", "name", "NOM_DEP", "nom_dep", "libelle", "label"});
    if (code_name.empty() || name_name.empty()) {
        throw input_error(path + ": no " + (code_name.empty() ? "code" : "name") +
                          " field for the group names (looked for " +
                          (code_name.empty() ? "code, code_dep, INSEE_DEP, dep, departement, "
                                               "group_code, group"
                                             : "nom, name, NOM_DEP, libelle, label") +
                          "; the fields are: " + field_names(defn) +
                          "). Give a table with a code column and a name column.");
    }
    const int code_idx = find_field(defn, code_name);
    const int name_idx = find_field(defn, name_name);
    std::map<std::string, std::string> names;
    bool recoded = false;
    layer->ResetReading();
    for (auto& f : *layer) {
        const auto code = text_field(*f, code_idx, recoded);
        const auto name = text_field(*f, name_idx, recoded);
        if (code.empty() || name.empty()) {
            continue;
        }
        if (auto [it, inserted] = names.emplace(code, name); !inserted && it->second != name) {
            throw input_error(path + ": feature " + std::to_string(f->GetFID()) + ": the code " +
                              code + " is named both '" + it->second + "' and '" + name +
                              "': give each code one name.");
        }
    }
    if (names.empty()) {
        throw input_error(path + ": no group name read (every " + code_name + " or " + name_name +
                          " is empty).");
    }
    return names;
}

} // namespace maillage::io
