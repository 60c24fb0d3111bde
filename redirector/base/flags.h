#pragma once
// A small command-line flag parser for the subcommands: "--name value" or "--name=value",
// boolean "--name", repeatable flags, positional arguments, and "--help". Errors name the flag.
// A flag may also have a config-file key ("limits.header_bytes"): config_file.h sets flags by
// key through SetByKey, with the same parsing and checks as the command line, and prints them.
//
//   Flags f("redirector tail --data-dir DIR [--from SEQ] [--follow]");
//   f.String("data-dir", &dir, "data directory");
//   if (auto s = f.Parse(argc, argv, 2); !s.ok()) ...
//   if (f.help()) { std::cout << f.Usage(); return 0; }

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <absl/status/status.h>

namespace redirector {

class Flags {
 public:
  explicit Flags(std::string synopsis) : synopsis_(std::move(synopsis)) {}

  enum class Kind { kString, kInt, kBool, kRepeated };

  // `key`: the flag's config-file key, or empty for none.
  void String(std::string name, std::string* out, std::string help, std::string key = "");
  void Int(std::string name, int64_t* out, std::string help, std::string key = "");
  void Bool(std::string name, bool* out, std::string help, std::string key = "");
  // On the command line, the first occurrence replaces what a config file gave.
  void Repeated(std::string name, std::vector<std::string>* out, std::string help,
                std::string key = "");
  // Positional arguments are allowed (else they are an error).
  void AllowPositional(std::vector<std::string>* out, size_t max) {
    positional_ = out;
    max_positional_ = max;
  }

  // Parses argv[first..argc). Sets help() on --help / -h.
  absl::Status Parse(int argc, char** argv, int first);
  bool help() const { return help_; }
  bool Seen(std::string_view name) const;
  std::string Usage() const;

  // Config keys. NotFound for a key no flag has. A bool takes "true" or "false"; a repeated
  // flag's values are added one call each (ClearByKey first).
  struct Flag {
    std::string name;
    std::string help;
    Kind kind;
    std::string key;
    std::function<absl::Status(std::string_view)> set;
    std::function<std::string()> toml;  // the current value as a TOML literal
    std::function<void()> clear;        // repeated flags only
  };
  const Flag* FindKey(std::string_view key) const;
  absl::Status SetByKey(std::string_view key, std::string_view value);
  void ClearByKey(std::string_view key);
  const std::vector<Flag>& flags() const { return flags_; }

 private:
  std::string synopsis_;
  std::vector<Flag> flags_;
  std::vector<std::string> seen_;
  std::vector<std::string>* positional_ = nullptr;
  size_t max_positional_ = 0;
  bool help_ = false;
};

// Parses a subcommand's flags. Returns the exit code when the command should stop here: 0 after
// printing --help to stdout, 2 after printing "COMMAND: error" to stderr; nullopt to go on.
std::optional<int> ParseCommandLine(Flags& flags, int argc, char** argv, int first,
                                    const char* command);

}  // namespace redirector
