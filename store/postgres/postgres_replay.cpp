// PostgresStore as the replay guard of signed webhooks.
#include "store/postgres/postgres_store.h"
#include "store/time_codec.h"

namespace fbl::store {

bool PostgresStore::token_seen(Channel channel, const std::string& token) {
    std::lock_guard lock(mutex_);
    auto rows = connection_.exec(
        "SELECT 1 FROM webhook_tokens WHERE channel = $1 AND token = $2 AND expires_at > $3",
        {to_string(channel), token, std::to_string(now_micros())});
    return rows.rows() > 0;
}

bool PostgresStore::remember_token(Channel channel, const std::string& token,
                                   TimePoint expires_at) {
    std::lock_guard lock(mutex_);
    postgres::Transaction transaction(connection_);
    connection_.exec("DELETE FROM webhook_tokens WHERE expires_at <= $1",
                     {std::to_string(now_micros())});
    auto inserted = connection_.exec(
        "INSERT INTO webhook_tokens (channel, token, expires_at) VALUES ($1, $2, $3) "
        "ON CONFLICT (channel, token) DO NOTHING RETURNING 1",
        {to_string(channel), token, std::to_string(to_micros(expires_at))});
    transaction.commit();
    return inserted.rows() > 0;
}

}  // namespace fbl::store
