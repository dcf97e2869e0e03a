#pragma once

#include "command.hpp"

#include <memory>

namespace maillage::cli {

std::unique_ptr<Command> make_analyse();
std::unique_ptr<Command> make_nearest();
std::unique_ptr<Command> make_info();
std::unique_ptr<Command> make_report();
std::unique_ptr<Command> make_access();
std::unique_ptr<Command> make_whatif();
std::unique_ptr<Command> make_suggest();

} // namespace maillage::cli
