#pragma once
// The config file (TOML) of `serve`: every key is a flag's config key (serve_options.cc has the
// table), so the file and the command line share one parser and one set of checks, and the
// command line wins (it is parsed after the file). An unknown key, a value of the wrong type or
// a bad value is an error naming the key and its line.
//
//   data_dir = "/var/lib/redirector"
//   [listen]
//   public = "0.0.0.0:80"
//   trusted_proxies = ["10.0.0.0/8"]

#include <string>

#include <absl/status/status.h>

#include "redirector/base/flags.h"

namespace redirector {

// Sets `flags` from the file's keys.
absl::Status ApplyConfigFile(const std::string& path, Flags& flags);

// The value of --config in argv[first..argc) ("--config F" or "--config=F"), or empty: the file
// is applied before the command line is parsed, so that flags override it.
std::string ConfigPathFromArgs(int argc, char** argv, int first);

// Every keyed flag's current value, as a TOML file grouped by section: what check-config prints.
std::string EffectiveConfig(const Flags& flags);

// Rewrites "--flag" in an error message as "KEY (--flag)" for flags that have a key, so errors
// found after the file was read still name its keys.
std::string NameKeys(const Flags& flags, std::string message);

}  // namespace redirector
