#pragma once

#include "command.hpp"
#include "logger.hpp"
#include "option_groups.hpp"

namespace maillage::cli {

/// A command not built on the analysis (nearest, info, report): what every command has, its
/// options' description, the common options and the logger they make. The derived class adds its
/// options to m_all in its constructor and sets m_log in setup().
class BasicCommand : public Command {
public:
    [[nodiscard]] const Logger& logger() const final { return m_log; }
    /// The common options, once setup() has run.
    [[nodiscard]] const CommonOptions& common() const { return m_common; }

protected:
    po::options_description m_all{help_width}; // NOLINT: the derived command builds it
    CommonOptions m_common;                    // NOLINT: parsed by the derived command
    Logger m_log;                              // NOLINT: made by the derived command's setup()
};

} // namespace maillage::cli
