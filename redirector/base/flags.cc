#include "redirector/base/flags.h"

#include <algorithm>
#include <charconv>
#include <cstdio>

#include <absl/strings/str_cat.h>

#include "store/string_view.h"

namespace redirector {

using store::AV;

namespace {

std::string TomlString(std::string_view v) {
  std::string out = "\"";
  for (char c : v) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

}  // namespace

void Flags::String(std::string name, std::string* out, std::string help, std::string key) {
  flags_.push_back({std::move(name), std::move(help), Kind::kString, std::move(key),
                    [out](std::string_view v) {
                      out->assign(v);
                      return absl::OkStatus();
                    },
                    [out] { return TomlString(*out); }, nullptr});
}

void Flags::Int(std::string name, int64_t* out, std::string help, std::string key) {
  std::string n = name;
  flags_.push_back({std::move(name), std::move(help), Kind::kInt, std::move(key),
                    [out, n](std::string_view v) {
                      int64_t x = 0;
                      auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
                      if (ec != std::errc() || p != v.data() + v.size()) {
                        return absl::InvalidArgumentError(
                            absl::StrCat("--", n, " wants a whole number, got '", AV(v), "'"));
                      }
                      *out = x;
                      return absl::OkStatus();
                    },
                    [out] { return std::to_string(*out); }, nullptr});
}

void Flags::Bool(std::string name, bool* out, std::string help, std::string key) {
  flags_.push_back({std::move(name), std::move(help), Kind::kBool, std::move(key),
                    [out](std::string_view v) {
                      *out = v != "false";  // "" on the command line: the flag is there
                      return absl::OkStatus();
                    },
                    [out] { return std::string(*out ? "true" : "false"); }, nullptr});
}

void Flags::Repeated(std::string name, std::vector<std::string>* out, std::string help,
                     std::string key) {
  flags_.push_back({std::move(name), std::move(help), Kind::kRepeated, std::move(key),
                    [out](std::string_view v) {
                      out->emplace_back(v);
                      return absl::OkStatus();
                    },
                    [out] {
                      std::string s = "[";
                      for (size_t i = 0; i < out->size(); ++i) {
                        absl::StrAppend(&s, i ? ", " : "", TomlString((*out)[i]));
                      }
                      return s + "]";
                    },
                    [out] { out->clear(); }});
}

const Flags::Flag* Flags::FindKey(std::string_view key) const {
  if (key.empty()) return nullptr;
  for (const Flag& f : flags_) {
    if (f.key == key) return &f;
  }
  return nullptr;
}

absl::Status Flags::SetByKey(std::string_view key, std::string_view value) {
  const Flag* f = FindKey(key);
  if (f == nullptr) return absl::NotFoundError(absl::StrCat("unknown key ", AV(key)));
  return f->set(value);
}

void Flags::ClearByKey(std::string_view key) {
  if (const Flag* f = FindKey(key); f != nullptr && f->clear) f->clear();
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
    bool takes_value = it->kind != Kind::kBool;
    if (takes_value && !has_value) {
      if (i + 1 >= argc) {
        return absl::InvalidArgumentError(absl::StrCat("--", AV(name), " needs a value"));
      }
      value = argv[++i];
    } else if (!takes_value && has_value) {
      return absl::InvalidArgumentError(absl::StrCat("--", AV(name), " takes no value"));
    }
    if (it->clear && !Seen(name)) it->clear();  // the command line replaces the file's list
    if (absl::Status s = it->set(value); !s.ok()) return s;
    seen_.emplace_back(name);
  }
  return absl::OkStatus();
}

std::string Flags::Usage() const {
  std::string out = absl::StrCat("usage: ", synopsis_, "\n\nflags:\n");
  for (const Flag& f : flags_) {
    std::string left = absl::StrCat("  --", f.name, f.kind != Kind::kBool ? " VALUE" : "");
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
