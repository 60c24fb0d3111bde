#include "redirector/base/config_file.h"

#include <map>
#include <vector>

#include <absl/strings/str_cat.h>

#include "store/string_view.h"

#include <toml++/toml.h>

namespace redirector {

using store::AV;
namespace {

absl::Status AtLine(const toml::node& node, std::string_view key, std::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat("line ", node.source().begin.line, ": ", AV(key), ": ", AV(what)));
}

absl::Status Apply(const toml::table& table, const std::string& prefix, Flags& flags) {
  for (auto&& [k, node] : table) {
    std::string key =
        prefix.empty() ? std::string(k.str()) : absl::StrCat(prefix, ".", AV(k.str()));
    if (const toml::table* sub = node.as_table()) {
      if (absl::Status s = Apply(*sub, key, flags); !s.ok()) return s;
      continue;
    }
    const Flags::Flag* flag = flags.FindKey(key);
    if (flag == nullptr) return AtLine(node, key, "unknown key (see check-config's output)");
    absl::Status s;
    switch (flag->kind) {
      case Flags::Kind::kString:
        if (!node.is_string()) return AtLine(node, key, "want a string");
        s = flags.SetByKey(key, *node.value<std::string>());
        break;
      case Flags::Kind::kInt:
        if (!node.is_integer()) return AtLine(node, key, "want a whole number");
        s = flags.SetByKey(key, std::to_string(*node.value<int64_t>()));
        break;
      case Flags::Kind::kBool:
        if (!node.is_boolean()) return AtLine(node, key, "want true or false");
        s = flags.SetByKey(key, *node.value<bool>() ? "true" : "false");
        break;
      case Flags::Kind::kRepeated: {
        const toml::array* items = node.as_array();
        if (items == nullptr) return AtLine(node, key, "want an array of strings");
        flags.ClearByKey(key);
        for (const toml::node& item : *items) {
          if (!item.is_string()) return AtLine(item, key, "want an array of strings");
          if (s = flags.SetByKey(key, *item.value<std::string>()); !s.ok()) break;
        }
        break;
      }
    }
    if (!s.ok()) return AtLine(node, key, NameKeys(flags, std::string(s.message())));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ApplyConfigFile(const std::string& path, Flags& flags) {
  toml::table table;
  try {
    table = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": line ", e.source().begin.line, ": ", AV(e.description())));
  }
  if (absl::Status s = Apply(table, "", flags); !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", s.message()));
  }
  return absl::OkStatus();
}

std::string ConfigPathFromArgs(int argc, char** argv, int first) {
  std::string path;
  for (int i = first; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--config" && i + 1 < argc) {
      path = argv[++i];
    } else if (arg.substr(0, 9) == "--config=") {
      path = std::string(arg.substr(9));
    }
  }
  return path;
}

std::string EffectiveConfig(const Flags& flags) {
  // Top-level keys first, then one [section] each, in the order the flags were defined.
  std::vector<std::string> sections = {""};
  std::map<std::string, std::string> bodies;
  for (const Flags::Flag& f : flags.flags()) {
    if (f.key.empty()) continue;
    size_t dot = f.key.rfind('.');
    std::string section = dot == std::string::npos ? "" : f.key.substr(0, dot);
    std::string name = dot == std::string::npos ? f.key : f.key.substr(dot + 1);
    if (bodies.find(section) == bodies.end() && !section.empty()) sections.push_back(section);
    absl::StrAppend(&bodies[section], name, " = ", f.toml(), "\n");
  }
  std::string out;
  for (const std::string& section : sections) {
    if (!section.empty()) absl::StrAppend(&out, "\n[", section, "]\n");
    out += bodies[section];
  }
  return out;
}

std::string NameKeys(const Flags& flags, std::string message) {
  for (const Flags::Flag& f : flags.flags()) {
    if (f.key.empty()) continue;
    std::string flag = "--" + f.name;
    for (size_t at = message.find(flag); at != std::string::npos; at = message.find(flag, at + 1)) {
      size_t end = at + flag.size();
      bool whole = end == message.size() ||
                   !(std::isalnum(static_cast<unsigned char>(message[end])) || message[end] == '-');
      bool already = at >= 1 && message[at - 1] == '(';
      if (!whole || already) continue;
      std::string named = absl::StrCat(f.key, " (", flag, ")");
      message.replace(at, flag.size(), named);
      at += named.size() - 1;
    }
  }
  return message;
}

}  // namespace redirector
