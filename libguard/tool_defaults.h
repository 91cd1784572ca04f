/* The account tools' settings that decide what they create: login.defs,
 * /etc/default/useradd and adduser.conf, read for the classifier. */
#ifndef GUARD_TOOL_DEFAULTS_H
#define GUARD_TOOL_DEFAULTS_H

#include "classify.h"
#include "error.h"

enum guard_defaults_file {
	GUARD_DEFAULTS_LOGIN_DEFS,	/* "NAME value" lines */
	GUARD_DEFAULTS_DEFAULT_USERADD, /* "NAME=value" lines */
	GUARD_DEFAULTS_ADDUSER_CONF,	/* "NAME = value", optionally quoted */
};

/* The tools' own defaults, for settings no file sets. */
void guard_tool_defaults_init(struct guard_tool_defaults *ret);

/* Applies one file's text (len bytes) to d, as the tool that reads it
 * would. Pure. Returns 0, or -EINVAL when a value Guard copies is too
 * long or not an absolute path. */
int guard_tool_defaults_parse(enum guard_defaults_file kind, const char *text, size_t len,
			      struct guard_tool_defaults *d);

/* Reads the host's three files (login.defs is required; the others may be
 * missing). Each must be a regular file owned by root and writable by no
 * one else. Returns 0, or -errno with err naming the file and why. */
int guard_tool_defaults_read(struct guard_tool_defaults *ret, struct guard_error *err);

#endif
