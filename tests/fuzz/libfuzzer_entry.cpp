// The libFuzzer entry point of one target: CHECKIN_FUZZ_ENTRY names its body (fuzz_targets.hpp).
#include "fuzz_targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return checkin::fuzz::CHECKIN_FUZZ_ENTRY(data, size);
}
