#include "feedback_loop/gmime_handle.h"

#include <mutex>

#include "common/text.h"

namespace fbl::feedback_loop::gmime {

void ensure_initialised() {
    static std::once_flag once;
    std::call_once(once, [] { g_mime_init(); });
}

Ref<GMimeMessage> parse_message(std::string_view bytes) {
    ensure_initialised();
    auto stream = adopt(g_mime_stream_mem_new_with_buffer(bytes.data(), bytes.size()));
    auto parser = adopt(g_mime_parser_new_with_stream(stream.get()));
    return adopt(g_mime_parser_construct_message(parser.get(), nullptr));
}

std::string decoded_content(GMimePart* part) {
    GMimeDataWrapper* wrapper = g_mime_part_get_content(part);
    if (wrapper == nullptr) {
        return {};
    }
    auto memory = adopt(g_mime_stream_mem_new());
    if (g_mime_data_wrapper_write_to_stream(wrapper, memory.get()) < 0) {
        return {};
    }
    GByteArray* bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(memory.get()));
    return std::string(reinterpret_cast<const char*>(bytes->data), bytes->len);
}

std::string mime_type(GMimeObject* object) {
    GMimeContentType* type = g_mime_object_get_content_type(object);
    if (type == nullptr) {
        return "text/plain";
    }
    GString name(g_mime_content_type_get_mime_type(type));
    return text::ascii_lower(name ? name.get() : "text/plain");
}

}  // namespace fbl::feedback_loop::gmime
