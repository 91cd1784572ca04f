/* The relay buffer of events (events_relay.h): records of a kind byte, a
 * 32-bit type and a 32-bit length, little-endian, then the bytes. */
#include "events_relay.h"

#include <stdlib.h>
#include <string.h>

#define RECORD_HEADER 9u

static void put_le32(uint8_t *p, uint32_t v)
{
	for (unsigned i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get_le32(const uint8_t *p)
{
	uint32_t v = 0;

	for (unsigned i = 0; i < 4; i++)
		v |= (uint32_t)p[i] << (8 * i);
	return v;
}

void guard_events_relay_add(struct guard_events_relay *relay, uint8_t kind, uint32_t type,
			    const void *data, size_t len)
{
	size_t need;

	if (!relay || relay->failed)
		return;
	if (len > GUARD_RELAY_MAX || relay->len + RECORD_HEADER + len > GUARD_RELAY_MAX) {
		relay->failed = true;
		return;
	}
	need = relay->len + RECORD_HEADER + len;
	if (need > relay->cap) {
		size_t cap = relay->cap ? relay->cap : 4096;
		uint8_t *nb;

		while (cap < need)
			cap *= 2;
		nb = realloc(relay->buf, cap);
		if (!nb) {
			relay->failed = true;
			return;
		}
		relay->buf = nb;
		relay->cap = cap;
	}
	relay->buf[relay->len] = kind;
	put_le32(relay->buf + relay->len + 1, type);
	put_le32(relay->buf + relay->len + 5, (uint32_t)len);
	if (len)
		memcpy(relay->buf + relay->len + RECORD_HEADER, data, len);
	relay->len = need;
}

void guard_events_relay_clear(struct guard_events_relay *relay)
{
	if (!relay)
		return;
	free(relay->buf);
	memset(relay, 0, sizeof(*relay));
}

int guard_events_relay_next(const uint8_t *buf, size_t len, size_t *off, uint8_t *kind,
			    uint32_t *type, const uint8_t **data, size_t *data_len)
{
	uint32_t n;

	if (*off == len)
		return 0;
	if (*off > len || len - *off < RECORD_HEADER)
		return -1;
	n = get_le32(buf + *off + 5);
	if (n > len - *off - RECORD_HEADER)
		return -1;
	*kind = buf[*off];
	if (*kind != GUARD_RELAY_AUDIT && *kind != GUARD_RELAY_JOURNAL)
		return -1;
	*type = get_le32(buf + *off + 1);
	*data = buf + *off + RECORD_HEADER;
	*data_len = n;
	*off += RECORD_HEADER + n;
	return 1;
}
