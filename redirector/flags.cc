#include "redirector/flags.h"

#include <algorithm>
#include <charconv>
#include <cstdio>

#include <absl/strings/str_cat.h>

#include "store/string_view.h"

namespace redirector {

using store::AV;

void Flags::String(std::string name, std::string* out, std::string help) {
  flags_.push_back({std::move(name), std::move(help), true, [out](std::string_view v) {
                      out->assign(v);
                      return absl::OkStatus();
                    }});
}

void Flags::Int(std::string name, int64_t* out, std::string help) {
  std::string n = name;
  flags_.push_back({std::move(name), std::move(help), true, [out, n](std::string_view v) {
                      int64_t x = 0;
                      auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
                      if (ec != std::errc() || p != v.data() + v.size()) {
                        return absl::InvalidArgumentError(
                            absl::StrCat("--", n, " wants a whole number, got '", AV(v), "'"));
                      }
                      *out = x;
                      return absl::OkStatus();
                    }});
}

void Flags::Bool(std::string name, bool* out, std::string help) {
  flags_.push_back({std::move(name), std::move(help), false, [out](std::string_view) {
                      *out = true;
                      return absl::OkStatus();
                    }});
}

void Flags::Repeated(std::string name, std::vector<std::string>* out, std::string help) {
  flags_.push_back({std::move(name), std::move(help), true, [out](std::string_view v) {
                      out->emplace_back(v);
                      return absl::OkStatus();
                    }});
}

bool Flags::Seen(std::string_view name) const {
  return std::find(seen_.begin(), seen_.end(), name) != seen_.end();
}

absl::Status Flags::Parse(int argc, char** argv, int first) {
  for (int i = first; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      help_ = true;
      continue;
    }
    if (arg.substr(0, 2) != "--" || arg == "--") {
      if (positional_ == nullptr || positional_->size() >= max_positional_) {
        return absl::InvalidArgumentError(absl::StrCat("unexpected argument '", AV(arg), "'"));
      }
      positional_->emplace_back(arg);
      continue;
    }
    std::string_view name = arg.substr(2);
    std::string_view value;
    bool has_value = false;
    if (size_t eq = name.find('='); eq != std::string_view::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      has_value = true;
    }
    auto it = std::find_if(flags_.begin(), flags_.end(),
                           [name](const Flag& f) { return f.name == name; });
    if (it == flags_.end()) {
      return absl::InvalidArgumentError(absl::StrCat("unknown flag --", AV(name), " (see --help)"));
    }
    if (it->takes_value && !has_value) {
      if (i + 1 >= argc) {
        return absl::InvalidArgumentError(absl::StrCat("--", AV(name), " needs a value"));
      }
      value = argv[++i];
    } else if (!it->takes_value && has_value) {
      return absl::InvalidArgumentError(absl::StrCat("--", AV(name), " takes no value"));
    }
    if (absl::Status s = it->set(value); !s.ok()) return s;
    seen_.emplace_back(name);
  }
  return absl::OkStatus();
}

std::string Flags::Usage() const {
  std::string out = absl::StrCat("usage: ", synopsis_, "\n\nflags:\n");
  for (const Flag& f : flags_) {
    std::string left = absl::StrCat("  --", f.name, f.takes_value ? " VALUE" : "");
    if (left.size() < 28) left.resize(28, ' ');
    absl::StrAppend(&out, left, " ", f.help, "\n");
  }
  absl::StrAppend(&out, "  --help                     this text\n");
  return out;
}

std::optional<int> ParseCommandLine(Flags& flags, int argc, char** argv, int first,
                                    const char* command) {
  if (auto s = flags.Parse(argc, argv, first); !s.ok()) {
    std::fprintf(stderr, "%s: %s\n", command, std::string(s.message()).c_str());
    return 2;
  }
  if (flags.help()) {
    std::fputs(flags.Usage().c_str(), stdout);
    return 0;
  }
  return std::nullopt;
}

}  // namespace redirector
