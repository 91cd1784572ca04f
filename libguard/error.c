#include "error.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

void guard_error_set(struct guard_error *err, const char *file, unsigned line, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return;
	snprintf(err->file, sizeof(err->file), "%s", file ? file : "");
	err->line = line;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
}

void guard_error_format(const struct guard_error *err, char *buf, size_t size)
{
	if (err->file[0] && err->line)
		snprintf(buf, size, "%s:%u: %s", err->file, err->line, err->message);
	else if (err->file[0])
		snprintf(buf, size, "%s: %s", err->file, err->message);
	else
		snprintf(buf, size, "%s", err->message);
}

static char *escape(const char *s, char *buf, size_t size, bool controls_only)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	if (size == 0)
		return buf;
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		bool quote =
		    controls_only ? (c < 0x20 || c == 0x7f) : (c < 0x20 || c > 0x7e || c == '\\');
		size_t need = quote ? 4 : 1;

		if (o + need + 4 > size) {
			if (o + 4 <= size) {
				memcpy(buf + o, "...", 3);
				o += 3;
			}
			break;
		}
		if (need == 4) {
			buf[o++] = '\\';
			buf[o++] = 'x';
			buf[o++] = hex[c >> 4];
			buf[o++] = hex[c & 15];
		} else {
			buf[o++] = (char)c;
		}
	}
	buf[o] = '\0';
	return buf;
}

char *guard_escape(const char *s, char *buf, size_t size)
{
	return escape(s, buf, size, false);
}

char *guard_escape_controls(const char *s, char *buf, size_t size)
{
	return escape(s, buf, size, true);
}
