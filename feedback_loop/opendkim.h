#pragma once

// libopendkim's header is C99 and spells bool `_Bool`, which C++ lacks; the
// two have the same representation on every platform we build for.
#define _Bool bool
#include <opendkim/dkim.h>
#undef _Bool
