/* The small parsers: time windows, addresses and networks, durations,
 * limits, id ranges, names, dates, logind's records, the account
 * databases verify reads, the events relayed to guardctl's front. The first byte picks one; the
 * rest is the text. Properties: what is accepted formats back to text that parses to the same
 * value; nothing is accepted with bytes a policy may not hold. */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account_state.h"
#include "address.h"
#include "datetime.h"
#include "events_relay.h"
#include "logind.h"
#include "names.h"
#include "numparse.h"
#include "timewin.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s, buf[128];

	if (size < 1 || size > 256)
		return 0;
	s = malloc(size);
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';

	switch (data[0] % 12) {
	case 0: {
		struct guard_window w, w2;

		if (guard_window_parse(s, &w) == 0) {
			guard_window_format(&w, buf, sizeof(buf));
			if (guard_window_parse(buf, &w2) != 0 || memcmp(&w, &w2, sizeof(w)) != 0)
				abort();
		}
		break;
	}
	case 1: {
		struct guard_cidr c, c2;

		if (guard_cidr_parse(s, &c) == 0) {
			char text[64];

			if (c.prefix > (c.addr.family == AF_INET ? 32u : 128u))
				abort();
			guard_addr_format(&c.addr, text, sizeof(text));
			snprintf(buf, sizeof(buf), "%s/%u", text, c.prefix);
			if (guard_cidr_parse(buf, &c2) != 0 || c2.prefix != c.prefix ||
			    memcmp(&c2.addr, &c.addr, sizeof(c.addr)) != 0)
				abort();
			if (!guard_cidr_contains(&c, &c.addr))
				abort();
		}
		break;
	}
	case 2: {
		int64_t d, d2;

		if (guard_parse_duration(s, &d) == 0) {
			if (d <= 0 || d > GUARD_DURATION_MAX)
				abort();
			guard_format_duration(d, buf, sizeof(buf));
			if (guard_parse_duration(buf, &d2) != 0 || d2 != d)
				abort();
		}
		break;
	}
	case 3: {
		struct guard_limit l;

		if (guard_parse_limit(s, &l) == 0 && (l.count == 0 || l.period_s <= 0))
			abort();
		break;
	}
	case 4: {
		uint32_t lo, hi;

		if (guard_parse_id_range(s, &lo, &hi) == 0 && (lo > hi || hi > GUARD_ID_MAX))
			abort();
		break;
	}
	case 5:
		if (guard_name_is_valid(s)) {
			for (const char *c = s; *c; c++)
				if (*c == '/' || *c == ':' || *c == ' ' || *c == '\n' ||
				    (unsigned char)*c >= 0x80 || (unsigned char)*c < 0x20)
					abort();
			if (s[0] == '-' || strlen(s) > 32)
				abort();
		}
		break;
	case 6: {
		int64_t t;

		(void)guard_parse_datetime(s, NULL, &t);
		break;
	}
	case 8: {
		char id[16];

		/* Letters and digits only, never empty: it is a file name. */
		if (guard_cgroup_session(s, size - 1, id, sizeof(id)) == 0) {
			if (!id[0] || strlen(id) >= sizeof(id))
				abort();
			for (const char *c = id; *c; c++)
				if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
				      (*c >= '0' && *c <= '9')))
					abort();
		}
		break;
	}
	case 9: {
		struct guard_logind_session rec;

		if (guard_logind_session_parse(s, size - 1, &rec) == 0 &&
		    (strnlen(rec.remote_host, sizeof(rec.remote_host)) >= sizeof(rec.remote_host) ||
		     strnlen(rec.tty, sizeof(rec.tty)) >= sizeof(rec.tty) ||
		     strnlen(rec.seat, sizeof(rec.seat)) >= sizeof(rec.seat)))
			abort();
		break;
	}
	default: {
		struct guard_addr a, a2;

		if (guard_addr_parse(s, &a) == 0) {
			guard_addr_format(&a, buf, sizeof(buf));
			if (guard_addr_parse(buf, &a2) != 0 || memcmp(&a, &a2, sizeof(a)) != 0)
				abort();
		}
		break;
	}
	case 10: {
		/* The text as every one of the four files: a set that differs
		 * from itself, or a password hash that leaks, is a bug. */
		static const uint8_t key[GUARD_ACCOUNT_KEY_LEN] = {1};
		struct guard_account_set set = {0};
		struct guard_account_change *c = NULL;
		size_t n = 0;

		if (guard_account_set_parse(s, s, s, s, key, &set) == 0) {
			if (guard_account_diff(&set, &set, &c, &n) != 0 || n != 0)
				abort();
			for (size_t i = 0; i < set.n; i++)
				if (set.v[i].mac[0] &&
				    strlen(set.v[i].mac) != GUARD_ACCOUNT_MAC_HEX)
					abort();
			guard_account_changes_free(c, n);
			guard_account_set_clear(&set);
		}
		break;
	}
	case 11: {
		/* The relayed events guardctl's front walks: every record
		 * within the buffer, the walk ends. */
		const uint8_t *rec, *b = data + 1;
		size_t off = 0, n, len = size - 1, prev;
		uint32_t type;
		uint8_t kind;
		int r;

		do {
			prev = off;
			r = guard_events_relay_next(b, len, &off, &kind, &type, &rec, &n);
			if (r == 1 && (rec < b || rec + n > b + len || off <= prev || off > len))
				abort();
		} while (r == 1);
		break;
	}
	}
	free(s);
	return 0;
}
