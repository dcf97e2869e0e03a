// libFuzzer harness: the config file parser (`--config FILE`, src/cli/options.cpp) with the
// options of every command: the input is written as a config file and each command's setup()
// (which parses and checks, but opens no data file) runs on `--config FILE`. Besides
// maillage::error, boost::program_options::error is accepted: main() reports it as a usage
// error (exit code 2).
// Seeds: tests/data/fuzz/config_*.conf and scripts/examples/*.conf (scripts/fuzz.sh).

#include "fuzz_support.hpp"

#include "commands.hpp"

#include <boost/program_options/errors.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
    maillage::fuzz::init();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace maillage;
    const auto path = fuzz::write_scratch_file("maillage.conf", data, size);
    const std::vector<std::string> args{"--config", path};
    for (auto make : {&cli::make_analyse, &cli::make_nearest, &cli::make_info, &cli::make_report,
                      &cli::make_access, &cli::make_whatif, &cli::make_suggest}) {
        const std::unique_ptr<cli::Command> cmd = make();
        fuzz::expect_documented_errors<boost::program_options::error>([&] { cmd->setup(args); });
    }
    return 0;
}
