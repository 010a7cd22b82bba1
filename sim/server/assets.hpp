#pragma once
// The page's files, embedded into the binary at build time from web/
// (sim/server/embed_assets.cmake), so that `groundswell serve` works from any
// directory and serves nothing but these.
#include <cstddef>
#include <string>

namespace groundswell::server::detail {

struct Asset {
  const char* path;          ///< URL path, e.g. "/app.js"
  const char* content_type;  ///< MIME type
  const unsigned char* data;
  std::size_t size;
};

extern const Asset kAssets[];
extern const std::size_t kAssetCount;

/// The asset served at `path` ("/" is /index.html), or nullptr.
const Asset* find_asset(const std::string& path);

}  // namespace groundswell::server::detail
