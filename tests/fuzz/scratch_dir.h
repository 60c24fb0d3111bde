#pragma once
// ScratchDir: a directory of a fuzz target's own under /tmp, removed with everything in it when
// the process exits normally (the corpus replay returns from main; libFuzzer ends -runs and
// -max_total_time with exit(0)). A crash leaves it behind, with what the crashing input wrote.

#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

namespace fuzz {

// Makes `/tmp/redirector-fuzz-<name>-XXXXXX` and returns its path; aborts if it cannot. Call it
// once per directory (from a function-local static), not per input.
inline std::string ScratchDir(const std::string& name) {
  static auto* made = new std::vector<std::string>;  // never destroyed: read at exit
  if (made->empty()) {
    std::atexit([] {
      std::error_code ec;
      for (const std::string& dir : *made) std::filesystem::remove_all(dir, ec);
    });
  }
  std::string path = "/tmp/redirector-fuzz-" + name + "-XXXXXX";
  if (mkdtemp(path.data()) == nullptr) std::abort();
  made->push_back(path);
  return path;
}

}  // namespace fuzz
