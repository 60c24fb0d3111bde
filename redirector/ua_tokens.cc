#include "redirector/ua_tokens.h"

#include <vector>

namespace redirector {
namespace {

// Sources for the tokens: ../shared/corpus/README.md (labelling rules, drawn from isbot,
// crawler-user-agents, Matomo Device Detector, Crawler-Detect and uap-core fixtures).
const char* const kPreview[] = {
    "facebookexternalhit", "facebot", "twitterbot", "whatsapp", "wachat/", "telegrambot",
    "slackbot", "slack-imgproxy", "discordbot", "linkedinbot", "skypeuripreview",
    "microsoftpreview", "bingpreview", "googlemessages", "google-pagerenderer",
    "developers.google.com/+/web/snippet", "google web preview", "snap url preview",
    "viberurldownloader", "vkshare", "mastodon/", "cardyb", "redditbot", "pinterest/0.",
    "pinterestbot", "line-poker", "kakaotalk-scrap", "naver.me/scrap", "embedly", "iframely",
    "linkpreview", "link preview", "link-preview", "urlpreview", "url preview", "opengraph",
    "outbrain", "tumblr/", "skype-url-preview", "teams/", "yahoocachesystem",
    "applebot", "google-inspectiontool", "flipboardproxy", "quora link preview", "nuzzel",
    "bitlybot", "xing-contenttabreceiver", "redditbot", "chatgpt-user", "w3c_validator",
    "discourse-onebox", "rocket.chat", "mattermost", "zoom.us", "nextcloud", "iMessage",
};

const char* const kScanner[] = {
    "google-safety", "kaspersky", "barracuda", "proofpoint", "mimecast", "zscaler",
    "trendmicro", "trend micro", "symantec", "bluecoat", "blue coat", "sophos", "fortinet",
    "fortiguard", "virustotal", "safelinks", "urldefense", "cisco umbrella", "forcepoint",
    "checkpoint", "check point", "paloalto", "netcraft", "phishtank", "urlscan", "safebrowsing",
};

const char* const kBot[] = {
    "headlesschrome", "phantomjs", "lighthouse", "ptst/", "pagespeed", "puppeteer",
    "playwright", "selenium", "webdriver", "slimerjs", "htmlunit", "electron/",
    "curl/", "wget/", "python-requests", "python-urllib", "python-httpx", "aiohttp", "httpx",
    "go-http-client", "okhttp", "java/", "apache-httpclient", "jakarta", "libwww-perl",
    "lwp::", "php/", "guzzlehttp", "ruby", "faraday", "axios/", "node-fetch", "undici",
    "got (https", "restsharp", "postmanruntime", "insomnia", "httpie", "powershell",
    "winhttp", "cfnetwork", "dalvik/", "libcurl", "pycurl", "scrapy", "mechanize",
    "http_request", "httpclient", "reqwest", "hackney", "colly", "nutch", "heritrix",
    "googlebot", "bingbot", "yandex.com/bots", "baiduspider", "duckduckbot", "slurp",
    "sogou", "exabot", "petalbot", "semrush", "ahrefs", "mj12bot", "dotbot", "rogerbot",
    "screaming frog", "seznambot", "gptbot", "ccbot", "claudebot", "anthropic", "bytespider",
    "amazonbot", "perplexity", "cohere", "diffbot", "omgili", "uptimerobot", "pingdom",
    "statuscake", "site24x7", "newrelic", "datadog", "monitor", "nagios", "zabbix",
    "feedfetcher", "feedly", "feedburner", "rss", "newsblur", "inoreader", "feedbin",
    "validator", "linkcheck", "link check", "checker", "scanner", "openvas", "nmap", "nikto",
    "masscan", "zgrab", "nessus", "qualys", "acunetix", "sqlmap", "detectify", "assetnote",
    "censys", "shodan", "expanse", "netsystemsresearch", "internet-measurement",
    "securityheaders", "siteimprove", "sistrix", "ezooms", "dataprovider", "archive.org",
    "ia_archiver", "wayback", "httrack", "offline explorer", "teleport", "webcopier",
    "crawler4j", "apify", "dataforseo", "serpstat", "mojeek", "qwantify", "yisou",
    "ltx71", "cloudflare-", "preview", "synthetic", "probe",
};

const char* const kWeakBot[] = {
    "bot", "crawl", "spider", "scrape", "fetch", "http://", "https://", "www.", ".com",
    "+http", "@", "library", "client", "download", "agent", "index", "search", "archive",
};

// In-app browsers and webviews: people, though they carry app tokens (../shared/corpus rules).
const char* const kInApp[] = {
    "fban/", "fbav/", "fb_iab", "fbios", "fb4a", "messenger", "instagram", "barcelona",
    "musical_ly", "bytedancewebview", "trill_", "tiktok", "snapchat/", "line/", "micromessenger",
    "gsa/", "twitter for", "twitterandroid", "[linkedinapp]", "[pinterest/", "kakaotalk",
    "naver(inapp", "wechat", "qq/", "weibo", "telegram-android", "viber", "wv)", "; wv",
    "reddit/", "discord/", "waios", "wa4a",
};

const char* const kBrowser[] = {"mozilla/", "opera/", "opera ", "mobile safari", "applewebkit/"};

}  // namespace

const TokenMatcher& DefaultUaMatcher() {
  static const TokenMatcher matcher = [] {
    std::vector<TokenMatcher::Token> tokens;
    auto add = [&tokens](const auto& list, int group) {
      for (const char* t : list) tokens.push_back({t, group});
    };
    add(kPreview, kUaGroupPreview);
    add(kScanner, kUaGroupScanner);
    add(kBot, kUaGroupBot);
    add(kWeakBot, kUaGroupWeakBot);
    add(kInApp, kUaGroupInApp);
    add(kBrowser, kUaGroupBrowser);
    return TokenMatcher(tokens);
  }();
  return matcher;
}

}  // namespace redirector
