/* guardctl's guarded commands decided in guard-decided: the front
 * (guardctl/front/) asks, the service decides with guardctl's own code
 * under its kept policy and store, the front runs the tool and tells how
 * it ended on the same connection. */
#ifndef GUARD_DECIDED_GUARDCTL_H
#define GUARD_DECIDED_GUARDCTL_H

#include <stdbool.h>
#include <stdint.h>

#include "wire.h"

struct guardctl_served;

/* Decides a GUARD_STAGE_GUARDCTL request sent by process peer_pid and
 * fills ans (zeroed). room: whether one more run may wait for its end.
 * Returns what the run's end needs when ans allows the command, else
 * NULL. */
struct guardctl_served *guardctl_served_run(const struct guard_wire_request *req, uint32_t peer_pid,
					    bool room, struct guard_wire_answer *ans);

/* Records the end (GUARD_STAGE_GUARDCTL_END) of the run st allowed and
 * fills ans (zeroed): warnings in its guidance. */
void guardctl_served_end(struct guardctl_served *st, const struct guard_wire_request *req,
			 struct guard_wire_answer *ans);

/* Frees st (NULL too): a run whose end never came keeps no exit status,
 * as when guardctl itself is killed while the tool runs. */
void guardctl_served_free(struct guardctl_served *st);

#endif
