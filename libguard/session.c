/* Where the caller's session is: see session.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "numparse.h"
#include "session.h"

/* Reads one space-terminated decimal field at *p; moves *p past it. */
static int stat_field(const char **p, const char *end, int64_t *ret)
{
	const char *s = *p;
	char num[24];
	size_t n = 0;
	bool neg = false;
	uint64_t v;

	while (s < end && *s != ' ' && n < sizeof(num) - 1)
		num[n++] = *s++;
	if (s >= end || *s != ' ' || n == 0)
		return -EINVAL;
	num[n] = '\0';
	*p = s + 1;
	if (num[0] == '-')
		neg = true;
	if (guard_parse_uint(num + neg, UINT32_MAX, &v) < 0)
		return -EINVAL;
	*ret = neg ? -(int64_t)v : (int64_t)v;
	return 0;
}

int guard_proc_stat_parse(const char *buf, size_t len, struct guard_proc_stat *ret)
{
	const char *end = buf ? buf + len : NULL, *p = NULL;
	int64_t ppid, pgrp, sid, tty;

	if (!buf || !ret)
		return -EINVAL;
	for (const char *s = buf; s < end; s++)
		if (*s == ')')
			p = s;
	/* ") S PPID PGRP SID TTY_NR " */
	if (!p || end - p < 4 || p[1] != ' ' || p[2] == ' ' || p[3] != ' ')
		return -EINVAL;
	p += 4;
	if (stat_field(&p, end, &ppid) < 0 || stat_field(&p, end, &pgrp) < 0 ||
	    stat_field(&p, end, &sid) < 0 || stat_field(&p, end, &tty) < 0)
		return -EINVAL;
	if (ppid < 0 || sid < 0)
		return -EINVAL;
	ret->ppid = (pid_t)ppid;
	ret->sid = (pid_t)sid;
	/* The kernel prints the device number as a signed int. */
	ret->tty_nr = (uint32_t)(int32_t)tty;
	return 0;
}

int guard_tty_name(unsigned major, unsigned minor, char *buf, size_t size)
{
	int n;

	if (major >= 136 && major <= 143) /* UNIX98 pty slaves */
		n = snprintf(buf, size, "pts/%u", (major - 136) * 256 + minor);
	else if (major == 4 && minor < 64) /* virtual consoles; tty0 is "the current one" */
		n = minor == 0 ? -1 : snprintf(buf, size, "tty%u", minor);
	else if (major == 4) /* 8250 serial ports */
		n = snprintf(buf, size, "ttyS%u", minor - 64);
	else
		n = -1;
	if (n < 0)
		return -ENODEV;
	if ((size_t)n >= size)
		return -ENAMETOOLONG;
	return 0;
}

bool guard_session_owns_entry(const struct guard_session_facts *f)
{
	if (!f->ut_found || f->sid <= 0 || f->ut_pid <= 0)
		return false;
	return f->ut_pid == f->sid || f->ut_pid_sid == f->sid ||
	       (f->leader_ppid > 1 && f->ut_pid == f->leader_ppid);
}

static bool addr_is_zero(const int32_t a[4])
{
	return a[0] == 0 && a[1] == 0 && a[2] == 0 && a[3] == 0;
}

static void set_remote(struct guard_location *ret, const char *host, const int32_t addr_v6[4])
{
	ret->kind = GUARD_LOCATION_REMOTE;
	snprintf(ret->rhost, sizeof(ret->rhost), "%s", host ? host : "");
	if (addr_v6 && !addr_is_zero(addr_v6)) {
		/* utmp keeps IPv4 in the first word, the rest zero. */
		char text[INET6_ADDRSTRLEN];
		bool v4 = addr_v6[1] == 0 && addr_v6[2] == 0 && addr_v6[3] == 0;

		if (inet_ntop(v4 ? AF_INET : AF_INET6, addr_v6, text, sizeof(text)) &&
		    guard_addr_parse(text, &ret->addr) == 0)
			ret->addr_known = true;
	} else if (host && guard_addr_parse(host, &ret->addr) == 0) {
		ret->addr_known = true;
	}
}

static void set_tty(struct guard_location *ret, const char *tty)
{
	if (tty && strncmp(tty, "/dev/", 5) == 0)
		tty += 5;
	snprintf(ret->tty, sizeof(ret->tty), "%s", tty ? tty : "");
}

void guard_session_locate(const struct guard_session_facts *f, struct guard_location *ret)
{
	memset(ret, 0, sizeof(*ret));
	ret->kind = GUARD_LOCATION_UNKNOWN;
	if (!f)
		return;
	if (f->logind && f->logind_remote) {
		set_remote(ret, f->logind_host, NULL);
		set_tty(ret, f->logind_tty);
		return;
	}
	if (f->logind && f->logind_seat) {
		ret->kind = GUARD_LOCATION_LOCAL;
		set_tty(ret, f->logind_tty);
		return;
	}
	if (!f->ctty || !f->ctty[0])
		return;
	set_tty(ret, f->ctty);
	if (!guard_session_owns_entry(f))
		return;
	if ((f->ut_host && f->ut_host[0]) || !addr_is_zero(f->ut_addr_v6))
		set_remote(ret, f->ut_host, f->ut_addr_v6);
	else
		ret->kind = GUARD_LOCATION_LOCAL;
}
