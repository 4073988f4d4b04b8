#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <gmime/gmime.h>

// Owning handles for GMime's reference-counted objects, so every path out of
// the parser (early return, exception) releases what it made.
namespace fbl::feedback_loop::gmime {

struct ObjectUnref {
    void operator()(gpointer object) const { g_object_unref(object); }
};

template <typename T>
using Ref = std::unique_ptr<T, ObjectUnref>;

// Takes ownership of a freshly made (or g_object_ref'd) object.
template <typename T>
Ref<T> adopt(T* object) {
    return Ref<T>(object);
}

struct GFreeDeleter {
    void operator()(gpointer memory) const { g_free(memory); }
};
using GString = std::unique_ptr<char, GFreeDeleter>;

struct DateTimeUnref {
    void operator()(GDateTime* date) const { g_date_time_unref(date); }
};
using DateTime = std::unique_ptr<GDateTime, DateTimeUnref>;

// g_mime_init() exactly once per process, whoever gets here first.
void ensure_initialised();

// Parses bytes as a message; nullptr when GMime cannot make one.
Ref<GMimeMessage> parse_message(std::string_view bytes);

// The transfer-decoded body of a leaf part (base64, quoted-printable undone).
std::string decoded_content(GMimePart* part);

// "type/subtype", lower-cased; "text/plain" when the object has none.
std::string mime_type(GMimeObject* object);

}  // namespace fbl::feedback_loop::gmime
