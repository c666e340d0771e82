#pragma once
// A property that must hold for every input. On violation: say which, where, then trap, so
// libFuzzer (and the GCC replay test, as a crash) reports the input as a finding.

#include <cstdio>

#define FUZZ_CHECK(cond)                                                                     \
  do {                                                                                       \
    if (!(cond)) {                                                                           \
      std::fprintf(stderr, "fuzz property failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
      std::fflush(stderr);                                                                   \
      __builtin_trap();                                                                      \
    }                                                                                        \
  } while (false)
