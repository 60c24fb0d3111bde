#include "redirector/base/config_file.h"

#include <fstream>

#include <catch2/catch.hpp>

#include "redirector/ops/serve_options.h"

#include "testing/temp_dir.h"

namespace {

struct Loaded {
  redirector::ServeOptions o;
  redirector::Flags flags{"test"};
  Loaded() { redirector::DefineServeFlags(&flags, &o); }
};

std::string Write(const testing::TempDir& dir, const std::string& text) {
  std::string path = dir.Sub("redirector.toml");
  std::ofstream(path) << text;
  return path;
}

}  // namespace

TEST_CASE("A config file sets serve's options by key, flags parsed after it win",
          "[redirector][config]") {
  testing::TempDir dir;
  Loaded l;
  std::string path = Write(dir, R"(
data_dir = "/var/lib/r"
threads = 3
[listen]
public = "0.0.0.0:80"
trusted_proxies = ["10.0.0.0/8", "192.168.0.0/16"]
[event_log]
sync = "always"
[limits]
header_bytes = 4096
[log]
format = "json"
)");
  REQUIRE(redirector::ApplyConfigFile(path, l.flags).ok());
  CHECK(l.o.data_dir == "/var/lib/r");
  CHECK(l.o.threads == 3);
  CHECK(l.o.listen == "0.0.0.0:80");
  CHECK(l.o.trusted_proxies.size() == 2);
  CHECK(l.o.sync == "always");
  CHECK(l.o.header_limit == 4096);
  CHECK(l.o.log_format == "json");

  const char* argv[] = {"redirector", "serve", "--threads", "1", "--trusted-proxy", "127.0.0.1/32"};
  REQUIRE(l.flags.Parse(6, const_cast<char**>(argv), 2).ok());
  CHECK(l.o.threads == 1);
  CHECK(l.o.trusted_proxies == std::vector<std::string>{"127.0.0.1/32"});  // replaced, not added
  CHECK(l.o.data_dir == "/var/lib/r");
}

TEST_CASE("Config errors name the key and its line", "[redirector][config]") {
  testing::TempDir dir;
  auto error = [&](const std::string& text) {
    Loaded l;
    auto s = redirector::ApplyConfigFile(Write(dir, text), l.flags);
    REQUIRE_FALSE(s.ok());
    return std::string(s.message());
  };
  CHECK_THAT(error("[limits]\nheader_bytez = 1\n"),
             Catch::Contains("line 2: limits.header_bytez: unknown key"));
  CHECK_THAT(error("threads = \"two\"\n"), Catch::Contains("line 1: threads: want a whole number"));
  CHECK_THAT(error("[listen]\ntrusted_proxies = \"10.0.0.0/8\"\n"),
             Catch::Contains("listen.trusted_proxies: want an array of strings"));
  CHECK_THAT(error("threads = [\n"), Catch::Contains("line 1"));
  CHECK_THAT(error("[limits]\nheader_bytes = 1e3\n"), Catch::Contains("want a whole number"));
  Loaded missing;
  CHECK_FALSE(redirector::ApplyConfigFile(dir.Sub("nope.toml"), missing.flags).ok());
}

TEST_CASE("Range errors found after reading name the key, the effective config reads back",
          "[redirector][config]") {
  testing::TempDir dir;
  Loaded l;
  REQUIRE(redirector::ApplyConfigFile(Write(dir, "[limits]\nheader_bytes = 10\n"), l.flags).ok());
  auto r = redirector::ResolveServeOptions(l.o, nullptr);
  REQUIRE_FALSE(r.ok());
  CHECK_THAT(redirector::NameKeys(l.flags, std::string(r.status().message())),
             Catch::StartsWith("limits.header_bytes (--header-limit) must be between"));

  Loaded a;
  REQUIRE(
      redirector::ApplyConfigFile(
          Write(dir, "node_id = \"edge \\\"1\\\"\"\n[listen]\ntrusted_proxies = [\"::1/128\"]\n"),
          a.flags)
          .ok());
  std::string effective = redirector::EffectiveConfig(a.flags);
  Loaded b;
  REQUIRE(redirector::ApplyConfigFile(Write(dir, effective), b.flags).ok());
  CHECK(redirector::EffectiveConfig(b.flags) == effective);
  CHECK(b.o.node_id == "edge \"1\"");
}
