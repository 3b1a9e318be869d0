// A list's filter parameter (?status=, ?kind=): parsed, or one field error naming what it may be.
#include <gtest/gtest.h>

#include "app/paging.hpp"
#include "convene/outbox.hpp"

namespace convene::app {
namespace {

TEST(ListFilter, AbsentIsNoFilterAndKnownValuesAreTaken) {
  FieldErrors errors;
  EXPECT_EQ(list_filter(std::nullopt, parse_delivery_status, "status", "pending or sent", errors), std::nullopt);
  EXPECT_EQ(list_filter(std::optional<std::string_view>("sent"), parse_delivery_status, "status", "pending or sent",
                        errors),
            DeliveryStatus::sent);
  EXPECT_TRUE(errors.empty());
}

TEST(ListFilter, UnknownValuesAndValuesNotAskedForByNameAreFieldErrors) {
  FieldErrors errors;
  const auto expected = "pending, sent, failed or skipped";
  EXPECT_EQ(list_filter(std::optional<std::string_view>("lost"), parse_delivery_status, "status", expected, errors),
            std::nullopt);
  EXPECT_EQ(list_filter(std::optional<std::string_view>("sending"), parse_delivery_status, "status", expected, errors,
                        std::optional(DeliveryStatus::sending)),
            std::nullopt);
  EXPECT_EQ(list_filter(std::optional<std::string_view>("sign-in"), parse_message_kind, "kind", "confirmation", errors,
                        std::optional(MessageKind::sign_in)),
            std::nullopt);
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_EQ(errors[0].field, "status");
  EXPECT_EQ(errors[0].message, "must be pending, sent, failed or skipped");
  EXPECT_EQ(errors[1].field, "status");
  EXPECT_EQ(errors[2].field, "kind");
  EXPECT_EQ(errors[2].message, "must be confirmation");
}

}  // namespace
}  // namespace convene::app
