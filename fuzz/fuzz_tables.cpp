// libFuzzer target: the node and edge CSV tables (org::read_organization_tables).
// The input is split at the first byte 0x1E (ASCII record separator) into the
// node table and the edge table (no separator: the whole input is the node
// table and the edge table is empty), each written to a file in a private
// temporary directory, since the loader reads files. Every input must give an
// Organization or an InputError; anything else is a bug.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "groundswell/org/tables.hpp"

namespace {

std::string g_nodes, g_edges;

void write_file(const std::string& path, const char* data, std::size_t size) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f || std::fwrite(data, 1, size, f) != size || std::fclose(f) != 0) {
    std::perror(path.c_str());
    std::abort();
  }
}

void remove_directory() {
  std::remove(g_nodes.c_str());
  std::remove(g_edges.c_str());
  if (!g_nodes.empty()) ::rmdir(g_nodes.substr(0, g_nodes.rfind('/')).c_str());
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const char* base = ::access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
  std::string dir = std::string(base) + "/groundswell-fuzz-XXXXXX";
  if (!::mkdtemp(dir.data())) {
    std::perror("mkdtemp");
    std::abort();
  }
  g_nodes = dir + "/nodes.csv";
  g_edges = dir + "/edges.csv";
  std::atexit(remove_directory);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const char* text = reinterpret_cast<const char*>(data);
  std::size_t split = 0;
  while (split < size && text[split] != '\x1e') ++split;
  write_file(g_nodes, text, split);
  const std::size_t rest = split < size ? size - split - 1 : 0;
  write_file(g_edges, text + split + (split < size ? 1 : 0), rest);
  try {
    const groundswell::org::Organization org = groundswell::org::read_organization_tables(g_nodes, g_edges);
    // What the engine relies on for a loaded organization.
    const std::size_t n = org.size();
    if (n == 0 || org.manager.size() != n || org.level.size() != n || org.department.size() != n ||
        org.network.agent_count() != n || org.department_count < 1)
      __builtin_trap();
    for (std::size_t i = 0; i < n; ++i) {
      if (org.department[i] < 0 || org.department[i] >= org.department_count) __builtin_trap();
      if (org.manager[i] != groundswell::kNoManager &&
          (org.manager[i] < 0 || static_cast<std::size_t>(org.manager[i]) >= n))
        __builtin_trap();
    }
    for (std::size_t e = 0; e < org.network.edge_count(); ++e)
      if (org.network.sources[e] >= n || !(org.network.weights[e] > 0.0f)) __builtin_trap();
    (void)org.depth();
  } catch (const groundswell::InputError&) {
    // the expected answer to a bad table
  }
  return 0;
}
