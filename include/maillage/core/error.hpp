#pragma once

#include "maillage/core/format.hpp"

#include <stdexcept>
#include <string>

namespace maillage {

/// Root of every error maillage reports to the user.
class error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// The command line or a config file is wrong: exit code 2.
class usage_error : public error {
public:
    using error::error;
};

/// A value the caller gave the library (the value of a command-line option, passed on by the
/// CLI) cannot be used: the message says what is wrong with the value. Not an input_error: the
/// CLI reports it as a usage error (exit code 2), as it does usage_error.
class value_error : public error {
public:
    using error::error;
};

/// An input file, field or value cannot be used: exit code 1.
/// The message names the file, the feature or line, and the value.
class input_error : public error {
public:
    using error::error;
};

/// A library call or the file system failed while running: exit code 1.
class runtime_failure : public error {
public:
    using error::error;
};

/// Rethrows the exception being handled (call it in a catch block only) with `context` put
/// before its message, keeping its type: an input_error stays an input_error (exit code 1), a
/// value_error or usage_error stays a usage error (exit code 2). Any other exception (bad_alloc,
/// an exception of a library) becomes a runtime_failure.
[[noreturn]] void rethrow_with_context(const std::string& context);

/// Formats "file: feature N: message" consistently.
std::string locate(const std::string& file, const std::string& where, const std::string& what);

/// A number as a person would write it in a message: up to 10 significant digits, no trailing
/// zeros ("5.33", "862571.474", "nan") (core/format.hpp).
using core::format_number;

} // namespace maillage
