/* guardctl's front: what its files share. */
#ifndef GUARDCTL_FRONT_H
#define GUARDCTL_FRONT_H

#include <stddef.h>
#include <stdint.h>

/* Sends the relayed records in buf (events_relay.h), in order: each audit
 * record acknowledged by the kernel, each journal entry within journald's
 * bound. Returns 0, or the first audit failure's -errno with why (the
 * journal entries are sent all the same). */
int front_send_events(const uint8_t *buf, size_t len, char *why, size_t size);

#endif
