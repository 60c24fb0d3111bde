// `redirector classify`: the daemon's classifier over NDJSON request lines on stdin.
//   in:  {"method":"GET","ua":"...","headers":{"accept-language":"en-US"},"ip":"203.0.113.9",
//         "seconds_since_sent":3600}
//   out: {"verdict":"human","reasons":[]}
// A bad line prints {"error":"line N: ..."} in its place and the exit code is 1 at the end.
#include <cstdio>
#include <iostream>
#include <string>

#include <boost/json.hpp>

#include "redirector/base/ascii.h"
#include "redirector/base/flags.h"
#include "redirector/classify/classify.h"
#include "redirector/cli/commands.h"
#include "redirector/ops/serve_options.h"

namespace redirector {
namespace json = boost::json;
namespace {

// Classifies one line; returns the output line or an error message.
bool ClassifyLine(const std::string& line, const ClassifierConfig& config, std::string* out) {
  json::error_code ec;
  json::value v = json::parse(line, ec);
  if (ec || !v.is_object()) {
    *out = ec ? "invalid JSON: " + ec.message() : "expected a JSON object";
    return false;
  }
  const json::object& o = v.as_object();
  HitFacts hit;
  Ip16 client;
  std::string method = "GET";
  std::string ua, purpose, sec_purpose, x_purpose, x_moz;
  for (const auto& [key, value] : o) {
    if (key == "method") {
      if (!value.is_string()) return *out = "method must be a string", false;
      method = value.as_string().c_str();
    } else if (key == "ua") {
      if (!value.is_string()) return *out = "ua must be a string", false;
      ua = value.as_string().c_str();
    } else if (key == "seconds_since_sent") {
      if (value.is_null()) continue;
      if (!value.is_number()) return *out = "seconds_since_sent must be a number", false;
      hit.seconds_since_sent = static_cast<int64_t>(value.to_number<double>());
    } else if (key == "headers") {
      if (!value.is_object()) return *out = "headers must be an object", false;
      for (const auto& [hk, hv] : value.as_object()) {
        if (!hv.is_string()) return *out = "header values must be strings", false;
        std::string name(hk.data(), hk.size());
        for (char& ch : name) ch = AsciiLower(ch);
        std::string val(hv.as_string().c_str());
        if (name == "accept") hit.has_accept = true;
        if (name == "accept-language") hit.has_accept_language = true;
        if (name == "purpose") purpose = val;
        if (name == "sec-purpose") sec_purpose = val;
        if (name == "x-purpose") x_purpose = val;
        if (name == "x-moz") x_moz = val;
        if (name == "user-agent" && ua.empty()) ua = val;
      }
    } else if (key == "ip") {
      if (!value.is_string()) return *out = "ip must be a string", false;
      auto ip = ParseIp(std::string_view(value.as_string().data(), value.as_string().size()));
      if (!ip) return *out = "ip is not an IPv4 or IPv6 address", false;
      client = *ip;
      hit.client = &client;
    } else {
      *out = "unknown field " + std::string(key);
      return false;
    }
  }
  hit.method = method == "GET"    ? HttpMethod::kGet
               : method == "HEAD" ? HttpMethod::kHead
                                  : HttpMethod::kOther;
  hit.user_agent = ua;
  hit.purpose = purpose;
  hit.sec_purpose = sec_purpose;
  hit.x_purpose = x_purpose;
  hit.x_moz = x_moz;
  Classification c = Classify(hit, config);
  json::object result;
  result["verdict"] =
      json::string_view(VerdictName(c.verdict).data(), VerdictName(c.verdict).size());
  json::array reasons;
  for (int i = 0; i < kReasonCount; ++i) {
    auto bit = static_cast<Reason>(1u << i);
    if (c.reasons & bit) {
      reasons.emplace_back(json::string_view(ReasonName(bit).data(), ReasonName(bit).size()));
    }
  }
  result["reasons"] = std::move(reasons);
  *out = json::serialize(result);
  return true;
}

}  // namespace

int ClassifyMain(int argc, char** argv) {
  int64_t too_soon = ClassifierConfig().too_soon_seconds;
  Flags flags("redirector classify < requests.ndjson");
  flags.Int("too-soon-seconds", &too_soon, "a hit this soon after the send is a scanner (5)");
  ClassifierFiles files;
  DefineClassifierFileFlags(&flags, &files);
  if (auto exit = ParseCommandLine(flags, argc, argv, 2, "redirector classify")) return *exit;
  ClassifierConfig config;
  config.too_soon_seconds = too_soon;
  if (auto s = LoadClassifierFiles(files, &config); !s.ok()) {
    std::cerr << "redirector classify: " << s.message() << '\n';
    return 2;
  }
  std::ios::sync_with_stdio(false);
  std::string line, out;
  size_t line_no = 0;
  bool failed = false;
  while (std::getline(std::cin, line)) {
    ++line_no;
    if (line.empty()) continue;
    if (ClassifyLine(line, config, &out)) {
      std::cout << out << '\n';
    } else {
      failed = true;
      json::object err;
      err["error"] = "line " + std::to_string(line_no) + ": " + out;
      std::cout << json::serialize(err) << '\n';
      std::cerr << "redirector classify: line " << line_no << ": " << out << '\n';
    }
  }
  std::cout.flush();
  return failed ? 1 : 0;
}

}  // namespace redirector
