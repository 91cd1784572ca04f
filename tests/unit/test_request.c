/* Identities: when is a target the actor's own account? */
#include <criterion/criterion.h>

#include "request.h"

static char *alice_groups[] = {"alice", "helpdesk"};
static char *alice_groups_reordered[] = {"helpdesk", "alice"};
static char *alias_groups[] = {"alice", "helpdesk", "sudo"};

Test(request, same_account)
{
	struct guard_identity alice = {.name = "alice",
				       .exists = true,
				       .uid_known = true,
				       .uid = 1001,
				       .groups = alice_groups,
				       .n_groups = 2};
	struct guard_identity other = alice;

	cr_expect(guard_identity_same_account(&alice, &other));
	other.groups = alice_groups_reordered;
	cr_expect(guard_identity_same_account(&alice, &other), "groups in another order");

	/* useradd -o -u 1001 -G sudo alias: the uid is alice's, the account not. */
	other = alice;
	other.name = "alias";
	cr_expect_not(guard_identity_same_account(&alice, &other), "another name");
	other.groups = alias_groups;
	other.n_groups = 3;
	cr_expect_not(guard_identity_same_account(&alice, &other));
	cr_expect_not(guard_identity_same_account(&other, &alice));
	/* The same name with other groups (looked up differently): not the same. */
	other.name = "alice";
	cr_expect_not(guard_identity_same_account(&alice, &other), "more groups");
	cr_expect_not(guard_identity_same_account(&other, &alice), "fewer groups");

	other = alice;
	other.uid = 1002;
	cr_expect_not(guard_identity_same_account(&alice, &other), "another uid");
	other = alice;
	other.uid_known = false;
	cr_expect_not(guard_identity_same_account(&alice, &other), "uid unknown");
	other = alice;
	other.name = NULL;
	cr_expect_not(guard_identity_same_account(&alice, &other), "no name");
	other = alice;
	other.groups = NULL;
	cr_expect_not(guard_identity_same_account(&alice, &other), "groups missing");
	cr_expect_not(guard_identity_same_account(NULL, &alice));
	cr_expect_not(guard_identity_same_account(&alice, NULL));
}
