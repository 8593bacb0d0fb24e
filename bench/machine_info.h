// bench/machine_info.h
// What every benchmark prints beside its numbers (docs/architecture.md): the CPU.
#pragma once

#include <fstream>
#include <string>

namespace vecsim::bench {

// The CPU's model name from /proc/cpuinfo, or "unknown".
inline std::string cpu_model() {
  std::ifstream f("/proc/cpuinfo");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  }
  return "unknown";
}

}  // namespace vecsim::bench
