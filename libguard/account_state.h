/* The account databases as Guard sees them for `guardctl verify`: every
 * user and group with the fields a change of which matters (ids, home,
 * shell, members) and the state of its password (empty, none, locked, set)
 * with a keyed hash of it, never the hash itself. Built from the four
 * files' text (account_files.c reads them); compared with the state the
 * store kept, giving the changes. Pure: no I/O. */
#ifndef GUARD_ACCOUNT_STATE_H
#define GUARD_ACCOUNT_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GUARD_ACCOUNT_KEY_LEN 32
#define GUARD_ACCOUNT_MAC_HEX 32 /* hex digits of the keyed hash kept */

enum guard_account_kind { GUARD_ACCOUNT_USER, GUARD_ACCOUNT_GROUP };

enum guard_password_state {
	GUARD_PASSWORD_UNKNOWN, /* no shadow entry */
	GUARD_PASSWORD_EMPTY,	/* "": anyone may log in */
	GUARD_PASSWORD_NONE,	/* "*" and the like: no password */
	GUARD_PASSWORD_LOCKED,	/* "!...": locked */
	GUARD_PASSWORD_SET,
};

struct guard_account {
	enum guard_account_kind kind;
	char *name;
	uint32_t id;   /* uid or gid */
	uint32_t gid;  /* users: the primary group */
	char *home;    /* users */
	char *shell;   /* users */
	char *members; /* groups: sorted, comma-separated ("" for none) */
	enum guard_password_state password;
	char mac[GUARD_ACCOUNT_MAC_HEX + 1]; /* keyed hash of the password, "" when none */
	unsigned line;			     /* in its file (parsing only) */
};

struct guard_account_set {
	struct guard_account *v;
	size_t n;
};

void guard_account_set_clear(struct guard_account_set *set);

/* Appends a copy of a. Returns 0 or -ENOMEM. */
int guard_account_set_add(struct guard_account_set *set, const struct guard_account *a);

/* Orders two struct guard_account by kind, then name (qsort, bsearch). */
int guard_account_compare(const void *a, const void *b);

/* Sorts by kind, then name (the order guard_account_diff needs). */
void guard_account_set_sort(struct guard_account_set *set);

/* Builds the set from the text of /etc/passwd, /etc/group, /etc/shadow and
 * /etc/gshadow (shadow and gshadow may be NULL), keying the password
 * hashes with key. Lines that are not entries (comments, NIS "+" lines,
 * malformed) are skipped. A name that is there twice keeps its first entry
 * under its name and the later ones as "NAME:N" (N from 2): a second root
 * line is a change to see, not to merge. Returns 0 or -ENOMEM. */
int guard_account_set_parse(const char *passwd, const char *group, const char *shadow,
			    const char *gshadow, const uint8_t key[GUARD_ACCOUNT_KEY_LEN],
			    struct guard_account_set *ret);

enum guard_account_change_type {
	GUARD_CHANGE_ADDED,
	GUARD_CHANGE_REMOVED,
	GUARD_CHANGE_RENAMED,	   /* name: the old name; value_new: the new one */
	GUARD_CHANGE_FIELD,	   /* field: "uid", "gid", "home", "shell" */
	GUARD_CHANGE_MEMBER_ADDED, /* name: the group; member: the user */
	GUARD_CHANGE_MEMBER_REMOVED,
	GUARD_CHANGE_PASSWORD, /* value_new: "set", "emptied", "locked", "unlocked" */
};

struct guard_account_change {
	enum guard_account_kind kind;
	enum guard_account_change_type type;
	char *name;
	char *member;
	const char *field;
	char *value_old, *value_new;
};

void guard_account_changes_free(struct guard_account_change *v, size_t n);

/* What changed from before to now (both sorted): accounts and groups
 * added, removed or renamed (same id, one name gone and one new), uid,
 * gid, home and shell, members, and a password set, emptied, locked or
 * unlocked (a new password where there was one is no change: users change
 * their own). Returns 0 or -ENOMEM. */
int guard_account_diff(const struct guard_account_set *before, const struct guard_account_set *now,
		       struct guard_account_change **ret, size_t *ret_n);

/* The change's kind as verify --json and the report name it: "added",
 * "removed", "renamed", "modified", "member-added", "member-removed",
 * "password". */
const char *guard_account_change_type_name(enum guard_account_change_type type);

/* The change as one line for a person: "user mallory: added",
 * "group sudo: member mallory added", "user bob: password emptied". */
void guard_account_change_text(const struct guard_account_change *c, char *buf, size_t size);

#endif
