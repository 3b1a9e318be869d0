// What the outbox holds: messages of a few kinds, each in one state of its delivery.
#pragma once

#include <optional>
#include <string_view>

#include "convene/enum_names.hpp"

namespace convene {

// Every message carries its kind in the X-Convene-Kind header.
// Most go to registrants; sign-in goes to an organiser's address, invitation to an invitee's (the
// invitation, then each reminder of it).
enum class MessageKind {
  confirmation, promotion, reminder, update, cancellation, rejection, announcement, sign_in, invitation
};
inline constexpr auto kMessageKindNames = enum_names<MessageKind>(
    std::pair{MessageKind::confirmation, "confirmation"}, std::pair{MessageKind::promotion, "promotion"},
    std::pair{MessageKind::reminder, "reminder"}, std::pair{MessageKind::update, "update"},
    std::pair{MessageKind::cancellation, "cancellation"}, std::pair{MessageKind::rejection, "rejection"},
    std::pair{MessageKind::announcement, "announcement"}, std::pair{MessageKind::sign_in, "sign-in"},
    std::pair{MessageKind::invitation, "invitation"});
inline std::string_view to_string(MessageKind kind) { return kMessageKindNames.name(kind); }
inline std::optional<MessageKind> parse_message_kind(std::string_view text) { return kMessageKindNames.parse(text); }

// pending: waiting for its time or its retry. sending: claimed by a worker under a lease. sent: the
// mailer accepted it. failed: given up, the error kept. skipped: no longer worth sending (why is kept).
enum class DeliveryStatus { pending, sending, sent, failed, skipped };
inline constexpr auto kDeliveryStatusNames = enum_names<DeliveryStatus>(
    std::pair{DeliveryStatus::pending, "pending"}, std::pair{DeliveryStatus::sending, "sending"},
    std::pair{DeliveryStatus::sent, "sent"}, std::pair{DeliveryStatus::failed, "failed"},
    std::pair{DeliveryStatus::skipped, "skipped"});
inline std::string_view to_string(DeliveryStatus status) { return kDeliveryStatusNames.name(status); }
inline std::optional<DeliveryStatus> parse_delivery_status(std::string_view text) {
  return kDeliveryStatusNames.parse(text);
}

}  // namespace convene
