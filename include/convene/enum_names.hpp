// The names of an enumeration's values as they appear in the API, the database and the catalogues:
// one table per enumeration, read both ways, so that a value and its name can never drift apart.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>
#include <utility>

namespace convene {

template <class Enum, std::size_t N>
struct EnumNames {
  std::array<std::pair<Enum, std::string_view>, N> entries;

  constexpr std::string_view name(Enum value) const {
    for (const auto& [v, n] : entries) {
      if (v == value) return n;
    }
    return {};
  }
  constexpr std::optional<Enum> parse(std::string_view text) const {
    for (const auto& [v, n] : entries) {
      if (n == text) return v;
    }
    return std::nullopt;
  }
  // Every value, in the table's order.
  constexpr std::array<Enum, N> values() const {
    std::array<Enum, N> out{};
    for (std::size_t i = 0; i < N; ++i) out[i] = entries[i].first;
    return out;
  }
};

template <class Enum, class... Entries>
constexpr auto enum_names(Entries... entries) {
  return EnumNames<Enum, sizeof...(Entries)>{{std::pair<Enum, std::string_view>(entries)...}};
}

}  // namespace convene
