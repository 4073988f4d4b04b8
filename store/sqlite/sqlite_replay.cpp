// SqliteStore as the replay guard of signed webhooks.
#include "store/sqlite/sqlite_store.h"
#include "store/time_codec.h"

namespace fbl::store {

bool SqliteStore::token_seen(Channel channel, const std::string& token) {
    std::lock_guard lock(reader_mutex_);
    auto statement = reader_.prepare(
        "SELECT 1 FROM webhook_tokens WHERE channel = ?1 AND token = ?2 AND expires_at > ?3");
    statement.bind(1, std::string_view(to_string(channel))).bind(2, token).bind(3, now_micros());
    return statement.step();
}

bool SqliteStore::remember_token(Channel channel, const std::string& token, TimePoint expires_at) {
    std::lock_guard lock(writer_mutex_);
    std::int64_t now = now_micros();
    sqlite::WriteTransaction transaction(writer_);
    auto forget = writer_.prepare("DELETE FROM webhook_tokens WHERE expires_at <= ?1");
    forget.bind(1, now);
    forget.run();
    auto insert = writer_.prepare(
        "INSERT INTO webhook_tokens (channel, token, expires_at) VALUES (?1, ?2, ?3) "
        "ON CONFLICT (channel, token) DO NOTHING");
    insert.bind(1, std::string_view(to_string(channel)))
        .bind(2, token)
        .bind(3, to_micros(expires_at));
    insert.run();
    bool recorded = writer_.changes() > 0;
    transaction.commit();
    return recorded;
}

}  // namespace fbl::store
