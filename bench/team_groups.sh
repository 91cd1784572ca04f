# shellcheck shell=bash
# Sourced by the benches that time a policy of many rules, each naming its
# own group. In the sandbox only: they change /etc.
#
# add_team_groups N DIR: /etc/group and /etc/gshadow saved in DIR, then the
# groups team0 ... team(N-1) added (gids from 30000), as lines of the files.
add_team_groups() {
	local i
	cp -p /etc/group /etc/gshadow "$2/"
	for ((i = 0; i < $1; i++)); do
		echo "team$i:x:$((30000 + i)):" >>/etc/group
		echo "team$i:!::" >>/etc/gshadow
	done
}

# restore_groups DIR: the files add_team_groups saved, put back.
restore_groups() {
	cp -p "$1/group" "$1/gshadow" /etc/
}
