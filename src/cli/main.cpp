// maillage: geographic coverage analyser. Exit codes: 0 ok, 1 data or runtime error, 2 usage.

#include "command.hpp"
#include "commands.hpp"

#include "maillage/core/error.hpp"
#include "maillage/io/gdal_util.hpp"

#include <array>
#include <cstring>
#include <functional>
#include <iostream>

namespace {

struct Entry {
    const char* name;
    std::unique_ptr<maillage::cli::Command> (*make)();
};

// The one list of commands: the help text is generated from it. One line per command.
// clang-format off
const std::array<Entry, 7> commands{{
    {"analyse", &maillage::cli::make_analyse},
    {"nearest", &maillage::cli::make_nearest},
    {"info", &maillage::cli::make_info},
    {"report", &maillage::cli::make_report},
    {"access", &maillage::cli::make_access},
    {"whatif", &maillage::cli::make_whatif},
    {"suggest", &maillage::cli::make_suggest},
}};
// clang-format on

void usage(std::ostream& out) {
    out << "Usage: maillage COMMAND [OPTIONS]\n\nCommands:\n";
    for (const auto& e : commands) {
        const auto cmd = e.make();
        out << "  " << e.name << std::string(10 - std::strlen(e.name), ' ') << cmd->synopsis()
            << '\n';
    }
    out << "\n'maillage COMMAND --help' lists a command's options. 'maillage --version' prints the "
           "version.\n";
}

} // namespace

int main(int argc, char* argv[]) {
    if (argc < 2) {
        usage(std::cerr);
        return 2;
    }
    const std::string name = argv[1];
    if (name == "--help" || name == "-h" || name == "help") {
        usage(std::cout);
        return 0;
    }
    if (name == "--version" || name == "version") {
        std::cout << "maillage " << MAILLAGE_VERSION << '\n';
        return 0;
    }
    std::unique_ptr<maillage::cli::Command> cmd;
    for (const auto& e : commands) {
        if (name == e.name) {
            cmd = e.make();
        }
    }
    if (!cmd) {
        std::vector<std::string> names;
        names.reserve(commands.size());
        for (const auto& e : commands) {
            names.emplace_back(e.name);
        }
        const auto guess = maillage::cli::closest_name(name, names);
        std::cerr << "maillage: unknown command '" << name << "'."
                  << (guess.empty() ? "" : " Did you mean '" + guess + "'?") << '\n';
        usage(std::cerr);
        return 2;
    }
    const std::vector<std::string> args(argv + 2, argv + argc);
    try {
        maillage::io::init_gdal();
        try {
            cmd->setup(args);
        } catch (const boost::program_options::error& e) {
            throw maillage::usage_error(e.what());
        }
        return cmd->run();
    } catch (const maillage::value_error& e) { // a bad option value the library found
        cmd->logger().error(name, "usage", e.what(), "see 'maillage " + name + " --help'");
        return 2;
    } catch (const maillage::usage_error& e) {
        cmd->logger().error(name, "usage", e.what(), "see 'maillage " + name + " --help'");
        return 2;
    } catch (const maillage::error& e) {
        cmd->logger().error(name, "error", e.what(), "");
        return 1;
    } catch (const std::bad_alloc&) {
        cmd->logger().error(name, "error", "out of memory",
                            "try a larger --grid-m or fewer --threads");
        return 1;
    } catch (const std::exception& e) {
        cmd->logger().error(name, "internal error", e.what(),
                            "please report it with the command line");
        return 1;
    }
}
