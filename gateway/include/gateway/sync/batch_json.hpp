#pragma once
// The JSON form of a sealed batch: the webhook body and the file `sync export` writes. The same
// batch always gives the same bytes. Documented field by field in docs/sync.md.

#include "store/records.hpp"

#include <string>

namespace checkin::gateway::sync {

[[nodiscard]] std::string batch_to_json(const store::sealed_batch& batch);

}  // namespace checkin::gateway::sync
