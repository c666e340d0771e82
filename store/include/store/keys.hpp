#pragma once
// Order-preserving key encodings, one function per database. Integers are fixed-width
// big-endian, so byte order is numeric order; member numbers and ids are raw bytes, and where one
// is followed by more key it is terminated by 0x00, which they may not contain (is_storable_id).
//
//   scans           member · 0x00 · session_id                 -> scan record
//   by_session      session_id · 0x00 · be64(sequence)         -> member
//   outbox          be64(sequence)                             -> scan record
//   members         member                                     -> member record
//   session_counts  session_id                                 -> be64(count)
//   meta            ASCII name ("schema_version", "next_sequence", "next_batch",
//                   "indexed_through") -> be64
//   batches         be64(batch number)                         -> batch header
//   batch_entries   be64(batch number) · be64(sequence)        -> scan record
//   session_seals   session_id                                 -> seal state
//   deliveries      be64(batch number) · sink name             -> delivery record

#include "store/records.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace checkin::store::keys {

inline constexpr std::size_t max_id_bytes = 255;

// Non-empty, at most max_id_bytes, no 0x00.
[[nodiscard]] bool is_storable_id(std::string_view id) noexcept;

[[nodiscard]] std::string be64(std::uint64_t v);
// nullopt unless `bytes` is exactly 8 bytes.
[[nodiscard]] std::optional<std::uint64_t> read_be64(std::string_view bytes) noexcept;

[[nodiscard]] std::string scan_key(const member_no& member, std::string_view session_id);
// Every scan of one member starts with this (member · 0x00). It is also the least key greater than
// member_key(member), which is how member listings resume after a given member.
[[nodiscard]] std::string member_scans_prefix(const member_no& member);

[[nodiscard]] std::string session_index_key(std::string_view session_id, std::uint64_t sequence);
// Every by_session key of one session starts with this.
[[nodiscard]] std::string session_index_prefix(std::string_view session_id);
// The sequence part of a by_session key, given the key and its session's prefix.
[[nodiscard]] std::optional<std::uint64_t> session_index_sequence(std::string_view key,
                                                                  std::string_view prefix) noexcept;

[[nodiscard]] std::string member_key(const member_no& member);
[[nodiscard]] std::string outbox_key(std::uint64_t sequence);

[[nodiscard]] std::string batch_key(std::uint64_t number);
[[nodiscard]] std::string batch_entry_key(std::uint64_t number, std::uint64_t sequence);
[[nodiscard]] std::string delivery_key(std::uint64_t number, std::string_view sink);

inline constexpr std::string_view meta_schema_version = "schema_version";
inline constexpr std::string_view meta_next_sequence = "next_sequence";
inline constexpr std::string_view meta_next_batch = "next_batch";
// Every scan with a sequence up to this one has its by_session entry; the later ones (at most
// store_options::session_index_batch - 1 of them after a commit) are found in the outbox.
inline constexpr std::string_view meta_indexed_through = "indexed_through";

}  // namespace checkin::store::keys
