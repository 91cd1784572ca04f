/* verify's view of the account databases: parsing the four files (NIS
 * lines, malformed lines, password states, members in any order), the
 * keyed hash (never the hash itself, stable across lock and unlock), and
 * every kind of change the diff reports, once each. */
#include <criterion/criterion.h>
#include <string.h>

#include "account_state.h"
#include "sha256.h"

static const uint8_t key[GUARD_ACCOUNT_KEY_LEN] = {1, 2, 3};

#define PASSWD                                                                                     \
	"root:x:0:0:root:/root:/bin/bash\n"                                                        \
	"bob:x:1001:1001:Bob:/home/bob:/bin/bash\n"                                                \
	"# comment\n"
#define GROUP                                                                                      \
	"root:x:0:\n"                                                                              \
	"sudo:x:27:bob,alice\n"                                                                    \
	"bob:x:1001:\n"
#define SHADOW                                                                                     \
	"root:$6$salt$rootHASH:19000:0:99999:7:::\n"                                               \
	"bob:$6$salt$bobHASH:19000:0:99999:7:::\n"
#define GSHADOW "root:*::\nsudo:*::bob,alice\nbob:!::\n"

struct world {
	struct guard_account_set before, now;
	struct guard_account_change *c;
	size_t n;
};

static void parse(const char *pw, const char *gr, const char *sh, struct guard_account_set *ret)
{
	cr_assert_eq(guard_account_set_parse(pw, gr, sh, GSHADOW, key, ret), 0);
}

static void diff(struct world *w, const char *pw, const char *gr, const char *sh)
{
	parse(PASSWD, GROUP, SHADOW, &w->before);
	parse(pw, gr, sh, &w->now);
	cr_assert_eq(guard_account_diff(&w->before, &w->now, &w->c, &w->n), 0);
}

static void world_clear(struct world *w)
{
	guard_account_set_clear(&w->before);
	guard_account_set_clear(&w->now);
	guard_account_changes_free(w->c, w->n);
}

/* The changes as lines, joined by ';'. */
static void texts(const struct world *w, char *out, size_t size)
{
	out[0] = '\0';
	for (size_t i = 0; i < w->n; i++) {
		char line[256];

		guard_account_change_text(&w->c[i], line, sizeof(line));
		if (i)
			strncat(out, ";", size - strlen(out) - 1);
		strncat(out, line, size - strlen(out) - 1);
	}
}

Test(account_state, parse_keeps_comments_out)
{
	struct guard_account_set s = {0};

	parse(PASSWD, GROUP, SHADOW, &s);
	cr_assert_eq(s.n, 5); /* root, bob users; root, sudo, bob groups */
	cr_expect_eq(s.v[0].kind, GUARD_ACCOUNT_USER);
	cr_expect_str_eq(s.v[0].name, "bob");
	cr_expect_eq(s.v[0].password, GUARD_PASSWORD_SET);
	cr_expect_eq(strlen(s.v[0].mac), GUARD_ACCOUNT_MAC_HEX);
	cr_expect_null(strstr(s.v[0].mac, "bobHASH"));
	cr_expect_str_eq(s.v[4].name, "sudo");
	cr_expect_str_eq(s.v[4].members, "alice,bob");
	cr_expect_eq(s.v[2].password, GUARD_PASSWORD_LOCKED); /* group bob: "!" */
	guard_account_set_clear(&s);
}

Test(account_state, nothing_changed)
{
	struct world w = {0};

	diff(&w, PASSWD, "root:x:0:\nsudo:x:27:alice,bob\nbob:x:1001:\n", SHADOW);
	cr_expect_eq(w.n, 0, "members in another order are no change");
	world_clear(&w);
}

Test(account_state, added_removed_renamed)
{
	struct world w = {0};
	char out[1024];

	diff(&w,
	     "root:x:0:0:root:/root:/bin/bash\nrobert:x:1001:1001:Bob:/home/bob:/bin/bash\n"
	     "mallory:x:0:0::/root:/bin/sh\n",
	     "root:x:0:\nsudo:x:27:bob,alice,mallory\n", SHADOW);
	texts(&w, out, sizeof(out));
	/* robert has no shadow entry: his password is unknown, not emptied. */
	cr_expect_str_eq(out, "user bob: renamed to robert;group bob: removed;"
			      "group sudo: member mallory added;user mallory: added;"
			      "user mallory: uid (new) -> 0");
	world_clear(&w);
}

Test(account_state, fields_and_passwords)
{
	struct world w = {0};
	char out[1024];

	diff(&w, "root:x:0:0:root:/root:/bin/sh\nbob:x:0:27:Bob:/srv/bob:/bin/bash\n",
	     "root:x:0:\nsudo:x:27:alice\nbob:x:1001:\n",
	     "root:!$6$salt$rootHASH:19000::::::\nbob::19000::::::\n");
	texts(&w, out, sizeof(out));
	cr_expect_str_eq(out, "user bob: uid 1001 -> 0;user bob: gid 1001 -> 27;"
			      "user bob: home /home/bob -> /srv/bob;user bob: password emptied;"
			      "user root: shell /bin/bash -> /bin/sh;user root: password locked;"
			      "group sudo: member bob removed");
	world_clear(&w);
}

Test(account_state, unlock_and_new_password)
{
	struct guard_account_set locked = {0}, now = {0};
	struct guard_account_change *c = NULL;
	size_t n = 0;

	parse(PASSWD, GROUP, "root:!$6$salt$rootHASH:1::::::\nbob:!$6$salt$bobHASH:1::::::\n",
	      &locked);
	parse(PASSWD, GROUP, "root:$6$salt$rootHASH:1::::::\nbob:$6$salt$NEW:1::::::\n", &now);
	cr_assert_eq(guard_account_diff(&locked, &now, &c, &n), 0);
	cr_assert_eq(n, 2);
	cr_expect_str_eq(c[0].name, "bob");
	cr_expect_str_eq(c[0].value_new, "set", "a new password where a locked one was");
	cr_expect_str_eq(c[1].name, "root");
	cr_expect_str_eq(c[1].value_new, "unlocked");
	guard_account_changes_free(c, n);
	guard_account_set_clear(&locked);
	guard_account_set_clear(&now);
}

Test(account_state, a_changed_password_is_no_change)
{
	struct world w = {0};

	diff(&w, PASSWD, GROUP, "root:$6$other$X:1::::::\nbob:$6$salt$bobHASH2:1::::::\n");
	cr_expect_eq(w.n, 0, "users change their own passwords: not reported");
	world_clear(&w);
}

Test(account_state, hmac_known_answer)
{
	/* RFC 4231 test case 2. */
	uint8_t d[GUARD_SHA256_LEN];
	char hex[2 * GUARD_SHA256_LEN + 1];

	guard_hmac_sha256((const uint8_t *)"Jefe", 4, "what do ya want for nothing?", 28, d);
	guard_sha256_hex(d, hex);
	cr_expect_str_eq(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

Test(account_state, a_second_entry_of_a_name_is_seen)
{
	struct world w = {0};
	char out[1024];

	diff(&w, PASSWD "root:x:0:0:root:/root:/bin/sh\n", GROUP, SHADOW);
	texts(&w, out, sizeof(out));
	cr_expect_str_eq(out, "user root:2: added;user root:2: uid (new) -> 0");
	world_clear(&w);
}

Test(account_state, lines_glibc_reads_differently_are_seen)
{
	struct world w = {0};
	char out[1024];

	/* "00" is uid 0 to glibc; a "+" line and a short line are no entry
	 * Guard reads, but glibc may make one of them: each is a change. */
	diff(&w, PASSWD "toor:x:00:0::/root:/bin/sh\n+nis::::::\nshort:x:0:0\n", GROUP, SHADOW);
	texts(&w, out, sizeof(out));
	cr_expect(strstr(out, "user toor: added;user toor: uid (new) -> 0") != NULL, "%s", out);
	cr_expect(strstr(out, "user ?") != NULL, "the unreadable lines: %s", out);
	world_clear(&w);
}

Test(account_state, the_passwd_field_counts_as_pam_unix_reads_it)
{
	struct world w = {0};
	char out[1024];

	/* root's password in /etc/passwd itself: pam_unix uses it, shadow
	 * or not. */
	diff(&w, "root::0:0:root:/root:/bin/bash\nbob:x:1001:1001:Bob:/home/bob:/bin/bash\n", GROUP,
	     SHADOW);
	texts(&w, out, sizeof(out));
	cr_expect_str_eq(out, "user root: password emptied");
	world_clear(&w);
}

Test(account_state, a_shadow_entry_that_appears_is_no_change)
{
	struct guard_account_set before = {0}, now = {0};
	struct guard_account_change *c = NULL;
	size_t n = 0;

	/* useradd writes passwd, then shadow: a verify in between. */
	parse(PASSWD, GROUP, "root:$6$salt$rootHASH:1::::::\n", &before);
	parse(PASSWD, GROUP, "root:$6$salt$rootHASH:1::::::\nbob:!:1::::::\n", &now);
	cr_assert_eq(guard_account_diff(&before, &now, &c, &n), 0);
	cr_expect_eq(n, 0, "bob's locked shadow entry appearing is no change");
	guard_account_changes_free(c, n);
	guard_account_set_clear(&now);
	parse(PASSWD, GROUP, "root:$6$salt$rootHASH:1::::::\nbob::1::::::\n", &now);
	cr_assert_eq(guard_account_diff(&before, &now, &c, &n), 0);
	cr_assert_eq(n, 1, "an empty one is");
	cr_expect_str_eq(c[0].value_new, "emptied");
	guard_account_changes_free(c, n);
	guard_account_set_clear(&before);
	guard_account_set_clear(&now);
}
